"""Medium's "Download your information" archive (zip or folder): one ``h-entry`` per
``posts/*.html``; responses told from stories by their shape.
"""

from __future__ import annotations

import logging
import os
import stat
import zipfile
import zlib
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from bs4 import Tag

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.adapters.medium._markup import (
    _BLOCKS,
    _POST_ID,
    _attr,
    _block_text,
    _canonical_url,
    _date,
    _flat,
    _soup,
    post_id_from_url,
)
from commentcare.io import Record, Source

__all__ = ["MAX_ARCHIVE_BYTES", "MAX_MEMBER_BYTES", "MAX_POSTS", "classify_post", "iter_medium_archive"]

log = logging.getLogger(__name__)

#: A post file of the export is a few KiB to a few hundred; more is not a Medium post (and an
#: HTML tree costs tens of times its size in memory).
MAX_MEMBER_BYTES = 4 * 1024 * 1024
#: Uncompressed bytes read from one archive in all, whatever the zip's headers claim.
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024
#: Posts read from one archive; a prolific writer has a few thousand.
MAX_POSTS = 100_000
#: Uncompressed bytes per compressed byte of a member. HTML compresses 5 to 10 times; a member
#: that expands more than this is a zip bomb. Checked on the bytes actually read, since the
#: decompressor never consumes more than the member's compressed size.
MAX_RATIO = 100


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
            if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 64 * 1024:
                yield InputError(
                    f"would expand {info.file_size // max(info.compress_size, 1)} times (limit {MAX_RATIO}): "
                    "a zip bomb, not a post; skipped",
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
            if len(data) > MAX_RATIO * max(info.compress_size, 1) and len(data) > 64 * 1024:
                yield InputError(
                    f"expands {len(data) // max(info.compress_size, 1)} times (limit {MAX_RATIO}): "
                    "a zip bomb, not a post; skipped",
                    source=source,
                    record=name,
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
