"""Where classification time goes: microseconds per comment for each step of the pipeline.

Runs the shipped pipeline step by step over the same comments as ``throughput.py`` (every
distinct comment of the public sets), batch by batch as ``classify_many`` does, and prints the
best of several rounds for each step:

    prepare      text preparation (markup, normalisation, links, contacts)   Preparer
    words        word 1-2-gram tf-idf (tokenising, hashing, lookups, matrix)   WordNgrams
    meta         the 14 meta-features                                         MetaFeatures
    classifier   calibrated logistic regression and temperature              the last step
    results      building the Classification objects (classify_many minus the steps above)

and, when alt-profanity-check is installed, its ``predict_prob`` on the same comments.

Usage::

    python benchmarks/stages.py [--data DIR] [--repeats 5] [--batch 2048] [--short | --long]

``--short`` keeps the comments of the sets of short texts (tweets, YouTube, review sentences,
UCC: about 100 characters), ``--long`` those of the news-comment sets (about 400 characters).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from throughput import DEFAULT_DATA, LONG_SETS, SETS, load_texts


def _best(fn: Callable[[], Any], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: Iterable[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--batch", type=int, default=2048)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--short", action="store_true")
    group.add_argument("--long", action="store_true")
    args = p.parse_args(list(argv) if argv is not None else None)

    texts, origin, _ = load_texts(args.data)
    if args.short or args.long:
        keep = [(SETS[o][0] in LONG_SETS) == args.long for o in origin]
        texts = [t for t, k in zip(texts, keep) if k]
    if not texts:
        print(f"no comments found under {args.data}", file=sys.stderr)
        return 2

    from commentcare import Moderator

    moderator = Moderator()
    deque(moderator.classify_many(texts[:500]), maxlen=0)  # load and warm up
    pipeline = moderator.pipeline
    prepare, features = pipeline.steps[0][1], pipeline.steps[1][1]
    predict_proba = moderator.classifier._predict_proba  # the path classify_many takes
    words, meta = (t for _, t in features.transformer_list)
    batches = [texts[i : i + args.batch] for i in range(0, len(texts), args.batch)]

    prepared: list[Any] = []

    def run_prepare() -> None:
        prepared[:] = [prepare.transform(b) for b in batches]

    def run_words() -> None:
        for x in prepared:
            x._cache.clear()  # the code points are shared with meta: count them here, once
            words.transform(x)

    matrices: list[Any] = []

    def run_features() -> None:
        matrices[:] = [features.transform(x) for x in prepared]

    timings = {
        "prepare": _best(run_prepare, args.repeats),
        "words": _best(run_words, args.repeats),
        "meta": _best(lambda: [meta.transform(x) for x in prepared], args.repeats),
        "classifier": float("nan"),
    }
    run_features()
    timings["classifier"] = _best(lambda: [predict_proba(m) for m in matrices], args.repeats)
    total = _best(
        lambda: deque(moderator.classify_many(texts, batch_size=args.batch), maxlen=0), args.repeats
    )
    timings["results"] = total - sum(timings.values())

    try:
        from profanity_check import predict_prob
    except ImportError:
        predict_prob = None
    competitor = _best(lambda: predict_prob(texts), args.repeats) if predict_prob else None

    n = len(texts)
    chars = sum(map(len, texts)) / n
    print(
        f"{n:,} comments, {chars:.0f} characters on average, batches of {args.batch}, best of {args.repeats}"
    )
    print("| step | µs per comment | share |")
    print("|---|---:|---:|")
    for step, seconds in timings.items():
        print(f"| {step} | {seconds * 1e6 / n:.2f} | {seconds / total:.0%} |")
    print(f"| **classify_many** | **{total * 1e6 / n:.2f}** | 100% |")
    if competitor is not None:
        print(
            f"alt-profanity-check predict_prob on the same comments: {competitor * 1e6 / n:.2f} µs per"
            f" comment; classify_many at {competitor / total:.2f}x its speed"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
