"""Golden outputs: hashes of what the fast paths and the shipped model produce on the corpus and on a
fixed set of generated hostile texts (tests/plain.py).

A change to preparation, the lexicon block, the language check, the model or the review rules
changes a hash here and fails the test, so no output changes unnoticed. After a deliberate change,
rewrite them and commit the new file with the change that explains it:

    python tests/test_golden.py --write
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/plain.py, also when run as a script
from plain import hostile_texts, plain_prepare

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden.json"


def _texts() -> list[str]:
    with open(ROOT / "corpus" / "corpus.jsonl", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def _hash(parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") + b"\n")
    return h.hexdigest()


def _prepared_fields(items: Iterable[object]) -> str:
    """Every field of every prepared comment (text, links, counts, markup, lengths)."""
    return _hash(repr(tuple(getattr(p, f) for f in p.__slots__)) for p in items)  # type: ignore[attr-defined]


def _meta(texts: list[str]) -> str:
    from commentcare.model._features import MetaFeatures

    m = MetaFeatures().fit(texts).transform(texts).toarray()
    return _hash(" ".join(f"{v:.7g}" for v in row) for row in m.tolist())


def measure() -> dict[str, str]:
    from commentcare import Moderator
    from commentcare.model._language import english_mask
    from commentcare.model._sentiment import Sentiment, load_lexicon
    from commentcare.model._text import prepare_batch

    texts = _texts()
    batch = prepare_batch(texts)
    lexicon = load_lexicon(str(ROOT / "corpus" / "lexicon" / "vader_lexicon.tsv"))
    sentiment = Sentiment(lexicon, negated_min_df=3).fit(batch).transform(batch)
    m = Moderator()
    proba = m.pipeline.predict_proba(texts)
    reviews = m.review_many(texts)
    hostile = hostile_texts()
    hostile_batch = prepare_batch(hostile)
    return {
        "model_version": m.model_version,
        "prepared_text": _hash(batch.texts),
        "sentiment_features": _hash(
            f"{r}:{c}:{v:.9f}"
            for r, c, v in zip(*sentiment.nonzero(), np.asarray(sentiment[sentiment.nonzero()]).ravel())
        ),
        "english": _hash("".join("1" if e else "0" for e in english_mask(batch))),
        "probabilities": _hash(" ".join(f"{p:.6f}" for p in row) for row in proba.tolist()),
        "reviews": _hash(
            f"{r.action.value}|{r.label.value}|{r.priority}|{'/'.join(r.reasons)}|{r.reply.text if r.reply else ''}"
            for r in reviews
        ),
        "prepared_fields": _prepared_fields(batch.item(i) for i in range(len(batch))),
        "meta_features": _meta(texts),
        "hostile_prepared_fields": _prepared_fields(hostile_batch.item(i) for i in range(len(hostile))),
        "hostile_meta_features": _meta(hostile),
        "hostile_english": _hash("".join("1" if e else "0" for e in english_mask(hostile_batch))),
        "hostile_probabilities": _hash(
            " ".join(f"{p:.6f}" for p in row) for row in m.pipeline.predict_proba(hostile).tolist()
        ),
        "hostile_reviews": _hash(
            f"{r.action.value}|{r.label.value}|{r.priority}|{'/'.join(r.reasons)}|{r.reply.text if r.reply else ''}"
            for r in m.review_many([t for t in hostile if t.strip()])  # a blank one is an InputError
        ),
    }


def test_outputs_match_the_golden_hashes() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = measure()
    assert got["model_version"] == golden["model_version"], (
        "the shipped model changed: rewrite the golden file"
    )
    assert set(got) == set(golden), "a measured output has no golden hash (or the reverse)"
    changed = [k for k in golden if got[k] != golden[k]]
    assert not changed, f"outputs changed: {changed} (rewrite with python tests/test_golden.py --write)"


def test_the_plain_reference_gives_the_golden_prepared_comments() -> None:
    """The definitions in tests/plain.py, one comment at a time, give the committed hashes too."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert _prepared_fields(map(plain_prepare, _texts())) == golden["prepared_fields"]
    assert _prepared_fields(map(plain_prepare, hostile_texts())) == golden["hostile_prepared_fields"]


if __name__ == "__main__":
    if "--write" in sys.argv:
        GOLDEN.write_text(json.dumps(measure(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN}")  # noqa: T201
