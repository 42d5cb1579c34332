"""The planner and the audit log, with hand-built reviews: no model and no site needed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from commentcare import Action, Comment, Label, Review
from commentcare.adapters.wordpress import AuditLog, PlanItem, plan_moderation


def _comment(cid: str, status: str = "hold") -> Comment:
    return Comment(text=f"comment {cid}", id=cid, author=f"author {cid}", post_id="7", status=status)


def _plan(
    make: Callable[..., Review], cases: list[tuple[Label, Action | None]], **options: bool
) -> list[PlanItem]:
    comments = [_comment(str(i)) for i in range(len(cases))]
    reviews = {c.id: make(c, label, action) for c, (label, action) in zip(comments, cases, strict=True)}

    def reviewer(items: Iterable[Comment]) -> Iterator[Review]:
        return (reviews[c.id] for c in items)

    return plan_moderation(comments, reviewer, **options)


def test_each_class_gets_its_status_and_reply(review_factory: Callable[..., Review]) -> None:
    spam, rant, praise, complaint = _plan(
        review_factory,
        [(Label.SPAM, None), (Label.RANT, None), (Label.PRAISE, None), (Label.COMPLAINT, None)],
    )
    assert (spam.new_status, spam.reply) == ("spam", None)
    assert "spam" in spam.why_no_reply
    assert (rant.new_status, rant.reply) == ("hold", None)
    assert "--reply-to-rants" in rant.why_no_reply
    assert not rant.changes_status  # held already
    for item in (praise, complaint):
        assert item.new_status == "approved"
        assert item.changes_status
        assert item.reply == item.review.replies[0].text
        assert item.why_no_reply == ""


def test_rants_get_a_reply_only_when_asked(review_factory: Callable[..., Review]) -> None:
    (rant,) = _plan(review_factory, [(Label.RANT, None)], reply_to_rants=True)
    assert rant.new_status == "hold"
    assert rant.reply is not None


def test_spam_never_gets_a_reply_even_with_a_draft_or_when_asked(
    review_factory: Callable[..., Review],
) -> None:
    comment = _comment("1")
    review = review_factory(comment, Label.PRAISE, Action.REMOVE)  # has a draft, but is to be removed
    (item,) = plan_moderation([comment], lambda items: [review], reply_to_rants=True)
    assert (item.new_status, item.reply) == ("spam", None)


def test_a_praise_held_for_a_human_gets_no_reply(review_factory: Callable[..., Review]) -> None:
    (item,) = _plan(review_factory, [(Label.PRAISE, Action.HOLD)])
    assert (item.new_status, item.reply) == ("hold", None)
    assert "human" in item.why_no_reply


def test_the_reviewer_must_answer_each_comment_in_order(review_factory: Callable[..., Review]) -> None:
    a, b = _comment("1"), _comment("2")
    with pytest.raises(ValueError, match="comment 2"):
        plan_moderation(
            [a, b], lambda items: [review_factory(a, Label.PRAISE), review_factory(a, Label.PRAISE)]
        )
    with pytest.raises(ValueError, match=r"shorter|longer"):
        plan_moderation([a, b], lambda items: [review_factory(a, Label.PRAISE)])


def test_audit_log_appends_and_survives_a_line_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    log.write({"site": "https://a.example", "comment_id": "1", "op": "status", "phase": "intent"})
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"site": "https://a.example", "comment_id": "1", "op": "sta')  # killed mid-write
    again = AuditLog(path)
    again.write({"site": "https://a.example", "comment_id": "1", "op": "status", "phase": "done"})
    again.write({"site": "https://b.example", "comment_id": "1", "op": "status", "phase": "intent"})
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    records = again.records()
    assert [r["phase"] for r in records] == ["intent", "done", "intent"]
    assert all(r["time"].endswith("+00:00") for r in records)
    assert again.latest("https://a.example") == {("1", "status"): records[1]}
    json.loads(lines[-1])  # ours stayed whole


def test_audit_log_that_does_not_exist_yet_is_empty(tmp_path: Path) -> None:
    assert AuditLog(tmp_path / "none.jsonl").records() == []
