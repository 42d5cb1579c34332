"""A header deadline for uvicorn's HTTP protocol (httptools): slow-loris protection.

uvicorn closes a keep-alive connection that stays idle after a response, and this server answers
408 to a body that dawdles, but a client that opens a connection and then sends nothing, or sends
its headers a byte at a time, would hold a socket forever. This protocol gives every request
``HEADER_TIMEOUT`` seconds from its connection (or its first byte, on a kept-alive connection) to
the end of its headers, then closes the connection.

It extends uvicorn's own protocol class, whose callbacks are not a public API: when uvicorn or
httptools is missing or has changed, :func:`guarded_protocol` returns None and uvicorn's default
protocol is used (without the deadline).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

__all__ = ["HEADER_TIMEOUT", "guarded_protocol"]

log = logging.getLogger(__name__)

#: Seconds a client has to send a request's line and headers.
HEADER_TIMEOUT = 10.0

_HOOKS = (
    "connection_made",
    "connection_lost",
    "on_message_begin",
    "on_headers_complete",
    "loop",
    "transport",
)


def guarded_protocol(timeout: float = HEADER_TIMEOUT) -> type[asyncio.Protocol] | None:
    """uvicorn's httptools protocol with a header deadline, or None where that cannot be built."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return None
    if not all(hasattr(HttpToolsProtocol, name) for name in _HOOKS[:4]):
        log.warning("uvicorn's protocol has changed: no header deadline")
        return None

    class HeaderDeadlineProtocol(HttpToolsProtocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(timeout, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                log.info(
                    "closed a connection whose headers did not arrive", extra={"event": "header_timeout"}
                )
                self.transport.close()

    return HeaderDeadlineProtocol
