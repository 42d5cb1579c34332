"""``commentcare train --feedback DB``: the site's corrections become training rows, and a model
trained with them follows them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from commentcare.feedback import FeedbackStore
from commentcare.model import feedback_examples
from commentcare.model._feedback import FEEDBACK_WEIGHT

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "corpus.jsonl"
LEXICON = ROOT / "corpus" / "lexicon" / "vader_lexicon.tsv"

# Praise in form, spam in fact on this site (a flattery campaign): the base model calls them praise.
FLATTERY = [
    f"Wonderful article, thank you so much for writing it! Truly inspiring work number {i}, keep it up."
    for i in range(12)
]


def test_corrections_become_rows(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    with FeedbackStore(db) as store:
        store.record("buy pills", "spam", verdict="praise", source="akismet")
        store.record("nice post", "ham", verdict="praise", source="akismet")
        store.record("cheap but honest offer", "ham", verdict="spam", source="wordpress", comment_id=3)
        store.record("you idiot", "rant", source="perspective")
        store.record("private", "complaint", keep_text=False, source="perspective")
    rows = feedback_examples(db)
    got = defaultdict(list)
    for ex in rows.examples:
        got[ex.comment.text].append((ex.label, ex.weight))
    assert got["buy pills"] == [("spam", FEEDBACK_WEIGHT)]
    assert got["nice post"] == [("praise", FEEDBACK_WEIGHT)]  # ham confirms a non-spam verdict
    assert got["you idiot"] == [("rant", FEEDBACK_WEIGHT)]
    # ham of something called spam: the weight is spread over the four outcomes that are not spam
    assert sorted(got["cheap but honest offer"]) == [(lbl, FEEDBACK_WEIGHT / 4) for lbl in
                                                    ("complaint", "none", "praise", "rant")]  # fmt: skip
    assert "private" not in got and rows.skipped_without_text == 1
    assert rows.used == {"spam": 1, "ham": 2, "rant": 1}
    assert all(ex.source == "feedback" for ex in rows.examples)


def _tiny_corpus(path: Path, per_label: int = 150) -> Path:
    taken: dict[str, int] = defaultdict(int)
    with CORPUS.open(encoding="utf-8") as src, path.open("w", encoding="utf-8") as out:
        for line in src:
            row = json.loads(line)
            if taken[row["label"]] < per_label:
                taken[row["label"]] += 1
                out.write(line)
    return path


@pytest.mark.slow
def test_train_with_feedback_follows_the_corrections(tmp_path: Path) -> None:
    if not CORPUS.is_file():
        pytest.skip("no corpus in this checkout")
    from commentcare import Moderator

    db = tmp_path / "fb.sqlite3"
    with FeedbackStore(db) as store:
        for text in FLATTERY:
            store.record(text, "spam", verdict="praise", source="wordpress")
    corpus = _tiny_corpus(tmp_path / "tiny.jsonl")
    common = [sys.executable, "-m", "commentcare", "train", "--corpus", str(corpus), "--lexicon", str(LEXICON),
              "--no-public", "--skip-benchmarks"]  # fmt: skip
    for name, extra in (("base", []), ("fed", ["--feedback", str(db)])):
        done = subprocess.run([*common, *extra, "-o", str(tmp_path / name)], capture_output=True, text=True,
                              timeout=900, check=False)  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert "feedback: 12 correction(s) used" in done.stderr
    card = json.loads((tmp_path / "fed" / "model.json").read_text(encoding="utf-8"))
    assert card["training_data"]["feedback"]["corrections_used"] == {"spam": 12}
    assert card["training_data"]["by_source_and_label"]["feedback:spam"] == 12

    base = Moderator(tmp_path / "base", trusted=True)
    fed = Moderator(tmp_path / "fed", trusted=True)
    before = [c.label.value for c in base.classify_many(FLATTERY)]
    after = [c.label.value for c in fed.classify_many(FLATTERY)]
    assert before.count("praise") >= 9  # the base model is fooled
    assert after.count("spam") >= 10  # the corrected model is not
    # and ordinary praise is still praise
    assert (
        fed.classify("Thank you for this clear and helpful explanation, it solved my problem.").label.value
        == "praise"
    )
