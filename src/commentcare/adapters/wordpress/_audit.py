"""The audit log: an append-only JSON Lines record of every write, flushed before the next."""

from __future__ import annotations

import enum
import json
import logging
import os
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

__all__ = ["AuditLog", "Phase"]

log = logging.getLogger(__name__)


class Phase(str, enum.Enum):
    """Where a write stood when its audit record was written."""

    INTENT = "intent"  # about to be sent; an intent with nothing after it was interrupted
    DONE = "done"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


class AuditLog:
    """An append-only JSON Lines file: one record per step of every write, flushed to disk
    before the next step, so that the file tells what a killed run was doing.

    A record holds ``time`` (UTC), ``run``, ``site``, ``user``, ``comment_id``, ``post_id``,
    ``op`` (``status`` or ``reply``), ``phase`` (intent, done, failed), ``old_status``,
    ``new_status``, ``reply_id``, ``label``, ``note`` and ``error``; never a password nor a
    comment's text.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._tail_checked = False

    def __repr__(self) -> str:
        return f"AuditLog({os.fspath(self.path)!r})"

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first; a line cut short by a crash is skipped."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        records = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                log.warning("%s:%d: skipping a line that is not JSON (cut short?)", self.path, number)
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def latest(self, site: str) -> dict[tuple[str, str], dict[str, Any]]:
        """The last record of each (comment id, op) on ``site``."""
        return {
            (str(r.get("comment_id")), str(r.get("op"))): r for r in self.records() if r.get("site") == site
        }

    def write(self, record: Mapping[str, Any]) -> dict[str, Any]:
        line = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **record}
        text = json.dumps(line, ensure_ascii=False, sort_keys=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            if not self._tail_checked:
                self._tail_checked = True
                if fh.tell() > 0 and not _ends_with_newline(self.path):
                    fh.write("\n")  # a killed run left half a line: keep ours whole
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        return line


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"
