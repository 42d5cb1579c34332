"""The readers: the shipped examples, malformed and hostile input, and the record protocol.

Every reader must yield, for each record, either a Comment or an InputError that names the file
and the record, and must never raise for bad input: a broken export is reported, not crashed on.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import time
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.io import Format, iter_records, read_comments
from commentcare.io._formats import Record

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WP = "http://wordpress.org/export/1.2/"


def check_protocol(
    records: Iterable[Record], source: str | None = None
) -> tuple[list[Comment], list[InputError]]:
    """Every record is a Comment or an InputError with source and record set; split them."""
    comments: list[Comment] = []
    errors: list[InputError] = []
    for rec in records:
        if isinstance(rec, InputError):
            assert rec.source, rec
            assert rec.record is not None, rec
            if source is not None:
                assert rec.source == source
                assert str(rec).startswith(source)
            errors.append(rec)
        else:
            assert isinstance(rec, Comment), rec
            assert rec.source
            assert rec.text.strip()
            if rec.created_at is not None:
                assert rec.created_at.utcoffset() is not None
            comments.append(rec)
    return comments, errors


def read(data: bytes, fmt: str, name: str = "input") -> tuple[list[Comment], list[InputError]]:
    fh = io.BytesIO(data)
    fh.name = name  # type: ignore[attr-defined]
    return check_protocol(iter_records(fh, fmt), name)


def wxr(comments: Iterable[str], *, ns: str = WP, doctype: str = "", title: str = "A post") -> bytes:
    body = "\n".join(comments)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}'
        f'<rss version="2.0" xmlns:wp="{ns}">\n<channel>\n<title>Blog</title>\n'
        f"<item>\n<title>{title}</title>\n<link>https://blog.example/p/</link>\n<wp:post_id>7</wp:post_id>\n"
        f"{body}\n</item>\n</channel>\n</rss>\n"
    ).encode()


def wp_comment(
    cid: int,
    text: str,
    *,
    ctype: str = "comment",
    parent: int = 0,
    approved: str = "1",
    gmt: str = "2025-01-02 03:04:05",
) -> str:
    return (
        f"<wp:comment>\n<wp:comment_id>{cid}</wp:comment_id>\n<wp:comment_author>Reader {cid}</wp:comment_author>\n"
        f"<wp:comment_date>2025-01-02 04:04:05</wp:comment_date>\n<wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>\n"
        f"<wp:comment_content><![CDATA[{text}]]></wp:comment_content>\n"
        f"<wp:comment_approved>{approved}</wp:comment_approved>\n<wp:comment_type>{ctype}</wp:comment_type>\n"
        f"<wp:comment_parent>{parent}</wp:comment_parent>\n</wp:comment>"
    )


def disqus(posts: Iterable[str], doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<thread dsq:id="1"><link>https://site.example/a</link><title>Page A</title></thread>\n'
        + "\n".join(posts)
        + "\n</disqus>\n"
    ).encode()


def dsq_post(
    pid: int, message: str, *, spam: str = "false", deleted: str = "false", parent: int | None = None
) -> str:
    par = f'<parent dsq:id="{parent}"/>' if parent else ""
    return (
        f'<post dsq:id="{pid}"><id/><message><![CDATA[{message}]]></message>'
        f"<createdAt>2025-02-03T04:05:06Z</createdAt><isDeleted>{deleted}</isDeleted><isSpam>{spam}</isSpam>"
        f"<author><name>User {pid}</name><isAnonymous>false</isAnonymous><username>user{pid}</username></author>"
        f'<thread dsq:id="1"/>{par}</post>'
    )


# -- the shipped examples -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt", "count"),
    [
        ("comments.csv", Format.CSV, 16),
        ("comments.jsonl", Format.JSONL, 17),
        ("wordpress-export.xml", Format.WXR, 17),  # 18 <wp:comment>, one of them a pingback
        ("disqus-export.xml", Format.DISQUS, 17),
    ],
)
def test_examples_read_cleanly(name: str, fmt: Format, count: int) -> None:
    path = EXAMPLES / name
    from commentcare.io import detect_format

    assert detect_format(path) is fmt
    comments, errors = check_protocol(iter_records(path), str(path))
    assert errors == []
    assert len(comments) == count
    assert all(c.source == str(path) for c in comments)
    assert len({c.id for c in comments}) == count
    assert all(c.author and c.created_at and c.post_title for c in comments)


def test_wxr_example_fields() -> None:
    comments = list(read_comments(EXAMPLES / "wordpress-export.xml"))
    by_id = {c.id: c for c in comments}
    assert "310" not in by_id  # the pingback
    first = by_id["301"]
    assert first.author == "Fiona MacLeod"
    assert first.author_email == "fiona.macleod@example.co.uk"
    assert first.author_ip == "203.0.113.14"
    assert first.created_at is not None and first.created_at.isoformat() == "2025-04-02T08:12:00+00:00"
    assert first.post_id == "41"
    assert first.post_title == "Packing list: the West Highland Way in seven days"
    assert first.post_url == "https://ridgeline.example/journal/west-highland-way-packing-list/"
    assert first.parent_id is None
    assert first.status == "approved"
    assert by_id["303"].parent_id == "302"
    # 303 and 315 are written by user 1, one of the export's authors: the site's own voice
    assert {c.id for c in comments if c.staff} == {"303", "315"}
    assert by_id["304"].parent_id == "303"  # a reply to a reply
    assert by_id["305"].status == "spam"
    assert "<a href=" in by_id["305"].text  # markup kept: its links are spam signals
    assert by_id["306"].status == "hold"
    # comment_date_gmt "0000-00-00 00:00:00" falls back to comment_date
    assert by_id["313"].created_at is not None and by_id["313"].created_at.isoformat().startswith(
        "2025-04-16T10:02"
    )
    assert by_id["311"].post_title == "We tested nine rain jackets in a Scottish winter"


def test_disqus_example_fields() -> None:
    comments = list(read_comments(EXAMPLES / "disqus-export.xml"))
    by_id = {c.id: c for c in comments}
    c = by_id["4410002"]
    assert c.post_id == "7730011"
    assert c.post_title == "No-dig beds: our first full season"
    assert c.post_url == "https://greenrow.example/blog/no-dig-beds"
    assert c.author == "Mike Dunmore" and c.author_email == "mike.dunmore@example.com"
    assert c.author_ip == "203.0.113.45"
    assert c.created_at is not None and c.created_at.isoformat() == "2025-06-02T11:30:00+00:00"
    assert c.status == "approved"
    assert dict(c.extra) == {"is_spam": "false", "is_deleted": "false", "username": "mikedunmore"}
    assert by_id["4410004"].parent_id == "4410002"
    assert by_id["4410003"].status == "spam" and by_id["4410003"].extra["is_spam"] == "true"
    assert by_id["4410012"].status == "spam" and by_id["4410012"].extra["is_deleted"] == "true"
    assert by_id["4410013"].post_title == "The seed subscription box, explained"
    assert all(set(x.extra) == {"is_spam", "is_deleted", "username"} for x in comments)


# -- WXR ------------------------------------------------------------------------------------------------


def test_wxr_record_numbers_name_comment_and_line() -> None:
    data = wxr([wp_comment(1, "Fine post."), wp_comment(2, "   "), wp_comment(3, "Thanks!")])
    comments, errors = read(data, "wxr", "site.xml")
    assert [c.id for c in comments] == ["1", "3"]
    assert len(errors) == 1
    line = next(i for i, ln in enumerate(data.decode().splitlines(), 1) if "<wp:comment_id>2<" in ln) - 1
    assert errors[0].record == f"comment 2, line {line}"
    assert str(errors[0]) == f"site.xml:comment 2, line {line}: empty comment content"


def test_wxr_skips_pingbacks_and_trackbacks() -> None:
    data = wxr(
        [
            wp_comment(1, "[...] linked [...]", ctype="pingback"),
            wp_comment(2, "[...]", ctype="trackback"),
            wp_comment(3, "Real comment", ctype=""),
            wp_comment(4, "Also real"),
        ]
    )
    comments, errors = read(data, "wxr")
    assert [c.id for c in comments] == ["3", "4"] and errors == []


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_wxr_versions(version: str) -> None:
    data = wxr([wp_comment(5, "Hello", approved="0", parent=4)], ns=f"http://wordpress.org/export/{version}/")
    [c], errors = read(data, "wxr")
    assert errors == []
    assert (c.id, c.status, c.parent_id, c.post_id, c.post_title) == ("5", "hold", "4", "7", "A post")
    assert c.post_url == "https://blog.example/p/"


def test_wxr_bad_date_is_a_record_error() -> None:
    data = wxr([wp_comment(1, "ok", gmt="yesterday-ish"), wp_comment(2, "ok too")])
    comments, errors = read(data, "wxr")
    assert [c.id for c in comments] == ["2"] and len(errors) == 1 and "not a date" in errors[0].reason


def test_wxr_not_an_rss_root() -> None:
    comments, errors = read(b"<?xml version='1.0'?><html><body>hi</body></html>", "wxr")
    assert comments == [] and len(errors) == 1 and "not a WordPress export" in errors[0].reason


def test_xml_readers_stream_from_a_non_seekable_pipe() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.buf = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b):  # type: ignore[no-untyped-def]
            chunk = self.buf.read(min(len(b), 1000))
            b[: len(chunk)] = chunk
            return len(chunk)

    data = wxr([wp_comment(i, f"comment number {i}") for i in range(1, 301)])
    comments = list(read_comments(Pipe(data), "wxr"))  # type: ignore[arg-type]
    assert len(comments) == 300 and comments[-1].id == "300"


# -- Disqus ----------------------------------------------------------------------------------------------


def test_disqus_posts_and_errors() -> None:
    data = disqus(
        [
            dsq_post(10, "<p>Great read</p>"),
            dsq_post(11, "  "),
            dsq_post(12, "<p>Hm</p>", deleted="true", parent=10),
            '<post dsq:id="13"><message>orphan</message><thread dsq:id="999"/></post>',
        ]
    )
    comments, errors = read(data, "disqus", "d.xml")
    assert [c.id for c in comments] == ["10", "12", "13"]
    assert comments[0].post_title == "Page A" and comments[0].post_url == "https://site.example/a"
    assert comments[1].status == "deleted" and comments[1].parent_id == "10"
    assert comments[2].post_title is None and comments[2].post_id == "999"
    assert len(errors) == 1 and re.fullmatch(r"post 2, line \d+", str(errors[0].record))


# -- hostile and broken XML ----------------------------------------------------------------------------

BILLION_LAUGHS = """<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""
XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
EXTERNAL_DTD = '<!DOCTYPE rss SYSTEM "http://attacker.invalid/evil.dtd">\n'


def _hostile(fmt: str, doctype: str, payload: str) -> bytes:
    if fmt == "wxr":
        return wxr(
            [wp_comment(1, "ok"), wp_comment(2, "x").replace("<![CDATA[x]]>", payload)], doctype=doctype
        )
    return disqus([dsq_post(1, "ok"), dsq_post(2, "x").replace("<![CDATA[x]]>", payload)], doctype=doctype)


@pytest.mark.parametrize("fmt", ["wxr", "disqus"])
@pytest.mark.parametrize(
    ("doctype", "payload"),
    [(BILLION_LAUGHS, "&lol9;"), (XXE, "&xxe;"), (EXTERNAL_DTD, "y")],
    ids=["billion-laughs", "external-entity", "external-dtd"],
)
def test_dtds_and_entities_are_refused_quickly(fmt: str, doctype: str, payload: str) -> None:
    started = time.perf_counter()
    comments, errors = read(_hostile(fmt, doctype, payload), fmt, "evil.xml")
    assert time.perf_counter() - started < 1.0
    assert comments == []
    assert len(errors) == 1
    assert errors[0].record == "line 2"
    assert "refused" in errors[0].reason
    assert "root:" not in str(errors[0])  # nothing of /etc/passwd leaked into the message


@pytest.mark.parametrize("fmt", ["wxr", "disqus"])
def test_truncated_xml_yields_every_complete_comment_then_one_error(fmt: str) -> None:
    if fmt == "wxr":
        data = wxr([wp_comment(i, f"Comment {i} text") for i in range(1, 21)])
        cut = data.index(b"<wp:comment_id>15<")
    else:
        data = disqus([dsq_post(i, f"Post {i} text") for i in range(1, 21)])
        cut = data.index(b'<post dsq:id="15"')
    data = data[: cut + 40]
    comments, errors = read(data, fmt, "cut.xml")
    assert [c.id for c in comments] == [str(i) for i in range(1, 15)]
    assert len(errors) == 1
    last_line = data.count(b"\n") + 1
    assert errors[0].record == f"line {last_line}"
    assert "malformed XML" in errors[0].reason and "after 14" in errors[0].reason


@pytest.mark.parametrize("fmt", ["wxr", "disqus"])
def test_invalid_utf8_in_xml_names_the_line(fmt: str) -> None:
    data = (
        wxr([wp_comment(1, "fine"), wp_comment(2, "cafe")])
        if fmt == "wxr"
        else disqus([dsq_post(1, "fine"), dsq_post(2, "cafe")])
    )
    data = data.replace(b"cafe", b"caf\xe9")
    assert b"caf\xe9" in data
    bad_line = data[: data.index(b"caf\xe9")].count(b"\n") + 1
    comments, errors = read(data, fmt)
    assert [c.id for c in comments] == ["1"]
    assert len(errors) == 1 and errors[0].record == f"line {bad_line}"


@pytest.mark.parametrize("fmt", ["wxr", "disqus"])
def test_nul_byte_in_xml(fmt: str) -> None:
    data = wxr([wp_comment(1, "a\x00b")]) if fmt == "wxr" else disqus([dsq_post(1, "a\x00b")])
    comments, errors = read(data, fmt)
    assert comments == [] and len(errors) == 1


@pytest.mark.parametrize("fmt", ["wxr", "disqus"])
@pytest.mark.parametrize("encoding", ["TF-8", "utf-16", "ebcdic-xyz"])
def test_xml_declaring_a_wrong_encoding(fmt: str, encoding: str) -> None:
    data = wxr([wp_comment(1, "a")]) if fmt == "wxr" else disqus([dsq_post(1, "a")])
    comments, errors = read(
        data.replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode()).replace(
            b'encoding="utf-8"', f'encoding="{encoding}"'.encode()
        ),
        fmt,
    )
    assert comments == [] and len(errors) == 1 and errors[0].record == "line 1"


@pytest.mark.parametrize(("fmt", "expected_errors"), [("csv", 0), ("jsonl", 0), ("wxr", 1), ("disqus", 1)])
@pytest.mark.parametrize("data", [b"", b"\n\n  \n"], ids=["empty", "blank"])
def test_empty_file(fmt: str, expected_errors: int, data: bytes) -> None:
    comments, errors = read(data, fmt, "empty")
    assert comments == []
    assert len(errors) == expected_errors
    if errors:
        assert "empty" in errors[0].reason


# -- CSV and JSONL ----------------------------------------------------------------------------------------


def test_csv_ragged_rows_and_counts() -> None:
    data = b"id,text,author\n1,Good post,Ann\n2,Too,many,fields,here\n3\n4,Last one,Bo\n"
    comments, errors = read(data, "csv", "r.csv")
    assert [c.id for c in comments] == ["1", "4"]
    assert [e.record for e in errors] == [3, 4]
    assert all("ragged row" in e.reason for e in errors)
    assert len(comments) + len(errors) == 4


def test_csv_nul_bytes_reject_only_that_record() -> None:
    data = b"id,text\n1,fine\n2,bad\x00byte\n3,fine again\n"
    comments, errors = read(data, "csv")
    assert [c.id for c in comments] == ["1", "3"]
    assert [(e.record, e.reason) for e in errors] == [(3, "NUL bytes in the record")]


def test_csv_invalid_utf8_rejects_only_that_record() -> None:
    data = b"id,text\n1,fine\n2,caf\xe9 au lait\n3,fine again\n"
    comments, errors = read(data, "csv")
    assert [c.id for c in comments] == ["1", "3"]
    assert len(errors) == 1 and errors[0].record == 3 and "UTF-8" in errors[0].reason


def test_csv_missing_text_column() -> None:
    comments, errors = read(b"id,author\n1,Ann\n2,Bo\n", "csv", "x.csv")
    assert comments == [] and len(errors) == 1
    assert errors[0].record == 1 and "no text column" in errors[0].reason


def test_csv_multiline_quoted_field_keeps_line_numbers() -> None:
    data = b'id,text\n1,"two\nlines"\n2,"three\nlines\nhere"\n3,x\n4,"too","many"\n'
    comments, errors = read(data, "csv")
    assert [c.text for c in comments] == ["two\nlines", "three\nlines\nhere", "x"]
    assert [e.record for e in errors] == [8]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "wxr"])
def test_a_ten_megabyte_comment(fmt: str) -> None:
    big = "word " * (2 * 1024 * 1024)  # 10 MiB
    if fmt == "csv":
        data = ("id,text\n1,short\n2," + big + "\n3,after\n").encode()
    elif fmt == "jsonl":
        data = "\n".join(
            json.dumps({"id": str(i), "text": t}) for i, t in ((1, "short"), (2, big), (3, "after"))
        ).encode()
    else:
        data = wxr([wp_comment(1, "short"), wp_comment(2, big), wp_comment(3, "after")])
    comments, errors = read(data, fmt)
    assert errors == []
    assert [len(c.text) for c in comments] == [5, len(big), 5]


@pytest.mark.parametrize(
    "line", ["[1, 2]", '"just a string"', "42", "null", "{not json", '{"text": 5}', '{"author": "x"}']
)
def test_jsonl_bad_lines_are_reported_and_reading_goes_on(line: str) -> None:
    data = f'{{"text": "first"}}\n{line}\n{{"text": "third"}}\n'.encode()
    comments, errors = read(data, "jsonl")
    assert [c.text for c in comments] == ["first", "third"]
    assert len(errors) == 1 and errors[0].record == 2


def test_jsonl_invalid_utf8_and_nul() -> None:
    data = b'{"text": "ok"}\n{"text": "caf\xe9"}\n{"text": "a\x00b"}\n{"text": "ok"}\n'
    comments, errors = read(data, "jsonl")
    assert len(comments) == 2 and [e.record for e in errors] == [2, 3]


def test_read_comments_raises_or_reports() -> None:
    data = b"id,text\n1,fine\n2,a,b\n3,fine\n"
    with pytest.raises(InputError, match="ragged"):
        list(read_comments(io.BytesIO(data), "csv"))
    seen: list[InputError] = []
    assert len(list(read_comments(io.BytesIO(data), "csv", on_error=seen.append))) == 2
    assert len(seen) == 1


def test_example_csv_is_what_the_csv_module_reads() -> None:
    with open(EXAMPLES / "comments.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    comments = list(read_comments(EXAMPLES / "comments.csv"))
    assert [c.text for c in comments] == [r["text"] for r in rows]


# -- properties: nothing but InputError ever escapes -----------------------------------------------------

VALID = {
    "csv": (EXAMPLES / "comments.csv").read_bytes(),
    "jsonl": (EXAMPLES / "comments.jsonl").read_bytes(),
    "wxr": wxr([wp_comment(i, f"Comment {i} <b>bold</b> &amp; more", parent=i - 1) for i in range(1, 6)]),
    "disqus": disqus([dsq_post(i, f"<p>Post {i}</p>") for i in range(1, 6)]),
}


def _drain(data: bytes, fmt: str) -> None:
    with contextlib.suppress(InputError):
        check_protocol(iter_records(io.BytesIO(data), fmt))


@st.composite
def mutated(draw: st.DrawFn, fmt: str) -> bytes:
    data = bytearray(VALID[fmt])
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "dup"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[pos:pos] = (
                draw(st.binary(min_size=1, max_size=16))
                if draw(st.booleans())
                else draw(
                    st.sampled_from(
                        [b"\x00", b'"', b",", b"\n", b"<", b"]]>", b"&", b"{", b"\xff\xfe", b"<!DOCTYPE x>"]
                    )
                )
            )
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif kind == "truncate":
            del data[pos:]
        else:
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 200))]
    return bytes(data)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=st.binary(max_size=2048), fmt=st.sampled_from(["csv", "jsonl", "wxr", "disqus"]))
def test_random_bytes_never_raise_anything_else(data: bytes, fmt: str) -> None:
    _drain(data, fmt)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "wxr", "disqus"])
@SETTINGS
@given(data=st.data())
def test_mutated_exports_never_raise_anything_else(fmt: str, data: st.DataObject) -> None:
    _drain(data.draw(mutated(fmt)), fmt)


@SETTINGS
@given(texts=st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=8))
def test_csv_round_trip_counts_add_up(texts: list[str]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)  # "\r\n": with a bare "\n" terminator the writer leaves a lone "\r" unquoted
    w.writerow(["id", "text"])
    for i, t in enumerate(texts):
        w.writerow([str(i), t])
    comments, errors = read(buf.getvalue().encode("utf-8", "surrogatepass"), "csv")
    # Every record is read back exactly or reported (blank or NUL-carrying texts); none is lost.
    assert len(comments) + len(errors) == len(texts)
    for c in comments:
        assert c.text == texts[int(str(c.id))]
