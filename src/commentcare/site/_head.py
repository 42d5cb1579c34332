"""A site-specific head: the shipped classifier's logits plus a small, regularised correction.

The shared features (word n-grams, meta-features, lexicon) stay as they are; the head adds
``X @ coef_ + intercept_`` to the fitted classifier's temperature-scaled logits and takes the
softmax. With no site data the correction is zero and the model is the shipped one exactly;
with a few labels the L2 penalty keeps it close; with many it learns the site's own words.

A label may be partial: the site's "approved" says *not spam* and leaves the four-way label to
the model. Each training row therefore carries the set of outcomes it allows, and the loss is
``-log P(outcome in the set)``; a full label is a set of one.

``coef_only="intercept"`` learns the intercept alone: a shift of each outcome's prior, which is
what reweighting the classes to the site's frequencies does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

__all__ = ["SiteHead"]


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True))


class SiteHead(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """``base`` (a fitted classifier with ``decision_function``) plus a residual fitted on a site."""

    def __init__(
        self, base: Any = None, alpha: float = 1.0, intercept_alpha: float = 1.0, mode: str = "head"
    ) -> None:
        self.base = base
        self.alpha = alpha
        self.intercept_alpha = intercept_alpha
        self.mode = mode

    @property
    def classes_(self) -> np.ndarray:
        return np.asarray(self.base.classes_)

    def _base_logits(self, X: Any) -> np.ndarray:
        z = np.asarray(self.base.decision_function(X), dtype=np.float64)
        if z.ndim == 1:
            z = np.column_stack([-z / 2, z / 2])
        return np.asarray(z, dtype=np.float64)

    def fit(self, X: Any, allowed: np.ndarray, sample_weight: np.ndarray | None = None) -> SiteHead:
        """Fit the correction. ``allowed`` is a boolean (rows x classes) mask of each row's label set."""
        import scipy.sparse as sp
        from scipy.optimize import minimize

        X_all = sp.csr_matrix(X, dtype=np.float64)
        # Only the features the site's rows use can get a weight (the rest stay 0 under the L2
        # penalty anyway): fitting over those columns alone is what keeps a large site fast.
        cols = np.unique(X_all.indices)
        X = X_all[:, cols]
        allowed = np.asarray(allowed, dtype=bool)
        n, k = allowed.shape
        if n != X.shape[0] or k != len(self.classes_):
            raise ValueError("allowed must have one row per sample and one column per class")
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        base = self._base_logits(X_all)
        d = X.shape[1]
        full = self.mode == "head"
        XT = X.T.tocsr()

        def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            b = theta[:k]
            W = theta[k:].reshape(d, k) if full else np.zeros((0, k))
            return W, b

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            W, b = unpack(theta)
            z = base + b
            if full:
                z = z + X @ W
            z = z - z.max(axis=1, keepdims=True)
            e = np.exp(z)
            total = e.sum(axis=1)
            inside = (e * allowed).sum(axis=1)
            loss = float(-(w * (np.log(inside) - np.log(total))).sum())
            p = e / total[:, None]
            q = e * allowed / inside[:, None]
            G = w[:, None] * (p - q)
            gb = G.sum(axis=0) + self.intercept_alpha * b
            loss += 0.5 * self.intercept_alpha * float(b @ b)
            if not full:
                return loss, gb
            gW = np.asarray(XT @ G) + self.alpha * W
            loss += 0.5 * self.alpha * float((W * W).sum())
            return loss, np.concatenate([gb, gW.ravel()])

        theta0 = np.zeros(k + (d * k if full else 0))
        res = minimize(objective, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 300})
        W, b = unpack(res.x)
        self.intercept_ = b
        if full:
            rows = np.repeat(cols, k)
            ks = np.tile(np.arange(k), len(cols))
            self.coef_ = sp.csr_matrix((W.ravel(), (rows, ks)), shape=(X_all.shape[1], k))
            self.coef_.eliminate_zeros()
        else:
            self.coef_ = None
        self.n_site_rows_ = n
        self.converged_ = bool(res.success)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        z = self._base_logits(X) + self.intercept_
        if self.coef_ is not None and X.shape[0]:
            import scipy.sparse as sp

            z = z + (sp.csr_matrix(X) @ self.coef_).toarray()
        return np.asarray(z, dtype=np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        if X.shape[0] == 0:
            return np.zeros((0, len(self.classes_)))
        return _softmax(self.decision_function(X))

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.classes_[self.predict_proba(X).argmax(axis=1)])
