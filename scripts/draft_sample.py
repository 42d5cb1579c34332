"""Draft replies for a fixed sample of real public comments and measure them.

The sample: 50 comments from the evaluation sets beside the checkout (never trained on): 20
complaints (10 airline tweets whose annotators gave a negative reason, 10 tweets the complaints
set labels as complaints), 15 praise (8 positive review sentences, 7 positive airline tweets) and 15
rants (news comments the UCC annotators call hostile or antagonising, and not healthy). The sets
carry no first names, so each comment is given one from a fixed list (the way a real comment has
its author's), and a draft can greet someone.

It writes a Markdown file a person can read (each comment, what commentcare made of it, both
drafts, and blank "judgement" lines to fill in) and prints the measured shares:

* distinct first drafts, with the first name masked;
* drafts that contain a detail of their own comment: a word of the comment (four letters or more,
  not a stop word) or a number from it, that the template does not carry on its own;
* drafts with a broken joint: a doubled word, a space before punctuation, doubled punctuation, a
  leftover brace, empty quotes;
* complaint drafts that name a problem and give a next step.

``--source corpus`` drafts for 50 comments of the project's own corpus instead (20 complaints, 15
praise, 15 rants): that is the sample to develop the rules and the pack on, so that the real
sample stays a measurement.

Usage: python scripts/draft_sample.py [--source public|corpus] [--data DIR] [--out drafts.md] [--seed 2026]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
from pathlib import Path

from commentcare import Comment, Moderator

NAMES = [
    "Dana",
    "Amira",
    "Tom",
    "Priya",
    "Lukas",
    "Grace",
    "Mateo",
    "Chloe",
    "Sam",
    "Ines",
    "Oliver",
    "Hana",
    "Marcus",
    "Zoe",
    "Ravi",
    "Elena",
    "Kwame",
    "Lucy",
    "Ben",
    "Aiko",
    "Nora",
    "Felix",
    "Maya",
    "Jonas",
    "Leila",
    "Omar",
    "Ruth",
    "Diego",
    "Sofia",
    "Aaron",
    "Yuki",
    "Clara",
    "Ethan",
    "Mina",
    "Joel",
    "Ada",
    "Theo",
    "Iris",
    "Hugo",
    "Nia",
    "Paul",
    "Vera",
    "Ivan",
    "Lena",
    "Max",
    "Rosa",
    "Adam",
    "Ella",
    "Kofi",
    "June",
]
_STOP = {
    "this",
    "that",
    "with",
    "from",
    "have",
    "they",
    "them",
    "their",
    "there",
    "what",
    "when",
    "were",
    "your",
    "about",
    "would",
    "could",
    "should",
    "been",
    "will",
    "just",
    "like",
    "than",
    "then",
    "also",
    "only",
    "very",
    "really",
    "into",
    "over",
    "more",
    "some",
    "much",
    "many",
    "such",
    "even",
    "here",
    "where",
    "which",
    "while",
    "because",
    "after",
    "before",
    "again",
    "still",
    "being",
    "does",
    "doing",
    "done",
    "dont",
    "cant",
    "wont",
    "didnt",
    "thanks",
    "thank",
    "please",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}|\d[\d,.:#-]*\d|\d")
_BROKEN = (
    re.compile(r"\b(\w+) \1\b", re.I),  # a doubled word
    re.compile(r" [,.!?;:]"),  # a space before punctuation
    re.compile(r"[,;:]\s*[,.;:]|\.\.(?!\.)|\?\."),  # doubled punctuation
    re.compile(r"[{}\[\]]"),  # a leftover brace or bracket
    re.compile(r"\"\s*\"|''"),  # empty quotes
)


def _data_dir(arg: str | None) -> Path:
    here = Path(__file__).resolve().parents[1]
    for cand in (arg, os.environ.get("COMMENTCARE_SHARED_DATA"), here.parent / "shared" / "data"):
        if cand and Path(cand).is_dir():
            return Path(cand)
    sys.exit("no evaluation data: pass --data DIR or set COMMENTCARE_SHARED_DATA")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def sample(data: Path, seed: int) -> list[tuple[str, str]]:
    """(gold class, text) for the fixed sample, in a shuffled but fixed order."""
    rng = random.Random(seed)
    airline = _rows(data / "twitter-airline-sentiment" / "Tweets.csv")
    neg = [
        r["text"]
        for r in airline
        if r["airline_sentiment"] == "negative"
        and r["negativereason"] not in ("", "Can't Tell")
        and float(r["airline_sentiment_confidence"] or 0) >= 1.0
    ]
    pos = [
        r["text"]
        for r in airline
        if r["airline_sentiment"] == "positive" and float(r["airline_sentiment_confidence"] or 0) >= 1.0
    ]
    complaints = [
        r["text"]
        for r in _rows(data / "complaints-social-media" / "complaints.csv")
        if r["label"] == "complaint"
    ]
    sentences = [
        r["text"]
        for r in _rows(data / "sentiment-labelled-sentences" / "sentences.csv")
        if r["label"] == "positive"
    ]
    ucc = _rows(data / "unhealthy-comments-ucc" / "test.csv")
    rants = [
        r["comment"]
        for r in ucc
        if r["healthy"] == "0" and (r["hostile"] == "1" or r["antagonize"] == "1") and len(r["comment"]) < 600
    ]
    picked: list[tuple[str, str]] = []
    seen: set[str] = set()
    for gold, pool, n in (
        ("complaint", neg, 10),
        ("complaint", complaints, 10),
        ("praise", sentences, 8),
        ("praise", pos, 7),
        ("rant", rants, 15),
    ):
        pool = sorted(set(pool) - seen)
        for text in rng.sample(pool, n):
            seen.add(text)
            picked.append((gold, text))
    rng.shuffle(picked)
    return picked


def corpus_sample(seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    path = Path(__file__).resolve().parents[1] / "corpus" / "corpus.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    picked: list[tuple[str, str]] = []
    for label, n in (("complaint", 20), ("praise", 15), ("rant", 15)):
        pool = sorted({r["text"] for r in rows if r["label"] == label})
        picked += [(label, t) for t in rng.sample(pool, n)]
    rng.shuffle(picked)
    return picked


def detail_of(comment: str, draft: str, bare: str, name: str) -> list[str]:
    """Words or numbers of the comment that the draft carries and its bare template does not."""
    said = {w.lower().rstrip(".,") for w in _WORD.findall(comment)} - _STOP
    stems = {w[:5] for w in said if len(w) >= 5}
    bare_words = {w.lower() for w in _WORD.findall(bare)}
    found = []
    for w in _WORD.findall(draft):
        lw = w.lower().rstrip(".,")
        if lw in bare_words or lw == name.lower() or lw in _STOP:
            continue
        if lw in said or (len(lw) >= 5 and lw[:5] in stems):
            found.append(w)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", choices=("public", "corpus"), default="public")
    ap.add_argument("--data")
    ap.add_argument("--out", default="drafts.md")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    picked = corpus_sample(args.seed) if args.source == "corpus" else sample(_data_dir(args.data), args.seed)
    comments = [Comment(text, id=f"s{i}", author=NAMES[i % len(NAMES)]) for i, (_, text) in enumerate(picked)]
    m = Moderator()
    reviews = list(m.review_many(comments))
    pack = m.replies
    firsts: list[str] = []
    specific = broken = with_draft = 0
    complaint_ok = complaint_n = 0
    lines = ["# Drafts for a fixed sample of real public comments", ""]
    for (gold, text), r in zip(picked, reviews):
        name = r.comment.author or ""
        lines += [f"## {r.comment.id} (gold: {gold}; commentcare: {r.label.value}, {r.action.value})", ""]
        lines += ["> " + " ".join(text.split()), "", "reasons: " + "; ".join(r.reasons), ""]
        if not r.replies:
            lines += ["(no draft)", "", "judgement: no draft is right? ___", ""]
            continue
        with_draft += 1
        first = r.replies[0]
        firsts.append(first.text.replace(name, "NAME"))
        template = next(t for ts in pack.templates.values() for t in ts if t.id == first.template)
        bare = pack.render_text(template, {})
        details = detail_of(text, first.text, bare, name)
        specific += bool(details)
        bad = [rx.pattern for rx in _BROKEN if rx.search(first.text)]
        broken += bool(bad)
        if r.label.value == "complaint" and first.template.startswith("complaint."):
            complaint_n += 1
            reason = r.reasons[0]
            complaint_ok += reason.startswith("names a specific problem")
        for i, reply in enumerate(r.replies, 1):
            lines += [f"draft {i} ({reply.template}):", "", "    " + reply.text.replace("\n", "\n    "), ""]
        lines += [
            f"details carried: {', '.join(details) or 'none'}" + (f"; BROKEN: {bad}" if bad else ""),
            "",
        ]
        lines += ["judgement: sendable ___ personal ___ specific ___ tone ___", ""]
    Path(args.out).write_text("\n".join(lines), encoding="utf-8")
    summary = {
        "comments": len(reviews),
        "with_draft": with_draft,
        "no_draft": len(reviews) - with_draft,
        "distinct_first_drafts": round(len(set(firsts)) / max(1, len(firsts)), 3),
        "drafts_with_a_detail": round(specific / max(1, with_draft), 3),
        "drafts_with_a_broken_joint": broken,
        "complaint_drafts_naming_a_problem": f"{complaint_ok}/{complaint_n}",
        "labels": {
            lbl: sum(r.label.value == lbl for r in reviews) for lbl in ("spam", "rant", "praise", "complaint")
        },
        "out": args.out,
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
