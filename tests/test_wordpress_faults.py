"""The WordPress client under faults: 429, 5xx, timeouts, reset connections, wrong passwords and
sites without the REST API.

A small stand-in for WordPress's REST API runs in a thread on 127.0.0.1, so that the real
transport (requests, urllib3's Retry on an HTTPAdapter) is what gets tested; each test scripts
the faults it wants. The real WordPress is in tests/wordpress/.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from commentcare import (
    Action,
    AdapterError,
    AuthenticationError,
    Classification,
    Comment,
    Label,
    Reply,
    Review,
    SiteUnavailableError,
)
from commentcare.adapters.wordpress import AuditLog, WordPressSite, apply_plan, plan_moderation
from commentcare.adapters.wordpress import _http as wp

USER, PASSWORD = "editor", "abcd EFGH ijkl MNOP qrst UVWX"


@dataclass
class Fault:
    """What to do to the next ``times`` requests that match ``method`` and ``route``.

    ``kind``: an HTTP ``status`` with a WordPress error; ``reset`` the connection before
    answering; ``apply-then-reset`` (do the write, lose the answer); ``delay`` the answer by
    ``seconds``; ``html``, a web page with ``status`` (a site without the REST API).
    """

    kind: str
    method: str | None = None
    route: str | None = None
    status: int = 500
    seconds: float = 0.0
    retry_after: str | None = None
    times: int = 1


@dataclass
class FakeWordPress:
    """Just enough of WordPress's REST API for the client, with faults on demand."""

    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    seen: list[tuple[str, str]] = field(default_factory=list)
    can_moderate: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def add(self, cid: int, text: str, status: str = "hold", parent: int = 0, author: int = 0) -> None:
        self.comments[cid] = {
            "id": cid,
            "post": 1,
            "parent": parent,
            "author": author,
            "author_name": f"Reader {cid}",
            "author_email": f"reader{cid}@example.com",
            "author_url": "",
            "author_ip": "192.0.2.1",
            "author_user_agent": "test",
            "date_gmt": f"2024-01-{(cid % 28) + 1:02d}T12:00:00",
            "content": {"raw": text, "rendered": f"<p>{text}</p>"},
            "link": f"{self.url}/?p=1#comment-{cid}",
            "status": status,
            "type": "comment",
        }

    def take_fault(self, method: str, route: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.method in (None, method) and fault.route in (None, route):
                    fault.times -= 1
                    return fault
        return None


def _handler(fake: FakeWordPress) -> type[BaseHTTPRequestHandler]:
    auth = "Basic " + __import__("base64").b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _reset(self) -> None:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

        def _serve(self, method: str) -> None:
            query = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
            route = query.pop("rest_route", "")
            body = {}
            if method == "POST":
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
            fake.seen.append((method, route))
            fault = fake.take_fault(method, route)
            if fault is not None:
                if fault.kind == "reset":
                    return self._reset()
                if fault.kind == "delay":
                    time.sleep(fault.seconds)
                elif fault.kind == "html":
                    page = b"<html><body>Hello</body></html>"
                    self.send_response(fault.status)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return None
                elif fault.kind == "status":
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    return self._send(fault.status, {"code": "fake_fault", "message": "injected"}, headers)
            if self.headers.get("Authorization") != auth:
                return self._send(401, {"code": "rest_not_logged_in", "message": "You are not logged in."})
            status, payload, headers = self._route(method, route, query, body)
            if fault is not None and fault.kind == "apply-then-reset":
                return self._reset()
            return self._send(status, payload, headers)

        def _route(
            self, method: str, route: str, query: dict[str, str], body: dict[str, Any]
        ) -> tuple[int, Any, dict[str, str]]:
            if route == "/":
                return 200, {"name": "Fake &amp; Co", "url": fake.url, "namespaces": ["wp/v2"]}, {}
            if route == "/wp/v2/users/me":
                caps = {"moderate_comments": fake.can_moderate}
                return 200, {"id": 7, "name": USER, "capabilities": caps}, {}
            if route in ("/wp/v2/posts", "/wp/v2/pages"):
                return (
                    200,
                    [{"id": 1, "title": {"raw": "Hello &amp; welcome"}, "link": f"{fake.url}/?p=1"}],
                    {},
                )
            if route == "/wp/v2/comments" and method == "GET":
                return self._list(query)
            if route == "/wp/v2/comments" and method == "POST":
                return self._create(body)
            if route.startswith("/wp/v2/comments/"):
                cid = int(route.rsplit("/", 1)[1])
                if cid not in fake.comments:
                    return 404, {"code": "rest_comment_invalid_id", "message": "Invalid comment ID."}, {}
                if method == "POST":
                    new = {"approve": "approved"}.get(body["status"], body["status"])
                    if fake.comments[cid]["status"] == new:
                        return 500, {"code": "rest_comment_failed_edit", "message": "Updating failed."}, {}
                    fake.comments[cid]["status"] = new
                return 200, fake.comments[cid], {}
            return 404, {"code": "rest_no_route", "message": "No route was found."}, {}

        def _list(self, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
            wanted = {"approve": "approved", "hold": "hold", "spam": "spam", "trash": "trash"}.get(
                query["status"]
            )
            items = [
                c
                for c in sorted(fake.comments.values(), key=lambda c: c["id"])
                if (wanted is None or c["status"] == wanted)
                and ("parent" not in query or c["parent"] == int(query["parent"]))
                and ("author" not in query or c["author"] == int(query["author"]))
            ]
            per_page, page = int(query.get("per_page", 10)), int(query.get("page", 1))
            pages = max(1, -(-len(items) // per_page))
            chunk = items[(page - 1) * per_page : page * per_page]
            return 200, chunk, {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(pages)}

        def _create(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
            for c in fake.comments.values():
                if c["parent"] == body["parent"] and c["content"]["raw"] == body["content"]:
                    return 409, {"code": "comment_duplicate", "message": "Duplicate comment detected."}, {}
            cid = max(fake.comments, default=0) + 1
            fake.add(cid, body["content"], status="approved", parent=body["parent"], author=7)
            return 201, fake.comments[cid], {}

        def finish(self) -> None:
            with contextlib.suppress(OSError):  # reset on purpose, or the client timed out
                super().finish()

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # resets and client timeouts are what these tests are about


@pytest.fixture
def fake() -> Iterator[FakeWordPress]:
    fake = FakeWordPress()
    server = _Server(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _site(fake: FakeWordPress, **options: Any) -> WordPressSite:
    options.setdefault("backoff", 0.0)
    options.setdefault("timeout", 2.0)
    return WordPressSite(fake.url, USER, PASSWORD, **options)


def _review(comment: Comment, label: Label, action: Action) -> Review:
    reply = () if label is Label.SPAM else (Reply(f"Thanks, {comment.author}!", "", f"{label}.x"),)
    scores = dict.fromkeys(Label, 0.25)
    return Review(comment, Classification(label, 0.9, scores, False, "t"), action, 1, None, (), reply)


# -- reads ------------------------------------------------------------------------------------


def test_reads_every_page_and_maps_fields(fake: FakeWordPress) -> None:
    for cid in range(1, 8):
        fake.add(cid, f"comment {cid}")
    fake.add(8, "approved one", status="approved")
    with _site(fake) as site:
        comments = site.list_comments(per_page=3)
    assert [c.id for c in comments] == [str(i) for i in range(1, 8)]
    assert [route for method, route in fake.seen].count("/wp/v2/comments") == 3
    first = comments[0]
    assert (first.text, first.author_email, first.author_ip, first.status) == (
        "comment 1",
        "reader1@example.com",
        "192.0.2.1",
        "hold",
    )
    assert first.created_at == datetime(2024, 1, 2, 12, tzinfo=timezone.utc)
    assert first.post_title == "Hello & welcome"


def test_429_and_500_are_retried(fake: FakeWordPress) -> None:
    fake.add(1, "hello")
    fake.faults += [
        Fault("status", "GET", "/wp/v2/comments", status=429, retry_after="0"),
        Fault("status", "GET", "/wp/v2/comments", status=503),
        Fault("status", "GET", "/wp/v2/comments", status=500),
    ]
    with _site(fake) as site:
        assert [c.id for c in site.list_comments()] == ["1"]
    assert [route for _, route in fake.seen].count("/wp/v2/comments") == 4


def test_retry_after_is_respected_but_capped(fake: FakeWordPress, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wp._Retry, "RETRY_AFTER_MAX", 0.3)
    fake.faults.append(Fault("status", "GET", "/", status=429, retry_after="3600"))
    started = time.monotonic()
    with _site(fake) as site:
        site.check()
    assert 0.25 <= time.monotonic() - started < 5


def test_reset_connections_are_retried(fake: FakeWordPress) -> None:
    fake.add(1, "hello")
    fake.faults.append(Fault("reset", "GET", "/wp/v2/comments", times=2))
    with _site(fake) as site:
        assert len(site.list_comments()) == 1


def test_a_slow_answer_is_retried_then_given_up(fake: FakeWordPress) -> None:
    fake.faults.append(Fault("delay", "GET", "/", seconds=0.6))
    with _site(fake, timeout=0.3) as site:
        site.check()  # the first attempt times out, the retry answers
        fake.faults.append(Fault("delay", "GET", "/", seconds=0.6, times=10))
        with pytest.raises(SiteUnavailableError, match="did not answer GET / in time"):
            site.check()


def test_persistent_5xx_is_site_unavailable(fake: FakeWordPress) -> None:
    fake.faults.append(Fault("status", "GET", "/", status=502, times=10))
    with _site(fake, retries=2) as site, pytest.raises(SiteUnavailableError, match="HTTP 502"):
        site.check()
    assert len(fake.seen) == 3


def test_nothing_listening_is_site_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        site = WordPressSite(f"http://127.0.0.1:{port}", USER, PASSWORD, backoff=0.0)
        with site, pytest.raises(SiteUnavailableError, match="cannot reach") as caught:
            site.check()
    assert isinstance(caught.value.__cause__, Exception)  # raised from the transport's error


def test_a_site_without_the_rest_api(fake: FakeWordPress) -> None:
    fake.faults.append(Fault("html", "GET", "/", status=200))
    with _site(fake) as site, pytest.raises(SiteUnavailableError, match="not JSON"):
        site.check()
    fake.faults.append(Fault("html", "GET", "/", status=404))
    with _site(fake) as site, pytest.raises(SiteUnavailableError, match="no WordPress REST API"):
        site.check()


def test_wrong_password_and_missing_rights(fake: FakeWordPress) -> None:
    wrong = WordPressSite(fake.url, USER, "wrong password here")
    with wrong, pytest.raises(AuthenticationError, match="did not accept user 'editor'") as caught:
        wrong.check()
    assert "wrong password here" not in str(caught.value)
    fake.can_moderate = False
    with _site(fake) as site, pytest.raises(AuthenticationError, match="cannot moderate comments"):
        site.check()
    fake.faults.append(Fault("status", "GET", "/wp/v2/comments", status=403))
    with _site(fake) as site, pytest.raises(AuthenticationError, match="403"):
        site.list_comments()


def test_a_redirect_is_not_followed(fake: FakeWordPress) -> None:
    fake.faults.append(Fault("status", "GET", "/", status=301))
    with _site(fake) as site, pytest.raises(AdapterError, match="redirects"):
        site.check()


# -- writes -----------------------------------------------------------------------------------


def test_a_reply_whose_answer_was_lost_is_not_posted_twice(fake: FakeWordPress) -> None:
    fake.add(1, "great post")
    fake.faults.append(Fault("apply-then-reset", "POST", "/wp/v2/comments"))
    with _site(fake) as site:
        (comment,) = site.list_comments()
        reply_id = site.post_reply(comment, "Thank you!")
    replies = [c for c in fake.comments.values() if c["parent"] == 1]
    assert [str(c["id"]) for c in replies] == [reply_id]
    assert fake.seen.count(("POST", "/wp/v2/comments")) == 1  # found, not posted again


def test_a_reply_that_failed_is_posted_again(fake: FakeWordPress) -> None:
    fake.add(1, "great post")
    fake.faults += [
        Fault("reset", "POST", "/wp/v2/comments"),
        Fault("status", "POST", "/wp/v2/comments", status=503, retry_after="0"),
        Fault("delay", "POST", "/wp/v2/comments", seconds=0.6),  # times out, then is done anyway
    ]
    with _site(fake, timeout=0.3) as site:
        (comment,) = site.list_comments()
        reply_id = site.post_reply(comment, "Thank you!")
    replies = [c for c in fake.comments.values() if c["parent"] == 1]
    assert [str(c["id"]) for c in replies] == [reply_id]


def test_a_status_change_whose_answer_was_lost(fake: FakeWordPress) -> None:
    fake.add(1, "buy pills")
    fake.faults.append(Fault("apply-then-reset", "POST", "/wp/v2/comments/1"))
    with _site(fake) as site:
        assert site.set_status(1, "spam") == "spam"
        assert site.set_status(1, "spam") == "spam"  # WordPress's 500 for "already so"
    assert fake.comments[1]["status"] == "spam"


def test_writes_give_up_after_the_retries(fake: FakeWordPress) -> None:
    fake.add(1, "buy pills")
    fake.faults.append(Fault("status", "POST", "/wp/v2/comments/1", status=500, times=10))
    with _site(fake, retries=2) as site, pytest.raises(SiteUnavailableError, match="failed 3 times"):
        site.set_status(1, "spam")
    assert fake.seen.count(("POST", "/wp/v2/comments/1")) == 3


def test_a_deleted_comment_fails_alone_and_the_run_goes_on(fake: FakeWordPress, tmp_path: Path) -> None:
    fake.add(1, "buy pills")
    fake.add(2, "more pills")
    with _site(fake) as site:
        comments = site.list_comments()
        del fake.comments[1]  # deleted by someone between listing and writing
        plan = plan_moderation(comments, lambda cs: [_review(c, Label.SPAM, Action.REMOVE) for c in cs])
        result = apply_plan(site, plan, AuditLog(tmp_path / "audit.jsonl"))
    assert [(o.comment_id, o.kind) for o in result.outcomes] == [("1", "failed"), ("2", "changed")]
    assert fake.comments[2]["status"] == "spam"


def test_an_unreachable_site_stops_the_run(fake: FakeWordPress, tmp_path: Path) -> None:
    fake.add(1, "buy pills")
    fake.add(2, "more pills")
    audit = AuditLog(tmp_path / "audit.jsonl")
    with _site(fake, retries=1) as site:
        plan = plan_moderation(
            site.list_comments(), lambda cs: [_review(c, Label.SPAM, Action.REMOVE) for c in cs]
        )
        fake.faults.append(Fault("status", None, None, status=503, times=100))
        with pytest.raises(SiteUnavailableError):
            apply_plan(site, plan, audit)
    assert [r["phase"] for r in audit.records()] == ["intent", "failed"]  # and the second was not tried


# -- the password stays secret ----------------------------------------------------------------


def test_the_password_never_shows(
    fake: FakeWordPress, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    encoded = __import__("base64").b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    fake.add(1, "great post")
    errors: list[BaseException] = []
    audit = AuditLog(tmp_path / "audit.jsonl")
    with _site(fake, retries=1) as site:
        fake.faults += [Fault("reset", times=3), Fault("status", status=500, times=3)]
        for _ in range(3):
            try:
                site.check()
            except AdapterError as exc:
                errors.append(exc)
        plan = plan_moderation(
            site.list_comments(), lambda cs: [_review(c, Label.PRAISE, Action.APPROVE_AND_REPLY) for c in cs]
        )
        apply_plan(site, plan, audit, post_replies=True)
        shown = [repr(site), str(vars(site)), repr(site._session.auth), caplog.text, audit.path.read_text()]
    with WordPressSite(fake.url, USER, PASSWORD + "x") as wrong:
        try:
            wrong.check()
        except AdapterError as exc:
            errors.append(exc)
    assert errors
    for error in errors:
        cause: BaseException | None = error
        while cause is not None:
            shown += [str(cause), repr(cause)]
            cause = cause.__cause__ or cause.__context__
    for text in shown:
        assert PASSWORD not in text
        assert PASSWORD.replace(" ", "") not in text
        assert encoded not in text


def test_from_env_needs_all_three(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"COMMENTCARE_WP_URL": "https://blog.example/", "COMMENTCARE_WP_USER": "u"}
    with pytest.raises(ValueError, match="COMMENTCARE_WP_APP_PASSWORD"):
        WordPressSite.from_env(env)
    site = WordPressSite.from_env({**env, "COMMENTCARE_WP_APP_PASSWORD": "p q r"})
    assert repr(site) == "WordPressSite(url='https://blog.example', user='u')"
    site.close()
