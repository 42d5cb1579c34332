"""Output rows and their writers (CSV, JSONL), with byte offsets for safe resuming."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import IO, Any

from commentcare._errors import InputError
from commentcare._types import Classification, Comment, Label, Review
from commentcare.io._cells import csv_line

__all__ = ["RowWriter", "error_row", "result_row"]

_BASE = (
    "text",
    "author",
    "author_email",
    "author_url",
    "post_title",
    "post_url",
    "created_at",
    "parent_id",
    "status",
)


def result_row(
    comment: Comment, c: Classification, review: Review | None = None, *, with_comment: bool = True
) -> dict[str, Any]:
    """One output row: our columns, then the comment's own fields and every carried-through field.

    A carried field whose name collides with one of ours is renamed ``input_<name>``.
    """
    row: dict[str, Any] = {
        "id": comment.id,
        "label": c.label.value,
        "confidence": round(c.confidence, 4),
        "unsure": c.unsure,
    }
    for lbl in Label:
        row[lbl.value] = round(c.scores[lbl], 4)
    row["other"] = round(c.other, 4)  # the probability that it fits none of the four
    row["model_version"] = c.model_version
    if review is not None:
        row["action"] = review.action.value
        row["priority"] = review.priority
        row["respond_by"] = review.respond_by.isoformat() if review.respond_by else ""
        row["reply"] = review.reply.text if review.reply else ""
        row["reasons"] = "; ".join(review.reasons)
    if with_comment:
        for name in _BASE:
            v = getattr(comment, name)
            if v is not None and name not in row:
                row[name] = v.isoformat() if hasattr(v, "isoformat") else v
    for k, v in comment.extra.items():
        row[k if k not in row else f"input_{k}"] = v
    return row


def error_row(err: InputError) -> dict[str, Any]:
    return {"source": err.source, "record": err.record, "error": err.reason}


class RowWriter:
    """Writes rows as CSV or JSONL to a binary file; ``tell()`` is the byte offset written so far."""

    def __init__(self, fh: IO[bytes], fmt: str, columns: Sequence[str] | None = None) -> None:
        if fmt not in ("csv", "jsonl"):
            raise InputError(f"unknown output format {fmt!r} (csv or jsonl)")
        self.fh = fh
        self.fmt = fmt
        self.columns: list[str] | None = list(columns) if columns else None
        self._buf = io.StringIO()
        self.header_written = False

    def write(self, row: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            self._buf.write(json.dumps(row, ensure_ascii=False, default=str))
            self._buf.write("\n")
        else:
            if self.columns is None:
                self.columns = list(row)
            if not self.header_written:
                self._buf.write(csv_line(self.columns))
                self.header_written = True
            self._buf.write(csv_line(row.get(c) for c in self.columns))
        if self._buf.tell() > 1 << 16:
            self.flush()

    def flush(self) -> None:
        data = self._buf.getvalue()
        if data:
            self.fh.write(data.encode("utf-8", "surrogateescape"))
            self._buf.seek(0)
            self._buf.truncate()
        self.fh.flush()

    def tell(self) -> int:
        self.flush()
        return self.fh.tell()
