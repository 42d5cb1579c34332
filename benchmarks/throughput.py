"""Throughput of commentcare against alt-profanity-check and vaderSentiment, in one run.

Every distinct comment of the public data sets (``../shared/data`` by default) is classified once
per round by each contender; the contenders take turns within a round (the order rotates from
round to round) and the best of ``--repeats`` rounds is kept, so that the noise of a shared
machine hits everyone alike. Speeds are compared as ratios to alt-profanity-check, measured in
the same run. No text is ever repeated within a pass, and each round of commentcare uses a fresh
Moderator, so no cache flatters a figure; the first (cold) round is reported too.

Contenders (the last three are optional: a contender that cannot be imported is skipped):

* ``commentcare classify_many``: the shipped model, four classes, calibrated probabilities;
* ``commentcare review_many``: the same plus action, urgency, reasons and two drafted replies;
* ``alt-profanity-check predict_prob``: a scikit-learn linear model, one binary class on
  word unigrams (a model doing less, the speed to beat);
* ``vaderSentiment polarity_scores``: a lexicon and rules, pure Python;
* ``sklearn tfidf(1,2)+logreg``: scikit-learn's TfidfVectorizer on word 1–2-grams and a
  LogisticRegression (fitted here on a few thousand of the texts, labelled by source): what a
  plain scikit-learn pipeline of commentcare's kind costs.

A competitor whose pins clash with commentcare's (alt-profanity-check pins one scikit-learn
version) can live in a separate virtual environment: give its interpreter with
``--competitor-python /path/to/venv/bin/python``; it is then timed in a subprocess of that
interpreter, once per round in turn with the others, on the same texts (passed in a temporary
file). Only the ``predict_prob`` / ``polarity_scores`` call is timed there, as in process.

Usage::

    python benchmarks/throughput.py [--data ../shared/data] [--json results.json]
        [--repeats 3] [--competitor-python PY] [--limit N] [--short | --long]

``--short`` keeps the sets of short texts (about 100 characters), ``--long`` the news-comment
sets (about 400).

Also measured, each best of 5 in fresh subprocesses: the time of ``import commentcare``, the
time to load the shipped model (in a process that has already imported scikit-learn, and from a
cold interpreter to a ready classifier), and the size of the model file.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(os.environ.get("COMMENTCARE_SHARED_DATA") or HERE.parent.parent / "shared" / "data")

#: (file under the data directory, text column): every public evaluation set with free text.
SETS: tuple[tuple[str, str], ...] = (
    ("youtube-spam-collection/youtube_spam_combined.csv", "text"),
    ("complaints-social-media/complaints.csv", "text"),
    ("unhealthy-comments-ucc/test.csv", "comment"),
    ("unhealthy-comments-ucc/val.csv", "comment"),
    ("twitter-airline-sentiment/Tweets.csv", "text"),
    ("sentiment-labelled-sentences/sentences.csv", "text"),
    ("constructive-comments-c3/C3_anonymized.csv", "comment_text"),
    # the original CrowdFlower export; ctc.csv beside it is a derived copy of the same texts
    ("sfu-constructiveness-toxicity/SFU_constructiveness_toxicity.csv", "comment"),
    ("jigsaw-toxic-sample/test_examples.csv", "comment_text"),
)

PROFANITY = "alt-profanity-check predict_prob"
VADER = "vaderSentiment polarity_scores"
#: The news-comment sets (about 400 characters a comment); the others hold short texts.
LONG_SETS = {
    "constructive-comments-c3/C3_anonymized.csv",
    "sfu-constructiveness-toxicity/SFU_constructiveness_toxicity.csv",
    "jigsaw-toxic-sample/test_examples.csv",
}

CLASSIFY = "commentcare classify_many"
REVIEW = "commentcare review_many (replies)"
SKLEARN = "sklearn tfidf(1,2)+logreg"

#: Targets from the issue, as ratios to alt-profanity-check.
# The floors of the second round: classifying stays at or above 0.7x alt-profanity-check, reviewing
# at or above 0.35x (clarity now comes before speed; the first round reached 1.08x and 0.54x).
RATIO_TARGETS = {CLASSIFY: 0.7, REVIEW: 0.35}


# -- data ------------------------------------------------------------------------------------------------


def load_texts(
    data: Path, limit: int | None = None
) -> tuple[list[str], list[int], dict[str, dict[str, int]]]:
    """Every distinct (exactly equal) non-blank text, in first-seen order, with its set's index."""
    csv.field_size_limit(64 * 1024 * 1024)
    seen: set[str] = set()
    texts: list[str] = []
    origin: list[int] = []
    per_set: dict[str, dict[str, int]] = {}
    for k, (rel, column) in enumerate(SETS):
        path = data / rel
        if not path.is_file():
            print(f"warning: {path} is missing; skipped", file=sys.stderr)
            continue
        rows = new = 0
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t" if rel.endswith(".tsv") else ",")
            if reader.fieldnames is None or column not in reader.fieldnames:
                raise SystemExit(f"{path}: no column {column!r} (columns: {reader.fieldnames})")
            for row in reader:
                text = row[column]
                rows += 1
                if text is None or not text.strip() or text in seen:
                    continue
                seen.add(text)
                texts.append(text)
                origin.append(k)
                new += 1
        per_set[rel] = {"rows": rows, "new_distinct": new}
    if limit:
        texts, origin = texts[:limit], origin[:limit]
    return texts, origin, per_set


def warmup_texts(n: int = 300) -> list[str]:
    """Texts that are in no data set, to pay first-call costs before any timing."""
    return [f"Warm-up comment {i}: the delivery of order {i * 7} was late, thanks anyway!" for i in range(n)]


# -- machine ---------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    load = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    return {
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": cpu or platform.processor(),
        "ram_gib": ram_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": load,
    }


def provenance() -> dict[str, Any]:
    """The commit (with ``-dirty`` for uncommitted changes) and the shipped model's version."""
    out: dict[str, Any] = {}
    try:
        git = subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=HERE, check=True
        )
        out["git"] = git.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out["git"] = None
    try:
        from commentcare.model._store import CARD_FILE, shipped_model_path

        card = json.loads((shipped_model_path() / CARD_FILE).read_text(encoding="utf-8"))
        out["model_version"] = card.get("model_version")
    except (ImportError, OSError, ValueError):
        out["model_version"] = None
    return out


def versions() -> dict[str, str | None]:
    from importlib import metadata

    out: dict[str, str | None] = {}
    for dist in ("commentcare", "scikit-learn", "numpy", "scipy", "alt-profanity-check", "vaderSentiment"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


# -- contenders --------------------------------------------------------------------------------------------

Runner = Callable[[Sequence[str]], float]  # returns the seconds of one pass over the texts


def _timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def commentcare_runners() -> dict[str, Runner]:
    from commentcare import Moderator

    def fresh() -> Any:
        m = Moderator()
        m.classifier  # noqa: B018 - load outside the timing
        deque(m.classify_many(warmup_texts()), maxlen=0)
        deque(m.review_many(warmup_texts()), maxlen=0)
        return m

    def classify(texts: Sequence[str]) -> float:
        m = fresh()
        return _timed(lambda: deque(m.classify_many(texts), maxlen=0))

    def review(texts: Sequence[str]) -> float:
        m = fresh()
        return _timed(lambda: deque(m.review_many(texts), maxlen=0))

    return {CLASSIFY: classify, REVIEW: review}


def _profanity_inprocess() -> Runner | None:
    try:
        from profanity_check import predict_prob
    except ImportError:
        return None
    predict_prob(warmup_texts())

    def run(texts: Sequence[str]) -> float:
        return _timed(lambda: predict_prob(list(texts)))

    return run


def _vader_inprocess() -> Runner | None:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        return None
    analyzer = SentimentIntensityAnalyzer()
    for t in warmup_texts():
        analyzer.polarity_scores(t)

    def run(texts: Sequence[str]) -> float:
        score = analyzer.polarity_scores
        return _timed(lambda: [score(t) for t in texts])

    return run


def _sklearn_baseline(texts: Sequence[str], origin: Sequence[int]) -> Runner:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    step = max(1, len(texts) // 5000)
    pipe = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2), LogisticRegression(max_iter=300)
    )
    pipe.fit(list(texts[::step]), list(origin[::step]))
    pipe.predict_proba(warmup_texts())

    def run(batch: Sequence[str]) -> float:
        return _timed(lambda: pipe.predict_proba(list(batch)))

    return run


def _subprocess_runner(python: str, which: str, texts_file: str) -> Runner | None:
    """Time ``which`` in another interpreter (a separate venv) on the texts in ``texts_file``."""
    probe = subprocess.run(
        [python, os.fspath(Path(__file__).resolve()), "--worker", which, "--probe"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        print(
            f"note: {which} is not importable by {python}: {probe.stderr.strip().splitlines()[-1:]}",
            file=sys.stderr,
        )
        return None

    def run(texts: Sequence[str]) -> float:
        out = subprocess.run(
            [python, os.fspath(Path(__file__).resolve()), "--worker", which, "--texts", texts_file],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if result["n"] != len(texts):
            raise RuntimeError(f"{which} worker classified {result['n']} texts, not {len(texts)}")
        return float(result["seconds"])

    return run


def worker_main(which: str, texts_file: str | None, probe: bool) -> int:
    """The subprocess side of --competitor-python: only the competitor is imported here."""
    if which == "profanity":
        make = _profanity_inprocess
    elif which == "vader":
        make = _vader_inprocess
    else:
        raise SystemExit(f"unknown worker {which!r}")
    runner = make()
    if runner is None:
        raise SystemExit(f"{which}: not importable here")
    if probe:
        return 0
    assert texts_file is not None
    with open(texts_file, encoding="utf-8") as fh:
        texts = json.load(fh)
    seconds = runner(texts)
    print(json.dumps({"seconds": seconds, "n": len(texts), "versions": versions()}))
    return 0


# -- start-up costs ----------------------------------------------------------------------------------------

_IMPORT_CODE = "import time; t = time.perf_counter(); import commentcare; print(time.perf_counter() - t)"
_LOAD_CODE = (
    "import time, sklearn, numpy, scipy.sparse, joblib\n"
    "from commentcare.model._store import load_model\n"
    "t = time.perf_counter(); load_model(); print(time.perf_counter() - t)"
)
_READY_CODE = (
    "import time; t = time.perf_counter()\n"
    "from commentcare import Moderator\n"
    "m = Moderator(); m.classify('warm'); print(time.perf_counter() - t)"
)


def _best_of(code: str, n: int = 5) -> dict[str, Any]:
    runs = []
    for _ in range(n):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        runs.append(float(out.strip().splitlines()[-1]))
    return {"best_s": min(runs), "median_s": statistics.median(runs), "runs_s": runs}


def startup() -> dict[str, Any]:
    from commentcare.model._store import MODEL_FILE, shipped_model_path

    model_file = shipped_model_path() / MODEL_FILE
    return {
        "import_commentcare": _best_of(_IMPORT_CODE),
        "model_load_sklearn_imported": _best_of(_LOAD_CODE),
        "cold_to_first_classification": _best_of(_READY_CODE),
        "model_file_bytes": model_file.stat().st_size,
        "model_file_mb": round(model_file.stat().st_size / 1e6, 2),
    }


# -- the run -------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    data = Path(args.data)
    texts, origin, per_set = load_texts(data, args.limit)
    if args.short or args.long:
        keep = [(SETS[o][0] in LONG_SETS) == args.long for o in origin]
        texts = [t for t, k in zip(texts, keep) if k]
        origin = [o for o, k in zip(origin, keep) if k]
        print(f"only the {'long (news)' if args.long else 'short'} comments' sets")
    if not texts:
        raise SystemExit(f"no texts found under {data}")
    chars = sum(map(len, texts))
    print(f"{len(texts):,} distinct comments, {chars / len(texts):.0f} characters on average, from {data}")
    info = machine()
    prov = provenance()
    print(f"commit {prov['git']}, model {prov['model_version']}")
    print(
        f"machine: {info['nproc']} cpus ({info['cpu']}), {info['ram_gib']} GiB RAM, Python {info['python']}"
    )

    runners: dict[str, Runner] = {}
    runners.update(commentcare_runners())
    tmpdir = tempfile.TemporaryDirectory(prefix="cc-bench-")
    texts_file = os.path.join(tmpdir.name, "texts.json")
    with open(texts_file, "w", encoding="utf-8") as fh:
        json.dump(texts, fh, ensure_ascii=False)
    where: dict[str, str] = {}
    for name, which, make in (
        (PROFANITY, "profanity", _profanity_inprocess),
        (VADER, "vader", _vader_inprocess),
    ):
        runner = None if args.competitor_python and args.force_subprocess else make()
        if runner is not None:
            where[name] = "in process"
        elif args.competitor_python:
            runner = _subprocess_runner(args.competitor_python, which, texts_file)
            if runner is not None:
                where[name] = f"subprocess ({args.competitor_python})"
        if runner is None:
            print(
                f"note: {name} skipped (not installed; pip install it, or see --competitor-python)",
                file=sys.stderr,
            )
            continue
        runners[name] = runner
    if not args.no_sklearn_baseline:
        runners[SKLEARN] = _sklearn_baseline(texts, origin)

    names = list(runners)
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(args.repeats):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            seconds = runners[name](texts)
            times[name].append(seconds)
            print(f"  round {r + 1}: {name:<36} {len(texts) / seconds:>10,.0f} comments/s", flush=True)

    tmpdir.cleanup()
    results: dict[str, Any] = {}
    base = times.get(PROFANITY)
    for name in names:
        best = min(times[name])
        res: dict[str, Any] = {
            "rounds_s": [round(t, 4) for t in times[name]],
            "best_s": round(best, 4),
            "comments_per_s": round(len(texts) / best),
            "cold_round_comments_per_s": round(len(texts) / times[name][0]),
            "where": where.get(name, "in process"),
        }
        if base:
            res["ratio_vs_profanity_check"] = round(min(base) / best, 3)
            # the same comparison within each round (the two ran seconds apart), for the spread
            res["ratio_per_round"] = [round(b / t, 3) for b, t in zip(base, times[name], strict=True)]
        results[name] = res
    started = startup()
    out = {
        "machine": info,
        "versions": versions(),
        **prov,
        "data": {
            "dir": data.name,
            "comments": len(texts),
            "mean_chars": round(chars / len(texts), 1),
            "sets": per_set,
        },
        "repeats": args.repeats,
        "results": results,
        "startup": started,
    }
    report(out)
    return out


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(out: dict[str, Any]) -> None:
    results = out["results"]
    print()
    print(
        f"| contender | comments/s (best of {out['repeats']}) | cold round | ratio vs alt-profanity-check |"
    )
    print("|---|---:|---:|---:|")
    for name, res in results.items():
        ratio = res.get("ratio_vs_profanity_check")
        spread = res.get("ratio_per_round")
        r = f"{ratio:.2f}× (rounds: {', '.join(f'{x:.2f}' for x in spread)})" if ratio is not None else "-"
        print(f"| {name} | {res['comments_per_s']:,} | {res['cold_round_comments_per_s']:,} | {r} |")
    s = out["startup"]
    print()
    print(f"import commentcare: {s['import_commentcare']['best_s']:.3f} s (best of 5)")
    print(f"model load (scikit-learn already imported): {s['model_load_sklearn_imported']['best_s']:.3f} s")
    print(f"cold interpreter to first classification: {s['cold_to_first_classification']['best_s']:.3f} s")
    print(f"model file: {s['model_file_mb']} MB")
    print()
    print("targets:")
    for name, target in RATIO_TARGETS.items():
        ratio = results.get(name, {}).get("ratio_vs_profanity_check")
        if ratio is None:
            print(f"  {name} ≥ {target}× alt-profanity-check: not measured (competitor missing)")
        else:
            print(f"  {name} ≥ {target}× alt-profanity-check: {ratio:.2f}× → {_verdict(ratio >= target)}")
    imp = s["import_commentcare"]["best_s"]
    load = s["model_load_sklearn_imported"]["best_s"]
    print(f"  import commentcare ≤ 0.3 s: {imp:.3f} s → {_verdict(imp <= 0.3)}")
    print(f"  model load ≤ 0.5 s: {load:.3f} s → {_verdict(load <= 0.5)}")
    print(f"  model file ≤ 20 MB: {s['model_file_mb']} MB → {_verdict(s['model_file_mb'] <= 20)}")


def main(argv: Iterable[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--data",
        default=os.fspath(DEFAULT_DATA),
        help="directory of the public data sets (default: ../shared/data)",
    )
    p.add_argument("--json", help="write all figures to this JSON file")
    p.add_argument("--repeats", type=int, default=3, help="rounds; the best is kept (default 3)")
    p.add_argument("--limit", type=int, help="use only the first N distinct comments (for a quick try)")
    p.add_argument(
        "--competitor-python",
        help="interpreter of a separate venv holding alt-profanity-check/vaderSentiment",
    )
    p.add_argument(
        "--force-subprocess",
        action="store_true",
        help="with --competitor-python: time the competitors there even if importable here",
    )
    p.add_argument("--no-sklearn-baseline", action="store_true", help="skip the plain scikit-learn pipeline")
    subset = p.add_mutually_exclusive_group()
    subset.add_argument(
        "--short", action="store_true", help="only the sets of short texts (tweets, YouTube, reviews, UCC)"
    )
    subset.add_argument("--long", action="store_true", help="only the news-comment sets")
    p.add_argument("--worker", choices=("profanity", "vader"), help=argparse.SUPPRESS)
    p.add_argument("--texts", help=argparse.SUPPRESS)
    p.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(list(argv) if argv is not None else None)
    if args.worker:
        return worker_main(args.worker, args.texts, args.probe)
    out = run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
