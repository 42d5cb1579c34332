"""Fetching a writer's feed from Medium."""

from __future__ import annotations

import io
import logging
import re
from urllib.parse import quote, urlsplit

import requests

from commentcare._errors import AdapterError, InputError, SiteUnavailableError
from commentcare._types import Comment
from commentcare._version import __version__
from commentcare.adapters.medium._rss import iter_rss

__all__ = ["FEED_URL", "feed_url", "fetch_feed"]

log = logging.getLogger(__name__)

FEED_URL = "https://medium.com/feed/@{user}"
_USER = re.compile(r"^@?([A-Za-z0-9._-]{1,64})$")
_MAX_FEED = 32 * 1024 * 1024


def feed_url(username_or_url: str) -> str:
    """The feed of a Medium user: ``rowan``, ``@rowan``, a profile URL or a feed URL."""
    s = username_or_url.strip()
    if s.startswith(("http://", "https://")):
        parts = urlsplit(s)
        host = parts.netloc.lower()
        segments = [p for p in parts.path.split("/") if p]
        if host in ("medium.com", "www.medium.com") and len(segments) == 1 and segments[0].startswith("@"):
            return FEED_URL.format(user=quote(segments[0][1:], safe="._-"))
        return s
    m = _USER.match(s)
    if not m:
        raise InputError(f"not a Medium username or URL: {username_or_url!r}")
    return FEED_URL.format(user=m.group(1))


def fetch_feed(
    username_or_url: str,
    *,
    session: requests.Session | None = None,
    timeout: float = 10,
    responses_only: bool = False,
) -> list[Comment]:
    """The latest items of a writer's feed (Medium serves about ten), as comments.

    Items carry ``extra["kind"]``: "response" for an item without categories, "story" otherwise,
    which is the only difference Medium's feed shows. ``responses_only`` keeps the responses.
    Items that cannot be read are logged and left out; a feed that cannot be fetched or parsed
    raises :class:`AdapterError` (:class:`SiteUnavailableError` when the site did not answer).
    """
    url = feed_url(username_or_url)
    own = session is None
    http = requests.Session() if session is None else session
    try:
        data = _get(http, url, timeout)
    finally:
        if own:
            http.close()
    comments: list[Comment] = []
    for rec in iter_rss(io.BytesIO(data), url):
        if isinstance(rec, InputError):
            if rec.record is None:
                raise AdapterError(f"the feed at {url} cannot be read: {rec.reason}")
            log.warning("%s", rec)
            continue
        if responses_only and rec.extra.get("kind") != "response":
            continue
        comments.append(rec)
    return comments


def _get(http: requests.Session, url: str, timeout: float) -> bytes:
    headers = {
        "User-Agent": f"commentcare/{__version__} (feed reader)",
        "Accept": "application/rss+xml, application/atom+xml;q=0.9, application/xml;q=0.8, */*;q=0.1",
    }
    try:
        with http.get(url, headers=headers, timeout=timeout, stream=True) as resp:
            status = resp.status_code
            if status == 404:
                raise AdapterError(f"no feed at {url} (HTTP 404): is the username right?")
            if status == 429 or status >= 500:
                raise SiteUnavailableError(f"{url} answered HTTP {status}; try again later")
            if status >= 400:
                raise AdapterError(f"{url} refused the request (HTTP {status})")
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_content(64 * 1024):
                size += len(chunk)
                if size > _MAX_FEED:
                    raise AdapterError(f"the feed at {url} is larger than {_MAX_FEED} bytes")
                chunks.append(chunk)
            return b"".join(chunks)
    except requests.Timeout as exc:
        raise SiteUnavailableError(f"{url} did not answer within {timeout} s") from exc
    except requests.ConnectionError as exc:
        raise SiteUnavailableError(f"cannot reach {url}: {exc}") from exc
    except requests.RequestException as exc:
        raise AdapterError(f"fetching {url} failed: {exc}") from exc
