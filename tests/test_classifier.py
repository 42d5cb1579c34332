"""The classifier's direct probability path against the estimator it stands in for."""

from __future__ import annotations

import json

import numpy as np

from commentcare import Moderator
from commentcare.model._classifier import _direct_proba
from conftest import ROOT


def _corpus_texts(n: int = 3000) -> list[str]:
    with open(ROOT / "corpus" / "corpus.jsonl", encoding="utf-8") as f:
        return [json.loads(line)["text"] for line, _ in zip(f, range(n))]


def test_the_shipped_model_takes_the_direct_path(moderator: Moderator) -> None:
    final = moderator.pipeline.steps[-1][1]
    assert moderator.classifier._predict_proba is not final.predict_proba


def test_direct_probabilities_are_bitwise_the_estimators(moderator: Moderator) -> None:
    pipeline = moderator.pipeline
    direct = _direct_proba(pipeline.steps[-1][1])
    assert direct is not None
    X = pipeline[:-1].transform(_corpus_texts())
    assert np.array_equal(direct(X), pipeline.steps[-1][1].predict_proba(X))


def test_other_final_steps_keep_their_own_method(moderator: Moderator) -> None:
    from sklearn.linear_model import LogisticRegression

    assert _direct_proba(LogisticRegression()) is None
    calibrated = moderator.pipeline.steps[-1][1].estimator
    assert _direct_proba(calibrated) is None  # not temperature-scaled: another structure


def test_classifications_are_built_as_their_constructor_builds_them(moderator: Moderator) -> None:
    from dataclasses import fields

    from commentcare import Classification, Label
    from commentcare._types import new_classification

    assert not hasattr(Classification, "__post_init__")  # else the fast path would skip it
    scores = dict.fromkeys(Label, 0.25)
    fast = new_classification(Label.RANT, 0.25, scores, True, "v")
    assert type(fast) is Classification
    assert fast == Classification(Label.RANT, 0.25, scores, True, "v")
    assert [f.name for f in fields(fast)] == [f.name for f in fields(Classification)]
    got = moderator.classify("Thanks, this fixed my login problem!")
    assert type(got) is Classification and got == Classification(
        got.label, got.confidence, dict(got.scores), got.unsure, got.model_version
    )
