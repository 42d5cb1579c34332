"""Moderation: classification, review (action, urgency, reasons), reply drafting and triage."""

from commentcare.moderation._moderator import Moderator
from commentcare.moderation._replies import ReplyPack
from commentcare.moderation._review import Policy, triage

__all__ = ["Moderator", "Policy", "ReplyPack", "triage"]
