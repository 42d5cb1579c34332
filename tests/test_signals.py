"""The keyword gates in front of the signal patterns change speed, never results.

Each gated signal is compared with the plain pattern on texts built to sit on the gates' edges:
keywords in any case, glued to other words, split by punctuation, non-ASCII letters (including
the four that ``re.IGNORECASE`` takes for ASCII ones) and unusual spaces.
"""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from commentcare.model._text import prepare
from commentcare.moderation import _signals as sig

# -- the signals as they read without gates ----------------------------------------------------------


def plain_rant_reasons(text: str) -> list[str]:
    reasons: list[str] = []
    found = sig._INSULT.findall(text)
    if found:
        uniq = list(dict.fromkeys(w.lower() for w in found))[:3]
        reasons.append("hostile words (" + ", ".join(repr(w) for w in uniq) + ")")
    letters = sum(map(str.isalpha, text))
    if letters >= 12 and sum(map(str.isupper, text)) / letters > 0.6:
        reasons.append("written mostly in capitals")
    return reasons


# -- texts on the edges of the gates --------------------------------------------------------------------


# One phrase for every alternative of every pattern, written as a comment would.
PHRASES = [
    # insults
    "idiots", "moron", "stupid", "dumb", "pathetic", "garbage", "trash", "clowns", "losers", "scum", "fucking",
    "shitty", "crap", "worst", "hate", "liars", "scam", "scammers", "incompetent", "useless", "joke",
    # money and self-promotion
    "crypto", "bitcoin", "btc", "forex", "investing", "loans", "casino", "bet", "betting", "viagra", "cialis",
    "pills", "pharmacy", "weight loss", "earn $", "per hour", "per day", "per week", "work from home", "dating",
    "hookup", "prize", "winner", "verify your", "backlinks", "seo", "followers", "essay", "whatsapp", "telegram",
    "check out my", "visit my", "subscribe to my", "my channel", "my site", "my blog", "my store", "click here",
    "dm me", "contact him", "contact her", "contact me",
]  # fmt: skip
CONTEXTS = ["{}", "Hi, {}!", "x{}", "{}x", "so {} and the rest", "The {}. Then more.", "«{}»", "é{}", "{}_"]


def _pattern_words() -> list[str]:
    """Every literal word of the signal patterns."""
    patterns = [sig._INSULT.pattern, sig._MONEY.pattern, sig._PROMO.pattern]
    found = set()
    for p in patterns:
        found.update(re.findall(r"[a-z][a-z0-9']+", p))
    return sorted(found)


WORDS = _pattern_words()
SEPARATORS = [
    " ",
    " ",
    " ",
    "  ",
    ", ",
    ". ",
    "! ",
    "? ",
    "\n",
    "\t",
    "-",
    "'",
    "_",
    "\u00a0",
    " — ",
    "é",
    "",
]
ODD = ["é", "ß", "日本", "\u0130", "\u0131", "\u017f", "\u212a", "ǅ", "Ⅻ", "٣", "x", "7", "_"]


def _cased(word: str, how: int) -> str:
    return (word, word.upper(), word.title(), word.swapcase())[how]


piece = st.one_of(
    st.builds(_cased, st.sampled_from(PHRASES), st.integers(0, 3)),
    st.builds(_cased, st.sampled_from(WORDS), st.integers(0, 3)),
    st.sampled_from(
        ["the", "your", "this", "is", "was", "so", "really", "for", "you", "my", "no", "not", "how"]
    ),
    st.sampled_from(ODD),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6),
)
texts = st.lists(st.tuples(piece, st.sampled_from(SEPARATORS)), max_size=14).map(
    lambda parts: "".join(a + b for a, b in parts)
)


def check(text: str) -> None:
    assert sig._rant_reasons(text, sig.words(text)) == plain_rant_reasons(text)
    p = prepare(text)
    money = sig._MONEY.search(p.text)
    promo = sig._PROMO.search(p.text)
    reasons = sig.spam_reasons(p)
    assert any("promotional wording" in r for r in reasons) is (money is not None)
    assert any("self-promotion" in r for r in reasons) is (promo is not None)


def test_every_phrase_in_every_context():
    for phrase in PHRASES:
        for how in range(4):
            for context in CONTEXTS:
                check(context.format(_cased(phrase, how)))


@settings(max_examples=1500, deadline=None)
@given(text=texts)
def test_gated_signals_read_as_the_plain_patterns(text):
    check(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80))
def test_gated_signals_on_any_text(text):
    assert sig._rant_reasons(text, sig.words(text)) == plain_rant_reasons(text)


def test_examples():
    assert sig.rant_reasons(prepare("You IDIOTS, this is garbage, idiots")) == [
        "hostile words ('idiots', 'garbage')"
    ]
    assert sig.rant_reasons(prepare("fuckin scammers")) == ["hostile words ('fuckin', 'scammers')"]


def test_the_word_view_keeps_word_ends_where_the_patterns_see_them():
    w = sig.words("Ça coûte—TROP cher: l'order_1 #5")
    assert w.flat == b" _a co_te trop cher  l order_1  5 "
    assert len(w.flat) == len("Ça coûte—TROP cher: l'order_1 #5") + 2
    assert sig.words("ſign in") is sig._EVERYTHING  # "ſ" matches "s" under IGNORECASE: no gate is trusted


def test_only_four_non_ascii_characters_fold_to_ascii_letters():
    letter = re.compile("[a-z0-9_]", re.I)
    folding = [c for c in range(0x80, sys.maxunicode + 1) if letter.match(chr(c))]
    assert {chr(c) for c in folding} == set("\u0130\u0131\u017f\u212a")


def test_gate_tables_are_consistent():
    # words looked up in Words.hits must be among those a comment keeps
    assert sig._INSULT_WORDS <= sig._KEYWORDS
    for a in sig._STEMS:  # findall finds every stem only if none begins another
        assert not any(b != a and b.startswith(a) for b in sig._STEMS)
    # the insult gate is one need (its words and stems), as _rant_reasons reads it
    assert sig._INSULT_GATE.ways == ((sig._Need(sig._INSULT_WORDS, sig._INSULT_STEMS),),)
    stems = sig.words("x investing, the FUCKING! shitty loans").stems
    assert stems == {b"invest", b"fuck", b"shit", b"loan"}
    assert sig.words("Ça s'est shité").stems == {b"shit"}
    for g in sig._GATES:
        for way in g.ways:
            assert all(n.words or n.stems for n in way)


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=60))
def test_the_flat_words_and_the_capitals_count_keep_their_plain_definitions(text):
    import re

    if sig._FOLDS_TO_ASCII.search(text):
        assert sig._flat(text) is None
    else:  # each non-ASCII character is one byte: "_" if \w takes it, else " "
        plain = re.sub(r"[^\x00-\x7f]", " ", re.sub(r"(?![\x00-\x7f])\w", "_", text)).encode("ascii")
        assert sig._flat(text) == b" " + plain.translate(sig._WORD_BYTES) + b" "
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, text))
    capitals = letters >= 12 and upper / letters > 0.6
    assert ("written mostly in capitals" in sig._rant_reasons(text, sig.words(text))) is capitals


def test_capitals_are_counted_in_accented_and_curly_quoted_text():
    assert "written mostly in capitals" in sig._rant_reasons("ÉCOLE FERMÉE AUJOURD’HUI !", sig.words("x"))
    assert "written mostly in capitals" not in sig._rant_reasons("École fermée AUJOURD’HUI", sig.words("x"))
