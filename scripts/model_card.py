"""Render models/MODEL_CARD.md from the shipped model's card (src/commentcare/data/model.json).

    python scripts/model_card.py            # render the Markdown
    python scripts/model_card.py --checklist  # first measure the CheckList pass rates into the card

Every figure in the Markdown comes from the JSON card, which `commentcare train` wrote from the
run that produced the model (the CheckList rates from tests/checklist.py); nothing is typed in by hand.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CARD = ROOT / "src" / "commentcare" / "data" / "model.json"
OUT = ROOT / "models" / "MODEL_CARD.md"

WHERE = {
    "youtube_spam": "YouTube Spam Collection (Alberto et al., ICMLA 2015), UCI Machine Learning Repository",
    "complaints": "Complaints in Social Media (Preoțiuc-Pietro et al., ACL 2019), danielpreotiuc/complaints-social-media",
    "ucc_rant": "Unhealthy Comment Corpus (Price et al., WOAH 2020), conversationai/unhealthy-conversations, test split",
    "airline": "Twitter US Airline Sentiment (CrowdFlower 2015), Kaggle crowdflower/twitter-airline-sentiment",
    "airline_neutral": "the same airline tweets, those annotated neutral",
    "review_sentences": "Sentiment Labelled Sentences (Kotzias et al., KDD 2015), UCI Machine Learning Repository",
}


def _checklist(card: dict) -> None:  # type: ignore[type-arg]
    spec = importlib.util.spec_from_file_location("checklist", ROOT / "tests" / "checklist.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["checklist"] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    from commentcare import Moderator

    card["metrics"]["checklist"] = mod.pass_rates(Moderator())
    CARD.write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def main() -> None:
    c = json.loads(CARD.read_text(encoding="utf-8"))
    if "--checklist" in sys.argv:
        _checklist(c)
    m, td, p, dev = c["metrics"], c["training_data"], c["params"], c["metrics"]["dev"]
    lines = [
        f"# Model card: commentcare {c['model_version']}",
        "",
        f"Created {c['created']} by `commentcare train` (seed {c['seed']}); scikit-learn {c['versions']['scikit-learn']},"
        f" numpy {c['versions']['numpy']}, Python {c['versions']['python']}. Written from `model.json`.",
        "",
        "## What it does",
        "",
        "Sorts a comment into spam, rant, praise or complaint, and says when it fits none of the four"
        " (`Classification.other`). Outcomes learned: " + ", ".join(c["outcomes"]) + ".",
        f" A comment is `unsure` when `none` wins, when the label's absolute probability is below"
        f" {c['unsure_threshold']}, or when it is not in English; such comments are held, never removed or thanked.",
        "",
        "Pipeline: text preparation (links, handles, phones, e-mails abstracted) → word 1-2-gram tf-idf"
        " | meta-features | VADER lexicon valences with negation scope and negated-word features →"
        f" logistic regression (C={p['C']}) whose decision values are divided by a temperature"
        f" ({p['temperature']}) learned in `TemperatureScaled.fit` on {p['temperature_fitted_on']} held-out"
        " training rows of every register.",
        "",
        "Design choices (features, weights, mappings) were compared by leave-one-register-out"
        " cross-validation on the training data: benchmarks/model_selection.py, results in"
        " benchmarks/RESULTS.md.",
        "",
        "## Zero-shot benchmarks",
        "",
        "Scored with `python scripts/public_data.py benchmarks`; rows whose text is in a trainable set or the"
        " corpus are left out. Polarity sets use the four renormalised scores; detection sets use"
        " absolute probabilities `scores[label] * (1 - other)`.",
        "",
        "| set | figure | value | target | met | n | definition |",
        "|---|---|---:|---|---|---:|---|",
    ]
    for name, r in m.get("benchmarks", {}).items():
        if "value" not in r:
            continue
        if r["metric"] == "neutral_actions":
            value = f"removed {r['removed_as_spam']:.1%}, approved {r['approved_as_praise']:.1%}"
            met = r["removed_as_spam"] <= 0.03 and r["approved_as_praise"] <= 0.05
        else:
            value = f"{r['value']:.4f}"
            met = r["value"] >= float(r["target"].split()[-1])
        lines.append(
            f"| {name} | {r['metric']} | {value} | {r['target']} | {'yes' if met else '**no**'} | {r['n']} | {r['definition']} |"
        )
    lines += [
        "",
        "Sources (evaluation only, never trained on): " + "; ".join(f"{k}: {v}" for k, v in WHERE.items()),
        "",
    ]
    lines += [
        "## Corpus development split (five outcomes)",
        "",
        f"n={dev['n']}, macro-F1 **{dev['macro_f1']}** (target ≥ 0.90), ECE {dev['expected_calibration_error']}.",
        "",
        "| outcome | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for lbl in dev["confusion"]["labels"]:
        x = dev["report"][lbl]
        lines.append(
            f"| {lbl} | {x['precision']:.3f} | {x['recall']:.3f} | {x['f1-score']:.3f} | {int(x['support'])} |"
        )
    lines += [
        "",
        "## Calibration per register (held-out rows)",
        "",
        "| register | n | accuracy | ECE |",
        "|---|---:|---:|---:|",
    ]
    for reg, r in m.get("calibration_by_register", {}).items():
        lines.append(f"| {reg} | {r['n']} | {r['accuracy']:.3f} | {r['ece']:.3f} |")
    if "checklist" in m:
        lines += [
            "",
            "## CheckList behavioural tests (tests/checklist.py)",
            "",
            "| capability | cases | pass rate |",
            "|---|---:|---:|",
        ]
        for cap, r in m["checklist"].items():
            lines.append(f"| {cap} | {r['n']} | {r['pass_rate']:.0%} |")
    lines += ["", "## Training data", "", f"{td['examples']} examples (SHA-256 {td['sha256'][:16]}…):", ""]
    lines += [f"- `{k}`: {v}" for k, v in td["by_source_and_label"].items()]
    lines += ["", "Public sets, mapped by the rules below (hand audit: corpus/MAPPING_AUDIT.md):", ""]
    lines += [f"- {k}: {v}" for k, v in td["public_sets"].items()]
    lines += [""] + [f"- `{k}`: {v}" for k, v in td["mapping_rules"].items()]
    if td.get("lexicon"):
        lines += ["", "Lexicon: " + td["lexicon"] + ". Licence: MIT (corpus/lexicon/LICENSE-VADER.txt)."]
    lines += [
        "",
        "## Reproducing it",
        "",
        "`python scripts/public_data.py map ../shared/data -o models/public/rows.jsonl`, then"
        " `commentcare train --corpus corpus/corpus.jsonl --public models/public/rows.jsonl -o DIR`,"
        " rebuilds `model.joblib` byte for byte (same versions).",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
