"""Reading comment exports and writing results.

>>> from commentcare.io import read_comments
>>> for comment in read_comments("comments.csv"):      # doctest: +SKIP
...     ...

Formats: CSV, JSONL, WordPress WXR, Disqus XML, Medium archives and saved story pages. The
format is detected from the name and the content unless given.

Besides reading, the package runs a whole file through a moderator (:func:`classify_file`, what
``commentcare classify`` does), writes result rows (:func:`result_row`, :func:`error_row`,
:class:`RowWriter`) and builds the HTML report (:class:`ReportBuilder`). Those load on first use.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from commentcare._errors import CommentCareError, InputError
from commentcare._lazy import lazy_getattr as _lazy_getattr
from commentcare._types import Comment
from commentcare.io._cells import FORMULA_LEADS, csv_line, safe_cell
from commentcare.io._formats import Format, Record, Source, detect_format, parse_datetime
from commentcare.io._formats import open_binary as _open_binary
from commentcare.io._formats import source_name as _source_name

if TYPE_CHECKING:
    from commentcare.io._batch import Summary, classify_file
    from commentcare.io._report import ReportBuilder
    from commentcare.io._tabular import resolve_columns, row_to_comment
    from commentcare.io._writers import RowWriter, error_row, result_row

__all__ = [
    "FORMULA_LEADS",
    "Format",
    "Record",
    "ReportBuilder",
    "RowWriter",
    "Source",
    "Summary",
    "classify_file",
    "csv_line",
    "detect_format",
    "error_row",
    "iter_records",
    "parse_datetime",
    "read_comments",
    "resolve_columns",
    "result_row",
    "row_to_comment",
    "safe_cell",
]

log = logging.getLogger(__name__)

# Loaded on first use: the batch run and the report pull in the model and numpy.
_LAZY = {
    "Summary": "commentcare.io._batch",
    "classify_file": "commentcare.io._batch",
    "ReportBuilder": "commentcare.io._report",
    "resolve_columns": "commentcare.io._tabular",
    "row_to_comment": "commentcare.io._tabular",
    "RowWriter": "commentcare.io._writers",
    "error_row": "commentcare.io._writers",
    "result_row": "commentcare.io._writers",
}


__getattr__ = _lazy_getattr(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)


# format -> (module, function); each function takes (binary file, source name, **options)
_READERS: dict[Format, tuple[str, str]] = {
    Format.CSV: ("commentcare.io._tabular", "iter_csv"),
    Format.JSONL: ("commentcare.io._tabular", "iter_jsonl"),
    Format.WXR: ("commentcare.io._wxr", "iter_wxr"),
    Format.DISQUS: ("commentcare.io._disqus", "iter_disqus"),
    Format.MEDIUM_PAGE: ("commentcare.adapters.medium", "iter_medium_page"),
    Format.MEDIUM_ARCHIVE: ("commentcare.adapters.medium", "iter_medium_archive"),
    Format.RSS: ("commentcare.adapters.medium", "iter_rss"),
}
# Formats whose reader wants the path itself (a folder, a zip), not a byte stream.
_PATH_READERS = {Format.MEDIUM_ARCHIVE}


def iter_records(
    source: Source,
    format: Format | str | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    site_fields: bool = False,
) -> Iterator[Record]:
    """Yield a :class:`Comment` or an :class:`InputError` for every record, in file order.

    ``site_fields`` (WXR only) also yields pingbacks and trackbacks and puts each comment's type
    and WordPress user in ``extra``: what a backtest needs to leave staff and link notices out.
    """
    fmt = detect_format(source, format)
    name = _source_name(source)
    module_name, func_name = _READERS[fmt]
    try:
        reader: Callable[..., Iterator[Record]] = getattr(importlib.import_module(module_name), func_name)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"the {fmt.value} reader is not available: {exc}", source=name) from exc
    kwargs: dict[str, Any] = {"mapping": columns} if fmt in (Format.CSV, Format.JSONL) else {}
    if site_fields and fmt is Format.WXR:
        kwargs["site_fields"] = True
    if fmt in _PATH_READERS:
        yield from _guarded(reader(source, name, **kwargs), name)
        return
    fh = _open_binary(source)
    try:
        yield from _guarded(reader(fh, name, **kwargs), name)
    finally:
        if fh is not source:
            fh.close()


def _guarded(records: Iterator[Record], source: str) -> Iterator[Record]:
    """The readers' records; should one still raise something other than our own errors on a
    hostile record, that becomes one error record naming the file and the place, not a crash."""
    n = 0
    try:
        for rec in records:
            n += 1
            yield rec
    except CommentCareError:
        raise
    except Exception as exc:
        log.debug("reader failed on %s after %d records", source, n, exc_info=True)
        yield InputError(
            f"cannot read further: {type(exc).__name__}: {str(exc)[:200]}",
            source=source,
            record=f"after record {n}",
        )


def read_comments(
    source: Source,
    format: Format | str | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    on_error: Callable[[InputError], None] | None = None,
) -> Iterator[Comment]:
    """Stream the comments of an export.

    ``columns`` maps Comment fields to column names where the defaults do not fit (CSV/JSONL).
    A bad record raises :class:`InputError` naming the file and record, unless ``on_error`` is
    given: then it is passed the error and reading goes on.
    """
    for rec in iter_records(source, format, columns=columns):
        if isinstance(rec, InputError):
            if on_error is None:
                raise rec
            on_error(rec)
        else:
            yield rec
