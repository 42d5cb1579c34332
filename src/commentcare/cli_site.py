"""``commentcare backtest``, ``commentcare suggest-labels`` and ``commentcare train --site``.

Learning from a site: what commentcare would have done on its history, which comments to label
next, and a model adapted to it. A thin layer over :mod:`commentcare.site`; exit codes: 0 done,
1 the model failed, 2 bad usage or input (one line naming the file).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from commentcare._errors import InputError

__all__ = ["register", "train_site"]

EXIT_OK = 0


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")


def _site_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", help="the export's format (wxr, disqus, csv, jsonl); detected when omitted")
    p.add_argument(
        "--site-name",
        help="the site's name: comments whose author is exactly this are staff replies and left out",
    )
    p.add_argument(
        "--staff",
        action="append",
        default=[],
        metavar="NAME",
        help="a staff member's author name, left out like the site's own (repeatable)",
    )


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="a model directory (default: the shipped model)")
    p.add_argument(
        "--trust-model",
        action="store_true",
        help="load --model although it is a pickle from outside the package",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``backtest`` and ``suggest-labels``; ``train --site`` is hooked into ``train``."""
    p = subparsers.add_parser(
        "backtest",
        help="compare commentcare's actions with the site's own past decisions (shadow mode)",
        description="Review every visitor comment of EXPORT that carries the site's decision (WXR "
        "wp:comment_approved, Disqus isSpam/isDeleted, a CSV status column) and compare: a confusion "
        "table, removal precision and recall against the site's spam, the strongest disagreements, "
        "agreement per reason and over time. Staff comments and pingbacks are left out and counted. "
        "Prints the JSON summary.",
    )
    p.add_argument("export", help="the export file")
    p.add_argument("--report", metavar="FILE.html", help="also write the backtest as an HTML page")
    p.add_argument("--json", metavar="FILE", help="write the JSON summary here instead of standard output")
    p.add_argument(
        "--errors",
        metavar="FILE",
        help="write bad input records here (JSONL) and go on; without it a bad record stops the run",
    )
    _site_args(p)
    _model_args(p)
    p.set_defaults(func=cmd_backtest)

    p = subparsers.add_parser(
        "suggest-labels",
        help="pick the comments whose labels would teach the model most (active learning)",
        description="Pick N comments of EXPORT to label: the ones the model is least sure of, weighted "
        "by how often their pattern recurs, no two alike. Fill in the label column (spam, ham, rant, "
        "praise, complaint, none) and run `commentcare train --site EXPORT --extra FILE -o DIR`.",
    )
    p.add_argument("export", help="the export file")
    p.add_argument("-n", type=int, default=50, help="how many comments (default 50)")
    p.add_argument("-o", "--output", default="to-label.csv", help="the CSV to write (default to-label.csv)")
    p.add_argument(
        "--exclude",
        nargs="*",
        default=[],
        metavar="CSV",
        help="labelled files whose comments are not asked again",
    )
    _site_args(p)
    _model_args(p)
    p.set_defaults(func=cmd_suggest_labels)


def _moderator(args: argparse.Namespace) -> Any:
    from commentcare.moderation import Moderator

    return Moderator(args.model, trusted=args.trust_model, site_name=args.site_name)


def cmd_backtest(args: argparse.Namespace) -> int:
    from commentcare.site import backtest

    m = _moderator(args)
    err_fh = open(args.errors, "w", encoding="utf-8") if args.errors else None  # noqa: SIM115
    try:

        def on_error(err: InputError) -> None:
            assert err_fh is not None
            err_fh.write(json.dumps({"source": err.source, "record": err.record, "error": err.reason}) + "\n")

        result = backtest(
            args.export,
            m.review_many,
            format=args.format,
            site_name=args.site_name,
            staff=args.staff,
            model_version=m.model_version,
            on_error=on_error if err_fh is not None else None,
        )
    finally:
        if err_fh is not None:
            err_fh.close()
    s = result.summary
    text = json.dumps(s, indent=2, ensure_ascii=False) + "\n"
    if args.json:
        Path(args.json).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if args.report:
        result.write_html(args.report)
    pr = s["remove_vs_site_spam"]
    left = s["counts"]["left_out"]
    if left["errors"]:
        _say(f"{left['errors']} bad record(s) written to {args.errors}")
    agreement = "-" if s["agreement"] is None else f"{s['agreement']:.1%}"
    _say(
        f"{s['compared']} comments compared, agreement {agreement}; remove vs the site's spam: precision "
        f"{pr['precision']}, recall {pr['recall']}; left out: {left['staff']} staff, {left['pingbacks']} "
        f"pingbacks, {left['no_decision']} without a decision"
    )
    return EXIT_OK


def cmd_suggest_labels(args: argparse.Namespace) -> int:
    from commentcare.site import read_labelled, suggest_labels, write_suggestions

    exclude = [c.text for path in args.exclude for c, _ in read_labelled(path)]
    m = _moderator(args)
    picks = suggest_labels(
        args.export,
        m.classify_many,
        args.n,
        format=args.format,
        site_name=args.site_name,
        staff=args.staff,
        exclude_texts=exclude,
    )
    write_suggestions(picks, args.output)
    _say(f"wrote {len(picks)} comments to label to {args.output}")
    return EXIT_OK


def add_train_options(p: argparse.ArgumentParser) -> None:
    """``train``'s options for adapting to a site (``--extra`` files are its labelled CSVs)."""
    p.add_argument(
        "--site",
        metavar="EXPORT",
        help="adapt the shipped model to this site's export (its spam and approved decisions, plus --extra"
        " labelled files and --feedback corrections) instead of training from the corpus",
    )
    p.add_argument("--site-name", help="with --site: the site's own name (its replies are left out)")
    p.add_argument(
        "--staff", action="append", default=[], metavar="NAME", help="with --site: a staff author name"
    )
    p.add_argument("--site-format", help="with --site: the export's format, when detection fails")


def _corrections(path: str) -> tuple[list[tuple[str, str]], int]:
    """(text, correction) pairs of a feedback database, and how many kept no text (doNotStore)."""
    from commentcare.feedback import FeedbackStore

    if not Path(path).is_file():  # FeedbackStore would create it: a typo must not train on nothing
        raise InputError("no such feedback database", source=path)
    pairs: list[tuple[str, str]] = []
    without_text = 0
    with FeedbackStore(path) as store:
        for c in store.corrections():
            if c.text is None:
                without_text += 1
            else:
                pairs.append((c.text, c.correction))
    return pairs, without_text


def train_site(args: argparse.Namespace) -> int:
    """``train --site EXPORT [--feedback DB] [--extra CSV ...]``: a site head over the shipped model,
    saved as a model directory."""
    from commentcare.site import adapt_model, load_site_labels

    corrections: list[tuple[str, str]] = []
    without_text = 0
    if getattr(args, "feedback", None):
        corrections, without_text = _corrections(args.feedback)
        _say(f"feedback: {len(corrections)} correction(s), {without_text} without text skipped")
    labels = load_site_labels(
        args.site,
        labelled=args.extra,
        corrections=corrections,
        site_name=args.site_name,
        staff=args.staff,
        format=args.site_format,
    )
    labels.skipped["feedback_without_text"] = without_text
    result = adapt_model(labels, args.output)
    h = result.holdout
    _say(
        f"wrote {Path(args.output) / 'model.joblib'} (model {result.model_version}): site head over the "
        f"shipped model, {result.rows} site rows ({', '.join(f'{k} {v}' for k, v in labels.counts().items())}),"
        f" penalty {result.alpha}"
    )
    if h.get("rows"):
        best = h["by_alpha"][str(h["chosen_alpha"])]
        _say(
            f"held-out site rows ({h['rows']}): spam F1 {h['base']['spam_f1']} shipped -> {best['spam_f1']} adapted"
        )
    return EXIT_OK
