"""The batch tokeniser, its hashes and the vectoriser built on them, against plain references."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentcare.model._features import WordNgrams
from commentcare.model._text import prepare_batch
from commentcare.model._tokens import HashIndex, hash_strings, tokenize

# The definition the batch tokeniser implements (see commentcare.model._tokens).
_REFERENCE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[!?]|[\u2600-\u27bf\U0001F000-\U0001FAFF]")
_DIGIT = re.compile(r"\d")


def reference_tokens(text: str) -> list[str]:
    return _REFERENCE.findall(_DIGIT.sub("0", text.lower()))


def batch_tokens(texts: list[str]) -> list[list[str]]:
    tokens = tokenize(texts, keep_values=True)
    out: list[list[str]] = [[] for _ in texts]
    for d, tok, h in zip(tokens.doc.tolist(), tokens.strings(), tokens.hashes.tolist()):
        if h:
            out[d].append(tok)
    return out


# Letters of several scripts, digits of two, apostrophes, !?, emoji inside and outside the BMP,
# spacing and punctuation; not the few characters whose lower case is two characters long.
_ALPHABET = st.sampled_from(
    list("abcXYZéÉßøçñ")
    + list("жЖλΛ中文ع")
    + list("0123456789٣")
    + ["'", "'", "!", "?", "\u2764", "\U0001f600"]
    + list(" \n.,-_@#/:;()")
    + ["\u00b2", "\u2160"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_ALPHABET, max_size=40), min_size=1, max_size=6))
def test_tokens_are_those_of_the_reference_pattern(texts: list[str]) -> None:
    assert batch_tokens(texts) == [reference_tokens(t) for t in texts]


def test_apostrophes_join_at_most_two_runs_as_the_pattern_does() -> None:
    text = "rock'n'roll isn't y'all'd've 'quoted' o'clock x'y'z'w a' 'b"
    assert batch_tokens([text]) == [reference_tokens(text)]
    assert "rock'n" in batch_tokens([text])[0]


def test_hashes_do_not_depend_on_position_and_match_hash_strings() -> None:
    texts = ["Great read, thanks!", "x " * 3000 + "great read", "great"]
    tokens = tokenize(texts, keep_values=True)
    strings = tokens.strings()
    by_string: dict[str, int] = {}
    for s, h in zip(strings, tokens.hashes.tolist()):
        assert by_string.setdefault(s, h) == h
    named = [s for s in strings if s != "\x00"]
    assert hash_strings(named).tolist() == [by_string[s] for s in named]
    assert len(set(by_string.values())) == len(by_string)


def test_hash_index_maps_keys_and_reports_misses() -> None:
    rng = np.random.default_rng(7)
    keys = np.unique(rng.integers(1, 2**63, 5000, dtype=np.uint64))
    values = rng.integers(-50, 1_000_000, len(keys))
    for missing in (0, -1):
        index = HashIndex(keys, values, missing=missing)
        queries = np.concatenate([keys, rng.integers(1, 2**63, 5000, dtype=np.uint64)])
        table = dict(zip(keys.tolist(), values.tolist()))
        assert index.get(queries).tolist() == [table.get(q, missing) for q in queries.tolist()]
    with pytest.raises(ValueError, match="reserved"):
        HashIndex(np.array([0, 5], dtype=np.uint64), np.array([1, 2]))


def test_word_features_equal_scikit_learns_tfidf_on_the_same_tokens() -> None:
    """Counts as CountVectorizer makes them, weighted log(1 + count) * smooth idf, l2-normalised."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    texts = [
        "The refund never came, order 1234 still missing!",
        "Great recipe, thanks! The soup was great.",
        "Order 9876 never came and the refund is missing",
        "thanks for the great recipe!!",
        "What a waste of time. Missing refund again? Again and again!",
        "the soup was great and the recipe easy",
    ] * 2 + ["one-off words here", "and more one-offs there"]
    batch = prepare_batch(texts)
    ours = WordNgrams(ngram_max=2, min_df=2, max_features=None).fit(batch)
    counter = CountVectorizer(
        tokenizer=reference_tokens, lowercase=False, token_pattern=None, ngram_range=(1, 2), min_df=2
    ).fit(batch.texts)
    counts = counter.transform(batch.texts).astype(np.float64)
    counts.data = np.log1p(counts.data)
    expected = TfidfTransformer().fit(counts).transform(counts).toarray()
    names = list(ours.get_feature_names_out())
    assert sorted(names) == sorted(counter.get_feature_names_out())
    order = [counter.vocabulary_[g] for g in names]
    np.testing.assert_allclose(ours.transform(batch).toarray(), expected[:, order], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("window", [16, 64, 5000])
def test_hashes_do_not_depend_on_the_hashing_window(monkeypatch: pytest.MonkeyPatch, window: int) -> None:
    """Batches are hashed in windows (and tokens longer than a window another way): same hashes."""
    from commentcare.model import _tokens

    texts = ["Great read, thanks!", "refund " * 700 + "x" * 5000, "great", "y" * 70]
    expected = tokenize(texts).hashes.tolist()
    monkeypatch.setattr(_tokens, "_CACHED", window)
    monkeypatch.setattr(_tokens, "_up", [])
    assert tokenize(texts).hashes.tolist() == expected
