"""A site's own past decisions, read from its export: what a backtest and ``train --site`` learn from.

WordPress writes ``wp:comment_approved`` as ``1``, ``0``, ``spam`` or ``trash`` (the WXR reader
turns them into approved, hold, spam, trash); Disqus has ``isSpam`` and ``isDeleted`` (spam,
deleted, approved); CSV exports carry a status column under many names and spellings. All of
them become one of four :class:`SiteDecision` values, or none when the export says nothing.

Staff comments (the site's own replies) and pingbacks/trackbacks are not decisions about a
visitor's comment: they are left out and counted.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.io import Format, iter_records

__all__ = ["ExportCounts", "SiteDecision", "site_comments", "site_decision"]


class SiteDecision(str, enum.Enum):
    """What the site did with a comment."""

    SPAM = "spam"
    HELD = "held"  # waiting in the moderation queue (WordPress 0)
    APPROVED = "approved"
    TRASHED = "trashed"  # deleted by a moderator (WordPress trash, Disqus isDeleted)

    def __str__(self) -> str:
        return self.value


_DECISIONS: dict[str, SiteDecision] = {
    **dict.fromkeys(("spam", "junk", "is_spam", "isspam", "marked_spam"), SiteDecision.SPAM),
    **dict.fromkeys(
        ("0", "hold", "held", "pending", "unapproved", "moderated", "awaiting", "queued"), SiteDecision.HELD
    ),
    **dict.fromkeys(
        ("1", "approved", "approve", "published", "publish", "visible", "public", "live"),
        SiteDecision.APPROVED,
    ),
    **dict.fromkeys(("trash", "trashed", "deleted", "removed", "rejected", "hidden"), SiteDecision.TRASHED),
}
_LINK_NOTICES = frozenset({"pingback", "trackback"})


def site_decision(status: str | None) -> SiteDecision | None:
    """The site's decision for a reader's ``Comment.status`` (any export's spelling), or None."""
    if not status:
        return None
    return _DECISIONS.get(status.strip().lower().replace(" ", "_"))


@dataclass
class ExportCounts:
    """What reading an export for its decisions met, including what was left out and why."""

    read: int = 0  # records that were comments (pingbacks included)
    used: int = 0  # visitor comments with a decision: what the backtest compares
    staff: int = 0
    pingbacks: int = 0
    no_decision: int = 0
    errors: int = 0
    decisions: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "used": self.used,
            "left_out": {
                "staff": self.staff,
                "pingbacks": self.pingbacks,
                "no_decision": self.no_decision,
                "errors": self.errors,
            },
            "decisions": {d.value: self.decisions.get(d.value, 0) for d in SiteDecision},
        }


def _norm_name(name: str | None) -> str:
    return " ".join((name or "").casefold().split())


def is_staff(comment: Comment, staff_names: frozenset[str]) -> bool:
    """Written by the site: a WordPress user who is one of the export's authors, or a staff name."""
    if comment.extra.get("export_author"):
        return True
    return bool(staff_names) and _norm_name(comment.author) in staff_names


def site_comments(
    export: Any,
    *,
    format: Format | str | None = None,
    site_name: str | None = None,
    staff: Iterable[str] = (),
    counts: ExportCounts | None = None,
    on_error: Callable[[InputError], None] | None = None,
    decided_only: bool = True,
) -> Iterator[tuple[Comment, SiteDecision | None]]:
    """Stream the visitor comments of an export that carry a decision, in file order.

    Staff comments (author equal to ``site_name`` or a name in ``staff``, case and spacing
    ignored, or a WordPress user who is one of the export's authors), pingbacks, trackbacks and
    comments without a decision are skipped and counted in ``counts`` (with ``decided_only``
    False, comments without a decision are yielded too, with None). A bad record raises
    :class:`InputError` naming the file and record, unless ``on_error`` takes it.
    """
    counts = counts if counts is not None else ExportCounts()
    names = frozenset(_norm_name(n) for n in (site_name, *staff) if n and n.strip())
    for rec in iter_records(export, format, site_fields=True):
        if isinstance(rec, InputError):
            counts.errors += 1
            if on_error is None:
                raise rec
            on_error(rec)
            continue
        counts.read += 1
        ctype = (rec.extra.get("comment_type") or rec.extra.get("type") or "").strip().lower()
        if ctype in _LINK_NOTICES:
            counts.pingbacks += 1
            continue
        if is_staff(rec, names):
            counts.staff += 1
            continue
        decision = site_decision(rec.status)
        if decision is None:
            counts.no_decision += 1
            if decided_only:
                continue
        else:
            counts.decisions[decision.value] += 1
        counts.used += 1
        yield rec, decision
