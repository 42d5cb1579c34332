"""The HTML report: its parts, escaping, bounded state, atomic writing, and a real browser render."""

from __future__ import annotations

import html as html_mod
import os
import re
import shutil
import struct
import subprocess
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from commentcare._types import Comment
from commentcare.io import read_comments
from commentcare.io._report import _MAX_DOMAINS, EXAMPLES, QUEUE_SIZE, ReportBuilder
from commentcare.io._writers import result_row

EXAMPLE_DIR = Path(__file__).resolve().parents[1] / "examples"
CHROMIUM = "/usr/bin/chromium"

HOSTILE = Comment(
    id="evil-1",
    text='I was charged twice for order #4411 <script>alert("pwned")</script> and nobody answers my e-mails.',
    author='<img src=x onerror="alert(1)">',
    author_url="javascript:alert(2)",
    post_title="</title><script>alert(3)</script>",
    created_at=datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc),
)


@pytest.fixture(scope="module")
def rows(moderator: Any) -> list[dict[str, Any]]:
    comments = [
        *read_comments(EXAMPLE_DIR / "wordpress-export.xml"),
        *read_comments(EXAMPLE_DIR / "comments.csv"),
        HOSTILE,
    ]
    out = [result_row(r.comment, r.classification, r) for r in moderator.review_many(comments)]
    # The escaping tests need the hostile comment on the page whatever the model makes of it
    # (its javascript: author URL reads as spam to the model): put it in the reply queue.
    out[-1].update(label="complaint", action="approve_and_reply")
    return out


def summary_for(rows: list[dict[str, Any]], errors: int = 0) -> dict[str, Any]:
    labels: dict[str, int] = {}
    actions: dict[str, int] = {}
    for r in rows:
        labels[r["label"]] = labels.get(r["label"], 0) + 1
        actions[r["action"]] = actions.get(r["action"], 0) + 1
    return {
        "total": len(rows) + errors,
        "classified": len(rows),
        "errors": errors,
        "labels": labels,
        "actions": actions,
        "unsure": sum(bool(r["unsure"]) for r in rows),
        "seconds": 1.25,
        "comments_per_second": 27,
        "resumed_from": 0,
    }


@pytest.fixture(scope="module")
def page(rows: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    builder = ReportBuilder(title="Ridgeline <comments> & more")
    builder.add_rows(rows[:10])
    builder.add_rows(rows[10:])  # fed in chunks, as classify_file does
    path = tmp_path_factory.mktemp("report") / "report.html"
    builder.write(path, summary_for(rows, errors=3))
    return path


def test_report_has_every_part(page: Path, rows: list[dict[str, Any]]) -> None:
    # complaints a comment of the site's own answers leave the queue
    answered = {r.get("parent_id") for r in rows if r.get("action") == "approve"}
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Ridgeline &lt;comments&gt; &amp; more</title>" in html
    for part in (
        "Class mix",
        "Reply queue",
        "Top spam domains",
        "Examples by class",
        "Comments read",
        "Errors",
    ):
        assert part in html
    assert re.search(r'<div class="k">Errors</div><div class="v">3</div>', html)
    assert re.search(rf'<div class="k">Comments read</div><div class="v">{len(rows) + 3}</div>', html)
    assert "<svg" in html and "stroke-dasharray" in html
    # the spam sites, from the text and from the author URL
    assert (
        "cheapflights-now.example" in html
        and "spin-bonus-777.example" in html
        and "essaywriter-pro.example" in html
    )
    # drafted replies and respond-by times are in the queue
    queue = html.split('id="queue"', 1)[1].split('id="domains"', 1)[0]
    assert "UTC" in queue and 'class="reply"' in queue
    assert all(
        html_mod.escape(r["reply"].split("\n")[0][:30]) in queue
        for r in rows
        if r["label"] == "complaint" and r["reply"] and r.get("id") not in answered
    )


def test_reply_queue_lists_complaints_first_then_by_deadline(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    queue = html.split('id="queue"', 1)[1].split('id="domains"', 1)[0]
    labels = re.findall(r'<tr class="(complaint|rant|praise)">', queue)
    assert labels and labels == sorted(labels, key=["complaint", "rant", "praise"].index)
    assert "spam" not in labels
    dues = re.findall(r'<tr class="complaint">.*?<span class="due">(\S+)<br>(\S+) UTC', queue)
    assert dues == sorted(dues)


def test_everything_from_comments_is_escaped(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=" in html
    assert "javascript:" not in html  # author URLs are never turned into links
    assert "</title><script" not in html


def test_the_page_is_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<(link|script|iframe|img)\b", html, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html


def _row(i: int, label: str, due: datetime | None, text: str = "", author_url: str = "") -> dict[str, Any]:
    return {
        "id": str(i),
        "label": label,
        "confidence": 0.5 + (i % 50) / 100,
        "unsure": i % 7 == 0,
        "spam": 0.1,
        "rant": 0.1,
        "praise": 0.1,
        "complaint": 0.7,
        "model_version": "test",
        "action": "remove" if label == "spam" else "approve_and_reply",
        "priority": 2 if label == "complaint" else 4,
        "respond_by": due.isoformat() if due else "",
        "reply": "Sorry!" if label != "spam" else "",
        "reasons": "because",
        "text": text or f"comment {i} " + "x" * 5_000,
        "author": f"user{i}",
        "author_url": author_url,
    }


def test_state_stays_bounded_whatever_the_number_of_rows() -> None:
    b = ReportBuilder("big")
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    labels = ["complaint", "rant", "praise", "spam"]
    for chunk in range(30):
        rows = []
        for j in range(1000):
            i = chunk * 1000 + j
            label = labels[i % 4]
            rows.append(
                _row(
                    i,
                    label,
                    None if label == "spam" else start + timedelta(minutes=(i * 7919) % 100_000),
                    text=f"buy now at http://shop{i}.example/x or www.deal{i}.example"
                    if label == "spam"
                    else "",
                    author_url=f"http://author{i}.example" if label == "spam" else "",
                )
            )
        b.add_rows(rows)
    assert b.rows == 30_000
    assert len(b._queue) == QUEUE_SIZE
    assert all(len(v) <= EXAMPLES for v in b._examples.values())
    assert len(b.domains) <= _MAX_DOMAINS
    assert all(len(item[3]["text"]) <= 2000 for item in b._queue)
    # the queue holds the earliest deadlines seen
    kept = sorted(item[3]["respond_by"] for item in b._queue)
    every = sorted(
        (start + timedelta(minutes=(i * 7919) % 100_000)).isoformat() for i in range(30_000) if i % 4 != 3
    )
    assert kept == every[:QUEUE_SIZE]
    html = b.render({"total": 30_000, "classified": 30_000, "errors": 0, "labels": dict(b.labels)})
    assert f"the {QUEUE_SIZE} most urgent of 22,500" in html


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.html"
    target.write_text("old report", encoding="utf-8")
    b = ReportBuilder("t")
    b.add_rows([_row(1, "praise", datetime(2025, 1, 1, tzinfo=timezone.utc), text="Thanks!")])

    def broken(self: ReportBuilder, summary: Any) -> str:
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as m:
        m.setattr(ReportBuilder, "render", broken)
        with pytest.raises(RuntimeError):
            b.write(target, {})
    assert target.read_text(encoding="utf-8") == "old report"
    b.write(target, {})
    assert "Thanks!" in target.read_text(encoding="utf-8")
    assert sorted(os.listdir(tmp_path)) == ["r.html"]


def test_an_empty_run_still_renders(tmp_path: Path) -> None:
    b = ReportBuilder("nothing")
    b.write(tmp_path / "e.html", {"total": 0, "classified": 0, "errors": 0, "labels": {}, "actions": {}})
    html = (tmp_path / "e.html").read_text(encoding="utf-8")
    assert "No comments waiting for a reply" in html and "No spam found" in html


def test_classify_file_feeds_the_report(tmp_path: Path) -> None:
    from commentcare.io._batch import classify_file

    b = ReportBuilder("disqus")
    s = classify_file(
        EXAMPLE_DIR / "disqus-export.xml", tmp_path / "out.csv", replies=True, on_review_rows=b.add_rows
    )
    b.write(tmp_path / "r.html", s.as_dict())
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert b.rows == s.classified == 17
    assert "&lt;p&gt;" not in html  # Disqus markup is shown as plain text
    assert "garden-pro-deals.example" in html


def test_a_complaint_the_site_has_answered_leaves_the_reply_queue(tmp_path: Path) -> None:
    from commentcare.io._batch import classify_file

    b = ReportBuilder("ridgeline")
    s = classify_file(
        EXAMPLE_DIR / "wordpress-export.xml", tmp_path / "out.csv", replies=True, on_review_rows=b.add_rows
    )
    b.write(tmp_path / "r.html", s.as_dict())
    queue = (tmp_path / "r.html").read_text(encoding="utf-8").split('id="queue"')[1].split("</section>")[0]
    # 302 (Daniel's late order) is answered by 303, a comment of the blog's author: neither waits
    assert "38L pack" not in queue and "RO-10442" not in queue
    assert "map link" in queue  # an unanswered complaint still does


# -- a real browser ----------------------------------------------------------------------------------


def _png_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


def test_report_renders_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        if os.environ.get("COMMENTCARE_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"{CHROMIUM} is required (COMMENTCARE_REQUIRE_CHROMIUM=1) but not installed")
        pytest.skip("chromium is not installed")
    shot = tmp_path / "r.png"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=1200,2000",
        page.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert shot.exists(), proc.stderr.decode(errors="replace")[-2000:]
    width, height, raw = _png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 2000)
    assert shot.stat().st_size > 50_000  # a blank page compresses to about 11 kB
    assert len(set(raw)) > 100  # text, colours and a chart, not one flat colour
