"""Text preparation: turn a raw comment into clean text plus the signals spam hides in markup.

Why this is its own step: links, e-mail addresses and handles are the strongest spam signals, but
they are also noise for word features. So they are pulled out first (counted, their domains kept)
and replaced in the text by placeholder tokens the word features can still see.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["MAX_FEATURE_CHARS", "Prepared", "html_to_text", "prepare"]

#: Comments longer than this are cut for featurisation (never for output): a 10 MB comment must
#: not cost 10 MB of tokens, and the first few thousand characters decide the class anyway.
MAX_FEATURE_CHARS = 4000

# Zero-width characters, BOM, bidi controls and C0/C1 controls except tab and newline.
_INVISIBLE = dict.fromkeys(
    [
        *range(0x09),
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
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I)
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.]{1,30}")
_LEADING_MENTIONS = re.compile(r"\s*(?:@[A-Za-z0-9_][A-Za-z0-9_.]{0,30}[\s,:]*)+")
_PHONE = re.compile(r"(?:\+|\b00)\d[\d\s().-]{7,}\d|\b\d{3}[\s.-]\d{3}[\s.-]\d{4}\b")
_SPACES = re.compile(r"[ \t\f\v]+")


@dataclass(frozen=True, slots=True)
class Prepared:
    """A comment ready for featurisation: clean text with placeholders, and what was pulled out."""

    text: str  # clean, placeholders for links/e-mails/handles, truncated to MAX_FEATURE_CHARS
    urls: tuple[str, ...]
    domains: tuple[str, ...]
    emails: int
    handles: int
    leading_mention: bool  # started with "@name" (dropped from text and handles: it addresses a reader)
    obfuscated_links: int
    phones: int
    author_url: str
    had_markup: bool
    original_length: int


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


def prepare(text: str, author_url: str | None = None) -> Prepared:
    """Clean one comment and extract its link signals. Never fails on odd text."""
    original_length = len(text)
    if len(text) > 4 * MAX_FEATURE_CHARS:
        text = text[: 4 * MAX_FEATURE_CHARS]
    extra_links: list[str] = []
    had_markup = False
    if ("<" in text or "&" in text) and _MARKUP.search(text):
        had_markup = True
        text, extra_links = html_to_text(text)
    if "[url" in text.lower():
        extra_links += [m.group(1) or m.group(2) for m in _BBCODE_URL.finditer(text)]
        text = _BBCODE_URL.sub(lambda m: " " + (m.group(2) or "") + " ", text)
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)

    emails = len(_EMAIL.findall(text)) if "@" in text else 0
    if emails:
        text = _EMAIL.sub(" xxemail ", text)
    urls = [m.group(0) for m in _URL.finditer(text)]
    if urls:
        text = _URL.sub(" xxurl ", text)
    obfuscated = len(_OBFUSCATED.findall(text))
    if obfuscated:
        text = _OBFUSCATED.sub(" xxobfurl ", text)
    handles = 0
    leading = False
    if "@" in text:
        # "@dana @sam thanks!" addresses readers, as replies do on every platform: it says
        # nothing about the class, so the leading run of mentions is dropped. Handles elsewhere
        # ("follow @deals4u", "telegram @xyz") are a promotion signal and are kept as a token.
        m = _LEADING_MENTIONS.match(text)
        if m:
            leading = True
            text = text[m.end() :]
        handles = len(_HANDLE.findall(text))
        if handles:
            text = _HANDLE.sub(" xxhandle ", text)
    phones = len(_PHONE.findall(text)) if any(c.isdigit() for c in text) else 0
    if phones:
        text = _PHONE.sub(" xxphone ", text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > MAX_FEATURE_CHARS:
        text = text[:MAX_FEATURE_CHARS]
    all_urls = tuple(dict.fromkeys(extra_links + urls))
    return Prepared(
        text=text,
        urls=all_urls,
        domains=tuple(dict.fromkeys(_domain(u) for u in all_urls)),
        emails=emails,
        handles=handles,
        leading_mention=leading,
        obfuscated_links=obfuscated,
        phones=phones,
        author_url=(author_url or "").strip(),
        had_markup=had_markup,
        original_length=original_length,
    )
