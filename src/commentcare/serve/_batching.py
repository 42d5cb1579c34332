"""Micro-batching: requests that arrive while the model is busy are answered by one call.

Scoring one comment costs mostly fixed overhead; scoring 50 together costs little more than one.
The batcher never waits on purpose: the first request starts a batch at once, and whatever piles
up while that batch runs forms the next one. One worker thread runs the model, so the event loop
stays free to accept and answer connections.

A review raises a first-time complainer's priority by looking at earlier comments *of the same
call*; a batch therefore never puts an author (or e-mail) next to a comment of the same author
from another request, so every request is reviewed exactly as if it had been alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from commentcare._types import Comment

__all__ = ["Batcher"]

log = logging.getLogger(__name__)

R = TypeVar("R")


@dataclass
class _Job(Generic[R]):
    comments: Sequence[Comment]
    future: asyncio.Future[list[R]]
    people: frozenset[str] = field(default_factory=frozenset)


def _people(comments: Sequence[Comment]) -> frozenset[str]:
    out: set[str] = set()
    for c in comments:
        if c.author_email:
            out.add("e:" + c.author_email.strip().lower())
        if c.author:
            out.add("a:" + c.author.strip().lower())
    return frozenset(out)


class Batcher(Generic[R]):
    """Run ``score(comments) -> results`` (same length, same order) over gathered requests."""

    def __init__(
        self,
        score: Callable[[list[Comment]], list[R]],
        executor: ThreadPoolExecutor,
        *,
        max_batch: int = 256,
        separate_people: bool = True,
        name: str = "batch",
    ) -> None:
        self._score = score
        self._executor = executor
        self._max = max_batch
        self._separate = separate_people
        self._name = name
        self._pending: deque[_Job[R]] = deque()
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.comments = 0

    async def submit(self, comments: Sequence[Comment]) -> list[R]:
        """Score ``comments`` (one request's) and return their results, in order."""
        if not comments:
            return []
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._run(), name=f"commentcare-{self._name}")
        job: _Job[R] = _Job(
            comments, loop.create_future(), _people(comments) if self._separate else frozenset()
        )
        self._pending.append(job)
        assert self._wake is not None
        self._wake.set()
        return await job.future

    def _take(self) -> list[_Job[R]]:
        jobs = [self._pending.popleft()]
        size = len(jobs[0].comments)
        seen = set(jobs[0].people)
        while self._pending and size + len(self._pending[0].comments) <= self._max:
            nxt = self._pending[0]
            if nxt.people & seen:  # same person in two requests: the next batch takes it
                break
            jobs.append(self._pending.popleft())
            size += len(nxt.comments)
            seen |= nxt.people
        return jobs

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wake is not None
        while True:
            if not self._pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            jobs = [j for j in self._take() if not j.future.cancelled()]
            if not jobs:
                continue
            batch = [c for j in jobs for c in j.comments]
            try:
                results = await loop.run_in_executor(self._executor, self._score, batch)
            except Exception as exc:
                log.exception("scoring a batch of %d comment(s) failed", len(batch))
                for j in jobs:
                    if not j.future.done():
                        j.future.set_exception(exc)
                continue
            self.batches += 1
            self.comments += len(batch)
            start = 0
            for j in jobs:
                end = start + len(j.comments)
                if not j.future.done():
                    j.future.set_result(results[start:end])
                start = end

    async def close(self) -> None:
        """Stop the worker task once nothing is pending (called at shutdown)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # shutting down
                await self._task

    def stats(self) -> dict[str, Any]:
        return {"batches": self.batches, "comments": self.comments}
