"""The review rules as a table: class (and certainty) -> action, priority, deadline, replies."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentcare import Action, Classification, Comment, Label, Moderator, Review, triage
from commentcare._types import comment_of_text, new_review
from commentcare.model._classifier import as_comment
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
    # label, unsure, action, priority (first-time), respond within, the drafts' situation
    (Label.SPAM, False, Action.REMOVE, 5, None, None),
    (Label.SPAM, True, Action.HOLD, 5, None, None),
    (Label.RANT, False, Action.HOLD, 3, timedelta(hours=3), "rant"),
    (Label.RANT, True, Action.HOLD, 3, timedelta(hours=3), "neutral"),
    (Label.PRAISE, False, Action.APPROVE_AND_REPLY, 4, timedelta(hours=24), "praise"),
    (Label.PRAISE, True, Action.HOLD, 4, timedelta(hours=24), "neutral"),
    (Label.COMPLAINT, False, Action.APPROVE_AND_REPLY, 1, timedelta(minutes=30), "complaint"),
    (Label.COMPLAINT, True, Action.HOLD, 1, timedelta(minutes=30), "neutral"),
]


@pytest.mark.parametrize(("label", "unsure", "action", "priority", "within", "situation"), RULES)
def test_rule_table(label, unsure, action, priority, within, situation):
    c = Comment(
        "Your shop lost my parcel #A123 and I was charged twice", id="1", author="Dana Lee", created_at=T0
    )
    r = reviewer().review(c, verdict(label, 0.4 if unsure else 0.9, unsure))
    assert r.action is action
    assert r.priority == priority
    assert r.respond_by == (T0 + within if within else None)
    assert {x.template.split(".")[0] for x in r.replies} == ({situation} if situation else set())
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
    assert "charged twice" in texts
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


def test_triage_leaves_out_the_sites_own_comments_and_what_they_answer():
    rv = reviewer()
    reviews = [
        rv.review(Comment("late order #12", id="c1", author="Bo", created_at=T0), verdict(Label.COMPLAINT)),
        rv.review(Comment("broken link", id="c2", author="Al", created_at=T0), verdict(Label.COMPLAINT)),
        rv.review(
            Comment("Sorry Al, fixed!", id="s1", author="Acme Blog", parent_id="c2"), verdict(Label.PRAISE)
        ),
    ]
    assert reviews[2].action is Action.APPROVE and not reviews[2].replies
    assert [r.comment.id for r in triage(reviews)] == ["c1"]


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


TEXTS = [
    "I was charged twice for my subscription this month!",
    "My order #A-123 never arrived. Where is it?",
    "YOU IDIOTS lost my parcel AGAIN, worst service ever",
    "Loved the photos of Lisbon! Thanks for sharing.",
    "Check out my channel http://vid-promo.example and subscribe!! Earn $500 per day",
    "ok",
    "cannot cancel my account, support never answered",
    "WHAT A FUCKING JOKE. SCAMMERS.",
    "the oven temperature in step 3 is wrong, 350 not 450",
]
AUTHORS = [None, "maria gomez", "Dana Lee", "anonymous", "maria gomez", None, "O'Neil", "x1"]


def comments() -> list[Comment]:
    return [
        Comment(text, id=str(i), author=AUTHORS[i % len(AUTHORS)], created_at=T0 if i % 2 else None)
        for i, text in enumerate(TEXTS * 2)
    ]


def test_review_many_is_one_reviewer_reviewing_one_at_a_time(moderator: Moderator):
    items: list[Comment | str] = [*comments(), *TEXTS]
    many = list(moderator.review_many(items, batch_size=7))
    rv = Reviewer(moderator.policy, moderator.replies, moderator.site_name, moderator.contact)
    one = [rv.review(as_comment(x), c) for x, c in zip(items, moderator.classify_many(items))]
    assert [r.comment for r in many[-len(TEXTS) :]] == [Comment(text=t) for t in TEXTS]
    assert [(r.comment, r.classification, r.action, r.priority, r.reasons, r.replies) for r in many] == [
        (r.comment, r.classification, r.action, r.priority, r.reasons, r.replies) for r in one
    ]
    assert [r.respond_by for r in many[: -len(TEXTS)] if r.comment.created_at] == [
        r.respond_by for r in one[: -len(TEXTS)] if r.comment.created_at
    ]


@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_a_comment_from_a_string_is_comment_of_text_in_every_field(text: str):
    slow, fast, via = Comment(text=text), comment_of_text(text), as_comment(text)
    for c in (fast, via):
        assert type(c) is Comment and c == slow and hash(c) == hash(slow)
        assert all(getattr(c, f.name) == getattr(slow, f.name) for f in dataclasses.fields(Comment))
        assert c.extra == {} and c.extra is not slow.extra  # a dict of its own, as the default factory gives
        with pytest.raises(dataclasses.FrozenInstanceError):
            c.text = "x"  # type: ignore[misc]
    assert comment_of_text(text).extra is not fast.extra
    assert pickle.loads(pickle.dumps(fast)) == slow and dataclasses.replace(fast, id="1") == Comment(
        text, id="1"
    )


def test_a_fast_review_is_a_review_in_every_field():
    c = Comment("x", id="1")
    args = (c, verdict(Label.RANT), Action.HOLD, 3, T0, ("a", "b"), ())
    fast, slow = new_review(*args), Review(*args)
    assert type(fast) is Review and fast == slow and fast.label is Label.RANT
    assert all(getattr(fast, f.name) == getattr(slow, f.name) for f in dataclasses.fields(Review))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.priority = 1  # type: ignore[misc]


def test_a_comment_that_fits_none_is_held_with_what_it_looks_like(moderator: Moderator) -> None:
    r = moderator.review("Is there a vegan version of this cake?")
    assert r.action is Action.HOLD
    assert r.classification.other > r.classification.confidence
    assert any("a question to answer" in reason for reason in r.reasons)
    # a question gets a draft that says who will answer it; a remark or a greeting gets none
    assert r.replies and all(x.template.startswith("question.") for x in r.replies)
    for text in ["Morning all!", "Following for part two."]:
        r = moderator.review(text)
        assert r.action is Action.HOLD and not r.replies, text


def test_a_comment_not_in_english_is_never_acted_on(moderator: Moderator) -> None:
    for text in ["Me encanta este producto, es muy bueno y llegó rápido", "Купить диплом недорого, пишите"]:
        r = moderator.review(text)
        assert r.action is Action.HOLD and not r.replies
        assert any("not in English" in reason for reason in r.reasons)


def test_none_kind_reads_the_shape_of_the_comment() -> None:
    from commentcare.moderation._review import none_kind

    assert none_kind("Which lens did you use?") == "a question to answer"
    assert none_kind("Please cover the new tax rules next") == "a request"
    assert none_kind("Morning all!") == "a greeting"
    assert none_kind("We went in March.") == "a neutral remark"
