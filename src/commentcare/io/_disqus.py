"""Disqus XML export reader.

Disqus lists every ``<thread>`` (a page: its title and link) before the ``<post>`` elements that
point at it by ``dsq:id``, so a dict of threads is enough to give each post its page; it grows
with the number of pages, not of comments. Streamed and defused like the WXR reader.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import IO, Any
from xml.etree.ElementTree import Element

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.io._formats import Record, parse_datetime
from commentcare.io._wxr import LINE_ATTR, XML_ERRORS, XmlStream, local_name

__all__ = ["iter_disqus"]

log = logging.getLogger(__name__)


def _dsq_id(elem: Element | None) -> str | None:
    """The ``dsq:id`` attribute, whatever the namespace URI the export binds ``dsq`` to."""
    if elem is None:
        return None
    for k, v in elem.attrib.items():
        if k.startswith("{") and local_name(k) == "id":
            return v.strip() or None
    return elem.get("id", "").strip() or None


def _child(elem: Element, name: str) -> Element | None:
    for c in elem:
        if local_name(c.tag) == name:
            return c
    return None


def _text(elem: Element | None, name: str) -> str:
    if elem is None:
        return ""
    c = _child(elem, name)
    return (c.text or "").strip() if c is not None else ""


def _is_post(tag: str) -> bool:
    return local_name(tag) == "post"


def _flag(value: str) -> bool:
    return value.lower() in ("true", "1", "yes")


def _post(elem: Element, threads: dict[str, tuple[str, str]], source: str, ordinal: int) -> Record:
    record = f"post {ordinal}, line {elem.get(LINE_ATTR, '?')}"
    msg = _child(elem, "message")
    text = (msg.text or "") if msg is not None else ""
    if not text.strip():
        return InputError("empty message", source=source, record=record)
    try:
        created = parse_datetime(_text(elem, "createdAt"))
    except ValueError as exc:
        return InputError(str(exc), source=source, record=record)
    author = _child(elem, "author")
    thread_id = _dsq_id(_child(elem, "thread"))
    title, link = threads.get(thread_id, ("", "")) if thread_id else ("", "")
    if thread_id and thread_id not in threads:
        log.debug("%s:%s: thread %s is not in the export", source, record, thread_id)
    is_spam = _flag(_text(elem, "isSpam"))
    is_deleted = _flag(_text(elem, "isDeleted"))
    name = _text(author, "name")
    username = _text(author, "username")
    return Comment(
        text=text,
        id=_dsq_id(elem) or _text(elem, "id") or str(ordinal),
        author=name or username or None,
        author_email=_text(author, "email") or None,
        author_ip=_text(elem, "ipAddress") or None,
        created_at=created,
        post_id=thread_id,
        post_title=title or None,
        post_url=link or None,
        parent_id=_dsq_id(_child(elem, "parent")),
        source=source,
        status="spam" if is_spam else "deleted" if is_deleted else "approved",
        # The same keys on every record: CSV output takes its columns from the first row.
        extra={"is_spam": str(is_spam).lower(), "is_deleted": str(is_deleted).lower(), "username": username},
    )


def iter_disqus(fh: IO[bytes], source: str, **_: Any) -> Iterator[Record]:
    """Yield every post of a Disqus export in file order, with its thread's title and link."""
    stream = XmlStream(fh, source, _is_post)
    threads: dict[str, tuple[str, str]] = {}
    ordinal = 0
    root_checked = False
    try:
        for event, elem in stream.events():
            if event == "start":
                if not root_checked:
                    root_checked = True
                    if local_name(elem.tag) != "disqus":
                        yield InputError(
                            f"not a Disqus export: the root element is <{local_name(elem.tag)}>",
                            source=source,
                            record="line 1",
                        )
                        return
                continue
            depth = len(stream.stack)
            if depth != 1:
                # Inside a root-level post or thread, its children and grandchildren (author/name)
                # are read when it ends; everything else, at any depth, is released now.
                if not (2 <= depth <= 3 and local_name(stream.stack[1].tag) in ("post", "thread")):
                    stream.done(elem)
                continue
            name = local_name(elem.tag)
            if name == "thread":
                tid = _dsq_id(elem)
                if tid:
                    threads[tid] = (_text(elem, "title"), _text(elem, "link"))
            elif name == "post":
                ordinal += 1
                yield _post(elem, threads, source, ordinal)
            stream.done(elem)
    except XML_ERRORS as exc:
        yield stream.error(exc, f"after {ordinal} posts" if ordinal else "before any post")
