"""The WordPress plugin, end to end: a real WordPress on loopback with the plugin written out by
``commentcare wordpress plugin`` and activated, a real ``commentcare serve``, comments posted
through ``wp-comments-post.php`` as a visitor's browser posts them, and a moderator's real Spam /
Not Spam clicks in wp-admin."""

from __future__ import annotations

import html
import json
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from wordpress_support import REQUIRED, WordPress, missing_packages, running_wordpress

from commentcare.feedback import FeedbackStore

sys.path.insert(0, str(Path(__file__).parent.parent / "serve"))
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
from serve_support import Server, running_server

pytestmark = [pytest.mark.wordpress, pytest.mark.slow]

KEY = "wp-plugin-key-91c2"
SPAM = (
    "BUY CHEAP VIAGRA AND CIALIS ONLINE!!! No prescription needed, 90% discount, free shipping worldwide. "
    "Click here http://cheap-meds-4u.example/buy-now best prices guaranteed casino bonus loans crypto"
)
RANT = (
    "This is the stupidest garbage I have ever read. The author is a clueless idiot and everyone who "
    "writes for this pathetic blog should be ashamed. Absolute trash, you morons."
)
PRAISE = "What a wonderful post, thank you so much! Really clear and helpful, I loved reading it. Great work!"
COMPLAINT = (
    "I paid for the course three weeks ago and I still have no access. I emailed support twice and "
    "nobody answered. My order number is 10452. Please fix this or refund me."
)

# Test scaffolding only: WordPress refuses a second comment from one address within 15 s, and
# every comment of this test comes from 127.0.0.1.
NO_FLOOD = "<?php add_filter('comment_flood_filter', '__return_false', 99);\n"


@dataclass
class Site:
    wp: WordPress
    post_id: int
    admin: requests.Session
    plugin_dir: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    missing = missing_packages()
    if missing:
        reason = f"WordPress is not installed here (missing: {', '.join(missing)})"
        if REQUIRED:
            pytest.fail(f"COMMENTCARE_REQUIRE_WORDPRESS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("wp-plugin")
    plugins, mu = base / "plugins", base / "mu-plugins"
    mu.mkdir()
    (mu / "no-flood.php").write_text(NO_FLOOD, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "commentcare", "wordpress", "plugin", "-o", str(plugins)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (plugins / "commentcare" / "commentcare.php").is_file()
    with running_wordpress(base / "wp") as wp:
        with wp.prepend.open("a", encoding="utf-8") as f:
            f.write(f"define('WP_PLUGIN_DIR', '{plugins}');\ndefine('WPMU_PLUGIN_DIR', '{mu}');\n")
        password = secrets.token_urlsafe(16)
        data = wp.php(f"""
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$r = activate_plugin('commentcare/commentcare.php');
if (is_wp_error($r)) {{ fwrite(STDERR, $r->get_error_message()); exit(1); }}
wp_set_password('{password}', {wp.user_id});
$post = wp_insert_post(array('post_title' => 'Plugin post', 'post_content' => 'Body.', 'post_status' => 'publish',
    'post_author' => {wp.user_id}, 'comment_status' => 'open'));
echo json_encode(array('post' => $post, 'active' => is_plugin_active('commentcare/commentcare.php')));
""")
        assert data["active"] is True
        admin = requests.Session()
        admin.cookies.set("wordpress_test_cookie", "WP Cookie check")
        r = admin.post(wp.url + "/wp-login.php", data={"log": wp.user, "pwd": password, "wp-submit": "Log In",
                       "testcookie": "1", "redirect_to": wp.url + "/wp-admin/"}, timeout=60)  # fmt: skip
        assert r.ok and "wp-admin" in r.url, r.text[-500:]
        yield Site(wp, int(data["post"]), admin, plugins)
        admin.close()


@pytest.fixture(scope="module")
def service(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("wp-serve"), keys=[KEY]) as s:
        set_options(site.wp, url=s.url, key=KEY)
        yield s


def set_options(wp: WordPress, **options: Any) -> None:
    names = {"url": "commentcare_service_url", "key": "commentcare_service_key",
             "previously_approved": "comment_previously_approved"}  # fmt: skip
    code = "".join(f"update_option('{names[k]}', {json.dumps(v)});\n" for k, v in options.items())
    wp.php(code + "echo json_encode(true);")


def post_comment(site: Site, text: str, author: str, email: str, url: str = "") -> dict[str, Any]:
    """Post as a visitor's browser does, then read the comment back with its meta."""
    token = secrets.token_hex(4)
    r = requests.post(
        site.wp.url + "/wp-comments-post.php",
        data={"comment": f"{text} [{token}]", "author": author, "email": email, "url": url,
              "comment_post_ID": str(site.post_id), "comment_parent": "0", "submit": "Post Comment"},
        headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"},
        allow_redirects=False, timeout=120,
    )  # fmt: skip
    assert r.status_code == 302, r.text[-1000:]
    # PHP with $wpdb->prepare: no SQL is built here
    found = site.wp.php(f"""
global $wpdb;
$id = $wpdb->get_var($wpdb->prepare("SELECT comment_ID FROM $wpdb->comments WHERE comment_content LIKE %s",
    '%' . $wpdb->esc_like('[{token}]')));
$meta = array();
foreach (array('label', 'action', 'respond_by', 'draft', 'confidence') as $k) {{
    $meta[$k] = get_comment_meta($id, 'commentcare_' . $k, true);
}}
echo json_encode(array('id' => (int) $id, 'approved' => get_comment($id)->comment_approved, 'meta' => $meta));
""")  # noqa: S608
    return dict(found)


def corrections(server: Server) -> dict[str, Any]:
    with FeedbackStore(server.feedback) as store:
        return {c.comment_id: c for c in store.corrections() if c.source == "wordpress"}


def click(site: Site, comment_id: int, action: str, view: str) -> None:
    """Click the row action ``action`` (spamcomment, unspamcomment) in wp-admin's comment list."""
    page = site.admin.get(site.wp.url + f"/wp-admin/edit-comments.php?comment_status={view}", timeout=120)
    assert page.ok
    links = [html.unescape(h) for h in re.findall(r'href="(comment\.php\?c=\d+[^"]*)"', page.text)]
    link = next(h for h in links if f"c={comment_id}&" in h and f"action={action}&" in h)
    r = site.admin.get(site.wp.url + "/wp-admin/" + link, timeout=120)
    assert r.ok, r.text[-500:]


def test_comments_land_with_status_and_meta(site: Site, service: Server) -> None:
    # the site approves comments from anyone: praise and complaints follow that, rants are held
    set_options(site.wp, previously_approved="0")
    spam = post_comment(site, SPAM, "Cheap Meds Online", "sales@cheap-meds-4u.example",
                        "http://cheap-meds-4u.example/buy-now")  # fmt: skip
    rant = post_comment(site, RANT, "angryreader", "angry@example.org")
    praise = post_comment(site, PRAISE, "Dana", "dana@example.net")
    complaint = post_comment(site, COMPLAINT, "Sam Porter", "sam.porter@example.com")

    assert (spam["approved"], spam["meta"]["label"], spam["meta"]["action"]) == ("spam", "spam", "remove")
    assert spam["meta"]["respond_by"] == "" and spam["meta"]["draft"] == ""
    assert (rant["approved"], rant["meta"]["label"]) == ("0", "rant")
    assert (praise["approved"], praise["meta"]["label"]) == ("1", "praise")
    assert (complaint["approved"], complaint["meta"]["label"]) == ("1", "complaint")
    for c in (praise, complaint):
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", c["meta"]["respond_by"])
        assert c["meta"]["draft"]
    assert "Sam" in complaint["meta"]["draft"]

    # the site holds a first comment for moderation: praise follows that too
    set_options(site.wp, previously_approved="1")
    held = post_comment(site, PRAISE + " Again!", "Robin", "robin@example.net")
    assert (held["approved"], held["meta"]["label"]) == ("0", "praise")

    # the admin list shows the column
    page = site.admin.get(site.wp.url + "/wp-admin/edit-comments.php?comment_status=all", timeout=120).text
    assert 'id="commentcare"' in page or "column-commentcare" in page
    assert 'class="commentcare-label">complaint<' in page and "respond by" in page
    assert "commentcare-draft" in page


def test_spam_and_not_spam_clicks_reach_the_feedback_db(site: Site, service: Server) -> None:
    set_options(site.wp, previously_approved="0")
    praise = post_comment(site, PRAISE + " (a spammer's flattery)", "Link Builder", "seo@example.biz")
    assert praise["approved"] == "1"
    click(site, praise["id"], "spamcomment", "all")
    got = corrections(service)[str(praise["id"])]
    assert (got.correction, got.verdict, got.source) == ("spam", "praise", "wordpress")
    assert got.text and got.text.startswith(PRAISE)

    spam = post_comment(site, SPAM, "Cheap Meds Online", "sales@cheap-meds-4u.example",
                        "http://cheap-meds-4u.example/buy-now")  # fmt: skip
    assert spam["approved"] == "spam"
    click(site, spam["id"], "unspamcomment", "spam")
    got = corrections(service)[str(spam["id"])]
    assert (got.correction, got.verdict) == ("ham", "spam")


def test_service_down_comments_still_post_and_are_held(site: Site, service: Server) -> None:
    set_options(site.wp, previously_approved="1")  # WordPress's default moderation
    service.stop()
    for text, author, email in (
        (PRAISE + " Down.", "Kim", "kim@example.net"),
        (SPAM, "Spam Bot", "bot@x.example"),
    ):
        c = post_comment(site, text, author, email)
        assert c["approved"] == "0"  # held by WordPress, as without the plugin
        assert c["meta"]["label"] == ""  # nothing was said about it
