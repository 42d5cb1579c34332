"""Zero-shot evaluation on real, public comment sets the model never trained on.

Each set has labels of its own; :data:`BENCHMARKS` says how they are read and scored, as data.
There are two kinds of set:

* **polarity** sets hold only opinions: the four renormalised ``scores`` decide, and a comment
  is negative when ``scores[complaint] + scores[rant] > 0.5``;
* **detection** sets ask "this, or anything else, neutral text included": the absolute
  probability ``scores[label] * (1 - other)`` decides.

Rows whose text (lower-cased, spaces collapsed) is in a trainable set or the corpus are left out,
so a score never rewards memory. The sets are read from a shared data directory (not shipped:
their licences allow evaluation only) and skipped cleanly when absent.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from commentcare._types import Action, Classification, Label, Review

__all__ = ["BENCHMARKS", "Benchmark", "evaluate_labelled", "run_benchmarks", "trainable_texts"]


@dataclass(frozen=True)
class Benchmark:
    """One evaluation set: where it is, which rows are positive, and how a model is scored."""

    name: str
    file: str  # relative to the shared data directory
    text_column: str
    positive: Callable[[dict[str, str]], bool | None]  # None: the row is left out
    kind: str  # "polarity", "detection" or "neutral"
    metric: str  # "macro_f1", "f1_positive", "roc_auc", "neutral_actions"
    definition: str
    target: str


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _abs(c: Classification, label: Label) -> float:
    return c.scores[label] * (1.0 - c.other)


def _negative_share(c: Classification) -> float:
    return c.scores[Label.COMPLAINT] + c.scores[Label.RANT]


#: How each set is scored; every definition is the one the model issue gives.
BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "youtube_spam",
        "youtube-spam-collection/youtube_spam_combined.csv",
        "text",
        lambda r: r["label"] == "spam",
        "detection",
        "f1_positive",
        "F1 of spam; predicted spam when scores[spam] * (1 - other) > 0.5",
        ">= 0.92",
    ),
    Benchmark(
        "complaints",
        "complaints-social-media/complaints.csv",
        "text",
        lambda r: r["label"] == "complaint",
        "detection",
        "macro_f1",
        "macro-F1 of complaint vs not; predicted complaint when (scores[complaint] + scores[rant]) * (1 - other) > 0.5",
        ">= 0.75",
    ),
    Benchmark(
        "ucc_rant",
        "unhealthy-comments-ucc/test.csv",
        "comment",
        lambda r: r["hostile"] == "1" or r["antagonize"] == "1",
        "detection",
        "roc_auc",
        "AUC of scores[rant] * (1 - other) for hostile or antagonize",
        ">= 0.80",
    ),
    Benchmark(
        "airline",
        "twitter-airline-sentiment/Tweets.csv",
        "text",
        lambda r: None if r["airline_sentiment"] == "neutral" else r["airline_sentiment"] == "negative",
        "polarity",
        "macro_f1",
        "macro-F1 of positive vs negative (neutral left out); negative when scores[complaint] + scores[rant] > 0.5",
        ">= 0.85",
    ),
    Benchmark(
        "review_sentences",
        "sentiment-labelled-sentences/sentences.csv",
        "text",
        lambda r: r["label"] == "negative",
        "polarity",
        "macro_f1",
        "macro-F1 of positive vs negative; negative when scores[complaint] + scores[rant] > 0.5",
        ">= 0.85",
    ),
    Benchmark(
        "airline_neutral",
        "twitter-airline-sentiment/Tweets.csv",
        "text",
        lambda r: True if r["airline_sentiment"] == "neutral" else None,
        "neutral",
        "neutral_actions",
        "of the tweets annotated neutral: the share removed as spam (action remove) and the share"
        " auto-approved as praise (label praise, action approve_and_reply)",
        "removed <= 3%, approved <= 5%",
    ),
)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def trainable_texts(shared_data: Path, corpus: Iterable[Path] = ()) -> set[str]:
    """The normalised texts of every trainable set under ``shared_data`` and of the corpus files."""
    seen: set[str] = set()
    from commentcare.model._training import _tweet  # the Davidson tweets are trained on cleaned

    for rel, column in (
        ("civil-comments-cc0/civil_comments.csv", "text"),
        ("toxic-spans-cc0/toxic_spans.csv", "text"),
        ("goemotions-apache2/goemotions.csv", "text"),
        ("banking77-ccby4/train.csv", "text"),
        ("banking77-ccby4/test.csv", "text"),
        ("davidson-hate-offensive-mit/labeled_data.csv", "tweet"),
    ):
        path = shared_data / rel
        if path.is_file():
            for r in _rows(path):
                seen.add(_norm(r[column]))
                if column == "tweet":
                    seen.add(_norm(_tweet(r[column])))
    clinc = shared_data / "clinc150-ccby3" / "data_full.json"
    if clinc.is_file():
        for pairs in json.loads(clinc.read_text(encoding="utf-8")).values():
            seen.update(_norm(text) for text, _ in pairs)
    for path in corpus:
        if path.is_file():
            with open(path, encoding="utf-8") as fh:
                seen.update(_norm(json.loads(line)["text"]) for line in fh if line.strip())
    return seen


def _load(b: Benchmark, path: Path, exclude: set[str]) -> tuple[list[str], list[bool], int]:
    """Texts and truth, deduplicated; also how many rows were left out as seen in training."""
    texts: list[str] = []
    truth: list[bool] = []
    seen: set[str] = set()
    left_out = 0
    for row in _rows(path):
        y = b.positive(row)
        text = row[b.text_column]
        key = _norm(text)
        if y is None or not key or key in seen:
            continue
        seen.add(key)
        if key in exclude:
            left_out += 1
            continue
        texts.append(text)
        truth.append(y)
    return texts, truth, left_out


def _score(b: Benchmark, truth: np.ndarray, reviews: Sequence[Review]) -> dict[str, Any]:
    from sklearn.metrics import f1_score, roc_auc_score

    cs = [r.classification for r in reviews]
    if b.metric == "neutral_actions":
        removed = np.mean([r.action is Action.REMOVE for r in reviews])
        approved = np.mean(
            [r.label is Label.PRAISE and r.action is Action.APPROVE_AND_REPLY for r in reviews]
        )
        return {
            "value": round(float(removed), 4),
            "removed_as_spam": round(float(removed), 4),
            "approved_as_praise": round(float(approved), 4),
        }
    if b.name == "youtube_spam":
        pred = np.array([_abs(c, Label.SPAM) > 0.5 for c in cs])
        return {"value": round(float(f1_score(truth, pred)), 4)}
    if b.name == "ucc_rant":
        score = np.array([_abs(c, Label.RANT) for c in cs])
        return {"value": round(float(roc_auc_score(truth, score)), 4)}
    if b.kind == "detection":  # complaints: complaint or rant, absolute
        pred = np.array([_negative_share(c) * (1.0 - c.other) > 0.5 for c in cs])
    else:  # polarity: the four renormalised scores
        pred = np.array([_negative_share(c) > 0.5 for c in cs])
    return {"value": round(float(f1_score(truth, pred, average="macro")), 4)}


def run_benchmarks(
    review_many: Callable[[Sequence[str]], Iterable[Review]],
    shared_data: Path,
    names: Sequence[str] | None = None,
    *,
    exclude: set[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Score a model on every benchmark found under ``shared_data``; absent sets are skipped.

    ``review_many`` reviews texts (``Moderator.review_many``); ``exclude`` holds the normalised
    texts seen in training (default: :func:`trainable_texts` of ``shared_data``).
    """
    if exclude is None:
        exclude = trainable_texts(shared_data)
    results: dict[str, dict[str, Any]] = {}
    for b in BENCHMARKS:
        if names and b.name not in names:
            continue
        path = shared_data / b.file
        if not path.is_file():
            results[b.name] = {"skipped": f"{b.file} not found"}
            continue
        texts, truth, left_out = _load(b, path, exclude)
        reviews = list(review_many(texts))
        results[b.name] = {
            "metric": b.metric,
            **_score(b, np.asarray(truth), reviews),
            "n": len(texts),
            "positives": int(np.sum(truth)),
            "left_out_seen_in_training": left_out,
            "definition": b.definition,
            "target": b.target,
            "file": b.file,
            "sha256": file_sha256(path),
        }
    return results


def evaluate_labelled(
    predict: Callable[[Sequence[Any]], list[str]], items: Sequence[Any], truth: Sequence[str]
) -> dict[str, Any]:
    """Per-class precision/recall/F1 and a confusion matrix on a labelled set of ours.

    Labels are the four and ``none``; a prediction is ``none`` when the model says the comment
    fits none of the four.
    """
    from sklearn.metrics import classification_report, confusion_matrix, f1_score

    pred = predict(items)
    labels = [lbl for lbl in ("spam", "rant", "praise", "complaint", "none") if lbl in set(truth) | set(pred)]
    return {
        "n": len(truth),
        "macro_f1": round(float(f1_score(truth, pred, labels=labels, average="macro", zero_division=0)), 4),
        "report": classification_report(truth, pred, labels=labels, output_dict=True, zero_division=0),
        "confusion": {"labels": labels, "matrix": confusion_matrix(truth, pred, labels=labels).tolist()},
    }
