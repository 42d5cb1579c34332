"""WordPress: read comments over the REST API and write moderation decisions back.

    from commentcare.adapters.wordpress import AuditLog, WordPressSite, apply_plan, plan_moderation

    with WordPressSite.from_env() as site:      # COMMENTCARE_WP_URL, _USER, _APP_PASSWORD
        plan = plan_moderation(site.list_comments())          # held comments, every page
        result = apply_plan(site, plan, AuditLog("audit.jsonl"), post_replies=True)

Every write is made safe to repeat, because a moderation run can be cut off at any point:

* before each write the runner appends an *intent* record to the audit log and after it a *done*
  (or *failed*) record, so a later run knows what was in flight and checks it on the site;
* a reply is only posted when the site shows no reply by the same user under the comment, and a
  write whose outcome is unknown (timeout, dropped connection, 5xx) is checked on the site before
  it is tried again;
* a status the log says this tool already changed is not changed again, so a human's later
  decision stands.

Reads are retried by urllib3 (429, 5xx, dropped connections, timeouts) with backoff. The
Application Password is only ever handed to the HTTP auth hook: it is not kept in any attribute a
repr, log message, exception or audit record could show.
"""

from __future__ import annotations

import base64
import enum
import html
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from commentcare._errors import AdapterError, AuthenticationError, InputError, SiteUnavailableError
from commentcare._types import Action, Comment, Label, Review
from commentcare._version import __version__

__all__ = [
    "ACTION_STATUS",
    "ENV_PASSWORD",
    "ENV_URL",
    "ENV_USER",
    "AuditLog",
    "Outcome",
    "Phase",
    "PlanItem",
    "Reviewer",
    "RunResult",
    "SiteInfo",
    "WordPressSite",
    "apply_plan",
    "plan_moderation",
    "retrying_adapter",
]

log = logging.getLogger(__name__)

ENV_URL = "COMMENTCARE_WP_URL"
ENV_USER = "COMMENTCARE_WP_USER"
ENV_PASSWORD = "COMMENTCARE_WP_APP_PASSWORD"  # noqa: S105 - the variable's name, not a secret

#: (connect, read) seconds. WordPress on shared hosting can take a few seconds per page of 100.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 60.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_WAIT = 60.0  # the longest we sleep between two attempts, whatever Retry-After asks

# Our status names -> the ``status`` a query or an update sends ...
_QUERY_STATUS = {
    "hold": "hold",
    "approve": "approve",
    "approved": "approve",
    "spam": "spam",
    "trash": "trash",
    "all": "all",
    "any": "any",
}
# ... -> the status WordPress reports on a comment, which set_status aims at.
_REPORTED_STATUS = {
    "hold": "hold",
    "approve": "approved",
    "approved": "approved",
    "spam": "spam",
    "trash": "trash",
}

#: What each of the moderator's actions becomes on WordPress.
ACTION_STATUS: Mapping[Action, str] = {
    Action.REMOVE: "spam",
    Action.HOLD: "hold",
    Action.APPROVE_AND_REPLY: "approved",
}

T = TypeVar("T")


# -- HTTP ------------------------------------------------------------------------------------


class _Retry(Retry):
    """urllib3's Retry with Retry-After capped, so that a site cannot park a run for hours."""

    RETRY_AFTER_MAX: ClassVar[float] = _MAX_WAIT

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.RETRY_AFTER_MAX)


def retrying_adapter(retries: int = 3, backoff: float = 0.5) -> HTTPAdapter:
    """The transport a :class:`WordPressSite` mounts by default.

    Only reads are retried here: a POST to WordPress is not idempotent (a reply posted twice is
    two replies; a status set twice can be an HTTP 500), so writes go through
    :meth:`WordPressSite._write`, which checks the site before it tries again. Connection
    failures before anything was sent are retried for every method, which is safe.
    """
    retry = _Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        redirect=0,
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff,
        backoff_max=_MAX_WAIT,
        raise_on_status=False,  # the last 429/5xx comes back as a response we explain ourselves
        respect_retry_after_header=True,
    )
    return HTTPAdapter(max_retries=retry)


class _BasicAuth(requests.auth.AuthBase):
    """HTTP Basic auth that keeps the password out of reprs and ``vars()`` dumps."""

    __slots__ = ("_header", "user")

    def __init__(self, user: str, password: str) -> None:
        self.user = user
        self._header = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"<BasicAuth user={self.user!r} password=***>"


class _TransientError(SiteUnavailableError):
    """A failure that may pass: timeout, dropped connection, 429 or 5xx (after urllib3's retries)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _DuplicateError(AdapterError):
    """WordPress refused a comment as a duplicate (HTTP 409): the same reply is already there."""


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


def _reason(exc: BaseException) -> str:
    """A short reason for a transport error; requests' own messages run to several lines."""
    text = str(exc)
    found = _ERRNO.search(text)
    if found:
        return found.group(1).strip().lower()
    if isinstance(exc, requests.Timeout) or "timed out" in text:
        return "timed out"
    if "RemoteDisconnected" in text or "reset" in text.lower() or "aborted" in text.lower():
        return "the connection was dropped"
    return type(exc).__name__


def _wp_error(response: requests.Response) -> tuple[str, str]:
    """WordPress's error ``code`` and ``message`` from a JSON error body ('' when absent)."""
    try:
        data = response.json()
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    code = data.get("code")
    message = data.get("message")
    return (code if isinstance(code, str) else "", _plain(message) if isinstance(message, str) else "")


_TAG = re.compile(r"<[^>]+>")


def _plain(fragment: str) -> str:
    """Text of a small HTML fragment (titles, error messages), good enough for display."""
    return html.unescape(_TAG.sub("", fragment)).strip()


def _parse_retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds (a number or an HTTP date, read by urllib3), at most _MAX_WAIT."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return min(Retry(0).parse_retry_after(value), _MAX_WAIT)
    except InvalidHeader:
        return None


# -- the site ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What :meth:`WordPressSite.check` learnt: the site's name and who we are on it."""

    name: str
    url: str
    user_id: int
    user_name: str


@dataclass(frozen=True, slots=True)
class _PostInfo:
    title: str | None
    link: str | None


class WordPressSite:
    """One WordPress site, reached through its REST API with an Application Password.

    The user needs the ``moderate_comments`` capability (an Editor or an Administrator). Routes
    are addressed as ``?rest_route=``, which works whatever the site's permalink settings.
    ``transport`` replaces the retrying HTTP adapter (for tests, proxies or custom TLS).
    """

    def __init__(
        self,
        url: str,
        user: str,
        app_password: str,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: float = 0.5,
        transport: BaseAdapter | None = None,
    ) -> None:
        self._url = _normalise_url(url)
        if not user:
            raise InputError("a WordPress user name is required")
        if not app_password:
            raise InputError("an Application Password is required")
        self._user = user
        self._timeout = timeout
        self._retries = retries
        self._backoff = backoff
        self._session = requests.Session()
        self._session.auth = _BasicAuth(user, app_password)
        self._session.headers["User-Agent"] = f"commentcare/{__version__} (+WordPress REST API)"
        self._session.headers["Accept"] = "application/json"
        adapter = transport if transport is not None else retrying_adapter(retries, backoff)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._info: SiteInfo | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> WordPressSite:
        """A site from ``COMMENTCARE_WP_URL``, ``COMMENTCARE_WP_USER`` and
        ``COMMENTCARE_WP_APP_PASSWORD``, so that no password has to sit on a command line."""
        env = os.environ if environ is None else environ
        missing = [name for name in (ENV_URL, ENV_USER, ENV_PASSWORD) if not env.get(name)]
        if missing:
            raise InputError(f"set {', '.join(missing)}", source="environment")
        return cls(env[ENV_URL], env[ENV_USER], env[ENV_PASSWORD], **options)

    def __repr__(self) -> str:
        return f"WordPressSite(url={self._url!r}, user={self._user!r})"

    def __enter__(self) -> WordPressSite:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    @property
    def url(self) -> str:
        return self._url

    @property
    def user(self) -> str:
        return self._user

    @property
    def info(self) -> SiteInfo:
        """The site's name and our user id, fetched by :meth:`check` on first use."""
        return self._info if self._info is not None else self.check()

    # -- HTTP plumbing ---------------------------------------------------------------------

    def _call(
        self,
        method: str,
        route: str,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, object] | None = None,
    ) -> requests.Response:
        query: dict[str, str | int] = {"rest_route": route, **(params or {})}
        what = f"{method} {route}"
        log.debug("%s %s %s %s", method, self._url, route, params or "")
        try:
            response = self._session.request(
                method, self._url + "/", params=query, json=body, timeout=self._timeout, allow_redirects=False
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            # urllib3 reports a read timeout it gave up retrying as a connection error
            reason = _reason(exc)
            if reason == "timed out":
                raise _TransientError(f"{self._url} did not answer {what} in time") from exc
            raise _TransientError(f"cannot reach {self._url} for {what}: {reason}") from exc
        except requests.RequestException as exc:
            raise AdapterError(f"{what} on {self._url} failed: {_reason(exc)}") from exc
        self._raise_for_status(response, what)
        return response

    def _raise_for_status(self, response: requests.Response, what: str) -> None:
        status = response.status_code
        if status < 300:
            return
        code, message = _wp_error(response)
        detail = f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
        if status < 400:
            where = response.headers.get("Location", "elsewhere")
            raise AdapterError(
                f"{self._url} redirects {what} to {where}: give the site's final address (scheme and host)"
            )
        if status == 401:
            raise AuthenticationError(
                f"{self._url} did not accept user {self._user!r} with this Application Password ({detail}). "
                "Check the user name and the password; Application Passwords need HTTPS unless the "
                "site's environment type is 'local'"
            )
        if status == 403 and code != "rest_comment_closed":
            raise AuthenticationError(
                f"user {self._user!r} may not {what} on {self._url} ({detail}); "
                "moderating comments needs an Editor or an Administrator"
            )
        if status == 404 and code in ("", "rest_no_route"):
            raise SiteUnavailableError(f"{self._url} has no WordPress REST API for {what} ({detail})")
        if status == 409 and code == "comment_duplicate":
            raise _DuplicateError(f"{what} on {self._url}: {detail}")
        if status in RETRY_STATUSES or status >= 500:
            raise _TransientError(
                f"{self._url} failed {what} ({detail})", retry_after=_parse_retry_after(response)
            )
        raise AdapterError(f"{what} on {self._url} was refused ({detail})")

    def _json(self, response: requests.Response, what: str) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            kind = response.headers.get("Content-Type", "no content type")
            raise SiteUnavailableError(
                f"{self._url} answered {what} with {kind}, not JSON: "
                "is it a WordPress site with the REST API on?"
            ) from exc

    def _get(self, route: str, params: Mapping[str, str | int] | None = None) -> Any:
        return self._json(self._call("GET", route, params), f"GET {route}")

    def _write(self, what: str, attempt: Callable[[], T], verify: Callable[[], T | None]) -> T:
        """Run a write; when its outcome is unknown, ask the site whether it happened before
        trying again, so that retrying never doubles a reply."""
        last: _TransientError | None = None
        for n in range(self._retries + 1):
            try:
                return attempt()
            except _TransientError as exc:
                last = exc
                log.warning("%s: %s; checking whether it went through", what, exc)
            done = verify()
            if done is not None:
                log.info("%s had gone through", what)
                return done
            if n < self._retries:
                time.sleep(min(max(self._backoff * 2**n, last.retry_after or 0.0), _MAX_WAIT))
        raise SiteUnavailableError(f"{what} failed {self._retries + 1} times: {last}") from last

    # -- reads -----------------------------------------------------------------------------

    def check(self) -> SiteInfo:
        """Make sure the site has the REST API and that our user may moderate comments."""
        index = self._get("/")
        if not isinstance(index, dict) or "wp/v2" not in (index.get("namespaces") or ()):
            raise SiteUnavailableError(f"{self._url} does not offer the WordPress REST API (wp/v2)")
        me = self._get("/wp/v2/users/me", {"context": "edit"})
        if not isinstance(me, dict) or not isinstance(me.get("id"), int):
            raise AdapterError(f"{self._url} gave an unexpected answer about user {self._user!r}")
        capabilities = me.get("capabilities") or {}
        if not (isinstance(capabilities, dict) and capabilities.get("moderate_comments")):
            raise AuthenticationError(
                f"user {self._user!r} cannot moderate comments on {self._url}: "
                "it needs an Editor or an Administrator account"
            )
        self._info = SiteInfo(
            name=_plain(str(index.get("name") or "")),
            url=str(index.get("url") or self._url),
            user_id=me["id"],
            user_name=str(me.get("name") or self._user),
        )
        log.info("connected to %s as %s (user %d)", self._url, self._user, me["id"])
        return self._info

    def iter_comments(
        self,
        status: str = "hold",
        *,
        post: int | str | None = None,
        since: datetime | None = None,
        per_page: int = 100,
    ) -> Iterator[Comment]:
        """Comments with ``status`` (hold, approved, spam, trash, all), oldest first, every page.

        ``since`` (timezone-aware) keeps comments written at or after it. WordPress compares
        ``after`` with the site's local time, so a day of margin is asked for and the exact
        cut is made here on the UTC date.
        """
        params: dict[str, str | int] = {
            "context": "edit",  # raw text, e-mail, IP and user agent; needs moderate_comments
            "status": _query_status(status),
            "per_page": per_page,
            "orderby": "id",
            "order": "asc",
        }
        if post is not None:
            params["post"] = int(post)
        cut: datetime | None = None
        if since is not None:
            if since.utcoffset() is None:
                raise ValueError("since must be timezone-aware")
            cut = since.astimezone(timezone.utc)
            params["after"] = (cut - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
        posts: dict[str, _PostInfo] = {}  # titles already read, for the pages still to come
        batch: list[dict[str, Any]] = []
        for item in self._pages("/wp/v2/comments", params):
            batch.append(item)
            if len(batch) == per_page:
                yield from self._to_comments(batch, cut, posts)
                batch = []
        yield from self._to_comments(batch, cut, posts)

    def list_comments(
        self,
        status: str = "hold",
        *,
        post: int | str | None = None,
        since: datetime | None = None,
        per_page: int = 100,
    ) -> list[Comment]:
        """All of :meth:`iter_comments`: read everything before changing anything, so that the
        changes cannot shift the pages still to be read."""
        return list(self.iter_comments(status, post=post, since=since, per_page=per_page))

    def _pages(self, route: str, params: Mapping[str, str | int]) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            response = self._call("GET", route, {**params, "page": page})
            items = self._json(response, f"GET {route}")
            if not isinstance(items, list):
                raise AdapterError(
                    f"{self._url} answered GET {route} with {type(items).__name__}, not a list"
                )
            yield from (item for item in items if isinstance(item, dict))
            try:
                total = int(response.headers.get("X-WP-TotalPages", "1"))
            except ValueError:
                total = 1
            if page >= total or not items:
                return
            page += 1

    def _to_comments(
        self, items: Sequence[Mapping[str, Any]], cut: datetime | None, posts: dict[str, _PostInfo]
    ) -> list[Comment]:
        comments = [self._to_comment(item) for item in items]
        if cut is not None:
            comments = [c for c in comments if c.created_at is None or c.created_at >= cut]
        posts.update(self._posts({c.post_id for c in comments if c.post_id} - posts.keys()))
        return [_with_post(c, posts.get(c.post_id or "")) for c in comments]

    def _to_comment(self, item: Mapping[str, Any]) -> Comment:
        content = item.get("content")
        content = content if isinstance(content, dict) else {}
        raw = content.get("raw")  # only in the edit context; rendered HTML is the fallback
        text = raw if isinstance(raw, str) else _plain(str(content.get("rendered") or ""))
        post, parent, author = item.get("post"), item.get("parent"), item.get("author")
        extra = {"site": self._url}
        if item.get("link"):
            extra["link"] = str(item["link"])
        if author:
            extra["user_id"] = str(author)
        return Comment(
            text=text,
            id=str(item["id"]),
            author=_text_or_none(item.get("author_name")),
            author_email=_text_or_none(item.get("author_email")),
            author_url=_text_or_none(item.get("author_url")),
            author_ip=_text_or_none(item.get("author_ip")),
            user_agent=_text_or_none(item.get("author_user_agent")),
            created_at=_parse_gmt(item.get("date_gmt")),
            post_id=str(post) if post else None,
            parent_id=str(parent) if parent else None,
            source="wordpress",
            status=_text_or_none(item.get("status")),
            extra=extra,
        )

    def _posts(self, ids: Iterable[str]) -> dict[str, _PostInfo]:
        """Titles and links of the posts (or pages) the comments are on; replies and reports
        read better with them, but a comment is still moderated without."""
        wanted = sorted(ids, key=int)
        found: dict[str, _PostInfo] = dict.fromkeys(wanted, _PostInfo(None, None))
        if not wanted:
            return found
        for route in ("/wp/v2/posts", "/wp/v2/pages"):
            missing = [i for i in wanted if found[i].link is None]
            for start in range(0, len(missing), 100):
                chunk = missing[start : start + 100]
                params: dict[str, str | int] = {
                    "include": ",".join(chunk),
                    "per_page": 100,
                    "status": "any",  # comments on drafts and private posts are moderated too
                    "context": "edit",
                    "_fields": "id,title,link",
                }
                try:
                    posts = self._get(route, params)
                except (AuthenticationError, SiteUnavailableError):
                    raise
                except AdapterError as exc:
                    log.warning("could not read post titles from %s: %s", route, exc)
                    continue
                for post in posts if isinstance(posts, list) else ():
                    if not isinstance(post, dict) or str(post.get("id")) not in found:
                        continue
                    title = post.get("title")
                    raw = (title.get("raw") or title.get("rendered")) if isinstance(title, dict) else None
                    found[str(post["id"])] = _PostInfo(
                        _plain(raw) if isinstance(raw, str) else None, _text_or_none(post.get("link"))
                    )
        return found

    def comment_status(self, comment_id: int | str) -> str:
        """The status WordPress reports for one comment now (approved, hold, spam, trash)."""
        data = self._get(f"/wp/v2/comments/{int(comment_id)}", {"context": "edit", "_fields": "id,status"})
        return str(data.get("status")) if isinstance(data, dict) else ""

    def find_reply(self, comment_id: int | str) -> str | None:
        """The id of a reply under the comment by our user, in any status, or None."""
        params: dict[str, str | int] = {
            "parent": int(comment_id),
            "author": self.info.user_id,
            "status": "any",
            "context": "edit",
            "per_page": 1,
            "orderby": "id",
            "order": "asc",
            "_fields": "id",
        }
        items = self._get("/wp/v2/comments", params)
        if isinstance(items, list) and items and isinstance(items[0], dict):
            return str(items[0]["id"])
        return None

    # -- writes ----------------------------------------------------------------------------

    def set_status(self, comment_id: int | str, status: str) -> str:
        """Set a comment's status (approved, hold, spam, trash); returns it as WordPress reports it.

        WordPress can answer HTTP 500 (``rest_comment_failed_edit``) when the status is already
        the one asked for, as on a retry after a lost answer; that ends here as a success, since
        the site is asked before any retry.
        """
        target = _reported_status(status)
        cid = int(comment_id)
        what = f"setting comment {cid} to {target}"

        def attempt() -> str:
            response = self._call("POST", f"/wp/v2/comments/{cid}", body={"status": _query_status(target)})
            data = self._json(response, what)
            got = str(data.get("status")) if isinstance(data, dict) else ""
            if got != target:
                raise AdapterError(f"{what}: WordPress reports it as {got or 'unknown'}")
            return got

        def verify() -> str | None:
            return target if self.comment_status(cid) == target else None

        return self._write(what, attempt, verify)

    def post_reply(self, comment: Comment, text: str) -> str:
        """Post ``text`` as our user's approved reply under ``comment``; returns the reply's id.

        After a failure whose outcome is unknown, and when WordPress calls the reply a
        duplicate, the site is searched for our reply before anything is posted again.
        """
        if not comment.id or not comment.post_id:
            raise ValueError("a reply needs the comment's id and post_id")
        cid = int(comment.id)
        body = {"post": int(comment.post_id), "parent": cid, "content": text, "status": "approve"}
        what = f"replying to comment {cid}"

        def attempt() -> str:
            try:
                data = self._json(self._call("POST", "/wp/v2/comments", body=body), what)
            except _DuplicateError:
                existing = self.find_reply(cid)
                if existing is None:
                    raise
                return existing
            if not isinstance(data, dict) or "id" not in data:
                raise AdapterError(f"{what}: WordPress did not return the new comment")
            return str(data["id"])

        return self._write(what, attempt, lambda: self.find_reply(cid))


def _normalise_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("the site URL must start with https:// (or http://) and name a host")
    if parts.username or parts.password:
        raise InputError("put the user and the Application Password in their own settings, not in the URL")
    if parts.query or parts.fragment:
        raise InputError("the site URL must not carry a query or a fragment")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    host += f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{parts.path.rstrip('/')}"


def _query_status(status: str) -> str:
    try:
        return _QUERY_STATUS[status.lower()]
    except KeyError:
        raise ValueError(
            f"unknown comment status {status!r}; use one of hold, approved, spam, trash, all"
        ) from None


def _reported_status(status: str) -> str:
    try:
        return _REPORTED_STATUS[status.lower()]
    except KeyError:
        raise ValueError(f"cannot set a comment to {status!r}; use approved, hold, spam or trash") from None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _parse_gmt(value: object) -> datetime | None:
    if not isinstance(value, str) or not value or value.startswith("0000"):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _with_post(comment: Comment, post: _PostInfo | None) -> Comment:
    if post is None or post.link is None:
        return comment
    return replace(comment, post_title=post.title, post_url=post.link)


# -- the plan ---------------------------------------------------------------------------------

Reviewer = Callable[[Iterable[Comment]], Iterable[Review]]


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One comment, the moderator's review, and what that means on WordPress.

    ``reply`` is the text to post when replies are asked for, None when this comment gets
    none; ``why_no_reply`` then says why (for the dry-run report).
    """

    review: Review
    new_status: str
    reply: str | None
    why_no_reply: str = ""

    @property
    def comment(self) -> Comment:
        return self.review.comment

    @property
    def changes_status(self) -> bool:
        return self.comment.status != self.new_status


def plan_moderation(
    comments: Iterable[Comment], reviewer: Reviewer | None = None, *, reply_to_rants: bool = False
) -> list[PlanItem]:
    """Review ``comments`` and turn each review into a WordPress status and maybe a reply.

    Replies go to praise and complaints that are approved; never to spam nor to a comment
    held for a human, and to a rant only with ``reply_to_rants``. ``reviewer`` defaults to the
    shipped model's ``Moderator().review_many``.
    """
    comments = list(comments)
    if reviewer is None:
        from commentcare.moderation import Moderator

        reviewer = Moderator().review_many
    plan = []
    for comment, review in zip(comments, reviewer(comments), strict=True):
        if review.comment.id != comment.id:
            raise ValueError(f"the reviewer returned comment {review.comment.id} for comment {comment.id}")
        plan.append(_plan_one(review, reply_to_rants=reply_to_rants))
    return plan


def _plan_one(review: Review, *, reply_to_rants: bool) -> PlanItem:
    status = ACTION_STATUS[review.action]
    draft = review.reply
    if review.label is Label.SPAM or review.action is Action.REMOVE:
        return PlanItem(review, status, None, "spam never gets a reply")
    if draft is None:
        return PlanItem(review, status, None, "no reply was drafted")
    if review.label is Label.RANT:
        if reply_to_rants:
            return PlanItem(review, status, draft.text)
        return PlanItem(review, status, None, "rants get a reply only when asked (--reply-to-rants)")
    if review.action is not Action.APPROVE_AND_REPLY:
        return PlanItem(review, status, None, "held for a human, who replies")
    return PlanItem(review, status, draft.text)


# -- the audit log ----------------------------------------------------------------------------


class Phase(str, enum.Enum):
    """Where a write stood when its audit record was written."""

    INTENT = "intent"  # about to be sent; an intent with nothing after it was interrupted
    DONE = "done"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


class AuditLog:
    """An append-only JSON Lines file: one record per step of every write, flushed to disk
    before the next step, so that the file tells what a killed run was doing.

    A record holds ``time`` (UTC), ``run``, ``site``, ``user``, ``comment_id``, ``post_id``,
    ``op`` (``status`` or ``reply``), ``phase`` (intent, done, failed), ``old_status``,
    ``new_status``, ``reply_id``, ``label``, ``note`` and ``error``; never a password nor a
    comment's text.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._tail_checked = False

    def __repr__(self) -> str:
        return f"AuditLog({os.fspath(self.path)!r})"

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first; a line cut short by a crash is skipped."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        records = []
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                log.warning("%s:%d: skipping a line that is not JSON (cut short?)", self.path, number)
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def latest(self, site: str) -> dict[tuple[str, str], dict[str, Any]]:
        """The last record of each (comment id, op) on ``site``."""
        return {
            (str(r.get("comment_id")), str(r.get("op"))): r for r in self.records() if r.get("site") == site
        }

    def write(self, record: Mapping[str, Any]) -> dict[str, Any]:
        line = {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), **record}
        text = json.dumps(line, ensure_ascii=False, sort_keys=False) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            if not self._tail_checked:
                self._tail_checked = True
                if fh.tell() > 0 and not _ends_with_newline(self.path):
                    fh.write("\n")  # a killed run left half a line: keep ours whole
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        return line


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1) == b"\n"


# -- the run ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a run did about one comment: ``kind`` is changed, posted, skipped or failed."""

    comment_id: str
    op: str  # status or reply
    kind: str
    detail: str


@dataclass
class RunResult:
    """What :func:`apply_plan` did, comment by comment, with counts for the summary."""

    run_id: str
    outcomes: list[Outcome] = field(default_factory=list)

    def _count(self, kind: str, op: str | None = None) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind and (op is None or o.op == op))

    @property
    def changed(self) -> int:
        return self._count("changed", "status")

    @property
    def posted(self) -> int:
        return self._count("posted", "reply")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def failed(self) -> int:
        return self._count("failed")


class _Run:
    """One pass of :func:`apply_plan`; it holds what every step needs to write its audit record."""

    def __init__(self, site: WordPressSite, audit: AuditLog) -> None:
        self.site = site
        self.audit = audit
        self.result = RunResult(uuid.uuid4().hex[:12])
        self.latest = audit.latest(site.url)

    def record(self, item: PlanItem | None, comment_id: str, op: str, phase: Phase, **fields: Any) -> None:
        record: dict[str, Any] = {
            "run": self.result.run_id,
            "site": self.site.url,
            "user": self.site.user,
            "comment_id": comment_id,
            "post_id": item.comment.post_id if item is not None else None,
            "op": op,
            "phase": str(phase),
            "old_status": None,
            "new_status": None,
            "reply_id": None,
            "label": str(item.review.label) if item is not None else None,
            "note": None,
            "error": None,
        }
        record.update(fields)
        self.latest[(comment_id, op)] = self.audit.write(record)

    def outcome(self, comment_id: str, op: str, kind: str, detail: str) -> None:
        log.info("comment %s: %s %s (%s)", comment_id, op, kind, detail)
        self.result.outcomes.append(Outcome(comment_id, op, kind, detail))

    def resume(self) -> None:
        """Settle the writes an earlier run announced but never closed: ask the site whether
        each happened and record the answer, so that the log tells the whole story."""
        for (cid, op), last in list(self.latest.items()):
            if last.get("phase") != Phase.INTENT:
                continue
            keep = {k: last.get(k) for k in ("post_id", "label", "old_status", "new_status")}
            note = "settled after an interrupted run"
            if op == "reply":
                reply_id = self.site.find_reply(cid)
                if reply_id is not None:
                    self.record(None, cid, op, Phase.DONE, reply_id=reply_id, note=note, **keep)
                else:
                    self.record(
                        None,
                        cid,
                        op,
                        Phase.FAILED,
                        note=note,
                        error="interrupted before it was posted",
                        **keep,
                    )
            elif op == "status":
                try:
                    now = self.site.comment_status(cid)
                except (AuthenticationError, SiteUnavailableError):
                    raise
                except AdapterError as exc:
                    self.record(None, cid, op, Phase.FAILED, note=note, error=str(exc), **keep)
                    continue
                if now == last.get("new_status"):
                    self.record(None, cid, op, Phase.DONE, note=note, **keep)
                else:
                    self.record(
                        None, cid, op, Phase.FAILED, note=note, error=f"interrupted; status is {now}", **keep
                    )

    def reply(self, item: PlanItem, text: str) -> None:
        cid = str(item.comment.id)
        last = self.latest.get((cid, "reply"))
        if last is not None and last.get("phase") == Phase.DONE:
            self.outcome(cid, "reply", "skipped", f"replied in an earlier run (reply {last.get('reply_id')})")
            return
        existing = self.site.find_reply(cid)
        if existing is not None:
            self.outcome(cid, "reply", "skipped", f"{self.site.user} already replied (reply {existing})")
            return
        self.record(item, cid, "reply", Phase.INTENT)
        try:
            reply_id = self.site.post_reply(item.comment, text)
        except AdapterError as exc:
            self.record(item, cid, "reply", Phase.FAILED, error=str(exc))
            self.outcome(cid, "reply", "failed", str(exc))
            raise
        self.record(item, cid, "reply", Phase.DONE, reply_id=reply_id)
        self.outcome(cid, "reply", "posted", f"reply {reply_id}")

    def status(self, item: PlanItem) -> None:
        cid = str(item.comment.id)
        old, new = item.comment.status, item.new_status
        last = self.latest.get((cid, "status"))
        if last is not None and last.get("phase") == Phase.DONE:
            # Someone changed it after this tool did: their decision stands.
            detail = f"an earlier run set it to {last.get('new_status')}, it is {old} now: left as it is"
            self.outcome(cid, "status", "skipped", detail)
            return
        self.record(item, cid, "status", Phase.INTENT, old_status=old, new_status=new)
        try:
            self.site.set_status(cid, new)
        except AdapterError as exc:
            self.record(item, cid, "status", Phase.FAILED, old_status=old, new_status=new, error=str(exc))
            self.outcome(cid, "status", "failed", str(exc))
            raise
        self.record(item, cid, "status", Phase.DONE, old_status=old, new_status=new)
        self.outcome(cid, "status", "changed", f"{old} -> {new}")


def apply_plan(
    site: WordPressSite,
    plan: Iterable[PlanItem],
    audit: AuditLog,
    *,
    change_statuses: bool = True,
    post_replies: bool = False,
) -> RunResult:
    """Carry out a plan on the site, recording every write in ``audit``.

    A comment's reply is posted before its status changes: a run cut off in between leaves
    the comment where the next run lists it again, finds the reply and only changes the status.
    Errors about one comment (it was deleted, comments are closed) are recorded and the run
    goes on; a wrong password or an unreachable site stops it, to be resumed by running again.
    """
    run = _Run(site, audit)
    if change_statuses or post_replies:
        run.resume()
    for item in plan:
        try:
            if post_replies and item.reply is not None:
                run.reply(item, item.reply)
            if change_statuses and item.changes_status:
                run.status(item)
        except (AuthenticationError, SiteUnavailableError):
            raise
        except AdapterError:
            continue  # recorded and counted; a failed reply leaves the status for the next run
    return run.result
