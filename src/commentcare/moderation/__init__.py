"""Moderation: review (action, urgency, reasons), reading a comment, reply drafting and triage.

:func:`decide` is the decision table as one pure function; :func:`read_comment` the plain rules
that read what a comment is about before a reply is drafted.
"""

from commentcare.moderation._decide import Decision, Policy, Signals, decide
from commentcare.moderation._moderator import Moderator
from commentcare.moderation._reading import Reading, read_comment
from commentcare.moderation._replies import ReplyPack
from commentcare.moderation._review import triage

__all__ = [
    "Decision",
    "Moderator",
    "Policy",
    "Reading",
    "ReplyPack",
    "Signals",
    "decide",
    "read_comment",
    "triage",
]
