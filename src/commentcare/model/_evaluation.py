"""Zero-shot evaluation on real, public comment sets the model never trained on.

Each set has labels of its own; :data:`BENCHMARKS` maps them onto ours honestly and names the
metric. The sets are read from a ``shared data`` directory (not shipped: their licences allow
evaluation only) and skipped cleanly when absent. Texts are deduplicated within each set.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["BENCHMARKS", "Benchmark", "benchmark_pipeline", "evaluate_labelled", "run_benchmarks"]

LABELS = ("spam", "rant", "praise", "complaint")


@dataclass(frozen=True)
class Benchmark:
    name: str
    file: str  # relative to the shared data directory
    metric: str
    mapping: str
    load: Callable[[Path], tuple[list[str], list[int]]]  # texts, binary truth
    score: Callable[[np.ndarray], np.ndarray]  # probabilities (n, 4 in LABELS order) -> positive score
    anchor: str


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _unique(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    seen: set[str] = set()
    texts, ys = [], []
    for text, y in pairs:
        key = " ".join(text.split()).lower()
        if key and key not in seen:
            seen.add(key)
            texts.append(text)
            ys.append(y)
    return texts, ys


def _youtube(p: Path) -> tuple[list[str], list[int]]:
    # All 1,956 rows: the published figures are on the full set, duplicates included.
    rows = _rows(p)
    return [r["text"] for r in rows], [int(r["label"] == "spam") for r in rows]


def _complaints(p: Path) -> tuple[list[str], list[int]]:
    return _unique([(r["text"], int(r["label"] == "complaint")) for r in _rows(p)])


def _ucc(p: Path) -> tuple[list[str], list[int]]:
    return _unique([(r["comment"], int(r["hostile"] == "1" or r["antagonize"] == "1")) for r in _rows(p)])


def _airline(p: Path) -> tuple[list[str], list[int]]:
    return _unique(
        [
            (r["text"], int(r["airline_sentiment"] == "positive"))
            for r in _rows(p)
            if r["airline_sentiment"] != "neutral"
        ]
    )


def _sentences(p: Path) -> tuple[list[str], list[int]]:
    return _unique([(r["text"], int(r["label"] == "positive")) for r in _rows(p)])


_I = {lbl: i for i, lbl in enumerate(LABELS)}


def _p_spam(P: np.ndarray) -> np.ndarray:
    return np.asarray(P[:, _I["spam"]])


def _p_voiced(P: np.ndarray) -> np.ndarray:  # complaint or rant: a breached expectation
    return np.asarray(P[:, _I["complaint"]] + P[:, _I["rant"]])


def _p_rant(P: np.ndarray) -> np.ndarray:
    return np.asarray(P[:, _I["rant"]])


def _p_positive(P: np.ndarray) -> np.ndarray:  # praise against complaint + rant, spam's mass set aside
    pos = P[:, _I["praise"]]
    neg = P[:, _I["complaint"]] + P[:, _I["rant"]]
    return np.asarray(pos / np.maximum(pos + neg, 1e-12))


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "youtube_spam",
        "youtube-spam-collection/youtube_spam_combined.csv",
        "f1_positive",
        "spam -> positive; ham -> negative; predicted positive when spam is the top class",
        _youtube,
        _p_spam,
        "TubeSpam classifiers trained on the set: 92-97% accuracy",
    ),
    Benchmark(
        "complaints",
        "complaints-social-media/complaints.csv",
        "macro_f1_top",
        "complaint -> positive; predicted positive when the model's label is complaint or rant",
        _complaints,
        _p_voiced,
        "trained on the set: 79 (logistic regression), 87 (transformers)",
    ),
    Benchmark(
        "ucc_rant",
        "unhealthy-comments-ucc/test.csv",
        "roc_auc",
        "hostile or antagonize -> positive; score P(rant)",
        _ucc,
        _p_rant,
        "BERT trained on the corpus: AUC 0.84 (hostile) / 0.82 (antagonistic)",
    ),
    Benchmark(
        "airline",
        "twitter-airline-sentiment/Tweets.csv",
        "macro_f1",
        "positive -> positive, negative -> negative, neutral dropped; positive when "
        "P(praise) > P(complaint) + P(rant)",
        _airline,
        _p_positive,
        "none published",
    ),
    Benchmark(
        "review_sentences",
        "sentiment-labelled-sentences/sentences.csv",
        "macro_f1",
        "positive -> positive, negative -> negative; positive when P(praise) > P(complaint) + P(rant)",
        _sentences,
        _p_positive,
        "none published",
    ),
)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _metric(name: str, y: np.ndarray, score: np.ndarray, P: np.ndarray) -> float:
    from sklearn.metrics import f1_score, roc_auc_score

    if name == "roc_auc":
        return float(roc_auc_score(y, score))
    if name == "f1_positive":
        pred = (P.argmax(axis=1) == _I["spam"]).astype(int)
        return float(f1_score(y, pred))
    if name == "macro_f1_top":
        top = P.argmax(axis=1)
        pred = ((top == _I["complaint"]) | (top == _I["rant"])).astype(int)
        return float(f1_score(y, pred, average="macro"))
    pred = (score >= 0.5).astype(int)
    return float(f1_score(y, pred, average="macro"))


def run_benchmarks(
    predict_proba: Callable[[Sequence[str]], np.ndarray],
    shared_data: Path,
    names: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Score a model on every benchmark found under ``shared_data``; absent sets are skipped."""
    results: dict[str, dict[str, Any]] = {}
    for b in BENCHMARKS:
        if names and b.name not in names:
            continue
        path = shared_data / b.file
        if not path.is_file():
            results[b.name] = {"skipped": f"{b.file} not found"}
            continue
        texts, truth = b.load(path)
        P = np.asarray(predict_proba(texts))
        y = np.asarray(truth)
        results[b.name] = {
            "metric": b.metric,
            "value": round(_metric(b.metric, y, b.score(P), P), 4),
            "n": len(texts),
            "positives": int(y.sum()),
            "mapping": b.mapping,
            "anchor": b.anchor,
            "file": b.file,
            "sha256": file_sha256(path),
        }
    return results


def benchmark_pipeline(
    pipeline: Any, shared_data: Path, names: Sequence[str] | None = None
) -> dict[str, dict[str, Any]]:
    """:func:`run_benchmarks` for a fitted pipeline, its columns put in :data:`LABELS` order."""
    order = [list(pipeline.classes_).index(lbl) for lbl in LABELS]
    return run_benchmarks(lambda texts: pipeline.predict_proba(list(texts))[:, order], shared_data, names)


def evaluate_labelled(
    predict: Callable[[Sequence[Any]], list[str]], items: Sequence[Any], truth: Sequence[str]
) -> dict[str, Any]:
    """Per-class precision/recall/F1 and a confusion matrix on a labelled set of ours."""
    from sklearn.metrics import classification_report, confusion_matrix, f1_score

    pred = predict(items)
    return {
        "n": len(truth),
        "macro_f1": round(
            float(f1_score(truth, pred, labels=list(LABELS), average="macro", zero_division=0)), 4
        ),
        "report": classification_report(truth, pred, labels=list(LABELS), output_dict=True, zero_division=0),
        "confusion": {
            "labels": list(LABELS),
            "matrix": confusion_matrix(truth, pred, labels=list(LABELS)).tolist(),
        },
    }
