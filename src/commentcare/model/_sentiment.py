"""Prior knowledge of words: a sentiment lexicon read with negation scope.

Why: the corpus can't show every word people use to praise or complain, and a bag of words can't
tell "impressed" from "not impressed". A lexicon gives a valence to thousands of words the
corpus never shows (VADER's, MIT-licensed, stored inside the fitted model so nothing is read at
run time), and a negation scope flips the words after "not", "never", "no", "n't". The words
inside a scope also become features of their own (``not_good``), learned like any word.

The definitions, which ``tests/test_sentiment.py`` restates one comment at a time:

* tokens are the featuriser's (:mod:`commentcare.model._tokens`): lower-case letter runs joined by
  at most one apostrophe ("don't"), digit runs, ``!`` and ``?``, emoji;
* marks are negators, contrast words ("but", "however", ...), ``!`` and ``?``; a typographic
  apostrophe splits "don’t" into "don" and "t" (the tokens join only ``'``), so a "t" right after
  one of :data:`CURLY_STEMS` and a ``’``, all three touching, is a negator too;
* a token that is not a mark is in a negation scope when the nearest mark before it in its
  comment is a negator at most :data:`SCOPE` tokens back, with none of ``. , ; :`` in between;
* the last clause of a comment is what follows its last contrast word (all of it if none).

Plain strings are read as they are; a prepared batch has been normalised first (NFKC, links and
handles replaced), so the same text can read differently through the two.

It reads the prepared batch's tokens, which the word n-grams read too: one tokenisation serves
both, and every step after it is an array operation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from commentcare.model._text import PreparedBatch
from commentcare.model._tokens import HashIndex, Tokens, codepoints, hash_strings, tokenize

__all__ = [
    "CONTRAST",
    "CURLY_STEMS",
    "NEGATORS",
    "SCOPE",
    "SENTIMENT_FEATURES",
    "STOPS",
    "Sentiment",
    "load_lexicon",
    "words_of",
]

#: Words that open a negation scope.
NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "nor",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "wont",
        "wouldnt",
        "couldnt",
        "shouldnt",
        "hasnt",
        "havent",
        "hadnt",
        "aint",
        "mustnt",
        "neednt",
        "nothing",
        "nobody",
        "none",
        "neither",
        "nowhere",
        "without",
        "hardly",
        "barely",
        "lack",
        "lacks",
        "lacking",
        # as typed with an apostrophe
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "wasn't",
        "aren't",
        "weren't",
        "won't",
        "wouldn't",
        "couldn't",
        "shouldn't",
        "hasn't",
        "haven't",
        "hadn't",
        "ain't",
        "can't",
        "mustn't",
        "needn't",
    ]
)
#: What a typographic apostrophe leaves before the "t" of a negation ("isn’t" is "isn", "t").
CURLY_STEMS = frozenset(
    [
        "don",
        "doesn",
        "didn",
        "isn",
        "wasn",
        "aren",
        "weren",
        "won",
        "wouldn",
        "couldn",
        "shouldn",
        "hasn",
        "haven",
        "hadn",
        "ain",
        "can",
        "mustn",
        "needn",
    ]
)
#: Words that close a scope and start a clause that usually carries the writer's verdict.
CONTRAST = frozenset({"but", "however", "though", "although", "yet", "except"})
#: Punctuation that closes a scope.
#: Punctuation that closes a scope without being a token.
STOPS = frozenset(".,;:")
#: Tokens that close a scope.
_BANGS = frozenset("!?")
#: A scope covers at most this many tokens after the negator.
SCOPE = 3

#: The dense features, in column order (each in [0, 1) before it is multiplied by ``scale``).
SENTIMENT_FEATURES = (
    "positive",  # valence of positive words outside a negation scope
    "negative",  # of negative words outside a scope
    "negated_positive",  # positive words inside a scope ("not good"): reads negative
    "negated_negative",  # negative words inside a scope ("not bad"): reads mildly positive
    "last_clause_positive",  # positive words after the last contrast ("..., but I love it")
    "last_clause_negative",  # negative words after the last contrast ("..., but it broke")
    "negators",  # how many scopes were opened
)


def load_lexicon(path: str) -> dict[str, float]:
    """Read a ``token<TAB>valence`` file (``#`` starts a comment line)."""
    lexicon: dict[str, float] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            token, value = line.rstrip("\n").split("\t")[:2]
            lexicon[token] = float(value)
    return lexicon


def words_of(text: str) -> list[str]:
    """The comment's lower-case words, as the tokens read them (for the training-data rules)."""
    return [t for t in tokenize([text], keep_values=True).strings() if t.isalpha() or "'" in t]


def _bounded(x: np.ndarray) -> np.ndarray:
    """Map a non-negative sum of valences to [0, 1): 4 (one strong word) reads 0.5."""
    return np.asarray(x / (x + 4.0))


def _negators(count: np.ndarray) -> np.ndarray:
    """How many scopes were opened, mapped to [0, 1)."""
    return np.asarray(count / (count + 1.0))


@dataclass(frozen=True)
class _Table:
    """Token hash -> code (0: any other token), and what each code is."""

    index: HashIndex
    valence: np.ndarray
    negator: np.ndarray
    contrast: np.ndarray
    mark: np.ndarray  # negators, contrast words, ! and ?
    column: np.ndarray  # the negated-word column of a word, or -1


def _table(lexicon: Mapping[str, float], negated: Mapping[str, int]) -> _Table:
    words = sorted(set(lexicon) | NEGATORS | CONTRAST | _BANGS | {g[4:] for g in negated})
    n = len(words) + 1
    valence = np.zeros(n)
    negator = np.zeros(n, dtype=bool)
    contrast = np.zeros(n, dtype=bool)
    column = np.full(n, -1, dtype=np.int64)
    for i, w in enumerate(words, 1):
        valence[i] = lexicon.get(w, 0.0)
        negator[i] = w in NEGATORS
        contrast[i] = w in CONTRAST
        column[i] = negated.get("not_" + w, -1)
    mark = negator | contrast
    mark[[i for i, w in enumerate(words, 1) if w in _BANGS]] = True
    index = HashIndex(hash_strings(words), np.arange(1, n, dtype=np.int64))
    return _Table(index, valence, negator, contrast, mark, column)


@dataclass(frozen=True)
class _Read:
    """A batch's tokens as the lexicon reads them."""

    tokens: Tokens
    code: np.ndarray
    negator: np.ndarray
    scoped: np.ndarray
    last_clause: np.ndarray


def _read(tokens: Tokens, cp: np.ndarray, t: _Table) -> _Read:
    """Codes, negation scopes and last clauses of a batch's tokens (see the module's definitions)."""
    code = t.index.get(tokens.hashes)
    separator = tokens.hashes == 0  # opens each comment
    n = len(code)
    pos = np.arange(n)
    curly = np.zeros(n, dtype=bool)
    ts = np.flatnonzero(tokens.hashes == _T)
    if len(ts):
        ts = ts[ts > 0]
        ts = ts[(cp[tokens.starts[ts] - 1] == 0x2019) & (tokens.ends[ts - 1] == tokens.starts[ts] - 1)]
        curly[ts[np.isin(tokens.hashes[ts - 1], _CURLY_STEM_HASHES)]] = True
    negator = t.negator[code] | curly
    mark = t.mark[code] | separator | curly
    last_mark = np.maximum.accumulate(np.where(mark, pos, -1))
    before = np.r_[-1, last_mark[:-1]]
    b = np.maximum(before, 0)
    stop_at = np.flatnonzero(np.isin(cp, _STOP_CODES))
    scoped = (
        ~mark
        & (before >= 0)
        & negator[b]
        & (pos - before <= SCOPE)
        & (np.searchsorted(stop_at, tokens.starts) == np.searchsorted(stop_at, tokens.ends[b]))
    )
    # The last clause: no contrast word between the token and the next comment.
    boundary = t.contrast[code] | separator
    nxt = np.minimum.accumulate(np.where(boundary, pos, n)[::-1])[::-1]
    next_boundary = np.r_[nxt[1:], n]
    last_clause = ((next_boundary == n) | separator[np.minimum(next_boundary, n - 1)]) & ~t.contrast[code]
    return _Read(tokens, code, negator, scoped, last_clause)


_T = hash_strings(["t"])[0]
_STOP_CODES = np.array([ord(c) for c in sorted(STOPS)], dtype=np.int64)
_CURLY_STEM_HASHES = hash_strings(sorted(CURLY_STEMS))


def _batch(X: PreparedBatch | Iterable[str], *, keep_values: bool = False) -> tuple[Tokens, np.ndarray, int]:
    """Tokens and code points of a prepared batch or of plain strings, and how many comments."""
    if isinstance(X, PreparedBatch):
        cp = X.codepoints()
        tokens = tokenize(X.texts, cp, keep_values=True) if keep_values else X.tokens()
        return tokens, cp, len(X)
    texts = [str(x).replace("\x00", " ") for x in X]
    cp = codepoints("\x00" + "\x00".join(texts))
    return tokenize(texts, cp, keep_values=keep_values), cp, len(texts)


def _rows(X: PreparedBatch | Iterable[str]) -> PreparedBatch | list[str]:
    """A prepared batch, or the texts as a list (one string is a mistake, not 1-character rows)."""
    if isinstance(X, PreparedBatch):
        return X
    if isinstance(X, str):
        raise ValueError("expected a sequence of comments, got one string (wrap it in a list)")
    return list(X)


class Sentiment(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Lexicon valences with negation scope, plus the negated words as features.

    ``lexicon`` maps a token to its valence (-4..4); it is a parameter, so a fitted model
    carries the lexicon it was trained with. ``negated_min_df`` is how many training comments
    must show a negated word (``not_<word>``) before it becomes a column; 0 turns them off.
    ``scale`` multiplies the dense lexicon columns: under the classifier's L2 penalty a larger
    scale lets a few strong features count against tens of thousands of word columns.
    Accepts prepared batches or plain strings.
    """

    def __init__(
        self, lexicon: Mapping[str, float] | None = None, negated_min_df: int = 3, scale: float = 1.0
    ) -> None:
        self.lexicon = lexicon
        self.negated_min_df = negated_min_df
        self.scale = scale

    def fit(self, X: PreparedBatch | Iterable[str], y: Any = None) -> Sentiment:
        X = _rows(X)
        if not len(X):
            raise ValueError("Sentiment needs at least one comment to fit on (got 0)")
        df: Counter[str] = Counter()
        if self.negated_min_df > 0:
            tokens, cp, _ = _batch(X, keep_values=True)
            read = _read(tokens, cp, _table(self.lexicon or {}, {}))
            strings = tokens.strings()
            hits = np.flatnonzero(read.scoped)
            per_doc = {(int(tokens.doc[i]), strings[i]) for i in hits.tolist() if strings[i][0].isalpha()}
            df.update("not_" + w for _, w in per_doc)
        negated = sorted(g for g, c in df.items() if c >= self.negated_min_df)
        self.negated_vocabulary_ = {g: len(SENTIMENT_FEATURES) + i for i, g in enumerate(negated)}
        self._tables: _Table | None = _table(self.lexicon or {}, self.negated_vocabulary_)
        return self

    def __sklearn_tags__(self) -> Any:
        # Like scikit-learn's text vectorisers: a sequence of texts in, not a 2-D array.
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())
        state.pop("_tables", None)  # rebuilt when loaded; never pickled
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # Built here and in fit, so that ``transform`` changes nothing on the estimator.
        self.__dict__.update(state)
        fitted = "negated_vocabulary_" in state
        self._tables = _table(self.lexicon or {}, self.negated_vocabulary_) if fitted else None

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        return np.asarray(list(SENTIMENT_FEATURES) + list(self.negated_vocabulary_), dtype=object)

    def _lookup(self) -> _Table:
        tables = getattr(self, "_tables", None)
        if tables is None:
            tables = self._tables = _table(self.lexicon or {}, self.negated_vocabulary_)
        return tables

    def transform(self, X: PreparedBatch | Iterable[str]) -> sp.csr_matrix:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        tokens, cp, n = _batch(_rows(X))
        n_dense = len(SENTIMENT_FEATURES)
        shape = (n, n_dense + len(self.negated_vocabulary_))
        if n == 0:
            return sp.csr_matrix(shape)
        t = self._lookup()
        read = _read(tokens, cp, t)
        code, scoped, doc = read.code, read.scoped, tokens.doc
        value = t.valence[code]
        positive, negative = np.maximum(value, 0.0), np.maximum(-value, 0.0)

        def total(weights: np.ndarray, where: np.ndarray) -> np.ndarray:
            return np.bincount(doc[where], weights=weights[where], minlength=n)

        outside = ~scoped
        dense = (
            np.column_stack(
                [
                    _bounded(total(positive, outside)),
                    _bounded(total(negative, outside)),
                    _bounded(total(positive, scoped)),
                    _bounded(total(negative, scoped)),
                    _bounded(total(positive, outside & read.last_clause)),
                    _bounded(total(negative, outside & read.last_clause)),
                    _negators(np.bincount(doc[read.negator], minlength=n)),
                ]
            )
            * self.scale
        )
        # Negated words: each distinct one a comment shows, weighted 1/sqrt(how many it shows).
        cols = t.column[code]
        hit = scoped & (cols >= 0)
        keys = np.unique(doc[hit] * shape[1] + cols[hit])
        neg_doc, neg_col = keys // shape[1], keys % shape[1]
        per_doc = np.bincount(neg_doc, minlength=n)
        rows_dense, cols_dense = np.nonzero(dense)
        row = np.r_[rows_dense, neg_doc]
        col = np.r_[cols_dense, neg_col]
        data = np.r_[dense[rows_dense, cols_dense], 1.0 / np.sqrt(per_doc[neg_doc])]
        return sp.csr_matrix((data, (row, col)), shape=shape)
