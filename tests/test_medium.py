"""Medium: the export (zip and folder), saved story pages, feeds, the worksheet and the command.

The fixtures are written here, after the documented structures: the export's ``posts/*.html``
h-entry files, Medium's story page with its response cards (today's and the older layout), RSS
and Atom. No test touches the network: feeds are served by a fake transport adapter.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import shutil
import struct
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.adapters import BaseAdapter

from commentcare import AdapterError, Comment, InputError, SiteUnavailableError
from commentcare._types import Action, Classification, Label, Reply, Review
from commentcare.adapters import medium as adapter
from commentcare.adapters.medium import _archive as reader
from commentcare.adapters.medium import _feed as feed_module
from commentcare.cli_medium import main as medium_main
from commentcare.io import Format, detect_format, iter_records, read_comments

ROOT = Path(__file__).resolve().parents[1]
EXPORT = ROOT / "examples" / "medium-export"
SAVED = ROOT / "examples" / "medium-story-saved.html"
EXPORT_RESPONSES = {"b3c4d5e6f708", "c4d5e6f7a819", "d5e6f7a8b92a", "e6f7a8b9c0d1"}


# -- fixture builders ---------------------------------------------------------------------------------


def export_post(
    title: str,
    body: str,
    *,
    pid: str = "0a1b2c3d4e5f",
    subtitle: str | None = None,
    published: str | None = "2024-02-03T04:05:06.789Z",
    header: str = "",
    slug: str = "a-post",
) -> str:
    """One ``posts/*.html`` file as Medium's export writes it."""
    sub = f'<section data-field="subtitle" class="p-summary">{subtitle}</section>' if subtitle else ""
    when = (
        f'on <a href="https://medium.com/p/{pid}"><time class="dt-published" datetime="{published}">'
        "February 3, 2024</time></a>"
        if published
        else ""
    )
    return (
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f'<title>{title}</title></head><body><article class="h-entry"><header><h1 class="p-name">{title}</h1>'
        f'{header}</header>{sub}<section data-field="body" class="e-content"><section class="section section--body">'
        f'<div class="section-content"><div class="section-inner sectionLayout--insetColumn">{body}</div></div>'
        '</section></section><footer><p>By <a href="https://medium.com/@sam" class="p-author h-card">Sam Writer</a> '
        f'{when}.</p><p><a href="https://medium.com/@sam/{slug}-{pid}" class="p-canonical">Canonical link</a></p>'
        '<p>Exported from <a href="https://medium.com">Medium</a> on March 1, 2024.</p></footer></article>'
        "</body></html>"
    )


def p(text: str) -> str:
    return f'<p class="graf graf--p">{text}</p>'


def write_export(root: Path, posts: dict[str, str]) -> Path:
    (root / "posts").mkdir(parents=True, exist_ok=True)
    for name, html in posts.items():
        (root / "posts" / name).write_text(html, encoding="utf-8")
    return root


def zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(folder).as_posix())
    return target


def records(source: Any, fmt: str | None = None) -> tuple[list[Comment], list[InputError]]:
    got = list(iter_records(source, fmt))
    assert all(isinstance(r, (Comment, InputError)) for r in got)
    return [r for r in got if isinstance(r, Comment)], [r for r in got if isinstance(r, InputError)]


STORY_ID = "9a8b7c6d5e4f"


def card(n: int, user: str, name: str, slug: str, date: str, text: str, *, inner: str = "") -> str:
    """A response card of today's story page: avatar, name, date link, the words in <pre>."""
    src = f"source=post_page---post_responses--{STORY_ID}----{n}-----------------------------------"
    return (
        f'<div class="x{n}"><div class="h"><a href="https://medium.com/@{user}?{src}"><img alt="{name}"></a>'
        f'<a href="/@{user}?{src}"><p class="bf">{name}</p></a>'
        f'<a href="https://medium.com/@{user}/{slug}?{src}"><p class="bf">{date}</p></a></div>'
        f'<div class="t"><pre class="kd">{text}</pre></div>{inner}<button>Reply</button></div>'
    )


def story_page(cards: str, *, heading: str = "Responses (2)", extra_head: str = "") -> str:
    return (
        '<!DOCTYPE html><html><head><meta property="og:site_name" content="Medium">'
        f'<link rel="canonical" href="https://medium.com/@sam/on-kettles-{STORY_ID}">{extra_head}'
        "<title>On Kettles | by Sam Writer | Medium</title></head><body><article>"
        '<h1 data-testid="storyTitle">On Kettles</h1>'
        '<a data-testid="authorName" href="https://medium.com/@sam?source=post_page---byline">Sam Writer</a>'
        "<p>Kettles are underrated.</p><pre>kettle --boil</pre></article>"
        f"<div><h2>{heading}</h2>{cards}</div></body></html>"
    )


# -- the export --------------------------------------------------------------------------------------------


def test_example_export_yields_only_the_responses() -> None:
    comments, errors = records(EXPORT)
    assert errors == []
    assert {c.id for c in comments} == EXPORT_RESPONSES
    for c in comments:
        assert c.extra["kind"] == "response"
        assert c.extra["url"].startswith("https://medium.com/@rowanvale/")
        assert c.extra["file"].startswith("posts/")
        assert c.author == "Rowan Vale"
        assert c.author_url is None  # a Medium profile is not a website the commenter gave
        assert c.extra["author_profile"] == "https://medium.com/@rowanvale"
        assert c.created_at is not None and c.created_at.tzinfo is not None
        assert c.source == str(EXPORT)
    complaint = next(c for c in comments if c.id == "c4d5e6f7a819")
    assert "order 20417" in complaint.text
    assert "\n\n" in complaint.text  # two paragraphs stay two paragraphs


@pytest.mark.parametrize("prefix", ["", "medium-export-2024/"])
def test_zip_reads_like_the_folder(tmp_path: Path, prefix: str) -> None:
    archive = zip_folder(EXPORT, tmp_path / "medium-export.zip", prefix)
    assert detect_format(str(archive)) is Format.MEDIUM_ARCHIVE
    from_zip, errors = records(str(archive))
    from_folder, _ = records(EXPORT)
    assert errors == []
    assert [(c.id, c.text, c.created_at) for c in from_zip] == [
        (c.id, c.text, c.created_at) for c in from_folder
    ]


def test_zip_from_a_stream_and_the_posts_folder_itself(tmp_path: Path) -> None:
    data = zip_folder(EXPORT, tmp_path / "x.zip").read_bytes()
    comments = list(read_comments(io.BytesIO(data), "medium-archive"))
    assert {c.id for c in comments} == EXPORT_RESPONSES
    assert {c.id for c in read_comments(EXPORT / "posts")} == EXPORT_RESPONSES


def test_stories_drafts_and_responses_are_told_apart(tmp_path: Path) -> None:
    story = export_post(
        "On Kettles",
        '<h3 class="graf graf--h3 graf--title">On Kettles</h3>' + p("Kettles are underrated.") * 3,
        pid="9a8b7c6d5e4f",
        subtitle="A short defence",
    )
    poem = export_post(
        "oh, right",
        p("<strong>oh, right</strong>") + p("it’s early evening<br>i’m at my desk") + p("oh, right"),
        pid="70c5683f3778",
    )
    long_untitled = export_post(
        "Notes", "".join(p(f"Paragraph {i} " + "word " * 40) for i in range(8)), pid="aa11bb22cc33"
    )
    one_liner = export_post("Great piece, thanks!", p("Great piece, thanks!"), pid="dd44ee55ff66")
    reply = export_post(
        "Agreed, and the spout matters too.",
        p("Agreed, and the spout matters too.") + p("Mine drips every time."),
        pid="112233445566",
        header=f'<a class="u-in-reply-to" href="https://medium.com/@sam/on-kettles-{STORY_ID}?source=x">On Kettles</a>',
    )
    bare_reply = export_post(
        "A follow-up",
        p("A follow-up question about descaling."),
        pid="778899aabbcc",
        header=f'<a class="u-in-reply-to" href="https://medium.com/p/{STORY_ID}">https://medium.com/p/{STORY_ID}</a>',
    )
    draft = export_post("Half an idea", p("Half an idea."), pid="0f0e0d0c0b0a", published=None)
    folder = write_export(
        tmp_path / "export",
        {
            "2024-01-01_On-Kettles-9a8b7c6d5e4f.html": story,
            "2015-02-05_oh--right-70c5683f3778.html": poem,
            "2024-01-02_Notes-aa11bb22cc33.html": long_untitled,
            "2024-01-03_Great-piece--thanks--dd44ee55ff66.html": one_liner,
            "2024-01-04_Agreed-112233445566.html": reply,
            "2024-01-05_A-follow-up-778899aabbcc.html": bare_reply,
            "draft_Half-an-idea-0f0e0d0c0b0a.html": draft,
        },
    )
    comments, errors = records(folder)
    assert errors == []
    by_id = {c.id: c for c in comments}
    assert set(by_id) == {"dd44ee55ff66", "112233445566", "778899aabbcc"}
    assert by_id["dd44ee55ff66"].extra["kind_basis"] == "short and untitled"
    answered = by_id["112233445566"]
    assert answered.extra["kind_basis"] == "in-reply-to link"
    assert answered.post_url == f"https://medium.com/@sam/on-kettles-{STORY_ID}"  # tracking query dropped
    assert answered.post_id == STORY_ID
    assert answered.post_title == "On Kettles"
    assert answered.text == "Agreed, and the spout matters too.\n\nMine drips every time."
    # the link text is a bare URL: the title comes from the story found in the same archive
    assert by_id["778899aabbcc"].post_title == "On Kettles"
    assert by_id["778899aabbcc"].post_id == STORY_ID


def test_a_file_without_h_entry_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = write_export(
        tmp_path / "export",
        {
            "2024-01-01_fine-dd44ee55ff66.html": export_post(
                "Fine, thanks", p("Fine, thanks."), pid="dd44ee55ff66"
            ),
            "2024-01-02_broken-123412341234.html": "<html><body><p>Nothing Medium about it</p></body></html>",
            "2024-01-03_no-body-abcdefabcdef.html": '<article class="h-entry"><h1 class="p-name">x</h1></article>',
            "2024-01-04_empty-aaaaaaaaaaa1.html": export_post("Empty", "<p> </p>", pid="aaaaaaaaaaa1"),
        },
    )
    comments, errors = records(folder)
    assert [c.id for c in comments] == ["dd44ee55ff66"]
    messages = {e.record: e.reason for e in errors}
    assert "no h-entry" in messages["posts/2024-01-02_broken-123412341234.html"]
    assert "no e-content" in messages["posts/2024-01-03_no-body-abcdefabcdef.html"]
    assert "no text" in messages["posts/2024-01-04_empty-aaaaaaaaaaa1.html"]
    for e in errors:
        assert e.source == str(folder)
        assert str(folder) in str(e) and str(e.record) in str(e)
    with pytest.raises(InputError, match="no h-entry"):
        list(read_comments(folder))


def test_empty_posts_folder_and_a_folder_without_posts(tmp_path: Path) -> None:
    (tmp_path / "empty" / "posts").mkdir(parents=True)
    (tmp_path / "empty" / "posts" / "notes.txt").write_text("not a post", encoding="utf-8")
    _, errors = records(tmp_path / "empty")
    assert len(errors) == 1 and "no .html files" in errors[0].reason
    (tmp_path / "other" / "claps").mkdir(parents=True)
    _, errors = records(tmp_path / "other")
    assert len(errors) == 1 and "no posts/ folder" in errors[0].reason
    assert errors[0].source == str(tmp_path / "other")


def test_stories_only_is_empty_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    story = export_post("On Kettles", '<h3 class="graf--title">On Kettles</h3>' + p("Long live kettles."))
    folder = write_export(tmp_path / "e", {"2024-01-01_On-Kettles-0a1b2c3d4e5f.html": story})
    with caplog.at_level(logging.WARNING, logger="commentcare.adapters.medium"):
        comments, errors = records(folder)
    assert comments == [] and errors == []
    assert "no responses among 1 posts" in caplog.text


def test_zip_without_posts_and_a_file_that_is_not_a_zip(tmp_path: Path) -> None:
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("claps/claps.html", "<html></html>")
        zf.writestr("a/b/posts/too-deep.html", export_post("x", p("x")))
    _, errors = records(str(archive))
    assert len(errors) == 1
    assert errors[0].source == str(archive) and "no posts/*.html" in errors[0].reason
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK\x03\x04 but nothing else")
    _, errors = records(str(fake))
    assert len(errors) == 1 and "not a readable zip" in errors[0].reason and errors[0].source == str(fake)


def test_zip_path_tricks_are_reported_not_read(tmp_path: Path) -> None:
    archive = tmp_path / "tricks.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(
            "posts/2024-01-01_ok-dd44ee55ff66.html", export_post("Ok then", p("Ok then."), pid="dd44ee55ff66")
        )
        zf.writestr("../posts/evil.html", export_post("Evil", p("Evil."), pid="eeeeeeeeeee1"))
        zf.writestr("/posts/abs.html", export_post("Abs", p("Abs."), pid="eeeeeeeeeee2"))
        zf.writestr("C:/posts/drive.html", export_post("Drive", p("Drive."), pid="eeeeeeeeeee3"))
    before = set(tmp_path.parent.iterdir())
    comments, errors = records(str(archive))
    assert [c.id for c in comments] == ["dd44ee55ff66"]
    assert len(errors) == 3 and all("unsafe member name" in e.reason for e in errors)
    assert set(tmp_path.parent.iterdir()) == before  # nothing is ever extracted


def test_zip_bombs_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "bomb.zip"
    big = b"<p>" + b"a" * (reader.MAX_MEMBER_BYTES + 10) + b"</p>"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "posts/2024-01-01_ok-dd44ee55ff66.html", export_post("Ok then", p("Ok then."), pid="dd44ee55ff66")
        )
        zf.writestr("posts/2024-01-02_bomb-bbbbbbbbbbb1.html", big)
    assert archive.stat().st_size < 100_000  # a small file that expands to more than the cap
    comments, errors = records(str(archive))
    assert [c.id for c in comments] == ["dd44ee55ff66"]
    assert len(errors) == 1 and "too large for a post" in errors[0].reason
    assert errors[0].record == "posts/2024-01-02_bomb-bbbbbbbbbbb1.html"


@pytest.mark.parametrize("as_zip", [False, True])
def test_the_archive_as_a_whole_is_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_zip: bool
) -> None:
    """Past MAX_ARCHIVE_BYTES of posts, one error names the member where reading stopped."""
    sizes = sorted((f.name, f.stat().st_size) for f in (EXPORT / "posts").iterdir())
    monkeypatch.setattr(reader, "MAX_ARCHIVE_BYTES", sizes[0][1] + sizes[1][1])  # two posts fit
    source = str(zip_folder(EXPORT, tmp_path / "x.zip")) if as_zip else EXPORT
    _, errors = records(source)
    assert len(errors) == 1 and "bytes of posts; the rest is not read" in errors[0].reason
    assert errors[0].record == f"posts/{sizes[2][0]}"


def test_a_zip_whose_header_lies_about_the_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The declared size says small, the data expands further: read up to the cap, never past it."""
    monkeypatch.setattr(reader, "MAX_MEMBER_BYTES", 4096)
    archive = tmp_path / "liar.zip"
    name = "posts/2024-01-02_liar-bbbbbbbbbbb2.html"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, b"x" * 50_000)
    data = bytearray(archive.read_bytes())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 100)  # uncompressed size in the central directory
    struct.pack_into("<I", data, 22, 100)  # and in the local header
    archive.write_bytes(bytes(data))
    comments, errors = records(str(archive))
    assert comments == []
    assert len(errors) == 1 and errors[0].record == name


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symbolic_link_in_posts_is_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text(export_post("Secret", p("Secret."), pid="5ec5ec5ec5e1"), encoding="utf-8")
    folder = write_export(
        tmp_path / "e", {"2024-01-01_ok-dd44ee55ff66.html": export_post("Ok", p("Ok."), pid="dd44ee55ff66")}
    )
    (folder / "posts" / "2024-01-02_link-5ec5ec5ec5e1.html").symlink_to(secret)
    comments, errors = records(folder)
    assert [c.id for c in comments] == ["dd44ee55ff66"]
    assert len(errors) == 1 and "symbolic link" in errors[0].reason


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        list(read_comments(tmp_path / "nope.zip"))
    _, errors = records(str(tmp_path / "nope"), "medium-archive")
    assert len(errors) == 1 and "no such file" in errors[0].reason


# -- a saved story page -----------------------------------------------------------------------------------------


def test_example_saved_page() -> None:
    assert detect_format(str(SAVED)) is Format.MEDIUM_PAGE
    comments, errors = records(str(SAVED))
    assert errors == []
    assert [c.author for c in comments] == [
        "Priya Natarajan",
        "Marcus Hale",
        "Best Crypto Signals",
        "Dale Brenner",
        "Rowan Vale",
        "Jin Park",
    ]
    for c in comments:
        assert c.post_title == "A Beginner’s Guide to Dialing In Espresso"
        assert (
            c.post_url
            == "https://medium.com/@rowanvale/a-beginners-guide-to-dialing-in-espresso-7c8d9e0f1a2b"
        )
        assert c.post_id == "7c8d9e0f1a2b"
        assert c.extra["url"].startswith("https://medium.com/@") and "?" not in c.extra["url"]
        assert c.id == reader.post_id_from_url(c.extra["url"])
        assert c.author_url is None and c.extra["author_profile"].startswith("https://medium.com/@")
    marcus = comments[1]
    assert marcus.created_at == datetime(2024, 5, 4, tzinfo=timezone.utc)
    assert marcus.text.endswith("Order #55821.\nWho do I contact about this? I’ve been waiting eleven days.")
    assert comments[4].extra.get("by_story_author") == "true"
    assert comments[5].created_at is None and comments[5].extra["date_text"] == "2 days ago"
    assert "Kettles" not in " ".join(c.text for c in comments)


def test_a_reply_nested_in_the_response_it_answers() -> None:
    inner = (
        '<div class="replies">'
        + card(1, "sam", "Sam Writer", "thanks-ted-bbbbbbbbbbb1", "Mar 2, 2024", "Thanks Ted!")
        + "</div>"
    )
    page = story_page(
        card(
            0,
            "ted",
            "Ted Lane",
            "my-kettle-leaks-aaaaaaaaaaa1",
            "Mar 1, 2024",
            "My kettle leaks &lt;b&gt;badly&lt;/b&gt;.",
            inner=inner,
        )
        + card(
            2,
            "uma",
            "Uma Roy",
            "nice-cccccccccc1",
            "Mar 3",
            "Nice <a href='https://medium.com/@x/y-123456789abc?source=responses-----9a8b7c6d5e4f----2-'>read</a> indeed.",
        )
    )
    comments, errors = records(io.BytesIO(page.encode()), "medium-page")
    assert errors == []
    assert [(c.author, c.text) for c in comments] == [
        ("Ted Lane", "My kettle leaks <b>badly</b>."),
        ("Sam Writer", "Thanks Ted!"),
        ("Uma Roy", "Nice read indeed."),
    ]
    assert comments[1].extra["by_story_author"] == "true"
    assert comments[2].created_at is None and comments[2].extra["date_text"] == "Mar 3"
    assert all(c.post_title == "On Kettles" and c.post_id == STORY_ID for c in comments)


LEGACY = """<!DOCTYPE html><html><head><title>Some Story – Medium</title>
<link rel="canonical" href="https://medium.com/@tess/some-story-82e275c8764f"></head><body>
<article><h1 class="graf graf--h3 graf--title">Some Story</h1><p class="graf graf--p">The story.</p></article>
<div class="responsesStream js-responsesStream">
<div class="streamItem streamItem--postPreview js-streamItem"><div class="postArticle postArticle--short js-postArticle"
 data-post-id="e2d73fd7c130" data-source="responses---------0-31--------------------">
<div class="postMetaInline u-floatLeft"><a class="link avatar" href="https://medium.com/@quinn" data-action="show-user-card">
<img class="avatar-image" alt="Go to the profile of Quinn Ash"></a>
<a class="ds-link ds-link--styleSubtle" href="https://medium.com/@quinn" data-action="show-user-card">Quinn Ash</a>
<div class="ui-caption js-postMetaInlineSupplemental"><a class="link link--darken"
 href="https://medium.com/@quinn/i-rarely-comment-but-e2d73fd7c130?source=responses---------0-31--------------------"
 data-action="open-post"><time datetime="2016-04-24T03:06:00.466Z">Apr 24, 2016</time></a></div></div>
<div class="js-inlineExpandBody"><a href="https://medium.com/@quinn/i-rarely-comment-but-e2d73fd7c130?source=responses---------0-31--------------------"
 data-action="expand-inline"><div class="postArticle-content js-postField"><section class="section"><div class="section-inner">
<p class="graf graf--p graf--leading">I rarely comment, but this one I read twice.</p>
<p class="graf graf--p graf--trailing">Thank you.</p></div></section></div></a></div>
<div class="buttonSet"><a class="button" href="https://medium.com/@quinn/i-rarely-comment-but-e2d73fd7c130?source=responses---------0-31--------------------">2 responses</a></div>
</div></div>
<div class="streamItem"><div class="postArticle" data-post-id="a0b1c2d3e4f5">
<a class="avatar" href="https://medium.com/@ravi" data-action="show-user-card"><img alt="Go to the profile of Ravi Sen"></a>
<a href="https://medium.com/@ravi/where-is-the-code-a0b1c2d3e4f5?source=responses---------1-31--------------------"
 data-action="open-post"><time datetime="2016-04-25T10:00:00.000Z">Apr 25, 2016</time></a>
<div class="postArticle-content"><p class="graf graf--p">Where is the code? The link is broken.</p></div></div></div>
</div></body></html>"""


def test_the_older_page_layout() -> None:
    comments, errors = records(io.BytesIO(LEGACY.encode()), "medium-page")
    assert errors == []
    assert [(c.id, c.author, c.text) for c in comments] == [
        ("e2d73fd7c130", "Quinn Ash", "I rarely comment, but this one I read twice.\n\nThank you."),
        ("a0b1c2d3e4f5", "Ravi Sen", "Where is the code? The link is broken."),
    ]
    assert comments[0].created_at == datetime(2016, 4, 24, 3, 6, 0, 466000, tzinfo=timezone.utc)
    assert comments[0].post_title == "Some Story" and comments[0].post_id == "82e275c8764f"


def test_a_page_without_responses_is_an_error_naming_the_file(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(story_page("", heading="More from Sam Writer"), encoding="utf-8")
    _, errors = records(str(page))
    assert len(errors) == 1
    assert errors[0].source == str(page) and "no responses recognised" in errors[0].reason
    with pytest.raises(InputError, match=r"story\.html: no responses recognised"):
        list(read_comments(page))


def test_a_page_that_promises_responses_it_does_not_hold(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(story_page("", heading="Responses (12)"), encoding="utf-8")
    _, errors = records(str(page))
    assert len(errors) == 1 and "says 12 responses but none is in it" in errors[0].reason


def test_no_responses_yet_and_some_not_loaded(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="commentcare.adapters.medium"):
        comments, errors = records(
            io.BytesIO(story_page("", heading="No responses yet").encode()), "medium-page"
        )
        assert comments == [] and errors == []
        assert "no responses yet" in caplog.text
        one = card(0, "ted", "Ted Lane", "hi-aaaaaaaaaaa1", "Mar 1, 2024", "Hi.")
        comments, errors = records(
            io.BytesIO(story_page(one, heading="Responses (1.2K)").encode()), "medium-page"
        )
    assert len(comments) == 1 and errors == []
    assert "1 of the 1200 responses" in caplog.text


def test_html_that_is_not_medium(tmp_path: Path) -> None:
    page = tmp_path / "blog.html"
    page.write_text("<!DOCTYPE html><html><body><h1>My blog</h1><p>Hello</p></body></html>", encoding="utf-8")
    _, errors = records(str(page))
    assert (
        len(errors) == 1 and "not a Medium story page" in errors[0].reason and errors[0].source == str(page)
    )


def test_a_page_saved_as_a_single_file(tmp_path: Path) -> None:
    html = SAVED.read_bytes()
    import quopri

    body = quopri.encodestring(html).decode("ascii")
    mhtml = (
        "From: <Saved by Blink>\r\nSnapshot-Content-Location: https://medium.com/@rowanvale/x\r\n"
        "Subject: A Beginner's Guide\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----MultipartBoundary--abc----"\r\n\r\n'
        "------MultipartBoundary--abc----\r\nContent-Type: text/html\r\nContent-ID: <frame-1@mhtml.blink>\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\nContent-Location: https://medium.com/@rowanvale/x\r\n\r\n"
        f"{body}\r\n------MultipartBoundary--abc------\r\n"
    )
    target = tmp_path / "saved.mhtml"
    target.write_text(mhtml, encoding="ascii")
    assert detect_format(str(target)) is Format.MEDIUM_PAGE
    from_mhtml, errors = records(str(target))
    assert errors == []
    assert [(c.id, c.text) for c in from_mhtml] == [(c.id, c.text) for c in read_comments(SAVED)]


def test_a_post_file_of_the_export_given_on_its_own(tmp_path: Path) -> None:
    posts = EXPORT / "posts"
    response = next(posts.glob("*b3c4d5e6f708.html"))
    comments, errors = records(str(response))
    assert errors == [] and [c.id for c in comments] == ["b3c4d5e6f708"]
    story = next(posts.glob("*a1b2c3d4e5f6.html"))
    _, errors = records(str(story))
    assert len(errors) == 1 and "a story from Medium's export" in errors[0].reason


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=500).map(
            lambda t: f"<html><body>{t}<a href='/@u/x-123456789abc?source=responses-----abc----0-'>d</a>"
        ),
        st.sampled_from([SAVED.read_text(encoding="utf-8")[:n] for n in (100, 5000, 9000, 20000)]),
    )
)
def test_no_page_input_raises(data: bytes | str) -> None:
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    for fmt in ("medium-page", "medium-archive", "rss"):
        for rec in iter_records(io.BytesIO(raw), fmt):
            assert isinstance(rec, (Comment, InputError))


# -- RSS and Atom -------------------------------------------------------------------------------------------


MEDIUM_FEED = """<?xml version="1.0" encoding="UTF-8"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom"
 xmlns:cc="http://cyber.law.harvard.edu/rss/creativeCommonsRssModule.html" version="2.0"><channel>
<title><![CDATA[Stories by Rowan Vale on Medium]]></title><description><![CDATA[Stories by Rowan Vale on Medium]]></description>
<link>https://medium.com/@rowanvale?source=rss-5f3e2d1c0b9a------2</link><generator>Medium</generator>
<lastBuildDate>Mon, 06 May 2024 10:00:00 GMT</lastBuildDate>
<item><title><![CDATA[A Beginner’s Guide to Dialing In Espresso]]></title>
<link>https://medium.com/@rowanvale/a-beginners-guide-to-dialing-in-espresso-7c8d9e0f1a2b?source=rss-5f3e2d1c0b9a------2</link>
<guid isPermaLink="false">https://medium.com/p/7c8d9e0f1a2b</guid><category><![CDATA[coffee]]></category><category><![CDATA[espresso]]></category>
<dc:creator><![CDATA[Rowan Vale]]></dc:creator><pubDate>Thu, 02 May 2024 06:58:30 GMT</pubDate><atom:updated>2024-05-02T07:10:00.000Z</atom:updated>
<content:encoded><![CDATA[<h3>A Beginner’s Guide</h3><p>Dialing in is the ten minutes of trial and error, even with Disqus-style comments.</p><img src="https://medium.com/_/stat?event=post.clientViewed" width="1" height="1">]]></content:encoded></item>
<item><title><![CDATA[Good question! Start with 18 g in and 36 g out.]]></title>
<link>https://medium.com/@rowanvale/good-question-e6f7a8b9c0d1?source=rss-5f3e2d1c0b9a------2</link>
<guid isPermaLink="false">https://medium.com/p/e6f7a8b9c0d1</guid><dc:creator><![CDATA[Rowan Vale]]></dc:creator>
<pubDate>Mon, 06 May 2024 09:40:02 GMT</pubDate><atom:updated>2024-05-06T09:40:02.215Z</atom:updated>
<content:encoded><![CDATA[<p>Good question! Start with 18 g in and 36 g out.</p><p>Then adjust the grind only.</p>]]></content:encoded></item>
<item><title>No text</title><link>https://medium.com/@rowanvale/x-111111111111</link><guid>https://medium.com/p/111111111111</guid></item>
</channel></rss>"""

ATOM_FEED = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Comments</title>
<id>urn:x</id><updated>2024-05-01T00:00:00Z</updated>
<entry><title>Comment by Ann</title><id>urn:c:1</id><link rel="alternate" href="https://blog.example/post#c1"/>
<published>2024-05-01T10:00:00+02:00</published><author><name>Ann</name><uri>https://ann.example</uri></author>
<content type="html">&lt;p&gt;My parcel never came.&lt;/p&gt;</content></entry>
<entry><title>Empty</title><id>urn:c:2</id><summary></summary></entry></feed>"""


def test_medium_feed_items() -> None:
    assert detect_format(io.BufferedReader(io.BytesIO(MEDIUM_FEED.encode()))) is Format.RSS  # not Disqus
    comments, errors = records(io.BytesIO(MEDIUM_FEED.encode()), "rss")
    assert [c.id for c in comments] == ["7c8d9e0f1a2b", "e6f7a8b9c0d1"]
    story, response = comments
    assert story.extra["kind"] == "story" and story.extra["categories"] == "coffee, espresso"
    assert response.extra["kind"] == "response"
    assert response.text == "Good question! Start with 18 g in and 36 g out.\n\nThen adjust the grind only."
    assert response.author == "Rowan Vale"
    assert response.created_at == datetime(2024, 5, 6, 9, 40, 2, tzinfo=timezone.utc)
    assert response.extra["url"] == "https://medium.com/@rowanvale/good-question-e6f7a8b9c0d1"
    assert len(errors) == 1 and errors[0].record == "item 3" and "no text" in errors[0].reason


def test_atom_entries() -> None:
    comments, errors = records(io.BytesIO(ATOM_FEED.encode()), "rss")
    assert [(c.author, c.text, c.author_url) for c in comments] == [
        ("Ann", "My parcel never came.", "https://ann.example")
    ]
    assert comments[0].created_at == datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
    assert "kind" not in comments[0].extra
    assert len(errors) == 1 and errors[0].record == "entry 2"


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss><channel>'
            "<item><description>&b;</description></item></channel></rss>",
            "refused",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>',
            "refused",
        ),
        ("<rss><channel><item><title>cut", "not well-formed"),
        (
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
            "not an RSS 2.0",
        ),
        ("<rss version='2.0'></rss>", "without a <channel>"),
    ],
)
def test_feeds_that_are_refused(doc: str, reason: str) -> None:
    comments, errors = records(io.BytesIO(doc.encode()), "rss")
    assert comments == [] and len(errors) == 1 and reason in errors[0].reason


# -- fetching the feed, through a fake transport ---------------------------------------------------------------


class FakeTransport(BaseAdapter):
    """Answers every request from a table of (status, body) or raises a given exception."""

    def __init__(self, answer: tuple[int, bytes] | Exception) -> None:
        super().__init__()
        self.answer = answer
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.requests.append(request)
        self.kwargs = kwargs
        if isinstance(self.answer, Exception):
            raise self.answer
        status, body = self.answer
        resp = requests.Response()
        resp.status_code = status
        resp.raw = io.BytesIO(body)
        resp.url = request.url or ""
        resp.request = request
        resp.headers["Content-Type"] = "text/xml; charset=UTF-8"
        return resp

    def close(self) -> None:
        pass


def fake_session(answer: tuple[int, bytes] | Exception) -> tuple[requests.Session, FakeTransport]:
    session = requests.Session()
    transport = FakeTransport(answer)
    session.mount("https://", transport)
    session.mount("http://", transport)
    return session, transport


def test_fetch_feed_reads_the_items() -> None:
    session, transport = fake_session((200, MEDIUM_FEED.encode()))
    comments = adapter.fetch_feed("@rowanvale", session=session, timeout=3)
    assert [c.id for c in comments] == ["7c8d9e0f1a2b", "e6f7a8b9c0d1"]
    assert transport.requests[0].url == "https://medium.com/feed/@rowanvale"
    assert transport.kwargs["timeout"] == 3
    assert "commentcare/" in transport.requests[0].headers["User-Agent"]
    only = adapter.fetch_feed("rowanvale", session=session, responses_only=True)
    assert [c.id for c in only] == ["e6f7a8b9c0d1"]


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("rowanvale", "https://medium.com/feed/@rowanvale"),
        ("@rowan.vale", "https://medium.com/feed/@rowan.vale"),
        ("https://medium.com/@rowanvale", "https://medium.com/feed/@rowanvale"),
        ("https://medium.com/feed/@rowanvale", "https://medium.com/feed/@rowanvale"),
        ("https://rowanvale.medium.com/feed", "https://rowanvale.medium.com/feed"),
    ],
)
def test_feed_url(given: str, url: str) -> None:
    assert adapter.feed_url(given) == url


def test_feed_url_refuses_what_is_not_a_username() -> None:
    with pytest.raises(InputError):
        adapter.feed_url("rowan vale/../x")


@pytest.mark.parametrize(
    ("answer", "error", "text"),
    [
        ((404, b"not found"), AdapterError, "HTTP 404"),
        ((403, b"denied"), AdapterError, "HTTP 403"),
        ((503, b"down"), SiteUnavailableError, "HTTP 503"),
        ((429, b"slow down"), SiteUnavailableError, "HTTP 429"),
        ((200, b"<html>a login page</html>"), AdapterError, "cannot be read"),
        (requests.ConnectionError("refused"), SiteUnavailableError, "cannot reach"),
        (requests.Timeout("slow"), SiteUnavailableError, "did not answer"),
        (requests.TooManyRedirects("loop"), AdapterError, "failed"),
    ],
)
def test_fetch_feed_failures(
    answer: tuple[int, bytes] | Exception, error: type[Exception], text: str
) -> None:
    session, _ = fake_session(answer)
    with pytest.raises(error, match=text) as info:
        adapter.fetch_feed("rowanvale", session=session)
    if isinstance(answer, Exception):
        assert info.value.__cause__ is answer


def test_fetch_feed_caps_the_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed_module, "_MAX_FEED", 1000)
    session, _ = fake_session((200, b"<rss>" + b" " * 5000 + b"</rss>"))
    with pytest.raises(AdapterError, match="larger than"):
        adapter.fetch_feed("rowanvale", session=session)


# -- the worksheet ---------------------------------------------------------------------------------------------


def review(
    text: str,
    label: Label,
    action: Action,
    priority: int,
    *,
    reply: str | None = "Thanks!",
    url: str | None = "https://medium.com/@a/r-aaaaaaaaaaa1",
    author: str = "Ann",
    respond_by: datetime | None = None,
    **extra: str,
) -> Review:
    scores = {lbl: (0.7 if lbl is label else 0.1) for lbl in Label}
    comment = Comment(
        text=text,
        id=f"id-{priority}-{label.value}",
        author=author,
        created_at=datetime(2024, 5, 1, 12, tzinfo=timezone.utc),
        post_title="On Kettles",
        post_url=f"https://medium.com/@sam/on-kettles-{STORY_ID}",
        extra={"url": url, **extra} if url else dict(extra),
    )
    return Review(
        comment=comment,
        classification=Classification(label, 0.7, scores, False, "test"),
        action=action,
        priority=priority,
        respond_by=respond_by,
        reasons=("because",),
        replies=(Reply(reply, reply, "t.1"),) if reply else (),
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_worksheet_csv_and_html(tmp_path: Path) -> None:
    soon = datetime(2024, 5, 1, 13, tzinfo=timezone.utc)
    reviews = [
        review("Buy followers at spam.example", Label.SPAM, Action.REMOVE, 5, reply=None),
        review('=HYPERLINK("http://evil.example")', Label.RANT, Action.HOLD, 3),
        review(
            "My order never came <script>alert(1)</script>",
            Label.COMPLAINT,
            Action.APPROVE_AND_REPLY,
            1,
            respond_by=soon,
            url="javascript:alert(1)",
        ),
        review(
            "Thanks Ann!", Label.PRAISE, Action.APPROVE_AND_REPLY, 4, author="Sam", by_story_author="true"
        ),
    ]
    n = adapter.write_worksheet(iter(reviews), tmp_path / "ws.csv", tmp_path / "ws.html")
    assert n == 4
    rows = read_csv(tmp_path / "ws.csv")
    assert list(rows[0]) == list(adapter.WORKSHEET_COLUMNS)
    assert [r["label"] for r in rows] == ["complaint", "rant", "praise", "spam"]  # most urgent first
    complaint, rant, own, spam = rows
    assert complaint["respond_by"] == "2024-05-01T13:00+00:00" and complaint["reply"] == "Thanks!"
    assert (
        complaint["response_url"] == f"https://medium.com/@sam/on-kettles-{STORY_ID}"
    )  # javascript: is not a link
    assert rant["response"].startswith("'=HYPERLINK")  # a formula stays text
    assert own["what_to_do"] == adapter.OWN_RESPONSE and own["reply"] == ""
    assert spam["what_to_do"].startswith("hide") and spam["reply"] == ""
    page = (tmp_path / "ws.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "javascript:" not in page
    assert page.count('class="open"') == 4
    assert 'href="https://medium.com/@a/r-aaaaaaaaaaa1"' in page
    assert "2 to reply to" not in page and "4 responses, 1 to reply to" in page
    assert "<link" not in page and "<script" not in page  # self-contained, no scripts
    assert not list(tmp_path.glob("*.partial"))


def test_an_empty_worksheet(tmp_path: Path) -> None:
    assert adapter.write_worksheet([], tmp_path / "ws.csv", tmp_path / "ws.html") == 0
    assert read_csv(tmp_path / "ws.csv") == []
    assert "No responses were found" in (tmp_path / "ws.html").read_text(encoding="utf-8")


# -- the command ---------------------------------------------------------------------------------------------


@pytest.fixture
def shared_moderator(monkeypatch: pytest.MonkeyPatch, moderator: Any) -> Any:
    """The session's moderator, so each command does not load the model again."""
    import commentcare.moderation

    monkeypatch.setattr(commentcare.moderation, "Moderator", lambda *a, **k: moderator)
    return moderator


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = medium_main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("shared_moderator")
@pytest.mark.parametrize(("source", "count"), [(EXPORT, 4), (SAVED, 6)])
def test_command_writes_the_worksheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: Path, count: int
) -> None:
    code, out, err = run(
        [
            "medium",
            "worksheet",
            str(source),
            "-o",
            str(tmp_path / "w.csv"),
            "--html",
            str(tmp_path / "w.html"),
        ],
        capsys,
    )
    assert code == 0, err
    assert f"{count} responses" in out
    rows = read_csv(tmp_path / "w.csv")
    assert len(rows) == count
    assert all(r["label"] in {lbl.value for lbl in Label} and r["action"] and r["response_url"] for r in rows)
    assert all(
        r["reply"]
        for r in rows
        if r["action"] == "approve_and_reply" and r["what_to_do"] != adapter.OWN_RESPONSE
    )
    assert (tmp_path / "w.html").read_text(encoding="utf-8").count("Open the response on Medium") == count


@pytest.mark.usefixtures("shared_moderator")
def test_command_from_a_zip_and_the_feed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = zip_folder(EXPORT, tmp_path / "medium-export.zip")
    session, transport = fake_session((200, MEDIUM_FEED.encode()))
    monkeypatch.setattr(feed_module.requests, "Session", lambda: session)
    code, _, err = run(
        ["medium", "worksheet", str(archive), "--feed", "rowanvale", "-o", str(tmp_path / "w.csv")], capsys
    )
    assert code == 0, err
    rows = read_csv(tmp_path / "w.csv")
    # the feed's response is also in the export: it is listed once; the feed's story is not a response
    assert sorted(r["id"] for r in rows) == sorted(EXPORT_RESPONSES)
    assert transport.requests[0].url == "https://medium.com/feed/@rowanvale"


def test_command_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "story.html"
    page.write_text(story_page("", heading="Related"), encoding="utf-8")
    code, _, err = run(["medium", "worksheet", str(page), "-o", str(tmp_path / "w.csv")], capsys)
    assert code == 2
    assert err.count("\n") == 1 and str(page) in err and "no responses recognised" in err
    assert not (tmp_path / "w.csv").exists()

    code, _, err = run(["medium", "worksheet", "-o", str(tmp_path / "w.csv")], capsys)
    assert code == 2 and "give INPUT" in err

    code, _, err = run(["medium", "worksheet", str(tmp_path / "missing.html")], capsys)
    assert code == 2 and "missing.html" in err

    session, _ = fake_session(requests.ConnectionError("no network"))
    monkeypatch.setattr(feed_module.requests, "Session", lambda: session)
    code, _, err = run(["medium", "worksheet", "--feed", "rowanvale", "-o", str(tmp_path / "w.csv")], capsys)
    assert code == 1 and "cannot reach" in err


@pytest.mark.usefixtures("shared_moderator")
def test_command_reports_what_it_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    (folder / "posts" / "2024-06-01_broken-123412341234.html").write_text("<p>no</p>", encoding="utf-8")
    code, out, err = run(["medium", "worksheet", str(folder), "-o", str(tmp_path / "w.csv")], capsys)
    assert code == 0
    assert "4 responses" in out
    assert "skipped:" in err and "broken-123412341234.html" in err and "no h-entry" in err


@pytest.mark.usefixtures("shared_moderator")
def test_classify_reads_medium_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from commentcare.cli import main

    for source, count in ((EXPORT, 4), (SAVED, 6)):
        out = tmp_path / f"{source.stem}.csv"
        assert main(["classify", str(source), "-o", str(out), "--replies"]) == 0
        with open(out, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == count
        assert all(r["action"] and r["url"].startswith("https://medium.com/") for r in rows)
    capsys.readouterr()


def test_ordering_is_stable_for_equal_priorities(tmp_path: Path) -> None:
    base = datetime(2024, 5, 1, tzinfo=timezone.utc)
    due = [base + timedelta(hours=5), base + timedelta(hours=1), base + timedelta(hours=1), None]
    reviews = [
        review(f"complaint {i}", Label.COMPLAINT, Action.APPROVE_AND_REPLY, 1, respond_by=when)
        for i, when in enumerate(due)
    ]
    adapter.write_worksheet(iter(reviews), tmp_path / "ws.csv")
    got = [r["response"] for r in read_csv(tmp_path / "ws.csv")]
    assert got == ["complaint 1", "complaint 2", "complaint 0", "complaint 3"]
