"""Request plumbing shared by the three APIs: reading a bounded body, and errors in each API's shape."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

__all__ = ["HttpError", "error_response", "read_body", "read_json"]


class HttpError(Exception):
    """Answer the request with ``status`` and ``message`` in its API's error shape."""

    def __init__(
        self, status: int, message: str, *, reason: str | None = None, record: int | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.record = record


_GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "UNIMPLEMENTED",
    408: "DEADLINE_EXCEEDED",
    413: "INVALID_ARGUMENT",
    415: "INVALID_ARGUMENT",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def error_response(
    path: str, status: int, message: str, *, reason: str | None = None, record: int | None = None
) -> Response:
    """An error as the client of that path expects it: Akismet text, Google JSON, or ours."""
    if path.startswith("/1.1/"):
        return PlainTextResponse(message, status_code=status, headers={"X-akismet-debug-help": message})
    if path.startswith("/v1alpha1/"):
        error: dict[str, Any] = {
            "code": status,
            "message": message,
            "status": _GOOGLE_STATUS.get(status, "UNKNOWN"),
        }
        if reason:
            error["details"] = [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": reason,
                    "domain": "googleapis.com",
                }
            ]
        return JSONResponse({"error": error}, status_code=status)
    body: dict[str, Any] = {"error": {"status": status, "message": message}}
    if record is not None:
        body["error"]["record"] = record
    return JSONResponse(body, status_code=status)


async def read_body(request: Request) -> bytes:
    """The whole body, refused with 413 past the limit and 408 if the client dawdles."""
    limit: int = request.app.state.service.config.max_body
    timeout: float = request.app.state.service.config.body_timeout
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise HttpError(413, f"request body larger than {limit} bytes")
        except ValueError:
            raise HttpError(400, "Content-Length is not a number") from None
    chunks: list[bytes] = []
    size = 0

    async def collect() -> None:
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HttpError(413, f"request body larger than {limit} bytes")
            chunks.append(chunk)

    try:
        await asyncio.wait_for(collect(), timeout)
    except asyncio.TimeoutError:
        raise HttpError(408, f"the request body did not arrive within {timeout:g} s") from None
    return b"".join(chunks)


async def read_json(request: Request) -> Any:
    """The body parsed as JSON; a clear 400 naming line and column if it is not."""
    raw = await read_body(request)
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise HttpError(400, f"the body is not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise HttpError(400, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
