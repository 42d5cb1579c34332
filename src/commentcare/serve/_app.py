"""The ASGI application: routes of the three APIs, errors in each API's shape, the access log,
and the model loaded once at start-up (lifespan)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commentcare.serve._http import HttpError, error_response
from commentcare.serve._service import ServeConfig, Service

__all__ = ["create_app"]

log = logging.getLogger("commentcare.serve.access")


class AccessLog:
    """One structured line a request: method, path (no query: it may hold a key), status, ms."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            log.info(
                "request",
                extra={
                    "event": "request",
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status or 500,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": (scope.get("client") or ("?",))[0],
                },
            )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpError)
    return error_response(request.url.path, exc.status, exc.message, reason=exc.reason, record=exc.record)


async def _starlette_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request.url.path, exc.status_code, str(exc.detail))


async def _server_error(request: Request, exc: Exception) -> Response:
    logging.getLogger(__name__).error("request failed", exc_info=exc, extra={"path": request.url.path})
    return error_response(request.url.path, 500, "internal error")


def create_app(config: ServeConfig | None = None, *, service: Service | None = None) -> Starlette:
    """The ASGI app. Give a ready ``service`` (tests, embedding) or a ``config`` to build one at start-up."""
    from commentcare.serve import _akismet, _native, _perspective

    cfg = config or (service.config if service is not None else ServeConfig())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        svc = service if service is not None else Service(cfg)
        app.state.service = svc
        log.info("ready", extra={"event": "ready", "keys": len(svc.keys), "model_version": svc.model_version})
        try:
            yield {}
        finally:
            await svc.close()

    app = Starlette(
        routes=[*_akismet.routes, *_perspective.routes, *_native.routes],
        exception_handlers={
            HttpError: _http_error,
            HTTPException: _starlette_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.add_middleware(AccessLog)
    return app
