from __future__ import annotations

from commentcare.model._text import MAX_FEATURE_CHARS, prepare


def test_links_are_extracted_and_replaced():
    p = prepare(
        'Nice! <a href="https://cheap-pills.biz/buy">pills</a> and www.deals.net', author_url="http://me.ru"
    )
    assert p.had_markup
    assert "cheap-pills.biz" in p.domains and "deals.net" in p.domains
    assert "xxurl" in p.text and "https" not in p.text
    assert p.author_url == "http://me.ru"


def test_obfuscated_links_and_contacts_are_found():
    p = prepare(
        "visit bestdeals dot com or h t t p s : / / x, mail me at jo.doe@mail.com, +1 555 123 4567, @promo"
    )
    assert p.obfuscated_links >= 2
    assert p.emails == 1 and p.phones == 1 and p.handles == 1
    assert not p.leading_mention
    lead = prepare("@dana @sam_k: you are right")
    assert lead.leading_mention and lead.handles == 0 and lead.text == "you are right"


def test_invisible_and_control_characters_are_removed():
    p = prepare("fr\u200bee\u00ad mo\x00ney\ufeff \uff26\uff52\uff45\uff45")
    assert p.text == "free money Free"


def test_long_text_is_truncated_for_features_only():
    p = prepare("word " * 100_000)
    assert len(p.text) <= MAX_FEATURE_CHARS
    assert p.original_length == 500_000


def test_markup_free_text_skips_the_html_parser():
    p = prepare("5 < 6 & 7 > 3")
    assert not p.had_markup and p.text == "5 < 6 & 7 > 3"


def test_formatting_markup_is_cleaned_but_only_rich_markup_counts():
    plain = prepare("Is that Charlie from Lost?<br />I think so &#39;really&#39;")
    assert "<br" not in plain.text and "'really'" in plain.text
    assert not plain.had_markup
    rich = prepare('Nice <a href="http://deals.biz">read</a>')
    assert rich.had_markup and rich.domains == ("deals.biz",)


# -- the batch fast paths against the plain per-comment definitions ---------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from commentcare.model._text import _soup_text, html_to_text, prepare_batch  # noqa: E402

_PIECES = st.sampled_from(
    [
        "@dana",
        " @sam_k:",
        "\t",
        "  ",
        "\r\n",
        "x@y.com",
        "www.a.com",
        "http://b.net/x",
        "dot com",
        "h t t p",
        "+1 555 123 4567",
        "<br />",
        "&amp;",
        "&#39;",
        "AT&T;",
        "<a href='http://c.org'>c</a>",
        "[url=http://d.ru]d[/url]",
        "\x00",
        "\u200b",
        "\uff26",
        "café",
        "\U0001f600",
        "don't",
        "!!",
        "\u3000@x",
        "@a.com hi",
        "e.g. foo.com5",
        ".COM",
        "WWW.X.NET",
        "word",
        " ",
        "\n",
        "5 < 6",
        "[.]",
    ]
)
_COMMENTS = st.lists(st.lists(_PIECES, max_size=8).map("".join), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(_COMMENTS)
def test_a_batch_is_prepared_as_each_comment_alone(texts: list[str]) -> None:
    batch = prepare_batch(texts)
    for i, text in enumerate(texts):
        assert batch.item(i) == prepare(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "&amp;",
                "&lt;",
                "&gt;",
                "&quot;",
                "&#39;",
                "&apos;",
                "&nbsp;",
                "&#65;",
                "&#32;",
                "a",
                " ",
                "\n",
                "é",
                ";",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_common_entities_are_read_as_the_html_parser_reads_them(text: str) -> None:
    assert html_to_text(text)[0] == _soup_text(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<br>",
                "<br/>",
                "<br />",
                "<BR>",
                "<br  />",
                "&amp;",
                "&#39;",
                "&nbsp;",
                "a",
                " ",
                "  ",
                "\n",
                "\t",
                "é",
                "x y",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_line_breaks_are_read_as_the_html_parser_reads_them(text: str) -> None:
    assert html_to_text(text)[0] == _soup_text(text)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "http://a.co/x",
                "HTTPS://B.NET",
                "www.",
                "WWW.c.org",
                "d.com",
                "e.co.uk",
                "f.comx",
                "g.c0m",
                ".com",
                "ftp://h",
                "x",
                " ",
                "\n",
                "-",
                ".",
                "/path",
                "a.b.c.io/q?x=1",
                "é.com",
                "(",
                '"',
                "1.5",
                "i.e.",
                "k.ru",
                "\t",
                "\u0131",
                "\xc9.COM",
                "\u2003",
            ]
        ),
        max_size=10,
    ).map("".join)
)
def test_links_are_found_as_the_full_pattern_finds_them(text: str) -> None:
    from commentcare.model._text import _FOLDS_ODDLY, _URL, _folds_oddly, _url_matches

    assert [m.span() for m in _url_matches(text)] == [m.span() for m in _URL.finditer(text)]
    assert _folds_oddly(text) == bool(_FOLDS_ODDLY.search(text))


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(
            [
                "a",
                " ",
                "\n",
                "\x00",
                "\x01",
                "\x0b",
                "\x1f",
                "\x7f",
                "\x85",
                "\xad",
                "\u200b",
                "\ufeff",
                "é",
                "\U0001f600",
                "\ud800",
            ]
        )
    )
)
def test_invisible_characters_are_detected_from_the_bytes(text: str) -> None:
    from commentcare.model._text import _INVISIBLE_RE, _has_invisible

    assert _has_invisible(text) == bool(_INVISIBLE_RE.search(text))


_AT_TEXT = st.lists(
    st.sampled_from(["@", "@@", "a", "Z9", "_", ".", "-", "+", " ", "\n", "é", "x.com", ".co.uk", "İ", "1"]),
    max_size=12,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_AT_TEXT)
def test_handles_are_found_as_the_look_behind_first_pattern_finds_them(text: str) -> None:
    import re

    from commentcare.model._text import _HANDLE

    plain = re.compile(r"(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.]{1,30}")  # the definition
    assert _HANDLE.subn("h", text) == plain.subn("h", text)


@settings(max_examples=400, deadline=None)
@given(_AT_TEXT)
def test_the_e_mail_hint_flags_every_comment_with_an_address(text: str) -> None:
    from commentcare.model._text import _EMAIL, _EMAIL_AT

    if _EMAIL.search(text):
        assert _EMAIL_AT.search(text)


def test_the_odd_folding_class_is_the_alternation_it_replaced() -> None:
    import re
    import sys

    from commentcare.model._text import _FOLDS_ODDLY

    plain = re.compile(r"[\u0130\u0131\u017f\u212a]|[^\S \n]")
    chars = (chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    assert [c for c in chars if _FOLDS_ODDLY.match(c)] == [
        c for c in map(chr, range(sys.maxunicode + 1)) if not 0xD800 <= ord(c) < 0xE000 and plain.match(c)
    ]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                [
                    "WWW.",
                    "www",
                    ".",
                    "Dot",
                    "dotä",
                    ".COMé",
                    ".co",
                    "m",
                    "h ",
                    "t",
                    "p",
                    "w ",
                    "\n",
                    " ",
                    "[",
                    "(",
                    "{",
                    ":/",
                    "/",
                    "é",
                    "\U0001f600",
                    "\u0130",
                    "\u212a",
                    "\u3000",
                    "\xa0",
                    ".u",
                ]
            ),
            max_size=10,
        ).map("".join),
        min_size=1,
        max_size=6,
    )
)
def test_the_hints_flag_every_comment_their_patterns_find(docs: list[str]) -> None:
    import numpy as np

    from commentcare.model._text import _DOT_WORD, _HINTS, _TLD_SET, _hint_hits, _join

    big = _join(docs)
    utf8 = big.encode("utf-8", "surrogatepass")
    nuls = np.flatnonzero(np.frombuffer(utf8, dtype=np.uint8) == 0)
    non_ascii = "".join(c for c in big if not c.isascii())
    flagged = {(kind, i) for kind, hits in _hint_hits(big, utf8, nuls, non_ascii) for i in hits}
    for i, doc in enumerate(docs):
        low = doc.lower()
        for kind, patterns in _HINTS.items():
            if any(p in low if isinstance(p, str) else p.search(low) for p in patterns):
                assert (kind, i) in flagged
        if any(m.group(1) in _TLD_SET for m in _DOT_WORD.finditer(low)):
            assert ("url", i) in flagged
