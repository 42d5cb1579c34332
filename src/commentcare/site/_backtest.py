"""Shadow mode: what commentcare would have done on a site's history, against what the site did.

The run streams the export and keeps bounded state only (counts per decision and action, per
reason and per month, and a heap of the strongest disagreements with their text cut short), so
an export of any size fits in flat memory. The result is a JSON summary and a self-contained
HTML page (inline CSS and SVG, every value from a comment escaped, nothing fetched).

Agreement is defined per decision: the site's spam is agreed with by ``remove``, its approved
comments by ``approve_and_reply``, its held (pending) comments by ``hold``, and its trashed
comments by ``remove`` or ``hold`` (anything but approving them).
"""

from __future__ import annotations

import heapq
import html
import itertools
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commentcare._errors import InputError
from commentcare._types import Action, Review
from commentcare._version import __version__
from commentcare.site._status import ExportCounts, SiteDecision, site_comments

__all__ = ["AGREES", "BacktestResult", "backtest"]

ACTIONS = ("remove", "hold", "approve")
_ACTION = {Action.REMOVE: "remove", Action.HOLD: "hold", Action.APPROVE_AND_REPLY: "approve"}
#: The actions that agree with each of the site's decisions.
AGREES: Mapping[SiteDecision, frozenset[str]] = {
    SiteDecision.SPAM: frozenset({"remove"}),
    SiteDecision.APPROVED: frozenset({"approve"}),
    SiteDecision.HELD: frozenset({"hold"}),
    SiteDecision.TRASHED: frozenset({"remove", "hold"}),
}
#: How many disagreements are kept (the most confident ones), and how much of each text.
TOP_DISAGREEMENTS = 50
_KEEP_CHARS = 600
_MAX_REASONS = 400  # distinct reason kinds kept; the rest are counted under "other"
_PARENS = re.compile(r"\s*\([^()]*\)")


def reason_kind(reason: str) -> str:
    """A reason without its particulars: "1 link (spam.example)" -> "1 link"."""
    return " ".join(_PARENS.sub("", reason).split())


@dataclass(frozen=True)
class BacktestResult:
    """The summary of a backtest (JSON-ready) and what the HTML page shows."""

    summary: Mapping[str, Any]

    def write_html(self, path: str | os.PathLike[str]) -> None:
        """Write the page atomically (a reader never sees half a file)."""
        target = Path(path)
        page = render_html(self.summary)
        fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(page)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def backtest(
    export: Any,
    review_many: Callable[[Iterable[Any]], Iterable[Review]],
    *,
    format: str | None = None,
    site_name: str | None = None,
    staff: Iterable[str] = (),
    on_error: Callable[[InputError], None] | None = None,
    top: int = TOP_DISAGREEMENTS,
    model_version: str = "",
) -> BacktestResult:
    """Review every visitor comment of ``export`` that has a decision and compare.

    ``review_many`` is a :class:`~commentcare.Moderator`'s (any callable that reviews an
    iterable lazily, in order). Staff comments and pingbacks are left out and counted.
    """
    counts = ExportCounts()
    decisions: dict[int, SiteDecision | None] = {}
    order = itertools.count()

    def comments() -> Iterable[Any]:
        for i, (comment, decision) in zip(
            order,
            site_comments(
                export, format=format, site_name=site_name, staff=staff, counts=counts, on_error=on_error
            ),
        ):
            decisions[i] = decision
            yield comment

    confusion = {d.value: dict.fromkeys(ACTIONS, 0) for d in SiteDecision}
    reasons: dict[str, list[int]] = {}
    months: dict[str, list[int]] = {}
    heap: list[tuple[float, int, dict[str, Any]]] = []
    for i, review in enumerate(review_many(comments())):
        decision = decisions.pop(i)
        assert decision is not None  # site_comments yields decided comments only by default
        action = _ACTION[review.action]
        agreed = action in AGREES[decision]
        confusion[decision.value][action] += 1
        for r in dict.fromkeys(reason_kind(x) for x in review.reasons):
            if r not in reasons and len(reasons) >= _MAX_REASONS:
                r = "other"
            tally = reasons.setdefault(r, [0, 0])
            tally[0] += 1
            tally[1] += agreed
        c = review.comment
        month = c.created_at.strftime("%Y-%m") if c.created_at else "undated"
        tally = months.setdefault(month, [0, 0])
        tally[0] += 1
        tally[1] += agreed
        if not agreed:
            conf = review.classification.confidence
            item = {
                "id": c.id,
                "author": (c.author or "")[:200],
                "date": c.created_at.isoformat() if c.created_at else None,
                "text": c.text[:_KEEP_CHARS] + ("…" if len(c.text) > _KEEP_CHARS else ""),
                "site": decision.value,
                "commentcare": action,
                "label": review.classification.label.value,
                "confidence": round(conf, 4),
                "reasons": list(review.reasons),
            }
            entry = (conf, -i, item)
            if len(heap) < top:
                heapq.heappush(heap, entry)
            elif entry[:2] > heap[0][:2]:
                heapq.heapreplace(heap, entry)

    spam_row = confusion["spam"]
    removed = sum(confusion[d]["remove"] for d in ("spam", "approved", "trashed"))
    spam_total = sum(spam_row.values())
    compared = sum(sum(row.values()) for row in confusion.values())
    agreed_total = sum(confusion[d.value][a] for d in SiteDecision for a in AGREES[d])
    summary: dict[str, Any] = {
        "commentcare": __version__,
        "model_version": model_version,
        "export": str(getattr(export, "name", export)),
        "counts": counts.as_dict(),
        "compared": compared,
        "agreement": _ratio(agreed_total, compared),
        "agreement_definition": "spam agrees with remove, approved with approve (approve_and_reply), held"
        " (pending) with hold, trashed with remove or hold",
        "confusion": {"rows": [d.value for d in SiteDecision], "columns": list(ACTIONS), "counts": confusion},
        "remove_vs_site_spam": {
            "precision": _ratio(spam_row["remove"], removed),
            "recall": _ratio(spam_row["remove"], spam_total),
            "removed": removed,
            "site_spam": spam_total,
            "definition": "over the comments the site decided (spam, approved, trashed; held ones are"
            " still pending): precision = removed and site spam / removed, recall = removed and site"
            " spam / site spam",
        },
        "by_reason": [
            {"reason": r, "n": n, "agreed": a, "agreement": _ratio(a, n)}
            for r, (n, a) in sorted(reasons.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ],
        "over_time": [
            {"month": m, "n": n, "agreed": a, "agreement": _ratio(a, n)}
            for m, (n, a) in sorted(months.items())
        ],
        "disagreements": [e[2] for e in sorted(heap, key=lambda e: (-e[0], -e[1]))],
    }
    return BacktestResult(summary)


# -- the page ------------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 8px}
.muted{color:#5c6577} .card{background:#fff;border-radius:10px;padding:16px 20px;box-shadow:0 1px 3px #0002;margin:12px 0}
.kpis{display:flex;gap:12px;flex-wrap:wrap} .kpi{flex:1 1 160px;background:#fff;border-radius:10px;padding:12px 16px;box-shadow:0 1px 3px #0002}
.kpi b{display:block;font-size:26px}
table{border-collapse:collapse;width:100%} th,td{padding:6px 8px;border-bottom:1px solid #e4e7ec;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.agree{background:#e6f4ea} td.disagree{background:#fdecea}
.bar{display:inline-block;height:10px;background:#2b8a3e;border-radius:3px;vertical-align:middle}
.text{white-space:pre-wrap;word-break:break-word;max-width:520px}
.tag{display:inline-block;padding:1px 8px;border-radius:10px;background:#eef0f4;font-size:13px}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _timeline_svg(points: list[Mapping[str, Any]]) -> str:
    dated = [p for p in points if p["month"] != "undated" and p["n"]]
    if not dated:
        return '<p class="muted">No dated comments.</p>'
    w, h, pad = 1000, 220, 36
    step = (w - 2 * pad) / max(len(dated), 1)
    top = max(p["n"] for p in dated)
    bars, dots, marks = [], [], []
    for k, p in enumerate(dated):
        x = pad + k * step
        bh = (h - 2 * pad) * p["n"] / top
        bars.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{h - pad - bh:.1f}" width="{step * 0.7:.1f}" height="{bh:.1f}"'
            f' fill="#cfd6e4"><title>{_e(p["month"])}: {p["n"]} comments</title></rect>'
        )
        y = h - pad - (h - 2 * pad) * (p["agreement"] or 0)
        dots.append(f"{x + step / 2:.1f},{y:.1f}")
        marks.append(
            f'<circle cx="{x + step / 2:.1f}" cy="{y:.1f}" r="4" fill="#2b8a3e"><title>{_e(p["month"])}:'
            f" {_pct(p['agreement'])} agreed</title></circle>"
        )
        if len(dated) <= 24:
            marks.append(
                f'<text x="{x + step / 2:.1f}" y="{y - 8:.1f}" font-size="11" text-anchor="middle">'
                f"{_pct(p['agreement'])}</text>"
            )
    labels = "".join(
        f'<text x="{pad + k * step + step / 2:.1f}" y="{h - 12}" font-size="11" text-anchor="middle">{_e(p["month"])}</text>'
        for k, p in enumerate(dated)
        if len(dated) <= 24 or k % max(1, len(dated) // 12) == 0
    )
    return (
        f'<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="agreement per month">'
        f'<line x1="{pad}" y1="{pad}" x2="{w - pad}" y2="{pad}" stroke="#e4e7ec"/>'
        f'<text x="4" y="{pad + 4}" font-size="11">100%</text><text x="4" y="{h - pad}" font-size="11">0%</text>'
        + "".join(bars)
        + f'<polyline points="{" ".join(dots)}" fill="none" stroke="#2b8a3e" stroke-width="3"/>'
        + "".join(marks)
        + labels
        + "</svg>"
    )


def render_html(s: Mapping[str, Any]) -> str:
    """The backtest page from its summary; every value that came from the export is escaped."""
    c = s["counts"]
    left = c["left_out"]
    pr = s["remove_vs_site_spam"]
    conf = s["confusion"]
    head = "".join(f'<th class="n">{_e(a)}</th>' for a in conf["columns"])
    rows = []
    for d in conf["rows"]:
        cells = []
        for a in conf["columns"]:
            cls = "agree" if a in AGREES[SiteDecision(d)] else "disagree"
            cells.append(f'<td class="n {cls}">{conf["counts"][d][a]}</td>')
        rows.append(
            f"<tr><th>{_e(d)}</th>{''.join(cells)}<td class='n'>{sum(conf['counts'][d].values())}</td></tr>"
        )
    reasons = "".join(
        f"<tr><td>{_e(r['reason'])}</td><td class='n'>{r['n']}</td><td class='n'>{_pct(r['agreement'])}</td>"
        f"<td><span class='bar' style='width:{round(200 * (r['agreement'] or 0))}px'></span></td></tr>"
        for r in s["by_reason"]
    )
    dis = "".join(
        f"<tr><td class='n'>{d['confidence']:.2f}</td><td><span class='tag'>{_e(d['site'])}</span></td>"
        f"<td><span class='tag'>{_e(d['commentcare'])}</span> {_e(d['label'])}</td>"
        f"<td><div class='text'>{_e(d['text'])}</div><div class='muted'>{_e(d['author'])} · {_e(d['date'])}"
        f" · {_e('; '.join(d['reasons']))}</div></td></tr>"
        for d in s["disagreements"]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>commentcare backtest: {_e(s["export"])}</title><style>{_CSS}</style></head>
<body><main>
<h1>Backtest: what commentcare would have done</h1>
<p class="muted">{_e(s["export"])} · model {_e(s["model_version"])} · commentcare {_e(s["commentcare"])}</p>
<div class="kpis">
<div class="kpi"><b>{s["compared"]}</b>comments compared</div>
<div class="kpi"><b>{_pct(s["agreement"])}</b>agreed with the site</div>
<div class="kpi"><b>{_pct(pr["precision"])}</b>of removals were the site's spam</div>
<div class="kpi"><b>{_pct(pr["recall"])}</b>of the site's spam removed</div>
</div>
<p class="muted">Left out: {left["staff"]} staff comments, {left["pingbacks"]} pingbacks and trackbacks,
{left["no_decision"]} without a decision, {left["errors"]} unreadable records. Agreement: {_e(s["agreement_definition"])}.</p>
<h2>The site's decisions against commentcare's actions</h2>
<div class="card"><table id="confusion"><tr><th>site \\ commentcare</th>{head}<th class="n">total</th></tr>
{"".join(rows)}</table>
<p class="muted">Removal against the site's spam: precision {_pct(pr["precision"])} ({pr["removed"]} removed),
recall {_pct(pr["recall"])} ({pr["site_spam"]} spam). Both are counted {_e(pr["definition"])}.</p></div>
<h2>Agreement over time</h2><p class="muted">Bars: comments per month; line: the share agreed.</p><div class="card">{_timeline_svg(s["over_time"])}</div>
<h2>Agreement per reason</h2>
<div class="card"><table id="reasons"><tr><th>reason</th><th class="n">comments</th><th class="n">agreed</th><th></th></tr>{reasons}</table></div>
<h2>Where they disagree most</h2>
<div class="card"><table id="disagreements"><tr><th class="n">confidence</th><th>site</th><th>commentcare</th><th>comment</th></tr>{dis}</table></div>
</main></body></html>
"""
