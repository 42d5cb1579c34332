"""Featurisation as scikit-learn transformers, written for throughput.

scikit-learn's stock vectorisers call a Python analyser per document and build the matrix one
document at a time. Here a batch is tokenised with one compiled regex per document, n-grams are
looked up with ``map`` over a plain dict (the loop runs in C), and counting, tf-idf weighting and
normalisation happen once per batch in NumPy. The estimators follow scikit-learn's conventions
(``__init__`` stores parameters, ``fit`` returns self, learned attributes end in ``_``), so the
pipeline can be cross-validated and grid-searched like any other.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from commentcare._types import Comment
from commentcare.model._text import Prepared, prepare

__all__ = ["META_FEATURES", "MetaFeatures", "Preparer", "WordNgrams"]

_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[!?]|[\u2600-\u27bf\U0001F000-\U0001FAFF]")
_DIGITS = re.compile(r"\d")


class Preparer(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Turn strings or :class:`Comment` objects into :class:`Prepared` ones (stateless)."""

    def fit(self, X: Any, y: Any = None) -> Preparer:
        return self

    def transform(self, X: Iterable[Comment | str | Prepared]) -> list[Prepared]:
        out: list[Prepared] = []
        append = out.append
        for item in X:
            if isinstance(item, str):
                append(prepare(item))
            elif isinstance(item, Prepared):
                append(item)
            else:
                append(prepare(item.text, item.author_url))
        return out


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_DIGITS.sub("0", text.lower()))


class WordNgrams(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Sublinear tf-idf over word n-grams plus link-domain tokens, l2-normalised rows."""

    def __init__(self, ngram_max: int = 2, min_df: int = 2, max_features: int | None = 150_000) -> None:
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.max_features = max_features

    def _grams(self, p: Prepared) -> list[str]:
        toks = _tokens(p.text)
        grams = list(toks)
        if self.ngram_max >= 2 and len(toks) > 1:
            grams += map(" ".join, pairwise(toks))
        if self.ngram_max >= 3 and len(toks) > 2:
            grams += map(" ".join, zip(toks, toks[1:], toks[2:]))
        if p.domains:
            grams += ["xxdomain " + d.rsplit(".", 1)[-1] for d in p.domains]
        return grams

    def fit(self, X: Sequence[Prepared], y: Any = None) -> WordNgrams:
        df: Counter[str] = Counter()
        for p in X:
            df.update(set(self._grams(p)))
        items = [(g, c) for g, c in df.items() if c >= self.min_df]
        items.sort(key=lambda gc: (-gc[1], gc[0]))
        if self.max_features is not None:
            items = items[: self.max_features]
        items.sort()
        # Indices start at 1 so that ``filter(None, map(vocab.get, grams))`` drops misses in C.
        self.vocabulary_ = {g: i + 1 for i, (g, _) in enumerate(items)}
        n = len(X)
        counts = np.array([c for _, c in items], dtype=np.float64)
        self.idf_ = (np.log((1 + n) / (1 + counts)) + 1.0).astype(np.float32)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = [""] * len(self.vocabulary_)
        for g, i in self.vocabulary_.items():
            names[i - 1] = g
        return np.asarray(names, dtype=object)

    def transform(self, X: Sequence[Prepared]) -> sp.csr_matrix:
        get = self.vocabulary_.get
        cols: list[int] = []
        lengths: list[int] = []
        grams_of = self._grams
        for p in X:
            ids = list(filter(None, map(get, grams_of(p))))
            cols += ids
            lengths.append(len(ids))
        n = len(lengths)
        n_features = len(self.vocabulary_)
        col = np.fromiter(cols, dtype=np.int32, count=len(cols)) - 1
        row = np.repeat(np.arange(n, dtype=np.int32), lengths)
        data = np.ones(len(cols), dtype=np.float32)
        m = sp.csr_matrix((data, (row, col)), shape=(n, n_features), dtype=np.float32)
        m.sum_duplicates()
        np.log1p(m.data, out=m.data)
        m.data *= self.idf_[m.indices]
        row_nnz = np.diff(m.indptr)
        rows = np.repeat(np.arange(n), row_nnz)
        norms = np.sqrt(np.bincount(rows, weights=m.data.astype(np.float64) ** 2, minlength=n))
        norms[norms == 0] = 1.0
        m.data /= norms[rows].astype(np.float32)
        return m


#: The names of the meta-features, in column order.
META_FEATURES = (
    "links",
    "has_link",
    "author_url",
    "author_url_linked",
    "emails",
    "handles",
    "obfuscated_link",
    "phone_number",
    "capitals",
    "exclamations",
    "length",
    "non_latin",
    "markup",
    "questions",
    "digits",
)


def _meta_row(p: Prepared) -> tuple[float, ...]:
    t = p.text
    n = len(t) or 1
    letters = sum(1 for c in t if c.isalpha()) if n < 600 else sum(1 for c in t[:600] if c.isalpha())
    sample = t if n < 600 else t[:600]
    upper = sum(1 for c in sample if c.isupper())
    non_latin = sum(1 for c in sample if ord(c) > 0x24F and c.isalpha())
    digits = sum(1 for c in sample if c.isdigit())
    author_domain = ""
    if p.author_url:
        a = p.author_url.lower().split("://", 1)[-1].split("/", 1)[0]
        author_domain = a[4:] if a.startswith("www.") else a
    return (
        math.log1p(len(p.urls)) / 2,
        1.0 if p.urls else 0.0,
        1.0 if p.author_url else 0.0,
        1.0 if author_domain and author_domain in p.domains else 0.0,
        min(p.emails, 3) / 3,
        min(p.handles, 3) / 3,
        1.0 if p.obfuscated_links else 0.0,
        1.0 if p.phones else 0.0,
        upper / letters if letters >= 8 else 0.0,
        min(t.count("!"), 10) / 10,
        math.log1p(p.original_length) / 8,
        non_latin / len(sample) if sample else 0.0,
        1.0 if p.had_markup else 0.0,
        min(t.count("?"), 5) / 5,
        digits / len(sample) if sample else 0.0,
    )


class MetaFeatures(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Dense comment meta-features (links, capitals, length, author URL, ...), scaled to [0, ~1]."""

    def fit(self, X: Any, y: Any = None) -> MetaFeatures:
        self.n_features_out_ = len(META_FEATURES)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(list(META_FEATURES), dtype=object)

    def transform(self, X: Sequence[Prepared]) -> sp.csr_matrix:
        arr = np.array([_meta_row(p) for p in X], dtype=np.float32).reshape(len(X), len(META_FEATURES))
        return sp.csr_matrix(arr)
