"""Active learning: the comments of an export whose labels would teach the model most.

Three things make a label worth asking for:

* **uncertainty**: the model's two likeliest outcomes (the four labels and none) are close, so
  a label settles a question the model cannot;
* **frequency**: the comment's pattern (lower-cased words, numbers and links masked, first
  twelve words) recurs, so one label teaches about every repeat (bot runs, stock phrases);
* **diversity**: no two picks share a pattern or most of their words, so fifty labels cover
  fifty questions, not one.

The export is streamed: a bounded pool of the most uncertain comments and a pruned counter of
patterns are all that is kept, so memory stays flat on any export. Comments already labelled in
a given file are skipped.
"""

from __future__ import annotations

import csv
import heapq
import itertools
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from commentcare._types import Classification, Comment
from commentcare.site._status import ExportCounts, site_comments

__all__ = ["COLUMNS", "Suggestion", "pattern_key", "suggest_labels", "write_suggestions"]

_MASK = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|\d+")
_WORD = re.compile(r"[a-z']+")
_MAX_PATTERNS = 200_000  # cut back to the most common half beyond this
POOL_PER_PICK = 20  # uncertain candidates kept per requested label
_SIMILAR = 0.6
_CHUNK = (
    2048  # comments classified at a time  # word-set Jaccard above which two picks count as the same question
)

#: The CSV's columns; fill in ``label`` (spam, ham, rant, praise, complaint, none) and train.
COLUMNS = (
    "id",
    "text",
    "author",
    "author_url",
    "post_title",
    "created_at",
    "site_decision",
    "model_label",
    "model_confidence",
    "uncertainty",
    "pattern_count",
    "why",
    "label",
)


def pattern_key(text: str) -> str:
    """The shape of a comment: lower-cased, links, e-mails and numbers masked, first twelve words."""
    return " ".join(_WORD.findall(_MASK.sub(" 0 ", text.lower()))[:12])


def _two_best(c: Classification) -> tuple[str, float, str, float]:
    probs = sorted(
        [*((lbl.value, p * (1 - c.other)) for lbl, p in c.scores.items()), ("none", c.other)],
        key=lambda kv: -kv[1],
    )
    return probs[0][0], probs[0][1], probs[1][0], probs[1][1]


def _uncertainty(c: Classification) -> float:
    """1 - (best - second best) over the five outcomes' absolute probabilities: 1 is a coin toss."""
    _, p1, _, p2 = _two_best(c)
    return 1.0 - (p1 - p2)


@dataclass(frozen=True)
class Suggestion:
    comment: Comment
    site_decision: str
    classification: Classification
    uncertainty: float
    pattern_count: int
    why: str


def suggest_labels(
    export: Any,
    classify_many: Callable[[Iterable[Comment]], Iterable[Classification]],
    n: int = 50,
    *,
    format: str | None = None,
    site_name: str | None = None,
    staff: Iterable[str] = (),
    exclude_texts: Iterable[str] = (),
    counts: ExportCounts | None = None,
) -> list[Suggestion]:
    """Pick ``n`` comments to label (uncertain, frequent, diverse), best first."""
    if n < 1:
        return []
    skip = {" ".join(t.split()).lower() for t in exclude_texts}
    patterns: Counter[str] = Counter()
    pool: list[tuple[float, int, Comment, str, Classification]] = []
    size = n * POOL_PER_PICK

    def consider(i: int, comment: Comment, decision: str, cls: Classification) -> None:
        nonlocal patterns
        key = pattern_key(comment.text)
        patterns[key] += 1
        if len(patterns) > _MAX_PATTERNS:
            patterns = Counter(dict(patterns.most_common(_MAX_PATTERNS // 2)))
        if skip and " ".join(comment.text.split()).lower() in skip:
            return
        entry = (_uncertainty(cls), -i, _short(comment), decision, cls)
        if len(pool) < size:
            heapq.heappush(pool, entry)
        elif entry[:2] > pool[0][:2]:
            heapq.heapreplace(pool, entry)

    stream = enumerate(
        site_comments(
            export, format=format, site_name=site_name, staff=staff, counts=counts, decided_only=False
        )
    )
    for chunk in iter(lambda: list(itertools.islice(stream, _CHUNK)), []):
        for (i, (comment, d)), cls in zip(chunk, classify_many([c for _, (c, _) in chunk])):
            consider(i, comment, "" if d is None else d.value, cls)
    # Rank by how much a label would teach: uncertainty, times how often the pattern recurs.
    ranked = sorted(
        pool,
        key=lambda e: (-(e[0] * (1.0 + math.log(patterns.get(pattern_key(e[2].text), 1)))), -e[1]),
    )
    picks: list[Suggestion] = []
    taken_keys: set[str] = set()
    taken_words: list[frozenset[str]] = []
    for u, _, comment, decision, cls in ranked:
        key = pattern_key(comment.text)
        words = frozenset(_WORD.findall(comment.text.lower()))
        if key in taken_keys or any(_jaccard(words, w) > _SIMILAR for w in taken_words):
            continue
        taken_keys.add(key)
        taken_words.append(words)
        count = patterns.get(key, 1)
        why = "{} {:.0%} against {} {:.0%}".format(*_two_best(cls))
        if count > 1:
            why += f"; its pattern recurs {count} times"
        picks.append(Suggestion(comment, decision, cls, round(u, 4), count, why))
        if len(picks) == n:
            break
    return picks


def _short(c: Comment, limit: int = 5000) -> Comment:
    return Comment(
        text=c.text[:limit],
        id=c.id,
        author=c.author,
        author_url=c.author_url,
        post_title=c.post_title,
        created_at=c.created_at,
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def write_suggestions(suggestions: Sequence[Suggestion], path: str | os.PathLike[str]) -> None:
    """Write the to-label CSV atomically; the ``label`` column is left for the person labelling."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            for s in suggestions:
                c, cls = s.comment, s.classification
                w.writerow(
                    [
                        c.id or "",
                        c.text,
                        c.author or "",
                        c.author_url or "",
                        c.post_title or "",
                        c.created_at.isoformat() if c.created_at else "",
                        s.site_decision,
                        cls.label.value,
                        f"{cls.confidence:.4f}",
                        f"{s.uncertainty:.4f}",
                        s.pattern_count,
                        s.why,
                        "",
                    ]
                )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
