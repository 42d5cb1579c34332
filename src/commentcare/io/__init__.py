"""Reading comment exports and writing results.

>>> from commentcare.io import read_comments
>>> for comment in read_comments("comments.csv"):      # doctest: +SKIP
...     ...

Formats: CSV, JSONL, WordPress WXR, Disqus XML, Medium archives and saved story pages. The
format is detected from the name and the content unless given.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.io._formats import Format, Record, Source, detect_format, open_binary, source_name

__all__ = ["Format", "Record", "detect_format", "iter_records", "read_comments"]

# format -> (module, function); each function takes (binary file, source name, **options)
_READERS: dict[Format, tuple[str, str]] = {
    Format.CSV: ("commentcare.io._tabular", "iter_csv"),
    Format.JSONL: ("commentcare.io._tabular", "iter_jsonl"),
    Format.WXR: ("commentcare.io._wxr", "iter_wxr"),
    Format.DISQUS: ("commentcare.io._disqus", "iter_disqus"),
    Format.MEDIUM_PAGE: ("commentcare.io._medium", "iter_medium_page"),
    Format.MEDIUM_ARCHIVE: ("commentcare.io._medium", "iter_medium_archive"),
    Format.RSS: ("commentcare.io._medium", "iter_rss"),
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
    name = source_name(source)
    module_name, func_name = _READERS[fmt]
    try:
        reader: Callable[..., Iterator[Record]] = getattr(importlib.import_module(module_name), func_name)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"the {fmt.value} reader is not available: {exc}", source=name) from exc
    kwargs: dict[str, Any] = {"mapping": columns} if fmt in (Format.CSV, Format.JSONL) else {}
    if site_fields and fmt is Format.WXR:
        kwargs["site_fields"] = True
    if fmt in _PATH_READERS:
        yield from reader(source, name, **kwargs)
        return
    fh = open_binary(source)
    try:
        yield from reader(fh, name, **kwargs)
    finally:
        if fh is not source:
            fh.close()


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
