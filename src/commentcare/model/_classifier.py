"""Batch prediction: from comments to :class:`Classification` objects."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice, repeat
from typing import Any

import numpy as np

from commentcare._errors import ModelError
from commentcare._types import Classification, Comment, Label, comment_of_text, new_classification
from commentcare.model._store import LoadedModel
from commentcare.model._text import PreparedBatch

__all__ = ["BATCH_SIZE", "Classifier", "as_comment"]

log = logging.getLogger(__name__)

#: Comments are featurised and scored this many at a time: large enough that per-batch NumPy
#: work is amortised, small enough that memory stays flat on any input size.
BATCH_SIZE = 2048

_ACCEPTED = frozenset({str, Comment})


def as_comment(item: Comment | str) -> Comment:
    if type(item) is str:  # the common case first
        return comment_of_text(item)  # Comment(text=item), without the frozen __init__'s cost
    if isinstance(item, Comment):
        return item
    if isinstance(item, str):
        return comment_of_text(item)
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
        self._predict_proba = pipeline.steps[-1][1].predict_proba
        direct = _direct_proba(pipeline.steps[-1][1])
        if direct is not None and _same_on_probe(pipeline, direct):
            self._predict_proba = direct

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
        proba = np.asarray(self._predict_proba(features), dtype=np.float64)[:, self._order]
        proba /= proba.sum(axis=1, keepdims=True)
        best = proba.argmax(axis=1)
        confidence = proba[np.arange(len(best)), best]
        labels = self.labels
        s, r, p, q = labels  # a dict display is twice as fast as dict(zip(...)) here
        # Column-wise, with map() and zip(): no Python-level loop body per comment, and no
        # list per comment (a row of proba.tolist() would be one).
        scores = ({s: a, r: b, p: c, q: d} for a, b, c, d in zip(*proba.T.tolist()))
        out = map(
            new_classification,
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


def _direct_proba(final: Any) -> Callable[[Any], np.ndarray] | None:
    """``final.predict_proba`` computed straight from the fitted parameters, or None.

    Why: for one batch, scikit-learn's input validation and dispatch through three wrapped
    estimators cost twice the arithmetic. This covers the structure ``commentcare train``
    builds (temperature-scaled, sigmoid-calibrated logistic regression, one calibrated
    classifier) and repeats scikit-learn's operations in its order; the caller keeps it only if
    it gives bitwise the same probabilities on a probe batch, so any other model (or a
    scikit-learn that computes differently) keeps the estimator's own method.
    """
    from scipy.special import expit

    from commentcare.model._calibration import TemperatureScaled, _scale

    try:
        if type(final) is not TemperatureScaled:
            return None
        (calibrated,) = final.estimator.calibrated_classifiers_
        lr = calibrated.estimator
        if calibrated.method != "sigmoid" or type(lr).__name__ != "LogisticRegression":
            return None
        classes = list(calibrated.classes)
        columns = [classes.index(c) for c in lr.classes_]
        coef_t = np.ascontiguousarray(lr.coef_.T)  # what X @ coef_.T reads, without a copy per batch
        intercept = lr.intercept_
        sigmoids = [
            (c.a_, c.b_) for c in calibrated.calibrators
        ]  # as they are: their type sets the precision
        temperature = final.temperature
    except (AttributeError, ValueError, TypeError):
        return None
    n_classes = len(classes)
    if n_classes < 3 or len(sigmoids) != n_classes or coef_t.shape[1] != n_classes:
        return None

    def predict_proba(X: Any) -> np.ndarray:
        scores = X @ coef_t + intercept
        proba = np.zeros((scores.shape[0], n_classes))
        for j, (col, (a, b)) in enumerate(zip(columns, sigmoids)):
            proba[:, col] = expit(-(a * np.ravel(scores[:, j]) + b))
        denominator = np.sum(proba, axis=1)[:, np.newaxis]
        proba = np.divide(proba, denominator, out=np.full_like(proba, 1 / n_classes), where=denominator != 0)
        proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
        return _scale(proba, temperature)

    return predict_proba


#: Comments of every class and none, with links, markup and odd text: a probe batch.
_PROBE = (
    "Thank you so much for this recipe, my kids loved it!",
    "I was charged twice for order #4471 and nobody answers my emails.",
    "This is the worst site ever, you people are clueless!!!",
    "Cheap pills at www.example-pharma.com, call +1 555 123 4567",
    "<p>Great <b>post</b>, see <a href='http://x.example.org'>this</a></p>",
    "meh",
    "",
    "\u00e9t\u00e9 \U0001f600 ??? 12345",
)


def _same_on_probe(pipeline: Any, direct: Callable[[Any], np.ndarray]) -> bool:
    """Whether ``direct`` gives bitwise the probabilities of the pipeline's last step."""
    try:
        X = pipeline[:-1].transform(list(_PROBE))
        return bool(np.array_equal(direct(X), pipeline.steps[-1][1].predict_proba(X)))
    except Exception:  # any failure means: use the estimator's own method
        log.debug("direct probabilities unavailable", exc_info=True)
        return False
