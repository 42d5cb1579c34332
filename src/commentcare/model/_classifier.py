"""Batch prediction: from comments to :class:`Classification` objects."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice, repeat
from typing import Any

import numpy as np

from commentcare._errors import ModelError
from commentcare._types import Classification, Comment, Label
from commentcare.model._store import LoadedModel
from commentcare.model._text import PreparedBatch

__all__ = ["BATCH_SIZE", "Classifier", "as_comment"]

#: Comments are featurised and scored this many at a time: large enough that per-batch NumPy
#: work is amortised, small enough that memory stays flat on any input size.
BATCH_SIZE = 2048

_ACCEPTED = frozenset({str, Comment})


def as_comment(item: Comment | str) -> Comment:
    if isinstance(item, Comment):
        return item
    if isinstance(item, str):
        return Comment(text=item)
    raise TypeError(f"expected a str or a Comment, got {type(item).__name__}")


def batched(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


class Classifier:
    """Wraps a verified, fitted pipeline and turns its probabilities into classifications."""

    def __init__(self, model: LoadedModel) -> None:
        self.model = model
        pipeline = model.pipeline
        try:
            classes = [Label(c) for c in pipeline.classes_]
        except (AttributeError, ValueError) as exc:
            raise ModelError(f"{model.path}: the pipeline's classes are not commentcare labels") from exc
        if set(classes) != set(Label):
            raise ModelError(
                f"{model.path}: the model knows {sorted(map(str, classes))}, not the four labels"
            )
        # Columns reordered once so that scores always come in Label order.
        self.labels: tuple[Label, ...] = tuple(Label)
        self._order = np.array([classes.index(lbl) for lbl in Label])
        self.threshold = model.card.unsure_threshold
        self.version = model.card.version

    def predict_batch(self, comments: Sequence[Comment | str]) -> list[Classification]:
        return list(self.predict_prepared(comments)[0])

    def predict_prepared(
        self, comments: Sequence[Comment | str]
    ) -> tuple[Iterator[Classification], PreparedBatch]:
        """Classify a batch; also return its prepared form, which reviews reuse.

        The classifications are built as they are read: a consumer that handles one at a time
        keeps only one alive, so they die young instead of filling the garbage collector's
        oldest generation (whose full collections then cost more than building them).
        """
        pipeline = self.model.pipeline
        batch: PreparedBatch = pipeline[0].transform(comments)
        if not comments:
            return iter(()), batch
        features: Any = batch
        for _, step in pipeline.steps[1:-1]:  # the Pipeline's own dispatch, without its overhead
            features = step.transform(features)
        proba = np.asarray(pipeline.steps[-1][1].predict_proba(features), dtype=np.float64)[:, self._order]
        proba /= proba.sum(axis=1, keepdims=True)
        best = proba.argmax(axis=1)
        confidence = proba[np.arange(len(best)), best]
        labels = self.labels
        s, r, p, q = labels  # a dict display is twice as fast as dict(zip(...)) here
        # Column-wise, with map() and zip(): no Python-level loop body per comment, and no
        # list per comment (a row of proba.tolist() would be one).
        scores = ({s: a, r: b, p: c, q: d} for a, b, c, d in zip(*proba.T.tolist()))
        out = map(
            Classification,
            map(labels.__getitem__, best.tolist()),
            confidence.tolist(),
            scores,
            (confidence < self.threshold).tolist(),
            repeat(self.version, len(best)),
        )
        return out, batch

    def classify_many(
        self, items: Iterable[Comment | str], batch_size: int = BATCH_SIZE
    ) -> Iterator[Classification]:
        for batch in batched(items, batch_size):
            # Strings go to the featuriser as they are: no Comment is built.
            if not _ACCEPTED.issuperset(map(type, batch)):  # else: subclasses, or a wrong type
                for x in batch:
                    if not isinstance(x, (str, Comment)):
                        raise TypeError(f"expected a str or a Comment, got {type(x).__name__}")
            yield from self.predict_prepared(batch)[0]
