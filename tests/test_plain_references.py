"""The fast paths of preparation and featurisation against their plain restatements (tests/plain.py).

``prepare()`` is ``prepare_batch([text]).item(0)``, so comparing a batch with each comment alone
compares the code with itself; here the batch is compared with the definition instead, on
generated comments built from hostile pieces and on arbitrary text.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from commentcare.model._features import META_FEATURES, MetaFeatures, WordNgrams
from commentcare.model._text import prepare_batch
from plain import HOSTILE_PIECES, plain_meta_row, plain_prepare, plain_tfidf_row

_FROM_PIECES = st.lists(st.sampled_from(HOSTILE_PIECES), max_size=10).map("".join)
_COMMENT = st.one_of(_FROM_PIECES, st.text(max_size=40), _FROM_PIECES.map(str.upper))
_BATCH = st.lists(_COMMENT, min_size=1, max_size=10)


@settings(max_examples=400, deadline=None)
@given(_BATCH, st.lists(st.one_of(st.none(), st.sampled_from(["", " http://me.example ", "x"]))))
def test_prepare_batch_is_the_plain_definition(texts: list[str], authors: list[str | None]) -> None:
    authors = (authors + [None] * len(texts))[: len(texts)]
    batch = prepare_batch(texts, authors)
    for i, (text, author) in enumerate(zip(texts, authors)):
        assert batch.item(i) == plain_prepare(text, author), text


@settings(max_examples=200, deadline=None)
@given(_BATCH)
def test_meta_features_are_the_plain_definition(texts: list[str]) -> None:
    got = MetaFeatures().fit(texts).transform(prepare_batch(texts)).toarray()
    for i, text in enumerate(texts):
        row = plain_meta_row(plain_prepare(text))
        np.testing.assert_allclose(got[i], [row[name] for name in META_FEATURES], rtol=1e-6, atol=1e-7)


_VOCABULARY_TEXTS = [
    "great post thanks love it",
    "order 1234 never arrived refund missing",
    "check my channel http://spam.example/x www.deals.xyz",
    "not good at all, really bad!!",
    "café au lait ☕ 😀 don't",
    "жизнь 中文 rock'n'roll",
] * 2


@settings(max_examples=200, deadline=None)
@given(_BATCH)
def test_word_ngrams_are_the_plain_definition(texts: list[str]) -> None:
    words = WordNgrams(min_df=2).fit(_VOCABULARY_TEXTS + texts)
    vocabulary, idf = words.vocabulary_, words.idf_.astype(np.float64).tolist()
    got = words.transform(prepare_batch(texts)).toarray()
    for i, text in enumerate(texts):
        expected = np.zeros(got.shape[1])
        for col, value in plain_tfidf_row(plain_prepare(text), vocabulary, idf).items():
            expected[col] = value
        np.testing.assert_allclose(got[i], expected, rtol=1e-5, atol=1e-6)
