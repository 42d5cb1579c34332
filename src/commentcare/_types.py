"""The value types every part of commentcare speaks: comments in, classifications and reviews out.

They are frozen dataclasses and enums so that results can be hashed, compared, logged and passed
between processes without anyone mutating a shared decision by accident.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Action", "Classification", "Comment", "Label", "Reply", "Review"]


class Label(str, enum.Enum):
    """The four classes of a comment (see the labelling guide in the docs)."""

    SPAM = "spam"
    RANT = "rant"
    PRAISE = "praise"
    COMPLAINT = "complaint"

    def __str__(self) -> str:
        return self.value


class Action(str, enum.Enum):
    """What a moderator should do with a comment."""

    REMOVE = "remove"  # mark as spam, never reply
    HOLD = "hold"  # keep out of view until a human has read it
    APPROVE_AND_REPLY = "approve_and_reply"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment, as any source (export, CMS, API) can describe it.

    Only ``text`` is required. The author's URL matters to the model: a link in the author
    field is one of the strongest spam signals. ``created_at`` must be timezone-aware so that
    respond-by times are unambiguous.
    """

    text: str
    id: str | None = None
    author: str | None = None
    author_email: str | None = None
    author_url: str | None = None
    author_ip: str | None = None
    user_agent: str | None = None
    created_at: datetime | None = None
    post_id: str | None = None
    post_title: str | None = None
    post_url: str | None = None
    parent_id: str | None = None
    source: str | None = None
    status: str | None = None  # the status the source gave it (approved, hold, spam, ...)
    extra: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Comment.text must be str, not {type(self.text).__name__}")
        if self.created_at is not None and self.created_at.utcoffset() is None:
            raise ValueError("Comment.created_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Classification:
    """The model's verdict on one comment.

    ``confidence`` is the calibrated probability of ``label`` (temperature-scaled on held-out
    hand-labelled comments); ``scores`` holds the probability of every label and sums to 1.
    ``unsure`` is true when the confidence is below the model's ``unsure_threshold`` (0.65 for
    the shipped model, recorded in its card): the label would then be wrong more than a third of
    the time, which is how the model says a comment fits none of the four classes well.
    """

    label: Label
    confidence: float
    scores: Mapping[Label, float]
    unsure: bool
    model_version: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A drafted reply: plain text and an HTML-safe rendering of the same words."""

    text: str
    html: str
    template: str  # "<situation>.<variant>" that produced it, for audits


@dataclass(frozen=True, slots=True)
class Review:
    """Everything a moderator needs for one comment: verdict, action, urgency and a draft."""

    comment: Comment
    classification: Classification
    action: Action
    priority: int  # 1 is the most urgent
    respond_by: datetime | None
    reasons: tuple[str, ...]
    replies: tuple[Reply, ...]

    @property
    def label(self) -> Label:
        return self.classification.label

    @property
    def reply(self) -> Reply | None:
        """The first suggested reply, or None (spam never gets one)."""
        return self.replies[0] if self.replies else None
