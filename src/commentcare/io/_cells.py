"""The one way commentcare writes a CSV row: every field that needs quotes gets them, under any
line terminator, and a text cell that a spreadsheet would run as a formula is made inert.

``csv.writer`` quotes a field only for the characters of *its own* line terminator: with
``lineterminator="\\n"`` a bare carriage return goes out unquoted, and any CSV reader then sees
a row the commenter wrote. Here a field is quoted when it holds the delimiter, a quote, a
carriage return or a line feed, whatever the terminator. Cells that begin with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return are prefixed with ``'`` (OWASP "CSV injection"), except
plain numbers, which no spreadsheet runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["FORMULA_LEADS", "csv_line", "safe_cell"]

#: First characters that make a spreadsheet treat a cell as a formula (or hide one after them).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NEEDS_QUOTES = re.compile(r"[\",\r\n\t;]")


def safe_cell(value: object) -> str:
    """The text a CSV cell gets for ``value``: ``''`` for None, formulas made inert."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text[:1] in FORMULA_LEADS and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_line(values: Iterable[object], *, lineterminator: str = "\n") -> str:
    """One CSV record: each value through :func:`safe_cell`, quoted when it needs to be."""
    cells = []
    for value in values:
        text = safe_cell(value)
        if _NEEDS_QUOTES.search(text) or text[:1] == " " or text[-1:] == " ":
            text = '"' + text.replace('"', '""') + '"'
        cells.append(text)
    if cells == [""]:
        cells = ['""']  # a lone empty field would otherwise be a blank line, which readers skip
    return ",".join(cells) + lineterminator
