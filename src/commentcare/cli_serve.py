"""``commentcare serve``: run the local moderation service (Akismet, Perspective and native APIs).

A thin layer over :mod:`commentcare.serve`. On SIGTERM or Ctrl-C the server stops
accepting, answers the requests in flight, closes the feedback database, then exits by the same
signal (uvicorn re-raises it, so supervisors see how it stopped). Other exit codes: 1 the model or
the server failed, 2 bad usage (for instance a public address without keys).
"""

from __future__ import annotations

import argparse
import logging
import sys

from commentcare._errors import CommentCareError, InputError

__all__ = ["register", "serve"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve`` to the main parser; the handler is set as ``func``."""
    p = subparsers.add_parser(
        "serve",
        help="run a local moderation service that speaks Akismet, Perspective and a JSON API",
        description=(
            "Serve commentcare over HTTP: Akismet's /1.1/comment-check and friends, Perspective's "
            "/v1alpha1/comments:analyze, and POST /v1/review. Corrections (submit-spam, submit-ham, "
            "suggestscore, /v1/feedback) are kept in the feedback database. Without --key the server "
            "listens on loopback only. Logs are JSON lines on standard error."
        ),
        epilog="Keys may also come from COMMENTCARE_SERVE_KEYS (commas or spaces between them); they are never logged.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument(
        "--key",
        action="extend",
        nargs="+",
        default=[],
        metavar="KEY",
        help="accepted API keys (--key A B or --key A --key B); every endpoint then checks them",
    )
    p.add_argument("--model", help="a model directory or .joblib written by `commentcare train`")
    p.add_argument(
        "--trust-model",
        action="store_true",
        help="load --model although it is a pickle from outside the package",
    )
    p.add_argument(
        "--feedback", metavar="DB", help="the corrections database (default: in the user's data directory)"
    )
    p.add_argument("--site-name", help="the site's name, for drafted replies")
    p.add_argument(
        "--max-body",
        type=int,
        default=None,
        metavar="BYTES",
        help="largest request body (default 1 MiB); larger gets 413",
    )
    p.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    try:
        from commentcare.serve import DEFAULT_MAX_BODY, ServeConfig, configure_logging, keys_from_env, run
    except ImportError as exc:
        sys.stderr.write(
            f"commentcare serve: needs the serve extra: pip install 'commentcare[serve]' ({exc})\n"
        )
        return 1
    if not 0 < args.port < 65536:
        sys.stderr.write(f"commentcare serve: --port {args.port} is not a port number\n")
        return 2
    configure_logging(logging.DEBUG if args.verbose > 1 else logging.INFO)
    keys = (*args.key, *keys_from_env())
    config = ServeConfig(
        model=args.model,
        trusted=args.trust_model,
        keys=keys,
        feedback=args.feedback,
        site_name=args.site_name,
        max_body=args.max_body or DEFAULT_MAX_BODY,
    )
    try:
        run(config, host=args.host, port=args.port)
    except InputError as exc:
        sys.stderr.write(f"commentcare serve: {exc}\n")
        return 2
    except CommentCareError as exc:
        sys.stderr.write(f"commentcare serve: {exc}\n")
        return 1
    return 0
