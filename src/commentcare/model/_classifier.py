"""Batch prediction: from comments to :class:`Classification` objects."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice, repeat
from typing import Any

import numpy as np

from commentcare._errors import InputError, ModelError
from commentcare._types import Classification, Comment, Label, comment_of_text, new_classification
from commentcare.model._language import english_mask
from commentcare.model._store import LoadedModel
from commentcare.model._text import PreparedBatch

__all__ = ["BATCH_SIZE", "Classifier", "as_comment", "refuse_blank"]

log = logging.getLogger(__name__)

#: Comments are featurised and scored this many at a time: large enough that per-batch NumPy
#: work is amortised, small enough that memory stays flat on any input size.
BATCH_SIZE = 2048

_ACCEPTED = frozenset({str, Comment})

#: The fifth outcome a model may know: the comment fits none of the four labels.
NONE = "none"


def as_comment(item: Comment | str) -> Comment:
    if type(item) is str:  # the common case first
        return comment_of_text(item)  # Comment(text=item), without the frozen __init__'s cost
    if isinstance(item, Comment):
        return item
    if isinstance(item, str):
        return comment_of_text(item)
    raise TypeError(f"expected a str or a Comment, got {type(item).__name__}")


def _text(item: Comment | str) -> str:
    return item if isinstance(item, str) else item.text


def refuse_blank(comments: Sequence[Comment | str], start: int = 0) -> None:
    """A blank comment has nothing to classify: without this it would read as praise and be
    approved with a thank-you. Readers report such records; an API caller gets an InputError."""
    for i, item in enumerate(comments):
        if isinstance(item, (str, Comment)) and not _text(item).strip():
            raise InputError(
                "the comment is empty or only whitespace: there is nothing to classify", record=start + i
            )


def batched(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


class Classifier:
    """Wraps a verified, fitted pipeline and turns its probabilities into classifications.

    The pipeline knows the four labels and, from model v2 on, a fifth outcome ``none``; a model
    without it reads as one whose ``other`` is always 0.
    """

    def __init__(self, model: LoadedModel) -> None:
        self.model = model
        pipeline = model.pipeline
        try:
            outcomes = [str(c) for c in pipeline.classes_]
        except AttributeError as exc:
            raise ModelError(f"{model.path}: the pipeline has no classes") from exc
        known = {lbl.value for lbl in Label} | {NONE}
        if not {lbl.value for lbl in Label} <= set(outcomes) or not set(outcomes) <= known:
            raise ModelError(
                f"{model.path}: the model knows {sorted(outcomes)}, not the four labels (and none)"
            )
        # Columns picked once so that scores always come in Label order.
        self.labels: tuple[Label, ...] = tuple(Label)
        self._order = np.array([outcomes.index(lbl.value) for lbl in Label])
        self._none = outcomes.index(NONE) if NONE in outcomes else None
        self.threshold = model.card.unsure_threshold
        self.version = model.card.version

    def predict_batch(self, comments: Sequence[Comment | str]) -> list[Classification]:
        return list(self.predict_prepared(comments)[0])

    def predict_prepared(
        self, comments: Sequence[Comment | str], start: int = 0
    ) -> tuple[Iterator[Classification], PreparedBatch]:
        """Classify a batch; also return its prepared form, which reviews reuse.

        The classifications are built as they are read, so a consumer that handles one at a time
        keeps only one alive. ``start`` is the index of the batch's first item in the caller's
        input, for the error a blank comment raises.
        """
        refuse_blank(comments, start)
        pipeline = self.model.pipeline
        batch: PreparedBatch = pipeline[0].transform(comments)
        if not comments:
            return iter(()), batch
        proba = np.asarray(pipeline[1:].predict_proba(batch), dtype=np.float64)
        four = proba[:, self._order]
        other = proba[:, self._none] if self._none is not None else np.zeros(len(proba))
        total = four.sum(axis=1, keepdims=True)
        scores = np.divide(four, total, out=np.full_like(four, 1 / len(self.labels)), where=total > 0)
        best = scores.argmax(axis=1)
        confidence = four[np.arange(len(best)), best]
        english = english_mask(batch)
        unsure = (other >= confidence) | (confidence < self.threshold) | ~english
        labels = self.labels
        s, r, p, q = labels
        score_maps = ({s: a, r: b, p: c, q: d} for a, b, c, d in zip(*scores.T.tolist()))
        out = map(
            new_classification,
            map(labels.__getitem__, best.tolist()),
            confidence.tolist(),
            score_maps,
            unsure.tolist(),
            repeat(self.version, len(best)),
            other.tolist(),
        )
        return out, batch

    def classify_many(
        self, items: Iterable[Comment | str], batch_size: int = BATCH_SIZE
    ) -> Iterator[Classification]:
        start = 0
        for batch in batched(items, batch_size):
            # Strings go to the featuriser as they are: no Comment is built.
            if not _ACCEPTED.issuperset(map(type, batch)):  # else: subclasses, or a wrong type
                for x in batch:
                    if not isinstance(x, (str, Comment)):
                        raise TypeError(f"expected a str or a Comment, got {type(x).__name__}")
            yield from self.predict_prepared(batch, start)[0]
            start += len(batch)
