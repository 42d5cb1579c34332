"""Training: labelled rows in, the fitted pipeline and its model card out.

The model learns from two kinds of labelled rows (both recorded in the model card):

* the project's own corpus (``corpus/corpus.jsonl``) and the user's own labels, read by
  :func:`load_labelled`;
* public rows: the trainable public sets mapped onto our labels, each row with its source and
  weight, read by :func:`load_public_rows`. The mapping is data-set-specific and lives outside the
  package (``scripts/public_data.py map`` in the repository writes these rows and, beside them,
  the sets and rules they came from).

Besides the four classes the model learns a fifth outcome, ``none``: questions, requests,
greetings and neutral remarks that fit none of the four. It is weighted so that it does not
dominate (:data:`NONE_WEIGHT`), and only comments without opinion or promotion are mapped to it.

Everything is seeded; the same inputs give the same model bit for bit.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import platform
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from commentcare._errors import InputError
from commentcare._types import Comment, Label
from commentcare.model._features import META_FEATURES

__all__ = [
    "Example",
    "build_pipeline",
    "dev_split",
    "expected_calibration_error",
    "load_labelled",
    "load_public_rows",
    "predicted_outcomes",
    "to_xy",
    "train",
]

log = logging.getLogger(__name__)

LABELS = tuple(lbl.value for lbl in Label)
NONE = "none"  # a comment that fits none of the four classes: the model's fifth outcome
TRAIN_LABELS = (*LABELS, NONE)
#: The total weight of ``none`` rows relative to each of the four classes' (which are equal).
NONE_WEIGHT = 0.6


@dataclass(frozen=True, slots=True)
class Example:
    comment: Comment
    label: str  # one of TRAIN_LABELS
    source: str  # "corpus", "user:<file>", or a public row's source such as "<set>/<label>"
    weight: float = 1.0


# --------------------------------------------------------------------------------------------
# Reading labelled files (ours and users')

_TEXT_KEYS = ("text", "content", "comment", "comment_content")


def load_labelled(path: str | os.PathLike[str], source: str | None = None) -> list[Example]:
    """Read a labelled CSV or JSONL file (``text`` and ``label``, optional metadata)."""
    p = Path(path)
    name = source or p.name
    rows: Iterable[tuple[int, dict[str, Any]]]
    try:
        if p.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
            rows = _jsonl_rows(p)
        elif p.suffix.lower() in {".csv", ".tsv"}:
            rows = _csv_rows(p)
        else:
            raise InputError("unknown labelled-file format (use .csv or .jsonl)", source=str(p))
        out = []
        for lineno, row in rows:
            text = next((row[k] for k in _TEXT_KEYS if row.get(k)), None)
            label = str(row.get("label", "")).strip().lower()
            if text is None:
                raise InputError("no text field", source=str(p), record=lineno)
            if label not in TRAIN_LABELS:
                raise InputError(
                    f"label {label!r} is not one of {', '.join(TRAIN_LABELS)}", source=str(p), record=lineno
                )
            out.append(
                Example(
                    Comment(
                        text=str(text),
                        id=str(row.get("id") or f"{name}:{lineno}"),
                        author=row.get("author") or None,
                        author_url=row.get("author_url") or None,
                        post_title=row.get("post_title") or None,
                        source=name,
                    ),
                    label,
                    "corpus" if source == "corpus" else f"user:{name}",
                )
            )
        return out
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", source=str(p)) from exc


def _jsonl_rows(p: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(p, encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise InputError(f"invalid JSON: {exc}", source=str(p), record=i) from exc
            if not isinstance(row, dict):
                raise InputError("a record must be a JSON object", source=str(p), record=i)
            yield i, row


def _csv_rows(p: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open(p, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t" if p.suffix.lower() == ".tsv" else ",")
        for row in reader:
            yield reader.line_num, row


# --------------------------------------------------------------------------------------------
# The trainable public sets


def load_public_rows(path: str | os.PathLike[str]) -> tuple[list[Example], dict[str, Any]]:
    """Read mapped public rows (JSONL: text, label, source, weight, id, origin) in file order, and
    the notes beside them (``<name>.json``: the sets, mapping rules and caps), if any."""
    p = Path(path)
    out: list[Example] = []
    try:
        for lineno, row in _jsonl_rows(p):
            label = str(row.get("label", ""))
            if label not in TRAIN_LABELS or not isinstance(row.get("text"), str) or not row.get("source"):
                raise InputError(
                    "a public row needs text, source and a label of ours", source=str(p), record=lineno
                )
            comment = Comment(text=row["text"], id=row.get("id"), source=row.get("origin"))
            out.append(Example(comment, label, str(row["source"]), float(row.get("weight", 1.0))))
        notes_file = p.with_suffix(".json")
        notes = json.loads(notes_file.read_text(encoding="utf-8")) if notes_file.is_file() else {}
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", source=str(p)) from exc
    except ValueError as exc:
        raise InputError(
            f"unreadable notes beside the rows: {exc}", source=str(p.with_suffix(".json"))
        ) from exc
    return out, notes


# --------------------------------------------------------------------------------------------
# Splitting, weighting and fitting


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _bucket(text: str, salt: str) -> float:
    h = hashlib.sha256((salt + _norm(text)).encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def dev_split(
    examples: Sequence[Example], fraction: float = 0.2, salt: str = "dev-v1"
) -> tuple[list[Example], list[Example]]:
    """Split by a hash of the normalised text: stable across runs and additions, never leaks a text."""
    train: list[Example] = []
    dev: list[Example] = []
    for ex in examples:
        (dev if _bucket(ex.comment.text, salt) < fraction else train).append(ex)
    return train, dev


#: The meta-features the model uses: all but the length, which leave-one-register-out
#: cross-validation showed to hurt short comments (benchmarks/model_selection.py).
META_WITHOUT_LENGTH = tuple(name for name in META_FEATURES if name != "length")


def build_pipeline(
    lexicon: dict[str, float] | None = None,
    *,
    C: float = 8.0,
    ngram_max: int = 2,
    min_df: int = 2,
    negated_min_df: int = 3,
    sentiment_scale: float = 3.0,
    meta_columns: tuple[str, ...] | None = META_WITHOUT_LENGTH,
    seed: int = 13,
) -> Any:
    """The model: prepare -> (word n-grams | meta-features | lexicon) -> temperature-scaled
    logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from commentcare.model._calibration import TemperatureScaled
    from commentcare.model._features import FeatureStack, MetaFeatures, Preparer, WordNgrams
    from commentcare.model._sentiment import Sentiment

    blocks: list[tuple[str, Any]] = [
        ("words", WordNgrams(ngram_max=ngram_max, min_df=min_df)),
        ("meta", MetaFeatures(meta_columns)),
        ("sentiment", Sentiment(lexicon, negated_min_df=negated_min_df, scale=sentiment_scale)),
    ]
    return Pipeline(
        [
            ("prepare", Preparer()),
            ("features", FeatureStack(blocks)),
            (
                "classifier",
                TemperatureScaled(
                    LogisticRegression(C=C, max_iter=3000, random_state=seed), random_state=seed
                ),
            ),
        ]
    )


def to_xy(
    examples: Sequence[Example],
    source_weights: dict[str, float] | None = None,
    none_weight: float = NONE_WEIGHT,
    class_weights: dict[str, float] | None = None,
) -> tuple[list[Comment], list[str], list[float]]:
    """Rows, labels and weights: the four classes end with equal total weight, ``none`` with
    ``none_weight`` times that, so that no class is favoured by how much data it happens to have.
    ``class_weights`` multiplies a class's total (a prior that favours or disfavours it)."""
    source_weights = source_weights or {}
    X = [ex.comment for ex in examples]
    y = [ex.label for ex in examples]
    w = [ex.weight * source_weights.get(ex.source.split("/")[0], 1.0) for ex in examples]
    totals: dict[str, float] = dict.fromkeys(set(y), 0.0)
    for lbl, wt in zip(y, w):
        totals[lbl] += wt
    four = [t for lbl, t in totals.items() if lbl != NONE]
    mean = sum(four) / len(four) if four else 1.0
    target = {
        lbl: mean * (none_weight if lbl == NONE else 1.0) * (class_weights or {}).get(lbl, 1.0)
        for lbl in totals
    }
    return X, y, [wt * target[lbl] / totals[lbl] for lbl, wt in zip(y, w)]


def data_hash(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for ex in examples:
        h.update(
            f"{ex.label}\t{ex.source}\t{ex.weight}\t{ex.comment.author_url or ''}\t{ex.comment.text}\n".encode()
        )
    return h.hexdigest()


def predicted_outcomes(proba: Any, classes: Sequence[str]) -> list[str]:
    """The outcome among the five (the four labels and none) with the highest probability."""
    import numpy as np

    return [str(classes[i]) for i in np.asarray(proba).argmax(axis=1)]


def expected_calibration_error(proba: Any, classes: Sequence[str], truth: Sequence[str]) -> float:
    """ECE of the top outcome's probability, ten equal-width bins."""
    import numpy as np

    proba = np.asarray(proba)
    conf = proba.max(axis=1)
    correct = np.asarray(classes)[proba.argmax(axis=1)] == np.asarray(truth)
    bins = np.minimum((conf * 10).astype(int), 9)
    return float(
        sum(
            abs(conf[bins == b].mean() - correct[bins == b].mean()) * (bins == b).mean()
            for b in set(bins.tolist())
        )
    )


def calibration_by_register(pipeline: Any, held_out: Sequence[Example]) -> dict[str, dict[str, float]]:
    """ECE and accuracy of the top outcome on held-out rows, per register: a corpus batch (each
    written for one register) or a public set."""
    import numpy as np

    groups: dict[str, list[Example]] = {}
    for ex in held_out:
        key = (
            ex.comment.id.split(":")[0]
            if ex.source == "corpus" and ex.comment.id
            else ex.source.split("/")[0]
        )
        groups.setdefault(key, []).append(ex)
    classes = [str(c) for c in pipeline.classes_]
    out: dict[str, dict[str, float]] = {}
    for key, rows in sorted(groups.items()):
        proba = pipeline.predict_proba([ex.comment for ex in rows])
        truth = [ex.label for ex in rows]
        out[key] = {
            "n": len(rows),
            "ece": round(expected_calibration_error(proba, classes, truth), 4),
            "accuracy": round(
                float(np.mean(np.asarray(predicted_outcomes(proba, classes)) == np.asarray(truth))), 4
            ),
        }
    return out


def train(
    corpus: Sequence[Path],
    public: Path | None = None,
    extra: Sequence[Path] = (),
    *,
    lexicon: Path | None = None,
    seed: int = 13,
    C: float = 8.0,
    unsure_threshold: float = 0.65,
    corpus_weight: float = 2.0,
    none_weight: float = NONE_WEIGHT,
    pipeline_params: dict[str, Any] | None = None,
    corrections: Sequence[Example] = (),
    corrections_summary: dict[str, Any] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Fit the pipeline; return it with its model card (metrics on the held-out dev split).

    ``corpus`` and ``extra`` are labelled files (:func:`load_labelled`), ``public`` a file of
    mapped public rows (:func:`load_public_rows`). Each must exist: nothing is looked up.
    ``corrections`` (from :func:`commentcare.model.feedback_examples`) are all trained on, none
    held out: they are few, and they are the site's own word on its own comments.
    """
    import numpy as np
    import sklearn
    from sklearn.metrics import classification_report, confusion_matrix, f1_score

    from commentcare._version import __version__
    from commentcare.model._sentiment import load_lexicon

    words: dict[str, float] = {}
    if lexicon is not None:
        if not lexicon.is_file():
            raise InputError("no such lexicon file", source=str(lexicon))
        words = load_lexicon(str(lexicon))
    for path in [*corpus, *extra, *([public] if public is not None else [])]:
        if not Path(path).is_file():
            raise InputError("no such file", source=str(path))
    examples: list[Example] = []
    for path in corpus:
        examples += load_labelled(path, source="corpus")
    for path in extra:
        examples += load_labelled(path)
    public_rows: list[Example] = []
    notes: dict[str, Any] = {}
    if public is not None:
        public_rows, notes = load_public_rows(public)
    corpus_train, corpus_dev = dev_split(examples)
    public_train, public_dev = dev_split(public_rows)
    train_set = corpus_train + public_train + list(corrections)
    X, y, w = to_xy(train_set, source_weights={"corpus": corpus_weight}, none_weight=none_weight)
    log.info("training on %d rows", len(X))
    from threadpoolctl import threadpool_limits

    # One thread: the solver's OpenMP reductions sum in another order with more threads, and the
    # same data must give the same model file on any machine (tests/test_reproducible.py).
    with threadpool_limits(limits=1):
        pipeline = build_pipeline(words, C=C, seed=seed, **(pipeline_params or {})).fit(
            X, y, classifier__sample_weight=np.asarray(w)
        )
    classifier = pipeline.steps[-1][1]
    classes = [str(c) for c in pipeline.classes_]

    metrics: dict[str, Any] = {}
    if corpus_dev:
        proba = pipeline.predict_proba([ex.comment for ex in corpus_dev])
        pred = predicted_outcomes(proba, classes)
        truth = [ex.label for ex in corpus_dev]
        labels = [lbl for lbl in TRAIN_LABELS if lbl in set(truth) | set(pred)]
        metrics["dev"] = {
            "n": len(corpus_dev),
            "macro_f1": round(float(f1_score(truth, pred, labels=labels, average="macro")), 4),
            "report": classification_report(truth, pred, labels=labels, output_dict=True, zero_division=0),
            "confusion": {"labels": labels, "matrix": confusion_matrix(truth, pred, labels=labels).tolist()},
            "expected_calibration_error": round(expected_calibration_error(proba, classes, truth), 4),
        }
    if public_dev:
        proba = pipeline.predict_proba([ex.comment for ex in public_dev])
        pred = predicted_outcomes(proba, classes)
        metrics["dev_public_mapped_accuracy"] = round(
            float(np.mean([p == ex.label for p, ex in zip(pred, public_dev)])), 4
        )
    metrics["calibration_by_register"] = calibration_by_register(pipeline, corpus_dev + public_dev)

    sources = Counter(f"{ex.source}:{ex.label}" for ex in train_set)
    card: dict[str, Any] = {
        "model_version": "unsaved",  # save_model names it after the written file's SHA-256
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "classes": list(LABELS),  # Label order; the pipeline keeps its own sorted classes_
        "outcomes": classes,
        "unsure_threshold": unsure_threshold,
        "seed": seed,
        "params": {
            "C": C,
            "pipeline": {
                k: list(v) if isinstance(v, tuple) else v for k, v in (pipeline_params or {}).items()
            },
            "ngram_max": pipeline.named_steps["features"].get_params()["words__ngram_max"],
            "min_df": pipeline.named_steps["features"].get_params()["words__min_df"],
            "corpus_weight": corpus_weight,
            "none_weight": none_weight,
            "caps": notes.get("caps", {}),
            "calibration": "one temperature fitted in TemperatureScaled.fit on a stratified 15% of the"
            " training rows (every register), then a refit on all rows",
            "temperature": round(float(classifier.temperature_), 4),
            "temperature_fitted_on": int(classifier.n_calibration_),
            "lexicon": f"{len(words)} tokens" if words else "none",
        },
        "versions": {
            "commentcare": __version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "training_data": {
            "sha256": data_hash(train_set),
            "examples": len(train_set),
            "by_source_and_label": dict(sorted(sources.items())),
            "corpus_files": [p.name for p in corpus],
            "user_files": [p.name for p in extra],
            "public_rows": Path(public).name if public is not None else None,
            "public_sets": notes.get("public_sets", {}),
            **({"feedback": corrections_summary} if corrections_summary is not None else {}),
            "lexicon": LEXICON_NOTICE if words else None,
            "mapping_rules": {
                k: v
                for k, v in notes.get("mapping_rules", {}).items()
                if any(ex.source == k for ex in train_set)
            },
            "dev_split": "20% of every source by SHA-256 of the normalised text (salt dev-v1); never trained on",
        },
        "metrics": metrics,
    }
    return pipeline, card


LEXICON_NOTICE = (
    "VADER sentiment lexicon (Hutto and Gilbert, 2014), from vaderSentiment 3.3.2, MIT License,"
    " Copyright (c) 2016 C.J. Hutto; token valences are stored inside the model"
)
