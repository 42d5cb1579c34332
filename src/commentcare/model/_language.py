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

__all__ = ["ENGLISH_WORDS", "FOREIGN_WORDS", "MIN_FOREIGN", "looks_english"]

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

#: Frequent function words of other languages written in Latin letters (none of them English).
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
        "con",
        "que",
        "pero",
        "muy",
        "esta",
        "este",
        "es",
        "son",
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
        "ton",
        "ta",
        "der",
        "die",
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
        "den",
        "zu",
        "von",
        "um",
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
        "non",
        "di",
        "da",
        "het",
        "een",
        "niet",
        "ik",
        "je",
        "zijn",
        "wat",
        "maar",
        "ook",
        "dat",
        "voor",
        "met",
        "bedankt",
        "dan",
        "yang",
        "ini",
        "itu",
        "tidak",
        "ada",
        "dengan",
        "untuk",
        "saya",
        "kamu",
        "dari",
        "terima",
        "kasih",
        "sangat",
        "juga",
        "ve",
        "bir",
        "bu",
        "da",
        "de",
        "icin",
        "cok",
        "tesekkurler",
        "ben",
        "sen",
        "ama",
        "gibi",
        "ng",
        "sa",
        "ang",
        "mga",
        "na",
        "po",
        "ako",
        "ko",
        "mo",
        "salamat",
    ]
)

_WORD = re.compile(r"[^\W\d_]+")


def _is_latin(ch: str) -> bool:
    return ch.isascii() or "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff"


def _plain(word: str) -> str:
    """The word without accents, so "très" and "tres" are one word."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))


def looks_english(text: str) -> bool:
    """Whether ``text`` may be English (see the module's rule)."""
    words = _WORD.findall(text.replace("\u2019", "").replace("'", "").lower())
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
