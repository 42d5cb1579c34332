"""commentcare.testing: the fake moderator and fixtures users test their own code with."""

from __future__ import annotations

import pytest

from commentcare import Action, Comment, Label, Moderator
from commentcare.testing import NONE, FakeModerator


def test_answers_are_the_configured_ones_and_reviews_follow_the_real_rules() -> None:
    spam = "Buy cheap pills at spam.example"
    fake = FakeModerator({spam: Label.SPAM, "Which lens?": NONE}, default="praise")
    assert isinstance(fake, Moderator)
    assert fake.classify(spam).label is Label.SPAM
    assert fake.classify("anything else").label is Label.PRAISE
    assert fake.review(spam).action is Action.REMOVE
    praise = fake.review(Comment(text="Lovely post", author="Dana"))
    assert praise.action is Action.APPROVE_AND_REPLY and praise.reply is not None
    assert fake.classify("Which lens?").unsure
    assert fake.seen == [spam, "anything else", spam, "Lovely post", "Which lens?"]
    assert fake.model_version == "fake"


def test_answers_can_change_and_unsure_holds_everything() -> None:
    fake = FakeModerator(unsure=True)
    fake.answer("Order 12 never came", Label.COMPLAINT)
    reviews = list(fake.review_many(["Order 12 never came", "nice"]))
    assert [r.label for r in reviews] == [Label.COMPLAINT, Label.PRAISE]
    assert all(r.classification.unsure for r in reviews)
    assert [c.label for c in fake.classify_many(["nice", "Order 12 never came"])] == [
        Label.PRAISE,
        Label.COMPLAINT,
    ]
    with pytest.raises(AttributeError, match="no scikit-learn pipeline"):
        fake.pipeline  # noqa: B018


def test_the_fixtures(fake_moderator: FakeModerator, make_comment) -> None:
    c = make_comment("Refund still missing", author="Sam")
    fake_moderator.answer(c.text, "complaint")
    review = fake_moderator.review(c)
    assert review.label is Label.COMPLAINT and review.comment.author == "Sam"
    assert fake_moderator.seen == ["Refund still missing"]
