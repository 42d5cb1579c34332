"""The reply worksheet: per response its class, what to do on Medium and the drafted reply."""

from __future__ import annotations

import contextlib
import html
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from commentcare._types import Action, Comment, Review

__all__ = [
    "MEDIUM_ACTIONS",
    "OWN_RESPONSE",
    "WORKSHEET_COLUMNS",
    "needs_reply",
    "response_link",
    "write_worksheet",
]


#: What each action means on Medium, where a writer can hide or report a response but not edit it.
MEDIUM_ACTIONS: dict[Action, str] = {
    Action.REMOVE: "hide the response on your story, or report it; do not reply",
    Action.HOLD: "read it yourself before deciding; reply only if it deserves one",
    Action.APPROVE_AND_REPLY: "reply on Medium (the draft below is a start)",
    Action.APPROVE: "your own response on your story: nothing to do",
}

#: For a response the story's own writer left (a reply in the thread): nothing to answer.
OWN_RESPONSE = "your own response on your story: nothing to do"

WORKSHEET_COLUMNS = (
    "priority",
    "label",
    "confidence",
    "unsure",
    "action",
    "what_to_do",
    "respond_by",
    "reply",
    "author",
    "written_at",
    "response",
    "response_url",
    "story_title",
    "story_url",
    "id",
    "done",
)


def response_link(comment: Comment) -> str | None:
    """Where to open the response: its own page, else the story it is under (http(s) only)."""
    for candidate in (comment.extra.get("url"), comment.post_url):
        if candidate and urlsplit(candidate).scheme in ("http", "https"):
            return candidate
    return None


def _story_link(comment: Comment) -> str | None:
    url = comment.post_url
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def needs_reply(review: Review) -> bool:
    """Whether the worksheet asks for a reply: approve-and-reply, and not the writer's own response."""
    return review.action is Action.APPROVE_AND_REPLY and review.comment.extra.get("by_story_author") != "true"


def _written_at(c: Comment) -> str:
    if c.created_at is None:
        return c.extra.get("date_text", "")
    if c.extra.get("date_precision") == "day":
        return c.created_at.date().isoformat()
    return c.created_at.isoformat(timespec="minutes")


def _row(review: Review) -> dict[str, str]:
    c = review.comment
    k = review.classification
    own = c.extra.get("by_story_author") == "true"
    return {
        "priority": str(review.priority),
        "label": k.label.value,
        "confidence": f"{k.confidence:.2f}",
        "unsure": "yes" if k.unsure else "",
        "action": review.action.value,
        "what_to_do": OWN_RESPONSE if own else MEDIUM_ACTIONS.get(review.action, review.action.value),
        "respond_by": review.respond_by.isoformat(timespec="minutes")
        if review.respond_by and not own
        else "",
        "reply": review.reply.text if review.reply and not own else "",
        "author": c.author or "",
        "written_at": _written_at(c),
        "response": c.text,
        "response_url": response_link(c) or "",
        "story_title": c.post_title or "",
        "story_url": _story_link(c) or "",
        "id": c.id or "",
        "done": "",
    }


def _order(reviews: Iterable[Review]) -> list[Review]:
    """Most urgent first: priority, then the earliest respond-by, then input order."""
    items = list(enumerate(reviews))
    items.sort(key=lambda p: (p[1].priority, p[1].respond_by is None, p[1].respond_by or datetime.min, p[0]))
    return [r for _, r in items]


def write_worksheet(
    reviews: Iterable[Review],
    csv_path: str | os.PathLike[str],
    html_path: str | os.PathLike[str] | None = None,
    *,
    title: str = "Medium responses: reply worksheet",
) -> int:
    """Write the worksheet as CSV (and as an HTML page); return the number of responses in it.

    The CSV is UTF-8 with a byte-order mark so spreadsheet programs show accents right, and
    cells that would start a formula are prefixed with ``'``. Both files are written to a
    temporary name and renamed, so an interrupted run never leaves half a worksheet.
    """
    ordered = _order(reviews)
    rows = [_row(r) for r in ordered]
    from commentcare.io import csv_line

    lines = [csv_line(WORKSHEET_COLUMNS, lineterminator="\r\n")]
    lines += [csv_line((row[c] for c in WORKSHEET_COLUMNS), lineterminator="\r\n") for row in rows]
    _atomic_write(csv_path, "".join(lines).encode("utf-8-sig", "replace"))
    if html_path is not None:
        _atomic_write(html_path, _render_html(ordered, rows, title).encode("utf-8"))
    return len(rows)


def _atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_CSS = """
:root { --ink:#1f2328; --muted:#656d76; --line:#d8dee4; --bg:#f6f8fa;
  --spam:#8250df; --rant:#cf222e; --praise:#1a7f37; --complaint:#bc4c00; }
* { box-sizing:border-box; }
body { margin:0; padding:32px 24px 64px; background:var(--bg); color:var(--ink);
  font:15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width:920px; margin:0 auto; }
h1 { font-size:26px; margin:0 0 4px; }
.lede { color:var(--muted); margin:0 0 20px; }
.counts { display:flex; flex-wrap:wrap; gap:8px; margin:0 0 24px; padding:0; list-style:none; }
.counts li { background:#fff; border:1px solid var(--line); border-radius:999px; padding:4px 12px; }
.card { background:#fff; border:1px solid var(--line); border-left:6px solid var(--line);
  border-radius:8px; padding:16px 20px; margin:0 0 16px; }
.card.spam { border-left-color:var(--spam); } .card.rant { border-left-color:var(--rant); }
.card.praise { border-left-color:var(--praise); } .card.complaint { border-left-color:var(--complaint); }
.card.own { opacity:.6; }
.head { display:flex; flex-wrap:wrap; align-items:baseline; gap:6px 12px; }
.badge { font-weight:600; text-transform:uppercase; letter-spacing:.04em; font-size:12px;
  border-radius:4px; padding:2px 8px; color:#fff; background:var(--muted); }
.badge.spam { background:var(--spam); } .badge.rant { background:var(--rant); }
.badge.praise { background:var(--praise); } .badge.complaint { background:var(--complaint); }
.who { font-weight:600; } .meta { color:var(--muted); font-size:13px; }
.todo { margin:8px 0 0; font-weight:600; }
blockquote { margin:12px 0; padding:8px 14px; border-left:3px solid var(--line); background:var(--bg);
  white-space:pre-wrap; overflow-wrap:anywhere; }
.story { font-size:13px; color:var(--muted); margin:0; overflow-wrap:anywhere; }
textarea { width:100%; min-height:96px; font:inherit; padding:8px 10px; border:1px solid var(--line);
  border-radius:6px; resize:vertical; }
label { display:block; font-size:13px; color:var(--muted); margin:12px 0 4px; }
a.open { display:inline-block; margin-top:10px; font-weight:600; color:#0969da; text-decoration:none; }
a.open:hover { text-decoration:underline; }
.empty { background:#fff; border:1px dashed var(--line); border-radius:8px; padding:24px; text-align:center; }
"""


def _render_html(ordered: Sequence[Review], rows: Sequence[dict[str, str]], title: str) -> str:
    e = html.escape
    counts: dict[str, int] = {}
    for r in ordered:
        counts[r.classification.label.value] = counts.get(r.classification.label.value, 0) + 1
    to_reply = sum(1 for r in ordered if needs_reply(r))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{e(title)}</h1>",
        f'<p class="lede">{len(ordered)} responses, {to_reply} to reply to. Most urgent first. '
        "Medium has no API for replies: open each response, reply there, and tick it off.</p>",
        '<ul class="counts">' + "".join(f"<li>{e(k)}: {v}</li>" for k, v in sorted(counts.items())) + "</ul>",
    ]
    if not ordered:
        parts.append('<p class="empty">No responses were found in the input.</p>')
    for review, row in zip(ordered, rows):
        label = review.classification.label.value
        c = review.comment
        when = row["written_at"]
        meta = " · ".join(
            x
            for x in (
                e(when) if when else "",
                f"confidence {e(row['confidence'])}" + (" (unsure)" if row["unsure"] else ""),
                f"respond by {e(row['respond_by'])}" if row["respond_by"] else "",
                f"priority {e(row['priority'])}",
            )
            if x
        )
        own = " own" if row["what_to_do"] == OWN_RESPONSE else ""
        parts.append(f'<article class="card {e(label)}{own}"><div class="head">')
        parts.append(f'<span class="badge {e(label)}">{e(label)}</span>')
        parts.append(
            f'<span class="who">{e(c.author or "unknown author")}</span><span class="meta">{meta}</span></div>'
        )
        parts.append(f'<p class="todo">{e(row["what_to_do"])}</p>')
        parts.append(f"<blockquote>{e(c.text)}</blockquote>")
        if c.post_title or row["story_url"]:
            story = e(c.post_title or row["story_url"])
            if row["story_url"]:
                story = f'<a href="{e(row["story_url"], quote=True)}" rel="noopener noreferrer">{story}</a>'
            parts.append(f'<p class="story">On: {story}</p>')
        if row["reply"]:
            field_id = f"reply-{len(parts)}"
            parts.append(f'<label for="{field_id}">Drafted reply</label>')
            parts.append(f'<textarea id="{field_id}" readonly>{e(row["reply"])}</textarea>')
        link = row["response_url"]
        if link:
            parts.append(
                f'<a class="open" href="{e(link, quote=True)}" target="_blank" rel="noopener noreferrer">'
                "Open the response on Medium →</a>"
            )
        parts.append("</article>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)
