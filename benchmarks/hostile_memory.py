"""Peak memory of the readers on the hostile inputs of issue #18, each measured in its own process.

    python benchmarks/hostile_memory.py            # all cases; prints a table, exit 1 over a target
    python benchmarks/hostile_memory.py --only wxr-wrapper
    python benchmarks/hostile_memory.py --src /some/old/checkout/src   # the same cases, older code

Each case builds its input in a temporary folder, then a fresh Python process reads it through
the public API and reports its own peak resident set (``ru_maxrss``), so that the figure covers
imports, parsing and everything read. The baseline row is a process that only imports commentcare.

Targets: the 60 MB WXR whose bulk sits under a non-``item`` wrapper stays under 150 MB peak (it
was 667 MB); the other cases are reported against the same bound.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

TARGET_MB = 150.0
BULK = 60 * 1024 * 1024

CHILD_PRELUDE = """
import json, resource, sys
import commentcare.io
"""

READ = (
    CHILD_PRELUDE
    + """
from commentcare.io import iter_records
comments = errors = 0
for rec in iter_records(sys.argv[1], sys.argv[2]):
    if isinstance(rec, commentcare.InputError):
        errors += 1
    else:
        comments += 1
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"peak_mb": peak, "comments": comments, "errors": errors}))
"""
)

BASELINE = (
    CHILD_PRELUDE
    + """
import commentcare.adapters.medium, commentcare.adapters.wordpress
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
)

WORDPRESS = (
    CHILD_PRELUDE
    + """
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from commentcare import AdapterError
from commentcare.adapters.wordpress import WordPressSite

SIZE = int(sys.argv[1])
PAGES = sys.argv[2] == "pages"

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        if PAGES:
            body = b'[{"id": 1, "post": 0, "content": {"raw": "hi"}, "status": "hold"}]'
            self.send_response(200)
            self.send_header("X-WP-TotalPages", "1000000")
        else:
            body = b""
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()  # no Content-Length: the body's size is only known by reading it
        if PAGES:
            self.wfile.write(body)
        else:  # written in pieces, so that the server's own memory stays out of the figure
            item = b'{"id": 1, "content": {"raw": "' + b"a" * 1000 + b'"}},'
            self.wfile.write(b"[")
            try:
                for _ in range(SIZE // len(item)):
                    self.wfile.write(item)
                self.wfile.write(b'{"id": 2}]')
            except OSError:
                pass  # the client stopped reading at its cap
        self.close_connection = True

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
site = WordPressSite(f"http://127.0.0.1:{server.server_address[1]}", "u", "p", retries=0, max_pages=200)
outcome = ""
try:
    n = sum(1 for _ in site._pages("/wp/v2/comments", {}))
    outcome = f"read {n} items"
except AdapterError as exc:
    outcome = str(exc)[:120]
server.shutdown()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"peak_mb": peak, "outcome": outcome}))
"""
)


def _filler(fh: object, total: int, tag: str) -> None:
    """Many small elements: the cost of a kept element is its object, not its few bytes of text."""
    chunk = f"<{tag}>x</{tag}>".encode()
    block = chunk * 1000
    written = 0
    while written < total:
        fh.write(block)  # type: ignore[attr-defined]
        written += len(block)


def make_wxr(path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write(
            b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            b'xmlns:wp="http://wordpress.org/export/1.2/"><channel><wrapper>\n'
        )
        _filler(fh, BULK, "j")
        fh.write(b"</wrapper><item><title>Post</title><wp:post_id>1</wp:post_id>")
        for i in range(3):
            fh.write(
                f"<wp:comment><wp:comment_id>{i}</wp:comment_id>"
                f"<wp:comment_content>Comment {i}</wp:comment_content></wp:comment>".encode()
            )
        fh.write(b"</item></channel></rss>\n")


def make_wxr_deep(path: Path) -> None:
    """The bulk nested ever deeper under one element of a post (no wrapper that ends early)."""
    with open(path, "wb") as fh:
        fh.write(b'<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>')
        fh.write(b"<wp:postmeta>")
        _filler(fh, BULK, "wp:meta_value")
        fh.write(b"</wp:postmeta><wp:comment><wp:comment_id>1</wp:comment_id>")
        fh.write(b"<wp:comment_content>Hello</wp:comment_content></wp:comment></item></channel></rss>\n")


def make_disqus(path: Path) -> None:
    with open(path, "wb") as fh:
        fh.write(b'<?xml version="1.0"?>\n<disqus xmlns:dsq="http://disqus.com/disqus-internals"><wrapper>\n')
        _filler(fh, BULK, "j")
        fh.write(b'</wrapper><thread dsq:id="t1"><title>T</title></thread>')
        for i in range(3):
            fh.write(f'<post dsq:id="p{i}"><message>Post {i}</message><thread dsq:id="t1"/></post>'.encode())
        fh.write(b"</disqus>\n")


def make_medium_zip(path: Path) -> None:
    member = b"<html><body><article class='h-entry'><div class='e-content'><p>" + b"a" * (
        16 * 1024 * 1024 - 200
    )
    member += b"</p></div></article></body></html>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(64):
            zf.writestr(f"posts/2024-01-01_bomb-{i:012x}.html", member)


CASES = {
    "wxr-wrapper": ("wxr", make_wxr, "60 MB WXR, bulk under a non-item wrapper (was 667 MB)"),
    "wxr-postmeta": ("wxr", make_wxr_deep, "60 MB WXR, bulk inside one post's postmeta"),
    "disqus-wrapper": ("disqus", make_disqus, "60 MB Disqus export, bulk under a wrapper (was 646 MB)"),
    "medium-zip-bomb": ("medium-archive", make_medium_zip, "Medium zip, 64 x 16 MB members (was 1.6 GB)"),
}


SRC: str | None = None


def run(code: str, *args: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": SRC} if SRC else None
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=[*CASES, "wordpress-body", "wordpress-pages"])
    parser.add_argument("--src", help="read with the commentcare package under this folder instead")
    args = parser.parse_args()
    global SRC
    SRC = args.src
    rows = [("baseline: import commentcare and both adapters", run(BASELINE))]
    with tempfile.TemporaryDirectory() as tmp:
        for name, (fmt, make, title) in CASES.items():
            if args.only and args.only != name:
                continue
            path = Path(tmp) / f"{name}.input"
            make(path)
            result = run(READ, str(path), fmt)
            result["input_mb"] = round(path.stat().st_size / 2**20, 1)
            rows.append((title, result))
            path.unlink()
    if args.only in (None, "wordpress-body"):
        rows.append(("WordPress answer of 107 MB (was read whole)", run(WORDPRESS, str(107 * 2**20), "body")))
    if args.only in (None, "wordpress-pages"):
        rows.append(("X-WP-TotalPages: 1000000, max_pages=200", run(WORDPRESS, "0", "pages")))
    worst = 0.0
    print("| case | peak RSS (MB) | detail |\n|---|---|---|")
    for title, r in rows:
        peak = float(r["peak_mb"])  # type: ignore[arg-type]
        worst = max(worst, peak)
        detail = ", ".join(f"{k} {v}" for k, v in r.items() if k != "peak_mb")
        print(f"| {title} | {peak:.0f} | {detail} |")
    print(f"\nworst peak {worst:.0f} MB; target under {TARGET_MB:.0f} MB")
    return 0 if worst < TARGET_MB else 1


if __name__ == "__main__":
    raise SystemExit(main())
