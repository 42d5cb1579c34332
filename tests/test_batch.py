"""The batch job: every comment accounted for, atomic outputs, safe resuming, workers agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commentcare import InputError, Moderator
from commentcare.io._batch import CHUNK, classify_file

TEXTS = [
    "Thanks so much, this guide saved my weekend!",
    "Cheap replica watches at watches-outlet.biz, visit now",
    "My parcel #{n} never arrived and nobody answers my e-mails",
    "You people are clueless, worst blog ever",
]


def write_jsonl(path: Path, n: int, bad_every: int = 0) -> int:
    """n records, every bad_every-th one broken; returns how many are good."""
    good = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            if bad_every and i % bad_every == bad_every - 1:
                fh.write('{"text": \n')
                continue
            fh.write(json.dumps({"id": f"c{i}", "text": TEXTS[i % 4].format(n=i)}) + "\n")
            good += 1
    return good


class InterruptError(Exception):
    pass


def test_every_record_is_a_row_or_an_error(tmp_path: Path) -> None:
    src, out, errs = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "err.jsonl"
    good = write_jsonl(src, 3000, bad_every=7)
    s = classify_file(src, out, errors=errs)
    rows = out.read_text(encoding="utf-8").splitlines()
    err_rows = [json.loads(x) for x in errs.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == good == s.classified
    assert len(err_rows) == 3000 - good == s.errors
    assert s.total == 3000
    assert all(e["source"].endswith("in.jsonl") and isinstance(e["record"], int) for e in err_rows)


def test_an_interrupted_run_resumes_to_exactly_one_row_per_comment(tmp_path: Path) -> None:
    src, out, errs = tmp_path / "in.jsonl", tmp_path / "out.csv", tmp_path / "err.jsonl"
    n = CHUNK * 3 + 123
    good = write_jsonl(src, n, bad_every=500)
    calls = 0

    def crash(_: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            # Simulate a crash mid-run: some rows of the next chunk may already be flushed.
            raise InterruptError

    with pytest.raises(InterruptError):
        classify_file(src, out, errors=errs, on_progress=crash)
    assert not out.exists()  # nothing that looks complete
    assert Path(str(out) + ".partial").exists()
    with open(str(out) + ".partial", "ab") as fh:  # a torn last line, as a crash can leave
        fh.write(b"c99999,praise,0.9")
    s = classify_file(src, out, errors=errs, resume=True)
    assert s.resumed_from == 2 * CHUNK
    import csv

    with open(out, encoding="utf-8", newline="") as fh:
        ids = [r["id"] for r in csv.DictReader(fh)]
    expected = [f"c{i}" for i in range(n) if i % 500 != 499]
    assert ids == expected
    assert len(ids) == good == s.classified
    assert len(errs.read_text(encoding="utf-8").splitlines()) == n - good == s.errors
    assert not Path(str(out) + ".partial").exists()
    assert not Path(str(out) + ".state.json").exists()


def test_resume_without_a_saved_state_starts_over(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(src, 10)
    s = classify_file(src, out, resume=True)
    assert s.classified == 10 and s.resumed_from == 0


def test_a_bad_record_without_an_errors_file_stops_and_leaves_no_output(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(src, 20, bad_every=5)
    with pytest.raises(InputError) as info:
        classify_file(src, out)
    assert "in.jsonl:5" in str(info.value)
    assert not out.exists()


def test_workers_give_the_same_rows_as_one_process(tmp_path: Path, moderator: Moderator) -> None:
    src = tmp_path / "in.jsonl"
    write_jsonl(src, CHUNK + 500)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    classify_file(src, one, replies=True)
    classify_file(src, two, replies=True, workers=2)
    a = [json.loads(x) for x in one.read_text(encoding="utf-8").splitlines()]
    b = [json.loads(x) for x in two.read_text(encoding="utf-8").splitlines()]
    for r in a + b:
        r.pop("respond_by")  # comments without a time are answered "from now"
    assert a == b
