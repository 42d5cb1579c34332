"""What a comment says, read with plain rules: the specific problem, what was liked, spam tells.

These feed the human-readable reasons and the personal parts of a reply. They never decide the
class (the model does); they only describe it.

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

from commentcare.model._text import Prepared

__all__ = [
    "Problem",
    "Words",
    "find_problem",
    "first_name",
    "liked_thing",
    "rant_reasons",
    "spam_reasons",
    "words",
]


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # short noun phrase for reasons: "a double charge"
    phrase: str  # how a reply names it: "the double charge on your card"
    quote: str  # the sentence of the comment that raises it, shortened


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
        kept = _KEPT[c] = "_" if _WORD_CHAR.match(c) else " "
    return kept


_KEPT: dict[str, str] = {}  # grows with the distinct non-ASCII characters seen (a few thousand)


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


def _search_from(
    rx: re.Pattern[str], text: str, w: Words, starts: frozenset[bytes], stems: frozenset[bytes] = frozenset()
) -> re.Match[str] | None:
    """``rx.search(text)`` for a pattern whose every match begins with a word of ``starts``, or
    with a word that begins with one of ``stems``.

    The pattern is tried only where such a word begins (in order, so the first match is the
    leftmost, as ``search`` would find), not at every character.
    """
    if w is _EVERYTHING:
        return rx.search(text)
    flat = w.flat
    at: list[int] = []
    for word in starts.intersection(w.hits):
        needle = b" " + word + b" "
        i = flat.find(needle)
        while i >= 0:
            at.append(i)  # flat has one more character in front: i is where the word begins in text
            i = flat.find(needle, i + 1)
    for stem in stems.intersection(w.stems) if stems else ():
        needle = b" " + stem
        i = flat.find(needle)
        while i >= 0:
            at.append(i)
            i = flat.find(needle, i + 1)
    at.sort()
    for i in at:
        m = rx.match(text, i)
        if m is not None:
            return m
    return None


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


_REF = r"(?:#\s?[A-Z0-9-]*\d[A-Z0-9-]*|\b(?:no\.|number)\s*[A-Z0-9-]*\d[A-Z0-9-]*)"
# Order matters: the first matching rule names the problem.
_PROBLEMS: tuple[tuple[str, str, str], ...] = (
    (
        r"\b(?:charged|billed|charge[sd]?)\b.{0,40}\b(?:twice|two times|double|2x)\b|\bdouble[- ]?(?:charged|charge|billed)\b",
        "a double charge",
        "the double charge",
    ),
    (
        r"\b(?:charged|billed|charging)\b.{0,50}\b(?:after|despite|though)\b.{0,30}\bcancel",
        "a charge after cancelling",
        "the charge after you cancelled",
    ),
    (r"\brefund", "a refund that has not arrived", "the delay with your refund"),
    (
        r"\b(?:can'?t|cannot|couldn'?t|unable to|impossible to|won'?t let me)\s+(?:cancel|unsubscribe)|\bunsubscrib",
        "cancelling or unsubscribing",
        "cancelling your subscription",
    ),
    (
        r"\b(?:order|package|parcel|delivery|shipment|tracking)\b",
        "an order or delivery",
        "the problem with your order",
    ),
    (
        r"\b(?:log ?in|sign ?in|password|2fa|two-factor|verification code|locked out|account)\b",
        "signing in",
        "the trouble signing in",
    ),
    (
        r"\b(?:crash\w*|bug\w*|broke\w*|broken|error|freez\w*|not working|doesn'?t work|stopped working|glitch\w*)\b",
        "something broken",
        "the problem you ran into",
    ),
    (
        r"\b(?:overcharg\w*|price|priced|pricing|coupon|discount|promo code|more expensive)\b",
        "a price or discount",
        "the price problem",
    ),
    (
        r"\b(?:oven|temperature|recipe|ingredient|cups?|grams?|tablespoons?|teaspoons?|bake[ds]?|baking)\b",
        "a mistake in the recipe",
        "the recipe",
    ),
    (
        r"\b(?:typo|wrong|incorrect|mistake|error|outdated|inaccurate|factually|misleading)\b",
        "a mistake in the post",
        "the mistake in the post",
    ),
    (r"\b(?:link|download|404|page not found)\b", "a broken link or download", "the broken link"),
    (r"\b(?:size|sizing|fit|fits|too small|too big)\b", "a sizing problem", "the sizing"),
    (
        r"\b(?:support|customer service|staff|rude|ticket|no reply|no response|never answered|ignored)\b",
        "how support handled it",
        "how we handled your request",
    ),
    (r"\b(?:booking|hotel|flight|tour|reservation)\b", "a booking", "the problem with your booking"),
    (
        r"\b(?:damaged|missing|wrong item|faulty|defective|arrived)\b",
        "a faulty or wrong item",
        "the item you received",
    ),
)
_PROBLEM_RES = tuple((re.compile(p, re.I | re.S), kind, phrase) for p, kind, phrase in _PROBLEMS)
# For each rule, words of which at least one must be in the lower-cased text for its pattern to
# match: a substring test is much cheaper than the pattern, and most rules miss most comments.
_TRIGGERS: tuple[tuple[str, ...], ...] = (
    ("charg", "bill"),
    ("charg", "bill"),
    ("refund",),
    ("cancel", "unsubscrib"),
    ("order", "package", "parcel", "deliver", "shipment", "tracking"),
    ("log", "sign", "password", "2fa", "two-factor", "verification code", "locked out", "account"),
    ("crash", "bug", "broke", "error", "freez", "work", "glitch"),
    ("charg", "price", "pricing", "coupon", "discount", "promo code", "expensive"),
    ("oven", "temperature", "recipe", "ingredient", "cup", "gram", "spoon", "bak"),
    ("typo", "wrong", "incorrect", "mistake", "error", "outdated", "inaccurate", "factually", "misleading"),
    ("link", "download", "404", "not found"),
    ("size", "sizing", "fit", "small", "big"),
    ("support", "customer service", "staff", "rude", "ticket", "reply", "response", "answer", "ignored"),
    ("booking", "hotel", "flight", "tour", "reservation"),
    ("damaged", "missing", "wrong item", "faulty", "defective", "arrived"),
)
# For each rule, what every match of its pattern has (the words of its phrases, the stems of its
# open-ended words): a rule is tried only when its gate is open.
_PROBLEM_GATES: tuple[_Gate, ...] = (
    _gate(
        "charged billed charge charges & twice two double 2x | double doublecharged doublecharge doublebilled"
    ),
    _gate("charged billed charging & after despite though & cancel*"),
    _gate("refund*"),
    _gate("cancel* unsubscrib* & can cant cannot couldn couldnt unable impossible won wont | unsubscrib*"),
    _gate("order package parcel delivery shipment tracking"),
    _gate(
        "login signin password 2fa account | log sign & in | factor & two | verification & code | locked & out"
    ),
    _gate("error | working & not stopped | doesn doesnt & work | crash* bug* broke* freez* glitch*"),
    _gate("price priced pricing coupon discount | promo & code | expensive & more | overcharg*"),
    _gate(
        "oven temperature recipe ingredient cup cups gram grams tablespoon tablespoons teaspoon teaspoons"
        " bake baked bakes baking"
    ),
    _gate("typo wrong incorrect mistake error outdated inaccurate factually misleading"),
    _gate("link download 404 | found & page & not"),
    _gate("size sizing fit fits | small big & too"),
    _gate("support staff rude ticket ignored | service & customer | reply response & no | answered & never"),
    _gate("booking hotel flight tour reservation"),
    _gate("damaged missing faulty defective arrived | item & wrong"),
)
# For each rule, where its matches begin: a word, or a word that begins with a stem ("*"). The
# pattern is tried there only, not at every character of the comment.
_PROBLEM_STARTS: tuple[tuple[frozenset[bytes], frozenset[bytes]], ...] = tuple(
    (
        frozenset(n for n in spec.encode("ascii").split() if not n.endswith(b"*")),
        frozenset(n[:-1] for n in spec.encode("ascii").split() if n.endswith(b"*")),
    )
    for spec in (
        "charged billed charge charges double doublecharged doublecharge doublebilled",
        "charged billed charging",
        "refund*",
        "can cant cannot couldn couldnt unable impossible won wont unsubscrib*",
        "order package parcel delivery shipment tracking",
        "log login sign signin password 2fa two verification locked account",
        "crash* bug* broke* error freez* not doesn doesnt stopped glitch*",
        "overcharg* price priced pricing coupon discount promo more",
        "oven temperature recipe ingredient cup cups gram grams tablespoon tablespoons teaspoon teaspoons"
        " bake baked bakes baking",
        "typo wrong incorrect mistake error outdated inaccurate factually misleading",
        "link download 404 page",
        "size sizing fit fits too",
        "support customer staff rude ticket no never ignored",
        "booking hotel flight tour reservation",
        "damaged missing wrong faulty defective arrived",
    )
)
# A rule's gate can be open only if the first need of one of its ways is met: one pass over the
# comment's few gate words and stems finds those rules, and only their gates are then read in full.
_RULE_BITS: dict[bytes, int] = {}
for _k, _g in enumerate(_PROBLEM_GATES):
    for _name in _g.first.words | _g.first.stems:
        _RULE_BITS[_name] = _RULE_BITS.get(_name, 0) | 1 << _k
_RULE_WORDS = frozenset().union(*(g.first.words for g in _PROBLEM_GATES))
_RULE_STEMS = frozenset().union(*(g.first.stems for g in _PROBLEM_GATES))


def _open_rules(w: Words) -> int:
    """Bit k is set when the gate of rule k is open."""
    bits = _RULE_BITS
    maybe = 0
    for name in w.hits & _RULE_WORDS:
        maybe |= bits[name]
    for name in w.stems & _RULE_STEMS:
        maybe |= bits[name]
    rules = 0
    while maybe:
        low_bit = maybe & -maybe
        maybe ^= low_bit
        if _PROBLEM_GATES[low_bit.bit_length() - 1].way_open(w):
            rules |= low_bit
    return rules


_REF_RE = re.compile(_REF, re.I)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


def _shorten(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    if len(s) <= n:
        return s
    cut = s[:n].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def find_problem(text: str) -> Problem | None:
    """The specific problem a complaint raises, named from the comment's own words."""
    return _find_problem(text, words(text))


def _find_problem(text: str, w: Words) -> Problem | None:
    rules = _open_rules(w)
    if not rules:
        return None
    low = text.lower()
    while rules:
        low_bit = rules & -rules
        rules ^= low_bit
        k = low_bit.bit_length() - 1
        rx, kind, phrase = _PROBLEM_RES[k]
        if not any(t in low for t in _TRIGGERS[k]):
            continue
        m = _search_from(rx, text, w, *_PROBLEM_STARTS[k])
        if m is None:
            continue
        quote = ""
        for s in _SENTENCE.finditer(text):
            if s.start() <= m.start() < s.end() + 1:
                quote = _shorten(s.group(0).strip())
                break
        # _REF_RE needs a "#", "no." or "number" (no other character folds to these): search only then
        if phrase.startswith(("the problem with your", "the delay with your")) and (
            "#" in text or "no" in low or "number" in low
        ):
            ref = _REF_RE.search(text)
            if ref:
                phrase = f"{phrase} ({ref.group(0).strip()})"
        return Problem(kind=kind, phrase=phrase, quote=quote)
    return None


_LIKED_PATTERN = (
    r"\b(?:love|loved|loving|enjoyed|adore|liked|appreciate|appreciated)\s+(?:how\s+)?"
    r"((?:the|your|this|that)\s+(?:[\w'-]+\s?){1,7}?)(?=[.,!?;:\n]|\s(?:and|but|so|it|in|on|with|you|i)\b|$)"
    r"|\bthanks? (?:you )?for (?:sharing )?((?:the|this|your)\s*(?:[\w'-]+\s?){1,5}?)(?=[.,!?;:\n]|\s(?:and|but|so|it)\b|$)"
    r"|\b((?:the|your)\s+(?:[\w'-]+\s?){1,3}?)\s+(?:is|was|were|are|looks?)\s+(?:so\s+|really\s+|absolutely\s+)?"
    r"(?:great|amazing|awesome|perfect|brilliant|delicious|beautiful|fantastic|gorgeous|spot on|superb|excellent|helpful|stunning|hilarious)"
)
try:
    # Possessive word runs (Python 3.11+) find the same matches: the look-ahead after the words
    # never holds inside a run of [\w'-], so cutting a word into shorter runs can never help; it
    # only made a failing attempt try every way of cutting up to seven words (tens of µs).
    _LIKED = re.compile(_LIKED_PATTERN.replace(r"[\w'-]+", r"[\w'-]++"), re.I)
except re.error:  # pragma: no cover - Python 3.10
    _LIKED = re.compile(_LIKED_PATTERN, re.I)
_STOP_LIKED = {
    "post",
    "article",
    "blog",
    "it",
    "this",
    "that",
    "one",
    "way",
    "read",
    "site",
    "same",
    "best",
    "most",
    "great",
}


# Alternative 1 needs a verb of liking and "the", "your", "this" or "that"; 2 "thank(s)" and
# "for"; 3 "the" or "your" and a verb like "is" ...
_LIKED_GATE = _gate(
    "love loved loving enjoyed adore liked appreciate appreciated & the your this that"
    " | thank thanks & for | the your & is was were are look looks"
)
# ... and then the fixed parts of an alternative in a row, as Words.flat spells them (where a space
# stands for any character that is not a word character): a tighter gate, one scan.
_LIKED_FLAT = re.compile(
    rb" (?:love|loved|loving|enjoyed|adore|liked|appreciate|appreciated) +(?:how +)?(?:the|your|this|that) "
    rb"| thanks? (?:you )?for (?:sharing )?(?:the|this|your)"
    rb"| (?:is|was|were|are|looks?) +(?:(?:so|really|absolutely) +)?(?:great|amazing|awesome|perfect|brilliant"
    rb"|delicious|beautiful|fantastic|gorgeous|spot on|superb|excellent|helpful|stunning|hilarious)"
)
# Where a match of _LIKED can begin: the verb of alternative 1, "thank(s)" of 2, "the"/"your" of 3.
_LIKED_STARTS = frozenset(
    b"love loved loving enjoyed adore liked appreciate appreciated thank thanks the your".split()
)


def liked_thing(text: str) -> str | None:
    """What a praising reader liked, in their own words ("the photos of Lisbon"), if they said."""
    return _liked_thing(text, words(text))


def _liked_in_text(text: str) -> str | None:
    """:func:`liked_thing`, with the cheapest test first: most praise does not say what it liked,
    and one scan of ``_LIKED_FLAT`` over the flat text tells before the words are cut."""
    flat = _flat(text)
    if flat is not None and _LIKED_FLAT.search(flat) is None:
        return None
    return _liked_thing(text, _words(flat))


def _liked_thing(text: str, w: Words) -> str | None:
    if not _LIKED_GATE.open(w) or (w is not _EVERYTHING and _LIKED_FLAT.search(w.flat) is None):
        return None
    m = _search_from(_LIKED, text, w, _LIKED_STARTS)
    if not m:
        return None
    thing = next(g for g in m.groups() if g)
    words = " ".join(thing.split()).strip(" '-").split(" ")
    if words and words[0].lower() in {"your", "the", "this", "that"}:
        words[0] = "the" if words[0].lower() == "your" else words[0].lower()  # "your photos" -> "the photos"
    if len(words) < 2 or words[-1].lower() in _STOP_LIKED or " ".join(words[1:]).lower() in _STOP_LIKED:
        return None
    thing = " ".join(words)
    return _shorten(thing, 50)


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
