"""``commentcare medium worksheet``: a reply worksheet for Medium responses.

Medium offers no API to read responses or to reply, so the command reads what a writer can get
(the "Download your information" export, a story page saved with its responses, the feed),
reviews every response and writes a worksheet to answer them by hand. A thin layer over
:mod:`commentcare.adapters.medium`; exit codes: 0 done, 1 the model or the site failed, 2 bad
usage or input (one line naming the file).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Any, TextIO

from commentcare._errors import AdapterError, CommentCareError, InputError

__all__ = ["main", "register", "worksheet"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
_SHOW_ERRORS = 5


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``medium worksheet`` to the main parser; the handler is set as ``func``."""
    medium = subparsers.add_parser(
        "medium",
        help="Medium responses: read an export, a saved story page or a feed; write a reply worksheet",
        description="Work with Medium responses. Medium has no API for them: commentcare reads your export, "
        "a story page saved with its responses, or your feed.",
    )
    commands = medium.add_subparsers(dest="medium_command", metavar="COMMAND", required=True)
    p = commands.add_parser(
        "worksheet",
        help="review every response and write a worksheet (CSV, and HTML) to reply by hand",
        description="Review every response of INPUT and write a reply worksheet: per response its class, "
        "what to do on Medium, the drafted reply and a link to it. INPUT is Medium's export (the zip or its "
        "folder), a story page saved from the browser with its responses open, or any other export "
        "commentcare reads; the format is detected.",
    )
    p.add_argument("input", nargs="?", help="the export (zip or folder), a saved story page, or a feed file")
    p.add_argument(
        "-o", "--output", default="medium-worksheet.csv", help="the CSV worksheet (default: %(default)s)"
    )
    p.add_argument(
        "--html", metavar="FILE", help="also write the worksheet as an HTML page with a link to each response"
    )
    p.add_argument(
        "--feed",
        metavar="USER",
        help="also read the responses in this writer's feed (a username, @name or profile URL; the latest ~10 items)",
    )
    p.add_argument(
        "--format",
        choices=("medium-archive", "medium-page", "rss"),
        help="the input's format, if detection fails",
    )
    p.add_argument("--site-name", help="your publication's name, for the replies")
    p.add_argument("--contact", help="a private channel for replies, e.g. 'at help@example.com'")
    p.add_argument("--model", help="a model written by `commentcare train` (default: the shipped one)")
    p.add_argument(
        "--trust-model", action="store_true", help="load --model although it comes from outside the package"
    )
    p.set_defaults(func=worksheet)


def worksheet(args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Read, review, write; report what was left out. Returns the exit code."""
    out = sys.stdout if stdout is None else stdout
    err = sys.stderr if stderr is None else stderr
    if not args.input and not args.feed:
        err.write("commentcare medium worksheet: error: give INPUT, --feed USER, or both\n")
        return EXIT_USAGE
    try:
        comments, problems = _collect(args)
    except InputError as exc:
        err.write(f"commentcare: error: {exc}\n")
        return EXIT_USAGE
    except AdapterError as exc:
        err.write(f"commentcare: error: {exc}\n")
        return EXIT_FAIL
    if not comments and problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        err.write(f"commentcare: error: {first}{more}\n")
        return EXIT_USAGE

    from commentcare.adapters.medium import needs_reply, write_worksheet
    from commentcare.moderation import Moderator

    try:
        moderator = Moderator(
            args.model, trusted=args.trust_model, site_name=args.site_name, contact=args.contact
        )
        reviews = list(moderator.review_many(comments))
        count = write_worksheet(reviews, args.output, args.html)
    except OSError as exc:
        err.write(
            f"commentcare: error: cannot write the worksheet: {exc.strerror or exc}: {exc.filename or ''}\n"
        )
        return EXIT_USAGE
    except CommentCareError as exc:
        err.write(f"commentcare: error: {exc}\n")
        return EXIT_FAIL

    for problem in problems[:_SHOW_ERRORS]:
        err.write(f"skipped: {problem}\n")
    if len(problems) > _SHOW_ERRORS:
        err.write(f"skipped: … and {len(problems) - _SHOW_ERRORS} more\n")
    if not count:
        where = args.input or f"the feed of {args.feed}"
        err.write(f"no responses found in {where}; the worksheet is empty\n")
    labels = Counter(r.classification.label.value for r in reviews)
    to_reply = sum(1 for r in reviews if needs_reply(r))
    written = args.output + (f" and {args.html}" if args.html else "")
    mix = ", ".join(f"{k} {v}" for k, v in sorted(labels.items())) or "none"
    out.write(f"wrote {written}: {count} responses ({mix}); {to_reply} to reply to\n")
    return EXIT_OK


def _collect(args: argparse.Namespace) -> tuple[list[Any], list[InputError]]:
    """Every comment of INPUT and the feed, once each, and every record that could not be read."""
    from commentcare.io import read_comments

    problems: list[InputError] = []
    comments: list[Any] = []
    if args.input:
        comments.extend(read_comments(args.input, args.format, on_error=problems.append))
    if args.feed:
        from commentcare.adapters.medium import fetch_feed

        comments.extend(fetch_feed(args.feed, responses_only=True))
    from commentcare.io import post_id_from_url

    seen: set[str] = set()
    unique = []
    for c in comments:  # the same response can be in the export and in the feed: same post id
        url = c.extra.get("url")
        key = post_id_from_url(url) or url or c.id or ""
        if key and key in seen:
            continue
        seen.add(key)
        unique.append(c)
    return unique, problems


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``medium …`` on its own (the main ``commentcare`` command registers it too)."""
    parser = argparse.ArgumentParser(prog="commentcare")
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return int(args.func(args))
