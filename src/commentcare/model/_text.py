"""Text preparation: turn a raw comment into clean text plus the signals spam hides in markup.

Why this is its own step: links, e-mail addresses and handles are the strongest spam signals, but
they are also noise for word features. So they are pulled out first (counted, their domains kept)
and replaced in the text by placeholder tokens the word features can still see.

Why it works on batches: a comment is short, so per-comment Python overhead would dominate.
:func:`prepare_batch` joins a batch into one string with a separator no pattern can cross, runs
every normalisation and one combined regular expression over it once, and splits it back; the
per-comment work left is a handful of C-level calls.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["MAX_FEATURE_CHARS", "Prepared", "PreparedBatch", "html_to_text", "prepare", "prepare_batch"]

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
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.I)
_BBCODE_URL = re.compile(r"\[url(?:=([^\]]+))?\](.*?)\[/url\]", re.I | re.S)

_TLDS = (
    r"com|net|org|info|biz|io|co|us|uk|ru|cn|de|fr|in|br|xyz|top|site|online|shop|store|club|live|"
    r"pro|me|tv|ly|app|dev|blog|link|click|vip|win|bid|ca|au|nl|pl|es|it|ua|su|tk|ml|ga|cf|gq|ws|cc|"
    r"eu|asia|today|space|website|tech|fun|icu|life|world|news|online|work|loan|pw|mobi|name|ch|se|vn|id|ph|pk"
)
_URL = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>\"'()\[\]]+"
    r"|\b[a-z0-9][a-z0-9-]{1,62}(?:\.[a-z0-9-]{1,62})*\.(?:" + _TLDS + r")\b(?:/[^\s<>\"'()]*)?",
    re.I,
)
# "example dot com", "www[.]site[.]net", "h t t p s : / /", "site(dot)com"
_OBFUSCATED = re.compile(
    r"\b[a-z0-9-]+\s*(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\s+dot\s+)\s*(?:" + _TLDS + r")\b"
    r"|h\s*t\s*t\s*p\s*s?\s*:\s*/\s*/|\bw\s+w\s+w\s*\.",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I)
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.]{1,30}")
_PHONE = re.compile(r"(?:\+|\b00)\d[\d \t().-]{7,}\d|\b\d{3}[ .-]\d{3}[ .-]\d{4}\b")
# "@dana @sam: thanks" addresses readers, as replies do everywhere: it says nothing about the
# class, so the leading run of mentions is dropped. Handles elsewhere ("follow @deals4u",
# "telegram @xyz") are a promotion signal and are kept as a token.
_LEADING = re.compile(r"[ \t\n]*(?:@[A-Za-z0-9_][A-Za-z0-9_.]{0,30}[ \t,:]*)+")

# Cheap hints, run once over the lower-cased batch: only the comments they hit get the full
# (slower) patterns above. Each is a literal or starts with one, which the regex engine scans fast.
_HINTS = {
    "at": re.compile("@"),
    "url": re.compile(r"://|www\.|\.(?:" + _TLDS + r")\b"),
    "obf": re.compile(r"dot\b|\[\.|\(\.|\{\.|h\s+t\s*t\s*p|w\s+w\s+w"),
    "phone": re.compile(r"\d[\d \t().-]{7,}\d"),
}
_SEP = "\n\x00\n"  # NUL never survives cleaning, and no pattern crosses a newline then a NUL
_MULTISPACE = re.compile(" {2,}")
_INVISIBLE_RE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in _INVISIBLE if c not in (0x09, 0x0D)) + "]"
)
_KINDS = ("url", "email", "obf", "handle", "phone", "lead")


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
    counts: dict[str, np.ndarray]  # per kind in _KINDS: matches per comment
    had_markup: np.ndarray
    original_length: np.ndarray
    author_urls: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def item(self, i: int) -> Prepared:
        c = self.counts
        return Prepared(
            text=self.texts[i],
            urls=self.urls[i],
            domains=self.domains[i],
            emails=int(c["email"][i]),
            handles=int(c["handle"][i]),
            leading_mention=bool(c["lead"][i]),
            obfuscated_links=int(c["obf"][i]),
            phones=int(c["phone"][i]),
            author_url=self.author_urls[i],
            had_markup=bool(self.had_markup[i]),
            original_length=int(self.original_length[i]),
        )


def html_to_text(text: str) -> tuple[str, list[str]]:
    """Strip markup with beautifulsoup4 and return the text and the link targets it carried."""
    import warnings

    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning  # only paid for when markup is present

    links = _HREF.findall(text)
    with warnings.catch_warnings():
        # A comment that is only a URL or a file name is still a comment, not a mistake.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "html.parser")
    for br in soup.find_all(["br", "p", "div", "li"]):
        br.insert_before("\n")
    return soup.get_text(" "), links


def _domain(url: str) -> str:
    u = url.lower()
    if "://" in u:
        u = u.split("://", 1)[1]
    u = u.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].split(":", 1)[0].strip(".,;!")
    if u.startswith("www."):
        u = u[4:]
    return u


def _markup_and_bbcode(text: str) -> tuple[str, list[str], bool]:
    """Strip markup; ``had`` says whether it was *rich* markup (links, images, embeds, styling).

    Line breaks, paragraphs and entities are how many platforms store any comment, so they are
    cleaned away without counting as a signal; anchors, images and embeds are what spam carries.
    """
    links: list[str] = []
    had = False
    if ("<" in text or "&" in text) and _MARKUP.search(text):
        had = _RICH_MARKUP.search(text) is not None
        text, links = html_to_text(text)
    if "[url" in text or "[URL" in text:
        links += [m.group(1) or m.group(2) for m in _BBCODE_URL.finditer(text)]
        text = _BBCODE_URL.sub(lambda m: " " + (m.group(2) or "") + " ", text)
    return text, links, had


def _extract(text: str, kinds: set[str]) -> tuple[str, list[str], tuple[int, int, int, int, int]]:
    """The full patterns, for one comment and the kinds its hints found: (text, urls, counts)."""
    lead = emails = obf = handles = phones = 0
    urls: list[str] = []
    if "at" in kinds:
        if text.lstrip().startswith("@"):
            m = _LEADING.match(text)
            if m:
                lead = 1
                text = text[m.end() :]
        text, emails = _EMAIL.subn(" xxemail ", text)
    if "url" in kinds:
        urls = [m.group(0) for m in _URL.finditer(text)]
        if urls:
            text = _URL.sub(" xxurl ", text)
    if "obf" in kinds:
        text, obf = _OBFUSCATED.subn(" xxobfurl ", text)
    if "at" in kinds and "@" in text:
        text, handles = _HANDLE.subn(" xxhandle ", text)
    if "phone" in kinds:
        text, phones = _PHONE.subn(" xxphone ", text)
    return _MULTISPACE.sub(" ", text), urls, (emails, obf, handles, phones, lead)


def prepare_batch(texts: Sequence[str], author_urls: Sequence[str | None] | None = None) -> PreparedBatch:
    """Clean a batch of comments and extract their link signals. Never fails on odd text."""
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    limit = 4 * MAX_FEATURE_CHARS
    work = [t if len(t) <= limit else t[:limit] for t in texts]
    had_markup = np.zeros(n, dtype=bool)
    extra_links: dict[int, list[str]] = {}
    for i, t in enumerate(work):
        if "<" in t or "&" in t or "[url" in t or "[URL" in t or "\x00" in t:
            t2, links, had = _markup_and_bbcode(t.replace("\x00", ""))
            work[i] = t2
            had_markup[i] = had
            if links:
                extra_links[i] = links
    big = _SEP + _SEP.join(work)
    if not unicodedata.is_normalized("NFKC", big):
        big = unicodedata.normalize("NFKC", big)
    if _INVISIBLE_RE.search(big):
        big = _INVISIBLE_RE.sub("", big)
    big = _MULTISPACE.sub(" ", big.replace("\r", "\n").replace("\t", " "))
    docs = big.split(_SEP)[1:]

    # Which comments do the hints hit? Positions in the lower-cased batch map back to comments
    # through the cumulative lengths (taken from the lower-cased text itself, which may differ
    # in length from the original for a few characters).
    low = big.lower()
    cand: dict[int, set[str]] = {i + 1: set() for i in extra_links}  # 1-based, like searchsorted
    low_docs = low.split(_SEP)[1:]
    starts = np.cumsum([len(_SEP) + len(d) for d in low_docs]) - np.fromiter(
        map(len, low_docs), np.int64, count=n
    )
    for kind, rx in _HINTS.items():
        if kind == "at":  # "@" is common (tweets, replies): a substring test per comment is cheaper
            if "@" in low:
                for i, d in enumerate(low_docs, 1):
                    if "@" in d:
                        cand.setdefault(i, set()).add(kind)
            continue
        pos = [m.start() for m in rx.finditer(low)]
        if pos:
            for i1 in set(np.searchsorted(starts, pos, side="right").tolist()):
                cand.setdefault(i1, set()).add(kind)
    counts = {k: np.zeros(n, dtype=np.int32) for k in _KINDS}
    urls: list[tuple[str, ...]] = [()] * n
    domains: list[tuple[str, ...]] = [()] * n
    for i1, kinds in cand.items():
        i = i1 - 1
        if not 0 <= i < n:
            continue
        docs[i], found, (e, o, h, p, lead) = _extract(docs[i], kinds)
        links = extra_links.get(i, []) + found
        if links:
            urls[i] = tuple(dict.fromkeys(links))
            domains[i] = tuple(dict.fromkeys(map(_domain, urls[i])))
        c = counts
        c["email"][i], c["obf"][i], c["handle"][i], c["phone"][i], c["lead"][i] = e, o, h, p, lead
    counts["url"] = np.fromiter(map(len, urls), dtype=np.int32, count=n)
    out_texts = [d.strip()[:MAX_FEATURE_CHARS] for d in docs]
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
