"""Learning from a site: decisions from exports, the backtest (JSON, HTML, a real browser),
``train --site``, ``suggest-labels`` and the site head."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from commentcare import Moderator
from commentcare._errors import InputError
from commentcare.cli import main
from commentcare.io import iter_records, read_comments
from commentcare.model import shipped_model_path
from commentcare.site import (
    ExportCounts,
    SiteDecision,
    SiteHead,
    adapt_model,
    backtest,
    load_site_labels,
    site_comments,
    site_decision,
    suggest_labels,
)
from commentcare.site._adapt import allowed_mask, features, fit_site_head
from commentcare.site._suggest import COLUMNS, pattern_key, write_suggestions

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WXR = EXAMPLES / "wordpress-export.xml"
CHROMIUM = "/usr/bin/chromium"


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        ("approved", SiteDecision.APPROVED),  # WXR 1 as the reader gives it
        ("hold", SiteDecision.HELD),  # WXR 0
        ("spam", SiteDecision.SPAM),
        ("trash", SiteDecision.TRASHED),
        ("deleted", SiteDecision.TRASHED),  # Disqus isDeleted
        ("1", SiteDecision.APPROVED),  # a CSV's raw comment_approved
        ("0", SiteDecision.HELD),
        (" Pending ", SiteDecision.HELD),
        ("Published", SiteDecision.APPROVED),
        ("maybe", None),
        (None, None),
        ("", None),
    ],
)
def test_site_decision_reads_every_exports_spelling(
    status: str | None, decision: SiteDecision | None
) -> None:
    assert site_decision(status) is decision


def test_wxr_decisions_leave_out_staff_and_pingbacks() -> None:
    counts = ExportCounts()
    rows = list(site_comments(WXR, counts=counts))
    # 18 <wp:comment>: one pingback, two replies by the export's author (user id 1)
    assert counts.read == 18 and counts.pingbacks == 1 and counts.staff == 2
    assert counts.used == len(rows) == 15
    assert dict(counts.decisions) == {"approved": 11, "spam": 3, "held": 1}
    assert all(c.author != "Kirsty (Ridgeline)" for c, _ in rows)
    # the plain reader is unchanged: pingbacks skipped, no extra columns
    plain = list(read_comments(WXR))
    assert len(plain) == 17 and all(not c.extra for c in plain)
    with_fields = [r for r in iter_records(WXR, site_fields=True) if not isinstance(r, InputError)]
    assert sum(c.extra["comment_type"] == "pingback" for c in with_fields) == 1


def test_disqus_and_csv_decisions(tmp_path: Path) -> None:
    counts = ExportCounts()
    rows = list(site_comments(EXAMPLES / "disqus-export.xml", counts=counts))
    assert counts.used == len(rows) == 17
    assert {d for _, d in rows} <= {SiteDecision.SPAM, SiteDecision.APPROVED, SiteDecision.TRASHED}
    assert counts.decisions["spam"] >= 1
    p = tmp_path / "c.csv"
    p.write_text(
        "id,author,status,comment_type,text\n"
        "1,Ann,approved,,Great post thanks\n"
        "2,Bakery Team,approved,,Thanks Ann!\n"
        "3,Bot,spam,,cheap pills at pills.example\n"
        "4,Other Blog,approved,pingback,[...] linked here [...]\n"
        "5,Cat,,,no status here\n",
        encoding="utf-8",
    )
    counts = ExportCounts()
    rows = list(site_comments(p, staff=["bakery  team"], counts=counts))
    assert [(c.id, d.value) for c, d in rows] == [("1", "approved"), ("3", "spam")]
    assert (counts.staff, counts.pingbacks, counts.no_decision) == (1, 1, 1)


def hostile_export(path: Path) -> Path:
    path.write_text(
        "id,author,status,created_at,text\n"
        '1,"<img src=x onerror=alert(1)>",approved,2025-01-05T10:00:00Z,"BUY CHEAP VIAGRA NOW <script>alert(1)</script>'
        ' visit http://pills.example http://cheap-meds.example best prices!!!"\n'
        "2,Ann,approved,2025-01-06T10:00:00Z,Thank you so much for this lovely recipe\n"
        "3,Bot,spam,2025-02-01T10:00:00Z,Make $5000 a week from home click http://money.example now\n",
        encoding="utf-8",
    )
    return path


def test_backtest_summary_is_consistent(moderator: Moderator) -> None:
    s = backtest(WXR, moderator.review_many).summary
    conf = s["confusion"]["counts"]
    assert s["compared"] == sum(sum(r.values()) for r in conf.values()) == 15
    assert s["counts"]["left_out"] == {"staff": 2, "pingbacks": 1, "no_decision": 0, "errors": 0}
    removed = conf["spam"]["remove"] + conf["approved"]["remove"] + conf["trashed"]["remove"]
    pr = s["remove_vs_site_spam"]
    assert pr["removed"] == removed and pr["site_spam"] == sum(conf["spam"].values()) == 3
    assert pr["recall"] == round(conf["spam"]["remove"] / 3, 4)
    agreed = conf["spam"]["remove"] + conf["approved"]["approve"] + conf["held"]["hold"]
    assert s["agreement"] == round(agreed / 15, 4)
    assert sum(m["n"] for m in s["over_time"]) == 15
    assert all(0 <= r["agreed"] <= r["n"] for r in s["by_reason"])
    assert not any("(" in r["reason"] for r in s["by_reason"])  # particulars cut: "1 link", not its domain
    assert len(s["disagreements"]) == 15 - agreed
    conf_values = [d["confidence"] for d in s["disagreements"]]
    assert conf_values == sorted(conf_values, reverse=True)
    json.dumps(s)  # JSON-ready


def test_backtest_page_escapes_what_came_from_the_export(moderator: Moderator, tmp_path: Path) -> None:
    result = backtest(hostile_export(tmp_path / "h.csv"), moderator.review_many)
    assert result.summary["disagreements"], "the approved spam must be a disagreement"
    result.write_html(tmp_path / "b.html")
    page = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page
    assert "default-src 'none'" in page  # nothing is fetched, nothing runs


def test_backtest_page_renders_in_headless_chromium(moderator: Moderator, tmp_path: Path) -> None:
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        if os.environ.get("COMMENTCARE_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"{CHROMIUM} is required (COMMENTCARE_REQUIRE_CHROMIUM=1) but not installed")
        pytest.skip("chromium is not installed")
    page = tmp_path / "b.html"
    backtest(WXR, moderator.review_many).write_html(page)
    common = [
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
    ]
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()], capture_output=True, timeout=120, check=False
    )
    text = dom.stdout.decode(errors="replace")
    assert 'id="confusion"' in text and 'id="disagreements"' in text and "<svg" in text, dom.stderr[-2000:]
    shot = tmp_path / "b.png"
    proc = subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1200,1600", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.exists(), proc.stderr.decode(errors="replace")[-2000:]
    assert shot.stat().st_size > 30_000  # a blank page compresses to about 11 kB


def test_cli_backtest_writes_json_and_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["backtest", str(WXR), "--report", str(tmp_path / "b.html")])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["compared"] == 15 and out["model_version"]
    assert (tmp_path / "b.html").stat().st_size > 2000
    assert main(["backtest", str(tmp_path / "missing.xml")]) == 2


# -- the site head ----------------------------------------------------------------------------------


def test_allowed_mask_reads_ham_as_anything_but_spam() -> None:
    m = allowed_mask(["spam", "ham", "praise"], ["complaint", "none", "praise", "rant", "spam"])
    assert m.tolist() == [
        [False, False, False, False, True],
        [True, True, True, True, False],
        [False, False, True, False, False],
    ]


def test_site_head_learns_the_sites_spam_and_stays_near_the_base(moderator: Moderator) -> None:
    pipeline = moderator.pipeline
    # on this site, tarot-reading comments are a bot's: the shipped model cannot know that
    site_spam = [
        f"Lovely post {i}! My aunt reads tarot cards every morning, ask her anything" for i in range(12)
    ]
    site_ham = [f"The sleeve pattern in step {i} was clear, thanks" for i in range(12)]
    X = features(pipeline, site_spam + site_ham)
    labels = ["spam"] * 12 + ["ham"] * 12
    adapted = fit_site_head(pipeline, X, labels, alpha=1.0)
    spam_col = list(pipeline.classes_).index("spam")
    probe = ["Nice one! My aunt reads tarot cards every morning"]
    before = pipeline.predict_proba(probe)[0, spam_col]
    after = adapted.predict_proba(probe)[0, spam_col]
    assert after > before
    # a huge penalty leaves the base model as it was (up to the intercept's own small penalty)
    still = fit_site_head(pipeline, X, labels, alpha=1e9).steps[-1][1]
    assert isinstance(still, SiteHead) and abs(still.coef_).max() < 1e-6
    unrelated = ["The delivery was late and nobody answered my e-mail"]
    assert np.allclose(
        pipeline.predict_proba(unrelated),
        fit_site_head(pipeline, X, labels, alpha=1e9, mode="intercept").predict_proba(unrelated),
        atol=0.2,
    )


def test_train_site_writes_a_model_directory_with_its_card(tmp_path: Path) -> None:
    shipped = hashlib.sha256((shipped_model_path() / "model.joblib").read_bytes()).hexdigest()
    out = tmp_path / "site-model"
    rc = main(["train", "--site", str(WXR), "--site-name", "Ridgeline", "-o", str(out)])
    assert rc == 0
    card = json.loads((out / "model.json").read_text(encoding="utf-8"))
    site = card["site_adaptation"]["site_data"]
    assert site["rows"] == 14 and site["by_source_and_label"] == {"export:ham": 11, "export:spam": 3}
    assert len(site["sha256"]) == 64 and site["export"]["left_out"]["staff"] == 2
    card_text = (out / "model.json").read_text(encoding="utf-8")
    for c in read_comments(WXR):
        assert c.text[:40] not in card_text  # never a text
    m = Moderator(model=out, trusted=True)
    assert m.model_version != Moderator().model_version
    assert m.classify("Cheap flights, visit cheapflights-now.example today!").label.value == "spam"
    assert hashlib.sha256((shipped_model_path() / "model.joblib").read_bytes()).hexdigest() == shipped
    # The same export gives the same model file from `commentcare train --site` (each run in a
    # fresh process: which strings of the unpickled base model are shared objects depends on what
    # the process imported first, and a pickle records that sharing, not only the values).
    for name in ("once", "again"):
        subprocess.run(
            [sys.executable, "-m", "commentcare", "train", "--site", str(WXR), "-o", str(tmp_path / name)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    assert (tmp_path / "again" / "model.joblib").read_bytes() == (
        tmp_path / "once" / "model.joblib"
    ).read_bytes()


def test_train_site_never_overwrites_the_shipped_model() -> None:
    labels = load_site_labels(WXR)
    with pytest.raises(InputError, match="shipped model"):
        adapt_model(labels, shipped_model_path())


def test_a_bad_label_names_the_file_and_row(tmp_path: Path) -> None:
    p = tmp_path / "labels.csv"
    p.write_text("text,label\nfine post,ham\nbuy now,spamm\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"labels\.csv.*2") as exc:
        load_site_labels(labelled=[p])
    assert "spamm" in str(exc.value)


# -- suggest-labels and the loop ----------------------------------------------------------------------


def test_pattern_key_masks_numbers_and_links() -> None:
    assert pattern_key("Visit http://a.example/1 for 50% off!") == pattern_key(
        "visit https://b.example for 70% OFF"
    )


def test_suggest_labels_picks_diverse_uncertain_comments(moderator: Moderator, tmp_path: Path) -> None:
    picks = suggest_labels(EXAMPLES / "comments.csv", moderator.classify_many, 5)
    assert len(picks) == 5
    assert len({pattern_key(p.comment.text) for p in picks}) == 5
    assert [p.uncertainty for p in picks] != [] and all(0 <= p.uncertainty <= 1 for p in picks)
    everything = suggest_labels(EXAMPLES / "comments.csv", moderator.classify_many, 1000)
    assert len(everything) <= 30 and max(p.uncertainty for p in everything) == max(
        p.uncertainty for p in picks
    )
    write_suggestions(picks, tmp_path / "to-label.csv")
    with open(tmp_path / "to-label.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == COLUMNS and all(r["label"] == "" for r in rows)


def test_the_whole_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """suggest-labels -> a person labels -> train --site with the labels -> the model uses them."""
    to_label = tmp_path / "to-label.csv"
    assert main(["suggest-labels", str(WXR), "-n", "4", "-o", str(to_label), "--site-name", "Ridgeline"]) == 0
    with open(to_label, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4
    for r in rows:
        r["label"] = "spam" if r["site_decision"] == "spam" else "ham"
    rows[-1]["label"] = ""  # not labelled yet: skipped, not an error
    with open(to_label, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        w.writeheader()
        w.writerows(rows)
    out = tmp_path / "m"
    assert main(["train", "--site", str(WXR), "--extra", str(to_label), "-o", str(out)]) == 0
    card = json.loads((out / "model.json").read_text(encoding="utf-8"))
    counts = card["site_adaptation"]["site_data"]["by_source_and_label"]
    assert sum(v for k, v in counts.items() if k.startswith("labelled:")) == 3
    again = tmp_path / "again.csv"
    assert main(["suggest-labels", str(WXR), "-n", "4", "-o", str(again), "--exclude", str(to_label)]) == 0
    with open(again, encoding="utf-8", newline="") as fh:
        texts = {r["text"] for r in csv.DictReader(fh)}
    assert not texts & {r["text"] for r in rows if r["label"]}


def test_train_site_learns_from_the_feedback_database(tmp_path: Path) -> None:
    from commentcare.feedback import FeedbackStore

    db = tmp_path / "feedback.sqlite3"
    with FeedbackStore(db) as store:
        store.record(
            "My aunt reads tarot cards every morning, ask her", "spam", verdict="praise", source="cli"
        )
        store.record("The sleeve pattern was clear, thanks", "ham", verdict="spam", source="akismet")
        store.record("Loved the colourway in the last photo", "praise", verdict="none", source="api")
        store.record("a secret text", "spam", keep_text=False, source="perspective")
    out = tmp_path / "m"
    rc = main(["train", "--site", str(WXR), "--feedback", str(db), "-o", str(out)])
    assert rc == 0
    site = json.loads((out / "model.json").read_text(encoding="utf-8"))["site_adaptation"]["site_data"]
    assert site["by_source_and_label"]["feedback:spam"] == 1
    assert site["by_source_and_label"]["feedback:ham"] == 1
    assert site["by_source_and_label"]["feedback:praise"] == 1
    assert site["skipped"]["feedback_without_text"] == 1
    # a missing database is an error naming it, not an empty one created on the spot
    assert main(["train", "--site", str(WXR), "--feedback", str(tmp_path / "nope.db"), "-o", str(out)]) == 2
    assert not (tmp_path / "nope.db").exists()


def test_backtest_bad_records_stop_or_go_to_the_errors_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(
        "id,status,created_at,text\n1,approved,,A fine post thanks\n2,spam,not-a-date,buy pills\n"
        "3,approved,,Thanks for the tips\n",
        encoding="utf-8",
    )
    assert main(["backtest", str(p), "--json", str(tmp_path / "s.json")]) == 2  # stops, naming the record
    errors = tmp_path / "errors.jsonl"
    assert main(["backtest", str(p), "--json", str(tmp_path / "s.json"), "--errors", str(errors)]) == 0
    [bad] = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert bad["source"] == str(p) and bad["record"] == 3  # the CSV line
    assert "not a date" in bad["error"]
    s = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert s["compared"] == 2 and s["counts"]["left_out"]["errors"] == 1
