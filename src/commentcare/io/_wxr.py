"""WordPress WXR export reader (RSS 2.0 plus the ``wp:`` namespace, export versions 1.0 to 1.2).

Exports of busy sites run to gigabytes, so the file is streamed with ``defusedxml``'s
``iterparse`` and every element is cleared and detached from its parent once read: memory stays
bounded by the largest single post, not by the file. DTDs, entity declarations and external
entities are refused (an export never needs them, an attacker does: "billion laughs", XXE).

The streaming machinery (:class:`XmlStream`) is shared with the Disqus reader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.io._formats import Record, parse_datetime

__all__ = ["XML_ERRORS", "XmlStream", "iter_wxr", "local_name"]

log = logging.getLogger(__name__)

#: What a streamed parse can raise on bad input: refused constructs, malformed XML, an encoding
#: declaration naming an unknown codec (LookupError), a failing read.
XML_ERRORS = (DefusedXmlException, ParseError, LookupError, OSError)

#: Where the builder notes the source line of an element it was asked to watch.
LINE_ATTR = "{urn:commentcare}line"

_WP_NS_PREFIX = "{http://wordpress.org/export/"
_STATUS = {"1": "approved", "0": "hold", "approve": "approved", "spam": "spam", "trash": "trash"}
# comment_type values that are not visitor comments: link notifications and WooCommerce's
# private bookkeeping notes.
_NOT_COMMENTS = frozenset({"pingback", "trackback", "order_note", "webhook_delivery", "action_log"})


def local_name(tag: str) -> str:
    """``{namespace}name`` -> ``name``."""
    return tag.rsplit("}", 1)[-1]


class _LineBuilder(TreeBuilder):
    """A TreeBuilder that stamps watched elements with their line.

    ``iterparse`` reports events only after a whole 16 KiB chunk is parsed, when the parser's
    position is already further on; the line is only right at the moment the element starts.
    """

    def __init__(self, watch: Callable[[str], bool]) -> None:
        super().__init__()
        self.watch = watch
        self.expat: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        if self.expat is not None and self.watch(tag):
            attrs = {**attrs, LINE_ATTR: str(self.expat.CurrentLineNumber)}
        return super().start(tag, attrs)


class XmlStream:
    """Start/end events of a defused, streamed parse, with a stack of open elements.

    ``done(elem)`` clears an element and detaches it from its parent, so nothing read stays
    referenced from the root. ``error(exc)`` turns a parse failure into one InputError that
    names the line.
    """

    def __init__(self, fh: IO[bytes], source: str, watch: Callable[[str], bool]) -> None:
        self.source = source
        builder = _LineBuilder(watch)
        self.parser = DefusedXMLParser(
            target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        builder.expat = self.parser.parser
        self.stack: list[Element] = []
        self.started = False  # an element was seen: an error is then damage, not an empty file
        self._fh = fh

    def events(self) -> Iterator[tuple[str, Element]]:
        """Yield ("start"|"end", element); on "end" the element is already off the stack."""
        stack = self.stack
        for event, elem in iterparse(self._fh, events=("start", "end"), parser=self.parser):
            if event == "start":
                self.started = True
                stack.append(elem)
            else:
                stack.pop()
            yield event, elem

    def done(self, elem: Element) -> None:
        elem.clear()
        if self.stack:
            self.stack[-1].remove(elem)

    def line(self) -> int:
        try:
            return int(self.parser.parser.CurrentLineNumber)
        except AttributeError:  # the parser is gone after close()
            return 0

    def error(self, exc: BaseException, what: str) -> InputError:
        """One InputError for a failure that ends the parse; ``what`` says how far it got."""
        if isinstance(exc, DefusedXmlException):
            kind = type(exc).__name__.replace("Forbidden", "").lower() or "construct"
            kind = {
                "dtd": "a DTD",
                "entities": "an entity declaration",
                "externalreference": "an external entity",
            }.get(kind, kind)
            msg = f"refused: the file contains {kind} (not allowed in an export; it can be an attack)"
            line = self.line()
        elif isinstance(exc, ParseError):
            line = exc.position[0] if getattr(exc, "position", None) else self.line()
            reason = str(exc).split(":", 1)[0]
            if reason == "no element found":
                reason = (
                    "the file ends in the middle of the XML (truncated?)"
                    if self.started
                    else "the file is empty"
                )
            msg = f"malformed XML: {reason}"
        elif isinstance(exc, LookupError):
            line = self.line()
            msg = f"unsupported character encoding ({exc})"
        else:  # OSError
            line = self.line()
            msg = f"cannot read: {exc}"
        return InputError(f"{msg} ({what})", source=self.source, record=f"line {line}")


def _is_wp_comment(tag: str) -> bool:
    return tag.startswith(_WP_NS_PREFIX) and tag.endswith("}comment")


def _is_wp_author(tag: str) -> bool:
    return tag.startswith(_WP_NS_PREFIX) and tag.endswith("}author")


def _fields(elem: Element) -> dict[str, str]:
    """Local name -> stripped text of the element's direct children."""
    return {local_name(child.tag): (child.text or "").strip() for child in elem}


def _comment(
    elem: Element, item: dict[str, str], source: str, ordinal: int, authors: dict[str, str] | None = None
) -> Record | None:
    line = elem.get(LINE_ATTR, "?")
    record = f"comment {ordinal}, line {line}"
    f = _fields(elem)
    ctype = f.get("comment_type", "").lower()
    if ctype in _NOT_COMMENTS and authors is None:
        log.debug("%s:%s: skipping a %s", source, record, ctype)
        return None
    # The content keeps its whitespace: it is the comment as written.
    text = next((c.text or "" for c in elem if local_name(c.tag) == "comment_content"), "")
    if not text.strip():
        return InputError("empty comment content", source=source, record=record)
    try:
        created = parse_datetime(f.get("comment_date_gmt")) or parse_datetime(f.get("comment_date"))
    except ValueError as exc:
        return InputError(str(exc), source=source, record=record)
    approved = f.get("comment_approved", "").lower()
    parent = f.get("comment_parent", "")
    return Comment(
        text=text,
        id=f.get("comment_id") or str(ordinal),
        author=f.get("comment_author") or None,
        author_email=f.get("comment_author_email") or None,
        author_url=f.get("comment_author_url") or None,
        author_ip=f.get("comment_author_IP") or None,
        user_agent=f.get("comment_agent") or None,
        created_at=created,
        post_id=item.get("post_id") or None,
        post_title=item.get("title") or None,
        post_url=item.get("link") or None,
        parent_id=None if parent in ("", "0") else parent,
        source=source,
        status=_STATUS.get(approved, approved or None),
        extra={} if authors is None else _site_fields(f, ctype, authors),
    )


def _site_fields(f: dict[str, str], ctype: str, authors: dict[str, str]) -> dict[str, str]:
    """What a backtest needs beyond the comment: its type, and the export author it was written by."""
    user_id = f.get("comment_user_id", "")
    return {
        "comment_type": ctype or "comment",
        "user_id": "" if user_id in ("", "0") else user_id,
        "export_author": authors.get(user_id, "") if user_id not in ("", "0") else "",
    }


def iter_wxr(fh: IO[bytes], source: str, *, site_fields: bool = False, **_: Any) -> Iterator[Record]:
    """Yield every comment of a WXR export in file order (pingbacks and trackbacks skipped).

    With ``site_fields`` (for a backtest) pingbacks and trackbacks are yielded too, and every
    comment's ``extra`` holds ``comment_type``, ``user_id`` and ``export_author`` (the login of
    the export's ``wp:author`` whose id wrote it, else ""), so that staff and link notifications
    can be told apart and counted.

    A broken or hostile file yields every complete comment before the damage, then one
    InputError naming the line, and stops.
    """
    stream = XmlStream(fh, source, _is_wp_comment)
    ordinal = 0
    authors: dict[str, str] | None = {} if site_fields else None  # export author id -> login
    author: dict[str, str] = {}  # the fields of the wp:author being read
    item: dict[str, str] = {}
    root_checked = False
    try:
        for event, elem in stream.events():
            tag = elem.tag
            if event == "start":
                if not root_checked:
                    root_checked = True
                    if local_name(tag) != "rss":
                        yield InputError(
                            f"not a WordPress export: the root element is <{local_name(tag)}>, not <rss>",
                            source=source,
                            record="line 1",
                        )
                        return
                if tag == "item":
                    item = {}
                continue
            depth = len(stream.stack)
            if _is_wp_comment(tag):
                ordinal += 1
                rec = _comment(elem, item, source, ordinal, authors)
                if rec is not None:
                    yield rec
                stream.done(elem)
            elif tag == "item":
                item = {}
                stream.done(elem)
            elif depth >= 2 and stream.stack[-1].tag == "item":
                # A post's own fields: keep what comments need, drop the (possibly huge) content.
                name = local_name(tag)
                if name in ("title", "link", "post_id"):
                    item[name] = (elem.text or "").strip()
                stream.done(elem)
            elif authors is not None and depth >= 2 and _is_wp_author(stream.stack[-1].tag):
                author[local_name(tag)] = (elem.text or "").strip()  # a field of an export author
            elif authors is not None and _is_wp_author(tag):
                if author.get("author_id"):
                    authors[author["author_id"]] = author.get("author_login") or author.get(
                        "author_display_name", ""
                    )
                author = {}
                stream.done(elem)
            elif depth == 2:  # channel-level metadata (authors, categories, terms)
                stream.done(elem)
    except XML_ERRORS as exc:
        yield stream.error(exc, f"after {ordinal} comments" if ordinal else "before any comment")
