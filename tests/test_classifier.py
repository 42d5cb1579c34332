"""The model as a scikit-learn classifier, and the classification contract of model v2."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.base import clone, is_classifier

from commentcare import Classification, Label, Moderator
from commentcare.model._calibration import TemperatureScaled, fit_temperature, softmax
from commentcare.model._sentiment import Sentiment


def test_the_text_transformer_follows_the_conventions_checks_can_not_test() -> None:
    """scikit-learn's common checks refuse text input (SkipTestWarning), so the conventions are
    checked here: parameters stored as given, fit returns self, names match columns, no rows."""
    lexicon = {"good": 1.9, "bad": -2.5}
    s = Sentiment(lexicon=lexicon, negated_min_df=1, scale=2.0)
    assert s.get_params() == {"lexicon": lexicon, "negated_min_df": 1, "scale": 2.0}
    assert clone(s).get_params()["scale"] == 2.0
    assert s.fit(["not good at all", "bad"]) is s
    X = s.transform(["not good at all", "bad", ""])
    assert X.shape == (3, len(s.get_feature_names_out()))
    assert "not_good" in set(s.get_feature_names_out())
    assert s.transform([]).shape == (0, X.shape[1])
    with pytest.raises(Exception, match="not fitted"):
        Sentiment().transform(["x"])


def test_the_shipped_pipeline_is_a_classifier(moderator: Moderator) -> None:
    pipeline = moderator.pipeline
    assert is_classifier(pipeline)
    assert set(pipeline.classes_) == {lbl.value for lbl in Label} | {"none"}
    assert pipeline.predict_proba([]).shape == (0, 5)
    assert list(pipeline.predict([])) == []


def test_a_clone_learns_its_temperature_again(moderator: Moderator) -> None:
    final = moderator.pipeline.steps[-1][1]
    assert final.temperature_ > 0 and final.n_calibration_ > 0
    fresh = clone(final)
    assert not hasattr(fresh, "temperature_")  # learned in fit, never carried as a parameter


def test_temperature_is_learned_in_fit() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] + rng.normal(scale=1.5, size=400) > 0).astype(int)
    model = TemperatureScaled(random_state=0).fit(X, y)
    assert model.n_calibration_ == 60
    assert model.temperature_ != 1.0
    proba = model.predict_proba(X[:5])
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (model.predict(X[:5]) == model.classes_[proba.argmax(axis=1)]).all()


def test_fit_temperature_recovers_a_known_temperature() -> None:
    rng = np.random.default_rng(1)
    logits = rng.normal(scale=3.0, size=(5000, 4))
    true = softmax(logits / 2.0)
    y = np.array([rng.choice(4, p=p) for p in true])
    assert fit_temperature(logits, y) == pytest.approx(2.0, rel=0.1)


def test_scores_of_the_four_sum_to_one_and_other_is_apart(moderator: Moderator) -> None:
    for text in ["Not good.", "hello there", "Buy followers at growfast.example", "Love this, thank you!"]:
        c = moderator.classify(text)
        assert set(c.scores) == set(Label)
        assert math.isclose(sum(c.scores.values()), 1.0, rel_tol=1e-9)
        assert 0.0 <= c.other <= 1.0
        # confidence is the label's absolute probability
        assert c.confidence == pytest.approx(c.scores[c.label] * (1 - c.other), rel=1e-9)


def test_a_comment_that_fits_none_is_unsure(moderator: Moderator) -> None:
    c = moderator.classify("Is there a vegan version?")
    assert c.other > c.confidence and c.unsure


def test_a_comment_not_in_english_is_unsure(moderator: Moderator) -> None:
    c = moderator.classify("Me encanta este producto, es muy bueno y llegó rápido")
    assert c.unsure


def test_classifications_are_built_as_their_constructor_builds_them(moderator: Moderator) -> None:
    from dataclasses import fields

    from commentcare._types import new_classification

    assert not hasattr(Classification, "__post_init__")  # else the fast path would skip it
    scores = dict.fromkeys(Label, 0.25)
    fast = new_classification(Label.RANT, 0.25, scores, True, "v", 0.1)
    assert type(fast) is Classification
    assert fast == Classification(Label.RANT, 0.25, scores, True, "v", 0.1)
    assert [f.name for f in fields(fast)] == [f.name for f in fields(Classification)]
    got = moderator.classify("Thanks, this fixed my login problem!")
    assert type(got) is Classification and got == Classification(
        got.label, got.confidence, dict(got.scores), got.unsure, got.model_version, got.other
    )


def test_the_repr_is_short(moderator: Moderator) -> None:
    text = repr(moderator.classify("Great post, thank you!"))
    assert text.startswith("Classification(label=") and len(text) < 200
