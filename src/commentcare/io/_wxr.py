"""WordPress WXR export reader (RSS 2.0 plus the ``wp:`` namespace, export versions 1.0 to 1.2).

Exports of busy sites run to gigabytes, so the file is streamed with ``defusedxml``'s
``iterparse`` and every element is cleared and detached from its parent once read: memory stays
bounded by the largest single post, not by the file. DTDs, entity declarations and external
entities are refused (an export never needs them, an attacker does: "billion laughs", XXE).

The streaming machinery (:class:`XmlStream`) is shared with the Disqus reader.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.io._formats import Record, parse_datetime

__all__ = ["MAX_DEPTH", "XML_ERRORS", "XmlStream", "XmlTooDeepError", "iter_wxr", "local_name"]

log = logging.getLogger(__name__)


#: What a streamed parse can raise on bad input: refused constructs, malformed XML, an encoding
#: declaration naming an unknown codec (LookupError) or a multi-byte one expat cannot read
#: (ValueError), a failing read.
class XmlTooDeepError(Exception):
    """Elements nested deeper than :data:`MAX_DEPTH`: open elements cannot be released."""


#: Open elements at once. An export nests six or seven deep; a file nesting thousands deep only
#: makes the parser hold every open element.
MAX_DEPTH = 256

XML_ERRORS = (DefusedXmlException, ParseError, LookupError, ValueError, OSError, XmlTooDeepError)

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
    referenced from the root. Readers call it on *every* element they do not still need, at its
    end, whatever its depth or its parent: memory is then bounded by the largest record, not by
    how the file nests its bulk. ``error(exc)`` turns a parse failure into one InputError that
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
        self._fh = utf8_xml(fh)

    def events(self) -> Iterator[tuple[str, Element]]:
        """Yield ("start"|"end", element); on "end" the element is already off the stack."""
        stack = self.stack
        for event, elem in iterparse(self._fh, events=("start", "end"), parser=self.parser):
            if event == "start":
                self.started = True
                stack.append(elem)
                if len(stack) > MAX_DEPTH:
                    raise XmlTooDeepError(f"elements nested more than {MAX_DEPTH} deep")
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
        elif isinstance(exc, ParseError) and getattr(self._fh, "invalid", False):
            line = exc.position[0] if getattr(exc, "position", None) else self.line()
            msg = f"bytes that are not valid {self._fh.encoding} (the encoding the file declares)"
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
        elif isinstance(exc, XmlTooDeepError):
            line = self.line()
            msg = f"refused: {exc} (an export nests a few levels; this is an attack or damage)"
        elif isinstance(exc, LookupError):
            line = self.line()
            msg = f"unsupported character encoding ({exc})"
        elif isinstance(exc, UnicodeDecodeError):
            line = self.line()
            msg = f"bytes that are not valid {exc.encoding} (the encoding the file declares)"
        elif isinstance(exc, ValueError):
            line = self.line()
            msg = (
                f"unsupported character encoding ({exc}); the XML parser reads UTF-8, UTF-16 and "
                "single-byte encodings: convert the file to UTF-8 (for example with iconv)"
            )
        else:  # OSError
            line = self.line()
            msg = f"cannot read: {exc}"
        return InputError(f"{msg} ({what})", source=self.source, record=f"line {line}")


_DECLARED = re.compile(rb"""^(\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
# What expat reads itself; every other declared encoding is decoded here and handed on as UTF-8
# (expat cannot read multi-byte encodings such as Shift_JIS, EUC-JP, Big5 or GBK at all).
_NATIVE = frozenset({"utf8", "utf16", "utf16le", "utf16be", "usascii", "ascii", "iso88591", "latin1"})


class _Transcoded:
    """A binary stream of ``fh`` decoded from ``encoding`` and re-encoded as UTF-8, with the XML
    declaration rewritten to say so. Newlines are kept, so line numbers in errors stay right."""

    def __init__(self, head: bytes, fh: IO[bytes], encoding: str) -> None:
        self._fh = fh
        self.encoding = encoding
        self.invalid = False  # set once bytes that are not valid in the encoding were met
        # Invalid bytes become a NUL, which expat refuses right there: the comments before them
        # are read, and the error names their line.
        self._decoder = codecs.getincrementaldecoder(encoding)(_MARK_INVALID)
        self._head: bytes | None = head

    def read(self, size: int = -1) -> bytes:
        if self._head is not None:
            text = self._decoder.decode(self._head)
            self._head = None
            text = _DECL_ENCODING.sub("encoding='UTF-8'", text, count=1)
        else:
            raw = self._fh.read(size if size and size > 0 else 1 << 16)
            text = self._decoder.decode(raw, final=not raw)
        if "\x00" in text:
            self.invalid = True
        return text.encode("utf-8")


class _Prefixed:
    """``fh`` with the bytes already peeked put back in front."""

    def __init__(self, head: bytes, fh: IO[bytes]) -> None:
        self._head = head
        self._fh = fh

    def read(self, size: int = -1) -> bytes:
        if self._head:
            out, self._head = self._head, b""
            return out
        return self._fh.read(size)


_MARK_INVALID = "commentcare.mark-invalid"


def _nul_for_invalid(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "\x00", exc.end


codecs.register_error(_MARK_INVALID, _nul_for_invalid)
_DECL_ENCODING = re.compile(r"""encoding\s*=\s*["'][A-Za-z0-9._:-]+["']""")


def utf8_xml(fh: IO[bytes]) -> Any:
    """The stream as expat can read it: as it is, or decoded from a declared encoding expat
    cannot read itself and re-encoded as UTF-8. An unknown encoding is left for expat to report."""
    head = fh.read(1024)
    m = _DECLARED.match(head)
    if m is None:
        return _Prefixed(head, fh)
    name = m.group(2).decode("ascii").lower()
    if name.replace("-", "").replace("_", "") in _NATIVE:
        return _Prefixed(head, fh)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return _Prefixed(head, fh)
    if info.name.replace("-", "").replace("_", "") in _NATIVE:
        return _Prefixed(head, fh)
    return _Transcoded(head, fh, info.name)


def _is_wp_comment(tag: str) -> bool:
    return tag.startswith(_WP_NS_PREFIX) and tag.endswith("}comment")


def _is_wp_author(tag: str) -> bool:
    return tag.startswith(_WP_NS_PREFIX) and tag.endswith("}author")


def _fields(elem: Element) -> dict[str, str]:
    """Local name -> stripped text of the element's direct children."""
    return {local_name(child.tag): (child.text or "").strip() for child in elem}


def _comment(
    elem: Element,
    item: dict[str, str],
    source: str,
    ordinal: int,
    authors: Mapping[str, str] | None = None,
    *,
    site_fields: bool = False,
) -> Record | None:
    """One comment. ``authors`` maps the user ids of the export's authors to their logins: a
    comment written by one of them (``wp:comment_user_id``) is the site's own (``staff``)."""
    line = elem.get(LINE_ATTR, "?")
    record = f"comment {ordinal}, line {line}"
    f = _fields(elem)
    ctype = f.get("comment_type", "").lower()
    if ctype in _NOT_COMMENTS and not site_fields:
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
    user_id = f.get("comment_user_id", "")
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
        staff=user_id not in ("", "0") and user_id in (authors or {}),
        extra=_site_fields(f, ctype, authors or {}) if site_fields else {},
    )


def _site_fields(f: dict[str, str], ctype: str, authors: Mapping[str, str]) -> dict[str, str]:
    """What a backtest needs beyond the comment: its type, and the export author it was written by."""
    user_id = f.get("comment_user_id", "")
    return {
        "comment_type": ctype or "comment",
        "user_id": "" if user_id in ("", "0") else user_id,
        "export_author": authors.get(user_id, "") if user_id not in ("", "0") else "",
    }


def iter_wxr(fh: IO[bytes], source: str, *, site_fields: bool = False, **_: Any) -> Iterator[Record]:
    """Yield every comment of a WXR export in file order (pingbacks and trackbacks skipped).

    A comment by one of the export's authors (``wp:author``) is marked ``staff``. With
    ``site_fields`` (for a backtest) pingbacks and trackbacks are yielded too, and every comment's
    ``extra`` holds ``comment_type``, ``user_id`` and ``export_author`` (the login of the author
    whose id wrote it, else ""), so that staff and link notifications can be told apart and counted.

    A broken or hostile file yields every complete comment before the damage, then one
    InputError naming the line, and stops.
    """
    stream = XmlStream(fh, source, _is_wp_comment)
    ordinal = 0
    item: dict[str, str] = {}
    authors: dict[str, str] = {}  # the export's authors: user id -> login
    author: dict[str, str] = {}  # the fields of the wp:author being read
    root_checked = False
    in_comment = 0  # open wp:comment elements (a comment inside a comment is read on its own)
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
                elif _is_wp_comment(tag):
                    in_comment += 1
                continue
            parent = stream.stack[-1] if stream.stack else None
            if _is_wp_comment(tag):
                in_comment -= 1
                ordinal += 1
                rec = _comment(elem, item, source, ordinal, authors, site_fields=site_fields)
                if rec is not None:
                    yield rec
                stream.done(elem)
            elif in_comment and parent is not None and _is_wp_comment(parent.tag):
                continue  # a comment's own field: read when the comment ends
            elif tag == "item":
                item = {}
                stream.done(elem)
            else:
                if parent is not None and _is_wp_author(parent.tag):
                    author[local_name(tag)] = (elem.text or "").strip()  # a field of an export author
                elif _is_wp_author(tag):
                    if author.get("author_id"):
                        authors[author["author_id"]] = author.get("author_login") or author.get(
                            "author_display_name", ""
                        )
                    author = {}
                if parent is not None and parent.tag == "item":
                    # A post's own fields: keep what comments need, drop the rest (its content).
                    name = local_name(tag)
                    if name in ("title", "link", "post_id"):
                        item[name] = (elem.text or "").strip()
                stream.done(elem)  # everything else, at any depth, is released once read
    except XML_ERRORS as exc:
        yield stream.error(exc, f"after {ordinal} comments" if ordinal else "before any comment")
