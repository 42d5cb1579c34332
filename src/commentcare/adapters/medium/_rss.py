"""RSS 2.0 and Atom feeds (Medium's ``/feed/@name`` among them), parsed with defusedxml."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.adapters.medium._markup import (
    _canonical_url,
    _date,
    _flat,
    _html_to_text,
    post_id_from_url,
)
from commentcare.io import Record

__all__ = ["MAX_FEED_BYTES", "iter_rss"]

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 32 * 1024 * 1024

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_ATOM_UPDATED = _ATOM + "updated"


def _child_text(elem: Element, tag: str) -> str | None:
    child = elem.find(tag)
    if child is None:
        return None
    text = "".join(child.itertext()).strip()
    return text or None


def _rss_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return _date(value)
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def iter_rss(fh: IO[bytes], source: str, **_: object) -> Iterator[Record]:
    """Yield one comment per feed item (RSS 2.0 ``<item>`` or Atom ``<entry>``).

    DTDs and entities are refused (defusedxml): a feed never needs them and they are how XML
    bombs work. In Medium's feeds an item without categories is taken for a response, the one
    difference the feed shows (``extra["kind"]``).
    """
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        data = fh.read(MAX_FEED_BYTES + 1)
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", source=source)
        return
    if not isinstance(data, bytes):
        data = str(data).encode("utf-8", "surrogateescape")
    if len(data) > MAX_FEED_BYTES:
        yield InputError(f"too large for a feed (limit {MAX_FEED_BYTES} bytes)", source=source)
        return
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except ParseError as exc:
        line = getattr(exc, "position", (None, None))[0]
        yield InputError(
            f"not well-formed XML: {exc}", source=source, record=f"line {line}" if line else None
        )
        return
    except DefusedXmlException as exc:
        yield InputError(
            f"refused: {type(exc).__name__} (DTDs and entities are not allowed in a feed)", source=source
        )
        return
    except (ValueError, LookupError) as exc:
        yield InputError(f"unsupported character encoding ({exc}); convert the feed to UTF-8", source=source)
        return
    try:
        yield from _feed_records(root, source)
    except Exception as exc:  # odd content must become a reported error, not a crash
        log.debug("cannot read the feed %s", source, exc_info=True)
        yield InputError(f"cannot read the feed: {type(exc).__name__}: {exc}", source=source)


def _feed_records(root: Element, source: str) -> Iterator[Record]:
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            yield InputError("an RSS document without a <channel>", source=source)
            return
        medium = _is_medium_feed(channel)
        for n, item in enumerate(channel.iter("item"), 1):
            yield _rss_item(item, source, n, medium)
    elif root.tag == _ATOM + "feed":
        for n, entry in enumerate(root.iter(_ATOM + "entry"), 1):
            yield _atom_entry(entry, source, n)
    else:
        yield InputError(f"not an RSS 2.0 or Atom feed (root element <{root.tag}>)", source=source)


def _is_medium_feed(channel: Element) -> bool:
    generator = (_child_text(channel, "generator") or "").lower()
    link = (_child_text(channel, "link") or "").lower()
    return "medium" in generator or "medium.com" in link


def _rss_item(item: Element, source: str, n: int, medium: bool) -> Record:
    record = f"item {n}"
    html = _child_text(item, _CONTENT) or _child_text(item, "description") or ""
    text = _html_to_text(html)
    if not text:
        return InputError("the item has no text", source=source, record=record)
    link = _canonical_url(_child_text(item, "link"))
    guid = _child_text(item, "guid")
    categories = [c for c in (("".join(e.itertext())).strip() for e in item.findall("category")) if c]
    extra: dict[str, str] = {}
    if link:
        extra["url"] = link
    title = _child_text(item, "title")
    if title:
        extra["title"] = _flat(title)
    if categories:
        extra["categories"] = ", ".join(categories)
    if medium:
        extra["kind"] = "story" if categories else "response"
    created = _rss_date(_child_text(item, "pubDate")) or _date(_child_text(item, _ATOM_UPDATED))
    return Comment(
        text=text,
        id=post_id_from_url(guid) or post_id_from_url(link) or guid or link or str(n),
        author=_child_text(item, _DC_CREATOR) or _child_text(item, "author"),
        created_at=created,
        source=source,
        status="published",
        extra=extra,
    )


def _atom_entry(entry: Element, source: str, n: int) -> Record:
    record = f"entry {n}"
    content = entry.find(_ATOM + "content")
    if content is None:
        content = entry.find(_ATOM + "summary")
    raw = "".join(content.itertext()) if content is not None else ""
    text = (
        _html_to_text(raw) if content is not None and content.get("type") in ("html", "xhtml") else _flat(raw)
    )
    if not text:
        return InputError("the entry has no text", source=source, record=record)
    link = None
    for li in entry.findall(_ATOM + "link"):
        if li.get("rel", "alternate") == "alternate":
            link = _canonical_url(li.get("href"))
            break
    author = entry.find(_ATOM + "author")
    extra: dict[str, str] = {}
    if link:
        extra["url"] = link
    title = _child_text(entry, _ATOM + "title")
    if title:
        extra["title"] = _flat(title)
    entry_id = _child_text(entry, _ATOM + "id")
    return Comment(
        text=text,
        id=entry_id or link or str(n),
        author=_child_text(author, _ATOM + "name") if author is not None else None,
        author_url=_canonical_url(_child_text(author, _ATOM + "uri")) if author is not None else None,
        created_at=_date(_child_text(entry, _ATOM + "published")) or _date(_child_text(entry, _ATOM_UPDATED)),
        source=source,
        status="published",
        extra=extra,
    )
