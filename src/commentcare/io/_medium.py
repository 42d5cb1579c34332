"""Medium: the "Download your information" archive, a story page saved from the browser, and RSS.

Medium has no API that reads responses, so these readers work on what a writer can actually get:

* the archive (a zip, or the folder it unpacks to): ``posts/*.html``, one ``h-entry`` per file
  (``p-name``, ``e-content``, ``dt-published``, ``p-canonical``). The responses the account owner
  wrote are exported as posts too, with nothing that marks them as responses, so they are told
  from stories by their shape (see :func:`classify_post`);
* a story page saved from the browser with its responses loaded. Medium's markup is generated and
  its class names change with every release, so the page reader keys on the few hooks that have
  stayed put: the ``source=…responses…`` parameter of the links inside each response, profile
  links (``/@name``), ``<time>`` and ``<pre>``. A page it cannot read is an error naming the
  file, never a silent empty result;
* an RSS 2.0 or Atom feed (Medium's ``/feed/@name`` among them), parsed with defusedxml.

The responder's Medium profile goes to ``extra["author_profile"]``, never to ``author_url``: that
field is the website a commenter chose to give, one of the model's strongest spam signals, and
every Medium response has a profile link (with it there, most responses were called spam).

Every reader follows the record protocol of :mod:`commentcare.io._formats`: it yields ``Comment``
or ``InputError`` values and never raises for a bad record or a bad file.
"""

from __future__ import annotations

import email
import logging
import os
import re
import stat
import warnings
import zipfile
import zlib
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment as HtmlComment
from bs4.element import Declaration, Doctype, NavigableString, ProcessingInstruction

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.io._formats import Record, Source, parse_datetime

__all__ = [
    "MAX_MEMBER_BYTES",
    "MAX_PAGE_BYTES",
    "MAX_POSTS",
    "classify_post",
    "iter_medium_archive",
    "iter_medium_page",
    "iter_rss",
    "post_id_from_url",
]

log = logging.getLogger(__name__)

#: A post file of the export is a few KiB to a few hundred; more is not a Medium post.
MAX_MEMBER_BYTES = 16 * 1024 * 1024
#: Uncompressed bytes read from one archive in all, whatever the zip's headers claim.
MAX_ARCHIVE_BYTES = 1024 * 1024 * 1024
#: Posts read from one archive; a prolific writer has a few thousand.
MAX_POSTS = 100_000
#: A saved story page with hundreds of responses loaded is a few MiB.
MAX_PAGE_BYTES = 64 * 1024 * 1024
MAX_FEED_BYTES = 32 * 1024 * 1024

MEDIUM = "https://medium.com"

# Medium post ids are 8 to 12 lowercase hex digits at the end of a URL path or a file name.
_POST_ID = re.compile(r"(?:^|[-/_])((?=[0-9a-f]*[0-9])[0-9a-f]{8,12})$")
# The tracking parameter Medium adds to every link inside a response card, e.g.
# ?source=post_page---post_responses--<story id>----<n>----… (today) or
# ?source=responses-----<story id>----<n>----… (older pages). <n> is the card's position.
_RESPONSE_SOURCE = re.compile(r"(?:post_responses--|responses-----)([0-9a-f]*)----(\d+)-")
_RESPONSES_HEADING = re.compile(r"^\s*responses\s*\(\s*([\d,.]+)\s*([km]?)\s*\)\s*$", re.IGNORECASE)
_NO_RESPONSES = re.compile(r"^\s*no responses yet\s*$", re.IGNORECASE)
_USERNAME = re.compile(r"^@[A-Za-z0-9._-]{1,64}$")
_WS = re.compile(r"[ \t\r\n\f\v\u00a0]+")
_BLOCKS = ("p", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption")

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_ATOM_UPDATED = _ATOM + "updated"


# -- shared helpers ---------------------------------------------------------------------------------


def _soup(data: bytes | str) -> BeautifulSoup:
    """Parse HTML with the standard library's parser, without bs4's advisory warnings.

    The warnings (XML parsed as HTML, markup that looks like a file name) are advice for
    interactive use; here they would only turn odd input into a crash under ``-W error``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BeautifulSoup(data, "html.parser")


def _attr(tag: Tag | None, name: str) -> str | None:
    if tag is None:
        return None
    value = tag.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    value = (value or "").strip()
    return value or None


def _inline_text(node: Tag) -> str:
    """The words of an element as a reader sees them: source newlines are spaces, ``<br>`` is one."""
    parts: list[str] = []
    for child in node.descendants:
        if isinstance(child, Tag):
            if child.name == "br":
                parts.append("\n")
            continue
        if not isinstance(child, NavigableString) or isinstance(
            child, (HtmlComment, Declaration, Doctype, ProcessingInstruction)
        ):
            continue
        parent = child.parent
        if parent is not None and parent.name in ("script", "style", "template", "noscript"):
            continue
        if _inside_pre(child):
            parts.append(str(child))
        else:
            parts.append(_WS.sub(" ", str(child)))
    lines = (line.strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _inside_pre(node: Any) -> bool:
    parent = node.parent
    while parent is not None:
        if getattr(parent, "name", None) == "pre":
            return True
        parent = parent.parent
    return False


def _block_text(node: Tag) -> str:
    """Paragraphs separated by a blank line, so a reply quoting them keeps their shape."""
    blocks = [b for b in node.find_all(_BLOCKS) if isinstance(b, Tag) and b.find_parent(_BLOCKS) is None]
    if not blocks:
        return _inline_text(node)
    texts = (_inline_text(b) for b in blocks)
    return "\n\n".join(t for t in texts if t)


def _html_to_text(markup: str) -> str:
    return _block_text(_soup(markup)) if "<" in markup else _WS.sub(" ", markup).strip()


def _flat(text: str) -> str:
    return _WS.sub(" ", text).strip()


def post_id_from_url(url: str | None) -> str | None:
    """The Medium post id at the end of a story or response URL (``…/some-title-70c5683f3778``)."""
    if not url:
        return None
    path = urlsplit(url).path.rstrip("/")
    m = _POST_ID.search(path)
    return m.group(1) if m else None


def _canonical_url(url: str | None, base: str = MEDIUM) -> str | None:
    """An absolute http(s) URL without Medium's tracking query, or None for anything else."""
    if not url:
        return None
    parts = urlsplit(urljoin(base + "/", url.strip()))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _is_profile_link(url: str) -> bool:
    """``medium.com/@name``, ``/@name`` or ``name.medium.com/``: a person, not a post."""
    parts = urlsplit(urljoin(MEDIUM + "/", url))
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) == 1 and _USERNAME.match(unquote(segments[0])):
        return True
    host = parts.netloc.lower()
    return (
        not segments and host.endswith(".medium.com") and host.count(".") == 2 and not host.startswith("www.")
    )


def _parse_date_text(text: str) -> datetime | None:
    """Medium's visible dates: "Dec 19, 2024" or "December 19, 2024". Without a year, unknown."""
    s = _flat(text).replace("Sept ", "Sep ")
    for fmt in ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y"):
        try:
            return datetime.strptime(s, fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def _date(value: str | None) -> datetime | None:
    try:
        return parse_datetime(value)
    except (ValueError, OverflowError, OSError):
        return None


# -- the archive: one post ----------------------------------------------------------------------------


@dataclass
class _Post:
    """One ``posts/*.html`` file of the export, reduced to what the readers need."""

    name: str
    title: str
    text: str
    kind: str  # "story", "response" or "draft"
    basis: str  # why we think so
    post_id: str | None = None
    url: str | None = None
    published: datetime | None = None
    author: str | None = None
    author_url: str | None = None
    reply_to_url: str | None = None
    reply_to_title: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def classify_post(entry: Tag, title: str, *, draft: bool = False) -> tuple[str, str]:
    """Story or response, and why: the export marks neither, so the shape of the post decides.

    A story has a title block in its body (``graf--title``), a subtitle, headings, pictures or
    length; a response is a short run of paragraphs whose "title" is just its own first words.
    An explicit in-reply-to link, when a file has one, settles it.
    """
    if draft:
        return "draft", "file name starts with draft_"
    if _reply_link(entry) is not None:
        return "response", "in-reply-to link"
    body = _body(entry)
    if body is None:
        return "story", "no body"
    if body.select_one(".graf--title, h1, h2, h3, h4"):
        return "story", "title or headings in the body"
    subtitle = entry.select_one(".p-summary, [data-field=subtitle]")
    if subtitle is not None and _flat(subtitle.get_text(" ")):
        return "story", "subtitle"
    if body.select_one("figure, img, iframe, .graf--figure, .graf--mixtapeEmbed"):
        return "story", "pictures or embeds"
    blocks = [b for b in body.find_all(_BLOCKS) if isinstance(b, Tag) and b.find_parent(_BLOCKS) is None]
    text = _flat(body.get_text(" "))
    if len(text) > 1500 or len(blocks) > 6:
        return "story", "length"
    if len(blocks) > 1 and title:
        first = blocks[0]
        strong = first.find(["strong", "b"])
        if (
            _flat(first.get_text(" ")) == title
            and strong is not None
            and _flat(strong.get_text(" ")) == title
        ):
            return "story", "bold title line"
    return "response", "short and untitled"


def _body(entry: Tag) -> Tag | None:
    return entry.select_one(".e-content, [data-field=body]")


def _reply_link(entry: Tag) -> Tag | None:
    """An explicit link to the story answered: microformats ``u-in-reply-to`` or ``rel=in-reply-to``,
    or a link in the header, as on Medium's own response pages."""
    link = entry.select_one("a.u-in-reply-to[href], a[rel~=in-reply-to][href], .u-in-reply-to a[href]")
    if link is not None:
        return link
    own = post_id_from_url(_attr(entry.select_one("a.p-canonical, a.u-url"), "href"))
    header = entry.find("header")
    if isinstance(header, Tag):
        for a in header.select("a[href]"):
            pid = post_id_from_url(_canonical_url(_attr(a, "href")))
            if pid and pid != own:
                return a
    return None


def _parse_post(data: bytes, name: str, source: str) -> _Post | InputError:
    soup = _soup(data)
    entry = soup.select_one(".h-entry")
    if entry is None:
        return InputError(
            'not a Medium post: no h-entry (expected the export\'s <article class="h-entry">)',
            source=source,
            record=name,
        )
    body = _body(entry)
    if body is None:
        return InputError("the h-entry has no e-content (the post's body)", source=source, record=name)
    name_tag = entry.select_one(".p-name")
    title = _flat(name_tag.get_text(" ")) if name_tag is not None else ""
    stem = PurePosixPath(name).name
    kind, basis = classify_post(entry, title, draft=stem.startswith("draft_"))
    canonical = entry.select_one("a.p-canonical[href], a.u-url[href]")
    url = _canonical_url(_attr(canonical, "href")) or _canonical_url(
        _attr(soup.select_one("link[rel=canonical]"), "href")
    )
    time_tag = entry.select_one(".dt-published")
    published_raw = _attr(time_tag, "datetime") or (
        _flat(time_tag.get_text(" ")) if time_tag is not None else None
    )
    published = _date(published_raw)
    author_tag = entry.select_one(".p-author")
    post = _Post(
        name=name,
        title=title,
        text=_block_text(body),
        kind=kind,
        basis=basis,
        post_id=post_id_from_url(url) or _post_id_from_name(stem),
        url=url,
        published=published,
        author=(_flat(author_tag.get_text(" ")) or None) if author_tag is not None else None,
        author_url=_canonical_url(_attr(author_tag, "href")),
    )
    if published is None and published_raw:
        post.extra["date_text"] = published_raw
    reply = _reply_link(entry)
    if reply is not None:
        post.reply_to_url = _canonical_url(_attr(reply, "href"))
        text = _flat(reply.get_text(" "))
        if text and not text.lower().startswith(("http://", "https://")):
            post.reply_to_title = text
    return post


def _post_id_from_name(stem: str) -> str | None:
    m = _POST_ID.search(stem.rsplit(".", 1)[0])
    return m.group(1) if m else None


def _post_comment(post: _Post, source: str, titles: dict[str, str]) -> Comment:
    parent_id = post_id_from_url(post.reply_to_url)
    extra = {"kind": "response", "kind_basis": post.basis, "file": post.name}
    if post.url:
        extra["url"] = post.url
    if post.title:
        extra["title"] = post.title
    if post.author_url:
        extra["author_profile"] = post.author_url
    extra.update(post.extra)
    return Comment(
        text=post.text,
        id=post.post_id or PurePosixPath(post.name).stem,
        author=post.author,
        created_at=post.published,
        post_id=parent_id,
        post_title=post.reply_to_title or (titles.get(parent_id) if parent_id else None),
        post_url=post.reply_to_url,
        source=source,
        status="published",
        extra=extra,
    )


# -- the archive: zip or folder --------------------------------------------------------------------------


def _is_post_member(name: str) -> bool:
    """``posts/x.html``, or ``<top folder>/posts/x.html`` when the zip was made of a folder."""
    parts = name.split("/")
    return 2 <= len(parts) <= 3 and parts[-2] == "posts" and parts[-1].lower().endswith((".html", ".htm"))


def _unsafe_name(name: str) -> bool:
    """Absolute or climbing names. Nothing is ever extracted to disk, but such a member is not
    Medium's and is reported rather than read."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def _zip_members(source_obj: Source, source: str) -> Generator[tuple[str, bytes] | InputError, None, None]:
    try:
        zf = zipfile.ZipFile(source_obj)  # type: ignore[arg-type]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, TypeError) as exc:
        yield InputError(f"not a readable zip archive: {exc}", source=source)
        return
    with zf:
        try:
            infos = zf.infolist()
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
        ) as exc:  # pragma: no cover - infolist is read on open
            yield InputError(f"not a readable zip archive: {exc}", source=source)
            return
        wanted = sorted(
            (i for i in infos if not i.is_dir() and _is_post_member(i.filename.replace("\\", "/"))),
            key=lambda i: i.filename,
        )
        if not wanted:
            yield InputError(
                "no posts/*.html in the archive: is this Medium's 'Download your information' export?",
                source=source,
            )
            return
        for n, info in enumerate(wanted):
            name = info.filename
            if n >= MAX_POSTS:
                yield InputError(
                    f"more than {MAX_POSTS} posts; the rest is not read", source=source, record=name
                )
                return
            if _unsafe_name(name):
                yield InputError(
                    "unsafe member name (absolute or with '..'); skipped", source=source, record=name
                )
                continue
            if info.flag_bits & 0x1:
                yield InputError("the member is encrypted; skipped", source=source, record=name)
                continue
            if info.file_size > MAX_MEMBER_BYTES:
                yield InputError(
                    f"too large for a post ({info.file_size} bytes, limit {MAX_MEMBER_BYTES}); skipped",
                    source=source,
                    record=name,
                )
                continue
            try:
                with zf.open(info) as fh:
                    data = fh.read(MAX_MEMBER_BYTES + 1)
            except (
                zipfile.BadZipFile,
                zlib.error,
                OSError,
                EOFError,
                NotImplementedError,
                RuntimeError,
                ValueError,
            ) as exc:
                yield InputError(f"cannot read the member: {exc}", source=source, record=name)
                continue
            if len(data) > MAX_MEMBER_BYTES:
                # the header lied about the size: a zip bomb, or a broken archive
                yield InputError(
                    f"expands beyond {MAX_MEMBER_BYTES} bytes; skipped", source=source, record=name
                )
                continue
            yield name, data


def _within_total(
    members: Generator[tuple[str, bytes] | InputError, None, None], source: str
) -> Iterator[tuple[str, bytes] | InputError]:
    """The members, until together they pass MAX_ARCHIVE_BYTES (then one error, and no more)."""
    total = 0
    try:
        for member in members:
            if not isinstance(member, InputError):
                total += len(member[1])
                if total > MAX_ARCHIVE_BYTES:
                    yield InputError(
                        f"more than {MAX_ARCHIVE_BYTES} bytes of posts; the rest is not read",
                        source=source,
                        record=member[0],
                    )
                    return
            yield member
    finally:
        members.close()  # release the archive or file now, not at garbage collection


def _posts_folder(root: Path) -> Path | None:
    if (root / "posts").is_dir():
        return root / "posts"
    if root.name == "posts":
        return root
    found = sorted(p / "posts" for p in root.iterdir() if p.is_dir() and (p / "posts").is_dir())
    return found[0] if len(found) == 1 else None


def _folder_members(root: Path, source: str) -> Generator[tuple[str, bytes] | InputError, None, None]:
    try:
        folder = _posts_folder(root)
    except OSError as exc:
        yield InputError(f"cannot read the folder: {exc.strerror or exc}", source=source)
        return
    if folder is None:
        yield InputError(
            "no posts/ folder: is this an unpacked Medium 'Download your information' export?", source=source
        )
        return
    try:
        files = sorted(p for p in folder.iterdir() if p.name.lower().endswith((".html", ".htm")))
    except OSError as exc:
        yield InputError(f"cannot read the posts folder: {exc.strerror or exc}", source=source)
        return
    if not files:
        yield InputError("the posts folder has no .html files", source=source)
        return
    for n, path in enumerate(files):
        name = f"{folder.name}/{path.name}"
        if n >= MAX_POSTS:
            yield InputError(f"more than {MAX_POSTS} posts; the rest is not read", source=source, record=name)
            return
        try:
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                yield InputError("a symbolic link, not a post; skipped", source=source, record=name)
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            if st.st_size > MAX_MEMBER_BYTES:
                yield InputError(
                    f"too large for a post ({st.st_size} bytes, limit {MAX_MEMBER_BYTES}); skipped",
                    source=source,
                    record=name,
                )
                continue
            with open(path, "rb") as fh:
                data = fh.read(MAX_MEMBER_BYTES + 1)
        except OSError as exc:
            yield InputError(f"cannot read: {exc.strerror or exc}", source=source, record=name)
            continue
        yield name, data


def iter_medium_archive(path: Source, source: str, **_: object) -> Iterator[Record]:
    """Yield the responses of a Medium export (zip, unpacked folder, or its ``posts`` folder).

    Stories and drafts are read to tell them apart and to name the story a response answers,
    then left out: they are the writer's own posts, not comments. Files that are not posts are
    reported as ``InputError`` records naming the member.
    """
    if isinstance(path, (str, os.PathLike)) and Path(path).is_dir():
        members: Iterable[tuple[str, bytes] | InputError] = _within_total(
            _folder_members(Path(path), source), source
        )
    elif isinstance(path, (str, os.PathLike)) and not Path(path).exists():
        yield InputError("no such file or folder", source=source)
        return
    else:
        members = _within_total(_zip_members(path, source), source)

    records: list[_Post | InputError] = []
    try:
        for member in members:
            if isinstance(member, InputError):
                records.append(member)
                continue
            name, data = member
            try:
                records.append(_parse_post(data, name, source))
            except Exception as exc:  # a parser bug on one file must not stop the others
                log.debug("cannot parse %s", name, exc_info=True)
                records.append(
                    InputError(
                        f"cannot parse the post: {type(exc).__name__}: {exc}", source=source, record=name
                    )
                )
    except Exception as exc:  # a broken archive is reported, after what was read
        log.debug("cannot read %s", source, exc_info=True)
        records.append(InputError(f"cannot read the archive: {type(exc).__name__}: {exc}", source=source))

    titles = {p.post_id: p.title for p in records if isinstance(p, _Post) and p.kind == "story" and p.post_id}
    counts = {"story": 0, "response": 0, "draft": 0}
    for rec in records:
        if isinstance(rec, InputError):
            yield rec
            continue
        counts[rec.kind] += 1
        if rec.kind != "response":
            log.debug("%s: %s (%s), not a response", rec.name, rec.kind, rec.basis)
            continue
        if not rec.text.strip():
            yield InputError("the response has no text", source=source, record=rec.name)
            continue
        yield _post_comment(rec, source, titles)
    log.info(
        "%s: %d responses, %d stories and %d drafts",
        source,
        counts["response"],
        counts["story"],
        counts["draft"],
    )
    if not counts["response"] and (counts["story"] or counts["draft"]):
        log.warning(
            "%s: no responses among %d posts (stories and drafts are not comments)",
            source,
            counts["story"] + counts["draft"],
        )


# -- a story page saved from the browser --------------------------------------------------------------------


@dataclass
class _Card:
    url: str
    link: Tag
    index: int
    story_id: str | None


def _story_info(soup: BeautifulSoup) -> tuple[str | None, str | None, str | None, str | None]:
    """(title, url, id, author URL) of the story the page shows."""
    title_tag = soup.select_one("[data-testid=storyTitle], h1.pw-post-title, h1.graf--title")
    title = _flat(title_tag.get_text(" ")) if title_tag is not None else None
    if not title:
        title = _attr(soup.select_one("meta[property='og:title']"), "content")
    if not title:
        h1 = soup.find("h1")
        title = _flat(h1.get_text(" ")) if isinstance(h1, Tag) else None
    url = _canonical_url(_attr(soup.select_one("link[rel=canonical]"), "href")) or _canonical_url(
        _attr(soup.select_one("meta[property='og:url']"), "content")
    )
    author = soup.select_one("[data-testid=authorName]")
    author_href = _attr(author if author is None or author.name == "a" else author.find_parent("a"), "href")
    if author_href is None:
        author_href = _attr(soup.select_one("meta[property='article:author']"), "content")
    return title or None, url, post_id_from_url(url), _canonical_url(author_href)


def _declared_count(soup: BeautifulSoup) -> int | None:
    """The count in the page's "Responses (N)" heading; 0 for "No responses yet"; None if absent."""
    candidates = [_flat(t.get_text(" ")) for t in soup.find_all(["h2", "h3", "h4"]) if isinstance(t, Tag)]
    candidates += [_flat(str(s)) for s in soup.find_all(string=re.compile(r"respon", re.IGNORECASE))]
    for text in candidates:
        if len(text) > 40:
            continue
        m = _RESPONSES_HEADING.match(text)
        if m:
            number = float(m.group(1).replace(",", ""))
            scale = {"k": 1000, "m": 1_000_000}.get(m.group(2).lower(), 1)
            return int(number * scale)
        if _NO_RESPONSES.match(text):
            return 0
    return None


def _response_cards(soup: BeautifulSoup, story_id: str | None) -> tuple[list[_Card], dict[int, str]]:
    """One card per response permalink: a link inside a response (by its ``source`` parameter)
    that points to a post other than the story itself. Also every such link, by element id."""
    cards: dict[str, _Card] = {}
    links: dict[int, str] = {}
    for a in soup.find_all("a", href=True):
        if not isinstance(a, Tag):
            continue
        href = _attr(a, "href") or ""
        m = _RESPONSE_SOURCE.search(unquote(urlsplit(href).query))
        if not m or _in_prose(a):
            continue
        path = urlsplit(urljoin(MEDIUM + "/", href)).path
        if path.startswith("/m/") or _is_profile_link(href):
            continue
        url = _canonical_url(href)
        pid = post_id_from_url(url)
        parent = m.group(1) or None
        if url is None or pid is None or pid in (story_id, parent):
            continue
        links[id(a)] = url
        if url not in cards:
            cards[url] = _Card(url=url, link=a, index=int(m.group(2)), story_id=parent)
    return list(cards.values()), links


def _in_prose(a: Tag) -> bool:
    """A link inside a response's own words (a quote, a sentence), not one of its card's links."""
    block = a.find_parent(["pre", "p", "blockquote", "li"])
    if block is None:
        return False
    if block.name in ("pre", "blockquote"):
        return True
    return len(_flat(block.get_text(" "))) > len(_flat(a.get_text(" "))) + 3


def _card_containers(soup: BeautifulSoup, cards: list[_Card], links: dict[int, str]) -> dict[str, Tag]:
    """For each card, the largest element that holds its links and no other card's."""
    holders: dict[int, set[str]] = {}
    for a in soup.find_all("a", href=True):
        url = links.get(id(a))
        if url is None or not isinstance(a, Tag):
            continue
        for parent in a.parents:
            holders.setdefault(id(parent), set()).add(url)
    boxes: dict[str, Tag] = {}
    for card in cards:
        box: Tag = card.link
        for parent in card.link.parents:
            if not isinstance(parent, Tag) or parent.name in ("body", "html", "[document]"):
                break
            if holders.get(id(parent), set()) != {card.url}:
                break
            box = parent
        boxes[card.url] = box
    return boxes


def _texts_in_order(soup: BeautifulSoup, links: dict[int, str]) -> dict[str, list[str]]:
    """Each response's words, by document order: a card's text follows its author and date link.

    Order, not nesting, is what holds when replies are nested inside the response they answer.
    ``<pre>`` holds the words on today's pages, ``.postArticle-content`` on older ones.
    """
    texts: dict[str, list[str]] = {}
    current: str | None = None
    for node in soup.descendants:
        if not isinstance(node, Tag):
            continue
        url = links.get(id(node))
        if url is not None:
            current = url
            continue
        if current is None:
            continue
        classes = node.get("class") or []
        if "postArticle-content" in classes:
            text = _block_text(node)
        elif (
            node.name == "pre"
            and node.find_parent(["pre"]) is None
            and not _inside_class(node, "postArticle-content")
        ):
            text = _inline_text(node)
        else:
            continue
        if text:
            texts.setdefault(current, []).append(text)
    return texts


def _inside_class(node: Tag, cls: str) -> bool:
    return node.find_parent(class_=cls) is not None


def _card_comment(
    card: _Card,
    box: Tag,
    words: list[str] | None,
    story: tuple[str | None, str | None, str | None, str | None],
    source: str,
    n: int,
) -> Record:
    title, story_url, story_id, story_author = story
    author = author_url = None
    for a in box.find_all("a", href=True):
        if not isinstance(a, Tag) or not _is_profile_link(_attr(a, "href") or ""):
            continue
        name = _flat(a.get_text(" "))
        if not name:
            img = a.find("img")
            alt = _attr(img, "alt") if isinstance(img, Tag) else None
            name = re.sub(r"^go to the profile of\s+", "", alt or "", flags=re.IGNORECASE).strip()
        author_url = author_url or _canonical_url(_attr(a, "href"))
        if name:
            author = name
            author_url = _canonical_url(_attr(a, "href"))
            break
    text = "\n\n".join(words) if words else _card_text(box, author)
    if not text:
        return InputError(
            "a response without text (is it collapsed, or only a picture?)",
            source=source,
            record=f"response {n} ({card.url})",
        )
    time_tag = box.find("time")
    created = _date(_attr(time_tag, "datetime")) if isinstance(time_tag, Tag) else None
    date_text = _flat(card.link.get_text(" "))
    extra = {"url": card.url, "kind": "response", "position": str(card.index)}
    if created is None and date_text:
        created = _parse_date_text(date_text)
        if created is not None:
            extra["date_precision"] = "day"
    if created is None and date_text and len(date_text) < 40:
        extra["date_text"] = date_text  # "Mar 24" or "2 days ago": no year, no anchor to count from
    if author_url:
        extra["author_profile"] = author_url
    if story_author and author_url and author_url.rstrip("/").lower() == story_author.rstrip("/").lower():
        extra["by_story_author"] = "true"
    return Comment(
        text=text,
        id=post_id_from_url(card.url) or card.url,
        author=author,
        created_at=created,
        post_id=story_id or card.story_id,
        post_title=title,
        post_url=story_url,
        source=source,
        status="published",
        extra=extra,
    )


def _card_text(box: Tag, author: str | None) -> str:
    """Words found inside the card itself, when none followed its link: paragraphs, not links."""
    body = box.select_one(".pw-post-body, .e-content, .p-content")
    if body is not None:
        return _block_text(body)
    paragraphs = [
        _inline_text(p) for p in box.find_all("p") if isinstance(p, Tag) and p.find_parent("a") is None
    ]
    skip = {author or "", "Reply", "Follow", ""}
    kept = [p for p in paragraphs if p not in skip and not re.fullmatch(r"[\d.,]+[KkMm]?", p)]
    return "\n\n".join(kept)


def _looks_like_medium(data: bytes, soup: BeautifulSoup) -> bool:
    low = data[:4_000_000].lower()
    if b"medium.com" in low or b"miro.medium" in low:
        return True
    site = _attr(soup.select_one("meta[property='og:site_name']"), "content")
    return (site or "").lower() == "medium"


def iter_medium_page(fh: IO[bytes], source: str, **_: object) -> Iterator[Record]:
    """Yield the responses of a story page saved from the browser ("Save Page As…").

    Only the responses loaded in the page when it was saved are there: open the responses and
    scroll to the last one first. "Webpage, complete", "HTML only" and "single file" (MHTML)
    saves are read; so is a single post file from the export, as one post.
    """
    try:
        data = fh.read(MAX_PAGE_BYTES + 1)
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", source=source)
        return
    if not isinstance(data, bytes):  # a text stream
        data = str(data).encode("utf-8", "surrogateescape")
    if len(data) > MAX_PAGE_BYTES:
        yield InputError(f"too large for a saved page (limit {MAX_PAGE_BYTES} bytes)", source=source)
        return
    if _is_mhtml(data):
        html = _html_from_mhtml(data)
        if html is None:
            yield InputError("an MHTML web archive without an HTML page in it", source=source)
            return
        data = html
    try:
        yield from _page_records(data, source)
    except Exception as exc:  # odd markup must become a reported error, not a crash
        log.debug("cannot parse %s", source, exc_info=True)
        yield InputError(f"cannot parse the page: {type(exc).__name__}: {exc}", source=source)


def _is_mhtml(data: bytes) -> bool:
    head = data[:4096].lstrip().lower()
    return head.startswith(b"from:") or (b"mime-version:" in head and b"multipart/related" in head)


def _html_from_mhtml(data: bytes) -> bytes | None:
    """The page of a "single file" save (MHTML: a MIME message whose first HTML part is the page)."""
    msg = email.message_from_bytes(data)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                charset = part.get_content_charset()
                if charset and charset.lower().replace("-", "") not in ("utf8", "usascii"):
                    try:
                        return payload.decode(charset, "replace").encode("utf-8")
                    except LookupError:
                        return payload
                return payload
    return None


def _page_records(data: bytes, source: str) -> Iterator[Record]:
    soup = _soup(data)
    if soup.select_one(".h-entry .e-content") is not None and soup.select_one("a.p-canonical, .u-url"):
        name = PurePosixPath(source.replace("\\", "/")).name
        post = _parse_post(data, name, source)
        if isinstance(post, InputError):
            yield post
        elif post.kind != "response":
            yield InputError(
                f"a {post.kind} from Medium's export, not a page with responses "
                f"(pass the whole export, zip or folder, to read its responses)",
                source=source,
            )
        elif not post.text.strip():
            yield InputError("the response has no text", source=source)
        else:
            yield _post_comment(post, source, {})
        return
    if not _looks_like_medium(data, soup):
        yield InputError("not a Medium story page (no medium.com links or markers in it)", source=source)
        return
    story = _story_info(soup)
    declared = _declared_count(soup)
    cards, links = _response_cards(soup, story[2])
    if not cards:
        if declared == 0:
            log.warning("%s: the story has no responses yet", source)
            return
        if declared:
            yield InputError(
                f"the page says {declared} responses but none is in it: open the responses "
                f"('See all responses'), let them load, then save the page again",
                source=source,
            )
            return
        yield InputError(
            "no responses recognised in the page: save it with the responses open, or the page's "
            "layout is one commentcare does not know yet",
            source=source,
        )
        return
    if story[2] is None:
        ids = {c.story_id for c in cards if c.story_id}
        if len(ids) == 1:
            story = (story[0], story[1], ids.pop(), story[3])
    boxes = _card_containers(soup, cards, links)
    texts = _texts_in_order(soup, links)
    for n, card in enumerate(cards, 1):
        yield _card_comment(card, boxes[card.url], texts.get(card.url), story, source, n)
    if declared is not None and declared > len(cards):
        log.warning(
            "%s: %d of the %d responses are in the page; load them all before saving to get the rest",
            source,
            len(cards),
            declared,
        )


# -- RSS 2.0 and Atom --------------------------------------------------------------------------------------


def _child_text(elem: Element, tag: str) -> str | None:
    child = elem.find(tag)
    if child is None:
        return None
    text = "".join(child.itertext()).strip()
    return text or None


def _rss_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return _date(value)
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def iter_rss(fh: IO[bytes], source: str, **_: object) -> Iterator[Record]:
    """Yield one comment per feed item (RSS 2.0 ``<item>`` or Atom ``<entry>``).

    DTDs and entities are refused (defusedxml): a feed never needs them and they are how XML
    bombs work. In Medium's feeds an item without categories is taken for a response, the one
    difference the feed shows (``extra["kind"]``).
    """
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        data = fh.read(MAX_FEED_BYTES + 1)
    except OSError as exc:
        yield InputError(f"cannot read: {exc.strerror or exc}", source=source)
        return
    if not isinstance(data, bytes):
        data = str(data).encode("utf-8", "surrogateescape")
    if len(data) > MAX_FEED_BYTES:
        yield InputError(f"too large for a feed (limit {MAX_FEED_BYTES} bytes)", source=source)
        return
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except ParseError as exc:
        line = getattr(exc, "position", (None, None))[0]
        yield InputError(
            f"not well-formed XML: {exc}", source=source, record=f"line {line}" if line else None
        )
        return
    except (DefusedXmlException, ValueError) as exc:
        yield InputError(
            f"refused: {type(exc).__name__} (DTDs and entities are not allowed in a feed)", source=source
        )
        return
    try:
        yield from _feed_records(root, source)
    except Exception as exc:  # odd content must become a reported error, not a crash
        log.debug("cannot read the feed %s", source, exc_info=True)
        yield InputError(f"cannot read the feed: {type(exc).__name__}: {exc}", source=source)


def _feed_records(root: Element, source: str) -> Iterator[Record]:
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is None:
            yield InputError("an RSS document without a <channel>", source=source)
            return
        medium = _is_medium_feed(channel)
        for n, item in enumerate(channel.iter("item"), 1):
            yield _rss_item(item, source, n, medium)
    elif root.tag == _ATOM + "feed":
        for n, entry in enumerate(root.iter(_ATOM + "entry"), 1):
            yield _atom_entry(entry, source, n)
    else:
        yield InputError(f"not an RSS 2.0 or Atom feed (root element <{root.tag}>)", source=source)


def _is_medium_feed(channel: Element) -> bool:
    generator = (_child_text(channel, "generator") or "").lower()
    link = (_child_text(channel, "link") or "").lower()
    return "medium" in generator or "medium.com" in link


def _rss_item(item: Element, source: str, n: int, medium: bool) -> Record:
    record = f"item {n}"
    html = _child_text(item, _CONTENT) or _child_text(item, "description") or ""
    text = _html_to_text(html)
    if not text:
        return InputError("the item has no text", source=source, record=record)
    link = _canonical_url(_child_text(item, "link"))
    guid = _child_text(item, "guid")
    categories = [c for c in (("".join(e.itertext())).strip() for e in item.findall("category")) if c]
    extra: dict[str, str] = {}
    if link:
        extra["url"] = link
    title = _child_text(item, "title")
    if title:
        extra["title"] = _flat(title)
    if categories:
        extra["categories"] = ", ".join(categories)
    if medium:
        extra["kind"] = "story" if categories else "response"
    created = _rss_date(_child_text(item, "pubDate")) or _date(_child_text(item, _ATOM_UPDATED))
    return Comment(
        text=text,
        id=post_id_from_url(guid) or post_id_from_url(link) or guid or link or str(n),
        author=_child_text(item, _DC_CREATOR) or _child_text(item, "author"),
        created_at=created,
        source=source,
        status="published",
        extra=extra,
    )


def _atom_entry(entry: Element, source: str, n: int) -> Record:
    record = f"entry {n}"
    content = entry.find(_ATOM + "content")
    if content is None:
        content = entry.find(_ATOM + "summary")
    raw = "".join(content.itertext()) if content is not None else ""
    text = (
        _html_to_text(raw) if content is not None and content.get("type") in ("html", "xhtml") else _flat(raw)
    )
    if not text:
        return InputError("the entry has no text", source=source, record=record)
    link = None
    for li in entry.findall(_ATOM + "link"):
        if li.get("rel", "alternate") == "alternate":
            link = _canonical_url(li.get("href"))
            break
    author = entry.find(_ATOM + "author")
    extra: dict[str, str] = {}
    if link:
        extra["url"] = link
    title = _child_text(entry, _ATOM + "title")
    if title:
        extra["title"] = _flat(title)
    entry_id = _child_text(entry, _ATOM + "id")
    return Comment(
        text=text,
        id=entry_id or link or str(n),
        author=_child_text(author, _ATOM + "name") if author is not None else None,
        author_url=_canonical_url(_child_text(author, _ATOM + "uri")) if author is not None else None,
        created_at=_date(_child_text(entry, _ATOM + "published")) or _date(_child_text(entry, _ATOM_UPDATED)),
        source=source,
        status="published",
        extra=extra,
    )
