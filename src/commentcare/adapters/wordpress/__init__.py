"""WordPress: read comments over the REST API and write moderation decisions back.

    from commentcare.adapters.wordpress import AuditLog, WordPressSite, apply_plan, plan_moderation

    with WordPressSite.from_env() as site:      # COMMENTCARE_WP_URL, _USER, _APP_PASSWORD
        plan = plan_moderation(site.list_comments())          # held comments, every page
        result = apply_plan(site, plan, AuditLog("audit.jsonl"), post_replies=True)

Every write is made safe to repeat, because a moderation run can be cut off at any point:

* before each write the runner appends an *intent* record to the audit log and after it a *done*
  (or *failed*) record, so a later run knows what was in flight and checks it on the site;
* a reply is only posted when the site shows no reply by the same user under the comment, and a
  write whose outcome is unknown (timeout, dropped connection, 5xx) is checked on the site before
  it is tried again;
* a status the log says this tool already changed is not changed again, so a human's later
  decision stands.

Reads are retried by urllib3 (429, 5xx, dropped connections, timeouts) with backoff. The
Application Password is only ever handed to the HTTP auth hook: it is not kept in any attribute a
repr, log message, exception or audit record could show.

One idea per module: ``_http`` (transport, auth, error texts), ``_site`` (the REST client),
``_planner`` (reviews to statuses and replies), ``_audit`` (the log), ``_runner`` (applying a plan).
"""

from __future__ import annotations

from commentcare.adapters.wordpress._audit import AuditLog, Phase
from commentcare.adapters.wordpress._http import DEFAULT_TIMEOUT, RETRY_STATUSES, retrying_adapter
from commentcare.adapters.wordpress._planner import ACTION_STATUS, PlanItem, Reviewer, plan_moderation
from commentcare.adapters.wordpress._runner import Outcome, RunResult, apply_plan
from commentcare.adapters.wordpress._site import (
    ENV_PASSWORD,
    ENV_URL,
    ENV_USER,
    MAX_BODY_BYTES,
    MAX_PAGES,
    SiteInfo,
    WordPressSite,
)

__all__ = [
    "ACTION_STATUS",
    "DEFAULT_TIMEOUT",
    "ENV_PASSWORD",
    "ENV_URL",
    "ENV_USER",
    "MAX_BODY_BYTES",
    "MAX_PAGES",
    "RETRY_STATUSES",
    "AuditLog",
    "Outcome",
    "Phase",
    "PlanItem",
    "Reviewer",
    "RunResult",
    "SiteInfo",
    "WordPressSite",
    "apply_plan",
    "plan_moderation",
    "retrying_adapter",
]
