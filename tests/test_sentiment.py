"""The lexicon block against a plain restatement of its definitions, one comment at a time.

The reference below is written from the definitions in the module's docstring, not from the
batch code's arrays: if either changes its output, the comparison on generated comments fails.
"""

from __future__ import annotations

import math
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from commentcare.model._sentiment import (
    CONTRAST,
    CURLY_STEMS,
    NEGATORS,
    SCOPE,
    SENTIMENT_FEATURES,
    STOPS,
    Sentiment,
    words_of,
)

LEXICON = {
    "good": 1.9,
    "bad": -2.5,
    "love": 3.2,
    "horrible": -2.5,
    "impressed": 2.1,
    "don't": -0.5,
    "😀": 2.0,
}
LEXICON |= {"but": 0.7, "however": -0.4}  # no contrast word has a valence in VADER; here they do

# The tokens, as the module _tokens defines them (digits read as 0).
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[!?]|[\u2600-\u27bf\U0001F000-\U0001FAFF]")


def reference_tokens(text: str) -> list[tuple[str, int, int]]:
    lowered = re.sub(r"\d", "0", text.lower())
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(lowered)]


def reference_scopes(text: str, tokens: list[tuple[str, int, int]]) -> tuple[list[bool], list[bool]]:
    """Which tokens are negators, and which are in a negation scope."""
    negator = [
        tok in NEGATORS
        or (
            tok == "t"
            and i > 0
            and text[start - 1] == "\u2019"
            and tokens[i - 1][2] == start - 1
            and tokens[i - 1][0] in CURLY_STEMS
        )
        for i, (tok, start, _) in enumerate(tokens)
    ]
    mark = [neg or tok in CONTRAST or tok in ("!", "?") for neg, (tok, _, _) in zip(negator, tokens)]
    scoped = []
    for i, (_, start, _) in enumerate(tokens):
        marks_before = [j for j in range(i) if mark[j]]
        if mark[i] or not marks_before:
            scoped.append(False)
            continue
        j = marks_before[-1]
        between = text[tokens[j][2] : start]
        scoped.append(negator[j] and i - j <= SCOPE and not any(c in between for c in STOPS))
    return negator, scoped


def reference_row(text: str, negated_columns: dict[str, int], scale: float) -> dict[int, float]:
    tokens = reference_tokens(text)
    negator, scopes = reference_scopes(text, tokens)
    after_contrast = max((i for i, (t, _, _) in enumerate(tokens) if t in CONTRAST), default=-1)
    sums = [0.0] * 6
    for i, ((tok, _, _), scoped) in enumerate(zip(tokens, scopes)):
        v = LEXICON.get(tok, 0.0)
        pos, neg = max(v, 0.0), max(-v, 0.0)
        if scoped:
            sums[2] += pos
            sums[3] += neg
        else:
            sums[0] += pos
            sums[1] += neg
            if i > after_contrast:
                sums[4] += pos
                sums[5] += neg
    negators = sum(negator)
    dense = [x / (x + 4.0) for x in sums] + [negators / (negators + 1.0)]
    row = {j: v * scale for j, v in enumerate(dense) if v}
    negated = {
        negated_columns["not_" + t]
        for (t, _, _), s in zip(tokens, scopes)
        if s and "not_" + t in negated_columns
    }
    for col in negated:
        row[col] = 1.0 / math.sqrt(len(negated))
    return row


WORDS = ["not", "never", "no", "don't", "good", "bad", "love", "horrible", "impressed", "but", "however"]
WORDS += ["the", "food", "was", "it", "at", "all", ".", ",", ";", "!", "?", "Isn\u2019t", "don\u2019t", "t"]
WORDS += ["can\u2019", "3", "😀", "GOOD!", "no.", "x:", "isn \u2019t", "\u2019t"]
comments = st.lists(st.sampled_from(WORDS), max_size=14).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(comments, min_size=1, max_size=6))
def test_the_batch_path_equals_the_definitions(texts: list[str]) -> None:
    s = Sentiment(LEXICON, negated_min_df=1, scale=1.5).fit(
        ["not good", "never bad", "no food at all", "no 3"]
    )
    got = s.transform(texts).toarray()
    columns = {g: j for j, g in enumerate(s.get_feature_names_out())}
    for row, text in zip(got, texts):
        want = np.zeros(len(row))
        for j, v in reference_row(text, columns, 1.5).items():
            want[j] = v
        assert np.allclose(row, want), text


def test_negation_reads_as_people_write_it() -> None:
    s = Sentiment(LEXICON, negated_min_df=1).fit(["not good"])
    rows = s.transform(["Not good.", "not. good", "I don\u2019t love it", "not bad, but good"]).toarray()
    negated_positive, negated_negative = (
        SENTIMENT_FEATURES.index("negated_positive"),
        SENTIMENT_FEATURES.index("negated_negative"),
    )
    assert rows[0, negated_positive] > 0  # "not good"
    assert rows[1, negated_positive] == 0  # the full stop closes the scope
    assert rows[2, negated_positive] > 0  # a typographic apostrophe still negates
    assert rows[3, negated_negative] > 0 and rows[3, SENTIMENT_FEATURES.index("last_clause_positive")] > 0
    assert words_of("I don't love it, 3 times!") == ["i", "don't", "love", "it", "times"]
