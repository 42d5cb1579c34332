"""Prior knowledge of words: a sentiment lexicon read with negation scope.

Why: the corpus can't show every word people use to praise or complain, and a bag of words can't
tell "impressed" from "not impressed". A lexicon gives a valence to thousands of words the
corpus never shows (VADER's, MIT-licensed, stored inside the fitted model so nothing is read at
run time), and a negation scope flips the words after "not", "never", "no", "n't" until
punctuation or a contrast ("but"). The words inside a scope also become features of their own
(``not_good``), learned from the training data like any word.

Written plainly, one comment at a time, for clarity: it costs a few microseconds a comment.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from commentcare.model._text import PreparedBatch

__all__ = ["NEGATORS", "SENTIMENT_FEATURES", "Sentiment", "load_lexicon", "negation_scopes", "words_of"]

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
    ]
)
#: Words that close a scope and start a clause that usually carries the writer's verdict.
CONTRAST = frozenset({"but", "however", "though", "although", "yet", "except"})
#: Punctuation that closes a scope.
_STOPS = frozenset(".,;:!?")
#: A scope covers at most this many words after the negator.
SCOPE = 3

# Words with apostrophes, punctuation, and the common emoticons (the lexicon scores several).
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)*|<3|[:;=8xX][-o']?[)(\]\[dDpP/\\|*]|[.,;:!?]")

#: The dense features, in column order (each bounded to [0, 1)).
SENTIMENT_FEATURES = (
    "positive",  # valence of positive words outside a negation scope
    "negative",  # of negative words outside a scope
    "negated_positive",  # positive words inside a scope ("not good"): reads negative
    "negated_negative",  # negative words inside a scope ("not bad"): reads mildly positive
    "last_clause_positive",  # positive words after the last contrast ("..., but I love it")
    "last_clause_negative",  # negative words after the last contrast ("..., but it broke")
    "negators",  # how many scopes were opened
)


def words_of(text: str) -> list[str]:
    """The comment's tokens: lower-case words (apostrophes dropped, so "don't" is "dont"),
    punctuation marks, and emoticons."""
    lowered = text.replace("\u2019", "'").lower()
    return [t if not t[0].isalpha() else t.replace("'", "") for t in _TOKEN.findall(lowered)]


def negation_scopes(tokens: Sequence[str]) -> list[bool]:
    """For each token, whether it lies in a negation scope.

    A scope opens after a negator and covers up to :data:`SCOPE` words, closing early at
    punctuation or a contrast word. A negator inside a scope ("not ... no") closes it.
    """
    inside = [False] * len(tokens)
    left = 0
    for i, tok in enumerate(tokens):
        if tok in _STOPS or tok in CONTRAST:
            left = 0
        elif tok in NEGATORS:
            left = 0 if left else SCOPE
        elif left:
            inside[i] = True
            left -= 1
    return inside


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


def _bounded(x: float) -> float:
    """Map a non-negative sum of valences to [0, 1): 4 (one strong word) reads 0.5."""
    return x / (x + 4.0)


def _comment_features(
    tokens: Sequence[str], scopes: Sequence[bool], lexicon: Mapping[str, float]
) -> tuple[float, ...]:
    pos = neg = npos = nneg = last_pos = last_neg = 0.0
    negators = 0
    for tok, scoped in zip(tokens, scopes):
        if tok in CONTRAST:
            last_pos = last_neg = 0.0
            continue
        if tok in NEGATORS:
            negators += 1
        value = lexicon.get(tok)
        if not value:
            continue
        if scoped:
            if value > 0:
                npos += value
            else:
                nneg -= value
        elif value > 0:
            pos += value
            last_pos += value
        else:
            neg -= value
            last_neg -= value
    return (
        _bounded(pos),
        _bounded(neg),
        _bounded(npos),
        _bounded(nneg),
        _bounded(last_pos),
        _bounded(last_neg),
        negators / (negators + 1.0),
    )


def _texts(X: PreparedBatch | Iterable[str]) -> list[str]:
    if isinstance(X, PreparedBatch):
        return list(X.texts)
    return [str(x) for x in X]


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

    def _analyse(self, texts: Sequence[str]) -> list[tuple[list[str], list[bool]]]:
        out = []
        for text in texts:
            tokens = words_of(text)
            out.append((tokens, negation_scopes(tokens)))
        return out

    def fit(self, X: PreparedBatch | Iterable[str], y: Any = None) -> Sentiment:
        texts = _texts(X)
        df: Counter[str] = Counter()
        if self.negated_min_df > 0:
            for tokens, scopes in self._analyse(texts):
                df.update({"not_" + t for t, s in zip(tokens, scopes) if s and t[0].isalpha()})
        negated = sorted(g for g, c in df.items() if c >= self.negated_min_df)
        self.negated_vocabulary_ = {g: len(SENTIMENT_FEATURES) + i for i, g in enumerate(negated)}
        return self

    def __sklearn_tags__(self) -> Any:
        # Like scikit-learn's text vectorisers: a sequence of texts in, not a 2-D array.
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(list(SENTIMENT_FEATURES) + list(self.negated_vocabulary_), dtype=object)

    def transform(self, X: PreparedBatch | Iterable[str]) -> sp.csr_matrix:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        texts = _texts(X)
        lexicon = self.lexicon or {}
        vocabulary = self.negated_vocabulary_
        n_dense = len(SENTIMENT_FEATURES)
        data: list[float] = []
        cols: list[int] = []
        indptr = [0]
        for tokens, scopes in self._analyse(texts):
            dense = _comment_features(tokens, scopes, lexicon)
            row = {j: v * self.scale for j, v in enumerate(dense) if v}
            negated = {
                vocabulary[g] for g in ("not_" + t for t, s in zip(tokens, scopes) if s) if g in vocabulary
            }
            if negated:
                weight = 1.0 / math.sqrt(len(negated))
                row.update(dict.fromkeys(negated, weight))
            for j in sorted(row):
                cols.append(j)
                data.append(row[j])
            indptr.append(len(cols))
        return sp.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(cols, dtype=np.int32), np.asarray(indptr)),
            shape=(len(texts), n_dense + len(vocabulary)),
        )
