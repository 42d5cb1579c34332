"""Is a comment in English? A cheap check, so an English model never acts alone on another language.

Why: the model has learned English. On a comment in Spanish or Russian its guess is noise, and
a noisy "spam" removes a customer's comment while a noisy "praise" thanks a complaint. Such a
comment is flagged and held for a human instead.

The rule, written as plainly as it runs:

* no letters at all (emoji, numbers): nothing to judge, treated as English;
* most letters outside the Latin script: not English;
* otherwise, not English when at least :data:`MIN_FOREIGN` words are common words of another
  language (Spanish, French, German, Portuguese, Italian, Dutch, Indonesian, Turkish, ...) and
  they outnumber the common English words. Telegraphic English ("Tracking stuck since Monday.")
  has few English function words, so it is the foreign words that decide, not their absence.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np

from commentcare.model._tokens import HashIndex, hash_strings

if TYPE_CHECKING:
    from commentcare.model._text import PreparedBatch

__all__ = ["ENGLISH_WORDS", "FOREIGN_WORDS", "MIN_FOREIGN", "english_mask", "looks_english"]

MIN_FOREIGN = 2

#: Frequent English function words.
ENGLISH_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "dont",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "him",
        "his",
        "how",
        "i",
        "if",
        "im",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "my",
        "no",
        "not",
        "now",
        "of",
        "on",
        "or",
        "our",
        "out",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "to",
        "too",
        "up",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)

#: Frequent function words of other languages written in Latin letters; words that are also English
#: (names such as "Dan" and "Ben", "die", "met", "son", slang such as "dat" and "da") are left out.
FOREIGN_WORDS = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "del",
        "una",
        "unos",
        "por",
        "para",
        "que",
        "pero",
        "muy",
        "esta",
        "este",
        "es",
        "mas",
        "como",
        "porque",
        "tambien",
        "donde",
        "cuando",
        "gracias",
        "hola",
        "tengo",
        "tiene",
        "hace",
        "estoy",
        "yo",
        "nosotros",
        "ustedes",
        "le",
        "les",
        "des",
        "du",
        "une",
        "est",
        "et",
        "je",
        "tu",
        "il",
        "elle",
        "nous",
        "vous",
        "ils",
        "sont",
        "avec",
        "pour",
        "dans",
        "sur",
        "mais",
        "tres",
        "merci",
        "bonjour",
        "cest",
        "pas",
        "qui",
        "ce",
        "cette",
        "mon",
        "ma",
        "mes",
        "der",
        "das",
        "und",
        "ist",
        "nicht",
        "ein",
        "eine",
        "mit",
        "auf",
        "fur",
        "ich",
        "sie",
        "wir",
        "ihr",
        "sehr",
        "aber",
        "auch",
        "wie",
        "danke",
        "bitte",
        "noch",
        "schon",
        "kein",
        "dem",
        "zu",
        "von",
        "uma",
        "os",
        "nao",
        "sim",
        "obrigado",
        "obrigada",
        "voce",
        "muito",
        "com",
        "isso",
        "essa",
        "esse",
        "ele",
        "ela",
        "eles",
        "ao",
        "il",
        "lo",
        "gli",
        "della",
        "che",
        "sono",
        "molto",
        "grazie",
        "anche",
        "perche",
        "questo",
        "questa",
        "di",
        "het",
        "een",
        "niet",
        "ik",
        "je",
        "zijn",
        "maar",
        "ook",
        "voor",
        "bedankt",
        "yang",
        "ini",
        "itu",
        "tidak",
        "dengan",
        "untuk",
        "saya",
        "kamu",
        "dari",
        "terima",
        "kasih",
        "sangat",
        "juga",
        "bir",
        "bu",
        "de",
        "icin",
        "cok",
        "tesekkurler",
        "gibi",
        "ng",
        "sa",
        "ang",
        "mga",
        "na",
        "po",
        "ako",
        "salamat",
    ]
)

# The featuriser's tokens (module _tokens); a word's apostrophe is dropped before it is looked up.
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[!?]|[\u2600-\u27bf\U0001F000-\U0001FAFF]")


def _is_latin(ch: str) -> bool:
    return ch.isascii() or "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff"


def _plain(word: str) -> str:
    """The word without accents, so "très" and "tres" are one word."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def looks_english(text: str) -> bool:
    """Whether ``text`` may be English (see the module's rule)."""
    words = [t.replace("'", "") for t in _TOKEN.findall(text.lower()) if t[0].isalpha()]
    if not words:
        return True
    letters = "".join(words)
    if not letters.isascii():
        latin = sum(1 for ch in letters if _is_latin(ch))
        if latin * 2 < len(letters):
            return False
    foreign = english = 0
    for word in words:
        if word in ENGLISH_WORDS:
            english += 1
        elif (word if word.isascii() else _plain(word)) in FOREIGN_WORDS:
            foreign += 1
    return not (foreign >= MIN_FOREIGN and foreign > english)


def _with_apostrophes(word: str) -> list[str]:
    """The word, and the word with one apostrophe at each place a token can hold it."""
    return [word] + [word[:k] + "'" + word[k:] for k in range(1, len(word))]


def _kind_index() -> HashIndex:
    """Token hash -> 1 for an English word, 2 for a foreign one (0: neither)."""
    kind = {v: 2 for w in FOREIGN_WORDS for v in _with_apostrophes(w)}
    kind.update({v: 1 for w in ENGLISH_WORDS for v in _with_apostrophes(w)})
    words = sorted(kind)
    return HashIndex(hash_strings(words), np.array([kind[w] for w in words], dtype=np.int64))


_KINDS: list[HashIndex] = []
_NON_ASCII_LETTER = re.compile(r"(?![\x00-\x7f])[^\W\d_]")


def english_mask(batch: PreparedBatch) -> np.ndarray:
    """``[looks_english(t) for t in batch.texts]`` as a boolean array, from the batch's tokens.

    Texts whose letters are all ASCII (most of them) are counted from the tokens the word features
    already made; the others go through :func:`looks_english` one by one.
    """
    texts = batch.texts
    n = len(texts)
    # Texts whose letters are all ASCII: their tokens decide (emoji and curly quotes do not matter).
    ascii_text = np.fromiter(
        (t.isascii() or not _NON_ASCII_LETTER.search(t) for t in texts), dtype=bool, count=n
    )
    out = np.ones(n, dtype=bool)
    if not _KINDS:
        _KINDS.append(_kind_index())
    tokens = batch.tokens()
    kind = _KINDS[0].get(tokens.hashes)
    english = np.bincount(tokens.doc[kind == 1], minlength=n)
    foreign = np.bincount(tokens.doc[kind == 2], minlength=n)
    out[ascii_text] = ~((foreign >= MIN_FOREIGN) & (foreign > english))[ascii_text]
    for i in np.flatnonzero(~ascii_text).tolist():
        out[i] = looks_english(texts[i])
    return out
