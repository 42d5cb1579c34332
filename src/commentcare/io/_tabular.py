"""CSV and JSONL readers, with a column mapping that fits common exports by default."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from typing import IO, Any

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.io._formats import Record, parse_datetime

__all__ = ["DEFAULT_COLUMNS", "iter_csv", "iter_jsonl", "resolve_columns", "row_to_comment"]

#: For each Comment field, the input column names tried in order (case-insensitive).
DEFAULT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "text": ("text", "content", "comment", "comment_content", "message", "body"),
    "id": ("id", "comment_id", "comment_ID", "commentid"),
    "author": ("author", "author_name", "comment_author", "name", "user", "username"),
    "author_email": ("author_email", "email", "comment_author_email"),
    "author_url": ("author_url", "url", "comment_author_url", "website"),
    "author_ip": ("author_ip", "ip", "comment_author_ip"),
    "user_agent": ("user_agent", "comment_agent", "agent"),
    "created_at": ("created_at", "date", "comment_date_gmt", "comment_date", "timestamp", "created"),
    "post_id": ("post_id", "comment_post_id"),
    "post_title": ("post_title", "title"),
    "post_url": ("post_url", "link", "permalink"),
    "parent_id": ("parent_id", "parent", "comment_parent"),
    "status": ("status", "comment_approved", "approved"),
}

# A 10 MB comment is odd but legal; the csv module's default limit (128 KiB) would reject it.
_FIELD_LIMIT = 64 * 1024 * 1024
#: A ``.json`` array is read whole; above this, JSON Lines (streamed) is asked for.
MAX_JSON_ARRAY_BYTES = 256 * 1024 * 1024


def resolve_columns(fields: list[str], mapping: Mapping[str, str] | None) -> dict[str, str]:
    lower = {f.lower(): f for f in fields if f}
    chosen: dict[str, str] = {}
    for target, names in DEFAULT_COLUMNS.items():
        if mapping and target in mapping:
            if mapping[target] in fields:
                chosen[target] = mapping[target]
            continue
        for n in names:
            if n.lower() in lower:
                chosen[target] = lower[n.lower()]
                break
    return chosen


def row_to_comment(row: Mapping[str, Any], columns: Mapping[str, str], source: str, record: int) -> Record:
    """Build a Comment from a row; other columns travel in ``extra`` untouched."""
    text_col = columns.get("text")
    text = row.get(text_col) if text_col else None
    if text is None or (isinstance(text, str) and not text.strip()):
        return InputError(
            "no comment text (looked for a text/content/comment column)", source=source, record=record
        )
    if not isinstance(text, str):
        return InputError(
            f"the comment text is a {type(text).__name__}, not a string", source=source, record=record
        )
    if not _is_utf8(text):
        if any("\udc80" <= ch <= "\udcff" for ch in text):
            return InputError("invalid UTF-8 in the comment text", source=source, record=record)
        return InputError("a lone surrogate in the comment text", source=source, record=record)
    try:
        return _build(row, columns, source, record, text)
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:  # one record, never the run
        return InputError(
            f"cannot read the record: {type(exc).__name__}: {exc}", source=source, record=record
        )


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _writable(value: str) -> bool:
    """Whether a value can be written back out: undecodable input bytes (kept as surrogate
    escapes) can, a lone surrogate from a JSON ``\\ud800`` escape cannot."""
    try:
        value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def _build(row: Mapping[str, Any], columns: Mapping[str, str], source: str, record: int, text: str) -> Record:
    values: dict[str, Any] = {}
    for target, col in columns.items():
        if target == "text":
            continue
        v = row.get(col)
        if v is None or v == "":
            continue
        if target == "created_at":
            try:
                values[target] = parse_datetime(v)
            except ValueError as exc:
                return InputError(str(exc), source=source, record=record)
        else:
            values[target] = str(v)
    used = set(columns.values())
    extra = {
        k: ("" if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        for k, v in row.items()
        if k not in used and k is not None
    }
    if "id" not in values:
        values["id"] = str(record)
    for name, value in [*values.items(), *extra.items()]:
        if isinstance(value, str) and not _writable(value):
            return InputError(f"a lone surrogate in {name!r}", source=source, record=record)
    return Comment(text=text, source=source, extra=extra, **values)


def _text_stream(fh: IO[bytes]) -> io.TextIOWrapper:
    # surrogateescape keeps undecodable bytes as lone surrogates, so a bad record is reported
    # by row_to_comment and the rest of the file still reads.
    return io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")


class _NulFilter:
    """Replace NUL bytes (which the csv module refuses) in the stream, counting lines and keeping
    the lines of the record being read (to read them again after a quote that never closed)."""

    def __init__(self, stream: Iterator[str], first_line: int = 0) -> None:
        self.stream = stream
        self.nul_lines: set[int] = set()
        self.line = first_line
        self.kept: list[str] = []
        self.at_end = False

    def __iter__(self) -> _NulFilter:
        return self

    def __next__(self) -> str:
        try:
            line = next(self.stream)
        except StopIteration:
            self.at_end = True
            raise
        self.line += 1
        if "\x00" in line:
            self.nul_lines.add(self.line)
            line = line.replace("\x00", "")
        self.kept.append(line)
        return line


@contextmanager
def _field_limit() -> Iterator[None]:
    """Raise the csv module's field size limit while one record is parsed, then put it back.

    The limit is global to the csv module: changing it for good would change it for every other
    user of csv in the process.
    """
    old = csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def iter_csv(fh: IO[bytes], source: str, mapping: Mapping[str, str] | None = None) -> Iterator[Record]:
    text = _text_stream(fh)
    try:
        yield from _iter_csv(_NulFilter(text), source, mapping)
    finally:
        text.detach()  # the caller owns (and closes) the binary file


def _iter_csv(stream: _NulFilter, source: str, mapping: Mapping[str, str] | None) -> Iterator[Record]:
    try:
        sample_line = next(stream)
        while not sample_line.strip():  # blank lines before the header (or a blank file)
            sample_line = next(stream)
    except StopIteration:
        return
    except UnicodeDecodeError as exc:  # pragma: no cover - surrogateescape decodes everything
        yield InputError(f"cannot decode: {exc}", source=source, record=1)
        return
    delimiter = "\t" if sample_line.count("\t") > sample_line.count(",") else ","
    with _field_limit():
        header = next(csv.reader([sample_line], delimiter=delimiter))
    columns = resolve_columns(header, mapping)
    if "text" not in columns:
        yield InputError(
            f"no text column in the header ({', '.join(header)[:200]})", source=source, record=stream.line
        )
        return
    # A quote that never closes swallows every later line into one field. It is reported at the
    # line where it opened, and the lines after that one are read again, one record per line: the
    # file's quoting is known to be broken from there, and reading line by line keeps it linear
    # (reading them as CSV again could meet the next unclosed quote, and so on, N times).
    rest = yield from _csv_rows(stream, header, columns, delimiter, source)
    if rest is not None:
        yield from _csv_lines(rest, header, columns, delimiter, source)


def _csv_rows(
    stream: _NulFilter, header: list[str], columns: Mapping[str, str], delimiter: str, source: str
) -> Generator[Record, None, _NulFilter | None]:
    reader = csv.reader(stream, delimiter=delimiter)
    n = len(header)
    start = stream.line + 1
    while True:
        stream.kept = []
        try:
            with _field_limit():
                fields = next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            yield InputError(f"malformed CSV: {exc}", source=source, record=start)
            start = stream.line + 1
            continue
        line = start
        start = stream.line + 1
        if stream.at_end and fields and _unclosed(stream.kept, delimiter):
            last = fields[-1]
            opened = stream.line - last.count("\n") + (1 if last.endswith("\n") else 0)
            yield InputError(
                f"a quote opened on line {opened} never closes; the lines after it are read again",
                source=source,
                record=opened,
            )
            after = stream.kept[opened - line + 1 :]
            return _NulFilter(iter(after), first_line=opened) if after else None
        if not fields or (len(fields) == 1 and not fields[0]):
            continue
        if len(fields) != n:
            yield InputError(
                f"ragged row: {len(fields)} fields where the header has {n}", source=source, record=line
            )
            continue
        if any(ln in stream.nul_lines for ln in range(line, start)):
            yield InputError("NUL bytes in the record", source=source, record=line)
            continue
        yield row_to_comment(dict(zip(header, fields)), columns, source, line)


def _csv_lines(
    stream: _NulFilter, header: list[str], columns: Mapping[str, str], delimiter: str, source: str
) -> Iterator[Record]:
    n = len(header)
    for text in stream:
        line = stream.line
        if not text.strip():
            continue
        if _unclosed([text], delimiter):
            yield InputError(f"a quote opened on line {line} never closes", source=source, record=line)
            continue
        try:
            fields = next(csv.reader([text], delimiter=delimiter))
        except csv.Error as exc:
            yield InputError(f"malformed CSV: {exc}", source=source, record=line)
            continue
        if len(fields) != n:
            yield InputError(
                f"ragged row: {len(fields)} fields where the header has {n}", source=source, record=line
            )
            continue
        yield row_to_comment(dict(zip(header, fields)), columns, source, line)


def _unclosed(lines: list[str], delimiter: str) -> bool:
    """Whether the record's lines end inside a quoted field (the strict parser says so)."""
    try:
        with _field_limit():  # the swallowed lines are one field, as large as the rest of the file
            for _ in csv.reader(lines, delimiter=delimiter, strict=True):
                pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def iter_jsonl(fh: IO[bytes], source: str, mapping: Mapping[str, str] | None = None) -> Iterator[Record]:
    columns_cache: dict[tuple[str, ...], dict[str, str]] = {}
    for lineno, raw in enumerate(fh, 1):
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield InputError(f"invalid UTF-8 at byte {exc.start}", source=source, record=lineno)
            continue
        if lineno == 1 and line.lstrip().startswith("["):
            yield from _json_array(raw + fh.read(MAX_JSON_ARRAY_BYTES), fh, source, mapping)
            return
        try:
            row = json.loads(line)
        except RecursionError:
            yield InputError("JSON nested too deeply", source=source, record=lineno)
            continue
        except ValueError as exc:
            yield InputError(f"invalid JSON: {exc}", source=source, record=lineno)
            continue
        yield _object_record(row, columns_cache, mapping, source, lineno, lineno)


def _json_array(
    data: bytes, fh: IO[bytes], source: str, mapping: Mapping[str, str] | None
) -> Iterator[Record]:
    """A ``.json`` file holding one array of objects (the shape many exports and APIs give).

    It is read whole, so it is capped at :data:`MAX_JSON_ARRAY_BYTES`; larger exports should be
    JSON Lines, which is streamed. Records are named ``item N`` (1-based).
    """
    if fh.read(1):
        yield InputError(
            f"a JSON array larger than {MAX_JSON_ARRAY_BYTES} bytes; convert it to JSON Lines "
            "(one object per line), which is read as a stream",
            source=source,
        )
        return
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        yield InputError(f"invalid UTF-8 at byte {exc.start}", source=source)
        return
    except RecursionError:
        yield InputError("JSON nested too deeply", source=source)
        return
    except ValueError as exc:
        yield InputError(f"invalid JSON: {exc}", source=source, record=f"line {getattr(exc, 'lineno', '?')}")
        return
    if not isinstance(items, list):
        yield InputError("a JSON file must hold an array of objects, or one object per line", source=source)
        return
    columns_cache: dict[tuple[str, ...], dict[str, str]] = {}
    for n, row in enumerate(items, 1):
        yield _object_record(row, columns_cache, mapping, source, n, f"item {n}")


def _object_record(
    row: Any,
    columns_cache: dict[tuple[str, ...], dict[str, str]],
    mapping: Mapping[str, str] | None,
    source: str,
    record: int,
    where: int | str,
) -> Record:
    """One JSON value as a comment, or the error that says why not (``where`` names it). Rows of
    the same keys share their column choice; the cache is kept small."""
    if not isinstance(row, dict):
        return InputError(
            f"a record must be a JSON object, not {type(row).__name__}", source=source, record=where
        )
    key = tuple(row)
    columns = columns_cache.get(key)
    if columns is None:
        if len(columns_cache) > 64:
            columns_cache.clear()
        columns = columns_cache[key] = resolve_columns(list(row), mapping)
    return row_to_comment(row, columns, source, record)
