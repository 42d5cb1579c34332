"""Review: from a classification to an action, an urgency, reasons and drafted replies.

A review reads the comment with the plain rules of :mod:`._reading` and :mod:`._signals`, asks
:func:`._decide.decide` what to do, and drafts replies from the reply pack with values passed by
name. Within one run the reviewer remembers who has commented before (first-time complainers come
first) and the drafts it has written, so that no two first drafts of a batch read the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone

from commentcare._types import Action, Classification, Comment, Label, Reply, Review, new_review
from commentcare.model import Prepared, PreparedBatch, looks_english, prepare
from commentcare.moderation._decide import Policy, Signals, decide
from commentcare.moderation._reading import (
    ComplaintTopic,
    Details,
    PostKind,
    PraiseSubject,
    RantTarget,
    Reading,
    Tried,
    complaint_topic,
    liked_in,
    post_kind,
    praise_subject,
    question,
    rant_target,
    references,
    thing_complained_of,
    thing_named,
    tried,
)
from commentcare.moderation._replies import ReplyPack, Template, variant_start
from commentcare.moderation._signals import _rant_reasons, _spam_reasons, first_name, words

__all__ = ["Policy", "Reviewer", "none_kind", "triage"]

#: Complaint topics too general to count as "a real grievance" behind a rant ("worst service ever").
_VAGUE_FOR_RANT = frozenset({"service", "staff", "price", "quality", "booking"})
#: Topics where a duration the person gives is how long they have been waiting.
_WAITING_TOPICS = frozenset(
    {
        "order_delay",
        "refund",
        "no_reply",
        "wait",
        "flight_delayed",
        "lost_bag",
        "charge_after_cancel",
        "cancel",
    }
)
_DURATION = (
    r"(?:over |more than |almost |nearly |about )?(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten"
    r"|twelve|several|a few)\s+(?:more\s+)?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?)"
)
#: How long the person says they have been waiting: a duration right after "waited" or "waiting
#: (for)", or one followed by "and still", "now" or "later" ("5 days and still nothing").
_WAITED = re.compile(
    rf"\b(?:waited|waiting|been waiting|on hold)(?:\s+for|\s+over)?\s+({_DURATION})\b"
    rf"|\b({_DURATION})\s+(?:now|later|and (?:still|nothing|counting)|without (?:a|any) (?:reply|word|answer))\b",
    re.I,
)
#: The order in which what a person already tried decides the next step (the most specific first).
_TRIED_ORDER = (Tried.EMAILED, Tried.MESSAGED, Tried.TICKET, Tried.CHATTED, Tried.CALLED, Tried.TECH_STEPS)
_FOLLOW_UP_BY_SUBJECT = {
    PraiseSubject.RECIPE: "recipe",
    PraiseSubject.MEDIA: "media",
    PraiseSubject.PHOTO: "photo",
    PraiseSubject.PRODUCT: "product",
    PraiseSubject.HELP: "help",
    PraiseSubject.POST: "general",
    PraiseSubject.GENERAL: "general",
}
#: Praise of these subjects gets their follow-up whatever the post ("Which shot was your favourite?").
_SUBJECT_FIRST = frozenset({PraiseSubject.PHOTO, PraiseSubject.RECIPE, PraiseSubject.HELP})
_MAX_ASKED_WORDS = 25
_MAX_RENDERED = 4096  # drafts remembered by template and values


def contact_phrase(contact: str | None) -> str | None:
    """Where to continue privately, as a phrase a sentence can end with ("at help@example.com")."""
    if not contact or not contact.strip():
        return None
    c = contact.strip()
    if re.match(r"(?:at|by|through|via|on|in|using)\b", c, re.I):
        return c
    if "@" in c and " " not in c:
        return f"at {c}"
    return f"through {c}"  # a page, or anything else


class Reviewer:
    """Reviews comments in order, remembering who has commented before and what it has drafted.

    :meth:`review_batch` is what ``Moderator.review_many`` uses: it reads the prepared texts of a
    classified batch in place.
    """

    def __init__(
        self,
        policy: Policy,
        pack: ReplyPack,
        site_name: str | None,
        contact: str | None,
        *,
        staff: Iterable[str] = (),
    ) -> None:
        self.policy = policy
        self.pack = pack
        self.site_name = site_name
        self.contact = contact
        self._contact = contact_phrase(contact)
        self._seen: set[str] = set()
        self._used: dict[tuple[str, str], set[int]] = {}  # first variants used, by situation and kind
        self._rendered: dict[tuple[str, tuple[str | None, ...]], Reply] = {}
        self._staff = {x.strip().casefold() for x in (*policy.staff, *staff) if x.strip()}
        if site_name and site_name.strip():
            self._staff.add(site_name.strip().casefold())

    def _first_time(self, comment: Comment) -> bool:
        """No earlier comment in this run by the same e-mail or name (an anonymous one always is)."""
        keys = [
            k
            for k in ((comment.author_email or "").strip().lower(), (comment.author or "").strip().lower())
            if k
        ]
        first = not any(k in self._seen for k in keys)
        self._seen.update(keys)
        return first

    def own_voice(self, comment: Comment) -> str | None:
        """Who of the site wrote the comment, or None when a reader did."""
        name = comment.author or "the site"
        if comment.staff:
            return f"{name}, the site's own staff"
        if comment.extra.get("by_story_author") == "true":
            return f"{name}, the story's author"
        for key in (comment.author, comment.author_email):
            if key and key.strip().casefold() in self._staff:
                return f"{name}, the site's own staff"
        return None

    def review(self, comment: Comment, c: Classification, prepared: Prepared | None = None) -> Review:
        if prepared is None:
            prepared = prepare(comment.text, comment.author_url)
        p = prepared
        return self._review(comment, c, p.text, lambda: p, datetime.now(timezone.utc))

    def review_batch(
        self, comments: Iterable[Comment], classifications: Iterable[Classification], batch: PreparedBatch
    ) -> Iterator[Review]:
        """Review a classified batch in order, reading its prepared texts where they are."""
        now = datetime.now(timezone.utc)  # read once per batch
        for i, (comment, c) in enumerate(zip(comments, classifications)):
            yield self._review(comment, c, batch.texts[i], lambda i=i: batch.item(i), now)  # type: ignore[misc]

    def _review(
        self, comment: Comment, c: Classification, text: str, prepared: Callable[[], Prepared], now: datetime
    ) -> Review:
        own = self.own_voice(comment)
        topic: ComplaintTopic | None = None
        complained_of: str | None = None
        target = RantTarget.BUSINESS
        if own is not None:
            signals = Signals(own=own)
        elif c.unsure and (held := _held_reason(c, text)) is not None:
            # a question that attacks or scoffs is not one to answer with a draft
            asks = (
                held not in (NOT_ENGLISH, NOTHING_TO_READ)  # it fits none of the four
                and none_kind(text) == QUESTION
                and not _rant_reasons(text, words(text))
                and question(text) is not None
            )
            signals = Signals(held=held, asks=asks)
        elif c.label is Label.SPAM:
            signals = Signals(spam=tuple(_spam_reasons(prepared(), words(text))))
        elif c.label is Label.PRAISE:
            signals = Signals(first_time=self._first_time(comment))
        else:
            # What the reasons name: the problem (and, for a rant, its target).
            topic = complaint_topic(text)
            problem = topic.kind if topic else None
            if c.label is Label.RANT:
                target = rant_target(text, is_reply=comment.parent_id is not None)
                if topic is not None and topic.name in _VAGUE_FOR_RANT:
                    problem = None
            elif problem is None:
                complained_of = thing_complained_of(text)
                problem = f"trouble with {complained_of}" if complained_of else None
            signals = Signals(
                hostile=tuple(_rant_reasons(text, words(text))) if c.label is Label.RANT else (),
                problem=problem,
                target=target,
                first_time=self._first_time(comment),
            )
        d = decide(c, signals, self.policy, created_at=comment.created_at, now=now)
        replies: tuple[Reply, ...] = ()
        if d.draft is not None:
            reading = self._read(d.draft, comment, text, topic, target, complained_of)
            replies = self._drafts(d.draft, comment, reading, text, grievance=signals.problem is not None)
        return new_review(comment, c, d.action, d.priority, d.respond_by, d.reasons, replies)

    def _read(
        self,
        situation: str,
        comment: Comment,
        text: str,
        topic: ComplaintTopic | None,
        target: RantTarget,
        complained_of: str | None,
    ) -> Reading | None:
        """What a draft of this situation reads of the comment (:func:`read_comment` reads it all;
        a draft needs only part, and reading is most of a review's cost)."""
        if situation == "complaint":
            thing = thing_named(text) if topic is not None and topic.default_ref == "it" else None
            details = Details(
                refs=references(text),
                thing=thing,
                complained_of=complained_of,
                tried=tried(text),
                question=question(text),
            )
            return Reading(topic, PraiseSubject.GENERAL, None, target, PostKind.GENERAL, details)
        if situation == "rant":
            details = Details(refs=references(text) if topic is not None else ())
            return Reading(topic, PraiseSubject.GENERAL, None, target, PostKind.GENERAL, details)
        if situation == "praise":
            subject = praise_subject(text)
            kind = post_kind(text, comment.post_title)
            return Reading(None, subject, liked_in(text, subject), target, kind, Details())
        if situation == "question":
            return Reading(
                None, PraiseSubject.GENERAL, None, target, PostKind.GENERAL, Details(question=question(text))
            )
        return None  # civility and neutral drafts read nothing of the comment

    # -- drafting --------------------------------------------------------------------------------

    def _values(
        self, situation: str, comment: Comment, reading: Reading | None, key: str, *, grievance: bool
    ) -> dict[str, str | None]:
        """The values a template reads, by placeholder name."""
        author = comment.author
        values: dict[str, str | None] = {
            "first_name": first_name(author) if author else None,
            "author": author,
            "post_title": comment.post_title,
            "site_name": self.site_name,
            "contact": self._contact,
            "promise": self.policy.promise,
        }
        if reading is None:
            return values
        d = reading.details
        asked = d.question if d.question and len(d.question.split()) <= _MAX_ASKED_WORDS else None
        values.update(
            liked=reading.liked if situation == "praise" else None,
            thing=d.thing,
            asked=asked,
            missing=reading.missing,
        )
        if situation == "complaint" or (situation == "rant" and grievance):
            values["problem"] = reading.problem
            topic = reading.topic
            if topic is not None and (topic.name in _WAITING_TOPICS or Tried.WAITED in d.tried):
                m = _WAITED.search(comment.text)
                values["waited"] = " ".join((m.group(1) or m.group(2)).split()) if m else None
        if situation == "complaint":
            values["next_step"] = self._next_step(reading, key, values)
        if d.question and situation in ("complaint", "question"):
            values["answer"] = self._phrase(
                "answer", "post" if comment.post_title else "default", key, values
            )
        if situation == "praise":
            follow = reading.post_kind.value
            if reading.post_kind is PostKind.GENERAL or reading.praise in _SUBJECT_FIRST:
                follow = _FOLLOW_UP_BY_SUBJECT[reading.praise]
            values["follow_up"] = self._phrase("follow_up", follow, key, values)
        return values

    def _phrase(self, table: str, key: str, salt: str, values: dict[str, str | None]) -> str | None:
        t = self.pack.phrase(table, key, salt, have={k for k, v in values.items() if v})
        return None if t is None else self._render(t, values).text

    def _next_step(self, reading: Reading, key: str, values: dict[str, str | None]) -> str | None:
        """What happens next: pick up what the person already tried, else ask for what is missing."""
        steps: list[str | None] = []
        done = next((t for t in _TRIED_ORDER if t in reading.details.tried), None)
        if done is not None:
            steps.append(self._phrase("steps", done.value, key, values))
        if reading.missing and done in (None, Tried.TECH_STEPS, Tried.CALLED, Tried.CHATTED):
            steps.append(self._phrase("steps", "ask", key, values))
        if not steps:
            steps.append(self._phrase("steps", "default", key, values))
        return " ".join(s for s in steps if s) or None

    def _drafts(
        self, situation: str, comment: Comment, reading: Reading | None, text: str, *, grievance: bool
    ) -> tuple[Reply, ...]:
        """Drafts for a situation, starting at the variant the comment's id picks.

        Within a run, the first draft skips the variants already used first for this situation,
        until each has been: consecutive comments of a situation get different words.
        """
        key = comment.id or comment.text
        values = self._values(situation, comment, reading, key, grievance=grievance)
        kind = reading.post_kind.value if reading is not None else PostKind.GENERAL.value
        variants = self.pack.variants(situation, kind)
        k = len(variants)
        if not k:
            return ()
        used = self._used.setdefault((situation, kind), set())
        if len(used) >= k:
            used.clear()
        first = variant_start(key, k)
        while first in used:
            first = (first + 1) % k
        used.add(first)
        n = min(self.policy.replies_per_comment, k)
        return tuple(self._render(variants[(first + j) % k], values) for j in range(n))

    def _render(self, template: Template, values: dict[str, str | None]) -> Reply:
        """``pack.render``, remembered: comments of a batch often give a template the same values."""
        key = (template.id, tuple(values.get(name) for name in template.names))
        reply = self._rendered.get(key)
        if reply is None:
            if len(self._rendered) >= _MAX_RENDERED:
                self._rendered.clear()
            reply = self._rendered[key] = self.pack.render(template, values)
        return reply


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


QUESTION = "a question to answer"


def none_kind(text: str) -> str:
    """What a comment that fits none of the four looks like, for the reason a human reads."""
    if _QUESTION.search(text):
        return QUESTION
    if _REQUEST.search(text):
        return "a request"
    if _GREETING.search(text):
        return "a greeting"
    return "a neutral remark"


def _held_reason(c: Classification, text: str) -> str | None:
    """Why an unsure classification is held before any label's rule applies, or None."""
    if not _READABLE.search(text):
        return NOTHING_TO_READ
    if not looks_english(text):
        return NOT_ENGLISH
    if c.other >= c.confidence:
        return f"fits none of the four ({c.other:.0%}): {none_kind(text)}; never removed or thanked automatically"
    return None


_FAR = datetime.max.replace(tzinfo=timezone.utc)


def answered(reviews: Iterable[Review]) -> set[str]:
    """The ids of comments the site has already answered: a comment of its own replies to them."""
    return {r.comment.parent_id for r in reviews if r.action is Action.APPROVE and r.comment.parent_id}


def triage(reviews: Iterable[Review]) -> list[Review]:
    """Order a reply queue: earliest respond-by first, then priority; spam (no deadline) last.

    The site's own comments are not in the queue, and neither is a comment one of them answers.
    """
    reviews = list(reviews)
    done = answered(reviews)
    queue = [r for r in reviews if r.action is not Action.APPROVE and (r.comment.id or "") not in done]
    return sorted(queue, key=lambda r: (r.respond_by or _FAR, r.priority))
