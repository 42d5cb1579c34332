"""``commentcare wordpress moderate``: review a WordPress site's held comments, and on request
apply the decisions and post the drafted replies.

The command is a thin layer over :mod:`commentcare.adapters.wordpress`: it parses the options,
prints the plan and the outcome, and turns errors into exit codes (0 ok, 1 the site failed or
some writes did, 2 bad usage or input).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any, TextIO

from commentcare._errors import AdapterError, InputError

if TYPE_CHECKING:
    from commentcare.adapters.wordpress import PlanItem, Reviewer, RunResult

__all__ = ["DEFAULT_AUDIT_LOG", "moderate", "register", "write_plugin_command"]

DEFAULT_AUDIT_LOG = "commentcare-wordpress-audit.jsonl"
_EXCERPT = 70


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wordpress moderate`` to the main parser; the handler is set as ``func``."""
    wordpress = subparsers.add_parser(
        "wordpress",
        help="moderate the comments of a WordPress site through its REST API",
        description="Moderate the comments of a WordPress site through its REST API.",
    )
    commands = wordpress.add_subparsers(dest="wordpress_command", metavar="COMMAND", required=True)
    parser = commands.add_parser(
        "moderate",
        help="review held comments; apply the decisions and post replies on request",
        description=(
            "Review a site's comments and print the plan: per comment its class, the action and "
            "the drafted reply. Nothing changes without --apply or --post-replies. The Application "
            "Password is read from COMMENTCARE_WP_APP_PASSWORD."
        ),
        epilog=(
            "Running again is safe: comments already moderated and replies already posted are left "
            "alone, and a run that was cut off is picked up where it stopped."
        ),
    )
    parser.add_argument("--site", metavar="URL", help="the site's address (default: $COMMENTCARE_WP_URL)")
    parser.add_argument(
        "--user",
        help="the WordPress user that owns the Application Password (default: $COMMENTCARE_WP_USER)",
    )
    parser.add_argument(
        "--status",
        default="hold",
        choices=["hold", "approved", "spam", "all"],
        help="which comments to review (default: hold; all means held and approved)",
    )
    parser.add_argument(
        "--since", metavar="ISO-DATE", help="only comments written at or after this date (UTC unless given)"
    )
    parser.add_argument("--post", metavar="ID", type=int, help="only the comments on this post")
    parser.add_argument("--apply", action="store_true", help="change the statuses (spam, hold, approved)")
    parser.add_argument(
        "--post-replies",
        action="store_true",
        help="post the drafted replies under approved praise and complaints",
    )
    parser.add_argument(
        "--reply-to-rants", action="store_true", help="with --post-replies, reply to rants as well"
    )
    parser.add_argument(
        "--audit-log",
        metavar="FILE",
        help=f"append-only JSON Lines record of every write (default: ./{DEFAULT_AUDIT_LOG})",
    )
    parser.add_argument(
        "--allow-http",
        action="store_true",
        help="accept a plain http:// site address (the Application Password then crosses the network "
        "unencrypted; loopback addresses are always accepted)",
    )
    parser.set_defaults(func=moderate)

    plugin = commands.add_parser(
        "plugin",
        help="write out the WordPress plugin that asks `commentcare serve` about each new comment",
        description=(
            "Write the commentcare WordPress plugin (a folder named commentcare) into DIR, e.g. "
            "wp-content/plugins. Once activated it asks `commentcare serve` about every new comment, "
            "keeps the label, respond-by time and a drafted reply as comment meta, and sends spam / "
            "not-spam clicks back as corrections. Its settings page takes the service URL and key."
        ),
    )
    plugin.add_argument(
        "-o", "--output", metavar="DIR", required=True, help="where to write the plugin's folder"
    )
    plugin.set_defaults(func=write_plugin_command)


def write_plugin_command(args: argparse.Namespace, *, stdout: TextIO | None = None) -> int:
    """Run ``wordpress plugin -o DIR``."""
    from commentcare.adapters.wordpress_plugin import write_plugin

    out = sys.stdout if stdout is None else stdout
    try:
        files = write_plugin(args.output)
    except OSError as exc:
        sys.stderr.write(f"commentcare wordpress plugin: cannot write {args.output}: {exc}\n")
        return 2
    out.write(
        f"wrote the commentcare plugin to {files[0].parent} ({', '.join(f.name for f in files)}); "
        "activate it under Plugins and set the service URL and key under Settings > commentcare\n"
    )
    return 0


def moderate(
    args: argparse.Namespace,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
    reviewer: Reviewer | None = None,
    site_options: dict[str, Any] | None = None,
) -> int:
    """Run ``wordpress moderate``; the keyword arguments are seams for tests and embedding."""
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    env = os.environ if environ is None else environ

    from commentcare.adapters.wordpress import (
        ENV_PASSWORD,
        ENV_URL,
        ENV_USER,
        AuditLog,
        WordPressSite,
        apply_plan,
        plan_moderation,
    )

    url = args.site or env.get(ENV_URL)
    user = args.user or env.get(ENV_USER)
    password = env.get(ENV_PASSWORD)
    problems = []
    if not url:
        problems.append(f"give --site or set {ENV_URL}")
    if not user:
        problems.append(f"give --user or set {ENV_USER}")
    if not password:
        problems.append(f"set {ENV_PASSWORD} to an Application Password of that user")
    if args.reply_to_rants and not args.post_replies:
        problems.append("--reply-to-rants only makes sense with --post-replies")
    since = None
    if args.since:
        try:
            since = _parse_since(args.since)
        except ValueError:
            problems.append(
                f"--since {args.since!r} is not an ISO date such as 2024-05-01 or 2024-05-01T09:30Z"
            )
    if problems or not (url and user and password):
        err.write("commentcare wordpress moderate: " + "; ".join(problems) + "\n")
        return 2

    writing = args.apply or args.post_replies
    try:
        options = {"allow_http": bool(getattr(args, "allow_http", False)), **(site_options or {})}
        with WordPressSite(url, user, password, **options) as site:
            info = site.check()
            comments = site.list_comments(args.status, post=args.post, since=since)
            out.write(f"{len(comments)} {args.status} comment(s) on {info.name or site.url} ({site.url})\n")
            if reviewer is None:
                from commentcare.moderation import Moderator

                reviewer = partial(Moderator().review_many, site_name=info.name or None)
            plan = plan_moderation(comments, reviewer, reply_to_rants=args.reply_to_rants)
            for item in plan:
                _print_item(out, item, show_reply=not writing or args.post_replies)
            if not writing:
                _print_dry_run(out, plan)
                return 0
            audit = AuditLog(args.audit_log or DEFAULT_AUDIT_LOG)
            result = apply_plan(site, plan, audit, change_statuses=args.apply, post_replies=args.post_replies)
            _print_result(out, result, audit.path)
    except InputError as exc:
        err.write(f"commentcare wordpress moderate: {exc}\n")
        return 2
    except AdapterError as exc:
        err.write(f"commentcare wordpress moderate: {exc}\n")
        return 1
    if result.failed:
        err.write(f"commentcare wordpress moderate: {result.failed} write(s) failed; see {audit.path}\n")
        return 1
    return 0


def _parse_since(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"  # Python 3.10's fromisoformat does not read the Z
    moment = datetime.fromisoformat(text)
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=timezone.utc)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[: _EXCERPT - 1] + "…"


def _print_item(out: TextIO, item: PlanItem, *, show_reply: bool) -> None:
    comment, review = item.comment, item.review
    change = f"{comment.status} -> {item.new_status}" if item.changes_status else f"stays {item.new_status}"
    unsure = ", unsure" if review.classification.unsure else ""
    by = f" by {comment.author}" if comment.author else ""
    on = f" on {comment.post_title!r}" if comment.post_title else ""
    out.write(f"#{comment.id}{by}{on}: {_excerpt(comment.text)!r}\n")
    out.write(
        f"    {review.label} ({review.classification.confidence:.2f}{unsure}); {review.action}: {change}\n"
    )
    if show_reply:
        if item.reply is not None:
            out.write(f"    reply: {_excerpt(item.reply)!r}\n")
        else:
            out.write(f"    no reply: {item.why_no_reply}\n")


def _print_dry_run(out: TextIO, plan: Sequence[PlanItem]) -> None:
    changes = sum(1 for item in plan if item.changes_status)
    replies = sum(1 for item in plan if item.reply is not None)
    out.write(
        f"Dry run, nothing changed: {changes} status change(s) and up to {replies} repl(ies) planned. "
        "Add --apply to change statuses and --post-replies to post replies.\n"
    )


def _print_result(out: TextIO, result: RunResult, audit_path: os.PathLike[str] | str) -> None:
    for outcome in result.outcomes:
        out.write(f"#{outcome.comment_id} {outcome.op}: {outcome.kind} ({outcome.detail})\n")
    out.write(
        f"Changed {result.changed} status(es), posted {result.posted} repl(ies), skipped {result.skipped}, "
        f"failed {result.failed}. Audit log: {os.fspath(audit_path)} (run {result.run_id})\n"
    )
