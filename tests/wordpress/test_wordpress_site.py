"""The site client against a real WordPress on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
import requests
from wordpress_support import AUTHOR, SEED, SeededPost, WordPress

from commentcare import AuthenticationError, Label
from commentcare.adapters.wordpress import WordPressSite

pytestmark = pytest.mark.wordpress


@pytest.fixture
def site(wordpress: WordPress) -> Iterator[WordPressSite]:
    with WordPressSite(wordpress.url, wordpress.user, wordpress.password, backoff=0.0) as site:
        yield site


def test_check_names_the_site_and_the_user(site: WordPressSite, wordpress: WordPress) -> None:
    info = site.check()
    assert info.name == "commentcare test site"
    assert info.user_id == wordpress.user_id


def test_lists_held_comments_with_raw_text_email_and_ip(site: WordPressSite, wordpress: WordPress) -> None:
    post = wordpress.session_post
    assert post is not None
    comments = {c.id: c for c in site.list_comments(post=post.post_id)}
    assert set(comments) == {str(i) for i in post.comments.values()}
    for label, cid in post.comments.items():
        comment, seed = comments[str(cid)], SEED[label]
        assert comment.text == seed["text"]
        assert comment.author == seed["author"]
        assert comment.author_email == seed["email"]
        assert comment.author_ip == seed["ip"]
        assert comment.author_url == (seed["url"] or None)
        assert comment.user_agent
        assert "Firefox" in comment.user_agent
        assert comment.created_at == datetime.fromisoformat(seed["date"]).replace(tzinfo=timezone.utc)
        assert comment.status == "hold"
        assert comment.post_id == str(post.post_id)
        assert comment.post_title == "The session's post"
        assert comment.post_url
        assert comment.post_url.startswith(wordpress.url)
        assert comment.source == "wordpress"
        assert comment.extra["site"] == wordpress.url


def test_reads_every_page(site: WordPressSite, wordpress: WordPress) -> None:
    post = wordpress.session_post
    assert post is not None
    one_by_one = site.list_comments(post=post.post_id, per_page=1)
    assert [c.id for c in one_by_one] == sorted((str(i) for i in post.comments.values()), key=int)


def test_since_keeps_the_later_comments(site: WordPressSite, wordpress: WordPress) -> None:
    post = wordpress.session_post
    assert post is not None
    since = datetime(2024, 3, 3, 10, 0, tzinfo=timezone.utc)  # the praise's exact time
    later = site.list_comments(post=post.post_id, since=since)
    assert {c.id for c in later} == {str(post.comments[Label.PRAISE]), str(post.comments[Label.COMPLAINT])}
    with pytest.raises(ValueError, match="timezone"):
        site.list_comments(since=datetime(2024, 3, 3))


def test_other_statuses_and_a_bad_one(site: WordPressSite, wordpress: WordPress) -> None:
    post = wordpress.session_post
    assert post is not None
    assert site.list_comments("spam", post=post.post_id) == []
    assert len(site.list_comments("all", post=post.post_id)) == 4
    with pytest.raises(ValueError, match="status"):
        site.list_comments("pending")


def test_set_status_and_setting_it_again(
    site: WordPressSite, wordpress: WordPress, seeded: SeededPost
) -> None:
    spam = seeded.comments[Label.SPAM]
    assert site.set_status(spam, "spam") == "spam"
    assert site.set_status(spam, "spam") == "spam"  # WordPress answers 500; the site is asked
    assert site.comment_status(spam) == "spam"
    assert site.set_status(spam, "trash") == "trash"
    assert site.set_status(spam, "approved") == "approved"
    assert wordpress.state(seeded)[Label.SPAM] == ("approved", [])


def test_post_reply_once(site: WordPressSite, wordpress: WordPress, seeded: SeededPost) -> None:
    (praise,) = (
        c for c in site.list_comments(post=seeded.post_id) if c.id == str(seeded.comments[Label.PRAISE])
    )
    assert site.find_reply(praise.id or "") is None
    reply_id = site.post_reply(praise, "Thank you, Dana!")
    assert site.find_reply(praise.id or "") == reply_id
    # the same reply again is a duplicate to WordPress (HTTP 409): we get the first one back
    assert site.post_reply(praise, "Thank you, Dana!") == reply_id
    status, replies = wordpress.state(seeded)[Label.PRAISE]
    assert (status, replies) == ("hold", [int(reply_id)])
    reply = site.list_comments("approved", post=seeded.post_id)
    assert [(c.id, c.parent_id, c.extra.get("user_id")) for c in reply] == [
        (reply_id, praise.id, str(wordpress.user_id))
    ]


def test_wrong_password_is_an_authentication_error(wordpress: WordPress) -> None:
    wrong = "abcd efgh ijkl mnop qrst uvwx"
    with (
        WordPressSite(wordpress.url, wordpress.user, wrong) as site,
        pytest.raises(AuthenticationError) as caught,
    ):
        site.check()
    message = str(caught.value)
    assert "401" in message
    assert "Application Password" in message
    assert wrong not in message
    assert wrong not in repr(site)


def test_a_user_who_may_not_moderate_is_told_so(wordpress: WordPress) -> None:
    with WordPressSite(wordpress.url, AUTHOR, wordpress.author_password) as site:
        with pytest.raises(AuthenticationError, match="Editor or an Administrator"):
            site.check()
        with pytest.raises(AuthenticationError, match="403"):
            site.list_comments()


def test_the_php_server_is_only_on_loopback(wordpress: WordPress) -> None:
    assert wordpress.url.startswith("http://127.0.0.1:")
    answer = requests.get(wordpress.url + "/?rest_route=/", timeout=10)
    assert answer.json()["namespaces"]


def test_a_comment_by_a_user_who_edits_posts_is_the_sites_own(
    site: WordPressSite, wordpress: WordPress
) -> None:
    post = wordpress.session_post
    assert post is not None
    answer = requests.post(
        f"{wordpress.url}/wp-json/wp/v2/comments",
        auth=(wordpress.user, wordpress.password),
        json={"post": post.post_id, "content": "Thanks all, we have fixed the link.", "status": "hold"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    mine = str(answer.json()["id"])
    try:
        comments = {c.id: c for c in site.list_comments("all", post=post.post_id)}
        assert comments[mine].staff
        assert not any(c.staff for cid, c in comments.items() if cid != mine)
        assert str(wordpress.user_id) in site.editors()
    finally:
        requests.delete(
            f"{wordpress.url}/wp-json/wp/v2/comments/{mine}",
            auth=(wordpress.user, wordpress.password),
            params={"force": "true"},
            timeout=30,
        )
