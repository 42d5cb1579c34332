"""The public API contract: names, types, laziness and the shape of results."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
from datetime import datetime

import pytest

import commentcare
from commentcare import Classification, Comment, CommentCareError, InputError, Label, ModelError, Moderator


def test_public_names_are_listed_and_importable():
    for name in commentcare.__all__:
        assert getattr(commentcare, name) is not None
    assert {"Comment", "Label", "Moderator", "Classification", "CommentCareError"} <= set(commentcare.__all__)


def test_label_values_are_the_contract():
    assert [lbl.value for lbl in Label] == ["spam", "rant", "praise", "complaint"]
    assert Label("praise") is Label.PRAISE
    assert Label.SPAM == "spam"


def test_import_does_not_load_scikit_learn():
    code = "import sys, commentcare; print('sklearn' in sys.modules, 'numpy' in sys.modules, 'bs4' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


def test_comment_is_frozen_and_checks_its_fields():
    c = Comment("hello", author="Ann")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.text = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="timezone-aware"):
        Comment("hi", created_at=datetime(2024, 1, 1))
    with pytest.raises(TypeError):
        Comment(123)  # type: ignore[arg-type]


def test_exception_tree():
    assert issubclass(ModelError, CommentCareError)
    assert issubclass(InputError, CommentCareError) and issubclass(InputError, ValueError)
    err = InputError("bad row", source="x.csv", record=7)
    assert str(err) == "x.csv:7: bad row" and err.record == 7


def test_classify_returns_a_complete_classification(moderator: Moderator):
    c = moderator.classify("Great post, thank you so much!")
    assert isinstance(c, Classification)
    assert c.label is Label.PRAISE
    assert set(c.scores) == set(Label)
    assert math.isclose(sum(c.scores.values()), 1.0, abs_tol=1e-6)
    assert c.scores[c.label] == max(c.scores.values())
    assert math.isclose(c.confidence, c.scores[c.label] * (1 - c.other), rel_tol=1e-9)
    assert c.model_version == moderator.model_version
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.label = Label.SPAM  # type: ignore[misc]


def test_classify_many_streams_in_order_and_accepts_comments_and_strings(moderator: Moderator):
    items = ["Thanks, this was really helpful!", Comment("Buy cheap pills at pills-now.biz")] * 3000
    produced = 0

    def gen():
        nonlocal produced
        for x in items:
            produced += 1
            yield x

    it = moderator.classify_many(gen(), batch_size=500)
    first = next(it)
    assert produced <= 500  # lazy: only the first batch was pulled
    rest = list(it)
    labels = [first.label] + [c.label for c in rest]
    assert len(labels) == len(items)
    assert labels[0::2] == [labels[0]] * 3000 and labels[1::2] == [labels[1]] * 3000
    assert labels[1] is Label.SPAM


def test_classify_many_of_nothing_is_empty(moderator: Moderator):
    assert list(moderator.classify_many([])) == []


def test_bad_item_type_is_a_clear_error(moderator: Moderator):
    with pytest.raises(TypeError, match="str or a Comment"):
        list(moderator.classify_many([42]))  # type: ignore[list-item]


def test_the_pipeline_is_reachable_and_scikit_learn_shaped(moderator: Moderator):
    from sklearn.pipeline import Pipeline

    assert isinstance(moderator.pipeline, Pipeline)
    assert set(moderator.pipeline.classes_) == {lbl.value for lbl in Label} | {"none"}
    card = moderator.card
    assert card["sha256"] and card["versions"]["scikit-learn"]


def test_odd_text_never_fails(moderator: Moderator):
    odd = [
        "\x00\x01",
        "<<<>>>",
        "a" * 200_000,
        "😀" * 50,
        "<a href='x'>",
        "&amp;&#0;",
        "\u202e\u200b",
    ]
    results = list(moderator.classify_many(odd))
    assert len(results) == len(odd)
    for blank in ["", " ", "\n\t "]:  # nothing to classify: an error, never a thank-you
        with pytest.raises(InputError):
            moderator.classify(blank)
