"""Featurisation as scikit-learn transformers, written for throughput.

scikit-learn's stock vectorisers call a Python analyser per document and look every token up in
a dict. Here a whole batch is one array of code points: tokens are found and hashed with array
operations (:mod:`commentcare.model._tokens`), unigrams and bigrams are looked up in hash tables
in bulk, and counting, tf-idf weighting and normalisation happen once per batch. The
meta-features are counted over the same code-point array. The
estimators follow scikit-learn's conventions (``__init__`` stores parameters, ``fit`` returns
self, learned attributes end in ``_``), so the pipeline can be cross-validated and grid-searched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any, cast

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import FeatureUnion

from commentcare._types import Comment
from commentcare.model._text import Prepared, PreparedBatch, prepare_batch
from commentcare.model._tokens import HashIndex, hash_strings, tokenize

__all__ = [
    "META_FEATURES",
    "PREPARED_COLUMNS",
    "FeatureStack",
    "MetaFeatures",
    "Preparer",
    "WordNgrams",
    "as_prepared",
]


#: What :class:`Preparer` puts out per comment, in the order of :class:`Prepared`'s fields.
PREPARED_COLUMNS = tuple(f.name for f in fields(Prepared))


class Preparer(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):  # type: ignore[misc,call-arg]
    """Turn strings or :class:`Comment` objects into a :class:`PreparedBatch` (stateless).

    Its output is a batch object the featurisers read, not an array, so scikit-learn's output
    wrapping does not apply; ``set_output(transform="pandas")`` instead gives a DataFrame of the
    :data:`PREPARED_COLUMNS`, for looking at what preparation did (the featurisers read the
    default output only).
    """

    def fit(self, X: Any, y: Any = None) -> Preparer:
        _not_one_string(X)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(PREPARED_COLUMNS, dtype=object)

    def set_output(self, *, transform: str | None = None) -> Preparer:
        """``"default"`` (a :class:`PreparedBatch`) or ``"pandas"`` (a DataFrame); None: unchanged."""
        if transform is None:
            return self
        if transform not in ("default", "pandas"):
            raise ValueError(f"Preparer puts out 'default' or 'pandas', not {transform!r}")
        self._sklearn_output_config = {"transform": transform}
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags

    def transform(self, X: Iterable[Comment | str] | PreparedBatch) -> Any:
        batch = self._prepare(X)
        config = getattr(self, "_sklearn_output_config", {})
        if config.get("transform", "default") == "pandas":
            import pandas as pd

            return pd.DataFrame(
                [[getattr(batch.item(i), c) for c in PREPARED_COLUMNS] for i in range(len(batch))],
                columns=list(PREPARED_COLUMNS),
            )
        return batch

    @staticmethod
    def _prepare(X: Iterable[Comment | str] | PreparedBatch) -> PreparedBatch:
        if isinstance(X, PreparedBatch):
            return X
        _not_one_string(X)
        items = X if isinstance(X, list) else list(X)
        if all(map(str.__instancecheck__, items)):  # plain strings: nothing to unpack
            return prepare_batch(cast("list[str]", items))
        texts: list[str] = []
        authors: list[str | None] = []
        for item in items:
            if isinstance(item, str):
                texts.append(item)
                authors.append(None)
            elif isinstance(item, Comment):
                texts.append(item.text)
                authors.append(_foreign_author_url(item))
            else:
                raise TypeError(f"expected a str or a Comment, got {type(item).__name__}")
        return prepare_batch(texts, authors)


def _not_one_string(X: Any) -> None:
    if isinstance(X, str):
        raise ValueError("expected a sequence of comments, got one string (wrap it in a list)")


def as_prepared(X: Iterable[Comment | str] | PreparedBatch) -> PreparedBatch:
    """A prepared batch as the featurisers read it: as it is, or prepared from texts/comments."""
    return Preparer._prepare(X)


def _text_tags(tags: Any) -> Any:
    """Like scikit-learn's text vectorisers: a sequence of texts in, not a 2-D array."""
    tags.input_tags.two_d_array = False
    tags.input_tags.string = True
    return tags


def _host(url: str) -> str:
    host = url.lower().split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host[4:] if host.startswith("www.") else host


def _foreign_author_url(c: Comment) -> str | None:
    """The author's URL, unless it points at the site the comment is on (the owner replying)."""
    if c.author_url and c.post_url and _host(c.author_url) == _host(c.post_url):
        return None
    return c.author_url


def _docs_tokens(texts: list[str]) -> list[list[str]]:
    """Each comment's tokens as strings (fitting only)."""
    tokens = tokenize(texts, keep_values=True)
    docs: list[list[str]] = [[] for _ in texts]
    for d, tok, h in zip(tokens.doc.tolist(), tokens.strings(), tokens.hashes.tolist()):
        if h:  # not the separator
            docs[d].append(tok)
    return docs


@dataclass(frozen=True)
class _Lookup:
    tokens: HashIndex  # token hash -> token id (0: not in the vocabulary)
    bigrams: HashIndex  # id_a * (n_tokens + 1) + id_b -> column (-1: not kept)


class WordNgrams(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Sublinear tf-idf over word 1..2-grams plus link-domain tokens, l2-normalised rows.

    Nothing is done per token in Python at prediction time: tokens arrive as 64-bit hashes
    (:mod:`commentcare.model._tokens`), a hash table maps them to token ids, a bigram is the
    integer ``id_a * (n_tokens + 1) + id_b`` looked up in a second table, and the matrix is
    assembled, weighted and normalised with array operations.
    """

    def __init__(self, ngram_max: int = 2, min_df: int = 2, max_features: int | None = 150_000) -> None:
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.max_features = max_features

    @staticmethod
    def _domain_grams(domains: tuple[str, ...]) -> list[str]:
        return ["xxdomain " + d.rsplit(".", 1)[-1] for d in domains]

    def fit(self, X: Iterable[Comment | str] | PreparedBatch, y: Any = None) -> WordNgrams:
        if self.ngram_max not in (1, 2):
            raise ValueError("ngram_max must be 1 or 2")
        X = as_prepared(X)
        if not len(X):
            raise ValueError("WordNgrams needs at least one comment to fit on (got 0)")
        docs = _docs_tokens(X.texts)
        uni_df: Counter[str] = Counter()
        for toks, domains in zip(docs, X.domains):
            uni_df.update(set(toks) | set(self._domain_grams(domains)))
        known = sorted(g for g, c in uni_df.items() if c >= self.min_df)
        token_id = {g: i + 1 for i, g in enumerate(known)}  # 0 = unknown
        width = len(known) + 1
        bi_df: Counter[int] = Counter()
        if self.ngram_max == 2:
            for toks in docs:
                ids = [token_id.get(t, 0) for t in toks]
                bi_df.update({a * width + b for a, b in pairwise(ids) if a and b})
        grams: list[tuple[int, int, str | int]] = [(uni_df[g], 0, g) for g in known]
        grams += [(c, 1, k) for k, c in bi_df.items() if c >= self.min_df]
        if self.max_features is not None and len(grams) > self.max_features:
            grams.sort(key=lambda t: (-t[0], t[1], str(t[2])))
            grams = grams[: self.max_features]
        kept_uni = sorted(str(g) for _, kind, g in grams if kind == 0)
        kept_bi = np.array(sorted(int(g) for _, kind, g in grams if kind == 1), dtype=np.int64)
        n_uni = len(kept_uni)
        # token id -> unigram column (or -1 when the token only serves bigrams)
        uni_col = np.full(width, -1, dtype=np.int64)
        for col, g in enumerate(kept_uni):
            uni_col[token_id[g]] = col
        self.token_ids_ = token_id
        self.unigram_columns_ = uni_col
        self.bigram_keys_ = kept_bi
        self.n_unigrams_ = n_uni
        df = np.concatenate(
            [
                np.array([uni_df[g] for g in kept_uni], dtype=np.float64),
                np.array([bi_df[int(k)] for k in kept_bi], dtype=np.float64),
            ]
        )
        n = len(X)
        self.idf_ = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
        self._tables: _Lookup | None = self._build_tables()
        return self

    @property
    def vocabulary_(self) -> dict[str, int]:
        """n-gram -> column, as scikit-learn's vectorisers expose it (built on demand)."""
        names = self.get_feature_names_out()
        return {str(g): i for i, g in enumerate(names)}

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        by_id = {i: g for g, i in self.token_ids_.items()}
        width = len(self.token_ids_) + 1
        names = [""] * (self.n_unigrams_ + len(self.bigram_keys_))
        for tid, col in enumerate(self.unigram_columns_.tolist()):
            if col >= 0:
                names[col] = by_id[tid]
        for j, key in enumerate(self.bigram_keys_.tolist()):
            names[self.n_unigrams_ + j] = by_id[key // width] + " " + by_id[key % width]
        return np.asarray(names, dtype=object)

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())
        state.pop("_tables", None)  # rebuilt when loaded; never pickled
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.pop("_lookup_cache", None)  # the string-keyed cache models of 0.1.0 pickled
        self._tables = self._build_tables() if hasattr(self, "token_ids_") else None

    def _build_tables(self) -> _Lookup:
        """The tables prediction reads (~20 ms; built in fit and on loading, never pickled), so
        that ``transform`` changes nothing on the estimator."""
        names = list(self.token_ids_)
        ids = np.fromiter(self.token_ids_.values(), dtype=np.int64, count=len(names))
        n_uni = self.n_unigrams_
        return _Lookup(
            tokens=HashIndex(hash_strings(names), ids),
            bigrams=HashIndex(
                self.bigram_keys_.astype(np.uint64),
                np.arange(n_uni, n_uni + len(self.bigram_keys_), dtype=np.int64),
                missing=-1,
            ),
        )

    def __sklearn_tags__(self) -> Any:
        return _text_tags(super().__sklearn_tags__())

    def transform(self, X: Iterable[Comment | str] | PreparedBatch) -> sp.csr_matrix:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = as_prepared(X)
        n = len(X)
        n_features = self.n_unigrams_ + len(self.bigram_keys_)
        tables = self._tables
        if tables is None:  # a model whose state was set by hand
            tables = self._tables = self._build_tables()
        token_table, bigram_table = tables.tokens, tables.bigrams
        tokens = X.tokens()
        ids = token_table.get(tokens.hashes)  # the separator (hash 0) and unknown tokens get 0
        doc_of = tokens.doc
        # Column pairs per token: its unigram, and the bigram it starts. Kept in token order, the
        # rows stay sorted, so the matrix is built without sorting rows.
        pairs = np.full((len(ids), 2), -1, dtype=np.int64)
        pairs[:, 0] = self.unigram_columns_[ids]
        if self.ngram_max == 2 and len(ids) > 1 and len(self.bigram_keys_):
            width = len(self.token_ids_) + 1
            a, b = ids[:-1], ids[1:]
            ok = np.flatnonzero((a > 0) & (b > 0))
            pairs[ok, 1] = bigram_table.get((a[ok] * width + b[ok]).astype(np.uint64))
        col = pairs.ravel()
        # Where each comment's entries begin in ``col`` (tokens come in comment order).
        bounds = 2 * np.searchsorted(doc_of, np.arange(n + 1))
        with_domains = [i for i, d in enumerate(X.domains) if d]
        if with_domains:
            extra_rows: list[int] = []
            grams: list[str] = []
            for i in with_domains:
                g = self._domain_grams(X.domains[i])
                grams += g
                extra_rows += [i] * len(g)
            gram_ids = token_table.get(hash_strings(grams))
            rows = np.asarray(extra_rows, dtype=np.int64)
            # Each comment's domain grams go at the end of its entries: rows stay in order.
            col = np.insert(
                col, bounds[rows + 1], np.where(gram_ids > 0, self.unigram_columns_[gram_ids], -1)
            )
            bounds += np.searchsorted(rows, np.arange(n + 1))
        keep = col >= 0
        kept_before = np.zeros(len(col) + 1, dtype=np.int64)
        np.cumsum(keep, out=kept_before[1:])
        return _tfidf_rows(kept_before[bounds], col[keep], n_features, self.idf_)


def _tfidf_rows(indptr: np.ndarray, col: np.ndarray, n_features: int, idf: np.ndarray) -> sp.csr_matrix:
    """CSR of log(1 + count) * idf per (row, col), each row scaled to unit length.

    ``indptr`` delimits the rows of ``col``, whose columns may repeat and come in any order.
    """
    n = len(indptr) - 1
    m = sp.csr_matrix(
        (np.ones(len(col), dtype=np.float32), col.astype(np.int32), indptr.astype(np.int32)),
        shape=(n, n_features),
    )
    # Two linear-time transpositions leave every row's columns sorted, which is about twice as
    # fast as sorting each row; summing the duplicates (repeated n-grams) is then one pass.
    m = m.tocsc().tocsr()
    m.sum_duplicates()
    np.log1p(m.data, out=m.data)
    m.data *= idf[m.indices]
    row_nnz = np.diff(m.indptr)
    rows_of = np.repeat(np.arange(n), row_nnz)
    norms = np.sqrt(np.bincount(rows_of, weights=m.data.astype(np.float64) ** 2, minlength=n))
    norms[norms == 0] = 1.0
    m.data /= norms[rows_of].astype(np.float32)
    return m


class FeatureStack(FeatureUnion):  # type: ignore[misc]
    """A FeatureUnion whose sparse blocks are stacked straight into CSR (no COO round trip).

    Prediction calls each transformer in turn: for one batch, FeatureUnion's joblib dispatch
    costs more than the meta-features themselves.
    """

    def transform(self, X: Any, **params: Any) -> Any:
        plain = (
            not params
            and self.n_jobs in (None, 1)
            and not self.transformer_weights
            and not any(isinstance(t, str) for _, t in self.transformer_list)  # "drop", "passthrough"
        )
        if not plain:
            return super().transform(X, **params)
        return self._hstack([t.transform(X) for _, t in self.transformer_list])

    def _hstack(self, Xs: list[Any]) -> Any:
        if all(sp.issparse(x) for x in Xs):
            return sp.hstack([sp.csr_matrix(x) for x in Xs], format="csr")
        return super()._hstack(Xs)


#: The names of the meta-features, in column order.
META_FEATURES = (
    "links",
    "has_link",
    "author_url",
    "author_url_linked",
    "emails",
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


def _char_classes() -> tuple[np.ndarray, np.ndarray]:
    """A lookup table code point -> class bits, and a matrix class value -> counted columns."""
    cp = np.arange(0x10000)
    upper = (cp >= 65) & (cp <= 90)
    lower = (cp >= 97) & (cp <= 122)
    latin_ext = (cp >= 0xC0) & (cp <= 0x24F) & (cp != 0xD7) & (cp != 0xF7)
    non_latin = (
        ((cp >= 0x370) & (cp <= 0x1FFF))
        | ((cp >= 0x2E80) & (cp <= 0xD7FF))
        | ((cp >= 0xF900) & (cp <= 0xFAFF))
    )
    bits = [
        upper | lower | latin_ext | non_latin,  # letters
        upper | ((cp >= 0xC0) & (cp <= 0xDE) & (cp != 0xD7)),  # capitals
        (cp >= 48) & (cp <= 57),  # digits
        non_latin,
        cp == 33,  # !
        cp == 63,  # ?
    ]
    lut = np.zeros(0x10000, dtype=np.uint8)  # six bits; a byte a character is cheap to gather
    for i, b in enumerate(bits):
        lut |= b.astype(np.uint8) << i
    values = np.arange(1 << len(bits))
    select = np.stack([(values >> i) & 1 for i in range(len(bits))], axis=1).astype(np.float64)
    return lut, select


_LUT, _SELECT = _char_classes()
_STATS = ("letters", "upper", "digits", "non_latin", "excl", "quest")


def _char_stats(X: PreparedBatch) -> dict[str, np.ndarray]:
    """Per comment: letters, capitals, digits, non-Latin letters, '!', '?' and characters.

    One pass over the batch's code points (shared with the word features): every code point
    gets its class bits from a lookup table, one ``bincount`` counts (comment, class) pairs, and
    a small matrix product turns class counts into the columns. Each comment's leading NUL is in
    no class.
    """
    n = len(X)
    lengths = np.fromiter(map(len, X.texts), dtype=np.int64, count=n)
    classes = _LUT.take(X.codepoints(), mode="clip")  # beyond the BMP (emoji): in no class
    key = np.repeat(np.arange(n, dtype=np.int64) * len(_SELECT), lengths + 1) + classes
    counts = np.bincount(key, minlength=n * len(_SELECT)).reshape(n, len(_SELECT)) @ _SELECT
    out = {name: counts[:, i] for i, name in enumerate(_STATS)}
    out["chars"] = lengths.astype(np.float64)
    return out


class MetaFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Comment meta-features (links, capitals, length, author URL, ...), scaled to [0, ~1].

    ``columns`` picks some of :data:`META_FEATURES` by name (None: all of them).
    """

    def __init__(self, columns: tuple[str, ...] | None = None) -> None:
        self.columns = columns

    def fit(self, X: Any, y: Any = None) -> MetaFeatures:
        _not_one_string(X)  # the columns are all it learns: no row is read
        columns = getattr(self, "columns", None)  # absent from models pickled before it existed
        names = META_FEATURES if columns is None else tuple(columns)
        unknown = set(names) - set(META_FEATURES)
        if unknown:
            raise ValueError(f"unknown meta-features: {sorted(unknown)}")
        self.columns_ = np.asarray([META_FEATURES.index(c) for c in names], dtype=np.intp)
        self.n_features_out_ = len(names)
        return self

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        return np.asarray([META_FEATURES[i] for i in self.columns_], dtype=object)

    def __sklearn_tags__(self) -> Any:
        return _text_tags(super().__sklearn_tags__())

    def transform(self, X: Iterable[Comment | str] | PreparedBatch) -> sp.csr_matrix:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = as_prepared(X)
        n = len(X)
        c = X.counts
        st = _char_stats(X)
        chars = np.maximum(st["chars"], 1)
        author = np.fromiter((bool(a) for a in X.author_urls), dtype=bool, count=n)
        linked = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(author & (c["url"] > 0)):
            a = X.author_urls[i].lower().split("://", 1)[-1].split("/", 1)[0]
            a = a[4:] if a.startswith("www.") else a
            linked[i] = a in X.domains[i]
        cols = [
            np.log1p(c["url"]) / 2,
            c["url"] > 0,
            author,
            linked,
            np.minimum(c["email"], 3) / 3,
            c["obf"] > 0,
            c["phone"] > 0,
            np.where(st["letters"] >= 8, st["upper"] / np.maximum(st["letters"], 1), 0.0),
            np.minimum(st["excl"], 10) / 10,
            np.log1p(X.original_length) / 8,
            st["non_latin"] / chars,
            X.had_markup,
            np.minimum(st["quest"], 5) / 5,
            st["digits"] / chars,
        ]
        arr = (
            np.column_stack([np.asarray(col, dtype=np.float32) for col in cols])
            if n
            else np.zeros((0, len(cols)), np.float32)
        )
        return sp.csr_matrix(arr[:, getattr(self, "columns_", slice(None))])
