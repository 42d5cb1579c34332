"""``commentcare serve``: a local moderation service that answers Akismet's and Perspective's
APIs and commentcare's own, so that PHP, Node or Ruby tooling can use the model over HTTP.

Built on Starlette (routing, requests) and uvicorn (the HTTP server): both are small, widely used
and maintained, uvicorn stops gracefully on SIGTERM, and the asyncio loop lets one model thread
serve many slow connections while requests that arrive together are batched.

>>> from commentcare.serve import ServeConfig, run          # doctest: +SKIP
>>> run(ServeConfig(keys=("s3cret",)), host="127.0.0.1", port=8080)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commentcare._errors import InputError
from commentcare.serve._keys import ENV_KEYS, KeyRing, is_loopback, keys_from_env
from commentcare.serve._logs import configure as configure_logging
from commentcare.serve._service import DEFAULT_MAX_BODY, ServeConfig

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = [
    "DEFAULT_MAX_BODY",
    "ENV_KEYS",
    "KeyRing",
    "ServeConfig",
    "configure_logging",
    "create_app",
    "is_loopback",
    "keys_from_env",
    "run",
]


def create_app(config: ServeConfig | None = None, **kw: Any) -> Starlette:
    """The ASGI application (see :func:`commentcare.serve._app.create_app`)."""
    from commentcare.serve._app import create_app as _create

    return _create(config, **kw)


def run(config: ServeConfig, *, host: str = "127.0.0.1", port: int = 8080, log_level: str = "info") -> None:
    """Serve until SIGTERM or SIGINT; refuses a non-loopback ``host`` when no keys are set."""
    if not config.keys and not is_loopback(host):
        raise InputError(
            f"refusing to listen on {host} without keys: anyone who can reach it could use it. "
            f"Give --key KEY (or set {ENV_KEYS}), or listen on 127.0.0.1"
        )
    import uvicorn

    from commentcare.serve._protocol import guarded_protocol
    from commentcare.serve._service import Service

    service = Service(config)  # the model loads here, once, and a bad model fails before binding
    protocol = guarded_protocol()
    uvicorn.run(
        create_app(service=service),
        host=host,
        port=port,
        access_log=False,
        log_config=None,  # our JSON logging, set up by the caller
        log_level=log_level,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=10,
        backlog=4096,
        server_header=False,
        lifespan="on",
        http=protocol or "auto",
    )
