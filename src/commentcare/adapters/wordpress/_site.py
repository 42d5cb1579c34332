"""The WordPress site: reads (comments, post titles, our own replies) and writes (status,
replies) over the REST API, each write checked on the site before it is tried again.
"""

from __future__ import annotations

import html
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter

from commentcare._errors import (
    AdapterError,
    AuthenticationError,
    CommentCareError,
    InputError,
    SiteUnavailableError,
)
from commentcare._types import Comment, Reply
from commentcare._version import __version__
from commentcare.adapters.wordpress._http import (
    _MAX_WAIT,
    DEFAULT_TIMEOUT,
    RETRY_STATUSES,
    _BasicAuth,
    _DuplicateError,
    _parse_retry_after,
    _plain,
    _reason,
    _TransientError,
    _wp_error,
    retrying_adapter,
)

__all__ = ["ENV_PASSWORD", "ENV_URL", "ENV_USER", "SiteInfo", "WordPressSite"]

log = logging.getLogger(__name__)

ENV_URL = "COMMENTCARE_WP_URL"
ENV_USER = "COMMENTCARE_WP_USER"
ENV_PASSWORD = "COMMENTCARE_WP_APP_PASSWORD"  # noqa: S105 - the variable's name, not a secret


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


T = TypeVar("T")

#: The largest answer read from the site; a page of 100 comments is well under 1 MiB.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Pages of a listing read at most (100 comments each), whatever ``X-WP-TotalPages`` says.
MAX_PAGES = 10_000


#: Pages of editors read at most (100 users a page): a site with more is not a blog with staff.
_MAX_EDITOR_PAGES = 20


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
        allow_http: bool = False,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self._url = _normalise_url(url)
        _check_scheme(self._url, allow_http)
        self._max_body = max_body_bytes
        self._max_pages = max_pages
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
        self._editors: frozenset[str] | None = None

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
                method,
                self._url + "/",
                params=query,
                json=body,
                timeout=self._timeout,
                allow_redirects=False,
                stream=True,  # the body is read below, up to max_body_bytes
            )
            self._read_body(response, what)
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

    def _read_body(self, response: requests.Response, what: str) -> None:
        """Read the answer's body, refusing one larger than ``max_body_bytes``: a page of 100
        comments is well under a megabyte, and a site must not make us hold gigabytes."""
        limit = self._max_body
        declared = response.headers.get("Content-Length", "")
        too_big = AdapterError(
            f"{self._url} answered {what} with more than {limit} bytes; refused (max_body_bytes)"
        )
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise too_big
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                response.close()
                raise too_big
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what .json() and .text read from now on
        response.close()

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
        except RecursionError as exc:
            raise AdapterError(f"{self._url} answered {what} with JSON nested too deeply to read") from exc
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
            if page > self._max_pages:
                raise AdapterError(
                    f"{self._url} has more than {self._max_pages} pages of {route}; stopped there "
                    "(narrow the run with --since or --post, or raise max_pages)"
                )
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

    def editors(self) -> frozenset[str]:
        """The ids of the site's users who can edit posts: their comments are the site's own.

        Read once, from ``/wp/v2/users?capabilities=edit_posts`` (WordPress 5.9 and later; the
        moderating account can list users). A site that does not say is read as having none, with
        a warning: no comment is then taken for the site's own by its user id.
        """
        if self._editors is None:
            found: set[str] = set()
            try:
                page = 1
                while page <= _MAX_EDITOR_PAGES:
                    users = self._get(
                        "/wp/v2/users", {"capabilities": "edit_posts", "per_page": 100, "page": page}
                    )
                    if not isinstance(users, list):
                        break
                    found.update(str(u["id"]) for u in users if isinstance(u, dict) and "id" in u)
                    if len(users) < 100:
                        break
                    page += 1
            except CommentCareError as exc:
                log.warning(
                    "%s: cannot list the users who edit posts (%s); staff comments are not recognised",
                    self._url,
                    exc,
                )
            self._editors = frozenset(found)
        return self._editors

    def _to_comment(self, item: Mapping[str, Any]) -> Comment:
        content = item.get("content")
        content = content if isinstance(content, dict) else {}
        raw = content.get("raw")  # only in the edit context; rendered HTML is the fallback
        text = _sound(raw if isinstance(raw, str) else _plain(str(content.get("rendered") or "")))
        post, parent, author = item.get("post"), item.get("parent"), item.get("author")
        extra = {"site": self._url}
        if item.get("link"):
            extra["link"] = str(item["link"])
        if author:
            extra["user_id"] = str(author)
        return Comment(
            text=text,
            id=str(item["id"]),
            author=_sound(author_name) if (author_name := _text_or_none(item.get("author_name"))) else None,
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
            staff=bool(author) and str(author) in self.editors(),
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

    def post_reply(self, comment: Comment, reply: Reply | str) -> str:
        """Post ``reply`` as our user's approved reply under ``comment``; returns the reply's id.

        WordPress takes a comment's content as HTML, so what is posted is the reply's HTML
        rendering (:attr:`Reply.html`, every value from a comment or a title escaped); a plain
        string is taken as text and escaped here. Escaping happens at this boundary and nowhere
        earlier, so the text stays readable everywhere else.

        After a failure whose outcome is unknown, and when WordPress calls the reply a
        duplicate, the site is searched for our reply before anything is posted again.
        """
        if not comment.id or not comment.post_id:
            raise ValueError("a reply needs the comment's id and post_id")
        cid = int(comment.id)
        content = reply.html if isinstance(reply, Reply) else _text_to_html(reply)
        body = {"post": int(comment.post_id), "parent": cid, "content": content, "status": "approve"}
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


_LOOPBACK = re.compile(r"^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$", re.IGNORECASE)


def _check_scheme(url: str, allow_http: bool) -> None:
    """Basic auth over plain HTTP hands the Application Password to anyone on the path: refuse it
    unless asked (``allow_http``); on loopback, where nothing is on the path, only warn."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return
    if _LOOPBACK.match(parts.netloc):
        log.warning("%s is plain HTTP: the Application Password is sent unencrypted (loopback only)", url)
        return
    if not allow_http:
        raise InputError(
            f"{url} is plain HTTP: the Application Password would cross the network unencrypted. "
            "Use https://, or pass allow_http=True (--allow-http) if you accept that risk"
        )
    log.warning("%s is plain HTTP: the Application Password is sent unencrypted (allowed)", url)


def _text_to_html(text: str) -> str:
    """Plain text as the HTML WordPress expects in a comment: escaped, line breaks kept."""
    return html.escape(text).replace("\n", "<br>\n")


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


def _sound(value: str) -> str:
    """Text a JSON answer decoded with lone surrogates ("\\ud800") in it, with U+FFFD there
    instead: such text cannot be encoded, written or reviewed, and the comment must still be."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


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
