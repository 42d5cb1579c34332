"""Helpers for testing code that uses commentcare: a moderator with configured answers, and pytest
fixtures (as the ``akismet`` library ships a test client for its users).

:class:`FakeModerator` is a :class:`~commentcare.Moderator` whose classifications are the answers
you configure (no model is loaded, nothing is random); reviews, actions and drafted replies come
from the real review rules, so your code sees what it would see in production for that verdict::

    from commentcare import Label
    from commentcare.testing import FakeModerator

    fake = FakeModerator({"Buy cheap pills at spam.example": Label.SPAM}, default=Label.PRAISE)
    assert fake.review("Buy cheap pills at spam.example").action.value == "remove"
    assert fake.seen == ["Buy cheap pills at spam.example"]

With pytest, add ``pytest_plugins = ["commentcare.testing"]`` to your ``conftest.py`` and ask for
the ``fake_moderator`` fixture (a fresh one per test) or ``make_comment``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from commentcare._types import Classification, Comment, Label
from commentcare.model import BATCH_SIZE, Classifier, PreparedBatch, Preparer, refuse_blank
from commentcare.moderation import Moderator

__all__ = ["NONE", "FakeModerator", "fake_moderator", "make_comment"]

#: The answer for a comment that fits none of the four labels.
NONE = "none"


class _AnsweringClassifier(Classifier):
    """A classifier that looks each text up in the configured answers (no model)."""

    def __init__(self, owner: FakeModerator) -> None:  # no model: Classifier's set-up is not run
        self._owner = owner
        self.labels = tuple(Label)
        self.threshold = 0.5
        self.version = owner.fake_version

    def predict_prepared(
        self, comments: Sequence[Comment | str], start: int = 0
    ) -> tuple[Iterator[Classification], PreparedBatch]:
        refuse_blank(comments, start)  # as the real classifier: a blank comment is an error
        batch = Preparer().transform(list(comments))
        texts = [c if isinstance(c, str) else c.text for c in comments]
        self._owner.seen.extend(texts)
        return iter([self._owner.classification_of(t) for t in texts]), batch

    def predict_batch(self, comments: Sequence[Comment | str]) -> list[Classification]:
        return list(self.predict_prepared(comments)[0])

    def classify_many(
        self, items: Iterable[Comment | str], batch_size: int = BATCH_SIZE
    ) -> Iterator[Classification]:
        for item in items:
            yield from self.predict_prepared([item])[0]


class FakeModerator(Moderator):
    """A :class:`~commentcare.Moderator` that answers from a table instead of a model.

    ``answers`` maps a comment's exact text to a :class:`~commentcare.Label` (or its value, or
    :data:`NONE`); any other text gets ``default``. Every answer has ``confidence``; ``unsure``
    marks them all unsure (so that nothing is removed or approved). ``seen`` lists the texts
    classified, in order. The other keyword arguments are the Moderator's (replies, policy,
    site_name, contact).
    """

    def __init__(
        self,
        answers: Mapping[str, Label | str] | None = None,
        *,
        default: Label | str = Label.PRAISE,
        confidence: float = 0.9,
        unsure: bool = False,
        **moderator: Any,
    ) -> None:
        super().__init__(**moderator)
        self.answers: dict[str, Label | str] = dict(answers or {})
        self.default = default
        self.confidence = confidence
        self.unsure = unsure
        self.seen: list[str] = []
        self.fake_version = "fake"
        self._classifier = _AnsweringClassifier(self)

    def __repr__(self) -> str:
        return f"FakeModerator({len(self.answers)} answers, default={self.default!s})"

    def answer(self, text: str, label: Label | str) -> None:
        """Answer ``label`` for ``text`` from now on."""
        self.answers[text] = label

    @property
    def card(self) -> dict[str, Any]:
        return {"model_version": self.fake_version, "classes": [lbl.value for lbl in Label]}

    @property
    def pipeline(self) -> Any:
        raise AttributeError("a FakeModerator has no scikit-learn pipeline")

    def classification_of(self, text: str) -> Classification:
        """The configured verdict for ``text``."""
        answer = self.answers.get(text, self.default)
        if answer == NONE:
            scores = dict.fromkeys(Label, 1 / len(Label))
            return Classification(Label.COMPLAINT, 0.0, scores, True, self.fake_version, other=1.0)
        label = Label(answer)
        scores = {lbl: (1.0 if lbl is label else 0.0) for lbl in Label}
        return Classification(label, self.confidence, scores, self.unsure, self.fake_version, other=0.0)


def _fixtures() -> tuple[Callable[..., Any], Callable[..., Any]]:
    import pytest

    @pytest.fixture
    def fake_moderator() -> FakeModerator:
        """A fresh :class:`FakeModerator` (every comment praise until you configure answers)."""
        return FakeModerator()

    @pytest.fixture
    def make_comment() -> Callable[..., Comment]:
        """Build a :class:`~commentcare.Comment` with sensible defaults: ``make_comment("text", author="Dana")``."""

        def make(text: str = "Great post, thank you!", **fields: Any) -> Comment:
            return Comment(text=text, **{"author": "Test Reader", **fields})

        return make

    return fake_moderator, make_comment


with contextlib.suppress(ImportError):  # without pytest there are no fixtures, only FakeModerator
    fake_moderator, make_comment = _fixtures()
