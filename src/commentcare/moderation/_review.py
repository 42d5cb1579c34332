"""Review: from a classification to an action, an urgency, reasons and a drafted reply."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from operator import itemgetter

from commentcare._types import Action, Classification, Comment, Label, Reply, Review, new_review
from commentcare.model._language import looks_english
from commentcare.model._text import Prepared, PreparedBatch, prepare
from commentcare.moderation._replies import PLACEHOLDERS, ReplyPack, Template, variant_start
from commentcare.moderation._signals import (
    Problem,
    _find_problem,
    _liked_in_text,
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
    #: Below this confidence nothing is removed or approved automatically. The confidence is the
    #: label's absolute probability (``scores[label] * (1 - other)``, model v2), so a threshold
    #: chosen for a model of 0.1.0 reads stricter here.
    hold_below: float | None = None  # None: the model card's unsure threshold
    replies_per_comment: int = 2


# Priority 1 is the most urgent.
_PRIORITY = {Label.COMPLAINT: 2, Label.RANT: 3, Label.PRAISE: 4, Label.SPAM: 5}

_PROMOTION = "reads like promotion, not conversation"
_NO_PROBLEM = "no specific problem named"
_HUMAN_READING = "a complaint; the problem needs a human reading"
_FIRST_TIME = "first-time complainer: answer first"
_THANKS = "thanks or compliments, no problem raised"

#: The values a reply template reads, in this order in the tuple a review builds for its drafts.
_NAMES = tuple(PLACEHOLDERS)

#: Drafts remembered per template (most drafts of a batch repeat: no name, the same problem).
_MAX_DRAFTS = 1024

# A template, what it reads from a review's values, and its drafts by those values.
_Entry = tuple[Template, Callable[[tuple[str | None, ...]], object], dict[object, Reply]]
# pack.choose for one situation: the number of variants, and the entries chosen for each start (or
# None when the pack chooses its own way).
_Table = tuple[int, list[tuple[_Entry, ...]] | None]


def _no_values(values: tuple[str | None, ...]) -> object:
    return ()


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
        self._entries: dict[int, _Entry] = {}  # by id(template); the entry keeps the template alive

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
        p = prepared
        return next(self._reviews((comment,), (c,), (p.text,), lambda i: p))

    def review_batch(
        self, comments: Iterable[Comment], classifications: Iterable[Classification], batch: PreparedBatch
    ) -> Iterator[Review]:
        """Review a classified batch in order, reading its prepared texts where they are.

        Only spam needs the link and contact counts, so only spam gets a :class:`Prepared`.
        """
        return self._reviews(comments, classifications, batch.texts, batch.item)

    def _entry(self, template: Template) -> _Entry:
        entry = self._entries.get(id(template))
        if entry is None or entry[0] is not template:
            at = [_NAMES.index(name) for name in template.names]
            entry = (template, itemgetter(*at) if at else _no_values, {})
            self._entries[id(template)] = entry
        return entry

    def _table(self, label: Label) -> _Table:
        if type(self.pack).choose is not ReplyPack.choose:
            return 0, None
        situation, k = label.value, len(self.pack.templates[label.value])
        # what ReplyPack.choose returns for each start
        return k, [
            tuple(map(self._entry, self.pack.variants_from(situation, i, self._n_replies))) for i in range(k)
        ]

    def _render(self, entry: _Entry, key: object, values: tuple[str | None, ...]) -> Reply:
        template, _, drafts = entry
        reply = self.pack.render(template, dict(zip(_NAMES, values)))
        if len(drafts) >= _MAX_DRAFTS:
            drafts.clear()
        drafts[key] = reply
        return reply

    def _reviews(
        self,
        comments: Iterable[Comment],
        classifications: Iterable[Classification],
        texts: Sequence[str],
        prepared_at: Callable[[int], Prepared],
    ) -> Iterator[Review]:
        """Review comments in order; ``texts`` are their prepared texts, ``prepared_at(i)`` is for spam.

        What depends on the label alone (action, priority, window, fixed reasons, the choice of
        templates) is decided once here, not once per comment.
        """
        # "Now" is read once per batch: the respond-by of a comment without a time is now + window.
        now = datetime.now(timezone.utc)
        hold_below = self._hold_below
        site_name, contact = self.site_name, self.contact
        spam, rant, complaint = Label.SPAM, Label.RANT, Label.COMPLAINT
        hold, remove, approve = Action.HOLD, Action.REMOVE, Action.APPROVE_AND_REPLY
        spam_priority, rant_priority = _PRIORITY[spam], _PRIORITY[rant]
        praise_priority, complaint_priority = _PRIORITY[Label.PRAISE], _PRIORITY[complaint]
        windows = self._windows
        rant_window, praise_window = windows.get(rant), windows.get(Label.PRAISE)
        complaint_window = windows.get(complaint)
        first_window = None if complaint_window is None else complaint_window * self.policy.first_time_factor
        due = {  # respond-by for a comment without a time, by window
            w: now + w for w in (rant_window, praise_window, complaint_window, first_window) if w is not None
        }
        unsure_spam, unsure_rant, unsure_praise, unsure_complaint = (
            f"model unsure ({{:.0%}} {label.value}): a human should decide".format
            for label in (spam, rant, Label.PRAISE, complaint)
        )
        n_replies = self._n_replies
        pack = self.pack
        tables: list[_Table | None] = [None, None, None]  # rant, praise, complaint: on first use
        for i, (comment, c, text) in enumerate(zip(comments, classifications, texts)):
            author = comment.author
            first_time = self._first_time(comment) if comment.author_email or author else True
            label = c.label
            unsure = c.unsure if hold_below is None else c.confidence < hold_below
            if c.unsure:
                held = _held_reason(c, text)
                if held is not None:  # none of the four, or not English: a human reads it
                    yield new_review(comment, c, hold, _PRIORITY_HELD, None, held, ())
                    continue
            problem: Problem | None = None
            liked = None
            if label is spam:
                found = _spam_reasons(prepared_at(i), words(text)) or [_PROMOTION]
                if unsure:
                    found.append(unsure_spam(c.confidence))
                yield new_review(
                    comment, c, hold if unsure else remove, spam_priority, None, tuple(found), ()
                )
                continue
            if label is rant:
                at = 0
                action = hold
                priority = rant_priority
                window = rant_window
                w = words(text)
                found = _rant_reasons(text, w)
                problem = _find_problem(text, w)
                found.append(
                    f"may hide a real grievance: {problem.kind}; answer it, do not delete in haste"
                    if problem
                    else _NO_PROBLEM
                )
                if unsure:
                    found.append(unsure_rant(c.confidence))
                reasons = tuple(found)
            elif label is complaint:
                at = 2
                action = hold if unsure else approve
                problem = _find_problem(text, words(text))
                reason = f"names a specific problem: {problem.kind}" if problem else _HUMAN_READING
                if first_time:
                    priority = 1  # first-time complainers come first
                    window = first_window
                    reasons = (reason, _FIRST_TIME)
                else:
                    priority = complaint_priority
                    window = complaint_window
                    reasons = (reason,)
                if unsure:
                    reasons += (unsure_complaint(c.confidence),)
            else:
                at = 1
                action = hold if unsure else approve
                priority = praise_priority
                window = praise_window
                reasons = (_THANKS, unsure_praise(c.confidence)) if unsure else (_THANKS,)
                liked = _liked_in_text(text)  # praise alone needs no words cut, mostly
            if window is None:
                respond_by = None
            else:
                created = comment.created_at
                respond_by = due[window] if created is None else created + window

            values = (
                first_name(author) if author else None,
                author,
                comment.post_title,
                site_name,
                contact,
                problem.phrase if problem else None,
                problem.quote if problem else None,
                liked,
            )
            table = tables[at]
            if table is None:
                table = tables[at] = self._table(label)
            k, starts = table
            key = comment.id or comment.text
            if starts is None:  # a pack that chooses its own way
                entries = tuple(map(self._entry, pack.choose(label.value, key, n_replies)))
            else:  # the start ReplyPack.choose picks
                entries = starts[variant_start(key, k)]
            drafts = []
            for entry in entries:
                values_read = entry[1](values)
                reply = entry[2].get(values_read)
                drafts.append(self._render(entry, values_read, values) if reply is None else reply)
            yield new_review(comment, c, action, priority, respond_by, reasons, tuple(drafts))


#: Priority of a comment held because it fits none of the four classes or is not in English.
_PRIORITY_HELD = 4

_QUESTION = re.compile(
    r"\?|^\s*(who|what|when|where|which|why|how|is|are|do|does|did|can|could|will|would|should|any)\b", re.I
)
_REQUEST = re.compile(r"\b(please|pls|plz|can you|could you|would you|do a|make a|cover)\b", re.I)
_GREETING = re.compile(
    r"^\W*(hi|hello|hey|hiya|morning|good (morning|evening|afternoon|night)|evening|greetings|yo|happy \w+)\b",
    re.I,
)
NOT_ENGLISH = "not in English: the model reads English only, a human should decide"
NOTHING_TO_READ = "no words to read: a human should look at it"
_READABLE = re.compile(r"[^\W_]")


def none_kind(text: str) -> str:
    """What a comment that fits none of the four looks like, for the reason a human reads."""
    if _QUESTION.search(text):
        return "a question to answer"
    if _REQUEST.search(text):
        return "a request"
    if _GREETING.search(text):
        return "a greeting"
    return "a neutral remark"


def _held_reason(c: Classification, text: str) -> tuple[str, ...] | None:
    """Why an unsure classification is held before any label's rule applies, or None."""
    if not _READABLE.search(text):
        return (NOTHING_TO_READ,)
    if not looks_english(text):
        return (NOT_ENGLISH,)
    if c.other >= c.confidence:
        return (
            f"fits none of the four ({c.other:.0%}): {none_kind(text)}; never removed or thanked automatically",
        )
    return None


_FAR = datetime.max.replace(tzinfo=timezone.utc)


def triage(reviews: Iterable[Review]) -> list[Review]:
    """Order a reply queue: earliest respond-by first, then priority; spam (no deadline) last."""
    return sorted(reviews, key=lambda r: (r.respond_by or _FAR, r.priority))
