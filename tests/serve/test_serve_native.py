"""The native JSON API, its OpenAPI description (validated, and every response checked against
it), the health endpoint, keys, body limits, batching and the server's lifecycle."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from commentcare.feedback import FeedbackStore

from .serve_support import Server, free_port, running_server

openapi_spec_validator = pytest.importorskip("openapi_spec_validator")
openapi_schema_validator = pytest.importorskip("openapi_schema_validator")

COMPLAINT = {"text": "My order #1234 never arrived and nobody answers my emails.", "author": "Dana", "id": 41}
PRAISE = {"text": "What a wonderful post, thank you so much! Really clear and helpful.", "author": "Lee"}


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def spec(server: Server) -> dict[str, Any]:
    doc: dict[str, Any] = httpx.get(server.url + "/v1/openapi.json", timeout=10).json()
    return doc


def check(doc: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    """Validate ``body`` against the response schema the description gives for it."""
    schema = doc["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    openapi_schema_validator.validate(
        body, {**schema, "components": doc["components"]}, cls=openapi_schema_validator.OAS31Validator
    )


def test_openapi_description_is_valid(server: Server) -> None:
    doc = spec(server)
    openapi_spec_validator.validate(doc)
    assert set(doc["paths"]) == {"/v1/review", "/v1/feedback", "/health"}


def test_review_one_and_many(server: Server, key: str) -> None:
    doc = spec(server)
    r = httpx.post(server.url + "/v1/review", json=COMPLAINT, headers=auth(key), timeout=10)
    assert r.status_code == 200, r.text
    one = r.json()
    check(doc, "/v1/review", "post", 200, one)
    assert one["id"] == "41" and one["label"] == "complaint" and one["action"] == "approve_and_reply"
    assert one["respond_by"] and one["drafts"] and "Dana" in one["drafts"][0]["text"]
    assert abs(sum(one["scores"].values()) - 1) < 1e-3

    r = httpx.post(
        server.url + "/v1/review",
        json=[COMPLAINT, PRAISE, {"text": "cheap pills http://x.example"}],
        headers=auth(key),
        timeout=10,
    )
    many = r.json()
    check(doc, "/v1/review", "post", 200, many)
    assert [x["label"] for x in many[:2]] == ["complaint", "praise"]
    assert many[0]["label"] == one["label"] and many[0]["confidence"] == one["confidence"]


def test_review_errors_name_the_record(server: Server, key: str) -> None:
    doc = spec(server)
    cases = [
        ([PRAISE, {"txt": "typo"}], 400, "record"),
        ([PRAISE, PRAISE, {"text": 5}], 400, "record"),
        ({"text": "x", "created_at": "yesterday"}, 400, "ISO 8601"),
    ]
    for body, status, word in cases:
        r = httpx.post(server.url + "/v1/review", json=body, headers=auth(key), timeout=10)
        assert r.status_code == status
        check(doc, "/v1/review", "post", status, r.json())
        assert word in json.dumps(r.json())
    r = httpx.post(server.url + "/v1/review", json=[PRAISE, {"txt": "typo"}], headers=auth(key), timeout=10)
    assert r.json()["error"]["record"] == 1 and "txt" in r.json()["error"]["message"]
    r = httpx.post(
        server.url + "/v1/review", content=b'{"text": "unterminated', headers=auth(key), timeout=10
    )
    assert r.status_code == 400 and "line 1" in r.json()["error"]["message"]
    r = httpx.post(server.url + "/v1/review", content=b"\xff\xfe", headers=auth(key), timeout=10)
    assert r.status_code == 400


def test_keys_are_checked_everywhere(server: Server, key: str) -> None:
    doc = spec(server)
    for headers in ({}, auth("wrong"), {"X-Api-Key": "wrong"}):
        r = httpx.post(server.url + "/v1/review", json=PRAISE, headers=headers, timeout=10)
        assert r.status_code == 401
        check(doc, "/v1/review", "post", 401, r.json())
        assert httpx.get(server.url + "/health", headers=headers, timeout=10).status_code == 401
        r = httpx.post(
            server.url + "/v1/feedback", json={"text": "x", "correction": "spam"}, headers=headers, timeout=10
        )
        assert r.status_code == 401
    assert (
        httpx.post(server.url + "/v1/review", json=PRAISE, headers={"X-Api-Key": key}, timeout=10).status_code
        == 200
    )
    r = httpx.get(server.url + "/health", headers=auth(key), timeout=10)
    check(doc, "/health", "get", 200, r.json())


def test_feedback_endpoint(server: Server, key: str) -> None:
    doc = spec(server)
    r = httpx.post(
        server.url + "/v1/feedback",
        headers=auth(key),
        timeout=10,
        json={
            "text": "hello 8812",
            "correction": "spam",
            "verdict": "praise",
            "source": "wordpress",
            "comment_id": 77,
        },
    )
    assert r.status_code == 200
    check(doc, "/v1/feedback", "post", 200, r.json())
    r = httpx.post(
        server.url + "/v1/feedback",
        headers=auth(key),
        timeout=10,
        json={"text": "hello 8812", "correction": "toxic"},
    )
    assert r.status_code == 400 and "correction" in r.json()["error"]["message"]
    with FeedbackStore(server.feedback) as store:
        got = [c for c in store.corrections() if c.comment_id == "77"]
    assert [(c.text, c.correction, c.verdict, c.source) for c in got] == [
        ("hello 8812", "spam", "praise", "wordpress")
    ]


def test_body_limit_413_and_the_server_goes_on(server: Server, key: str) -> None:
    big = "x" * (1024 * 1024 + 10)
    r = httpx.post(server.url + "/v1/review", json={"text": big}, headers=auth(key), timeout=30)
    assert r.status_code == 413
    r = httpx.post(server.url + "/1.1/comment-check", data={"comment_content": big}, timeout=30)
    assert r.status_code == 413

    def chunks() -> Any:  # no Content-Length: the limit is enforced while streaming
        for _ in range(40):
            yield b"y" * 65536

    r = httpx.post(server.url + "/v1/review", content=chunks(), headers=auth(key), timeout=30)
    assert r.status_code == 413
    assert (
        httpx.post(server.url + "/v1/review", json=PRAISE, headers=auth(key), timeout=10).status_code == 200
    )


def test_concurrent_requests_are_batched_and_unchanged(server: Server, key: str) -> None:
    texts = [
        f"{t} ({i})"
        for i in range(20)
        for t in (COMPLAINT["text"], PRAISE["text"], "buy pills http://x.example")
    ]

    async def main() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=server.url, headers=auth(key), timeout=30) as c:
            rs = await asyncio.gather(*(c.post("/v1/review", json={"text": t}) for t in texts))
        return [r.json() for r in rs]

    before = httpx.get(server.url + "/health", headers=auth(key), timeout=10).json()["batches"]["review"]
    together = asyncio.run(main())
    after = httpx.get(server.url + "/health", headers=auth(key), timeout=10).json()["batches"]["review"]
    alone = httpx.post(
        server.url + "/v1/review", json=[{"text": t} for t in texts[:3]], headers=auth(key), timeout=10
    ).json()
    assert after["comments"] - before["comments"] == len(texts)
    assert after["batches"] - before["batches"] < len(texts)  # some requests shared a batch
    for a, b in zip(together[:3], alone):
        assert (a["label"], a["confidence"], a["action"]) == (b["label"], b["confidence"], b["action"])


def test_slow_client_gets_408_and_others_are_served(server: Server, key: str) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(
            b"POST /v1/review HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + key.encode()
            + b'\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"text": '
        )
        # while this client dawdles, others are answered
        assert (
            httpx.post(server.url + "/v1/review", json=PRAISE, headers=auth(key), timeout=10).status_code
            == 200
        )
        start = time.monotonic()
        reply = s.recv(4096)
        assert b" 408 " in reply.split(b"\r\n", 1)[0]
        assert time.monotonic() - start < 15


def test_refuses_public_address_without_keys(tmp_path: Path) -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "commentcare",
            "serve",
            "--host",
            "0.0.0.0",  # noqa: S104  (refused before binding: that is the test)
            "--port",
            str(free_port()),
            "--feedback",
            str(tmp_path / "fb.db"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert "refusing to listen on 0.0.0.0 without keys" in r.stderr


def test_env_keys_and_graceful_sigterm(tmp_path: Path) -> None:
    with running_server(
        tmp_path,
        env={"COMMENTCARE_SERVE_KEYS": "alpha, beta"},
        args=["--key", "gamma", "delta"],
        probe_key="beta",
    ) as s:
        for k in ("alpha", "beta", "gamma", "delta"):
            assert httpx.get(s.url + "/health", headers=auth(k), timeout=10).status_code == 200
        assert httpx.get(s.url + "/health", timeout=10).status_code == 401

        async def slow_batch() -> int:
            async with httpx.AsyncClient(timeout=60) as c:
                r = await c.post(s.url + "/v1/review", headers=auth("alpha"), json=[PRAISE] * 1000)
                return r.status_code

        async def main() -> int:
            task = asyncio.create_task(slow_batch())
            await asyncio.sleep(0.3)
            s.process.send_signal(signal.SIGTERM)  # in flight: it must still be answered
            return await task

        assert asyncio.run(main()) == 200
        # uvicorn shuts down, then re-raises the signal so that supervisors see "stopped by SIGTERM"
        assert s.process.wait(timeout=30) == -signal.SIGTERM
        logs = s.logs()
        assert "Application shutdown complete" in logs and '"event": "stopped"' in logs
        for k in ("alpha", "beta", "gamma", "delta"):
            assert f'"{k}"' not in logs and f"Bearer {k}" not in logs
        for line in logs.splitlines():
            json.loads(line)  # every log line is JSON
