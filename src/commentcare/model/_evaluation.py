"""Scoring a model on labelled comments of ours (per class and a confusion matrix).

The zero-shot benchmarks on public sets are data-set-specific and live outside the package
(``scripts/public_data.py benchmarks`` in the repository).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["evaluate_labelled"]


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
