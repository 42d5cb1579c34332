"""Load on ``commentcare serve``, on loopback: requests per second and p50/p99 latency.

Starts ``commentcare serve`` on 127.0.0.1 (or uses ``--url`` of a running one).

After 10 s of unrecorded warm-up per path at the target rate, it runs, one after the other:

* **open loop** at a fixed rate (``--rate``, default 200 requests/s, for ``--seconds``): requests
  are sent on a timetable whether or not earlier ones have come back, and each latency is counted
  from the moment the request was *due*, so a stalled server cannot hide its queue (no
  coordinated omission). This is the figure the target speaks of: comment-check p99 under 20 ms
  at 200 requests/s;
* **closed loop** (``--concurrency`` clients, each sending its next request when the last one
  came back): the most the server gives.

When it started the server itself, it also reports the server's own p50/p99 from the access log
(``server_side``: the rest of the client's latency is the client and the machine's scheduler) and
the CPU time the server process spent per request (``server_cpu_ms_per_request``, from ``/proc``),
which depends much less on what else the machine is doing.

Each for Akismet's ``/1.1/comment-check`` and for ``POST /v1/review`` with one comment, and
closed loop for ``/v1/review`` with batches of ``--batch`` comments (comments/s counted).

The client is a minimal HTTP/1.1 client on asyncio streams with keep-alive connections, so that
it costs the shared machine as little as possible. The comments are distinct texts of the corpus
(``corpus/corpus.jsonl``), cycled.

Usage::

    python benchmarks/serve_load.py [--seconds 20] [--rate 200] [--concurrency 16] [--batch 50]
        [--url http://127.0.0.1:8080 --key KEY] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Conn:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await self.reader.readexactly(length)
        return status, body

    def close(self) -> None:
        self.writer.close()


def build(host: str, path: str, body: bytes, ctype: str, key: str | None) -> bytes:
    auth = f"Authorization: Bearer {key}\r\n" if key else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: {ctype}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def texts(limit: int = 5000) -> list[str]:
    out = []
    with (ROOT / "corpus" / "corpus.jsonl").open(encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["text"])
            if len(out) >= limit:
                break
    return out


def comment_check(host: str, key: str | None, corpus: list[str]) -> Callable[[int], bytes]:
    def make(i: int) -> bytes:
        form = (
            f"blog=http%3A%2F%2Fblog.example&user_ip=192.0.2.{i % 250 + 1}&comment_type=comment"
            f"&comment_author=reader{i % 97}&comment_content={quote_plus(corpus[i % len(corpus)])}"
        )
        if key:
            form += f"&api_key={quote_plus(key)}"
        return build(host, "/1.1/comment-check", form.encode(), "application/x-www-form-urlencoded", None)

    return make


def review(host: str, key: str | None, corpus: list[str], batch: int = 0) -> Callable[[int], bytes]:
    def make(i: int) -> bytes:
        if batch:
            body: Any = [{"text": corpus[(i * batch + j) % len(corpus)]} for j in range(batch)]
        else:
            body = {"text": corpus[i % len(corpus)], "author": f"reader{i % 97}"}
        return build(host, "/v1/review", json.dumps(body).encode(), "application/json", key)

    return make


def summary(latencies: list[float], seconds: float, errors: int, per_request: int = 1) -> dict[str, Any]:
    lat = sorted(latencies)
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) >= 2 else lat * 99
    return {
        "requests": len(lat),
        "errors": errors,
        "requests_per_s": round(len(lat) / seconds, 1),
        "comments_per_s": round(len(lat) * per_request / seconds, 1),
        "p50_ms": round(q[49] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
        "max_ms": round(lat[-1] * 1000, 2) if lat else None,
    }


async def open_loop(
    host: str, port: int, make: Callable[[int], bytes], rate: float, seconds: float
) -> dict[str, Any]:
    pool: list[Conn] = []
    latencies: list[float] = []
    errors = 0
    kinds: dict[str, int] = {}

    async def one(i: int, due: float) -> None:
        nonlocal errors
        raw = make(i)
        try:
            if pool:
                conn = pool.pop()
                try:
                    status, body = await conn.request(raw)
                except (OSError, asyncio.IncompleteReadError):
                    # the server closed this idle keep-alive connection (after 5 s): as any HTTP
                    # client does, send the request again on a new one
                    conn.close()
                    conn = await Conn.open(host, port)
                    status, body = await conn.request(raw)
            else:
                conn = await Conn.open(host, port)
                status, body = await conn.request(raw)
        except (OSError, asyncio.IncompleteReadError) as exc:
            errors += 1
            kinds[type(exc).__name__] = kinds.get(type(exc).__name__, 0) + 1
            return
        latencies.append(time.perf_counter() - due)
        if status != 200:
            errors += 1
            kinds[f"HTTP {status}: {body[:60]!r}"] = kinds.get(f"HTTP {status}: {body[:60]!r}", 0) + 1
        pool.append(conn)

    n = int(rate * seconds)
    start = time.perf_counter() + 0.05
    tasks = []
    for i in range(n):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    for c in pool:
        c.close()
    out = summary(latencies, elapsed, errors)
    out["target_rate"] = rate
    if kinds:
        out["error_kinds"] = kinds
    return out


async def closed_loop(
    host: str, port: int, make: Callable[[int], bytes], concurrency: int, seconds: float, per_request: int = 1
) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()
    stop = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors
        conn = await Conn.open(host, port)
        try:
            while time.perf_counter() < stop:
                raw = make(next(counter))
                t = time.perf_counter()
                status, _ = await conn.request(raw)
                latencies.append(time.perf_counter() - t)
                if status != 200:
                    errors += 1
        finally:
            conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    out = summary(latencies, time.perf_counter() - start, errors, per_request)
    out["concurrency"] = concurrency
    return out


def server_side(log: Path, t0: float, t1: float) -> dict[str, Any]:
    """p50/p99 of the time the server itself spent on each request (its access log's ``ms``), in a
    window: what is left of the client's latency is the client and the machine's scheduling."""
    from datetime import datetime

    ms = []
    with log.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            if '"event": "request"' not in line:
                continue
            row = json.loads(line)
            at = datetime.fromisoformat(row["ts"].replace("Z", "+00:00")).timestamp()
            if t0 <= at <= t1 and row["path"] != "/health":
                ms.append(float(row["ms"]))
    if len(ms) < 2:
        return {}
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50_ms": round(q[49], 2), "p99_ms": round(q[98], 2)}


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system) the server process has used so far (Linux ``/proc``), else None."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(url: str | None, key: str | None) -> Any:
    if url:
        yield url, None, None
        return
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="cc-serve-load-")
    log = open(os.path.join(tmp, "serve.log"), "wb")  # noqa: SIM115 - closed below
    cmd = [
        sys.executable,
        "-m",
        "commentcare",
        "serve",
        "--port",
        str(port),
        "--feedback",
        os.path.join(tmp, "fb.db"),
    ]
    if key:
        cmd += ["--key", key]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None:
                raise SystemExit(f"commentcare serve exited: see {log.name}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", Path(log.name), proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        log.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running commentcare serve (default: start one on loopback)")
    ap.add_argument("--key", help="its key (default: start it with a fresh key)")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    key = args.key or (None if args.url else "bench-key")
    corpus = texts()
    results: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "seconds": args.seconds,
        "load_before": os.getloadavg(),
    }
    print(f"{os.cpu_count()} CPUs, load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with server(args.url, key) as (url, log, pid):
        u = urlsplit(url)
        host, port = u.hostname or "127.0.0.1", u.port or 80
        hostport = f"{host}:{port}"
        runs: list[tuple[str, Callable[[], Awaitable[dict[str, Any]]]]] = [
            # a server runs warm: its first seconds (allocator, caches of author names and drafts)
            # are not what a site sees, so each path first gets 10 s at the target rate, unrecorded
            ("warm-up", lambda: open_loop(host, port, comment_check(hostport, key, corpus), args.rate, 10)),
            ("warm-up", lambda: open_loop(host, port, review(hostport, key, corpus), args.rate, 10)),
            ("comment-check open loop", lambda: open_loop(host, port, comment_check(hostport, key, corpus), args.rate, args.seconds)),
            ("review (1 comment) open loop", lambda: open_loop(host, port, review(hostport, key, corpus), args.rate, args.seconds)),
            ("comment-check closed loop", lambda: closed_loop(host, port, comment_check(hostport, key, corpus), args.concurrency, args.seconds)),
            ("review (1 comment) closed loop", lambda: closed_loop(host, port, review(hostport, key, corpus), args.concurrency, args.seconds)),
            (f"review (batch of {args.batch}) closed loop", lambda: closed_loop(
                host, port, review(hostport, key, corpus, args.batch), 4, args.seconds, per_request=args.batch)),
        ]  # fmt: skip
        for name, run in runs:
            t0, cpu0 = time.time(), cpu_seconds(pid)
            r = asyncio.run(run())
            cpu1 = cpu_seconds(pid)
            if log is not None:
                r["server_side"] = server_side(log, t0, time.time())
            if cpu0 is not None and cpu1 is not None and r["requests"]:
                r["server_cpu_ms_per_request"] = round(1000 * (cpu1 - cpu0) / r["requests"], 3)
            if name != "warm-up":
                results[name] = r
                print(f"{name:<36} " + "  ".join(f"{k} {v}" for k, v in r.items()), flush=True)
    results["load_after"] = os.getloadavg()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
