"""Training rows from a site's corrections (the feedback database ``commentcare serve`` keeps).

A correction says what a comment really was; it becomes a training row with more weight than a
corpus row, because it is this site's own judgement on its own comments:

* ``spam``, ``rant``, ``praise``, ``complaint``, ``none``: a row of that label;
* ``ham`` (Akismet's "not spam", the four-way label unknown): when commentcare had given a label
  other than spam, that verdict is confirmed and becomes the row's label; when it had said spam
  (or nothing), the row's weight is split evenly over the four outcomes that are not spam, which
  lowers spam for that text without inventing a label.

Corrections whose text was not kept (Perspective's ``doNotStore``) cannot be trained on; they
are counted and skipped.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field

from commentcare._types import Comment
from commentcare.model._training import TRAIN_LABELS, Example

__all__ = ["FEEDBACK_WEIGHT", "FeedbackRows", "feedback_examples"]

#: A correction's weight relative to a corpus row of weight 1 (the corpus itself counts 2).
FEEDBACK_WEIGHT = 3.0
_NOT_SPAM = tuple(lbl for lbl in TRAIN_LABELS if lbl != "spam")


@dataclass(frozen=True)
class FeedbackRows:
    """The rows made from a feedback database, and what was made of it."""

    examples: list[Example]
    used: dict[str, int] = field(default_factory=dict)  # by correction
    skipped_without_text: int = 0

    def summary(self) -> dict[str, object]:
        return {
            "corrections_used": dict(sorted(self.used.items())),
            "skipped_without_text": self.skipped_without_text,
            "rows": len(self.examples),
            "weight": FEEDBACK_WEIGHT,
        }


def feedback_examples(path: str | os.PathLike[str], *, weight: float = FEEDBACK_WEIGHT) -> FeedbackRows:
    """Read the corrections of the feedback database at ``path`` as training rows."""
    from commentcare.feedback import FeedbackStore

    rows: list[Example] = []
    used: Counter[str] = Counter()
    skipped = 0
    with FeedbackStore(path) as store:
        for c in store.corrections():
            if c.text is None:
                skipped += 1
                continue
            comment = Comment(
                text=c.text, id=f"feedback:{c.comment_id or c.text_sha256[:12]}", source="feedback"
            )
            used[c.correction] += 1
            if c.correction != "ham":
                rows.append(Example(comment, c.correction, "feedback", weight))
            elif c.verdict in _NOT_SPAM:
                rows.append(Example(comment, c.verdict, "feedback", weight))
            else:
                share = weight / len(_NOT_SPAM)
                rows.extend(Example(comment, label, "feedback", share) for label in _NOT_SPAM)
    return FeedbackRows(rows, dict(used), skipped)
