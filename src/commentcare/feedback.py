"""The feedback store: the corrections a site's moderators made to commentcare's verdicts.

Corrections arrive from many places (Akismet's submit-spam/submit-ham, Perspective's
suggestscore, the WordPress plugin's spam clicks, the native API) and feed ``commentcare train
--feedback``. They are kept in one SQLite file (the standard library's ``sqlite3``) because
several processes may write it at once (the server, a CLI run, a site's tooling): WAL mode lets
readers and one writer work together, a busy timeout makes writers wait their turn instead of
failing, and every write is its own committed transaction with ``synchronous=FULL``, so a server
killed at any moment loses nothing it had acknowledged.

>>> with FeedbackStore(default_feedback_path()) as store:      # doctest: +SKIP
...     store.record("Buy cheap pills", "spam", verdict="praise", source="akismet")
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

from commentcare._errors import InputError

__all__ = ["CORRECTIONS", "SOURCES", "Correction", "FeedbackStore", "default_feedback_path"]

log = logging.getLogger(__name__)

#: What a correction may say: a four-way label, "none" (none of the four), or Akismet's "ham"
#: (not spam, four-way label unknown).
CORRECTIONS = frozenset({"spam", "ham", "rant", "praise", "complaint", "none"})
#: Where a correction came from.
SOURCES = frozenset({"akismet", "perspective", "wordpress", "api", "cli"})

_FORMAT = "commentcare-feedback"
_VERSION = "1"
_BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE commentcare_feedback_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    text_sha256 TEXT NOT NULL,
    text TEXT,
    verdict TEXT,
    correction TEXT NOT NULL,
    source TEXT NOT NULL,
    comment_id TEXT,
    at TEXT NOT NULL
);
CREATE INDEX corrections_by_comment ON corrections (source, comment_id);
CREATE INDEX corrections_by_hash ON corrections (text_sha256);
"""


@dataclass(frozen=True, slots=True)
class Correction:
    """One kept correction. ``text`` is None when the sender asked for it not to be stored."""

    text_sha256: str
    text: str | None
    verdict: str | None
    correction: str
    source: str
    comment_id: str | None
    at: datetime  # timezone-aware, UTC


def text_sha256(text: str) -> str:
    """The hash a correction is kept under: SHA-256 of the UTF-8 text, hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def default_feedback_path() -> Path:
    """``feedback.sqlite3`` in the user's data directory (created on demand).

    That is ``$XDG_DATA_HOME/commentcare`` (default ``~/.local/share/commentcare``) on Linux and
    other Unix systems, ``~/Library/Application Support/commentcare`` on macOS and
    ``%LOCALAPPDATA%\\commentcare`` on Windows, as platformdirs would say, without the dependency.
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME")
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local" / "share"
    directory = base / "commentcare"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / "feedback.sqlite3"


class FeedbackStore:
    """The corrections in one SQLite file; a context manager. Safe to share between threads.

    Opening creates the file if it is missing. A file that is not SQLite, or is SQLite but not a
    feedback store (another program's database), raises :class:`commentcare.InputError` naming
    it: it is never written to.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = self._open()

    # -- opening --------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        source = str(self.path)
        if self.path.is_dir():
            raise InputError("is a directory, not a feedback database", source=source)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(
                source, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise InputError(f"cannot open the feedback database: {exc}", source=source) from exc
        try:
            db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            self._check_or_create(db, source)
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("%s: journal mode is %s, not WAL", source, mode)
            db.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise InputError(f"not a commentcare feedback database ({exc})", source=source) from exc
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _check_or_create(db: sqlite3.Connection, source: str) -> None:
        db.execute("BEGIN IMMEDIATE")  # two processes creating the same new file: one waits
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            tables.discard("sqlite_sequence")
            if not tables:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.executemany(
                    "INSERT INTO commentcare_feedback_meta (key, value) VALUES (?, ?)",
                    [("format", _FORMAT), ("version", _VERSION)],
                )
                db.execute("COMMIT")
                log.info("%s: created a new feedback database", source)
                return
            if "commentcare_feedback_meta" not in tables or "corrections" not in tables:
                raise InputError(
                    "is an SQLite database of another program, not a commentcare feedback database "
                    f"(tables: {', '.join(sorted(tables))})",
                    source=source,
                )
            meta = dict(db.execute("SELECT key, value FROM commentcare_feedback_meta").fetchall())
            if meta.get("format") != _FORMAT:
                raise InputError("is not a commentcare feedback database (wrong format mark)", source=source)
            if meta.get("version") != _VERSION:
                raise InputError(
                    f"is a feedback database of version {meta.get('version')!r}; this commentcare "
                    f"reads version {_VERSION}",
                    source=source,
                )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    # -- the API --------------------------------------------------------------------------------

    def record(
        self,
        text: str,
        correction: str,
        *,
        verdict: str | None = None,
        keep_text: bool = True,
        source: str = "api",
        comment_id: str | int | None = None,
    ) -> Correction:
        """Keep one correction, replacing an older one for the same comment; return what was kept.

        The same comment is the same ``source`` and ``comment_id`` when an id is given, else the
        same text (by hash) among corrections without an id. The write is committed before this
        returns.
        """
        if not isinstance(text, str):
            raise InputError(f"the text must be a string, not {type(text).__name__}", source=str(self.path))
        if correction not in CORRECTIONS:
            raise InputError(
                f"unknown correction {correction!r}; expected one of {', '.join(sorted(CORRECTIONS))}",
                source=str(self.path),
            )
        if source not in SOURCES:
            raise InputError(
                f"unknown source {source!r}; expected one of {', '.join(sorted(SOURCES))}",
                source=str(self.path),
            )
        if verdict is not None and not isinstance(verdict, str):
            raise InputError("the verdict must be a label value or None", source=str(self.path))
        cid = None if comment_id is None else str(comment_id)
        digest = text_sha256(text)
        at = datetime.now(timezone.utc)
        kept = Correction(digest, text if keep_text else None, verdict, correction, source, cid, at)
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                if cid is not None:
                    db.execute("DELETE FROM corrections WHERE source = ? AND comment_id = ?", (source, cid))
                else:
                    db.execute(
                        "DELETE FROM corrections WHERE text_sha256 = ? AND comment_id IS NULL", (digest,)
                    )
                db.execute(
                    "INSERT INTO corrections (text_sha256, text, verdict, correction, source, comment_id, at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (kept.text_sha256, kept.text, verdict, correction, source, cid, at.isoformat()),
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return kept

    def corrections(self) -> Iterator[Correction]:
        """Every kept correction, oldest first (a replaced correction counts from its replacement)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT text_sha256, text, verdict, correction, source, comment_id, at"
                " FROM corrections ORDER BY id"
            ).fetchall()
        for digest, text, verdict, correction, source, cid, at in rows:
            yield Correction(digest, text, verdict, correction, source, cid, datetime.fromisoformat(at))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM corrections").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FeedbackStore({str(self.path)!r})"
