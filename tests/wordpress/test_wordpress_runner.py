"""The runner against a real WordPress, with reviews by seeded class (the model is not under test
here): statuses, replies, the audit log, second runs and runs killed midway."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from requests.adapters import BaseAdapter
from wordpress_support import Killed, KillSwitch, SeededPost, WordPress, seed_reviewer

from commentcare import Label
from commentcare.adapters.wordpress import AuditLog, RunResult, WordPressSite, apply_plan, plan_moderation

pytestmark = pytest.mark.wordpress

FINAL = {"spam": "spam", "rant": "hold", "praise": "approved", "complaint": "approved"}
WRITES = 5  # two replies, three status changes


def _run(
    wordpress: WordPress,
    post: SeededPost,
    audit: AuditLog,
    *,
    transport: BaseAdapter | None = None,
    change_statuses: bool = True,
    post_replies: bool = True,
) -> RunResult:
    with WordPressSite(
        wordpress.url, wordpress.user, wordpress.password, backoff=0.0, transport=transport
    ) as site:
        plan = plan_moderation(site.list_comments(post=post.post_id), seed_reviewer)
        return apply_plan(site, plan, audit, change_statuses=change_statuses, post_replies=post_replies)


def _assert_final(wordpress: WordPress, post: SeededPost) -> None:
    state = wordpress.state(post)
    assert {str(label): status for label, (status, _) in state.items()} == FINAL
    assert {str(label): len(replies) for label, (_, replies) in state.items()} == {
        "spam": 0,
        "rant": 0,
        "praise": 1,
        "complaint": 1,
    }


def test_apply_and_reply_then_a_second_run_does_nothing(
    wordpress: WordPress, seeded: SeededPost, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    first = _run(wordpress, seeded, audit)
    assert (first.changed, first.posted, first.failed) == (3, 2, 0)
    _assert_final(wordpress, seeded)

    records = audit.records()
    assert [(r["op"], r["phase"]) for r in records].count(("status", "done")) == 3
    assert [(r["op"], r["phase"]) for r in records].count(("reply", "done")) == 2
    assert all(r["site"] == wordpress.url and r["run"] == first.run_id for r in records)
    spam = next(
        r for r in records if r["comment_id"] == str(seeded.comments[Label.SPAM]) and r["phase"] == "done"
    )
    assert (spam["old_status"], spam["new_status"], spam["label"]) == ("hold", "spam", "spam")
    state = wordpress.state(seeded)
    praise_reply = next(
        r for r in records if r["op"] == "reply" and r["phase"] == "done" and r["label"] == "praise"
    )
    assert praise_reply["reply_id"] == str(state[Label.PRAISE][1][0])
    text = audit.path.read_text(encoding="utf-8")
    assert wordpress.password not in text
    assert wordpress.password.replace(" ", "") not in text

    second = _run(wordpress, seeded, audit)
    assert second.outcomes == []  # only the rant is still held, and it stays so
    _assert_final(wordpress, seeded)
    assert audit.records() == records


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("at", range(1, WRITES + 1))
def test_a_run_killed_midway_ends_the_same_when_run_again(
    wordpress: WordPress, seeded: SeededPost, tmp_path: Path, at: int, when: str
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    with pytest.raises(Killed):
        _run(wordpress, seeded, audit, transport=KillSwitch(at, when))
    dangling = [r for r in audit.latest(wordpress.url).values() if r["phase"] == "intent"]
    assert len(dangling) == 1  # the write in flight when it died

    again = _run(wordpress, seeded, audit)
    assert again.failed == 0
    _assert_final(wordpress, seeded)
    latest = audit.latest(wordpress.url)
    assert all(r["phase"] == "done" for r in latest.values())  # the interrupted write was settled
    settled = [r for r in audit.records() if r["note"] == "settled after an interrupted run"]
    assert [r["phase"] for r in settled] == ["done" if when == "after" else "failed"]

    assert _run(wordpress, seeded, audit).outcomes == []


def test_a_human_decision_after_a_run_stands(
    wordpress: WordPress, seeded: SeededPost, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    _run(wordpress, seeded, audit)
    with WordPressSite(wordpress.url, wordpress.user, wordpress.password) as site:
        site.set_status(seeded.comments[Label.PRAISE], "hold")  # a moderator wants another look
    again = _run(wordpress, seeded, audit)
    assert [(o.op, o.kind) for o in again.outcomes] == [("reply", "skipped"), ("status", "skipped")]
    assert "left as it is" in again.outcomes[1].detail
    status, replies = wordpress.state(seeded)[Label.PRAISE]
    assert (status, len(replies)) == ("hold", 1)


def test_replies_first_then_statuses(wordpress: WordPress, seeded: SeededPost, tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.jsonl")
    replies_only = _run(wordpress, seeded, audit, change_statuses=False)
    assert (replies_only.changed, replies_only.posted) == (0, 2)
    assert {status for status, _ in wordpress.state(seeded).values()} == {"hold"}
    statuses = _run(wordpress, seeded, audit)
    assert (statuses.changed, statuses.posted, statuses.skipped) == (3, 0, 2)
    _assert_final(wordpress, seeded)


def test_a_failed_reply_keeps_the_comment_held(
    wordpress: WordPress, seeded: SeededPost, tmp_path: Path
) -> None:
    wordpress.php(
        f"wp_update_post(array('ID' => {seeded.post_id}, 'comment_status' => 'closed')); echo json_encode(1);"
    )
    audit = AuditLog(tmp_path / "audit.jsonl")
    result = _run(wordpress, seeded, audit)
    assert result.failed == 2  # comments are closed: no reply can be posted
    assert all("rest_comment_closed" in o.detail for o in result.outcomes if o.kind == "failed")
    state = wordpress.state(seeded)
    assert state[Label.SPAM][0] == "spam"
    assert state[Label.PRAISE] == ("hold", [])  # left for the next run, or a human
    assert state[Label.COMPLAINT] == ("hold", [])
    failed = [r for r in audit.records() if r["phase"] == "failed"]
    assert len(failed) == 2
    assert all(json.dumps(r) for r in failed)
