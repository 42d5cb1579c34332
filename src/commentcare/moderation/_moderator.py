"""The Moderator: the one object most users need."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from commentcare._types import Classification, Comment, Review
from commentcare.model import BATCH_SIZE, Classifier, as_comment, batched

if TYPE_CHECKING:
    from commentcare.moderation._replies import ReplyPack
    from commentcare.moderation._review import Policy

__all__ = ["Moderator"]

log = logging.getLogger(__name__)


class Moderator:
    """Classify and review comments with a trained model.

    ``model`` is None for the model shipped in the package, or the path of a model directory
    (or its ``.joblib`` file) written by ``commentcare train``. A model from outside the package
    is a pickle and is loaded only with ``sha256=`` (the digest you recorded for the file: the
    safe way) or ``trusted=True`` (you trust whoever can write its folder); see
    :func:`commentcare.model.load_model` for what "trusted" means. ``replies`` is a :class:`ReplyPack`
    or the path of a TOML pack. ``site_name``, ``contact`` and ``staff`` (names and e-mail addresses
    of the site's own people, whose comments are answers rather than customers' comments) shape the
    drafts. Nothing is loaded until first use.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        trusted: bool = False,
        sha256: str | None = None,
        replies: ReplyPack | str | os.PathLike[str] | None = None,
        policy: Policy | None = None,
        site_name: str | None = None,
        contact: str | None = None,
        staff: Iterable[str] = (),
    ) -> None:
        self._model_path = model
        self._trusted = trusted
        self._sha256 = sha256
        self._classifier: Classifier | None = None
        self._lock = threading.Lock()
        self._replies = replies  # a path is loaded (and validated) on first use
        self._policy = policy
        self.site_name = site_name
        self.contact = contact
        self.staff = tuple(staff)

    def __repr__(self) -> str:
        where = "shipped model" if self._model_path is None else os.fspath(self._model_path)
        return f"Moderator({where!r})"

    # -- the model ---------------------------------------------------------------------------

    @property
    def classifier(self) -> Classifier:
        if self._classifier is None:
            with self._lock:
                if self._classifier is None:
                    from commentcare.model import load_model

                    self._classifier = Classifier(
                        load_model(self._model_path, trusted=self._trusted, sha256=self._sha256)
                    )
        return self._classifier

    @property
    def pipeline(self) -> Any:
        """The fitted scikit-learn pipeline, for users who want to inspect or cross-validate it."""
        return self.classifier.model.pipeline

    @property
    def card(self) -> dict[str, Any]:
        """The model card: versions, training data, metrics."""
        return dict(self.classifier.model.card.data)

    @property
    def model_version(self) -> str:
        return self.classifier.version

    # -- classification ----------------------------------------------------------------------

    def classify(self, comment: Comment | str) -> Classification:
        """Classify one comment (a string or a :class:`Comment`)."""
        return self.classifier.predict_batch([as_comment(comment)])[0]

    def classify_many(
        self, items: Iterable[Comment | str], *, batch_size: int = BATCH_SIZE
    ) -> Iterator[Classification]:
        """Classify any iterable lazily, in input order, ``batch_size`` comments at a time."""
        return self.classifier.classify_many(items, batch_size)

    # -- review --------------------------------------------------------------------------------

    @property
    def replies(self) -> ReplyPack:
        """The reply pack: the one given (an object or a TOML path), or the default pack."""
        from commentcare.moderation._replies import ReplyPack

        if not isinstance(self._replies, ReplyPack):
            self._replies = ReplyPack.default() if self._replies is None else ReplyPack.load(self._replies)
        return self._replies

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            from commentcare.moderation._review import Policy

            self._policy = Policy()
        return self._policy

    def review(self, comment: Comment | str, *, site_name: str | None = None) -> Review:
        """Classify one comment and say what to do with it, by when, with a drafted reply."""
        if not isinstance(comment, (Comment, str)):
            as_comment(comment)  # raises the TypeError classify() raises
        return next(self.review_many([comment], site_name=site_name))

    def review_many(
        self, items: Iterable[Comment | str], *, site_name: str | None = None, batch_size: int = BATCH_SIZE
    ) -> Iterator[Review]:
        """Review any iterable lazily, in input order.

        A first-time complainer (no earlier comment with the same e-mail or author name among
        those reviewed by this call) is raised in priority.
        """
        from commentcare.moderation._review import Reviewer

        reviewer = Reviewer(
            self.policy, self.replies, site_name or self.site_name, self.contact, staff=self.staff
        )
        for batch in batched(items, batch_size):
            # the items as given: a string is featurised as its Comment would be, without the look-ups
            classifications, prepared = self.classifier.predict_prepared(batch)
            # Comments and classifications are built as each review is: they die young with it.
            yield from reviewer.review_batch(map(as_comment, batch), classifications, prepared)
