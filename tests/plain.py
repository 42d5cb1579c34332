"""Plain restatements of what text preparation and the meta-features compute, one comment at a time.

Written from the definitions in the docstrings and comments of ``commentcare.model._text`` and
``commentcare.model._features`` (the full patterns, the order of the steps, the character
classes), never from the fast code's hints, tables or joined batches: each step is the obvious
per-comment operation. ``tests/test_plain_references.py`` compares the fast paths with these on
generated input, and ``tests/test_golden.py`` pins both on the corpus and on hostile texts.
"""

from __future__ import annotations

import itertools
import math
import random
import re
import unicodedata
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

from commentcare.model._text import MAX_FEATURE_CHARS, Prepared

# -- the definitions -------------------------------------------------------------------------------

TLDS = [
    *(
        [
            "com",
            "net",
            "org",
            "info",
            "biz",
            "io",
            "co",
            "us",
            "uk",
            "ru",
            "cn",
            "de",
            "fr",
            "in",
            "br",
            "xyz",
            "top",
            "site",
            "online",
            "shop",
            "store",
            "club",
            "live",
            "pro",
        ]
    ),
    *(
        [
            "me",
            "tv",
            "ly",
            "app",
            "dev",
            "blog",
            "link",
            "click",
            "vip",
            "win",
            "bid",
            "ca",
            "au",
            "nl",
            "pl",
            "es",
            "it",
            "ua",
            "su",
            "tk",
            "ml",
            "ga",
            "cf",
            "gq",
            "ws",
            "cc",
            "eu",
        ]
    ),
    *(
        [
            "asia",
            "today",
            "space",
            "website",
            "tech",
            "fun",
            "icu",
            "life",
            "world",
            "news",
            "work",
            "loan",
            "pw",
            "mobi",
            "name",
            "ch",
            "se",
            "vn",
            "id",
            "ph",
            "pk",
        ]
    ),
]
_TLD = "|".join(TLDS)
URL = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>\"'()\[\]]+"
    rf"|\b[a-z0-9][a-z0-9-]{{1,62}}(?:\.[a-z0-9-]{{1,62}})*\.(?:{_TLD})\b(?:/[^\s<>\"'()]*)?",
    re.I,
)
OBFUSCATED = re.compile(
    r"\b[a-z0-9-]+\s*(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\s+dot\s+)\s*(?:" + _TLD + r")\b"
    r"|h\s*t\s*t\s*p\s*s?\s*:\s*/\s*/|\bw\s+w\s+w\s*\.",
    re.I,
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I)
HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.]{1,30}")
PHONE = re.compile(r"(?:\+|\b00)\d[\d \t().-]{7,}\d|\b\d{3}[ .-]\d{3}[ .-]\d{4}\b")
LEADING_MENTIONS = re.compile(r"[ \t\n]*(?:@[A-Za-z0-9_][A-Za-z0-9_.]{0,30}[ \t,:]*)+")
MARKUP = re.compile(
    r"<\s*(?:a|p|br|div|span|b|i|em|strong|img|ul|ol|li|blockquote|h\d|script|style|iframe|font|u|s|code|pre)\b[^>]*>|&(?:[a-z]+|#\d+);",
    re.I,
)
#: Where an obfuscated link is looked for at all: a comment showing one of these marks (before any
#: replacement), so that a scheme an e-mail address cut short is not an obfuscated link. Word
#: boundaries and spaces are ASCII ones, unless the text holds a character that case-folds oddly or
#: other whitespace (then Unicode ones; see ``_hint_hits``).
OBFUSCATION_MARK = r"dot\b|[\[({]\.|h\s+t\s*t\s*p|w\s+w\s+w"
FOLDS_ODDLY = re.compile(
    "[\u0130\u0131\u017f\u212a\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
RICH_MARKUP = re.compile(r"<\s*(?:a|img|iframe|script|style|font|embed|object)\b", re.I)
HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.I)
BBCODE_URL = re.compile(r"\[url(?:=([^\]]+))?\](.*?)\[/url\]", re.I | re.S)


def invisible(ch: str) -> bool:
    """Zero-width characters, the BOM, bidi controls, soft hyphen and the C0/C1 controls but tab,
    newline, carriage return (and NUL, removed before)."""
    c = ord(ch)
    return (
        (0x01 <= c < 0x20 and ch not in "\t\n\r")
        or 0x7F <= c < 0xA0
        or c in (0x00AD, 0x034F, 0x061C, 0xFEFF)
        or 0x200B <= c <= 0x200F
        or 0x202A <= c <= 0x202E
        or 0x2060 <= c <= 0x206F
    )


def soup_text(text: str) -> str:
    with warnings.catch_warnings():  # as the shipped code: a comment that is only a URL is a comment
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(["br", "p", "div", "li"]):
        tag.insert_before("\n")
    return str(soup.get_text(" "))


def domain(url: str) -> str:
    u = url.lower()
    if "://" in u:
        u = u.split("://", 1)[1]
    for stop in "/?#:":
        u = u.split(stop, 1)[0]
    u = u.strip(".,;!")
    return u[4:] if u.startswith("www.") else u


def collapse(text: str) -> str:
    return re.sub(" {2,}", " ", text)


def plain_prepare(text: str, author_url: str | None = None) -> Prepared:
    """One comment, step by step in the documented order."""
    t = text[: 4 * MAX_FEATURE_CHARS].replace("\x00", "")
    links: list[str] = []
    had_markup = False
    if MARKUP.search(t):
        had_markup = RICH_MARKUP.search(t) is not None
        links = HREF.findall(t)
        t = soup_text(t)
    links += [m.group(1) or m.group(2) for m in BBCODE_URL.finditer(t)]
    t = BBCODE_URL.sub(lambda m: " " + (m.group(2) or "") + " ", t)
    t = unicodedata.normalize("NFKC", t)
    t = "".join(ch for ch in t if not invisible(ch)).replace("\r", "\n").replace("\t", " ")
    flags = re.I if FOLDS_ODDLY.search(t) else re.I | re.ASCII
    obfuscation_marked = re.search(OBFUSCATION_MARK, t.lower(), flags) is not None
    lead = LEADING_MENTIONS.match(t)
    if lead:
        t = t[lead.end() :]
    t = collapse(t)
    t, emails = EMAIL.subn(" xxemail ", t)
    found = [m.group() for m in URL.finditer(t)]
    t = URL.sub(" xxurl ", t)
    obfuscated = 0
    if obfuscation_marked:
        t, obfuscated = OBFUSCATED.subn(" xxobfurl ", t)
    t, handles = HANDLE.subn(" xxhandle ", t)
    t, phones = PHONE.subn(" xxphone ", t)
    urls = tuple(dict.fromkeys(links + found))
    return Prepared(
        text=collapse(t).strip()[:MAX_FEATURE_CHARS],
        urls=urls,
        domains=tuple(dict.fromkeys(map(domain, urls))),
        emails=emails,
        handles=handles,
        leading_mention=lead is not None,
        obfuscated_links=obfuscated,
        phones=phones,
        author_url=(author_url or "").strip(),
        had_markup=had_markup,
        original_length=len(text),
    )


# -- the meta-features -----------------------------------------------------------------------------


def _letter(c: int) -> bool:
    """ASCII letters, the Latin-1 and Latin Extended-A/B letters (not × and ÷), non-Latin scripts."""
    return 65 <= c <= 90 or 97 <= c <= 122 or (0xC0 <= c <= 0x24F and c not in (0xD7, 0xF7)) or _non_latin(c)


def _non_latin(c: int) -> bool:
    return 0x370 <= c <= 0x1FFF or 0x2E80 <= c <= 0xD7FF or 0xF900 <= c <= 0xFAFF


def _capital(c: int) -> bool:
    return 65 <= c <= 90 or (0xC0 <= c <= 0xDE and c != 0xD7)


def plain_meta_row(p: Prepared) -> dict[str, float]:
    """The meta-features of one prepared comment, by name (META_FEATURES)."""
    cps = [ord(ch) for ch in p.text]
    letters = sum(map(_letter, cps))
    capitals = sum(map(_capital, cps))
    digits = sum(48 <= c <= 57 for c in cps)
    chars = max(len(cps), 1)
    author_host = p.author_url.lower().split("://", 1)[-1].split("/", 1)[0]
    author_host = author_host[4:] if author_host.startswith("www.") else author_host
    return {
        "links": math.log1p(len(p.urls)) / 2,
        "has_link": float(len(p.urls) > 0),
        "author_url": float(bool(p.author_url)),
        "author_url_linked": float(bool(p.author_url) and bool(p.urls) and author_host in p.domains),
        "emails": min(p.emails, 3) / 3,
        "obfuscated_link": float(p.obfuscated_links > 0),
        "phone_number": float(p.phones > 0),
        "capitals": capitals / max(letters, 1) if letters >= 8 else 0.0,
        "exclamations": min(p.text.count("!"), 10) / 10,
        "length": math.log1p(p.original_length) / 8,
        "non_latin": sum(map(_non_latin, cps)) / chars,
        "markup": float(p.had_markup),
        "questions": min(p.text.count("?"), 5) / 5,
        "digits": digits / chars,
    }


# -- hostile texts ---------------------------------------------------------------------------------

#: Pieces that stress every step: markup, entities, BBCode, links with and without a scheme,
#: obfuscated links, e-mail addresses, handles, phone numbers, invisible characters, odd spaces,
#: odd case folding, scripts, emoji, NULs and very long runs.
HOSTILE_PIECES = [
    "@dana",
    " @sam_k:",
    "@a.com hi",
    "x@y.com",
    "jo.doe+tag@mail.co.uk",
    "www.a.com",
    "WWW.X.NET/path?q=1",
    "http://b.net/x",
    "HTTPS://B.NET",
    "ftp://h",
    "e.g. foo.com5",
    "deals.xyz",
    "dot com",
    "site (dot) ru",
    "site[.]net",
    "h t t p s : / /",
    "w w w .",
    "+1 555 123 4567",
    "555-010-0199",
    "0044 20 7946 0000",
    "<br />",
    "<p>para</p>",
    "<a href='http://c.org'>c</a>",
    '<img src="x.png">',
    "<script>x</script>",
    "&amp;",
    "&#39;",
    "&nbsp;",
    "AT&T;",
    "5 < 6",
    "[url=http://d.ru]d[/url]",
    "[URL]http://e.info[/URL]",
    "\x00",
    "\u200b",
    "\u202e",
    "\ufeff",
    "\xad",
    "\x85",
    "\t",
    "\r\n",
    "  ",
    "\u3000",
    "\xa0",
    "\u2003",
    "\uff26\uff52\uff45\uff45",
    "café",
    "İstanbul",
    "\u0131",
    "\u212a",
    "жизнь",
    "中文",
    "\U0001f600",
    "❤",
    "don't",
    "rock'n'roll",
    "!!",
    "???",
    "CAPS LOCK",
    "١٢٣",
    "word",
    " ",
    "\n",
]


def hostile_texts(n: int = 600, seed: int = 19) -> list[str]:
    """A fixed set of generated hostile comments (the same on every run and Python version)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        k = rng.randint(0, 12)
        texts.append("".join(rng.choice(HOSTILE_PIECES) for _ in range(k)))
    texts.append("word " * 5000)  # longer than the features read
    texts.append("x" * 20_000)  # one token longer than the cut
    return texts


# -- word n-grams ----------------------------------------------------------------------------------

#: The tokens, as ``commentcare.model._tokens`` defines them, on lower-cased text with digits as 0.
TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|[!?]|[\u2600-\u27bf\U0001F000-\U0001FAFF]")


def plain_tokens(text: str) -> list[str]:
    """With the module's two documented exceptions: a character whose lower case is longer than one
    character keeps its case, and a character beyond the BMP outside the emoji block is in no token."""
    lowered = "".join(
        " "
        if ord(ch) > 0xFFFF and not 0x1F000 <= ord(ch) <= 0x1FAFF
        else ch.lower()
        if len(ch.lower()) == 1
        else ch
        for ch in text
    )
    return TOKEN.findall(re.sub(r"\d", "0", lowered))


def plain_tfidf_row(p: Prepared, vocabulary: dict[str, int], idf: list[float]) -> dict[int, float]:
    """Sublinear tf-idf of the known unigrams, bigrams and link-domain grams, l2-normalised."""
    toks = plain_tokens(p.text)
    grams = toks + [f"{a} {b}" for a, b in itertools.pairwise(toks)]
    grams += ["xxdomain " + d.rsplit(".", 1)[-1] for d in p.domains]
    counts: dict[int, int] = {}
    for g in grams:
        if g in vocabulary:
            counts[vocabulary[g]] = counts.get(vocabulary[g], 0) + 1
    row = {col: math.log1p(n) * idf[col] for col, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in row.values())) or 1.0
    return {col: v / norm for col, v in row.items()}
