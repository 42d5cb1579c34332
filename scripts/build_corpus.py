"""Build corpus/corpus.jsonl from the hand-written batches in corpus/batches/.

Checks every line, drops exact duplicates (after lower-casing and collapsing spaces) and
near-duplicates with the same label (cosine >= 0.85 on character 4-grams), and prints what it
dropped. Cross-label near-pairs are kept on purpose: the hard-case batch writes them to teach the
model that specificity, not wording, separates a complaint from a rant.

    python scripts/build_corpus.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"text", "label", "author", "author_url", "post_title", "site_kind", "hard_case"}
LABELS = {"spam", "rant", "praise", "complaint", "none"}


def main() -> int:
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = []
    errors = 0
    for path in sorted((ROOT / "corpus" / "batches").glob("*.jsonl")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                print(f"{path.name}:{i}: invalid JSON: {exc}", file=sys.stderr)
                errors += 1
                continue
            if set(row) != KEYS or row["label"] not in LABELS or not str(row["text"]).strip():
                print(
                    f"{path.name}:{i}: bad keys or label: {sorted(row)} {row.get('label')}", file=sys.stderr
                )
                errors += 1
                continue
            row["id"] = f"{path.stem}:{i}"
            rows.append(row)
    seen: set[str] = set()
    unique = []
    for r in rows:
        key = " ".join(r["text"].lower().split())
        if key in seen:
            continue
        seen.add(key)
        unique.append(r)
    exact = len(rows) - len(unique)
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), min_df=1, sublinear_tf=True)
    m = vec.fit_transform([r["text"] for r in unique])
    sim = (m @ m.T).tocoo()
    drop: set[int] = set()
    cross = 0
    for a, b, v in zip(sim.row, sim.col, sim.data):
        if a < b and v >= 0.85:
            if unique[a]["label"] == unique[b]["label"]:
                if a not in drop:
                    drop.add(b)
            else:
                cross += 1
    kept = [r for i, r in enumerate(unique) if i not in drop]
    out = ROOT / "corpus" / "corpus.jsonl"
    with open(out, "w", encoding="utf-8") as fh:
        for r in kept:
            fh.write(
                json.dumps(
                    {
                        k: r[k]
                        for k in [
                            "id",
                            "label",
                            "text",
                            "author",
                            "author_url",
                            "post_title",
                            "site_kind",
                            "hard_case",
                        ]
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    print(
        f"read {len(rows)} lines ({errors} invalid), dropped {exact} exact and {len(drop)} near duplicates; "
        f"kept {len(kept)}; {cross} cross-label near pairs kept"
    )
    print("per label:", dict(Counter(r["label"] for r in kept)))
    print("per batch:", dict(Counter(r["id"].split(":")[0] for r in kept)))
    print("per site kind:", dict(Counter(r["site_kind"] for r in kept)))
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
