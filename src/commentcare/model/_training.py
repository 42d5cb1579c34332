"""Training: the corpus, the trainable public sets mapped onto our labels, and the pipeline.

The model learns from two kinds of data (both recorded in the model card):

* the project's own corpus (``corpus/corpus.jsonl``), hand-written and labelled by the guide;
* the public sets marked trainable: Civil Comments and Toxic Spans (CC0) and GoEmotions
  (Apache-2.0). Their labels are not ours, so they are mapped by the rules in :data:`MAPPING_RULES`.
  Comments that fit none of our classes (neutral remarks) are kept as *unsure* examples: each is
  given every label with a quarter of its weight, which teaches the model to spread its probability
  when a comment is none of the four.

Everything is seeded; the same inputs give the same model bit for bit.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import platform
import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from commentcare._errors import InputError
from commentcare._types import Comment, Label

__all__ = [
    "MAPPING_RULES",
    "Example",
    "build_pipeline",
    "dev_split",
    "load_labelled",
    "load_trainable_sets",
    "train",
]

log = logging.getLogger(__name__)

LABELS = tuple(lbl.value for lbl in Label)
UNSURE = "unsure"  # an example that fits none of the four classes

MAPPING_RULES = {
    "civil-comments-cc0/graded": "Civil Comments, toxicity t (the share of raters who found it toxic) -> rant"
    " with weight t and unsure (fits none of the four) with weight 1 - t",
    "toxic-spans-cc0/rant": "Toxic Spans, fewer than a third of span raters ticked 'not toxic' and at least"
    " one named a span -> rant",
    "goemotions-apache2/praise": "GoEmotions, every emotion in {admiration, gratitude, love, approval, joy,"
    " excitement, pride} and at least one of admiration/gratitude; no link -> praise",
    "goemotions-apache2/rant": "GoEmotions, every emotion in {anger, disgust, annoyance} with anger or"
    " disgust present, and an insult word or a second-person attack -> rant",
    "goemotions-apache2/unsure": "GoEmotions, emotions == {neutral} or {curiosity} or {confusion} -> unsure",
}

_PRAISE_EMOTIONS = {"admiration", "gratitude", "love", "approval", "joy", "excitement", "pride"}
_PRAISE_CORE = {"admiration", "gratitude"}
_RANT_EMOTIONS = {"anger", "disgust", "annoyance"}
_UNSURE_EMOTIONS = ({"neutral"}, {"curiosity"}, {"confusion"})
_ATTACK = re.compile(
    r"\b(idiot|idiots|moron|morons|stupid|dumb|pathetic|garbage|trash|shut up|fuck|fucking|shit|"
    r"loser|clown|asshole|scum|disgusting|you people|you guys are|you are a|you're a)\b",
    re.I,
)
_LINK = re.compile(r"https?://|www\.|\.com\b", re.I)


@dataclass(frozen=True, slots=True)
class Example:
    comment: Comment
    label: str  # one of LABELS, or UNSURE
    source: str  # e.g. "corpus", "civil-comments-cc0/rant"
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
            if label not in LABELS:
                raise InputError(
                    f"label {label!r} is not one of {', '.join(LABELS)}", source=str(p), record=lineno
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


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def load_trainable_sets(
    shared_data: Path, seed: int = 13, caps: dict[str, int] | None = None
) -> list[Example]:
    """Map the trainable sets under ``shared_data`` onto our labels (rules in MAPPING_RULES).

    Each mapped bucket is sampled down to its cap (deterministically) so that the public data
    supports the corpus instead of drowning it.
    """
    caps = {
        "civil-comments-cc0/graded": 8000,
        "toxic-spans-cc0/rant": 1500,
        "goemotions-apache2/praise": 2500,
        "goemotions-apache2/rant": 600,
        "goemotions-apache2/unsure": 2000,
        **(caps or {}),
    }
    buckets: dict[str, list[tuple[str, str]]] = {k: [] for k in MAPPING_RULES}
    seen: set[str] = set()

    def add(bucket: str, text: str, sid: str) -> None:
        key = _norm(text)
        if key in seen or not key:
            return
        seen.add(key)
        buckets[bucket].append((text, sid))

    toxicity: dict[str, float] = {}
    civil = shared_data / "civil-comments-cc0" / "civil_comments.csv"
    if civil.is_file():
        for row in _read_csv(civil):
            toxicity[row["source_id"]] = float(row["toxicity"])
            add("civil-comments-cc0/graded", row["text"], row["source_id"])
    spans = shared_data / "toxic-spans-cc0" / "toxic_spans.csv"
    if spans.is_file():
        for row in _read_csv(spans):
            not_toxic = float(row["frac_raters_ticked_not_toxic"] or 1)
            no_span = float(row["frac_raters_ticked_no_specific_span"] or 1)
            if not_toxic < 1 / 3 and no_span < 1:
                add("toxic-spans-cc0/rant", row["text"], row["source_id"])
    goemo = shared_data / "goemotions-apache2" / "goemotions.csv"
    if goemo.is_file():
        for row in _read_csv(goemo):
            if row["split"] != "train":
                continue  # dev/test stay unseen
            emos = set(row["emotions"].split("|"))
            text = row["text"]
            if emos <= _PRAISE_EMOTIONS and emos & _PRAISE_CORE and not _LINK.search(text):
                add("goemotions-apache2/praise", text, row["source_id"])
            elif emos <= _RANT_EMOTIONS and emos & {"anger", "disgust"} and _ATTACK.search(text):
                add("goemotions-apache2/rant", text, row["source_id"])
            elif emos in _UNSURE_EMOTIONS and len(text.split()) >= 4:
                add("goemotions-apache2/unsure", text, row["source_id"])

    rng = random.Random(seed)
    out: list[Example] = []
    for bucket, items in buckets.items():
        items.sort(key=lambda t: t[1])
        rng.shuffle(items)
        kept = items[: caps.get(bucket, len(items))]
        label = bucket.rsplit("/", 1)[1]
        for t, sid in kept:
            comment = Comment(text=t, id=sid, source=bucket.split("/")[0])
            if label == "graded":
                tox = toxicity[sid]
                if tox > 0:
                    out.append(Example(comment, "rant", bucket, weight=tox))
                if tox < 1:
                    out.append(Example(comment, UNSURE, bucket, weight=1 - tox))
            else:
                out.append(Example(comment, label, bucket))
        log.info("%s: %d mapped, %d kept", bucket, len(items), len(kept))
    return out


# --------------------------------------------------------------------------------------------
# Splitting, weighting and fitting


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


def build_pipeline(C: float = 8.0, ngram_max: int = 2, min_df: int = 2, seed: int = 13) -> Any:
    """The model: prepare -> (word n-grams | meta-features) -> calibrated logistic regression."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline

    from commentcare.model._features import FeatureStack, MetaFeatures, Preparer, WordNgrams

    return Pipeline(
        [
            ("prepare", Preparer()),
            (
                "features",
                FeatureStack(
                    [("words", WordNgrams(ngram_max=ngram_max, min_df=min_df)), ("meta", MetaFeatures())]
                ),
            ),
            (
                "classifier",
                CalibratedClassifierCV(
                    LogisticRegression(C=C, max_iter=3000, random_state=seed),
                    method="sigmoid",
                    cv=StratifiedKFold(5, shuffle=True, random_state=seed),
                    ensemble=False,
                ),
            ),
        ]
    )


def to_xy(
    examples: Sequence[Example], source_weights: dict[str, float] | None = None, unsure_weight: float = 1.0
) -> tuple[list[Comment], list[str], list[float]]:
    """Expand unsure examples over all four labels and balance the classes by weight."""
    source_weights = source_weights or {}
    X: list[Comment] = []
    y: list[str] = []
    w: list[float] = []
    for ex in examples:
        base = ex.weight * source_weights.get(ex.source.split("/")[0], 1.0)
        if ex.label == UNSURE:
            base *= unsure_weight
        if ex.label == UNSURE:
            for lbl in LABELS:
                X.append(ex.comment)
                y.append(lbl)
                w.append(base / len(LABELS))
        else:
            X.append(ex.comment)
            y.append(ex.label)
            w.append(base)
    # Balance: every class ends with the same total weight.
    totals: dict[str, float] = dict.fromkeys(set(y), 0.0)
    for lbl, wt in zip(y, w):
        totals[lbl] += wt
    mean = sum(totals.values()) / len(totals)
    w = [wt * mean / totals[lbl] for lbl, wt in zip(y, w)]
    return X, y, w


def data_hash(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for ex in examples:
        h.update(f"{ex.label}\t{ex.source}\t{ex.comment.author_url or ''}\t{ex.comment.text}\n".encode())
    return h.hexdigest()


def train(
    corpus: Sequence[Path],
    shared_data: Path | None,
    extra: Sequence[Path] = (),
    *,
    seed: int = 13,
    C: float = 8.0,
    unsure_threshold: float = 0.65,
    caps: dict[str, int] | None = None,
    corpus_weight: float = 2.0,
    unsure_weight: float = 1.0,
    refit: bool = True,
) -> tuple[Any, dict[str, Any]]:
    """Fit the pipeline; return it with its model card (metrics on the held-out dev split)."""
    import numpy as np
    import sklearn
    from sklearn.metrics import classification_report, confusion_matrix, f1_score

    from commentcare._version import __version__

    examples: list[Example] = []
    for path in corpus:
        examples += load_labelled(path, source="corpus")
    for path in extra:
        examples += load_labelled(path)
    public: list[Example] = []
    if shared_data is not None and shared_data.is_dir():
        public = load_trainable_sets(shared_data, seed=seed, caps=caps)
    corpus_train, corpus_dev = dev_split(examples)
    # A slice of the hand-labelled training comments fits the temperature (see _calibration).
    corpus_fit, corpus_calib = dev_split(corpus_train, fraction=0.15, salt="calibration-v1")
    public_train, public_dev = dev_split(public)
    train_set = corpus_fit + public_train

    def fit(examples: Sequence[Example]) -> Any:
        X, y, w = to_xy(examples, source_weights={"corpus": corpus_weight}, unsure_weight=unsure_weight)
        log.info("training on %d rows (%d examples)", len(X), len(examples))
        return build_pipeline(C=C, seed=seed).fit(X, y, classifier__sample_weight=np.asarray(w))

    pipeline = fit(train_set)
    temperature = 1.0
    n_calib = len(corpus_calib)
    if corpus_calib:
        from commentcare.model._calibration import TemperatureScaled, fit_temperature

        classes = list(pipeline.classes_)
        proba = pipeline.predict_proba([ex.comment for ex in corpus_calib])
        temperature = fit_temperature(proba, np.asarray([classes.index(ex.label) for ex in corpus_calib]))
        if refit:
            # The temperature found, refit on every training comment so none is lost to calibration.
            train_set = corpus_train + public_train
            pipeline = fit(train_set)
            corpus_calib = []
        pipeline.steps[-1] = ("classifier", TemperatureScaled(pipeline.steps[-1][1], temperature))
        log.info("temperature %.3f from %d held-out corpus comments", temperature, n_calib)

    metrics: dict[str, Any] = {}
    dev_hard = [ex for ex in corpus_dev if ex.label in LABELS]
    if dev_hard:
        pred = [str(p) for p in pipeline.predict([ex.comment for ex in dev_hard])]
        truth = [ex.label for ex in dev_hard]
        metrics["dev"] = {
            "n": len(dev_hard),
            "macro_f1": round(float(f1_score(truth, pred, average="macro")), 4),
            "report": classification_report(
                truth, pred, labels=list(LABELS), output_dict=True, zero_division=0
            ),
            "confusion": {
                "labels": list(LABELS),
                "matrix": confusion_matrix(truth, pred, labels=list(LABELS)).tolist(),
            },
        }
    public_dev_hard = [ex for ex in public_dev if ex.label in LABELS]
    if public_dev_hard:
        pred = [str(p) for p in pipeline.predict([ex.comment for ex in public_dev_hard])]
        metrics["dev_public_mapped_accuracy"] = round(
            float(np.mean([p == ex.label for p, ex in zip(pred, public_dev_hard)])), 4
        )
    unsure_dev = [ex for ex in public_dev if ex.label == UNSURE]
    if unsure_dev:
        proba = pipeline.predict_proba([ex.comment for ex in unsure_dev])
        metrics["dev_unsure_flagged"] = round(float(np.mean(proba.max(axis=1) < unsure_threshold)), 4)
    if dev_hard:
        proba = pipeline.predict_proba([ex.comment for ex in dev_hard])
        metrics["dev_hard_flagged_unsure"] = round(float(np.mean(proba.max(axis=1) < unsure_threshold)), 4)
        conf = proba.max(axis=1)
        correct = np.asarray(pipeline.classes_)[proba.argmax(axis=1)] == np.asarray(
            [ex.label for ex in dev_hard]
        )
        bins = np.minimum((conf * 10).astype(int), 9)
        ece = sum(
            abs(conf[bins == b].mean() - correct[bins == b].mean()) * (bins == b).mean()
            for b in set(bins.tolist())
        )
        metrics["dev_expected_calibration_error"] = round(float(ece), 4)

    sources = Counter(f"{ex.source}:{ex.label}" for ex in train_set + corpus_calib)
    card: dict[str, Any] = {
        "model_version": "unsaved",  # save_model names it after the written file's SHA-256
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "classes": list(LABELS),  # Label order; the pipeline keeps its own sorted classes_
        "unsure_threshold": unsure_threshold,
        "seed": seed,
        "params": {
            "C": C,
            "ngram_max": 2,
            "min_df": 2,
            "corpus_weight": corpus_weight,
            "unsure_weight": unsure_weight,
            "caps": caps or {},
            "calibration": "sigmoid, 5-fold, then one temperature fitted on held-out corpus comments",
            "temperature": round(temperature, 4),
            "temperature_fitted_on": n_calib,
            "refit_on_all_after_calibration": refit,
        },
        "versions": {
            "commentcare": __version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
        "training_data": {
            "sha256": data_hash(train_set + corpus_calib),
            "examples": len(train_set) + len(corpus_calib),
            "by_source_and_label": dict(sorted(sources.items())),
            "corpus_files": [p.name for p in corpus],
            "user_files": [p.name for p in extra],
            "public_sets": {
                "civil-comments-cc0": "Civil Comments (Jigsaw/Google), CC0 1.0; e.g. the google/civil_comments dataset card",
                "toxic-spans-cc0": "Toxic Spans (Pavlopoulos et al., SemEval-2021 Task 5), CC0 1.0; ipavlopoulos/toxic_spans",
                "goemotions-apache2": "GoEmotions (Demszky et al., 2020, Google), Apache-2.0; google-research/google-research goemotions",
            }
            if public
            else {},
            "mapping_rules": {
                k: v for k, v in MAPPING_RULES.items() if any(ex.source == k for ex in train_set)
            },
            "dev_split": "20% of every source by SHA-256 of the normalised text (salt dev-v1); never trained on",
        },
        "metrics": metrics,
    }
    return pipeline, card
