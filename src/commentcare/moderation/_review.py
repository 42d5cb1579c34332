"""Review: from a classification to an action, an urgency, reasons and a drafted reply."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from commentcare._types import Action, Classification, Comment, Label, Reply, Review
from commentcare.model._text import Prepared, PreparedBatch, prepare
from commentcare.moderation._replies import ReplyPack, Template
from commentcare.moderation._signals import (
    _find_problem,
    _liked_thing,
    _rant_reasons,
    _spam_reasons,
    first_name,
    words,
)

__all__ = ["Policy", "Reviewer", "triage"]


@dataclass(frozen=True)
class Policy:
    """How fast each class must be answered and how sure the model must be to act alone.

    The defaults follow social customer-service practice: a genuine complaint within the hour
    (one to three hours at most), a rant within three hours, praise within a day. A comment the
    model is unsure of is held for a human instead of being acted on.
    """

    respond_within: dict[Label, timedelta] = field(
        default_factory=lambda: {
            Label.COMPLAINT: timedelta(hours=1),
            Label.RANT: timedelta(hours=3),
            Label.PRAISE: timedelta(hours=24),
        }
    )
    #: A first-time complainer is answered within this fraction of the complaint window.
    first_time_factor: float = 0.5
    #: Below this confidence nothing is removed or approved automatically.
    hold_below: float | None = None  # None: the model card's unsure threshold
    replies_per_comment: int = 2


# Priority 1 is the most urgent.
_PRIORITY = {Label.COMPLAINT: 2, Label.RANT: 3, Label.PRAISE: 4, Label.SPAM: 5}


class Reviewer:
    """Reviews comments in order, remembering who has commented before (for triage).

    :meth:`review_batch` is what ``Moderator.review_many`` uses: it reads the prepared texts of a
    classified batch in place and remembers the drafts it has rendered.
    """

    def __init__(self, policy: Policy, pack: ReplyPack, site_name: str | None, contact: str | None) -> None:
        self.policy = policy
        self.pack = pack
        self.site_name = site_name
        self.contact = contact
        self._seen: set[str] = set()
        self._hold_below = policy.hold_below
        self._windows = policy.respond_within
        self._n_replies = policy.replies_per_comment
        # Drafts by template and the values it reads: most drafts of a batch repeat (no name, the
        # same problem), and rendering, tidying and escaping is most of what a reply costs.
        self._drafts: dict[tuple[int, object], tuple[Template, Reply]] = {}

    def _first_time(self, comment: Comment) -> bool:
        keys = [
            k
            for k in ((comment.author_email or "").strip().lower(), (comment.author or "").strip().lower())
            if k
        ]
        first = not any(k in self._seen for k in keys)
        self._seen.update(keys)
        return first

    def review(self, comment: Comment, c: Classification, prepared: Prepared | None = None) -> Review:
        if prepared is None:
            prepared = prepare(comment.text, comment.author_url)
        return self._review(comment, c, prepared.text, prepared)

    def review_batch(
        self, comments: Iterable[Comment], classifications: Iterable[Classification], batch: PreparedBatch
    ) -> Iterator[Review]:
        """Review a classified batch in order, reading its prepared texts where they are.

        Only spam needs the link and contact counts, so only spam gets a :class:`Prepared`.
        """
        texts = batch.texts
        spam = Label.SPAM
        for i, (comment, c) in enumerate(zip(comments, classifications)):
            yield self._review(comment, c, texts[i], batch.item(i) if c.label is spam else None)

    def _review(self, comment: Comment, c: Classification, text: str, prepared: Prepared | None) -> Review:
        """Review one comment; ``text`` is its prepared text, ``prepared`` is needed for spam only."""
        first_time = self._first_time(comment) if comment.author_email or comment.author else True
        label = c.label
        w = words(text)
        replies: tuple[Reply, ...] = ()
        problem = None
        hold_below = self._hold_below
        unsure = c.unsure if hold_below is None else c.confidence < hold_below

        if label is Label.SPAM:
            action = Action.HOLD if unsure else Action.REMOVE
            if prepared is None:
                prepared = prepare(comment.text, comment.author_url)
            reasons = _spam_reasons(prepared, w) or ["reads like promotion, not conversation"]
        elif label is Label.RANT:
            action = Action.HOLD
            reasons = _rant_reasons(text, w)
            problem = _find_problem(text, w)
            if problem:
                reasons.append(
                    f"may hide a real grievance: {problem.kind}; answer it, do not delete in haste"
                )
            else:
                reasons.append("no specific problem named")
        elif label is Label.COMPLAINT:
            action = Action.HOLD if unsure else Action.APPROVE_AND_REPLY
            problem = _find_problem(text, w)
            reasons = [
                f"names a specific problem: {problem.kind}"
                if problem
                else "a complaint; the problem needs a human reading"
            ]
            if first_time:
                reasons.append("first-time complainer: answer first")
        else:
            action = Action.HOLD if unsure else Action.APPROVE_AND_REPLY
            reasons = ["thanks or compliments, no problem raised"]
        if unsure:
            reasons.append(f"model unsure ({c.confidence:.0%} {label.value}): a human should decide")

        priority = _PRIORITY[label]
        if label is Label.COMPLAINT and first_time:
            priority = 1
        respond_by = None
        window = self._windows.get(label)
        if window is not None and label is not Label.SPAM:
            if label is Label.COMPLAINT and first_time:
                window = window * self.policy.first_time_factor
            start = comment.created_at or datetime.now(timezone.utc)
            respond_by = start + window

        if label is not Label.SPAM:
            values = {
                "first_name": first_name(comment.author),
                "author": comment.author,
                "post_title": comment.post_title,
                "site_name": self.site_name,
                "contact": self.contact,
                "problem": problem.phrase if problem else None,
                "problem_quote": problem.quote if problem else None,
                "liked": _liked_thing(text, w) if label is Label.PRAISE else None,
            }
            key = comment.id or comment.text
            replies = tuple(
                self._draft(t, values) for t in self.pack.choose(label.value, key, self._n_replies)
            )
        return Review(
            comment=comment,
            classification=c,
            action=action,
            priority=priority,
            respond_by=respond_by,
            reasons=tuple(reasons),
            replies=replies,
        )

    def _draft(self, template: Template, values: dict[str, str | None]) -> Reply:
        """``pack.render``, remembered by template and the values it reads."""
        key = (id(template), template.values_of(values))
        hit = self._drafts.get(key)
        if hit is not None:
            return hit[1]
        reply = self.pack.render(template, values)
        if len(self._drafts) >= _MAX_DRAFTS:
            self._drafts.clear()
        self._drafts[key] = (template, reply)  # the template is kept alive, so its id stays its own
        return reply


_MAX_DRAFTS = 4096

_FAR = datetime.max.replace(tzinfo=timezone.utc)


def triage(reviews: Iterable[Review]) -> list[Review]:
    """Order a reply queue: earliest respond-by first, then priority; spam (no deadline) last."""
    return sorted(reviews, key=lambda r: (r.respond_by or _FAR, r.priority))
