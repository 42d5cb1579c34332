"""What every Medium reader shares: HTML to text the way a reader sees it, Medium's URLs and dates."""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment as HtmlComment
from bs4.element import Declaration, Doctype, NavigableString, ProcessingInstruction

from commentcare.io import parse_datetime

__all__ = ["MEDIUM", "post_id_from_url"]


MEDIUM = "https://medium.com"

# Medium post ids are 8 to 12 lowercase hex digits at the end of a URL path or a file name.
_POST_ID = re.compile(r"(?:^|[-/_])((?=[0-9a-f]*[0-9])[0-9a-f]{8,12})$")
_USERNAME = re.compile(r"^@[A-Za-z0-9._-]{1,64}$")
_WS = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_BLOCKS = ("p", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption")


def _soup(data: bytes | str) -> BeautifulSoup:
    """Parse HTML with the standard library's parser, without bs4's advisory warnings.

    The warnings (XML parsed as HTML, markup that looks like a file name) are advice for
    interactive use; here they would only turn odd input into a crash under ``-W error``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BeautifulSoup(data, "html.parser")


def _attr(tag: Tag | None, name: str) -> str | None:
    if tag is None:
        return None
    value = tag.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    value = (value or "").strip()
    return value or None


def _inline_text(node: Tag) -> str:
    """The words of an element as a reader sees them: source newlines are spaces, ``<br>`` is one."""
    parts: list[str] = []
    for child in node.descendants:
        if isinstance(child, Tag):
            if child.name == "br":
                parts.append("\n")
            continue
        if not isinstance(child, NavigableString) or isinstance(
            child, (HtmlComment, Declaration, Doctype, ProcessingInstruction)
        ):
            continue
        parent = child.parent
        if parent is not None and parent.name in ("script", "style", "template", "noscript"):
            continue
        if _inside_pre(child):
            parts.append(str(child))
        else:
            parts.append(_WS.sub(" ", str(child)))
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _inside_pre(node: Any) -> bool:
    parent = node.parent
    while parent is not None:
        if getattr(parent, "name", None) == "pre":
            return True
        parent = parent.parent
    return False


def _block_text(node: Tag) -> str:
    """Paragraphs separated by a blank line, so a reply quoting them keeps their shape."""
    blocks = [b for b in node.find_all(_BLOCKS) if isinstance(b, Tag) and b.find_parent(_BLOCKS) is None]
    if not blocks:
        return _inline_text(node)
    texts = (_inline_text(b) for b in blocks)
    return "\n\n".join(t for t in texts if t)


def _html_to_text(markup: str) -> str:
    return _block_text(_soup(markup)) if "<" in markup else _WS.sub(" ", markup).strip()


def _flat(text: str) -> str:
    return _WS.sub(" ", text).strip()


def post_id_from_url(url: str | None) -> str | None:
    """The Medium post id at the end of a story or response URL (``…/some-title-70c5683f3778``)."""
    if not url:
        return None
    path = urlsplit(url).path.rstrip("/")
    m = _POST_ID.search(path)
    return m.group(1) if m else None


def _canonical_url(url: str | None, base: str = MEDIUM) -> str | None:
    """An absolute http(s) URL without Medium's tracking query, or None for anything else."""
    if not url:
        return None
    parts = urlsplit(urljoin(base + "/", url.strip()))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _is_profile_link(url: str) -> bool:
    """``medium.com/@name``, ``/@name`` or ``name.medium.com/``: a person, not a post."""
    parts = urlsplit(urljoin(MEDIUM + "/", url))
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) == 1 and _USERNAME.match(unquote(segments[0])):
        return True
    host = parts.netloc.lower()
    return (
        not segments and host.endswith(".medium.com") and host.count(".") == 2 and not host.startswith("www.")
    )


def _parse_date_text(text: str) -> datetime | None:
    """Medium's visible dates: "Dec 19, 2024" or "December 19, 2024". Without a year, unknown."""
    s = _flat(text).replace("Sept ", "Sep ")
    for fmt in ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y"):
        try:
            return datetime.strptime(s, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def _date(value: str | None) -> datetime | None:
    try:
        return parse_datetime(value)
    except (ValueError, OverflowError, OSError):
        return None
