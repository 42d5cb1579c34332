"""commentcare's own JSON API: ``POST /v1/review`` (the whole Review), ``POST /v1/feedback``
(a correction), ``GET /health`` and ``GET /v1/openapi.json`` (the description the tests check)."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from commentcare._types import Comment, Review
from commentcare.serve._http import HttpError, read_json
from commentcare.serve._openapi import openapi
from commentcare.serve._service import MAX_COMMENTS, Service

__all__ = ["COMMENT_FIELDS", "comment_from_json", "review_to_json", "routes"]

#: The fields a comment object may carry; only ``text`` is required.
COMMENT_FIELDS = (
    "text",
    "id",
    "author",
    "author_email",
    "author_url",
    "author_ip",
    "user_agent",
    "created_at",
    "post_id",
    "post_title",
    "post_url",
    "parent_id",
)


def _key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.headers.get("x-api-key") or request.query_params.get("key")


def check_key(request: Request, service: Service) -> None:
    if not service.keys.accepts(_key(request)):
        raise HttpError(401, "a valid key is required (Authorization: Bearer KEY)")


def comment_from_json(obj: Any, record: int) -> Comment:
    """A Comment from its JSON object; a 400 naming the record for anything else."""
    if not isinstance(obj, dict):
        raise HttpError(400, "a comment must be an object with a 'text' field", record=record)
    unknown = sorted(set(obj) - set(COMMENT_FIELDS))
    if unknown:
        raise HttpError(400, f"unknown field(s): {', '.join(unknown)}", record=record)
    if not isinstance(obj.get("text"), str):
        raise HttpError(400, "'text' is required and must be a string", record=record)
    values: dict[str, Any] = {}
    for name in COMMENT_FIELDS[1:]:
        value = obj.get(name)
        if value is None:
            continue
        if name in ("id", "post_id", "parent_id") and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise HttpError(400, f"'{name}' must be a string", record=record)
        values[name] = value
    if "created_at" in values:
        try:
            created = datetime.fromisoformat(values["created_at"].replace("Z", "+00:00"))
        except ValueError:
            raise HttpError(400, "'created_at' is not an ISO 8601 date-time", record=record) from None
        values["created_at"] = (
            created if created.utcoffset() is not None else created.replace(tzinfo=timezone.utc)
        )
    return Comment(text=obj["text"], source="api", **values)


def review_to_json(review: Review) -> dict[str, Any]:
    """A Review as JSON: everything a moderator needs, drafts included."""
    c = review.classification
    return {
        "id": review.comment.id,
        "label": review.label.value,
        "none_of_the_four": c.other >= c.confidence,
        "confidence": round(c.confidence, 6),
        "unsure": c.unsure,
        "scores": {lbl.value: round(float(p), 6) for lbl, p in c.scores.items()},
        "other": round(float(c.other), 6),
        "action": review.action.value,
        "priority": review.priority,
        "respond_by": review.respond_by.isoformat(timespec="seconds") if review.respond_by else None,
        "reasons": list(review.reasons),
        "drafts": [{"text": r.text, "html": r.html, "template": r.template} for r in review.replies],
        "model_version": c.model_version,
    }


async def review(request: Request) -> Response:
    service: Service = request.app.state.service
    check_key(request, service)
    body = await read_json(request)
    if isinstance(body, list):
        if len(body) > MAX_COMMENTS:
            raise HttpError(413, f"at most {MAX_COMMENTS} comments a request")
        comments = [comment_from_json(obj, i) for i, obj in enumerate(body)]
        return JSONResponse([review_to_json(r) for r in await service.review(comments)])
    comment = comment_from_json(body, 0)
    return JSONResponse(review_to_json((await service.review([comment]))[0]))


async def feedback(request: Request) -> Response:
    from commentcare.feedback import CORRECTIONS, SOURCES

    service: Service = request.app.state.service
    check_key(request, service)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise HttpError(400, "expected an object with 'text' and 'correction'")
    text, correction = body.get("text"), body.get("correction")
    if not isinstance(text, str):
        raise HttpError(400, "'text' is required and must be a string")
    if correction not in CORRECTIONS:
        raise HttpError(400, f"'correction' must be one of {', '.join(sorted(CORRECTIONS))}")
    source = body.get("source", "api")
    if source not in SOURCES:
        raise HttpError(400, f"'source' must be one of {', '.join(sorted(SOURCES))}")
    verdict = body.get("verdict")
    if verdict is not None and not isinstance(verdict, str):
        raise HttpError(400, "'verdict' must be a label or null")
    cid = body.get("comment_id")
    if cid is not None and not isinstance(cid, (str, int)):
        raise HttpError(400, "'comment_id' must be a string or an integer")
    keep = body.get("keep_text", True)
    if not isinstance(keep, bool):
        raise HttpError(400, "'keep_text' must be true or false")
    await service.record(text, correction, verdict=verdict, keep_text=keep, source=source, comment_id=cid)
    return JSONResponse({"recorded": True})


async def health(request: Request) -> Response:
    service: Service = request.app.state.service
    check_key(request, service)
    return JSONResponse(
        {
            "status": "ok",
            "model_version": service.model_version,
            "uptime_seconds": round(time.time() - service.started_at, 1),
            "batches": {"review": service.reviews.stats(), "classify": service.classifications.stats()},
        }
    )


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi())


routes = [
    Route("/v1/review", review, methods=["POST"]),
    Route("/v1/feedback", feedback, methods=["POST"]),
    Route("/health", health, methods=["GET"]),
    Route("/v1/openapi.json", openapi_json, methods=["GET"]),
]
