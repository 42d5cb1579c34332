"""The run: carry out a plan on the site, each write announced in the audit log first."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from commentcare._errors import AdapterError, AuthenticationError, SiteUnavailableError
from commentcare.adapters.wordpress._audit import AuditLog, Phase
from commentcare.adapters.wordpress._planner import PlanItem
from commentcare.adapters.wordpress._site import WordPressSite

__all__ = ["Outcome", "RunResult", "apply_plan"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run did about one comment: ``kind`` is changed, posted, skipped or failed."""

    comment_id: str
    op: str  # status or reply
    kind: str
    detail: str


@dataclass
class RunResult:
    """What :func:`apply_plan` did, comment by comment, with counts for the summary."""

    run_id: str
    outcomes: list[Outcome] = field(default_factory=list)

    def _count(self, kind: str, op: str | None = None) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind and (op is None or o.op == op))

    @property
    def changed(self) -> int:
        return self._count("changed", "status")

    @property
    def posted(self) -> int:
        return self._count("posted", "reply")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def failed(self) -> int:
        return self._count("failed")


class _Run:
    """One pass of :func:`apply_plan`; it holds what every step needs to write its audit record."""

    def __init__(self, site: WordPressSite, audit: AuditLog) -> None:
        self.site = site
        self.audit = audit
        self.result = RunResult(uuid.uuid4().hex[:12])
        self.latest = audit.latest(site.url)

    def record(self, item: PlanItem | None, comment_id: str, op: str, phase: Phase, **fields: Any) -> None:
        record: dict[str, Any] = {
            "run": self.result.run_id,
            "site": self.site.url,
            "user": self.site.user,
            "comment_id": comment_id,
            "post_id": item.comment.post_id if item is not None else None,
            "op": op,
            "phase": str(phase),
            "old_status": None,
            "new_status": None,
            "reply_id": None,
            "label": str(item.review.label) if item is not None else None,
            "note": None,
            "error": None,
        }
        record.update(fields)
        self.latest[(comment_id, op)] = self.audit.write(record)

    def outcome(self, comment_id: str, op: str, kind: str, detail: str) -> None:
        log.info("comment %s: %s %s (%s)", comment_id, op, kind, detail)
        self.result.outcomes.append(Outcome(comment_id, op, kind, detail))

    def resume(self) -> None:
        """Settle the writes an earlier run announced but never closed: ask the site whether
        each happened and record the answer, so that the log tells the whole story."""
        for (cid, op), last in list(self.latest.items()):
            if last.get("phase") != Phase.INTENT:
                continue
            keep = {k: last.get(k) for k in ("post_id", "label", "old_status", "new_status")}
            note = "settled after an interrupted run"
            if op == "reply":
                reply_id = self.site.find_reply(cid)
                if reply_id is not None:
                    self.record(None, cid, op, Phase.DONE, reply_id=reply_id, note=note, **keep)
                else:
                    self.record(
                        None,
                        cid,
                        op,
                        Phase.FAILED,
                        note=note,
                        error="interrupted before it was posted",
                        **keep,
                    )
            elif op == "status":
                try:
                    now = self.site.comment_status(cid)
                except (AuthenticationError, SiteUnavailableError):
                    raise
                except AdapterError as exc:
                    self.record(None, cid, op, Phase.FAILED, note=note, error=str(exc), **keep)
                    continue
                if now == last.get("new_status"):
                    self.record(None, cid, op, Phase.DONE, note=note, **keep)
                else:
                    self.record(
                        None, cid, op, Phase.FAILED, note=note, error=f"interrupted; status is {now}", **keep
                    )

    def reply(self, item: PlanItem, text: str) -> None:
        cid = str(item.comment.id)
        last = self.latest.get((cid, "reply"))
        if last is not None and last.get("phase") == Phase.DONE:
            self.outcome(cid, "reply", "skipped", f"replied in an earlier run (reply {last.get('reply_id')})")
            return
        existing = self.site.find_reply(cid)
        if existing is not None:
            self.outcome(cid, "reply", "skipped", f"{self.site.user} already replied (reply {existing})")
            return
        self.record(item, cid, "reply", Phase.INTENT)
        try:
            reply_id = self.site.post_reply(item.comment, item.draft or text)
        except AdapterError as exc:
            self.record(item, cid, "reply", Phase.FAILED, error=str(exc))
            self.outcome(cid, "reply", "failed", str(exc))
            raise
        self.record(item, cid, "reply", Phase.DONE, reply_id=reply_id)
        self.outcome(cid, "reply", "posted", f"reply {reply_id}")

    def status(self, item: PlanItem) -> None:
        cid = str(item.comment.id)
        old, new = item.comment.status, item.new_status
        last = self.latest.get((cid, "status"))
        if last is not None and last.get("phase") == Phase.DONE:
            # Someone changed it after this tool did: their decision stands.
            detail = f"an earlier run set it to {last.get('new_status')}, it is {old} now: left as it is"
            self.outcome(cid, "status", "skipped", detail)
            return
        self.record(item, cid, "status", Phase.INTENT, old_status=old, new_status=new)
        try:
            self.site.set_status(cid, new)
        except AdapterError as exc:
            self.record(item, cid, "status", Phase.FAILED, old_status=old, new_status=new, error=str(exc))
            self.outcome(cid, "status", "failed", str(exc))
            raise
        self.record(item, cid, "status", Phase.DONE, old_status=old, new_status=new)
        self.outcome(cid, "status", "changed", f"{old} -> {new}")


def apply_plan(
    site: WordPressSite,
    plan: Iterable[PlanItem],
    audit: AuditLog,
    *,
    change_statuses: bool = True,
    post_replies: bool = False,
) -> RunResult:
    """Carry out a plan on the site, recording every write in ``audit``.

    A comment's reply is posted before its status changes: a run cut off in between leaves
    the comment where the next run lists it again, finds the reply and only changes the status.
    Errors about one comment (it was deleted, comments are closed) are recorded and the run
    goes on; a wrong password or an unreachable site stops it, to be resumed by running again.
    """
    run = _Run(site, audit)
    if change_statuses or post_replies:
        run.resume()
    for item in plan:
        try:
            if post_replies and item.reply is not None:
                run.reply(item, item.reply)
            if change_statuses and item.changes_status:
                run.status(item)
        except (AuthenticationError, SiteUnavailableError):
            raise
        except AdapterError:
            continue  # recorded and counted; a failed reply leaves the status for the next run
    return run.result
