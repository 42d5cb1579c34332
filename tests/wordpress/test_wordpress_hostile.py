"""Issue #18 against a real WordPress: a post title that carries HTML must never come back out of
our account as live HTML. The adapter posts the reply's HTML rendering, where every value is
escaped; an Administrator's reply keeps whatever HTML it is given, so this is the boundary."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from wordpress_support import WordPress, make_review

from commentcare import Comment, Label, Reply, Review
from commentcare.adapters.wordpress import AuditLog, WordPressSite, apply_plan, plan_moderation

pytestmark = pytest.mark.wordpress

TITLE = "&lt;img src=x onerror=alert(1)&gt;"  # as WordPress stores a title typed with tags


def _content(wordpress: WordPress, comment_id: int) -> str:
    code = f"echo json_encode(get_comment({comment_id})->comment_content);"
    return str(wordpress.php(code))


def _replies(wordpress: WordPress, parent: int) -> list[int]:
    code = f"""echo json_encode(array_map('intval', get_comments(array('parent' => {parent},
        'status' => 'any', 'fields' => 'ids'))));"""
    return [int(i) for i in wordpress.php(code)]


def _title_reviewer(comments: Iterable[Comment]) -> Iterator[Review]:
    """A praise review whose reply quotes the post's title, rendered as the reply pack does."""
    for comment in comments:
        review = make_review(comment, Label.PRAISE)
        text = f'Thank you for reading "{comment.post_title}"!'
        reply = Reply(text=text, html=html.escape(text).replace("\n", "<br>\n"), template="praise.1")
        yield dataclasses.replace(review, replies=(reply,))


def test_a_title_carrying_html_is_posted_escaped(wordpress: WordPress, tmp_path: Path) -> None:
    post = wordpress.seed_post(title=TITLE, labels=[Label.PRAISE])
    with WordPressSite(wordpress.url, wordpress.user, wordpress.password, backoff=0.0) as site:
        comments = site.list_comments(post=post.post_id)
        assert comments[0].post_title == "<img src=x onerror=alert(1)>"  # text, unescaped once
        plan = plan_moderation(comments, _title_reviewer)
        result = apply_plan(site, plan, AuditLog(tmp_path / "audit.jsonl"), post_replies=True)
        assert result.posted == 1
        (reply_id,) = _replies(wordpress, post.comments[Label.PRAISE])
        stored = _content(wordpress, reply_id)
        assert "<img" not in stored and "&lt;img src=x onerror=alert(1)&gt;" in stored

        # a plain string given to post_reply is text too: escaped at the boundary
        other = wordpress.seed_post(labels=[Label.COMPLAINT])
        (held,) = site.list_comments(post=other.post_id)
        reply_id = int(site.post_reply(held, "<script>alert(1)</script> we are on it"))
        assert _content(wordpress, reply_id) == "&lt;script&gt;alert(1)&lt;/script&gt; we are on it"

        # the control: WordPress keeps the HTML our account sends, so escaping is ours to do
        third = wordpress.seed_post(labels=[Label.PRAISE])
        (praise,) = site.list_comments(post=third.post_id)
        raw = Reply(text="x", html="<b>kept as sent</b>", template="praise.1")
        assert _content(wordpress, int(site.post_reply(praise, raw))) == "<b>kept as sent</b>"
