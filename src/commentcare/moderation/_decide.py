"""The decision rules: from the model's verdict and what the plain rules found, to an action.

:func:`decide` is the table in the README, written as one pure function: no state, no cache, no
I/O. Reviews call it once per comment; tests call it with hand-made inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from commentcare._types import Action, Classification, Label
from commentcare.moderation._reading import RantTarget

__all__ = ["Decision", "Policy", "Signals", "decide"]


@dataclass(frozen=True)
class Policy:
    """How fast each class must be answered and how sure the model must be to act alone.

    The defaults follow social customer-service practice: a genuine complaint within the hour
    (one to three hours at most), a rant within three hours, praise within a day. A comment the
    model is unsure of is held for a human instead of being acted on.

    ``promise`` is the response-time promise the site makes in its replies ("We answer every
    message within a working day."): drafts carry it only when it is set, so the default drafts
    promise nothing the site has not promised. ``staff`` lists the names and e-mail addresses of
    the site's own people: their comments are the site's answers, not customers'.
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
    #: Below this confidence nothing is removed or approved automatically. The confidence is the
    #: label's absolute probability (``scores[label] * (1 - other)``, model v2), so a threshold
    #: chosen for a model of 0.1.0 reads stricter here.
    hold_below: float | None = None  # None: the model card's unsure threshold
    replies_per_comment: int = 2
    promise: str | None = None
    staff: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Signals:
    """What the plain rules found in a comment: everything :func:`decide` reads besides the model."""

    #: The site's own voice: who wrote it ("the site's author"), or None for a reader's comment.
    own: str | None = None
    #: Why the comment is held before any class rule applies (it fits none of the four, is not in
    #: English, has no words), or None.
    held: str | None = None
    #: A held comment that asks a question gets a draft that says who will answer it.
    asks: bool = False
    spam: tuple[str, ...] = ()  # spam tells: links, handles, promotional words
    hostile: tuple[str, ...] = ()  # rant tells: hostile words, capitals
    problem: str | None = None  # the kind of problem named ("a double charge"), or None
    target: RantTarget = RantTarget.BUSINESS
    first_time: bool = True  # no earlier comment by the same person in this run


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    priority: int  # 1 is the most urgent
    respond_by: datetime | None
    reasons: tuple[str, ...]
    #: The situation of the reply pack a draft is written for, or None for no draft.
    draft: str | None


# Priority 1 is the most urgent.
PRIORITY = {Label.COMPLAINT: 2, Label.RANT: 3, Label.PRAISE: 4, Label.SPAM: 5}
PRIORITY_FIRST_TIME = 1
PRIORITY_HELD = 4  # fits none of the four, or not English
PRIORITY_OWN = 5  # the site's own comment: nothing to do

PROMOTION = "reads like promotion, not conversation"
NO_PROBLEM = "no specific problem named"
HUMAN_READING = "a complaint; the problem needs a human reading"
FIRST_TIME = "first-time complainer: answer first"
THANKS = "thanks or compliments, no problem raised"
TARGETS = {
    RantTarget.BUSINESS: "aimed at the post or the business: a calm reply can help",
    RantTarget.COMMENTER: "aimed at another reader: a civility note at most",
    RantTarget.THIRD_PARTY: "aimed at a third party: no reply needed; approve or remove it under your comment policy",
    RantTarget.UNCLEAR: "not clear whom it is aimed at: a human should read it before any reply",
}


def unsure_reason(c: Classification) -> str:
    return f"model unsure ({c.confidence:.0%} {c.label.value}): a human should decide"


def decide(
    c: Classification, s: Signals, policy: Policy, *, created_at: datetime | None, now: datetime
) -> Decision:
    """The action, priority, respond-by time, reasons and kind of draft for one comment."""
    if s.own is not None:
        return Decision(
            Action.APPROVE, PRIORITY_OWN, None, (f"written by {s.own}: not a customer's comment",), None
        )
    if s.held is not None:
        return Decision(Action.HOLD, PRIORITY_HELD, None, (s.held,), "question" if s.asks else None)
    unsure = c.unsure if policy.hold_below is None else c.confidence < policy.hold_below
    if c.label is Label.SPAM:
        reasons = (s.spam or (PROMOTION,)) + ((unsure_reason(c),) if unsure else ())
        return Decision(Action.HOLD if unsure else Action.REMOVE, PRIORITY[Label.SPAM], None, reasons, None)

    window = policy.respond_within.get(c.label)
    priority = PRIORITY[c.label]
    draft: str | None = c.label.value
    if c.label is Label.RANT:
        action = Action.HOLD
        grievance = (
            f"may hide a real grievance: {s.problem}; answer it, do not delete in haste"
            if s.problem
            else NO_PROBLEM
        )
        reasons = (*s.hostile, TARGETS[s.target], grievance)
        draft = {RantTarget.BUSINESS: "rant", RantTarget.COMMENTER: "civility"}.get(s.target)
    elif c.label is Label.COMPLAINT:
        action = Action.APPROVE_AND_REPLY
        reasons = (f"names a specific problem: {s.problem}" if s.problem else HUMAN_READING,)
        if s.first_time:
            priority = PRIORITY_FIRST_TIME
            window = None if window is None else window * policy.first_time_factor
            reasons += (FIRST_TIME,)
    else:
        action = Action.APPROVE_AND_REPLY
        reasons = (THANKS,)
    if unsure:
        action = Action.HOLD
        reasons += (unsure_reason(c),)
        if draft in ("complaint", "praise", "rant"):
            draft = "neutral"  # not written for a class the model is unsure of
    respond_by = None if window is None else (created_at or now) + window
    return Decision(action, priority, respond_by, reasons, draft)
