"""What every endpoint shares: the model (loaded once), the batchers, the keys, the feedback store."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commentcare._types import Classification, Comment, Label, Review
from commentcare.serve._batching import Batcher
from commentcare.serve._keys import KeyRing

if TYPE_CHECKING:
    from commentcare.feedback import FeedbackStore
    from commentcare.moderation import Moderator

__all__ = ["DEFAULT_MAX_BODY", "ServeConfig", "Service", "absolute"]

log = logging.getLogger(__name__)

#: Largest request body accepted (bytes); larger ones get 413.
DEFAULT_MAX_BODY = 1024 * 1024
#: The most comments one /v1/review request may carry.
MAX_COMMENTS = 1000


@dataclass(frozen=True)
class ServeConfig:
    """How a server is set up. ``keys`` are secrets: the repr does not show them."""

    model: str | os.PathLike[str] | None = None
    trusted: bool = False
    keys: tuple[str, ...] = field(default=(), repr=False)
    feedback: str | os.PathLike[str] | None = None  # None: the user's data directory
    max_body: int = DEFAULT_MAX_BODY
    body_timeout: float = 10.0  # seconds a client may take to send its body
    site_name: str | None = None
    max_batch: int = 256


def absolute(c: Classification, label: Label) -> float:
    """A label's absolute probability: its share of the four times the chance it is one of them."""
    return float(c.scores.get(label, 0.0)) * (1.0 - float(c.other))


class Service:
    """The server's state, built once at start-up (the model loads here, not per request)."""

    def __init__(self, config: ServeConfig, moderator: Moderator | None = None) -> None:
        from commentcare.feedback import FeedbackStore, default_feedback_path

        self.config = config
        self.keys = KeyRing(config.keys)
        if moderator is None:
            from commentcare.moderation import Moderator

            moderator = Moderator(config.model, trusted=config.trusted, site_name=config.site_name)
        self.moderator = moderator
        started = time.perf_counter()
        self.model_version = moderator.model_version  # loads the model now, once
        moderator.review("warm-up")  # the first call builds caches; no request should pay for it
        log.info(
            "model loaded",
            extra={
                "event": "model_loaded",
                "model_version": self.model_version,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        path = Path(config.feedback) if config.feedback is not None else default_feedback_path()
        self.store: FeedbackStore = FeedbackStore(path)
        self.feedback_path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="commentcare-model")
        self._store_lock = threading.Lock()
        self.reviews: Batcher[Review] = Batcher(
            self._review, self._executor, max_batch=config.max_batch, name="review"
        )
        self.classifications: Batcher[Classification] = Batcher(
            self._classify, self._executor, max_batch=config.max_batch, separate_people=False, name="classify"
        )
        self.started_at = time.time()

    def _review(self, comments: list[Comment]) -> list[Review]:
        return list(self.moderator.review_many(comments, site_name=self.config.site_name))

    def _classify(self, comments: list[Comment]) -> list[Classification]:
        return list(self.moderator.classify_many(comments))

    async def review(self, comments: Sequence[Comment]) -> list[Review]:
        return await self.reviews.submit(comments)

    async def classify(self, comments: Sequence[Comment]) -> list[Classification]:
        return await self.classifications.submit(comments)

    async def record(self, text: str, correction: str, **kw: Any) -> None:
        """Keep a correction; returns once it is committed (a thread, so the loop never blocks)."""
        await asyncio.to_thread(self._record, text, correction, kw)

    def _record(self, text: str, correction: str, kw: dict[str, Any]) -> None:
        with self._store_lock:
            self.store.record(text, correction, **kw)
        log.info(
            "correction recorded",
            extra={
                "event": "correction",
                "correction": correction,
                "source": kw.get("source"),
                "verdict": kw.get("verdict"),
                "text_kept": kw.get("keep_text", True),
            },
        )

    async def close(self) -> None:
        await self.reviews.close()
        await self.classifications.close()
        self._executor.shutdown(wait=True)
        self.store.close()
        log.info("stopped", extra={"event": "stopped"})
