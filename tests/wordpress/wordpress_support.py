"""Helpers of the WordPress tests: a real WordPress on loopback, from Debian's packages.

:func:`running_wordpress` creates a MariaDB data directory in a temporary directory and
starts ``mysqld`` on a Unix socket only (no TCP), serves ``/usr/share/wordpress`` with PHP's
built-in server on 127.0.0.1 and a free port, installs the site, creates an Application Password,
seeds a post with held comments of the four classes, and stops both servers afterwards.

Nothing outside the temporary directory is written: the docroot is a farm of symbolic links to
``/usr/share/wordpress`` with our own ``wp-config.php``, and ``ABSPATH`` is pointed at it by
``auto_prepend_file`` (Debian's own ``wp-config.php`` would want a file in ``/etc/wordpress``).

Where the packages are missing the tests that need the site skip, unless
``COMMENTCARE_REQUIRE_WORDPRESS=1`` (CI) makes that a failure. ``scripts/wordpress_up.sh``
installs them. The fixtures themselves are in ``conftest.py``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter

from commentcare import Action, Classification, Comment, Label, Reply, Review
from commentcare.adapters.wordpress import retrying_adapter

WORDPRESS_DIR = Path("/usr/share/wordpress")
REQUIRED = os.environ.get("COMMENTCARE_REQUIRE_WORDPRESS") == "1"
ADMIN = "moderator"
AUTHOR = "writer"  # an Author: may write posts, may not moderate comments

#: One held comment of each class, written to be unmistakable for the shipped model.
SEED: dict[Label, dict[str, str]] = {
    Label.SPAM: {
        "author": "Cheap Meds Online",
        "email": "sales@cheap-meds-4u.example",
        "url": "http://cheap-meds-4u.example/buy-now",
        "ip": "203.0.113.66",
        "date": "2024-03-01 08:00:00",
        "text": "BUY CHEAP VIAGRA AND CIALIS ONLINE!!! No prescription needed, 90% discount, free "
        "shipping worldwide. Click here http://cheap-meds-4u.example/buy-now best prices guaranteed "
        "casino bonus loans crypto",
    },
    Label.RANT: {
        "author": "angryreader",
        "email": "angry@example.org",
        "url": "",
        "ip": "198.51.100.23",
        "date": "2024-03-02 09:00:00",
        "text": "This is the stupidest garbage I have ever read. The author is a clueless idiot and "
        "everyone who writes for this pathetic blog should be ashamed. Absolute trash, you morons.",
    },
    Label.PRAISE: {
        "author": "Dana",
        "email": "dana@example.net",
        "url": "",
        "ip": "192.0.2.14",
        "date": "2024-03-03 10:00:00",
        "text": "What a wonderful post, thank you so much! Really clear and helpful, I loved reading "
        "it and learned a lot. Great work, keep it up!",
    },
    Label.COMPLAINT: {
        "author": "Sam Porter",
        "email": "sam.porter@example.com",
        "url": "",
        "ip": "192.0.2.77",
        "date": "2024-03-04 11:00:00",
        "text": "I paid for the course three weeks ago and I still have no access. I emailed support "
        "twice and nobody answered. My order number is 10452. Please fix this or refund me.",
    },
}

BOOTSTRAP = """<?php
$_SERVER['HTTP_HOST'] = '{host}';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = '{port}';
if ({installing}) define('WP_INSTALLING', true);
require_once ABSPATH . 'wp-load.php';
"""


def missing_packages() -> list[str]:
    """The Debian packages the real-WordPress tests need that are not installed here."""
    missing = [name for name, found in (
        ("wordpress", (WORDPRESS_DIR / "wp-settings.php").exists()),
        ("php-cli", _find("php")),
        ("mariadb-server", _find("mariadbd", "mysqld") and _find("mariadb-install-db", "mysql_install_db")),
        ("mariadb-client", _find("mariadb", "mysql")),
    ) if not found]  # fmt: skip
    php = _find("php")
    if php and not missing:
        modules = subprocess.run([php, "-m"], capture_output=True, text=True, check=False).stdout.split()
        if "mysqli" not in modules:
            missing.append("php-mysql")
    return missing


def _find(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")
        if found:
            return found
    return None


@dataclass(frozen=True)
class SeededPost:
    post_id: int
    comments: dict[Label, int]  # class -> comment id

    def label_of(self, comment_id: int | str) -> Label:
        return {str(v): k for k, v in self.comments.items()}[str(comment_id)]


@dataclass
class WordPress:
    """The running site, with a PHP side door to seed and inspect it independently of the
    adapter under test."""

    url: str
    user: str
    password: str
    user_id: int
    author_password: str
    base: Path
    prepend: Path
    port: int
    php_binary: str
    session_post: SeededPost | None = None

    def php(self, code: str, *, installing: bool = False) -> Any:
        """Run PHP with WordPress loaded; ``code`` must ``echo json_encode(...)`` once, last."""
        script = self.base / f"run-{secrets.token_hex(4)}.php"
        boot = BOOTSTRAP.format(
            host=f"127.0.0.1:{self.port}", port=self.port, installing="true" if installing else "false"
        )
        script.write_text(boot + code, encoding="utf-8")
        try:
            done = subprocess.run(
                [self.php_binary, "-d", f"auto_prepend_file={self.prepend}", str(script)],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        finally:
            script.unlink()
        if done.returncode != 0 or not done.stdout.strip():
            raise RuntimeError(f"PHP failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def seed_post(
        self, title: str = "A post with held comments", labels: Iterable[Label] = tuple(SEED)
    ) -> SeededPost:
        """A new post with one held comment per class in ``labels``, oldest first."""
        rows = [
            {
                "label": str(label),
                "comment_author": SEED[label]["author"],
                "comment_author_email": SEED[label]["email"],
                "comment_author_url": SEED[label]["url"],
                "comment_author_IP": SEED[label]["ip"],
                "comment_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
                "comment_content": SEED[label]["text"],
                "comment_date": SEED[label]["date"],
                "comment_date_gmt": SEED[label]["date"],
                "comment_approved": 0,
            }
            for label in labels
        ]
        code = f"""
$post = wp_insert_post(array('post_title' => {json.dumps(title)}, 'post_content' => 'Body.',
    'post_status' => 'publish', 'post_author' => {self.user_id}, 'comment_status' => 'open'), true);
if (is_wp_error($post)) {{ fwrite(STDERR, $post->get_error_message()); exit(1); }}
$ids = array();
foreach (json_decode({json.dumps(json.dumps(rows))}, true) as $row) {{
    $label = $row['label']; unset($row['label']);
    $row['comment_post_ID'] = $post;
    $ids[$label] = wp_insert_comment($row);
}}
echo json_encode(array('post' => $post, 'ids' => $ids));
"""
        data = self.php(code)
        return SeededPost(data["post"], {Label(k): int(v) for k, v in data["ids"].items()})

    def state(self, post: SeededPost) -> dict[Label, tuple[str, list[int]]]:
        """Per seeded comment: its status as WordPress stores it and the ids of our user's replies."""
        ids = json.dumps(json.dumps({str(k): v for k, v in post.comments.items()}))
        code = f"""
$out = array();
foreach (json_decode({ids}, true) as $label => $id) {{
    $replies = get_comments(array('parent' => $id, 'user_id' => {self.user_id}, 'status' => 'any',
        'fields' => 'ids'));
    $out[$label] = array(wp_get_comment_status($id), array_map('intval', $replies));
}}
echo json_encode($out);
"""
        data = self.php(code)
        spoken = {"unapproved": "hold"}  # as the REST API says it
        return {Label(k): (spoken.get(v[0], v[0]), v[1]) for k, v in data.items()}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes], grace: float) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _wait(
    check: Callable[[], bool], process: subprocess.Popen[bytes], what: str, log: Path, limit: float = 60
) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{what} exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}"
            )
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up in {limit:.0f}s: {log.read_text(errors='replace')[-2000:]}")


def _start_mariadb(stack: ExitStack, base: Path, run_dir: Path) -> str:
    """Start a private mysqld on a Unix socket; returns the socket's path."""
    mysqld = _find("mariadbd", "mysqld")
    install_db = _find("mariadb-install-db", "mysql_install_db")
    client = _find("mariadb", "mysql")
    assert mysqld
    assert install_db
    assert client
    datadir, sock, log = base / "mysql", run_dir / "mysqld.sock", base / "mysqld.log"
    as_root = ["--user=root"] if os.geteuid() == 0 else []  # mysqld refuses root without it
    subprocess.run(
        [install_db, "--no-defaults", f"--datadir={datadir}", "--auth-root-authentication-method=normal",
         "--skip-test-db", *as_root],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    process = subprocess.Popen(
        [mysqld, "--no-defaults", f"--datadir={datadir}", f"--socket={sock}",
         f"--pid-file={base / 'mysqld.pid'}", "--skip-networking", f"--log-error={log}",
         "--innodb-use-native-aio=0", "--skip-log-bin", *as_root],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    stack.callback(_stop, process, 60)
    sql = [client, "--no-defaults", "-uroot", f"--socket={sock}", "-e"]

    def ready() -> bool:
        return (
            sock.exists()
            and subprocess.run([*sql, "SELECT 1"], capture_output=True, check=False).returncode == 0
        )

    _wait(ready, process, "mysqld", log)
    subprocess.run(
        [*sql, "CREATE DATABASE wordpress; CREATE USER 'wordpress'@'localhost' IDENTIFIED BY 'wp-test-db'; "
         "GRANT ALL ON wordpress.* TO 'wordpress'@'localhost';"],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(sock)


def _docroot(base: Path, db_socket: str) -> tuple[Path, Path]:
    """A docroot of links to Debian's WordPress with our config, and the prepend that points
    ABSPATH at it."""
    root = base / "docroot"
    root.mkdir()
    for entry in WORDPRESS_DIR.iterdir():
        if entry.name not in ("wp-config.php", ".htaccess"):
            (root / entry.name).symlink_to(entry)
    salts = "".join(
        f"define('{key}', '{secrets.token_hex(24)}');\n"
        for key in ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT",
                    "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT")
    )  # fmt: skip
    (root / "wp-config.php").write_text(
        f"""<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wordpress');
define('DB_PASSWORD', 'wp-test-db');
define('DB_HOST', 'localhost:{db_socket}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', 'http://' . $_SERVER['HTTP_HOST']);  // 127.0.0.1 and the port of the day
define('WP_SITEURL', WP_HOME);
define('WP_CONTENT_DIR', '{WORDPRESS_DIR}/wp-content');
define('WP_ENVIRONMENT_TYPE', 'local');  // Application Passwords without HTTPS
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
{salts}$table_prefix = 'wp_';
require_once ABSPATH . 'wp-settings.php';
""",
        encoding="utf-8",
    )
    prepend = base / "prepend.php"
    prepend.write_text(f"<?php if (!defined('ABSPATH')) define('ABSPATH', '{root}/');\n", encoding="utf-8")
    return root, prepend


def _start_php(stack: ExitStack, php: str, root: Path, prepend: Path, log: Path) -> int:
    """Serve ``root`` on 127.0.0.1 and a free port; returns the port."""
    for attempt in range(3):
        port = _free_port()
        with log.open("ab") as log_file:
            server = subprocess.Popen(
                [php, "-d", f"auto_prepend_file={prepend}", "-S", f"127.0.0.1:{port}", "-t", str(root)],
                stdout=log_file, stderr=subprocess.STDOUT, cwd=root,
            )  # fmt: skip
        stack.callback(_stop, server, 10)
        try:
            _wait(lambda: _accepts(port), server, "php -S", log)  # noqa: B023 - called right here
        except RuntimeError:
            if server.poll() is None or attempt == 2:
                raise
            continue  # the port was taken in between: pick another
        return port
    raise AssertionError("unreachable")


def _accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running_wordpress(base: Path) -> Iterator[WordPress]:
    """Start MariaDB and PHP under ``base``, install and seed the site; stop both on exit."""
    php = _find("php")
    assert php, missing_packages()
    with ExitStack() as stack:
        run_dir = base
        if len(str(base / "mysqld.sock")) > 100:  # the limit of a Unix socket's path
            run_dir = Path(tempfile.mkdtemp(prefix="cc-wp-"))
            stack.callback(shutil.rmtree, run_dir, True)
        db_socket = _start_mariadb(stack, base, run_dir)
        root, prepend = _docroot(base, db_socket)
        port = _start_php(stack, php, root, prepend, base / "php-server.log")
        site = WordPress(f"http://127.0.0.1:{port}", ADMIN, "", 0, "", base, prepend, port, php)
        admin_password = secrets.token_urlsafe(18)
        installed = site.php(
            f"""
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$r = wp_install('commentcare test site', '{ADMIN}', 'moderator@example.com', false, '', '{admin_password}');
update_option('comments_notify', 0);
update_option('moderation_notify', 0);
list($pw, $item) = WP_Application_Passwords::create_new_application_password(
    $r['user_id'], array('name' => 'tests'));
$writer = wp_insert_user(array('user_login' => '{AUTHOR}', 'user_pass' => wp_generate_password(24),
    'user_email' => 'writer@example.com', 'role' => 'author'));
list($wpw, $witem) = WP_Application_Passwords::create_new_application_password(
    $writer, array('name' => 'tests'));
echo json_encode(array('user_id' => $r['user_id'], 'password' => $pw, 'author_password' => $wpw));
""",
            installing=True,
        )
        site.user_id = installed["user_id"]
        site.password = installed["password"]
        site.author_password = installed["author_password"]
        site.session_post = site.seed_post("The session's post")
        yield site


# -- hand-built reviews -------------------------------------------------------------------------

_ACTIONS = {
    Label.SPAM: Action.REMOVE,
    Label.RANT: Action.HOLD,
    Label.PRAISE: Action.APPROVE_AND_REPLY,
    Label.COMPLAINT: Action.APPROVE_AND_REPLY,
}


def make_review(
    comment: Comment, label: Label, action: Action | None = None, *, unsure: bool = False
) -> Review:
    """A Review as the Moderator would give it, without a model."""
    scores = {other: (0.91 if other is label else 0.03) for other in Label}
    replies = () if label is Label.SPAM else (
        Reply(text=f"Thank you, {comment.author or 'reader'}: we read every comment.",
              html=f"<p>Thank you, {comment.author or 'reader'}: we read every comment.</p>",
              template=f"{label}.1"),
    )  # fmt: skip
    return Review(
        comment=comment,
        classification=Classification(label, 0.91, scores, unsure, "test"),
        action=action or _ACTIONS[label],
        priority=1,
        respond_by=datetime(2030, 1, 1, tzinfo=timezone.utc),
        reasons=("hand-built",),
        replies=replies,
    )


def _label_from_seed(comment: Comment) -> Label:
    for label, fields in SEED.items():
        if comment.text == fields["text"]:
            return label
    raise AssertionError(f"not a seeded comment: {comment.text[:40]!r}")


def seed_reviewer(comments: Iterable[Comment]) -> Iterator[Review]:
    """Reviews the seeded comments by what they were seeded as: the runner's tests then do not
    depend on the model."""
    for comment in comments:
        yield make_review(comment, _label_from_seed(comment))


# -- a process killed mid-run -----------------------------------------------------------------


class Killed(BaseException):
    """Stands for SIGKILL: a BaseException, so no ``except Exception`` in the code under test
    gets to tidy up after it."""


class KillSwitch(BaseAdapter):
    """A transport that passes requests to the real one and "kills the process" at the n-th
    write: ``before`` it is sent, or ``after`` WordPress has done it but before the answer is read."""

    def __init__(self, at: int, when: str) -> None:
        super().__init__()
        self.inner = retrying_adapter(backoff=0.0)
        self.at, self.when, self.writes = at, when, 0

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        write = request.method not in ("GET", "HEAD", "OPTIONS")
        if write:
            self.writes += 1
            if self.writes == self.at and self.when == "before":
                raise Killed(f"killed before write {self.at}")
        response = self.inner.send(request, *args, **kwargs)
        if write and self.writes == self.at and self.when == "after":
            raise Killed(f"killed after write {self.at}")
        return response

    def close(self) -> None:
        self.inner.close()
