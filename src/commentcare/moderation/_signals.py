"""Spam and rant tells, read with plain rules, for the reasons a moderator reads.

They never decide the class (the model does); they only describe it. (What a comment is about,
for the drafts, is read in :mod:`._reading`.)

Why keyword gates: Python's ``re`` tries a pattern at every character, and most comments match
none of the patterns. So a comment is first cut into lower-case ASCII words once (:func:`words`,
a few C-level calls), and a pattern runs only if the comment has a word (or, for an ending like
``\\w*``, a word stem) that every match of that pattern contains. A gate may let through a
comment its pattern then does not match, never the reverse: results are the patterns' own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from commentcare.model import Prepared

__all__ = ["Words", "first_name", "rant_reasons", "spam_reasons", "words"]


# -- the words the gates read ---------------------------------------------------------------------

#: The non-ASCII characters ``re.IGNORECASE`` takes for an ASCII letter (İ ı ſ K): with one of
#: them, a comment's ASCII words cannot speak for it, and every gate is open.
_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u017f\u212a]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD_CHAR = re.compile(r"\w")
_ASCII_BYTES = bytes(range(128))


def _one_byte(m: re.Match[str]) -> str:
    """A non-ASCII character as ``Words.flat`` keeps it: "_" if ``\\w`` takes it, else " "."""
    c = m.group()
    kept = _KEPT.get(c)
    if kept is None:
        if len(_KEPT) >= _MAX_KEPT:
            _KEPT.clear()
        kept = _KEPT[c] = "_" if _WORD_CHAR.match(c) else " "
    return kept


_KEPT: dict[str, str] = {}  # a cache: the distinct non-ASCII characters seen, up to _MAX_KEPT
_MAX_KEPT = 4096


def _word_bytes() -> bytes:
    table = bytearray(b" " * 256)
    for c in range(128):
        if chr(c).isalnum() or chr(c) == "_":
            table[c] = ord(chr(c).lower())
    return bytes(table)


_WORD_BYTES = _word_bytes()  # ASCII letters lower-cased, digits and "_" kept, all else a space


class Words:
    """A comment's words as the gates read them.

    ``flat`` is the text as lower-case ASCII bytes with a space wherever ``\\b`` sees a word end,
    and one in front, so that a word starts after each space; ``hits`` is the set of its words
    that some gate names; ``stems`` the set of gate stems that begin one of its words.
    """

    __slots__ = ("_stems", "flat", "hits")

    def __init__(self, flat: bytes, hits: frozenset[bytes]) -> None:
        self.flat = flat
        self.hits = hits
        self._stems: frozenset[bytes] | None = None

    @property
    def stems(self) -> frozenset[bytes]:
        # Found on first use, in one scan for all gates: only gates with stems ask (praise never).
        stems = self._stems
        if stems is None:
            stems = self._stems = frozenset(_STEMS_RE.findall(self.flat))
        return stems


def words(text: str) -> Words:
    """Cut a comment into the words the gates read (see the module docstring)."""
    return _words(_flat(text))


def _words(flat: bytes | None) -> Words:
    """The words of a comment from its ``Words.flat`` (see :func:`words`)."""
    return _EVERYTHING if flat is None else Words(flat, _KEYWORDS.intersection(flat.split()))


def _flat(text: str) -> bytes | None:
    """``Words.flat`` of a comment, or None when no gate can be trusted with it (see _EVERYTHING)."""
    if text.isascii():
        raw = text.encode("ascii")
    elif _FOLDS_TO_ASCII.search(text):
        return None
    else:  # non-ASCII word characters become "_", the others spaces: word ends stay where \b sees them
        raw = _NON_ASCII.sub(_one_byte, text).encode("ascii")
    return b" " + raw.translate(_WORD_BYTES) + b" "


@dataclass(frozen=True, slots=True)
class _Need:
    """A word of the comment among ``words``, or one that begins with one of ``stems``."""

    words: frozenset[bytes]
    stems: frozenset[bytes]

    def met(self, w: Words) -> bool:
        if not self.words.isdisjoint(w.hits):
            return True
        return bool(self.stems) and not self.stems.isdisjoint(w.stems)


@dataclass(frozen=True, slots=True)
class _Gate:
    """What every match of a pattern has: all the needs of one of ``ways``."""

    ways: tuple[tuple[_Need, ...], ...]
    # The first needs of all ways in one: when it is not met, no way is (the common case).
    first: _Need = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        first = _Need(
            frozenset().union(*(way[0].words for way in self.ways)),
            frozenset().union(*(way[0].stems for way in self.ways)),
        )
        object.__setattr__(self, "first", first)

    def open(self, w: Words) -> bool:
        return self.first.met(w) and self.way_open(w)

    def way_open(self, w: Words) -> bool:
        """Whether one way has all its needs (``open`` once the first needs are known to be met)."""
        for way in self.ways:
            for need in way:
                if not need.met(w):
                    break
            else:
                return True
        return False


_GATES: list[_Gate] = []  # every gate, for _KEYWORDS


def _gate(spec: str) -> _Gate:
    """A gate from its spec: ways split by "|", needs by "&"; a need lists words, or stems ("*").

    ``"no & reply response | ignored"`` is open for a comment with the words "no" and "reply" (or
    "response"), or with "ignored"; ``"crash*"`` for one with a word that begins with "crash". The
    rarest need of a way goes first: the first needs of the ways decide most comments alone.
    """
    ways = []
    for way in spec.split("|"):
        needs = []
        for need in way.split("&"):
            names = need.encode("ascii").split()
            needs.append(
                _Need(
                    frozenset(n for n in names if not n.endswith(b"*")),
                    frozenset(n[:-1] for n in names if n.endswith(b"*")),
                )
            )
        ways.append(tuple(needs))
    g = _Gate(tuple(ways))
    _GATES.append(g)
    return g


_NAME_OK = re.compile(r"^[^\W\d_](?:[^\W\d_]|['-](?=[^\W\d_])){0,24}$")


@lru_cache(maxsize=4096)  # the same authors come back, and the answer is a pure function of the name
def first_name(author: str | None) -> str | None:
    """A first name to greet by, or None when the author field is not a person's name."""
    if not author:
        return None
    first = author.strip().split()[0] if author.strip() else ""
    first = first.strip(",.")
    if not _NAME_OK.match(first) or first.lower() in {"anonymous", "anon", "guest", "admin", "user"}:
        return None
    return first[0].upper() + first[1:] if first.islower() else first


_MONEY = re.compile(
    r"\b(?:crypto|bitcoin|btc|forex|invest\w*|loan\w*|casino|bet(?:ting)?|viagra|cialis|pills?|pharmacy|"
    r"weight loss|earn \$|per (?:hour|day|week)|work from home|dating|hookup|prize|winner|verify your|"
    r"backlinks?|seo|followers|essay|whatsapp|telegram)\b",
    re.I,
)
_PROMO = re.compile(
    r"\b(?:check out my|visit my|subscribe to my|my channel|my site|my blog|my store|click here|dm me|contact (?:him|her|me))\b",
    re.I,
)


_MONEY_GATE = _gate(
    "crypto bitcoin btc forex casino bet betting viagra cialis pill pills pharmacy earn dating hookup"
    " prize winner backlink backlinks seo followers essay whatsapp telegram invest* loan*"
    " | weight & loss | per & hour day week | work & from & home | verify & your"
)
_PROMO_GATE = _gate(
    "check & out & my | visit & my | subscribe & to & my | my & channel site blog store | click & here"
    " | dm & me | contact & him her me"
)


def spam_reasons(p: Prepared) -> list[str]:
    return _spam_reasons(p, words(p.text))


def _spam_reasons(p: Prepared, w: Words) -> list[str]:
    reasons: list[str] = []
    if p.urls:
        doms = ", ".join(p.domains[:3])
        n = len(p.urls)
        reasons.append(
            f"{n} link{'s' if n > 1 else ''} ({doms})" if doms else f"{n} link{'s' if n > 1 else ''}"
        )
    if p.obfuscated_links:
        reasons.append('a disguised link ("dot com" style)')
    if p.author_url:
        reasons.append("the author field carries a website")
    if p.phones:
        reasons.append("a phone number")
    if p.emails:
        reasons.append("an e-mail address in the text")
    if p.handles:
        reasons.append("a social or messenger handle")
    m = _MONEY.search(p.text) if _MONEY_GATE.open(w) else None
    if m:
        reasons.append(f"promotional wording ({m.group(0).lower()!r})")
    m2 = _PROMO.search(p.text) if _PROMO_GATE.open(w) else None
    if m2:
        reasons.append(f"self-promotion ({m2.group(0).lower()!r})")
    return reasons


_INSULT = re.compile(
    r"\b(idiots?|morons?|stupid|dumb|pathetic|garbage|trash|clowns?|losers?|scum|fuck\w*|shit\w*|crap|"
    r"worst|hate|liars?|scam(?:mers)?|incompetent|useless|joke)\b",
    re.I,
)


_INSULT_GATE = _gate(
    "idiot idiots moron morons stupid dumb pathetic garbage trash clown clowns loser losers scum crap"
    " worst hate liar liars scam scammers incompetent useless joke fuck* shit*"
)
# _INSULT's words and open-ended stems, lower-case ("fuck\\w*" is any word that begins "fuck"): the
# gate's one need names them.
_INSULT_WORDS = _INSULT_GATE.first.words
_INSULT_STEMS = _INSULT_GATE.first.stems
_INSULT_PREFIXES = tuple(sorted(_INSULT_STEMS))
_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))
_NOT_ASCII_BYTES = bytes(range(128, 256))


def rant_reasons(p: Prepared) -> list[str]:
    return _rant_reasons(p.text, words(p.text))


def _rant_reasons(text: str, w: Words) -> list[str]:
    reasons: list[str] = []
    found: list[str] = []
    if _INSULT_WORDS.isdisjoint(w.hits) and _INSULT_STEMS.isdisjoint(w.stems):
        pass  # the gate is closed (its one way has one need: these words and stems)
    elif not text.isascii():
        found = _INSULT.findall(text)
    elif _INSULT_STEMS.isdisjoint(w.stems):
        # On ASCII text a match of _INSULT is a whole word (word characters from \b to \b), so
        # the insults are the insult words of the comment, in the order they first appear.
        flat = w.flat
        found = sorted(
            (x.decode() for x in w.hits & _INSULT_WORDS), key=lambda x: flat.find(f" {x} ".encode())
        )
    else:  # and a word that begins "fuck" or "shit" is one, whatever follows
        found = [x.decode() for x in w.flat.split() if x in _INSULT_WORDS or x.startswith(_INSULT_PREFIXES)]
    if found:
        uniq = list(dict.fromkeys(x.lower() for x in found))[:3]
        reasons.append("hostile words (" + ", ".join(repr(x) for x in uniq) + ")")
    if text.isascii():  # C-level counts; str.isalpha and str.isupper agree with them on ASCII
        raw = text.encode("ascii")
        upper = len(raw) - len(raw.translate(None, _ASCII_UPPER))
        # more than 60% of at least 12 letters is at least 8: count the letters only then
        letters = len(raw) - len(raw.translate(None, _ASCII_LETTERS)) if upper >= 8 else 0
    else:  # the ASCII part counted as above, the few other characters one by one
        raw = text.encode("utf-8", "surrogatepass")
        ascii_part = raw.translate(None, _NOT_ASCII_BYTES)
        others = raw.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
        letters = len(ascii_part) - len(ascii_part.translate(None, _ASCII_LETTERS))
        letters += sum(map(str.isalpha, others))
        upper = 0
        if letters >= 12:
            upper = len(ascii_part) - len(ascii_part.translate(None, _ASCII_UPPER))
            upper += sum(map(str.isupper, others))
    if letters >= 12 and upper / letters > 0.6:
        reasons.append("written mostly in capitals")
    return reasons


#: Every word some gate names: a comment's words are intersected with these once.
_KEYWORDS: frozenset[bytes] = frozenset().union(*(n.words for g in _GATES for way in g.ways for n in way))
#: Every stem some gate names. No stem begins another (tested), so the one that begins a word is found.
_STEMS: frozenset[bytes] = frozenset().union(*(n.stems for g in _GATES for way in g.ways for n in way))
_STEMS_RE = re.compile(b" (" + b"|".join(sorted(_STEMS)) + b")")
#: The words of a comment for which no gate can be trusted: every gate word, and every stem.
_EVERYTHING = Words(b" " + b" ".join(sorted(_STEMS)), _KEYWORDS)
