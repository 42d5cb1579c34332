"""A real ``commentcare serve`` on 127.0.0.1: started as the CLI starts it, in its own process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    port: int
    feedback: Path
    log: Path
    process: subprocess.Popen[bytes]

    def logs(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


@contextmanager
def running_server(
    tmp: Path,
    *,
    keys: Sequence[str] = (),
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    feedback: Path | None = None,
    probe_key: str | None = None,
) -> Iterator[Server]:
    port = free_port()
    fb = feedback or tmp / "feedback.sqlite3"
    log = tmp / f"serve-{port}.log"
    cmd = [sys.executable, "-m", "commentcare", "serve", "--port", str(port), "--feedback", str(fb), *args]
    for k in keys:
        cmd += ["--key", k]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    server = Server(f"http://127.0.0.1:{port}", port, fb, log, proc)
    try:
        wait_until_up(server, probe_key or (keys[0] if keys else None))
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_until_up(server: Server, key: str | None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"commentcare serve exited with {server.process.returncode}:\n{server.logs()}")
        try:
            if httpx.get(server.url + "/health", headers=headers, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"commentcare serve did not come up in {timeout} s:\n{server.logs()}")


class ToLocal(httpx.HTTPTransport):
    """Send every request (e.g. the akismet client's https://rest.akismet.com/...) to the local server."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return super().handle_request(request)
