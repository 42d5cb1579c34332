"""The review rules as a table: class (and certainty) -> action, priority, deadline, replies."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from commentcare import Action, Classification, Comment, Label, Moderator, triage
from commentcare.moderation import Policy, ReplyPack
from commentcare.moderation._review import Reviewer

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def verdict(label: Label, confidence: float = 0.9, unsure: bool = False) -> Classification:
    rest = (1 - confidence) / 3
    scores = {lbl: (confidence if lbl is label else rest) for lbl in Label}
    return Classification(label, confidence, scores, unsure, "test")


def reviewer() -> Reviewer:
    return Reviewer(Policy(), ReplyPack.default(), "Acme Blog", "at help@acme.test")


RULES = [
    # label, unsure, action, priority (first-time), respond within, has replies
    (Label.SPAM, False, Action.REMOVE, 5, None, False),
    (Label.SPAM, True, Action.HOLD, 5, None, False),
    (Label.RANT, False, Action.HOLD, 3, timedelta(hours=3), True),
    (Label.PRAISE, False, Action.APPROVE_AND_REPLY, 4, timedelta(hours=24), True),
    (Label.PRAISE, True, Action.HOLD, 4, timedelta(hours=24), True),
    (Label.COMPLAINT, False, Action.APPROVE_AND_REPLY, 1, timedelta(minutes=30), True),
    (Label.COMPLAINT, True, Action.HOLD, 1, timedelta(minutes=30), True),
]


@pytest.mark.parametrize(("label", "unsure", "action", "priority", "within", "replies"), RULES)
def test_rule_table(label, unsure, action, priority, within, replies):
    c = Comment(
        "My parcel #A123 never arrived and I was charged twice", id="1", author="Dana Lee", created_at=T0
    )
    r = reviewer().review(c, verdict(label, 0.4 if unsure else 0.9, unsure))
    assert r.action is action
    assert r.priority == priority
    assert r.respond_by == (T0 + within if within else None)
    assert bool(r.replies) is replies
    assert r.reasons


def test_spam_never_gets_a_reply_whatever_the_comment():
    rv = reviewer()
    for i, text in enumerate(["Great post! cheap-pills.biz", "I was charged twice", "thanks!", ""]):
        r = rv.review(Comment(text, id=str(i), author="Bob"), verdict(Label.SPAM))
        assert r.replies == () and r.reply is None


def test_second_complaint_from_same_person_is_not_first_time():
    rv = reviewer()
    first = rv.review(
        Comment("Refund missing", id="1", author_email="a@x.test", created_at=T0), verdict(Label.COMPLAINT)
    )
    again = rv.review(
        Comment("Still no refund", id="2", author_email="A@x.test", created_at=T0), verdict(Label.COMPLAINT)
    )
    other = rv.review(Comment("Order late", id="3", author="Zoe", created_at=T0), verdict(Label.COMPLAINT))
    assert first.priority == 1 and other.priority == 1
    assert again.priority == 2
    assert again.respond_by == T0 + timedelta(hours=1)
    assert "first-time complainer: answer first" in first.reasons


def test_complaint_reply_names_the_specific_problem_and_greets_by_name():
    r = reviewer().review(
        Comment("I was charged twice for my subscription this month!", id="7", author="maria gomez"),
        verdict(Label.COMPLAINT),
    )
    assert "names a specific problem: a double charge" in r.reasons
    texts = " ".join(x.text for x in r.replies)
    assert "double charge" in texts
    assert "Maria" in texts
    assert "help@acme.test" in texts


def test_praise_reply_picks_up_what_was_liked():
    rv = reviewer()
    found = False
    for i in range(6):
        r = rv.review(Comment("Loved the photos of Lisbon!", id=str(i), author="Tom"), verdict(Label.PRAISE))
        found |= any("the photos of Lisbon" in x.text for x in r.replies)
        assert all("Tom" in x.text for x in r.replies)
    assert found


def test_rant_that_hides_a_grievance_is_not_to_be_deleted_in_haste():
    r = reviewer().review(Comment("YOU IDIOTS lost my order AGAIN", id="1"), verdict(Label.RANT))
    assert r.action is Action.HOLD
    assert any("do not delete in haste" in x for x in r.reasons)


def test_missing_time_uses_now():
    before = datetime.now(timezone.utc)
    r = reviewer().review(Comment("broken login", id="1"), verdict(Label.COMPLAINT))
    assert r.respond_by is not None and r.respond_by >= before


def test_triage_orders_by_deadline_then_priority_spam_last():
    rv = reviewer()
    reviews = [
        rv.review(Comment("spam", id="s", created_at=T0), verdict(Label.SPAM)),
        rv.review(Comment("nice", id="p", created_at=T0), verdict(Label.PRAISE)),
        rv.review(Comment("rude", id="r", created_at=T0), verdict(Label.RANT)),
        rv.review(
            Comment("late order", id="c2", author="Al", created_at=T0 - timedelta(hours=2)),
            verdict(Label.COMPLAINT),
        ),
        rv.review(Comment("late order", id="c1", author="Bo", created_at=T0), verdict(Label.COMPLAINT)),
    ]
    assert [r.comment.id for r in triage(reviews)] == ["c2", "c1", "r", "p", "s"]


def test_review_many_streams_in_order_with_the_real_model(moderator: Moderator):
    items = [
        Comment("Check out my channel and subscribe!! http://vid-promo.example", id="1", author="PromoKing"),
        Comment("Thank you so much, this recipe saved my dinner party!", id="2", author="Priya"),
        Comment(
            "My order #5531 arrived broken and support never answered my two emails.",
            id="3",
            author="Sam Ortiz",
        ),
    ]
    reviews = list(moderator.review_many(items))
    assert [r.comment.id for r in reviews] == ["1", "2", "3"]
    assert reviews[0].label is Label.SPAM and reviews[0].reply is None
    assert reviews[1].label is Label.PRAISE and "Priya" in reviews[1].reply.text
    assert reviews[2].label is Label.COMPLAINT and "Sam" in reviews[2].reply.text
