"""commentcare: sort blog and brand-page comments into spam, rant, praise or genuine complaint,
and say what to do next (remove, hold, or reply, with a drafted reply).

>>> from commentcare import Moderator
>>> m = Moderator()                          # the shipped model, loaded on first use
>>> m.classify("Great post, thank you!").label
<Label.PRAISE: 'praise'>
>>> review = m.review(Comment("My order #1234 never arrived", author="Dana"))
>>> review.action, review.reply.text          # doctest: +SKIP

Importing the package is cheap: scikit-learn, the model, readers and adapters load only when
they are first used.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from commentcare._errors import (
    AdapterError,
    AuthenticationError,
    CommentCareError,
    InputError,
    ModelError,
    SiteUnavailableError,
    TemplateError,
    UntrustedModelError,
)
from commentcare._lazy import lazy_getattr as _lazy_getattr
from commentcare._types import Action, Classification, Comment, Label, Reply, Review
from commentcare._version import __version__

# A library logs but never decides where logs go: without a handler of the application's, records
# are dropped instead of reaching logging's last-resort handler on stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from commentcare.io import read_comments
    from commentcare.moderation import Moderator, ReplyPack, triage

__all__ = [
    "Action",
    "AdapterError",
    "AuthenticationError",
    "Classification",
    "Comment",
    "CommentCareError",
    "InputError",
    "Label",
    "ModelError",
    "Moderator",
    "Reply",
    "ReplyPack",
    "Review",
    "SiteUnavailableError",
    "TemplateError",
    "UntrustedModelError",
    "__version__",
    "read_comments",
    "triage",
]

_LAZY = {
    "Moderator": "commentcare.moderation",
    "ReplyPack": "commentcare.moderation",
    "triage": "commentcare.moderation",
    "read_comments": "commentcare.io",
}


__getattr__ = _lazy_getattr(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
