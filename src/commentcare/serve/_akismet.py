"""Akismet's REST API (``/1.1/...``), as Akismet's clients expect it: form-encoded POSTs in,
plain-text bodies out (``valid``/``invalid``, ``true``/``false``, the thanks line), with the
key in the body (``api_key``) or in the older ``{key}.rest.akismet.com`` host form.

commentcare's own verdict rides along in ``X-commentcare-*`` headers, which Akismet clients
ignore and the WordPress plugin and other tooling may read.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from commentcare._types import Action, Comment, Label, Review
from commentcare.serve._http import HttpError, read_body
from commentcare.serve._service import Service, absolute

__all__ = ["DISCARD_AT", "THANKS", "routes"]

log = logging.getLogger(__name__)

THANKS = "Thanks for making the web a better place."
#: Spam at least this likely (absolute probability) and removed by the review is "blatant":
#: Akismet's ``X-akismet-pro-tip: discard``.
DISCARD_AT = 0.9

_REQUIRED = ("blog", "user_ip")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


async def _form(request: Request) -> dict[str, str]:
    raw = await read_body(request)
    ctype = request.headers.get("content-type", "application/x-www-form-urlencoded").split(";")[0].strip()
    if ctype not in ("application/x-www-form-urlencoded", ""):
        raise HttpError(415, f"expected a form-encoded body (application/x-www-form-urlencoded), got {ctype}")
    try:
        text = raw.decode("utf-8")
        bad = _BAD_ESCAPE.search(text)
        if bad:
            raise ValueError(f"a '%' at offset {bad.start()} is not followed by two hex digits")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise HttpError(400, f"malformed form body: {exc}") from None
    form: dict[str, str] = {}
    for k, v in [*parse_qsl(request.url.query, keep_blank_values=True), *pairs]:
        form[k] = v
    return form


def _key(request: Request, service: Service, form: dict[str, str]) -> str | None:
    return form.get("api_key") or form.get("key") or service.keys.from_host(request.headers.get("host"))


def _invalid(message: str = "Invalid key") -> Response:
    return PlainTextResponse("invalid", headers={"X-akismet-debug-help": message})


def _text(body: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(body, headers=headers)


def comment_of(form: dict[str, str]) -> Comment:
    """The comment an Akismet request describes."""
    created = None
    stamp = form.get("comment_date_gmt")
    if stamp:
        try:
            created = datetime.fromisoformat(stamp.replace("Z", "+00:00").replace(" ", "T"))
            if created.utcoffset() is None:
                created = created.replace(tzinfo=timezone.utc)
        except ValueError:
            created = None
    extra = {
        k: form[k] for k in ("blog", "comment_type", "referrer", "blog_lang", "blog_charset") if form.get(k)
    }
    return Comment(
        text=form.get("comment_content", ""),
        author=form.get("comment_author") or None,
        author_email=form.get("comment_author_email") or None,
        author_url=form.get("comment_author_url") or None,
        author_ip=form.get("user_ip") or None,
        user_agent=form.get("user_agent") or None,
        post_url=form.get("permalink") or None,
        created_at=created,
        source="akismet",
        extra=extra,
    )


def is_spam(review: Review) -> bool:
    """Akismet's ``true``: commentcare's label is spam and it is sure enough to act on it."""
    return review.label is Label.SPAM and not review.classification.unsure


def verdict_headers(review: Review) -> dict[str, str]:
    c = review.classification
    headers = {
        "X-commentcare-label": "none" if c.other >= c.confidence else review.label.value,
        "X-commentcare-confidence": f"{c.confidence:.4f}",
        "X-commentcare-action": review.action.value,
        "X-commentcare-priority": str(review.priority),
        "X-commentcare-unsure": "true" if c.unsure else "false",
        "X-commentcare-model": c.model_version,
    }
    if review.respond_by is not None:
        headers["X-commentcare-respond-by"] = review.respond_by.isoformat(timespec="seconds")
    return headers


async def verify_key(request: Request) -> Response:
    service: Service = request.app.state.service
    form = await _form(request)
    key = _key(request, service, form)
    if service.keys and not key:
        return _invalid('Empty "api_key" value')
    return _text("valid") if service.keys.accepts(key) else _invalid()


async def comment_check(request: Request) -> Response:
    service: Service = request.app.state.service
    form = await _form(request)
    if not service.keys.accepts(_key(request, service, form)):
        return _invalid()
    for name in _REQUIRED:
        if not form.get(name):
            return _text(
                f"Missing required field: {name}.", {"X-akismet-debug-help": f'Empty "{name}" value'}
            )
    review = (await service.review([comment_of(form)]))[0]
    headers = verdict_headers(review)
    spam = is_spam(review)
    if spam and review.action is Action.REMOVE and absolute(review.classification, Label.SPAM) >= DISCARD_AT:
        headers["X-akismet-pro-tip"] = "discard"
    return _text("true" if spam else "false", headers)


async def _submit(request: Request, correction: str) -> Response:
    service: Service = request.app.state.service
    form = await _form(request)
    if not service.keys.accepts(_key(request, service, form)):
        return _invalid()
    for name in _REQUIRED:
        if not form.get(name):
            return _text(
                f"Missing required field: {name}.", {"X-akismet-debug-help": f'Empty "{name}" value'}
            )
    comment = comment_of(form)
    verdict = (await service.classify([comment]))[0]
    label = "none" if verdict.other >= verdict.confidence else verdict.label.value
    await service.record(comment.text, correction, verdict=label, source="akismet")
    return _text(THANKS)


async def submit_spam(request: Request) -> Response:
    return await _submit(request, "spam")


async def submit_ham(request: Request) -> Response:
    return await _submit(request, "ham")


routes = [
    Route("/1.1/verify-key", verify_key, methods=["POST"]),
    Route("/1.1/comment-check", comment_check, methods=["POST"]),
    Route("/1.1/submit-spam", submit_spam, methods=["POST"]),
    Route("/1.1/submit-ham", submit_ham, methods=["POST"]),
]
