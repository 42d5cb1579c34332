"""Temperature scaling: make the confidence a calibrated probability on real comments.

A regularised logistic regression trained with balanced class weights is over- or
under-confident depending on the data. One temperature, learned on a held-out part of the
training rows (every register the training data has, not only the corpus), divides the
classifier's scores before the softmax, so that a confidence of 0.8 is right about 80% of the
time, while the order of the classes never changes.

:class:`TemperatureScaled` learns that temperature in ``fit``, so ``clone`` plus
``cross_val_score`` reproduces what ``commentcare train`` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone

__all__ = ["TemperatureScaled", "fit_temperature", "softmax"]


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by each row's maximum so that it never overflows."""
    z = scores - scores.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return np.asarray(z)


def fit_temperature(
    scores: np.ndarray, y_index: np.ndarray, sample_weight: np.ndarray | None = None
) -> float:
    """The temperature minimising the (weighted) negative log-likelihood of the true labels.

    ``scores`` are decision values (logits), one column per class.
    """
    from scipy.optimize import minimize_scalar

    w = np.ones(len(y_index)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    rows = np.arange(len(y_index))

    def nll(log_t: float) -> float:
        p = softmax(scores / float(np.exp(log_t)))
        return float(-(w * np.log(np.clip(p[rows, y_index], 1e-12, 1.0))).sum() / w.sum())

    res = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(res.x))


def _two_columns(scores: np.ndarray) -> np.ndarray:
    """Binary decision values as two logit columns, so that one softmax serves every case."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim == 1:
        return np.column_stack([-scores / 2, scores / 2])
    return scores


class TemperatureScaled(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):  # type: ignore[misc]
    """A linear classifier whose decision values are divided by a temperature learned in ``fit``.

    ``fit`` holds out ``calibration_fraction`` of the rows (stratified, seeded by
    ``random_state``), fits a clone of ``estimator`` on the rest, finds the temperature that
    minimises the log-loss on the held-out rows and, with ``refit``, fits the clone again on
    every row so that none is lost to calibration (the temperature found for the model of 85% of
    the rows then serves the model of all of them; the per-register calibration in the model card
    measures the result). ``estimator`` must have ``decision_function`` (the default is a logistic
    regression).
    """

    def __init__(
        self,
        estimator: Any = None,
        calibration_fraction: float = 0.15,
        refit: bool = True,
        random_state: int | None = 0,
    ) -> None:
        self.estimator = estimator
        self.calibration_fraction = calibration_fraction
        self.refit = refit
        self.random_state = random_state

    def _new_estimator(self) -> Any:
        if self.estimator is None:
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(max_iter=1000)
        return clone(self.estimator)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TemperatureScaled:
        from sklearn.model_selection import StratifiedShuffleSplit
        from sklearn.utils import _safe_indexing
        from sklearn.utils.multiclass import check_classification_targets
        from sklearn.utils.validation import _check_sample_weight, validate_data

        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"])
        check_classification_targets(y)
        w = _check_sample_weight(sample_weight, X)
        weighted = sample_weight is not None

        def fit_on(rows: Any) -> Any:
            est = self._new_estimator()
            if rows is None:
                return est.fit(X, y, sample_weight=w) if weighted else est.fit(X, y)
            Xr, yr = _safe_indexing(X, rows), y[rows]
            return est.fit(Xr, yr, sample_weight=w[rows]) if weighted else est.fit(Xr, yr)

        self.classes_ = np.unique(y)
        counts = np.unique(y, return_counts=True)[1]
        n_calib = round(len(y) * self.calibration_fraction)
        if n_calib < len(self.classes_) or counts.min() < 2 or len(y) - n_calib < len(self.classes_):
            # Too little data to hold any out: no temperature (1.0).
            self.estimator_ = fit_on(None)
            self.temperature_ = 1.0
            self.n_calibration_ = 0
        else:
            split = StratifiedShuffleSplit(n_splits=1, test_size=n_calib, random_state=self.random_state)
            fit_rows, calib_rows = next(split.split(np.zeros(len(y)), y))
            estimator = fit_on(fit_rows)
            scores = _two_columns(estimator.decision_function(_safe_indexing(X, calib_rows)))
            y_index = np.searchsorted(estimator.classes_, y[calib_rows])
            self.temperature_ = fit_temperature(scores, y_index, w[calib_rows])
            self.n_calibration_ = len(calib_rows)
            self.estimator_ = fit_on(None) if self.refit else estimator
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The estimator's decision values divided by the temperature (no rows: an empty array)."""
        from sklearn.utils.validation import check_is_fitted, validate_data

        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False, ensure_min_samples=0)
        if X.shape[0] == 0:
            return np.zeros((0,) if len(self.classes_) == 2 else (0, len(self.classes_)))
        return np.asarray(self.estimator_.decision_function(X)) / self.temperature_

    def predict_proba(self, X: Any) -> np.ndarray:
        return softmax(_two_columns(self.decision_function(X)).reshape(-1, len(self.classes_)))

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        return np.asarray(self.classes_[proba.argmax(axis=1)])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
