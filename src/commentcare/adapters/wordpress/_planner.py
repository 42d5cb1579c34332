"""The plan: what each review means on WordPress (a status, maybe a reply)."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from commentcare._types import Action, Comment, Label, Reply, Review

__all__ = ["ACTION_STATUS", "PlanItem", "Reviewer", "plan_moderation"]


#: What each of the moderator's actions becomes on WordPress.
ACTION_STATUS: Mapping[Action, str] = {
    Action.REMOVE: "spam",
    Action.HOLD: "hold",
    Action.APPROVE_AND_REPLY: "approved",
    Action.APPROVE: "approved",  # the site's own comment
}


Reviewer = Callable[[Iterable[Comment]], Iterable[Review]]


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One comment, the moderator's review, and what that means on WordPress.

    ``reply`` is the text to post when replies are asked for, None when this comment gets
    none; ``why_no_reply`` then says why (for the dry-run report). What is posted is
    :attr:`draft`'s HTML rendering, never the text itself.
    """

    review: Review
    new_status: str
    reply: str | None
    why_no_reply: str = ""

    @property
    def comment(self) -> Comment:
        return self.review.comment

    @property
    def draft(self) -> Reply | None:
        """The reply to post: the review's own draft, or ``reply`` rendered as escaped HTML when
        a caller changed the text."""
        if self.reply is None:
            return None
        own = self.review.reply
        if own is not None and own.text == self.reply:
            return own
        return Reply(
            text=self.reply,
            html=html.escape(self.reply).replace("\n", "<br>\n"),
            template=own.template if own else "custom",
        )

    @property
    def changes_status(self) -> bool:
        return self.comment.status != self.new_status


def plan_moderation(
    comments: Iterable[Comment], reviewer: Reviewer | None = None, *, reply_to_rants: bool = False
) -> list[PlanItem]:
    """Review ``comments`` and turn each review into a WordPress status and maybe a reply.

    Replies go to praise and complaints that are approved; never to spam nor to a comment
    held for a human, and to a rant only with ``reply_to_rants``. ``reviewer`` defaults to the
    shipped model's ``Moderator().review_many``.
    """
    comments = list(comments)
    if reviewer is None:
        from commentcare.moderation import Moderator

        reviewer = Moderator().review_many
    plan = []
    for comment, review in zip(comments, reviewer(comments), strict=True):
        if review.comment.id != comment.id:
            raise ValueError(f"the reviewer returned comment {review.comment.id} for comment {comment.id}")
        plan.append(_plan_one(review, reply_to_rants=reply_to_rants))
    return plan


def _plan_one(review: Review, *, reply_to_rants: bool) -> PlanItem:
    status = ACTION_STATUS[review.action]
    draft = review.reply
    if review.label is Label.SPAM or review.action is Action.REMOVE:
        return PlanItem(review, status, None, "spam never gets a reply")
    if review.action is Action.APPROVE:
        return PlanItem(review, status, None, "the site's own comment: nothing to answer")
    if draft is None:
        return PlanItem(review, status, None, "no reply was drafted")
    if review.label is Label.RANT:
        if reply_to_rants:
            return PlanItem(review, status, draft.text)
        return PlanItem(review, status, None, "rants get a reply only when asked (--reply-to-rants)")
    if review.action is not Action.APPROVE_AND_REPLY:
        return PlanItem(review, status, None, "held for a human, who replies")
    return PlanItem(review, status, draft.text)
