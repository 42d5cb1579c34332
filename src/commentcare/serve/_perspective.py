"""Google Perspective's ``comments:analyze`` and ``comments:suggestscore``, answered locally.

Perspective clients (Coral Talk and others) take a configurable endpoint; pointed here they get
``attributeScores[ATTR].summaryScore.value`` as before, computed from commentcare's model:
TOXICITY and INSULT from the rant probability, SPAM from the spam probability, and
commentcare's own COMPLAINT and PRAISE. The scores are absolute probabilities (the label's share
of the four times the chance the comment is one of the four). ``doNotStore`` is honoured: an
analysed text is never kept, and a suggested score with ``doNotStore`` keeps only its hash.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from commentcare._types import Classification, Comment, Label
from commentcare.serve._http import HttpError, read_json
from commentcare.serve._service import Service, absolute

__all__ = ["ATTRIBUTES", "routes"]


def _rant(c: Classification) -> float:
    return absolute(c, Label.RANT)


#: The attributes this server scores, and how.
ATTRIBUTES: dict[str, Callable[[Classification], float]] = {
    "TOXICITY": _rant,
    "INSULT": _rant,
    "SPAM": lambda c: absolute(c, Label.SPAM),
    "COMPLAINT": lambda c: absolute(c, Label.COMPLAINT),
    "PRAISE": lambda c: absolute(c, Label.PRAISE),
}
#: The correction a suggested high score stands for.
_CORRECTION = {
    "TOXICITY": "rant",
    "INSULT": "rant",
    "SPAM": "spam",
    "COMPLAINT": "complaint",
    "PRAISE": "praise",
}
_LANGUAGES = ("en",)


def _key(request: Request) -> str | None:
    return request.query_params.get("key") or request.headers.get("x-goog-api-key")


def _check_key(request: Request, service: Service) -> None:
    if not service.keys:
        return
    key = _key(request)
    if not key:
        raise HttpError(403, "The request is missing a valid API key.", reason="API_KEY_MISSING")
    if not service.keys.accepts(key):
        raise HttpError(400, "API key not valid. Please pass a valid API key.", reason="API_KEY_INVALID")


def _comment_text(body: Any) -> str:
    if not isinstance(body, dict):
        raise HttpError(400, "Invalid JSON payload received. Expected an object.")
    comment = body.get("comment")
    if not isinstance(comment, dict) or not isinstance(comment.get("text"), str):
        raise HttpError(400, "Comment must be specified with a text field (comment.text).")
    text: str = comment["text"]
    if not text.strip():
        raise HttpError(400, "Comment text was too short.")
    return text


def _languages(body: dict[str, Any]) -> list[str]:
    langs = body.get("languages") or []
    if not isinstance(langs, list) or not all(isinstance(x, str) for x in langs):
        raise HttpError(400, "Invalid value at 'languages': expected a list of language codes.")
    for lang in langs:
        if lang.split("-")[0].lower() not in _LANGUAGES:
            raise HttpError(
                400,
                f"Attribute TOXICITY does not support request languages: {lang}",
                reason="LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
            )
    return [x.split("-")[0].lower() for x in langs]


def _unknown_attribute(name: str, langs: list[str]) -> HttpError:
    lang = langs[0] if langs else "en"
    return HttpError(
        400,
        f'Attribute {name} does not exist in language "{lang}".',
        reason="LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
    )


async def analyze(request: Request) -> Response:
    service: Service = request.app.state.service
    _check_key(request, service)
    body = await read_json(request)
    text = _comment_text(body)
    langs = _languages(body)
    requested = body.get("requestedAttributes")
    if not isinstance(requested, dict) or not requested:
        raise HttpError(400, "requestedAttributes must specify at least one attribute.")
    for name, opts in requested.items():
        if name not in ATTRIBUTES:
            raise _unknown_attribute(name, langs)
        if opts is not None and not isinstance(opts, dict):
            raise HttpError(400, f"Invalid value at 'requested_attributes[{name}]'.")
        stype = (opts or {}).get("scoreType", "PROBABILITY")
        if stype not in ("PROBABILITY", "", None):
            raise HttpError(400, f"Score type {stype} is not supported for attribute {name}.")
    # doNotStore: the text goes to the model and nowhere else (analyze never stores any text).
    c = (await service.classify([Comment(text=text, source="perspective")]))[0]
    spans = bool(body.get("spanAnnotations"))
    scores: dict[str, Any] = {}
    for name, opts in requested.items():
        value = round(ATTRIBUTES[name](c), 6)
        threshold = (opts or {}).get("scoreThreshold") or {}
        limit = threshold.get("value") if isinstance(threshold, dict) else None
        if isinstance(limit, (int, float)) and value < float(limit):
            continue
        score = {"value": value, "type": "PROBABILITY"}
        entry: dict[str, Any] = {"summaryScore": score}
        if spans:
            entry["spanScores"] = [{"begin": 0, "end": len(text), "score": dict(score)}]
        scores[name] = entry
    out: dict[str, Any] = {
        "attributeScores": scores,
        "languages": langs or ["en"],
        "detectedLanguages": ["en"],
    }
    if isinstance(body.get("clientToken"), str):
        out["clientToken"] = body["clientToken"]
    return JSONResponse(out)


def _correction(attr_scores: Any) -> str:
    if not isinstance(attr_scores, dict) or not attr_scores:
        raise HttpError(400, "attributeScores must specify at least one attribute.")
    values: dict[str, float] = {}
    for name, entry in attr_scores.items():
        if name not in ATTRIBUTES:
            raise _unknown_attribute(name, [])
        try:
            value = float(entry["summaryScore"]["value"])
        except (KeyError, TypeError, ValueError):
            raise HttpError(400, f"attributeScores[{name}].summaryScore.value must be a number.") from None
        if not 0.0 <= value <= 1.0:
            raise HttpError(400, f"attributeScores[{name}].summaryScore.value must be between 0 and 1.")
        values[name] = value
    best = max(values, key=lambda n: values[n])
    if values[best] >= 0.5:
        return _CORRECTION[best]
    return "ham" if set(values) == {"SPAM"} else "none"


async def suggest_score(request: Request) -> Response:
    service: Service = request.app.state.service
    _check_key(request, service)
    body = await read_json(request)
    text = _comment_text(body)
    langs = _languages(body)
    correction = _correction(body.get("attributeScores"))
    c = (await service.classify([Comment(text=text, source="perspective")]))[0]
    verdict = "none" if c.other >= c.confidence else c.label.value
    await service.record(
        text, correction, verdict=verdict, keep_text=not body.get("doNotStore", False), source="perspective"
    )
    token = body.get("clientToken") if isinstance(body.get("clientToken"), str) else secrets.token_hex(8)
    return JSONResponse({"clientToken": token, "requestedLanguages": langs, "detectedLanguages": ["en"]})


routes = [
    Route("/v1alpha1/comments:analyze", analyze, methods=["POST"]),
    Route("/v1alpha1/comments:suggestscore", suggest_score, methods=["POST"]),
]
