"""The value types every part of commentcare speaks: comments in, classifications and reviews out.

They are frozen dataclasses and enums so that results can be hashed, compared, logged and passed
between processes without anyone mutating a shared decision by accident.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
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
    APPROVE = "approve"  # publish as it is, nothing to answer: the site's own comments

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
    #: Written by the site itself (its author, staff, the account owner), as the source says: such
    #: a comment is not a customer's, gets no draft, and answers the comment it replies to.
    staff: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(f"Comment.text must be str, not {type(self.text).__name__}")
        if self.created_at is not None and self.created_at.utcoffset() is None:
            raise ValueError("Comment.created_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Classification:
    """The model's verdict on one comment.

    ``scores`` holds the probability of each of the four labels *if* the comment is one of them:
    they sum to 1. ``other`` is the probability that the comment fits none of the four (a
    question, a greeting, a neutral remark), so ``scores[label] * (1 - other)`` is the label's
    absolute probability. ``label`` is the best of the four and ``confidence`` its absolute,
    calibrated probability. ``unsure`` is true when ``other`` wins, when the confidence is below
    the model's ``unsure_threshold`` (recorded in its card), or when the text is not in English:
    then nothing should be removed or approved without a human.
    """

    label: Label
    confidence: float
    scores: Mapping[Label, float]
    unsure: bool
    model_version: str
    other: float = 0.0

    def __repr__(self) -> str:
        scores = ", ".join(f"{lbl.value}={p:.3f}" for lbl, p in self.scores.items())
        return (
            f"Classification(label={self.label.value}, confidence={self.confidence:.3f}, "
            f"other={self.other:.3f}, unsure={self.unsure}, scores=({scores}))"
        )


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


# -- Building instances on the hot paths -------------------------------------------------------
#
# A frozen dataclass's __init__ sets each field with a call to object.__setattr__: for Comment's
# fifteen fields that costs more than the rest of a plain string's way into a review, and for a
# Classification a third of what classifying a short comment costs. The classes below have the
# same slots, fill them with plain slot stores, then make the instance what it is meant to be by
# assigning ``__class__``: CPython allows that only between classes of the same layout (else
# TypeError), and the result is an ordinary instance of the frozen class. None of these classes
# has a ``__post_init__``, except Comment, whose checks a str text passes (tests pin all three to
# their constructors).


class _NewClassification:
    __slots__ = Classification.__slots__

    def __init__(
        self,
        label: Label,
        confidence: float,
        scores: Mapping[Label, float],
        unsure: bool,
        model_version: str,
        other: float = 0.0,
    ) -> None:
        self.label = label
        self.confidence = confidence
        self.scores = scores
        self.unsure = unsure
        self.model_version = model_version
        self.other = other
        self.__class__ = Classification  # type: ignore[assignment]


#: ``Classification(...)`` with all fields in order, built three times faster.
new_classification: type[Classification] = _NewClassification  # type: ignore[assignment]


class _TextOnlyComment:
    __slots__ = Comment.__slots__

    def __init__(self, text: str) -> None:
        self.text = text
        self.id = self.author = self.author_email = self.author_url = self.author_ip = None
        self.user_agent = self.created_at = self.post_id = self.post_title = self.post_url = None
        self.parent_id = self.source = self.status = None
        self.extra: dict[str, str] = {}
        self.staff = False
        self.__class__ = Comment  # type: ignore[assignment]


#: ``Comment(text=text)`` for a ``str``, built about six times faster.
comment_of_text: Callable[[str], Comment] = _TextOnlyComment  # type: ignore[assignment]


class _NewReview:
    __slots__ = Review.__slots__

    def __init__(
        self,
        comment: Comment,
        classification: Classification,
        action: Action,
        priority: int,
        respond_by: datetime | None,
        reasons: tuple[str, ...],
        replies: tuple[Reply, ...],
    ) -> None:
        self.comment = comment
        self.classification = classification
        self.action = action
        self.priority = priority
        self.respond_by = respond_by
        self.reasons = reasons
        self.replies = replies
        self.__class__ = Review  # type: ignore[assignment]


#: ``Review(...)`` with all fields in order, built about four times faster.
new_review: type[Review] = _NewReview  # type: ignore[assignment]
