"""What a comment says, read with plain rules: the specific problem, what was liked, spam tells.

These feed the human-readable reasons and the personal parts of a reply. They never decide the
class (the model does); they only describe it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from commentcare.model._text import Prepared

__all__ = ["Problem", "find_problem", "first_name", "liked_thing", "rant_reasons", "spam_reasons"]


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # short noun phrase for reasons: "a double charge"
    phrase: str  # how a reply names it: "the double charge on your card"
    quote: str  # the sentence of the comment that raises it, shortened


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
    low = text.lower()
    for (rx, kind, phrase), triggers in zip(_PROBLEM_RES, _TRIGGERS, strict=True):
        if not any(t in low for t in triggers):
            continue
        m = rx.search(text)
        if m is None:
            continue
        quote = ""
        for s in _SENTENCE.finditer(text):
            if s.start() <= m.start() < s.end() + 1:
                quote = _shorten(s.group(0).strip())
                break
        ref = _REF_RE.search(text)
        if ref and phrase.startswith(("the problem with your", "the delay with your")):
            phrase = f"{phrase} ({ref.group(0).strip()})"
        return Problem(kind=kind, phrase=phrase, quote=quote)
    return None


_LIKED = re.compile(
    r"\b(?:love|loved|loving|enjoyed|adore|liked|appreciate|appreciated)\s+(?:how\s+)?"
    r"((?:the|your|this|that)\s+(?:[\w'-]+\s?){1,7}?)(?=[.,!?;:\n]|\s(?:and|but|so|it|in|on|with|you|i)\b|$)"
    r"|\bthanks? (?:you )?for (?:sharing )?((?:the|this|your)\s*(?:[\w'-]+\s?){1,5}?)(?=[.,!?;:\n]|\s(?:and|but|so|it)\b|$)"
    r"|\b((?:the|your)\s+(?:[\w'-]+\s?){1,3}?)\s+(?:is|was|were|are|looks?)\s+(?:so\s+|really\s+|absolutely\s+)?"
    r"(?:great|amazing|awesome|perfect|brilliant|delicious|beautiful|fantastic|gorgeous|spot on|superb|excellent|helpful|stunning|hilarious)",
    re.I,
)
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


def liked_thing(text: str) -> str | None:
    """What a praising reader liked, in their own words ("the photos of Lisbon"), if they said."""
    m = _LIKED.search(text)
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


def spam_reasons(p: Prepared) -> list[str]:
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
    m = _MONEY.search(p.text)
    if m:
        reasons.append(f"promotional wording ({m.group(0).lower()!r})")
    m2 = _PROMO.search(p.text)
    if m2:
        reasons.append(f"self-promotion ({m2.group(0).lower()!r})")
    return reasons


_INSULT = re.compile(
    r"\b(idiots?|morons?|stupid|dumb|pathetic|garbage|trash|clowns?|losers?|scum|fuck\w*|shit\w*|crap|"
    r"worst|hate|liars?|scam(?:mers)?|incompetent|useless|joke)\b",
    re.I,
)


def rant_reasons(p: Prepared) -> list[str]:
    reasons: list[str] = []
    words = _INSULT.findall(p.text)
    if words:
        uniq = list(dict.fromkeys(w.lower() for w in words))[:3]
        reasons.append("hostile words (" + ", ".join(repr(w) for w in uniq) + ")")
    letters = sum(map(str.isalpha, p.text))
    if letters >= 12 and sum(map(str.isupper, p.text)) / letters > 0.6:
        reasons.append("written mostly in capitals")
    return reasons
