"""Faults on loopback: a thousand connections at once, clients that never finish their headers,
and a kill -9 in the middle of corrections. The server keeps answering, and nothing it
acknowledged is lost."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from commentcare.feedback import FeedbackStore

from .serve_support import Server, running_server

pytestmark = pytest.mark.slow

FORM = b"blog=http%3A%2F%2Fblog.example&user_ip=192.0.2.1&comment_content=Thanks+for+the+great+post+"


async def _one_request(port: int, key: str, i: int) -> int:
    """One comment-check on its own connection; returns the HTTP status."""
    body = FORM + str(i).encode() + b"&api_key=" + key.encode()
    for attempt in range(5):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            break
        except OSError:
            await asyncio.sleep(0.2 * (attempt + 1))
    else:
        return -1
    try:
        writer.write(
            b"POST /1.1/comment-check HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body
        )  # fmt: skip
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 120)
        rest = await asyncio.wait_for(reader.read(), 120)
        status = int(head.split(b" ", 2)[1])
        return status if rest in (b"true", b"false") else -2
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def test_a_thousand_concurrent_connections(server: Server, key: str) -> None:
    async def main() -> list[int]:
        return await asyncio.gather(*(_one_request(server.port, key, i) for i in range(1000)))

    started = time.monotonic()
    statuses = asyncio.run(main())
    assert statuses.count(200) == 1000, {s: statuses.count(s) for s in set(statuses)}
    assert time.monotonic() - started < 300
    assert (
        httpx.get(server.url + "/health", headers={"Authorization": f"Bearer {key}"}, timeout=10).status_code
        == 200
    )


def test_clients_that_never_finish_their_headers(server: Server, key: str) -> None:
    async def main() -> int:
        stalled = []
        for _ in range(200):
            _, w = await asyncio.open_connection("127.0.0.1", server.port)
            w.write(b"POST /1.1/comment-check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
            await w.drain()
            stalled.append(w)
        try:
            async with httpx.AsyncClient(timeout=10) as c:
                r = await c.post(
                    server.url + "/1.1/verify-key", data={"api_key": key, "blog": "http://b.example"}
                )
                return r.status_code if r.text == "valid" else -1
        finally:
            for w in stalled:
                w.close()

    assert asyncio.run(main()) == 200


def test_silent_and_stalled_connections_are_closed(server: Server) -> None:
    """A connection that sends nothing, or stops mid-headers, is closed after the header deadline
    (10 s), so slow-loris clients cannot hold sockets forever."""
    with (
        socket.create_connection(("127.0.0.1", server.port), timeout=30) as silent,
        socket.create_connection(("127.0.0.1", server.port), timeout=30) as stalled,
    ):
        stalled.sendall(b"POST /v1/review HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
        started = time.monotonic()
        assert silent.recv(100) == b""  # closed by the server
        assert stalled.recv(100) == b""
        assert 8 < time.monotonic() - started < 25


def test_kill_9_loses_no_acknowledged_correction(tmp_path: Path) -> None:
    acknowledged: list[str] = []
    sent = 0

    with running_server(tmp_path) as s:

        async def worker(c: httpx.AsyncClient) -> None:
            nonlocal sent
            while True:  # until the server is gone
                text = f"correction number {sent}"
                sent += 1
                try:
                    r = await c.post(
                        "/v1/feedback", json={"text": text, "correction": "spam", "source": "api"}
                    )
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    acknowledged.append(text)

        async def main() -> None:
            async with httpx.AsyncClient(base_url=s.url, timeout=30) as c:
                workers = [asyncio.create_task(worker(c)) for _ in range(16)]
                while len(acknowledged) < 200:
                    await asyncio.sleep(0.005)
                s.process.send_signal(signal.SIGKILL)  # while 16 corrections are in flight
                await asyncio.wait_for(asyncio.gather(*workers), 60)

        asyncio.run(main())
        assert s.process.wait(timeout=30) == -signal.SIGKILL

    assert len(acknowledged) >= 200 and sent > len(acknowledged)
    with FeedbackStore(s.feedback) as store:
        kept = {c.text for c in store.corrections()}
    assert set(acknowledged) <= kept
