"""A Medium story page saved from the browser ("Save Page As…", HTML or MHTML), with its responses."""

from __future__ import annotations

import email
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.adapters.medium._archive import _parse_post, _post_comment
from commentcare.adapters.medium._markup import (
    MEDIUM,
    _attr,
    _block_text,
    _canonical_url,
    _date,
    _flat,
    _inline_text,
    _is_profile_link,
    _parse_date_text,
    _soup,
    post_id_from_url,
)
from commentcare.io import Record

__all__ = ["MAX_PAGE_BYTES", "iter_medium_page"]

log = logging.getLogger(__name__)

#: A saved story page with hundreds of responses loaded is a few MiB.
MAX_PAGE_BYTES = 64 * 1024 * 1024

# The tracking parameter Medium adds to every link inside a response card, e.g.
# ?source=post_page---post_responses--<story id>----<n>----… (today) or
# ?source=responses-----<story id>----<n>----… (older pages). <n> is the card's position.
_RESPONSE_SOURCE = re.compile(r"(?:post_responses--|responses-----)([0-9a-f]*)----(\d+)-")
_RESPONSES_HEADING = re.compile(r"^\s*responses\s*\(\s*([\d,.]+)\s*([km]?)\s*\)\s*$", re.IGNORECASE)
_NO_RESPONSES = re.compile(r"^\s*no responses yet\s*$", re.IGNORECASE)


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
