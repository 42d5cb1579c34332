"""The Akismet endpoints, spoken to by the real ``akismet`` client from PyPI and by plain requests
of the exact shapes Akismet documents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from commentcare.feedback import FeedbackStore

from .serve_support import Server, ToLocal

akismet = pytest.importorskip("akismet")

BLOG = "http://blog.example"
SPAM = (
    "BUY CHEAP VIAGRA AND CIALIS ONLINE!!! No prescription needed, 90% discount, free shipping "
    "worldwide. Click here http://cheap-meds-4u.example/buy-now best prices guaranteed casino bonus"
)
PRAISE = "What a wonderful post, thank you so much! Really clear and helpful, I loved reading it."
RANT = "This is the stupidest garbage I have ever read. The author is a clueless idiot, you morons."


@contextmanager
def client(server: Server, key: str) -> Iterator[akismet.SyncClient]:
    """The real client, unvalidated (so that a wrong key reaches the endpoints), its HTTP pointed here."""
    with httpx.Client(
        transport=ToLocal(server.port), headers={"User-Agent": akismet.USER_AGENT}, timeout=10
    ) as http:
        yield akismet.SyncClient(config=akismet.Config(key=key, url=BLOG), http_client=http)


def test_real_client_verifies_the_key(server: Server, key: str) -> None:
    with akismet.SyncClient.validated_client(
        config=akismet.Config(key=key, url=BLOG),
        http_client=httpx.Client(transport=ToLocal(server.port), timeout=10),
    ) as c:
        assert c.verify_key() is True
    with client(server, "wrong-key") as c:
        assert c.verify_key() is False
    with httpx.Client(transport=ToLocal(server.port), timeout=10) as http, pytest.raises(akismet.APIKeyError):
        akismet.SyncClient.validated_client(
            config=akismet.Config(key="wrong-key", url=BLOG), http_client=http
        )


def test_real_client_checks_comments(server: Server, key: str) -> None:
    with client(server, key) as c:
        check(c)


def check(c: akismet.SyncClient) -> None:
    spam = c.comment_check(
        user_ip="203.0.113.66",
        comment_content=SPAM,
        comment_author="Cheap Meds Online",
        comment_author_email="sales@cheap-meds-4u.example",
        comment_author_url="http://cheap-meds-4u.example/buy-now",
        comment_type="comment",
        permalink=BLOG + "/a-post",
        user_agent="Mozilla/5.0",
    )
    assert spam is akismet.CheckResponse.DISCARD
    assert c.comment_check(user_ip="192.0.2.14", comment_content=PRAISE, comment_author="Dana") is (
        akismet.CheckResponse.HAM
    )
    assert c.comment_check(user_ip="192.0.2.15", comment_content=RANT) is akismet.CheckResponse.HAM


def test_real_client_wrong_key_raises(server: Server) -> None:
    with client(server, "nope") as c, pytest.raises(akismet.APIKeyError):
        c.comment_check(user_ip="192.0.2.1", comment_content=PRAISE)


def test_real_client_submissions_are_recorded(server: Server, key: str) -> None:
    with client(server, key) as c:
        assert c.submit_spam(user_ip="192.0.2.9", comment_content="a spam the model missed, sold as advice")
        assert c.submit_ham(user_ip="192.0.2.9", comment_content=SPAM + " (really a customer)")
    with FeedbackStore(server.feedback) as store:  # the server keeps it open: WAL lets us read
        got = {x.text: x for x in store.corrections()}
    missed = got["a spam the model missed, sold as advice"]
    assert (missed.correction, missed.source) == ("spam", "akismet")
    assert missed.verdict in {"spam", "rant", "praise", "complaint", "none"}
    ham = got[SPAM + " (really a customer)"]
    assert (ham.correction, ham.verdict) == ("ham", "spam")


def form(server: Server, path: str, data: dict[str, str], **kw: object) -> httpx.Response:
    return httpx.post(server.url + path, data=data, timeout=10, **kw)  # type: ignore[arg-type]


def test_plain_comment_check_shapes_and_headers(server: Server, key: str) -> None:
    r = form(
        server,
        "/1.1/comment-check",
        {
            "api_key": key,
            "blog": BLOG,
            "user_ip": "203.0.113.66",
            "comment_content": SPAM,
            "comment_author_url": "http://x.example",
        },
    )
    assert r.status_code == 200 and r.text == "true"
    assert r.headers["content-type"].startswith("text/plain")
    assert r.headers["X-akismet-pro-tip"] == "discard"
    assert r.headers["X-commentcare-label"] == "spam" and r.headers["X-commentcare-action"] == "remove"
    assert 0.9 <= float(r.headers["X-commentcare-confidence"]) <= 1
    assert "X-commentcare-respond-by" not in r.headers  # nobody answers spam

    r = form(
        server,
        "/1.1/comment-check",
        {
            "api_key": key,
            "blog": BLOG,
            "user_ip": "192.0.2.1",
            "comment_content": "My order #1234 never arrived and nobody answers my emails.",
        },
    )
    assert r.text == "false" and "X-akismet-pro-tip" not in r.headers
    assert r.headers["X-commentcare-label"] == "complaint"
    assert r.headers["X-commentcare-respond-by"].endswith("+00:00")


def test_plain_key_in_the_host_form(server: Server, key: str) -> None:
    data = {"blog": BLOG, "user_ip": "192.0.2.1", "comment_content": PRAISE}
    r = form(server, "/1.1/comment-check", data, headers={"Host": f"{key}.rest.akismet.com"})
    assert r.text == "false" and r.headers["X-commentcare-label"] == "praise"
    r = form(server, "/1.1/comment-check", data, headers={"Host": "wrong.rest.akismet.com"})
    assert r.text == "invalid" and r.headers["X-akismet-debug-help"]
    r = form(server, "/1.1/verify-key", {"blog": BLOG}, headers={"Host": f"{key}.rest.akismet.com"})
    assert r.text == "valid"


def test_plain_errors(server: Server, key: str) -> None:
    r = form(server, "/1.1/verify-key", {"api_key": "bad", "blog": BLOG})
    assert (r.status_code, r.text) == (200, "invalid") and r.headers["X-akismet-debug-help"]
    r = form(server, "/1.1/comment-check", {"api_key": key, "blog": BLOG, "comment_content": PRAISE})
    assert r.text == "Missing required field: user_ip."
    r = form(server, "/1.1/submit-spam", {"api_key": "bad", "blog": BLOG, "user_ip": "1.2.3.4"})
    assert r.text == "invalid"
    r = httpx.post(
        server.url + "/1.1/comment-check",
        content=b"api_key=%ZZ&blog=%%%",
        timeout=10,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400 and "malformed form body" in r.text
    r = httpx.post(
        server.url + "/1.1/comment-check",
        content=b"\xff\xfe=\x00",
        timeout=10,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400
    r = httpx.get(server.url + "/1.1/comment-check", timeout=10)
    assert r.status_code == 405


def test_no_key_or_text_in_the_logs(server: Server, key: str) -> None:
    form(
        server,
        "/1.1/comment-check",
        {
            "api_key": key,
            "blog": BLOG,
            "user_ip": "192.0.2.1",
            "comment_content": "a very particular sentence 93817",
        },
    )
    httpx.post(
        server.url + f"/v1alpha1/comments:analyze?key={key}",
        timeout=10,
        json={"comment": {"text": "zz"}, "requestedAttributes": {"SPAM": {}}},
    )
    logs = server.logs()
    assert "/1.1/comment-check" in logs and "comments:analyze" in logs
    assert key not in logs and "93817" not in logs
