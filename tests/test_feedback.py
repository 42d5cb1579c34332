"""The feedback store: what it keeps, what it replaces, what it refuses, and that it survives
other writers and a kill -9."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import timezone
from pathlib import Path

import pytest

from commentcare import InputError
from commentcare.feedback import Correction, FeedbackStore, default_feedback_path, text_sha256


def test_records_and_reads_back_oldest_first(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    with FeedbackStore(db) as store:
        assert len(store) == 0
        store.record("Buy cheap pills", "spam", verdict="praise", source="akismet")
        store.record("Thanks, lovely post", "ham", verdict="spam", source="wordpress", comment_id=7)
        store.record("secret text", "rant", verdict=None, keep_text=False, source="perspective")
        assert len(store) == 3
        got = list(store.corrections())
    assert [c.correction for c in got] == ["spam", "ham", "rant"]
    first = got[0]
    assert isinstance(first, Correction)
    assert first.text == "Buy cheap pills" and first.verdict == "praise" and first.source == "akismet"
    assert first.text_sha256 == text_sha256("Buy cheap pills")
    assert first.at.tzinfo is not None and first.at.utcoffset() == timezone.utc.utcoffset(None)
    assert got[1].comment_id == "7"
    assert got[2].text is None and got[2].text_sha256 == text_sha256("secret text")
    # doNotStore: the text is nowhere in the file, not even in the WAL
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"secret text" not in raw and b"Buy cheap pills" in raw
    with pytest.raises(AttributeError):
        first.correction = "ham"  # type: ignore[misc]


def test_wal_mode_and_reopen(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    with FeedbackStore(db) as store:
        store.record("a", "spam")
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    with FeedbackStore(db) as store:
        assert [c.text for c in store.corrections()] == ["a"]


def test_same_comment_replaces_older_correction(tmp_path: Path) -> None:
    with FeedbackStore(tmp_path / "fb.sqlite3") as store:
        store.record("hello there", "spam", source="wordpress", comment_id="12")
        store.record("other", "praise", source="wordpress", comment_id="13")
        store.record("hello there (edited)", "ham", source="wordpress", comment_id="12")
        # no id: the same text is the same comment
        store.record("same words", "spam", source="akismet")
        store.record("same words", "ham", source="akismet", verdict="spam")
        # the same id from another source is another comment
        store.record("x", "rant", source="api", comment_id="12")
        got = [(c.source, c.comment_id, c.text, c.correction) for c in store.corrections()]
    assert got == [
        ("wordpress", "13", "other", "praise"),
        ("wordpress", "12", "hello there (edited)", "ham"),
        ("akismet", None, "same words", "ham"),
        ("api", "12", "x", "rant"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"correction": "toxic"}, "unknown correction 'toxic'"),
        ({"correction": "spam", "source": "email"}, "unknown source 'email'"),
    ],
)
def test_bad_arguments_are_input_errors(tmp_path: Path, kwargs: dict[str, str], message: str) -> None:
    with FeedbackStore(tmp_path / "fb.sqlite3") as store, pytest.raises(InputError, match=message):
        store.record("text", **kwargs)  # type: ignore[arg-type]


def test_corrupt_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "notes.sqlite3"
    content = b"this is a text file, not a database\n" * 200
    db.write_bytes(content)
    with pytest.raises(InputError, match=r"notes\.sqlite3") as info:
        FeedbackStore(db)
    assert "not a commentcare feedback database" in str(info.value)
    assert db.read_bytes() == content


def test_foreign_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "app.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE users (id INTEGER, name TEXT)")
    con.execute("INSERT INTO users VALUES (1, 'dana')")
    con.commit()
    con.close()
    before = db.read_bytes()
    with pytest.raises(InputError, match=r"app\.db.*another program.*users"):
        FeedbackStore(db)
    assert db.read_bytes() == before


def test_newer_version_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    FeedbackStore(db).close()
    con = sqlite3.connect(db)
    con.execute("UPDATE commentcare_feedback_meta SET value = '9' WHERE key = 'version'")
    con.commit()
    con.close()
    with pytest.raises(InputError, match="version '9'"):
        FeedbackStore(db)


def test_default_path_is_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = default_feedback_path()
    if sys.platform.startswith("linux"):
        assert path == tmp_path / "data" / "commentcare" / "feedback.sqlite3"
    assert path.parent.is_dir()


_WRITER = textwrap.dedent(
    """
    import sys
    from commentcare.feedback import FeedbackStore
    path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with FeedbackStore(path) as store:
        print("ready", flush=True)
        for i in range(n):
            store.record(f"{tag} comment {i}", "spam" if i % 2 else "ham", source="cli")
            print(i, flush=True)  # acknowledged: committed before this line
    """
)


def test_concurrent_writers_in_other_processes(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    n = 150
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(db), tag, str(n)], stdout=subprocess.PIPE, text=True
        )
        for tag in ("a", "b")
    ]
    with FeedbackStore(db) as store:  # and this process writes at the same time
        for i in range(n):
            store.record(f"c comment {i}", "rant", source="api")
        for p in procs:
            out, _ = p.communicate(timeout=120)
            assert p.returncode == 0
            assert out.split()[-1] == str(n - 1)
        texts = {c.text for c in store.corrections()}
    assert len(texts) == 3 * n
    assert {f"{t} comment {i}" for t in "abc" for i in range(n)} == texts


def test_kill_9_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "fb.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db), "k", "100000"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    acknowledged = -1
    while acknowledged < 300:
        acknowledged = int(proc.stdout.readline())
    proc.send_signal(signal.SIGKILL)
    rest = proc.stdout.read().split()
    proc.stdout.close()
    proc.wait(timeout=30)
    if rest:
        acknowledged = int(rest[-1])
    with FeedbackStore(db) as store:
        kept = {c.text for c in store.corrections()}
        assert len(store) >= acknowledged + 1
    assert {f"k comment {i}" for i in range(acknowledged + 1)} <= kept
