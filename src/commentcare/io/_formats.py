"""Input formats, their detection, and the shared record protocol of the readers.

Every reader yields ``Comment`` objects or ``InputError`` values (never raises mid-file for a
bad record), so that a caller can report a broken record and go on: every input comment ends up
either classified or reported.
"""

from __future__ import annotations

import enum
import io
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TypeAlias

from commentcare._errors import InputError
from commentcare._types import Comment

__all__ = ["Format", "Record", "Source", "detect_format", "open_binary", "parse_datetime", "source_name"]

Record: TypeAlias = Comment | InputError
Source: TypeAlias = str | os.PathLike[str] | IO[bytes] | IO[str]


class Format(str, enum.Enum):
    CSV = "csv"
    JSONL = "jsonl"
    WXR = "wxr"  # WordPress eXtended RSS export
    DISQUS = "disqus"  # Disqus XML export
    MEDIUM_ARCHIVE = "medium-archive"  # Medium "Download your information" zip or folder
    MEDIUM_PAGE = "medium-page"  # a story page saved from the browser
    RSS = "rss"  # an RSS feed (Medium's, for instance)

    def __str__(self) -> str:
        return self.value


_EXT = {
    ".csv": Format.CSV,
    ".tsv": Format.CSV,
    ".jsonl": Format.JSONL,
    ".ndjson": Format.JSONL,
    ".json": Format.JSONL,
    ".mhtml": Format.MEDIUM_PAGE,  # a page saved as a single file
    ".mht": Format.MEDIUM_PAGE,
}


def source_name(source: Source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


def open_binary(source: Source) -> IO[bytes]:
    if isinstance(source, (str, os.PathLike)):
        try:
            return open(source, "rb")
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", source=os.fspath(source)) from exc
    if isinstance(source, io.TextIOBase):
        buf = getattr(source, "buffer", None)
        if buf is not None:
            return buf  # type: ignore[no-any-return]
        return io.BytesIO(source.read().encode("utf-8"))
    return source  # type: ignore[return-value]


def sniff(head: bytes) -> Format | None:
    """Guess a format from the first few KiB of content."""
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if h.startswith(b"PK\x03\x04"):
        return Format.MEDIUM_ARCHIVE
    if h.startswith((b"{", b"[")):
        return Format.JSONL
    if h.startswith(b"<"):
        low = h[:8192].lower()
        if b"wordpress.org/export" in low or b"<wp:comment" in low:
            return Format.WXR
        if b"<disqus" in low:  # the export's root element; a feed may merely mention Disqus
            return Format.DISQUS
        if b"<rss" in low or b"<feed" in low:
            return Format.RSS
        if b"<html" in low or b"<!doctype html" in low:
            return Format.MEDIUM_PAGE
        return None
    return Format.CSV if h else None


def detect_format(source: Source, format: Format | str | None = None) -> Format:
    """The format given, or the one the name's extension or the content says."""
    if format is not None:
        try:
            return Format(str(format).lower())
        except ValueError:
            known = ", ".join(f.value for f in Format)
            raise InputError(
                f"unknown format {format!r} (known: {known})", source=source_name(source)
            ) from None
    if isinstance(source, (str, os.PathLike)):
        p = Path(source)
        if p.is_dir():
            return Format.MEDIUM_ARCHIVE
        by_ext = _EXT.get(p.suffix.lower())
        if by_ext is not None:
            return by_ext
        try:
            with open(p, "rb") as fh:
                head = fh.read(8192)
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", source=str(p)) from exc
        if p.suffix.lower() == ".zip":
            return Format.MEDIUM_ARCHIVE
        found = sniff(head)
    else:
        peek = getattr(source, "peek", None)
        head = peek(8192)[:8192] if peek else b""
        if isinstance(head, str):
            head = head.encode("utf-8", "replace")
        found = sniff(head) if head else Format.CSV
    if found is None:
        raise InputError("cannot tell the format; pass format= (CLI: --format)", source=source_name(source))
    return found


def parse_datetime(value: object) -> datetime | None:
    """ISO 8601 (and WordPress's "YYYY-MM-DD HH:MM:SS"), or a Unix time; naive means UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"not a date: {str(value)[:40]!r} (out of range)") from None
    s = str(value).strip()
    if not s or s.startswith("0000-00-00"):
        return None
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        try:
            return datetime.fromtimestamp(float(s), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"not a date: {str(value)[:40]!r}") from None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)
