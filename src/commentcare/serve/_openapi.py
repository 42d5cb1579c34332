"""The OpenAPI 3.1 description of the native API (served at ``/v1/openapi.json``).

The tests validate this document with a validator and every native response against its schemas,
so the description cannot drift from what the server sends.
"""

from __future__ import annotations

import copy
from typing import Any

from commentcare._version import __version__

__all__ = ["openapi"]

_NULLABLE_STR = {"type": ["string", "null"]}
_LABEL = {"type": "string", "enum": ["spam", "rant", "praise", "complaint"]}

_SCHEMAS: dict[str, Any] = {
    "Comment": {
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string", "description": "the comment"},
            "id": {"type": ["string", "integer"], "description": "the site's id, echoed back"},
            "author": {"type": "string"},
            "author_email": {"type": "string"},
            "author_url": {"type": "string", "description": "a link here is a strong spam signal"},
            "author_ip": {"type": "string"},
            "user_agent": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time", "description": "UTC if no offset"},
            "post_id": {"type": ["string", "integer"]},
            "post_title": {"type": "string"},
            "post_url": {"type": "string"},
            "parent_id": {"type": ["string", "integer"]},
        },
    },
    "Draft": {
        "type": "object",
        "required": ["text", "html", "template"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string"},
            "html": {"type": "string"},
            "template": {"type": "string"},
        },
    },
    "Review": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "label",
            "none_of_the_four",
            "confidence",
            "unsure",
            "scores",
            "other",
            "action",
            "priority",
            "respond_by",
            "reasons",
            "drafts",
            "model_version",
        ],
        "properties": {
            "id": _NULLABLE_STR,
            "label": _LABEL,
            "none_of_the_four": {
                "type": "boolean",
                "description": "the comment fits none of the four classes",
            },
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "unsure": {"type": "boolean", "description": "hold for a human: nothing automatic"},
            "scores": {
                "type": "object",
                "description": "each label's probability if the comment is one of the four (they sum to 1)",
                "additionalProperties": False,
                "required": ["spam", "rant", "praise", "complaint"],
                "properties": {
                    k: {"type": "number", "minimum": 0, "maximum": 1}
                    for k in ("spam", "rant", "praise", "complaint")
                },
            },
            "other": {
                "type": "number",
                "minimum": 0,
                "maximum": 1,
                "description": "probability that the comment is none of the four",
            },
            "action": {"type": "string", "enum": ["remove", "hold", "approve_and_reply"]},
            "priority": {"type": "integer", "minimum": 1, "description": "1 is the most urgent"},
            "respond_by": {"type": ["string", "null"], "format": "date-time"},
            "reasons": {"type": "array", "items": {"type": "string"}},
            "drafts": {"type": "array", "items": {"$ref": "#/components/schemas/Draft"}},
            "model_version": {"type": "string"},
        },
    },
    "Feedback": {
        "type": "object",
        "required": ["text", "correction"],
        "additionalProperties": False,
        "properties": {
            "text": {"type": "string"},
            "correction": {"type": "string", "enum": ["spam", "ham", "rant", "praise", "complaint", "none"]},
            "verdict": _NULLABLE_STR,
            "source": {"type": "string", "enum": ["akismet", "perspective", "wordpress", "api", "cli"]},
            "comment_id": {"type": ["string", "integer", "null"]},
            "keep_text": {"type": "boolean", "description": "false keeps only the text's SHA-256"},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                    "record": {"type": "integer", "description": "index of the bad comment in a list"},
                },
            }
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "model_version"],
        "properties": {
            "status": {"type": "string", "enum": ["ok"]},
            "model_version": {"type": "string"},
            "uptime_seconds": {"type": "number"},
            "batches": {"type": "object"},
        },
    },
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


_ERRORS = {
    "400": _error("malformed JSON or a bad comment (the record is named)"),
    "401": _error("a key is required and this one is not accepted"),
    "408": _error("the body did not arrive in time"),
    "413": _error("the body is larger than the server accepts"),
}

_DOC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "commentcare serve",
        "version": __version__,
        "description": "Review comments with commentcare's model: the four classes (spam, rant, praise, "
        "complaint) or none, the action, how urgent, by when to answer, and drafted replies.",
    },
    "servers": [{"url": "http://127.0.0.1:8080"}],
    "components": {
        "schemas": _SCHEMAS,
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "one of the server's keys (none needed on a keyless loopback server)",
            }
        },
    },
    "security": [{"bearer": []}, {}],
    "paths": {
        "/v1/review": {
            "post": {
                "operationId": "review",
                "summary": "Review one comment or a list of them",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "oneOf": [
                                    {"$ref": "#/components/schemas/Comment"},
                                    {
                                        "type": "array",
                                        "maxItems": 1000,
                                        "items": {"$ref": "#/components/schemas/Comment"},
                                    },
                                ]
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "the review (a list of reviews, in order, for a list)",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/Review"},
                                        {"type": "array", "items": {"$ref": "#/components/schemas/Review"}},
                                    ]
                                }
                            }
                        },
                    },
                    **_ERRORS,
                },
            }
        },
        "/v1/feedback": {
            "post": {
                "operationId": "feedback",
                "summary": "Record a moderator's correction (it replaces an older one for the same comment)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Feedback"}}},
                },
                "responses": {
                    "200": {
                        "description": "kept, and committed to disk",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["recorded"],
                                    "properties": {"recorded": {"type": "boolean", "const": True}},
                                }
                            }
                        },
                    },
                    **_ERRORS,
                },
            }
        },
        "/health": {
            "get": {
                "operationId": "health",
                "summary": "Whether the server is up, and its model",
                "responses": {
                    "200": {
                        "description": "up",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
                    },
                    "401": _ERRORS["401"],
                },
            }
        },
    },
}


def openapi() -> dict[str, Any]:
    """A fresh copy of the description."""
    return copy.deepcopy(_DOC)
