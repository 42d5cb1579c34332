"""Adaptation benchmark: does learning from a site's own decisions help on that site?

Each of the five videos of the YouTube Spam Collection is a site, its comments ordered by date
(Eminem's file order instead: its 245 spam comments are exactly its undated ones, so date order
would give a site whose first 200 comments are all ham). A site's labels are what
its moderator would have decided: spam -> spam, ham -> approved (not spam; the four-way label
left to the model).

* ``20%``: adapt on the first 20% of the site's comments, evaluate on the rest;
* learning curve: adapt on the first 10, 25, 50, 100, 200 comments, evaluate on the comments
  after the first 200 (the same rest for every point, so the points compare).

From every evaluation rest, comments whose text (lower-cased, spaces collapsed) appears among
the first 200 (or the 20%) are dropped: the collection repeats spam verbatim, and a repeat
would measure memory, not learning. The shipped model is scored on the same rest.

Metric: spam F1 of the remove decision: a comment counts as predicted spam when the
Moderator's action is ``remove`` (label spam, confident, English), against the set's spam
label. Methods: ``head`` (what ``train --site`` does: a site head over the shared features,
penalty chosen on the site's own last 20% of rows), ``prior`` (reweighting: the head's
intercept alone, a shift of the class priors), and ``refit`` (the whole pipeline refitted on the
corpus, the trainable public sets and the site's rows weighted ``--site-weight``; slow, so run
for the 20% split and 50 labels only unless ``--refit-all``).

These adapted models are only evaluated, never saved beyond a temporary directory, never shipped:
the YouTube set is evaluation-only.

``--active N`` adds one more point: ``suggest-labels`` picks N of the first 200 comments (the
shipped model's least sure, recurring, no two alike), they are labelled from the set and the head
is adapted on them; it is scored on the same rest as the curve, beside the first N.

    python benchmarks/adaptation.py [--shared-data DIR] [--methods head prior refit] [--active 50] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VIDEOS = ("Youtube01-Psy", "Youtube02-KatyPerry", "Youtube03-LMFAO", "Youtube04-Eminem", "Youtube05-Shakira")
CURVE = (10, 25, 50, 100, 200)
CURVE_REST_AFTER = 200


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def load_site(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if all(r["DATE"] for r in rows):
        return sorted(rows, key=lambda r: r["DATE"])
    # Eminem: every spam comment is undated, so date order would put all its spam last; the
    # file order (which interleaves the classes) stands in for time.
    return rows


def comment(row: dict[str, str]) -> Any:
    from commentcare import Comment

    return Comment(text=row["CONTENT"], author=row["AUTHOR"] or None, id=row["COMMENT_ID"])


def spam_f1(moderator: Any, rest: list[dict[str, str]]) -> dict[str, Any]:
    from commentcare import Action

    pred = [r.action is Action.REMOVE for r in moderator.review_many([comment(x) for x in rest])]
    truth = [x["CLASS"] == "1" for x in rest]
    tp = sum(p and t for p, t in zip(pred, truth))
    fp = sum(p and not t for p, t in zip(pred, truth))
    fn = sum(t and not p for p, t in zip(pred, truth))
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return {"f1": round(f1, 4), "tp": tp, "fp": fp, "fn": fn, "n": len(rest)}


def active_pick(pool: list[dict[str, str]], n: int, tmp: Path, shipped: Any) -> list[dict[str, str]]:
    """The ``n`` rows of ``pool`` that ``suggest-labels`` asks to label (read from a CSV export)."""
    from commentcare.site import suggest_labels

    path = tmp / "pool.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "author", "text"])
        for r in pool:
            w.writerow([r["COMMENT_ID"], r["AUTHOR"], r["CONTENT"]])
    ids = {p.comment.id for p in suggest_labels(path, shipped.classify_many, n)}
    return [r for r in pool if r["COMMENT_ID"] in ids]


def site_labels(rows: list[dict[str, str]]) -> Any:
    from commentcare.site import SiteLabels

    labels = SiteLabels()
    for r in rows:
        labels.add(comment(r), "spam" if r["CLASS"] == "1" else "ham", "export")
    return labels


def adapted(method: str, train_rows: list[dict[str, str]], tmp: Path, args: argparse.Namespace) -> Any:
    from commentcare.moderation import Moderator

    out = tmp / f"{method}-{len(train_rows)}"
    if method == "head":
        from commentcare.site import adapt_model

        adapt_model(site_labels(train_rows), out)
    elif method == "prior":
        from commentcare.model import load_model, save_model
        from commentcare.site._adapt import features, fit_site_head

        loaded = load_model()
        labels = site_labels(train_rows)
        X = features(loaded.pipeline, labels.texts)
        pipe = fit_site_head(loaded.pipeline, X, labels.labels, mode="intercept")
        save_model(pipe, {**loaded.card.data}, out)
    elif method == "refit":
        refit(train_rows, out, args)
    else:
        raise SystemExit(f"unknown method {method}")
    return Moderator(out, trusted=True)


def refit(train_rows: list[dict[str, str]], out: Path, args: argparse.Namespace) -> None:
    """The whole pipeline refitted with the site's rows (approved rows get the shipped model's best
    non-spam outcome as their label, since the site says nothing more)."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    from commentcare.model import load_model, save_model
    from commentcare.model._sentiment import load_lexicon
    from commentcare.model._training import (
        Example,
        build_pipeline,
        dev_split,
        load_labelled,
        load_trainable_sets,
        to_xy,
    )
    from commentcare.moderation import Moderator

    global _BASE_EXAMPLES
    lexicon = load_lexicon(str(ROOT / "corpus" / "lexicon" / "vader_lexicon.tsv"))
    if _BASE_EXAMPLES is None:
        corpus = load_labelled(ROOT / "corpus" / "corpus.jsonl", source="corpus")
        public = load_trainable_sets(args.shared_data, lexicon)
        _BASE_EXAMPLES = dev_split(corpus)[0] + dev_split(public)[0]
    shipped = Moderator()
    site: list[Any] = []
    for r, c in zip(train_rows, shipped.classify_many([comment(r) for r in train_rows])):
        if r["CLASS"] == "1":
            label = "spam"
        else:
            rest = {k.value: v * (1 - c.other) for k, v in c.scores.items() if k.value != "spam"}
            rest["none"] = c.other
            label = max(rest, key=rest.__getitem__)
        site.append(Example(comment(r), label, "site"))
    X, y, w = to_xy(_BASE_EXAMPLES + site, source_weights={"corpus": 2.0, "site": args.site_weight})
    with threadpool_limits(limits=1):
        pipe = build_pipeline(lexicon).fit(X, y, classifier__sample_weight=np.asarray(w))
    save_model(pipe, {**load_model().card.data}, out)


_BASE_EXAMPLES: Any = None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--shared-data", type=Path, default=Path(os.environ.get("COMMENTCARE_SHARED_DATA", "../shared/data"))
    )
    ap.add_argument("--methods", nargs="+", default=["head", "prior", "refit"])
    ap.add_argument("--refit-all", action="store_true", help="refit at every curve point (slow)")
    ap.add_argument("--site-weight", type=float, default=10.0, help="weight of a site row in a refit")
    ap.add_argument(
        "--active", type=int, help="also adapt on N comments suggest-labels picks from the first 200"
    )
    ap.add_argument("--json", type=Path, help="write every figure here")
    args = ap.parse_args()
    folder = args.shared_data / "youtube-spam-collection"
    if not folder.is_dir():
        print(f"no {folder}: pass --shared-data", file=sys.stderr)
        return 2
    from commentcare.moderation import Moderator

    shipped = Moderator()
    results: dict[str, Any] = {
        "definition": __doc__.split("Metric: ")[1].split("Methods:")[0].strip(),
        "sites": {},
    }
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="cc-adapt-") as tmpdir:
        tmp = Path(tmpdir)
        for video in VIDEOS:
            rows = load_site(folder / f"{video}.csv")
            site: dict[str, Any] = {"n": len(rows), "spam": sum(r["CLASS"] == "1" for r in rows)}
            splits: list[tuple[str, list[dict[str, str]], list[dict[str, str]]]] = []
            k = round(0.2 * len(rows))
            seen = {norm(r["CONTENT"]) for r in rows[:k]}
            splits.append(("20%", rows[:k], [r for r in rows[k:] if norm(r["CONTENT"]) not in seen]))
            seen200 = {norm(r["CONTENT"]) for r in rows[:CURVE_REST_AFTER]}
            curve_rest = [r for r in rows[CURVE_REST_AFTER:] if norm(r["CONTENT"]) not in seen200]
            for n in CURVE:
                splits.append((str(n), rows[:n], curve_rest))
            if args.active:
                picked = active_pick(rows[:CURVE_REST_AFTER], args.active, tmp, shipped)
                splits.append((f"active {args.active}", picked, curve_rest))
            shipped_cache: dict[int, dict[str, Any]] = {}
            for name, train_rows, rest in splits:
                key = id(rest)
                if key not in shipped_cache:
                    shipped_cache[key] = spam_f1(shipped, rest)
                entry: dict[str, Any] = {
                    "labels": len(train_rows),
                    "rest": len(rest),
                    "shipped": shipped_cache[key],
                }
                for method in args.methods:
                    if method == "refit" and not args.refit_all and name not in ("20%", "50"):
                        continue
                    if name.startswith("active") and method != "head":
                        continue
                    m = adapted(method, train_rows, tmp, args)
                    entry[method] = spam_f1(m, rest)
                site[name] = entry
                print(
                    f"{video:<22} {name:>4} labels={len(train_rows):>3} rest={len(rest):>3} shipped {entry['shipped']['f1']:.3f} "
                    + " ".join(f"{m} {entry[m]['f1']:.3f}" for m in args.methods if m in entry),
                    file=sys.stderr,
                    flush=True,
                )
            results["sites"][video] = site
    summary: dict[str, Any] = {}
    for name in ("20%", *map(str, CURVE), *([f"active {args.active}"] if args.active else [])):
        row: dict[str, Any] = {}
        for method in ("shipped", *args.methods):
            vals = [
                results["sites"][v][name][method]["f1"] for v in VIDEOS if method in results["sites"][v][name]
            ]
            if vals:
                row[method] = round(statistics.mean(vals), 4)
        summary[name] = row
    results["mean_spam_f1"] = summary
    results["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
