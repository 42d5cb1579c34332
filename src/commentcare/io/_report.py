"""A self-contained HTML report of a classification run, for the site owner rather than a script.

The builder is fed output rows chunk by chunk while the run streams, so it keeps only bounded
state: counts, a pruned counter of spam link domains, a heap of the most urgent comments to
answer and a few examples per class. ``write`` renders one HTML file with inline CSS and an
inline SVG chart (no network fetches: the page opens offline and leaks nothing) and every
value that came from a comment escaped.
"""

from __future__ import annotations

import heapq
import html
import itertools
import logging
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from commentcare._version import __version__
from commentcare.model import link_domain, prepare

__all__ = ["ReportBuilder"]

log = logging.getLogger(__name__)

LABELS = ("complaint", "rant", "praise", "spam")
_COLOURS = {"complaint": "#d9480f", "rant": "#c92a2a", "praise": "#2b8a3e", "spam": "#6741d9"}
_BLURB = {
    "complaint": "a specific problem you can fix: answer within the hour",
    "rant": "hostile venting: a human should read it before anyone replies",
    "praise": "thanks and compliments: approve and say thank you",
    "spam": "promotion, scams and bot filler: remove, never reply",
}
_ACTIONS = {"approve_and_reply": "Approve and reply", "hold": "Hold for a human", "remove": "Remove as spam"}
_QUEUE_RANK = {"complaint": 0, "rant": 1, "praise": 2}
_FORMATTING = re.compile(
    r"<\s*/?\s*(?:p|br|b|i|em|strong|u|s|span|div|ul|ol|li|blockquote|q|code|pre|h[1-6]|font|small|sup|sub|hr|a)"
    r"\b[^<>]*>",
    re.I,
)
_LINK = re.compile(r"""<a\b[^<>]*?\bhref\s*=\s*["']?([^"'\s<>]+)[^<>]*>(.*?)</a\s*>""", re.I | re.S)

#: Reply-queue length, examples per class, and how many spam domains are shown.
QUEUE_SIZE = 200
EXAMPLES = 5
TOP_DOMAINS = 25
# The domain counter is cut back to its most common half when it outgrows this, so a flood of
# one-off domains cannot grow memory; the top of the list is what the report shows anyway.
_MAX_DOMAINS = 20_000
# Kept fields are cut to this many characters: a 10 MB comment must not sit in the heap.
_KEEP_CHARS = 2_000
_KEPT = (
    "id",
    "label",
    "confidence",
    "unsure",
    "action",
    "priority",
    "respond_by",
    "reply",
    "reasons",
    "text",
    "author",
    "author_url",
    "post_title",
    "post_url",
    "created_at",
)
_INF = math.inf


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def _trim(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in _KEPT:
        v = row.get(k)
        out[k] = v[:_KEEP_CHARS] if isinstance(v, str) else v
    return out


def _display_text(text: Any, limit: int) -> str:
    """The comment as a reader saw it, for display (escape it afterwards).

    Formatting tags are dropped and a link shows its target, since nothing in the report is
    clickable; any other tag (``<script>``, ``<img>``, ...) stays visible as text, because an
    attempted injection is worth seeing. Entities are decoded: the caller escapes once.
    """
    s = str(text or "")[: limit * 4]
    if "<" in s:
        s = _LINK.sub(_link_text, s)
        s = _FORMATTING.sub(" ", s)
    if "&" in s:
        s = html.unescape(s)
    s = re.sub(r"\s+", " ", s).strip()
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def _link_text(m: re.Match[str]) -> str:
    href, label = m.group(1), _FORMATTING.sub("", m.group(2)).strip()
    return f"{label} ({href})" if label and label not in href else href


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


class ReportBuilder:
    """Collects what the report needs from output rows, in bounded memory."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.rows = 0
        self.labels: Counter[str] = Counter()
        self.unsure: Counter[str] = Counter()
        self.actions: Counter[str] = Counter()
        self.domains: Counter[str] = Counter()
        self.model_version = ""
        self._seq = itertools.count()
        # Max-heap (by negated key) of the QUEUE_SIZE most urgent: earliest respond-by, then priority.
        self._queue: list[tuple[float, int, int, dict[str, Any]]] = []
        # Ids of comments a comment of the site's own replies to: answered, so out of the queue.
        self._answered: set[str] = set()
        # Per class, min-heap of the most confident examples.
        self._examples: dict[str, list[tuple[float, int, dict[str, Any]]]] = {k: [] for k in LABELS}

    def add_rows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            self._add(row)

    def _add(self, row: Mapping[str, Any]) -> None:
        self.rows += 1
        label = str(row.get("label", ""))
        self.labels[label] += 1
        if row.get("unsure") in (True, "True", "true", 1):
            self.unsure[label] += 1
        if row.get("action"):
            self.actions[str(row["action"])] += 1
        if row.get("model_version"):
            self.model_version = str(row["model_version"])
        seq = next(self._seq)
        if label == "spam":
            self._count_domains(row)
        kept: dict[str, Any] | None = None
        if row.get("action") == "approve":  # the site's own comment: it answers its parent
            if row.get("parent_id"):
                self._answered.add(str(row["parent_id"]))
        elif label in _QUEUE_RANK and row.get("action"):
            due = _when(row.get("respond_by"))
            ts = due.timestamp() if due else _INF
            try:
                prio = int(row.get("priority") or 9)
            except (TypeError, ValueError):
                prio = 9
            entry = (-ts, -prio, -seq)
            if len(self._queue) < QUEUE_SIZE or entry > self._queue[0][:3]:
                kept = _trim(row)
                item = (entry[0], entry[1], entry[2], kept)
                if len(self._queue) < QUEUE_SIZE:
                    heapq.heappush(self._queue, item)
                else:
                    heapq.heapreplace(self._queue, item)
        examples = self._examples.get(label)
        if examples is not None:
            try:
                conf = float(row.get("confidence") or 0.0)
            except (TypeError, ValueError):
                conf = 0.0
            if len(examples) < EXAMPLES or conf > examples[0][0]:
                ex = (conf, -seq, kept or _trim(row))
                if len(examples) < EXAMPLES:
                    heapq.heappush(examples, ex)
                else:
                    heapq.heapreplace(examples, ex)

    def _count_domains(self, row: Mapping[str, Any]) -> None:
        text = row.get("text")
        author_url = row.get("author_url") or None
        found = set(prepare(text, author_url).domains) if isinstance(text, str) else set()
        if author_url:
            found.add(link_domain(str(author_url)))
        found.discard("")
        self.domains.update(found)
        if len(self.domains) > _MAX_DOMAINS:
            self.domains = Counter(dict(self.domains.most_common(_MAX_DOMAINS // 2)))

    # -- rendering ----------------------------------------------------------------------------

    def write(self, path: str | os.PathLike[str], summary: Mapping[str, Any]) -> None:
        """Render the report to ``path`` atomically (a reader never sees half a page)."""
        page = self.render(summary)
        target = Path(path)
        fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(page)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        log.info("report written to %s", target)

    def render(self, summary: Mapping[str, Any]) -> str:
        now = datetime.now(timezone.utc)
        labels = Counter({k: int(v) for k, v in (summary.get("labels") or {}).items()}) or self.labels
        actions = Counter({k: int(v) for k, v in (summary.get("actions") or {}).items()}) or self.actions
        classified = int(summary.get("classified", sum(labels.values())))
        errors = int(summary.get("errors", 0))
        total = int(summary.get("total", classified + errors))
        unsure = int(summary.get("unsure", sum(self.unsure.values())))
        parts = [
            _HEAD.format(title=_e(self.title), css=_CSS),
            '<header class="top"><div class="wrap">',
            f"<h1>{_e(self.title)}</h1>",
            f'<p class="meta">Generated {now:%Y-%m-%d %H:%M} UTC · commentcare {_e(__version__)}'
            + (f" · model {_e(self.model_version)}" if self.model_version else "")
            + "</p>",
            '<nav><a href="#mix">Class mix</a><a href="#queue">Reply queue</a><a href="#domains">Spam domains</a>'
            '<a href="#examples">Examples</a></nav>',
            "</div></header>",
            '<main class="wrap">',
            self._cards(total, classified, errors, unsure, summary),
            self._mix(labels, actions, classified),
            self._reply_queue(now, labels),
            self._spam_domains(labels.get("spam", 0)),
            self._example_section(),
            "</main>",
            '<footer class="wrap"><p>The model can be wrong, most often on the comments marked '
            "<em>unsure</em>: read before you delete, and answer complaints yourself. "
            "Every comment above is shown as plain text; nothing on this page loads from the network.</p>"
            "</footer>",
            "</body></html>\n",
        ]
        return "\n".join(parts)

    def _cards(
        self, total: int, classified: int, errors: int, unsure: int, summary: Mapping[str, Any]
    ) -> str:
        secs = summary.get("seconds")
        cards = [
            ("Comments read", f"{total:,}", "every record in the input"),
            ("Classified", f"{classified:,}", f"{_pct(classified, total)} of the input"),
            ("Unsure", f"{unsure:,}", "need a human decision"),
            (
                "Errors",
                f"{errors:,}",
                "unreadable records, listed in the errors file" if errors else "none: every record read",
            ),
        ]
        if secs is not None:
            rate = summary.get("comments_per_second")
            cards.append(("Time", f"{float(secs):,.1f} s", f"{int(rate):,} comments/s" if rate else ""))
        out = ['<section class="cards">']
        for name, value, note in cards:
            cls = " warn" if name == "Errors" and errors else ""
            out.append(
                f'<div class="card{cls}"><div class="k">{_e(name)}</div><div class="v">{_e(value)}</div>'
                f'<div class="n">{_e(note)}</div></div>'
            )
        out.append("</section>")
        if summary.get("resumed_from"):
            out.append(
                f'<p class="note">This run resumed after {int(summary["resumed_from"]):,} records; '
                "the queue, domains and examples below cover only the records read after the resume.</p>"
            )
        return "\n".join(out)

    def _mix(self, labels: Counter[str], actions: Counter[str], classified: int) -> str:
        out = [
            '<section class="panel" id="mix"><h2>Class mix</h2><div class="mix">',
            _donut(labels, classified),
        ]
        out.append('<table class="legend"><tbody>')
        for k in LABELS:
            n = labels.get(k, 0)
            u = self.unsure.get(k, 0)
            out.append(
                f'<tr><td><span class="dot" style="background:{_COLOURS[k]}"></span></td>'
                f'<td><strong>{k.capitalize()}</strong><div class="n">{_e(_BLURB[k])}</div></td>'
                f'<td class="num">{n:,}</td><td class="num muted">{_pct(n, classified)}</td>'
                f'<td class="num muted">{f"{u:,} unsure" if u else ""}</td></tr>'
            )
        out.append("</tbody></table>")
        if actions:
            out.append('<div class="actions"><h3>What to do</h3><ul>')
            for k in ("approve_and_reply", "hold", "remove"):
                if actions.get(k):
                    out.append(
                        f"<li><span>{_e(_ACTIONS.get(k, k))}</span><strong>{actions[k]:,}</strong></li>"
                    )
            for k, v in sorted(actions.items()):
                if k not in _ACTIONS:
                    out.append(f"<li><span>{_e(k)}</span><strong>{v:,}</strong></li>")
            out.append("</ul></div>")
        out.append("</div></section>")
        return "\n".join(out)

    def _reply_queue(self, now: datetime, labels: Counter[str]) -> str:
        items = [it[3] for it in self._queue if str(it[3].get("id") or "") not in self._answered]
        items.sort(key=_queue_key)
        waiting = sum(labels.get(k, 0) for k in _QUEUE_RANK)
        out = ['<section class="panel" id="queue"><h2>Reply queue</h2>']
        if not items:
            out.append(
                '<p class="muted">No comments waiting for a reply'
                + (" (run with replies to fill this queue)." if waiting and not self.actions else ".")
                + "</p>"
            )
            out.append("</section>")
            return "\n".join(out)
        shown = (
            f"the {len(items):,} most urgent of {waiting:,}"
            if waiting > len(items)
            else f"all {len(items):,}"
        )
        out.append(
            f'<p class="muted">Complaints, rants and praise that deserve an answer: {shown}, complaints '
            "first, earliest deadline first. The drafted reply is a starting point; edit it before posting.</p>"
        )
        out.append(
            '<table class="queue"><thead><tr><th>Class</th><th>Respond by</th><th>Comment</th>'
            "<th>Drafted reply</th></tr></thead><tbody>"
        )
        for r in items:
            label = str(r["label"])
            due = _when(r.get("respond_by"))
            due_html = "—"
            if due is not None:
                due_utc = due.astimezone(timezone.utc)
                late = '<span class="late">overdue</span>' if due_utc < now else ""
                due_html = f'<span class="due">{due_utc:%Y-%m-%d}<br>{due_utc:%H:%M} UTC</span>{late}'
            who = _e(r.get("author") or "anonymous")
            post = f" on <em>{_e(r['post_title'])}</em>" if r.get("post_title") else ""
            unsure = ' <span class="pill">unsure</span>' if r.get("unsure") in (True, "True", "true") else ""
            reasons = f'<div class="why">{_e(r["reasons"])}</div>' if r.get("reasons") else ""
            reply = _e(r.get("reply") or "").replace("\n", "<br>") or '<span class="muted">no draft</span>'
            out.append(
                f'<tr class="{_e(label)}"><td>{_badge(label)}{unsure}<div class="prio">priority {_e(r.get("priority", ""))}</div></td>'
                f"<td>{due_html}</td>"
                f'<td><div class="who">{who}{post}</div><blockquote>{_e(_display_text(r.get("text"), 600))}</blockquote>{reasons}</td>'
                f'<td class="reply">{reply}</td></tr>'
            )
        out.append("</tbody></table></section>")
        return "\n".join(out)

    def _spam_domains(self, spam: int) -> str:
        out = ['<section class="panel" id="domains"><h2>Top spam domains</h2>']
        top = self.domains.most_common(TOP_DOMAINS)
        if not top:
            out.append(
                f'<p class="muted">{"No links found in the spam." if spam else "No spam found."}</p></section>'
            )
            return "\n".join(out)
        out.append(
            f'<p class="muted">Sites linked from spam comments (in the text or the author URL) — '
            f"candidates for your blocklist. Counted over {spam:,} spam comments.</p>"
        )
        out.append('<table class="domains"><tbody>')
        peak = top[0][1]
        for dom, n in top:
            width = max(2, round(100 * n / peak))
            out.append(
                f'<tr><td class="dom">{_e(dom)}</td><td class="num">{n:,}</td>'
                f'<td class="barcell"><div class="bar" style="width:{width}%"></div></td></tr>'
            )
        out.append("</tbody></table></section>")
        return "\n".join(out)

    def _example_section(self) -> str:
        out = [
            '<section class="panel" id="examples"><h2>Examples by class</h2>'
            '<p class="muted">The comments the model was surest about, so you can check what each class means '
            "on your own site.</p>",
            '<div class="examples">',
        ]
        for k in LABELS:
            ex = sorted(self._examples[k], key=lambda t: (-t[0], -t[1]))
            out.append(f'<div class="excol"><h3>{_badge(k)}</h3>')
            if not ex:
                out.append('<p class="muted">none</p>')
            for conf, _seq, r in ex:
                who = _e(r.get("author") or "anonymous")
                out.append(
                    f"<figure><blockquote>{_e(_display_text(r.get('text'), 320))}</blockquote>"
                    f"<figcaption>{who} · {conf:.0%} sure</figcaption></figure>"
                )
            out.append("</div>")
        out.append("</div></section>")
        return "\n".join(out)


def _queue_key(r: Mapping[str, Any]) -> tuple[int, float, int]:
    due = _when(r.get("respond_by"))
    try:
        prio = int(r.get("priority") or 9)
    except (TypeError, ValueError):
        prio = 9
    return _QUEUE_RANK.get(str(r.get("label")), 9), due.timestamp() if due else _INF, prio


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "–"


def _badge(label: str) -> str:
    colour = _COLOURS.get(label, "#495057")
    return f'<span class="badge" style="background:{colour}">{_e(label)}</span>'


def _donut(labels: Counter[str], total: int) -> str:
    """An SVG donut of the class mix: one stroked circle per class, offset along the ring."""
    r, width = 70.0, 28.0
    circ = 2 * math.pi * r
    desc = ", ".join(f"{k} {labels.get(k, 0)}" for k in LABELS)
    out = [
        f'<svg class="donut" viewBox="0 0 200 200" width="200" height="200" role="img" '
        f'aria-label="Class mix: {_e(desc)}"><title>Class mix: {_e(desc)}</title>',
        f'<circle cx="100" cy="100" r="{r}" fill="none" stroke="#e9ecef" stroke-width="{width}"/>',
    ]
    done = 0.0
    for k in LABELS:
        n = labels.get(k, 0)
        if not n or not total:
            continue
        length = circ * n / total
        out.append(
            f'<circle cx="100" cy="100" r="{r}" fill="none" stroke="{_COLOURS[k]}" stroke-width="{width}" '
            f'stroke-dasharray="{length:.2f} {circ - length:.2f}" stroke-dashoffset="{-done:.2f}" '
            f'transform="rotate(-90 100 100)"><title>{k}: {n:,} ({_pct(n, total)})</title></circle>'
        )
        done += length
    big = f"{total:,}"
    size = 26 if len(big) <= 5 else 21 if len(big) <= 7 else 16  # stay inside the ring's hole
    out.append(
        f'<text x="100" y="98" text-anchor="middle" class="big" style="font-size:{size}px">{big}</text>'
        '<text x="100" y="120" text-anchor="middle" class="small">classified</text></svg>'
    )
    return "".join(out)


_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="commentcare">
<title>{title}</title>
<style>{css}</style>
</head><body>"""

_CSS = """
:root{--ink:#212529;--muted:#6c757d;--line:#dee2e6;--bg:#f5f6f8;--card:#fff}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
 font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:1120px;margin:0 auto;padding:0 24px}
header.top{background:#1f2a44;color:#fff;padding:28px 0 22px;margin-bottom:24px}
header.top h1{margin:0;font-size:26px;font-weight:650;letter-spacing:-.01em;overflow-wrap:anywhere}
header.top nav{margin-top:12px;display:flex;gap:18px;font-size:13.5px}
header.top nav a{color:#fff;text-decoration:none;border-bottom:1px solid #5c6b94}
header.top .meta{margin:6px 0 0;color:#c5cbe0;font-size:13px}
h2{font-size:19px;margin:0 0 6px}
h3{font-size:15px;margin:0 0 10px}
.muted{color:var(--muted)}
.note{background:#fff3bf;border-radius:8px;padding:10px 14px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:14px;margin-bottom:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px}
.card .k{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.card .v{font-size:28px;font-weight:650;margin:2px 0}
.card .n{font-size:12.5px;color:var(--muted)}
.card.warn{border-color:#f08c00;background:#fff9db}
.panel{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 22px;margin-bottom:20px}
.mix{display:flex;flex-wrap:wrap;gap:28px;align-items:center;margin-top:10px}
.donut .big{font-size:26px;font-weight:650;fill:var(--ink)}
.donut .small{font-size:12px;fill:var(--muted)}
.legend{border-collapse:collapse;flex:1;min-width:320px}
.legend td{padding:7px 8px;border-bottom:1px solid #f1f3f5;vertical-align:top}
.legend .n{font-size:12.5px;color:var(--muted)}
.dot{display:inline-block;width:12px;height:12px;border-radius:3px;margin-top:5px}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.actions{min-width:220px}
.actions ul{list-style:none;margin:0;padding:0}
.actions li{display:flex;justify-content:space-between;gap:16px;padding:6px 0;border-bottom:1px solid #f1f3f5}
.badge{display:inline-block;color:#fff;border-radius:999px;padding:1px 10px;font-size:12px;font-weight:600;
 text-transform:uppercase;letter-spacing:.04em}
.pill{display:inline-block;border:1px solid #adb5bd;color:#495057;border-radius:999px;padding:0 7px;font-size:11px}
table.queue{width:100%;border-collapse:collapse;margin-top:12px;table-layout:fixed}
table.queue th{text-align:left;font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);
 border-bottom:2px solid var(--line);padding:8px}
table.queue th:nth-child(1){width:118px}
table.queue th:nth-child(2){width:118px}
table.queue td{padding:12px 8px;border-bottom:1px solid var(--line);vertical-align:top}
table.queue tr.complaint td:first-child{box-shadow:inset 4px 0 0 #d9480f}
table.queue tr.rant td:first-child{box-shadow:inset 4px 0 0 #c92a2a}
table.queue tr.praise td:first-child{box-shadow:inset 4px 0 0 #2b8a3e}
.prio{font-size:12px;color:var(--muted);margin-top:4px}
.due{font-variant-numeric:tabular-nums;font-size:13.5px}
.late{display:block;color:#c92a2a;font-size:11.5px;font-weight:600;margin-top:2px}
.who{font-size:13px;color:var(--muted);margin-bottom:4px;overflow-wrap:anywhere}
blockquote{margin:0;overflow-wrap:anywhere}
.why{font-size:12.5px;color:var(--muted);margin-top:6px}
td.reply{font-size:13.5px;background:#f8f9fa;border-left:1px solid var(--line);overflow-wrap:anywhere}
table.domains{border-collapse:collapse;width:100%;max-width:720px;margin-top:8px}
table.domains td{padding:5px 8px;border-bottom:1px solid #f1f3f5}
td.dom{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13.5px;overflow-wrap:anywhere}
td.barcell{width:45%}
.bar{height:10px;border-radius:5px;background:#6741d9;opacity:.8}
.examples{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:18px;margin-top:12px}
.excol figure{margin:0 0 12px;padding:10px 12px;background:#f8f9fa;border-radius:8px;font-size:13.5px}
.excol figcaption{margin-top:6px;font-size:12px;color:var(--muted)}
footer{color:var(--muted);font-size:13px;padding-bottom:32px}
@media print{body{background:#fff}.panel,.card{border-color:#ccc;break-inside:avoid}header.top{background:#fff;color:#000}}
"""
