"""The quality gate: the shipped model against pinned evaluation files and minimum scores.

    python scripts/quality_gate.py            # check (exit 1 if a score is below its minimum)
    python scripts/quality_gate.py --raise    # after an improvement: raise minimums to today's scores

Minimums live in quality/gate.json and only go up: --raise never lowers one. Lowering a minimum
is a deliberate edit of that file, with the reason written into its "history" list. The SHA-256
of every evaluation file is pinned, so a changed file fails the gate instead of moving a score.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GATE = ROOT / "quality" / "gate.json"
# Scores wobble in the last digit between platforms; a minimum is set this much below the score.
MARGIN = 0.005


def shared_data() -> Path | None:
    env = os.environ.get("COMMENTCARE_SHARED_DATA")
    p = Path(env) if env else ROOT.parent / "shared" / "data"
    return p if p.is_dir() else None


CORPUS = ROOT / "corpus" / "corpus.jsonl"


def measure(data: Path | None) -> dict[str, dict[str, object]]:
    """Today's scores: the corpus dev split always, the public sets when ``data`` is given."""
    import hashlib

    from sklearn.metrics import f1_score

    from commentcare import Moderator
    from commentcare.model import dev_split, load_labelled

    sys.path.insert(0, str(ROOT / "scripts"))
    from public_data import run_benchmarks, trainable_texts

    m = Moderator()
    results: dict[str, dict[str, object]] = {}
    if data is not None:
        for name, r in run_benchmarks(m.review_many, data, exclude=trainable_texts(data, [CORPUS])).items():
            if r.get("metric") == "neutral_actions":
                for part in ("removed_as_spam", "approved_as_praise"):
                    results[f"{name}_{part}"] = {**r, "metric": f"share {part}", "value": r[part]}
            else:
                results[name] = r
    _, dev = dev_split(load_labelled(CORPUS, source="corpus"))
    pred = [
        "none" if c.other >= c.confidence else c.label.value
        for c in m.classify_many([e.comment for e in dev])
    ]
    results["dev_split"] = {
        "metric": "macro_f1",
        "value": round(float(f1_score([e.label for e in dev], pred, average="macro")), 4),
        "n": len(dev),
        "file": "corpus/corpus.jsonl (dev split)",
        "sha256": hashlib.sha256(CORPUS.read_bytes()).hexdigest(),
    }
    return results


def check(gate: dict[str, object], results: dict[str, dict[str, object]]) -> list[str]:
    problems = []
    for name, spec in gate["benchmarks"].items():  # type: ignore[attr-defined]
        r = results.get(name, {})
        if "value" not in r:
            if name != "dev_split" and shared_data() is None:
                continue  # a public set: needs the shared data
            problems.append(f"{name}: not measured ({r.get('skipped', 'missing')})")
            continue
        if spec.get("sha256") and r.get("sha256") != spec["sha256"]:
            problems.append(
                f"{name}: {spec['file']} changed (sha256 {str(r.get('sha256'))[:12]}…, pinned {spec['sha256'][:12]}…)"
            )
        if "minimum" in spec and float(r["value"]) < float(spec["minimum"]):  # type: ignore[arg-type]
            problems.append(f"{name}: {r['metric']} {r['value']} is below the minimum {spec['minimum']}")
        if "maximum" in spec and float(r["value"]) > float(spec["maximum"]):  # type: ignore[arg-type]
            problems.append(f"{name}: {r['metric']} {r['value']} is above the maximum {spec['maximum']}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--raise", dest="raise_", action="store_true", help="raise minimums to today's scores"
    )
    args = parser.parse_args()
    data = shared_data()
    if data is None:
        print("no shared data directory: only the corpus dev split is checked")
        if os.environ.get("COMMENTCARE_REQUIRE_SHARED_DATA") == "1":
            return 1
    gate = json.loads(GATE.read_text(encoding="utf-8"))
    results = measure(data)
    for name, r in results.items():
        if "value" in r:
            spec = gate["benchmarks"].get(name, {})
            bound = f"minimum {spec['minimum']}" if "minimum" in spec else f"maximum {spec.get('maximum')}"
            print(f"{name:<32} {r['metric']:<26} {r['value']:.4f}   {bound}")
    if args.raise_:
        moved = [
            name
            for name, r in results.items()
            if gate["benchmarks"].get(name, {}).get("sha256") not in (None, r.get("sha256"))
        ]
        if moved:
            print("refusing to raise: these files differ from their pinned SHA-256: " + ", ".join(moved))
            print("re-pin them by editing quality/gate.json, with the reason in its history")
            return 1
        changed = []
        for name, r in results.items():
            if "value" not in r:
                continue
            lower_is_better = name.startswith("airline_neutral")
            spec = gate["benchmarks"].setdefault(
                name, {"maximum": 1.0} if lower_is_better else {"minimum": 0.0}
            )
            if lower_is_better:
                new = round(float(r["value"]) + MARGIN, 4)
                if new < float(spec["maximum"]):
                    changed.append(f"{name} {spec['maximum']} -> {new}")
                    spec["maximum"] = new
            else:
                new = round(float(r["value"]) - MARGIN, 4)
                if new > float(spec["minimum"]):
                    changed.append(f"{name} {spec['minimum']} -> {new}")
                    spec["minimum"] = new
            spec.update(metric=r["metric"], file=r["file"], sha256=r.get("sha256"))
        if changed:
            gate["history"].append({"date": date.today().isoformat(), "raised": changed})
            GATE.write_text(json.dumps(gate, indent=2) + "\n", encoding="utf-8")
        print("raised: " + (", ".join(changed) if changed else "nothing"))
        return 0
    problems = check(gate, results)
    for p in problems:
        print("FAIL " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
