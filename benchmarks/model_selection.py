"""Leave-one-register-out cross-validation of the model's design choices, on the training data only.

Why: the evaluation sets may never tune the model, and the model is judged on registers it never
saw. So each choice is scored by holding out one register of the corpus at a time (the batches
written for it), training on everything else (the other registers and the trainable public sets),
and measuring macro-F1 over the five outcomes on the held-out register. The mean over registers
is the figure a choice is judged by.

    python benchmarks/model_selection.py [--shared-data DIR] [--only NAME ...] [--json OUT]

Each variant is one keyword set for ``commentcare.model.build_pipeline`` and the public-set mapping
of ``scripts/public_data.py`` (see VARIANTS).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: The registers: groups of corpus batches written for one kind of site or platform. The batches
#: written across registers on purpose (none_all_registers, negation_sarcasm_mixed,
#: hard_cases_mixed) are in no group: they are always trained on and never held out.
REGISTERS = {
    "tweets": ["brand_tweets", "links_in_genuine_comments"],
    "reviews_and_short": ["review_sentences", "product_and_service_feedback_short", "short_texts_sms"],
    "video": ["video_platform_comments", "social_video_platform_chatter", "selfpromo_vs_requests"],
    "forums_and_news": ["forum_reddit_news", "news_comment_hostility", "civil_opinion_news"],
    "support": ["support_apps_banking"],
    "blogs": [
        "complaints_content_travel_life",
        "complaints_products_and_services",
        "praise_all_blogs",
        "rants_all_blogs",
        "spam_scams_and_bots",
        "spam_seo_and_flattery",
        "genuine_with_links_and_handles",
    ],
}


#: name -> (keyword arguments of the pipeline, of the data and weighting)
VARIANTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "shipped": ({}, {}),  # the defaults of build_pipeline and to_xy
    "no lexicon": ({"sentiment_scale": 0.0, "negated_min_df": 0}, {}),
    "lexicon scale 1": ({"sentiment_scale": 1.0}, {}),
    "no negated words": ({"negated_min_df": 0}, {}),
    "with the length feature": ({"meta_columns": None}, {}),
    "C=2": ({"C": 2.0}, {}),
    "C=32": ({"C": 32.0}, {}),
    "none weight 0.3": ({}, {"none_weight": 0.3}),
    "none weight 1.0": ({}, {"none_weight": 1.0}),
    "praise weight 0.7": ({}, {"class_weights": {"praise": 0.7}}),
    "no Civil Comments rant": ({}, {"caps": {"civil-comments-cc0/rant": 0}}),
    "no Davidson rant": ({}, {"caps": {"davidson-hate-offensive-mit/rant": 0}}),
    "no public data": ({}, {"public": False}),
}


def run(shared: Path | None, only: list[str]) -> dict[str, Any]:
    import numpy as np
    from sklearn.metrics import f1_score

    from commentcare.model import (
        build_pipeline,
        dev_split,
        load_labelled,
        load_lexicon,
        predicted_outcomes,
        to_xy,
    )

    sys.path.insert(0, str(ROOT / "scripts"))
    from public_data import load_trainable_sets

    lexicon = load_lexicon(str(ROOT / "corpus" / "lexicon" / "vader_lexicon.tsv"))
    corpus, _ = dev_split(load_labelled(ROOT / "corpus" / "corpus.jsonl", source="corpus"))
    register_of = {b: r for r, batches in REGISTERS.items() for b in batches}
    results: dict[str, Any] = {}
    for name, (pipe_kw, data_kw) in VARIANTS.items():
        if only and name not in only:
            continue
        started = time.time()
        data_kw = dict(data_kw)
        public = []
        if shared is not None and data_kw.pop("public", True):
            public, _ = dev_split(load_trainable_sets(shared, lexicon, caps=data_kw.pop("caps", None)))
        data_kw.pop("caps", None)
        scores = {}
        for register in REGISTERS:
            train = [e for e in corpus if register_of.get((e.comment.id or "").split(":")[0]) != register]
            test = [e for e in corpus if register_of.get((e.comment.id or "").split(":")[0]) == register]
            if not test:
                continue
            X, y, w = to_xy(train + public, source_weights={"corpus": 2.0}, **data_kw)
            model = build_pipeline(lexicon, **pipe_kw).fit(X, y, classifier__sample_weight=np.asarray(w))
            pred = predicted_outcomes(model.predict_proba([e.comment for e in test]), list(model.classes_))
            scores[register] = round(float(f1_score([e.label for e in test], pred, average="macro")), 4)
        results[name] = {
            "mean": round(float(np.mean(list(scores.values()))), 4),
            "by_register": scores,
            "seconds": round(time.time() - started),
        }
        print(f"{name:<26} mean {results[name]['mean']:.4f}  {scores}", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared-data", help="the public data directory (default: ../shared/data)")
    parser.add_argument("--only", nargs="*", default=[], help="variants to run (default: all)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    env = os.environ.get("COMMENTCARE_SHARED_DATA")
    shared = Path(args.shared_data or env or ROOT.parent / "shared" / "data")
    results = run(shared if shared.is_dir() else None, args.only)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
