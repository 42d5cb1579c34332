"""The ``commentcare`` command: a thin layer over the library. Everything here is a library call."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from commentcare._errors import CommentCareError, InputError
from commentcare._version import __version__

__all__ = ["main"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        help="a model directory or .joblib written by `commentcare train` (default: the shipped one)",
    )
    p.add_argument(
        "--trust-model",
        action="store_true",
        help="load --model although it is a pickle from outside the package (only for files you trust)",
    )
    p.add_argument(
        "--model-sha256",
        metavar="HEX",
        help="load --model only if its file has this SHA-256 (the safe alternative to --trust-model)",
    )


def _staff_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--staff",
        action="append",
        default=[],
        metavar="NAME_OR_EMAIL",
        help="a name or e-mail of the site's own people (repeatable): their comments get no draft",
    )


def _moderator(args: argparse.Namespace, **kw: Any) -> Any:
    from commentcare.moderation import Moderator

    return Moderator(
        args.model,
        trusted=args.trust_model,
        sha256=args.model_sha256,
        replies=getattr(args, "reply_pack", None),
        **kw,
    )


# -- classify ---------------------------------------------------------------------------------------


def cmd_classify(args: argparse.Namespace) -> int:
    from commentcare.io import classify_file

    progress = None
    bar: Any = None
    if args.progress or (args.progress is None and sys.stderr.isatty() and args.input != "-"):
        try:
            from tqdm import tqdm

            bar = tqdm(unit=" comments", unit_scale=True, file=sys.stderr)
            progress = bar.update
        except ImportError:
            logging.getLogger(__name__).info("install commentcare[progress] for a progress bar")
    for extra in (args.report, args.summary):
        if extra and not Path(extra).parent.is_dir():
            raise InputError(f"the folder {str(Path(extra).parent)!r} does not exist", source=extra)
    report = None
    on_rows = None
    if args.report:
        from commentcare.io import ReportBuilder

        report = ReportBuilder(title=f"commentcare report: {Path(args.input).name}")
        on_rows = report.add_rows
    source: Any = sys.stdin.buffer if args.input == "-" else args.input
    if args.input == "-" and args.format is None:
        args.format = "jsonl" if (args.to or "") == "jsonl" else None
    try:
        summary = classify_file(
            source,
            args.output,
            format=args.format,
            output_format=args.to,
            errors=args.errors,
            replies=args.replies or bool(args.report),
            model=args.model,
            trusted=args.trust_model,
            model_sha256=args.model_sha256,
            reply_pack=args.reply_pack,
            site_name=args.site_name,
            contact=args.contact,
            staff=args.staff,
            workers=args.workers,
            resume=args.resume,
            on_progress=progress,
            on_review_rows=on_rows,
        )
    finally:
        if bar is not None:
            bar.close()
    if report is not None:
        report.write(args.report, summary.as_dict())
    s = summary.as_dict()
    if args.summary:
        Path(args.summary).write_text(json.dumps(s, indent=2) + "\n", encoding="utf-8")
    labels = ", ".join(f"{k} {v}" for k, v in sorted(s["labels"].items())) or "none"
    print(
        f"{s['classified']} classified ({labels}), {s['errors']} errors, {s['unsure']} unsure, "
        f"{s['seconds']} s",
        file=sys.stderr,
    )
    if s["actions"]:
        print("actions: " + ", ".join(f"{k} {v}" for k, v in sorted(s["actions"].items())), file=sys.stderr)
    written = [f"{'standard output' if args.output == '-' else args.output} ({s['classified']} rows)"]
    if args.errors:
        written.append(f"errors to {args.errors} ({s['errors']})")
    if args.report:
        written.append(f"report to {args.report}")
    if args.summary:
        written.append(f"summary to {args.summary}")
    print("wrote " + ", ".join(written), file=sys.stderr)
    if s["total"] == 0:
        print(
            f"commentcare: error: no comments in {args.input}: the input is empty or has only a header",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_OK


# -- review -------------------------------------------------------------------------------------------


def cmd_review(args: argparse.Namespace) -> int:
    from commentcare._types import Comment

    m = _moderator(args, site_name=args.site_name, contact=args.contact, staff=args.staff)
    r = m.review(
        Comment(text=args.text, author=args.author, post_title=args.post, author_url=args.author_url)
    )
    c = r.classification
    if args.json:
        from commentcare.io import result_row

        row = result_row(r.comment, c, r)
        row["replies"] = [x.text for x in r.replies]
        print(json.dumps(row, indent=2, ensure_ascii=False))
        return EXIT_OK
    scores = "  ".join(f"{k.value} {v:.2f}" for k, v in c.scores.items())
    print(f"label:      {c.label.value}{' (unsure)' if c.unsure else ''}  confidence {c.confidence:.2f}")
    print(f"scores:     {scores}")
    print(f"none of the four: {c.other:.2f}")
    print(f"action:     {r.action.value}")
    print(f"priority:   {r.priority}")
    print(f"respond by: {r.respond_by.isoformat(timespec='minutes') if r.respond_by else '-'}")
    print("reasons:    " + "; ".join(r.reasons))
    for i, reply in enumerate(r.replies, 1):
        print(f"reply {i}:\n  " + reply.text.replace("\n", "\n  "))
    if not r.replies:
        why = {
            "remove": "spam is removed without a word",
            "approve": "the site's own comment: nothing to answer",
        }.get(r.action.value, "held for a human to answer")
        print(f"reply:      none ({why})")
    return EXIT_OK


# -- train / evaluate / info ----------------------------------------------------------------------------


def cmd_train(args: argparse.Namespace) -> int:
    if args.site:
        from commentcare.cli_site import train_site

        return train_site(args)
    from commentcare.model import save_model, train

    corpus = [Path(p) for p in args.corpus]
    lexicon = Path(args.lexicon) if args.lexicon else corpus[0].parent / "lexicon" / "vader_lexicon.tsv"
    public = Path(args.public) if args.public else None
    for p in [*corpus, lexicon, *(Path(x) for x in args.extra), *([public] if public else [])]:
        if not p.is_file():
            raise InputError(
                "no such file; the corpus and the lexicon come with the source repository, not the"
                " package, and public rows are written by scripts/public_data.py map: pass --corpus,"
                " --lexicon, --extra and --public with paths that exist",
                source=str(p),
            )
    fb: dict[str, Any] = {}
    if args.feedback:
        from commentcare.model import feedback_examples

        if not Path(args.feedback).is_file():
            raise InputError("no such feedback database", source=args.feedback)
        rows = feedback_examples(args.feedback)
        fb = {"corrections": rows.examples, "corrections_summary": rows.summary()}
        print(
            f"feedback: {sum(rows.used.values())} correction(s) used, {rows.skipped_without_text} without text skipped",
            file=sys.stderr,
        )
    pipeline, card = train(
        corpus, public, [Path(x) for x in args.extra], lexicon=lexicon, seed=args.seed, **fb
    )
    written = save_model(pipeline, card, args.output)
    dev = card["metrics"].get("dev", {})
    print(
        f"wrote {Path(args.output) / 'model.joblib'} (model {written.version}); dev macro-F1 {dev.get('macro_f1')}",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    from commentcare.model import dev_split, evaluate_labelled, load_labelled

    m = _moderator(args)
    result: dict[str, Any] = {"model_version": m.model_version}
    examples = load_labelled(args.labelled, source="corpus" if args.dev_split else None)
    if args.dev_split:
        examples = dev_split(examples)[1]
    result["labelled"] = evaluate_labelled(
        lambda items: ["none" if c.other >= c.confidence else c.label.value for c in m.classify_many(items)],
        [e.comment for e in examples],
        [e.label for e in examples],
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return EXIT_OK
    if "labelled" in result:
        r = result["labelled"]
        split = " (dev split)" if args.dev_split else ""
        print(f"{args.labelled}{split}: n={r['n']} macro-F1 {r['macro_f1']}")
        print(f"{'class':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
        for lbl in r["confusion"]["labels"]:
            x = r["report"][lbl]
            print(
                f"{lbl:<10} {x['precision']:>9.3f} {x['recall']:>7.3f} {x['f1-score']:>6.3f} {int(x['support']):>8}"
            )
        print("confusion (rows truth, columns predicted): " + " ".join(r["confusion"]["labels"]))
        for lbl, row in zip(r["confusion"]["labels"], r["confusion"]["matrix"]):
            print(f"  {lbl:<10} " + " ".join(f"{v:>6}" for v in row))
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    m = _moderator(args)
    card = m.card
    if args.json:
        print(json.dumps(card, indent=2))
        return EXIT_OK
    print(f"commentcare {__version__}, model {card['model_version']} ({card.get('created', '?')})")
    print(f"classes: {', '.join(card['classes'])}; unsure below {card['unsure_threshold']}")
    print(
        f"trained with scikit-learn {card['versions']['scikit-learn']} on {card['training_data']['examples']} examples"
    )
    dev = card.get("metrics", {}).get("dev")
    if dev:
        print(f"dev split: macro-F1 {dev['macro_f1']} (n={dev['n']})")
    for name, r in card.get("metrics", {}).get("benchmarks", {}).items():
        if "value" in r:
            print(f"{name}: {r['metric']} {r['value']} (n={r['n']})")
    return EXIT_OK


# -- the parser ---------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commentcare",
        description="Sort comments into spam, rant, praise or genuine complaint, and draft the replies.",
    )
    parser.add_argument("--version", action="version", version=f"commentcare {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "classify",
        help="classify every comment of an export (CSV, JSONL, WXR, Disqus, Medium)",
        description="Classify every comment of an export; one output row per input comment.",
    )
    p.add_argument("input", help="the export file ('-' for standard input)")
    p.add_argument(
        "-o", "--output", default="-", help="output file, .csv or .jsonl ('-' for standard output)"
    )
    p.add_argument(
        "--format",
        help="input format (csv, jsonl, wxr, disqus, medium-archive, medium-page, rss); "
        "detected when omitted",
    )
    p.add_argument("--to", choices=("csv", "jsonl"), help="output format when the extension does not say")
    p.add_argument(
        "--errors",
        help="write bad input records here (JSONL) and go on; without it a bad record stops the run",
    )
    p.add_argument(
        "--replies", action="store_true", help="add action, priority, respond_by and reply columns"
    )
    p.add_argument("--reply-pack", help="a TOML reply pack of your own")
    p.add_argument("--site-name", help="the site's name, for replies")
    p.add_argument("--contact", help="a private channel for replies, e.g. 'at help@example.com'")
    _staff_arg(p)
    p.add_argument("--report", help="also write a self-contained HTML report here")
    p.add_argument("--summary", help="also write the run's summary as JSON here")
    p.add_argument("--workers", type=int, default=1, help="processes to classify with (default 1)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run into the same output")
    p.add_argument(
        "--progress",
        action="store_true",
        default=None,
        help="show a progress bar even when not on a terminal",
    )
    _model_args(p)
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("review", help="review one comment: class, action, urgency and draft replies")
    p.add_argument("text", help="the comment")
    p.add_argument("--author", help="the commenter's name")
    p.add_argument("--author-url", help="the website the commenter gave")
    p.add_argument("--post", help="the title of the post it is under")
    p.add_argument("--site-name", help="the site's name, for replies")
    p.add_argument("--contact", help="a private channel for replies")
    _staff_arg(p)
    p.add_argument("--reply-pack", help="a TOML reply pack of your own")
    p.add_argument("--json", action="store_true", help="print JSON")
    _model_args(p)
    p.set_defaults(func=cmd_review)

    p = sub.add_parser(
        "train",
        help="train a model from the corpus, mapped public rows and your own labels",
        description="Train a model from labelled files. The corpus and lexicon come with the source"
        " repository; public rows are written by scripts/public_data.py map.",
    )
    p.add_argument(
        "--corpus", nargs="+", default=["corpus/corpus.jsonl"], help="labelled corpus files (CSV/JSONL)"
    )
    p.add_argument(
        "--extra", nargs="*", default=[], help="your own labelled comments or corrections (CSV/JSONL)"
    )
    p.add_argument(
        "--public", help="mapped public rows (JSONL from scripts/public_data.py map; default: none)"
    )
    p.add_argument(
        "--lexicon",
        help="the sentiment lexicon (default: lexicon/vader_lexicon.tsv beside the first corpus file)",
    )
    p.add_argument(
        "--feedback",
        metavar="DB",
        help="also train on the corrections in this feedback database (from `commentcare serve`)",
    )
    p.add_argument("--seed", type=int, default=13, help="random seed (the shipped model uses 13)")
    p.add_argument(
        "-o", "--output", default="models/latest", help="directory for model.joblib and model.json"
    )
    from commentcare.cli_site import add_train_options

    add_train_options(p)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "evaluate",
        help="precision/recall/F1 on a labelled file",
        description="Score a model on a labelled file. The zero-shot public benchmarks are scored by"
        " scripts/public_data.py benchmarks in the source repository.",
    )
    p.add_argument("labelled", help="a labelled CSV/JSONL file (text, label)")
    p.add_argument(
        "--dev-split",
        action="store_true",
        help="score only the file's development split (20%% by SHA-256 of the text; never trained on)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    _model_args(p)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("info", help="the model's version, classes and metrics")
    p.add_argument("--json", action="store_true", help="print the whole model card")
    _model_args(p)
    p.set_defaults(func=cmd_info)

    from commentcare.cli_medium import register as register_medium
    from commentcare.cli_serve import register as register_serve
    from commentcare.cli_site import register as register_site
    from commentcare.cli_wordpress import register as register_wordpress

    register_wordpress(sub)
    register_medium(sub)
    register_serve(sub)
    register_site(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except InputError as exc:
        print(f"commentcare: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CommentCareError as exc:
        print(f"commentcare: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a path that cannot be written or read: one line, no traceback
        where = f": {exc.filename}" if exc.filename else ""
        print(f"commentcare: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("commentcare: interrupted", file=sys.stderr)
        return 130
