"""The exception tree. Everything commentcare raises on purpose derives from CommentCareError::

CommentCareError
 ├── ModelError              the model file is missing, tampered with or from other versions
 │    └── UntrustedModelError(ModelError, PermissionError)
 ├── InputError(CommentCareError, ValueError)   bad input: names the file and the record
 │    └── TemplateError       a reply template that cannot be loaded or rendered
 └── AdapterError             a site (WordPress, Medium) could not be read or written
      ├── AuthenticationError  401/403: wrong Application Password or missing rights
      └── SiteUnavailableError no REST API, timeouts, 5xx after retries
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "AuthenticationError",
    "CommentCareError",
    "InputError",
    "ModelError",
    "SiteUnavailableError",
    "TemplateError",
    "UntrustedModelError",
]


class CommentCareError(Exception):
    """Base of every error commentcare raises on purpose."""


class ModelError(CommentCareError):
    """A model could not be loaded, verified or used."""


class UntrustedModelError(ModelError, PermissionError):
    """A model from outside the package was given without ``trusted=True``."""


class InputError(CommentCareError, ValueError):
    """Input that cannot be read. ``source`` and ``record`` say where, when known."""

    def __init__(self, message: str, *, source: str | None = None, record: int | str | None = None) -> None:
        self.source = source
        self.record = record
        self.reason = message
        where = ""
        if source is not None:
            where = str(source)
            if record is not None:
                where += f":{record}"
            where += ": "
        elif record is not None:
            where = f"record {record}: "
        super().__init__(where + message)


class TemplateError(InputError):
    """A reply template pack is malformed (unknown placeholder, bad syntax, missing section)."""


class AdapterError(CommentCareError):
    """A site adapter failed to talk to its site."""


class AuthenticationError(AdapterError, PermissionError):
    """The site refused our credentials or rights (HTTP 401/403)."""


class SiteUnavailableError(AdapterError, ConnectionError):
    """The site or its API could not be reached or is not there."""
