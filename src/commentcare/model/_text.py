"""Text preparation: turn a raw comment into clean text plus the signals spam hides in markup.

Why this is its own step: links, e-mail addresses and handles are the strongest spam signals, but
they are also noise for word features. So they are pulled out first (counted, their domains kept)
and replaced in the text by placeholder tokens the word features can still see.

Why it works on batches: a comment is short, so per-comment Python overhead would dominate.
:func:`prepare_batch` joins a batch into one string with a separator no pattern can cross, runs
each normalisation and each cheap "hint" scan (literal strings where possible) over it once, and
maps the hits back to comments; only the few comments a hint flags get the full patterns. The
result is, comment for comment, what :func:`prepare` gives for that comment alone (tested).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from commentcare.model._tokens import Tokens, codepoints, tokenize

__all__ = [
    "MAX_FEATURE_CHARS",
    "Prepared",
    "PreparedBatch",
    "html_to_text",
    "link_domain",
    "prepare",
    "prepare_batch",
]

#: Comments longer than this are cut for featurisation (never for output): a 10 MB comment must
#: not cost 10 MB of tokens, and the first few thousand characters decide the class anyway.
MAX_FEATURE_CHARS = 4000

# Zero-width characters, BOM, bidi controls and C0/C1 controls except tab, newline and NUL (NUL
# is removed from each comment before joining, and then serves as the batch separator).
_INVISIBLE = dict.fromkeys(
    [
        *range(0x01, 0x09),
        0x0B,
        0x0C,
        *range(0x0E, 0x20),
        *range(0x7F, 0xA0),
        0x00AD,
        0x034F,
        0x061C,
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        0xFEFF,
    ]
)
_INVISIBLE[0x0D] = 0x0A  # carriage return -> newline
_INVISIBLE[0x09] = 0x20

_MARKUP = re.compile(
    r"<\s*(?:a|p|br|div|span|b|i|em|strong|img|ul|ol|li|blockquote|h\d|script|style|iframe|font|u|s|code|pre)\b[^>]*>|&(?:[a-z]+|#\d+);",
    re.I,
)
_RICH_MARKUP = re.compile(r"<\s*(?:a|img|iframe|script|style|font|embed|object)\b", re.I)
# An "&" that does not start one of the common entities (which the parser and html.unescape
# read alike; for others, such as "&T;", beautifulsoup4 has rules of its own).
_UNCOMMON_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|nbsp|#(?:3[3-9]|[4-9]\d|1[01]\d|12[0-6]));)")
_BR = re.compile(r"<br\s*/?>", re.I)
_ONLY_LINE_BREAKS = re.compile(r"(?:[^<]|<br\s*/?>)*", re.I)
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.I)
# The definition of a BBCode link; bbcode_links() finds exactly its matches in linear time
# (the pattern itself is quadratic on "[url]" or "[url=" repeated without a closing tag).
_BBCODE_URL = re.compile(r"\[url(?:=([^\]]+))?\](.*?)\[/url\]", re.I | re.S)
_BBCODE_OPEN = re.compile(r"\[url", re.I)
_BBCODE_CLOSE = re.compile(r"\[/url\]", re.I)
# The markup test, split so that it is linear: an opening tag followed, anywhere later, by a ">"
# is what "<tag\b[^>]*>" finds, without rescanning the rest of the text from every "<a".
_MARKUP_OPEN = re.compile(
    r"<\s*(?:a|p|br|div|span|b|i|em|strong|img|ul|ol|li|blockquote|h\d|script|style|iframe|font|u|s|code|pre)\b",
    re.I,
)
_ENTITY = re.compile(r"&(?:[a-z]+|#\d+);", re.I)

_TLDS = (
    r"com|net|org|info|biz|io|co|us|uk|ru|cn|de|fr|in|br|xyz|top|site|online|shop|store|club|live|"
    r"pro|me|tv|ly|app|dev|blog|link|click|vip|win|bid|ca|au|nl|pl|es|it|ua|su|tk|ml|ga|cf|gq|ws|cc|"
    r"eu|asia|today|space|website|tech|fun|icu|life|world|news|online|work|loan|pw|mobi|name|ch|se|vn|id|ph|pk"
)


def _url_pattern(plus: str, flags: int = re.I) -> re.Pattern[str]:
    return re.compile(
        r"(?:https?://|ftp://|www\.)[^\s<>\"'()\[\]]+"
        rf"|\b[a-z0-9][a-z0-9-]{{1,62}}{plus}(?:\.[a-z0-9-]{{1,62}}{plus})*\.(?:{_TLDS})\b(?:/[^\s<>\"'()]*)?",
        flags,
    )


try:
    # Possessive runs (Python 3.11+) match the same URLs: a shorter run of [a-z0-9-] is always
    # followed by another such character, never the dot the pattern needs, so giving characters
    # back can never help; it only cost a retry per character of every word.
    _URL = _url_pattern("+")
    _URL_LOWER = _url_pattern("+", flags=0)  # for lower-cased ASCII text: same matches, faster
except re.error:  # pragma: no cover - Python 3.10
    _URL = _url_pattern("")
    _URL_LOWER = _url_pattern("", flags=0)
# "example dot com", "www[.]site[.]net", "h t t p s : / /", "site(dot)com"
_OBFUSCATED = re.compile(
    r"\b[a-z0-9-]+\s*(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\s+dot\s+)\s*(?:" + _TLDS + r")\b"
    r"|h\s*t\s*t\s*p\s*s?\s*:\s*/\s*/|\bw\s+w\s+w\s*\.",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I)
# What follows the "@" of every e-mail address: led by a literal, so found with a fast scan,
# where _EMAIL retries its opening run at every character of every word. Most "@" are handles.
_EMAIL_AT = re.compile(r"@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I)
# "@name" not preceded by a word character or "@". The look-behind comes after the "@" (and
# checks the character before it), so that the pattern starts with a literal: a fast scan.
_HANDLE = re.compile(r"@(?<![\w@]@)[A-Za-z0-9_][A-Za-z0-9_.]{1,30}")
_PHONE = re.compile(r"(?:\+|\b00)\d[\d \t().-]{7,}\d|\b\d{3}[ .-]\d{3}[ .-]\d{4}\b")
# "@dana @sam: thanks" addresses readers, as replies do everywhere: it says nothing about the
# class, so the leading run of mentions is dropped. Handles elsewhere ("follow @deals4u",
# "telegram @xyz") are a promotion signal and are kept as a token.
_LEADING = re.compile(r"[ \t\n]*(?:@[A-Za-z0-9_][A-Za-z0-9_.]{0,30}[ \t,:]*)+")

# Cheap hints, run once over the lower-cased batch: only the comments they hit get the full
# (slower) patterns above. A hint may flag more comments than its pattern matches, never fewer.
# Plain strings are found with str.find; "url" is the literals "://" and "www." plus a dot
# followed by a whole word that is a top-level domain (one fast scan, then a set lookup, instead
# of an alternation of eighty domains tried at every dot).
_HINTS: dict[str, tuple[str | re.Pattern[str], ...]] = {
    "url": ("://", "www."),
    # the alternation dot\b|\[\.|\(\.|\{\.|h\s+t\s*t\s*p|w\s+w\s+w, one literal-led part at a time.
    # This hint is part of the rule, not only a shortcut: the obfuscated-link pattern is looked
    # for only where one of these marks shows, so a scheme that an e-mail address cut short
    # ("https://jo@x.com" -> "https:// xxemail") is not read as an obfuscated link.
    "obf": (re.compile(r"dot\b"), "[.", "(.", "{.", re.compile(r"h\s+t\s*t\s*p"), re.compile(r"w\s+w\s+w")),
}
# The phone hint, r"\d[\d \t().-]{7,}\d", is found on the batch's UTF-8 bytes translated so that
# ASCII digits read "0", the other characters a phone number may hold read " ", and everything
# else "x": the pattern then starts with a literal, which the regex engine finds with a fast scan
# instead of testing every character. Comments with a non-ASCII digit get the original pattern.
_PHONE_HINT = re.compile(r"\d[\d \t().-]{7,}\d")
_PHONE_BYTES = re.compile(rb"0[0 ]{7,}0")
_PHONE_TABLE = bytes(
    0 if b == 0 else ord("0") if chr(b) in "0123456789" else ord(" ") if chr(b) in " \t().-" else ord("x")
    for b in range(256)
)
_NON_ASCII_DIGIT = re.compile(r"(?![0-9])\d")
_DIGIT = re.compile(r"\d")
_ASCII_BYTES = bytes(range(128))
_TLD_SET = frozenset(_TLDS.split("|"))
# The same hints for the batch's UTF-8 bytes lower-cased as ASCII: bytes.lower() is ten times
# faster than str.lower(), and each scan reads a byte per character instead of up to four. They
# flag at least the comments the str hints flag as long as lower() makes no ASCII letter from
# another character and the only whitespace is " " and "\n" (see _hint_hits). The translation
# also makes "(" and "{" read "[", so that one scan for "[." serves three hints (no other hint
# holds a bracket), and "\n" read " ", so that "\s" is a space: "h +t" then starts with the
# two-character literal "h " that the regex engine finds with a fast scan, where "h\s+t" was
# tried at every "h".
_HINT_TABLE = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ({\n", b"abcdefghijklmnopqrstuvwxyz[[ ")
_HINTS_BYTES: dict[str, tuple[bytes | re.Pattern[bytes], ...]] = {
    kind: tuple(
        dict.fromkeys(
            p.translate({ord("("): "[", ord("{"): "["}).encode()
            if isinstance(p, str)
            else re.compile(p.pattern.replace(r"\s", " ").encode())
            for p in patterns
        )
    )
    for kind, patterns in _HINTS.items()
}
_TLD_BYTES = frozenset(t.encode() for t in _TLD_SET)
# Characters that case-insensitive matching folds to an ASCII letter but lower() does not (or
# that lower() lengthens), and whitespace that survives preparation other than " " and "\n".
# One character class (an alternation with [^\S \n] is tried at every character, several times
# slower): the four letters, then every character str.isspace() accepts but " " and "\n".
_FOLDS_ODDLY = re.compile(
    "[\u0130\u0131\u017f\u212a\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_DOT_WORD = re.compile(r"\.([a-z]+)\b")
_DOT_WORD_BYTES = re.compile(rb"\.([a-z]+)\b")
_SEP = "\n\x00\n"  # NUL never survives cleaning, and no pattern crosses a newline then a NUL
_MULTISPACE = re.compile("  [ ]*")  # a two-space literal prefix scans far faster than " {2,}"
# The leading run of mentions of every comment in a joined batch (see _LEADING).
_LEADING_BATCH = re.compile(r"\x00\n[ \t\n]*(?:@[A-Za-z0-9_][A-Za-z0-9_.]{0,30}[ \t,:]*)+")
_INVISIBLE_CHARS = "".join(chr(c) for c in _INVISIBLE if c not in (0x09, 0x0D))
_INVISIBLE_RE = re.compile("[" + re.escape(_INVISIBLE_CHARS) + "]")
# Every byte but the ASCII characters above: deleting them leaves the ASCII controls, if any.
_NOT_ASCII_CONTROL = bytes(b for b in range(256) if not (b < 128 and chr(b) in _INVISIBLE_CHARS))


@dataclass(frozen=True, slots=True)
class Prepared:
    """One comment ready for featurisation: clean text with placeholders, and what was pulled out."""

    text: str  # clean, placeholders for links/e-mails/handles, truncated to MAX_FEATURE_CHARS
    urls: tuple[str, ...]
    domains: tuple[str, ...]
    emails: int
    handles: int
    leading_mention: bool  # started with "@name" (dropped from text and handles: it addresses a reader)
    obfuscated_links: int
    phones: int
    author_url: str
    had_markup: bool  # rich markup: anchors, images, embeds, styling (not line breaks or entities)
    original_length: int


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """A batch of prepared comments, kept column-wise for the featurisers."""

    texts: list[str]
    urls: list[tuple[str, ...]]
    domains: list[tuple[str, ...]]
    counts: dict[str, np.ndarray]  # url, email, obf, handle, phone, lead: matches per comment
    had_markup: np.ndarray
    original_length: np.ndarray
    author_urls: list[str]
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _columns: dict[str, list[Any]] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.texts)

    def codepoints(self) -> np.ndarray:
        """The texts' code points, each text preceded by a NUL (computed once, for all featurisers)."""
        cp = self._cache.get("cp")
        if cp is None:
            cp = self._cache["cp"] = codepoints("\x00" + "\x00".join(self.texts))
        return cp

    def tokens(self) -> Tokens:
        """The texts' tokens (:func:`commentcare.model._tokens.tokenize`; computed once, shared)."""
        found = self._cache.get("tokens")
        if found is None:
            found = self._cache["tokens"] = tokenize(self.texts, self.codepoints())
        return found

    def item(self, i: int) -> Prepared:
        c = self._columns
        if not c:  # the arrays as lists, once per batch: reading a NumPy scalar costs more
            c.update({k: v.tolist() for k, v in self.counts.items()})
            c["had_markup"] = self.had_markup.tolist()
            c["original_length"] = self.original_length.tolist()
        return Prepared(
            text=self.texts[i],
            urls=self.urls[i],
            domains=self.domains[i],
            emails=c["email"][i],
            handles=c["handle"][i],
            leading_mention=bool(c["lead"][i]),
            obfuscated_links=c["obf"][i],
            phones=c["phone"][i],
            author_url=self.author_urls[i],
            had_markup=c["had_markup"][i],
            original_length=c["original_length"][i],
        )


def html_to_text(text: str) -> tuple[str, list[str]]:
    """Strip markup and return the text and the link targets it carried."""
    links = _HREF.findall(text)
    if _UNCOMMON_ENTITY.search(text):
        return _soup_text(text), links
    if "<" not in text and "&" in text:
        # Common entities, no tags: the parser returns the unescaped text as its one string (an
        # entity makes it more than the ASCII spaces the parser would shorten).
        return html.unescape(text), links
    if _ONLY_LINE_BREAKS.fullmatch(text):
        return _line_breaks_text(text), links
    return _soup_text(text), links


def _line_breaks_text(text: str) -> str:
    """What :func:`_soup_text` gives for text whose only tags are ``<br>`` (most markup seen).

    The parser's strings are the text between the tags (unescaped; one made of ASCII spaces only
    shrinks to a newline or a space), with a newline string before each ``<br>``, joined by " ".
    """
    strings: list[str] = []
    for k, segment in enumerate(_BR.split(text)):
        if k:
            strings.append("\n")
        if segment:
            segment = html.unescape(segment)
            if not segment.strip(" \n\t\f\r"):
                segment = "\n" if "\n" in segment else " "
            strings.append(segment)
    return " ".join(strings)


def _soup_text(text: str) -> str:
    """The text beautifulsoup4 finds in ``text``, block elements on lines of their own."""
    import warnings

    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning  # only paid for when markup is present

    with warnings.catch_warnings():
        # A comment that is only a URL or a file name is still a comment, not a mistake.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "html.parser")
    for br in soup.find_all(["br", "p", "div", "li"]):
        br.insert_before("\n")
    return str(soup.get_text(" "))


def _domain(url: str) -> str:
    u = url.lower()
    if "://" in u:
        u = u.split("://", 1)[1]
    u = u.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].split(":", 1)[0].strip(".,;!")
    if u.startswith("www."):
        u = u[4:]
    return u


def has_markup(text: str) -> bool:
    """Whether ``_MARKUP`` would find something, in linear time (see ``_MARKUP_OPEN``)."""
    m = _MARKUP_OPEN.search(text)
    if m is not None and text.find(">", m.end()) >= 0:
        return True
    return _ENTITY.search(text) is not None


def bbcode_links(text: str) -> list[tuple[int, int, str | None, str]]:
    """Every match of ``_BBCODE_URL`` as ``(start, end, url, inner)``, found in linear time.

    The regex tries each "[url" and scans to the end of the text for a closing tag or a "]";
    here each needed position is found once: the closing tags and the "]"s are listed up front
    and looked up by bisection. A property test checks this against the regex.
    """
    from bisect import bisect_left

    closes = [m.start() for m in _BBCODE_CLOSE.finditer(text)]
    if not closes:
        return []
    brackets = [i for i, ch in enumerate(text) if ch == "]"]
    found: list[tuple[int, int, str | None, str]] = []
    end = 0
    for m in _BBCODE_OPEN.finditer(text):
        p = m.start()
        if p < end:
            continue
        q = m.end()
        if q >= len(text):
            break
        if text[q] == "=":
            k = bisect_left(brackets, q + 1)
            if k == len(brackets) or brackets[k] == q + 1:
                continue
            r = brackets[k]
            url: str | None = text[q + 1 : r]
        elif text[q] == "]":
            r, url = q, None
        else:
            continue
        c = bisect_left(closes, r + 1)
        if c == len(closes):
            if url is None:
                break  # no closing tag after this point: no later "[url" can match either
            continue
        found.append((p, closes[c] + 6, url, text[r + 1 : closes[c]]))
        end = closes[c] + 6
    return found


def link_domain(url: str) -> str:
    """The host a link points at, lower-cased, without ``www.`` (as :attr:`Prepared.domains` holds)."""
    return _domain(url)


def _markup_and_bbcode(text: str) -> tuple[str, list[str], bool]:
    """Strip markup; ``had`` says whether it was *rich* markup (links, images, embeds, styling).

    Line breaks, paragraphs and entities are how many platforms store any comment, so they are
    cleaned away without counting as a signal; anchors, images and embeds are what spam carries.
    """
    links: list[str] = []
    had = False
    if ("<" in text or "&" in text) and has_markup(text):
        had = _RICH_MARKUP.search(text) is not None
        text, links = html_to_text(text)
    if "[url" in text or "[URL" in text:
        matches = bbcode_links(text)
        if matches:
            links += [url or inner for _, _, url, inner in matches]
            parts = []
            at = 0
            for start, end, _, inner in matches:
                parts += [text[at:start], " ", inner, " "]
                at = end
            parts.append(text[at:])
            text = "".join(parts)
    return text, links, had


def _extract(text: str, kinds: AbstractSet[str]) -> tuple[str, list[str], tuple[int, int, int, int]]:
    """The full patterns, for one comment and the kinds its hints found: (text, urls, counts).

    Leading mentions are already gone (removed for the whole batch); the text arrives with its
    runs of spaces collapsed, so only a substitution can make new ones.
    """
    emails = obf = handles = phones = 0
    urls: list[str] = []
    changed = False
    if "at" in kinds and "@" in text and _EMAIL_AT.search(text):
        text, emails = _EMAIL.subn(" xxemail ", text)
        changed = emails > 0
    if "url" in kinds:
        pieces: list[str] = []
        last = 0
        for m in _url_matches(text):
            urls.append(text[m.start() : m.end()])
            pieces += (text[last : m.start()], " xxurl ")
            last = m.end()
        if urls:
            pieces.append(text[last:])
            text = "".join(pieces)
            changed = True
    if "obf" in kinds:
        text, obf = _OBFUSCATED.subn(" xxobfurl ", text)
        changed = changed or obf > 0
    if "at" in kinds and "@" in text:
        text, handles = _HANDLE.subn(" xxhandle ", text)
        changed = changed or handles > 0
    if "phone" in kinds:
        text, phones = _PHONE.subn(" xxphone ", text)
        changed = changed or phones > 0
    if changed:
        text = _MULTISPACE.sub(" ", text)
    return text, urls, (emails, obf, handles, phones)


def _url_matches(text: str) -> Iterator[re.Match[str]]:
    """``_URL.finditer(text)``, scanning only the stretches of text that can hold a link.

    A link never holds whitespace and always holds an anchor: "://", "www." or a dot and a
    top-level domain. Once prepared, a comment's whitespace is " " and "\\n" only (other spaces are
    normalised or removed), so the pattern needs to run over just the whitespace-free runs around
    anchors: the matches are the same, found several times faster. ASCII text is matched
    case-sensitively once lower-cased, faster still. Text with other whitespace, or with a
    character that case-folds to an ASCII letter other than by ``lower()`` (the dotless i), is
    scanned whole.
    """
    if _folds_oddly(text):
        yield from _URL.finditer(text)
        return
    # Newlines read as spaces: a link ends at either, and "\b" sees both alike.
    low = text.lower().replace("\n", " ")
    anchors = [m.start() for m in _DOT_WORD.finditer(low) if m.group(1) in _TLD_SET]
    for needle in ("://", "www."):
        i = low.find(needle)
        while i >= 0:
            anchors.append(i)
            i = low.find(needle, i + 1)
    runs: set[tuple[int, int]] = set()
    for p in anchors:
        end = low.find(" ", p)
        runs.add((low.rfind(" ", 0, p) + 1, end + 1 if end >= 0 else len(low)))  # one past: \b sees it
    pattern, subject = (_URL_LOWER, low) if text.isascii() else (_URL, text)
    for start, end in sorted(runs):
        yield from pattern.finditer(subject, start, end)


#: Every ASCII character but those ``_FOLDS_ODDLY`` matches: deleting them leaves those, if any.
_NOT_ODD_ASCII = bytes(b for b in range(128) if not _FOLDS_ODDLY.match(chr(b)))


def _folds_oddly(text: str) -> bool:
    """``_FOLDS_ODDLY.search(text)``; for ASCII text (most), a byte deletion instead of a scan."""
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _NOT_ODD_ASCII))
    return _FOLDS_ODDLY.search(text) is not None


def _docs_hit(big: Any, starts: np.ndarray, pattern: Any) -> list[int]:
    """Indices of the comments of a joined batch in which ``pattern`` occurs (sorted, unique).

    ``big`` is a str or bytes and ``pattern`` a literal or a compiled pattern of the same type.
    A literal is searched with ``find``, which is much faster than a regex scan.
    """
    if isinstance(pattern, (str, bytes)):
        pos: list[int] = []
        i = big.find(pattern)
        while i >= 0:
            pos.append(i)
            i = big.find(pattern, i + 1)
    else:
        pos = [m.start() for m in pattern.finditer(big)]
    return _docs_of(starts, pos)


def _docs_of(starts: np.ndarray, positions: Sequence[int]) -> list[int]:
    """The comments (sorted, unique) that positions in the joined batch fall in."""
    if not positions:
        return []
    return np.unique(np.searchsorted(starts, positions, side="right") - 1).tolist()  # type: ignore[no-any-return]


def _phone_hints(utf8: bytes, nuls: np.ndarray, non_ascii: str, docs: Sequence[str]) -> list[int]:
    """The comments where the phone hint matches (see ``_PHONE_BYTES``).

    ``utf8`` is the joined batch, ``nuls`` where its separators' NULs are, ``non_ascii`` its
    non-ASCII characters alone.
    """
    raw = utf8.translate(_PHONE_TABLE)
    hits: set[int] = set()
    pos = [m.start() for m in _PHONE_BYTES.finditer(raw)]
    if pos:
        hits.update(_docs_of(nuls, pos))
    # The batch's non-ASCII characters alone (a short string): is any of them a digit?
    if non_ascii and _DIGIT.search(non_ascii):
        for i, d in enumerate(docs):
            if not d.isascii() and _NON_ASCII_DIGIT.search(d) and _PHONE_HINT.search(d):
                hits.add(i)
    return sorted(hits)


def _starts(docs: Sequence[str]) -> np.ndarray:
    """Where each comment begins in ``_SEP + _SEP.join(docs)``."""
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs)) + len(_SEP)
    return np.cumsum(lengths) - lengths + len(_SEP)


def _join(docs: Sequence[str]) -> str:
    return _SEP + _SEP.join(docs)


def _has_invisible(big: str) -> bool:
    """``_INVISIBLE_RE.search(big)``, from the UTF-8 bytes: ASCII controls are found by deleting
    every other byte, and the rest among the batch's non-ASCII characters alone (a short string).
    """
    utf8 = big.encode("utf-8", "surrogatepass")
    if utf8.translate(None, _NOT_ASCII_CONTROL):
        return True
    if big.isascii():
        return False
    return (
        _INVISIBLE_RE.search(utf8.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")) is not None
    )


def _nfkc(docs: list[str]) -> None:
    """NFKC, in place, for the comments that need it (most are ASCII or already normal)."""
    for i, d in enumerate(docs):
        if not d.isascii() and not unicodedata.is_normalized("NFKC", d):
            docs[i] = unicodedata.normalize("NFKC", d)


def _hint_hits(big: str, utf8: bytes, nuls: np.ndarray, non_ascii: str) -> Iterator[tuple[str, list[int]]]:
    """(kind, the comments it occurs in) for every hint, over the joined batch.

    The hints are case-insensitive. They run over the lower-cased UTF-8 bytes unless a character
    of the batch would make them miss there: one that ``str.lower()`` turns into an ASCII letter
    (U+0130, the Kelvin sign), or whitespace other than " " and "\\n" (which ``\\s`` matches in
    a str but not in bytes). Then they run over ``big.lower()``.
    """
    if non_ascii and _FOLDS_ODDLY.search(non_ascii):
        low = big.lower()
        # "İ" lower-cases to two characters: then find each comment anew in the lower-cased batch.
        starts = _starts(low.split(_SEP)[1:])
        for kind, patterns in _HINTS.items():
            for pattern in patterns:
                yield kind, _docs_hit(low, starts, pattern)
        tld_hits = [m.start() for m in _DOT_WORD.finditer(low) if m.group(1) in _TLD_SET]
    else:
        low_bytes = utf8.translate(_HINT_TABLE)
        starts = nuls + 2  # each comment begins after "\x00\n"
        for kind, patterns_b in _HINTS_BYTES.items():
            for pattern_b in patterns_b:
                yield kind, _docs_hit(low_bytes, starts, pattern_b)
        tld_hits = [m.start() for m in _DOT_WORD_BYTES.finditer(low_bytes) if m.group(1) in _TLD_BYTES]
    yield "url", _docs_of(starts, tld_hits)


def prepare_batch(texts: Sequence[str], author_urls: Sequence[str | None] | None = None) -> PreparedBatch:
    """Clean a batch of comments and extract their link signals. Never fails on odd text.

    Every step runs over the whole batch as one string; only the comments that a cheap scan
    flags (markup, links, contacts) get per-comment work.
    """
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    limit = 4 * MAX_FEATURE_CHARS
    work = (
        [t if len(t) <= limit else t[:limit] for t in texts]
        if int(lengths.max(initial=0)) > limit
        else list(texts)
    )
    had_markup = np.zeros(n, dtype=bool)
    extra_links: dict[int, list[str]] = {}

    # Markup, BBCode links and NULs, found comment by comment: cheaper than finding them in the
    # joined batch, which would then have to be joined again.
    for i, t in enumerate(work):
        if "<" in t or "&" in t or "[url" in t or "[URL" in t or "\x00" in t:
            t2, links, had = _markup_and_bbcode(t.replace("\x00", ""))
            work[i] = t2
            had_markup[i] = had
            if links:
                extra_links[i] = links
    _nfkc(work)
    big = _join(work)
    joined = big
    if _has_invisible(big):
        big = _INVISIBLE_RE.sub("", big)
    if "\r" in big:
        big = big.replace("\r", "\n")
    if "\t" in big:
        big = big.replace("\t", " ")
    # Runs of spaces are collapsed comment by comment, after the leading mentions are cut: most
    # batches hold a double space somewhere, and collapsing the joined batch meant splitting it
    # again. No hint depends on how many spaces there are (the phone hint may flag more).
    docs = big.split(_SEP)[1:] if big is not joined else work

    # Hints run over the lower-cased batch; only the comments they hit get the full patterns.
    utf8 = big.encode("utf-8", "surrogatepass")
    nuls = np.flatnonzero(np.frombuffer(utf8, dtype=np.uint8) == 0)  # one per separator
    non_ascii = "" if big.isascii() else utf8.translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    # Links from markup are extracted whatever the hints say.
    cand: defaultdict[int, set[str]] = defaultdict(set, {i: set() for i in extra_links})
    for kind, hits in _hint_hits(big, utf8, nuls, non_ascii):
        for i in hits:
            cand[i].add(kind)
    for i in _phone_hints(utf8, nuls, non_ascii, docs):
        cand[i].add("phone")

    lead = np.zeros(n, dtype=np.int32)
    if "@" in big:
        # Leading mentions: found for the whole batch in one scan, cut off each comment by slicing.
        spans = [(m.start(), m.end()) for m in _LEADING_BATCH.finditer(big)]
        if spans:
            starts = _starts(docs)
            first = np.asarray(spans, dtype=np.int64)
            which = np.searchsorted(starts, first[:, 0], side="right")  # each match starts at a NUL
            lead[which] = 1
            for i, cut in zip(which.tolist(), (first[:, 1] - starts[which]).tolist()):
                docs[i] = docs[i][cut:]
    # An "@" left after the cut may be a handle or an e-mail address. Common (tweets, replies):
    # one test per comment beats a find per "@".
    at = "@" in big
    for i, d in enumerate(docs):
        if "  " in d:
            docs[i] = _MULTISPACE.sub(" ", d)
        if at and "@" in d:
            cand[i].add("at")

    found_counts = {k: np.zeros(n, dtype=np.int32) for k in ("email", "obf", "handle", "phone")}
    email, obf, handle, phone = found_counts.values()
    urls: list[tuple[str, ...]] = [()] * n
    domains: list[tuple[str, ...]] = [()] * n
    for i, kinds in cand.items():
        docs[i], found, (e, o, h, p) = _extract(docs[i], kinds)
        links = extra_links.get(i, []) + found
        if links:
            urls[i] = tuple(dict.fromkeys(links))
            domains[i] = tuple(dict.fromkeys(map(_domain, urls[i])))
        if e or o or h or p:  # the arrays start at zero: most comments need no assignment
            email[i], obf[i], handle[i], phone[i] = e, o, h, p
    counts = {"url": np.fromiter(map(len, urls), dtype=np.int32, count=n), **found_counts, "lead": lead}
    out_texts = [d.strip() for d in docs]
    if max(map(len, out_texts), default=0) > MAX_FEATURE_CHARS:
        out_texts = [d[:MAX_FEATURE_CHARS] for d in out_texts]
    return PreparedBatch(
        texts=out_texts,
        urls=urls,
        domains=domains,
        counts=counts,
        had_markup=had_markup,
        original_length=lengths,
        author_urls=[(a or "").strip() for a in author_urls] if author_urls is not None else [""] * n,
    )


def prepare(text: str, author_url: str | None = None) -> Prepared:
    """Clean one comment and extract its link signals (see :func:`prepare_batch`)."""
    return prepare_batch([text], [author_url]).item(0)
