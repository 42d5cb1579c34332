"""HTTP for the WordPress adapter: a retrying transport, Basic auth that hides the password,
and how WordPress's errors read.
"""

from __future__ import annotations

import base64
import html
import re
from typing import ClassVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from commentcare._errors import AdapterError, SiteUnavailableError

__all__ = ["DEFAULT_TIMEOUT", "RETRY_STATUSES", "retrying_adapter"]


#: (connect, read) seconds. WordPress on shared hosting can take a few seconds per page of 100.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 60.0)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_WAIT = 60.0  # the longest we sleep between two attempts, whatever Retry-After asks


class _Retry(Retry):
    """urllib3's Retry with Retry-After capped, so that a site cannot park a run for hours."""

    RETRY_AFTER_MAX: ClassVar[float] = _MAX_WAIT

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.RETRY_AFTER_MAX)


def retrying_adapter(retries: int = 3, backoff: float = 0.5) -> HTTPAdapter:
    """The transport a :class:`WordPressSite` mounts by default.

    Only reads are retried here: a POST to WordPress is not idempotent (a reply posted twice is
    two replies; a status set twice can be an HTTP 500), so writes go through
    :meth:`WordPressSite._write`, which checks the site before it tries again. Connection
    failures before anything was sent are retried for every method, which is safe.
    """
    retry = _Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        redirect=0,
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff,
        backoff_max=_MAX_WAIT,
        raise_on_status=False,  # the last 429/5xx comes back as a response we explain ourselves
        respect_retry_after_header=True,
    )
    return HTTPAdapter(max_retries=retry)


class _BasicAuth(requests.auth.AuthBase):
    """HTTP Basic auth that keeps the password out of reprs and ``vars()`` dumps."""

    __slots__ = ("_header", "user")

    def __init__(self, user: str, password: str) -> None:
        self.user = user
        self._header = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"<BasicAuth user={self.user!r} password=***>"


class _TransientError(SiteUnavailableError):
    """A failure that may pass: timeout, dropped connection, 429 or 5xx (after urllib3's retries)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _DuplicateError(AdapterError):
    """WordPress refused a comment as a duplicate (HTTP 409): the same reply is already there."""


_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


def _reason(exc: BaseException) -> str:
    """A short reason for a transport error; requests' own messages run to several lines."""
    text = str(exc)
    found = _ERRNO.search(text)
    if found:
        return found.group(1).strip().lower()
    if isinstance(exc, requests.Timeout) or "timed out" in text:
        return "timed out"
    if "RemoteDisconnected" in text or "reset" in text.lower() or "aborted" in text.lower():
        return "the connection was dropped"
    return type(exc).__name__


def _wp_error(response: requests.Response) -> tuple[str, str]:
    """WordPress's error ``code`` and ``message`` from a JSON error body ('' when absent)."""
    try:
        data = response.json()
    except (ValueError, RecursionError):
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    code = data.get("code")
    message = data.get("message")
    return (code if isinstance(code, str) else "", _plain(message) if isinstance(message, str) else "")


_TAG = re.compile(r"<[^>]+>")


def _plain(fragment: str) -> str:
    """Text of a small HTML fragment (titles, error messages), good enough for display."""
    return html.unescape(_TAG.sub("", fragment)).strip()


def _parse_retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds (a number or an HTTP date, read by urllib3), at most _MAX_WAIT."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return min(Retry(0).parse_retry_after(value), _MAX_WAIT)
    except InvalidHeader:
        return None
