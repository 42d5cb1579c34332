"""Adapting a model to a site: its decisions, corrections and labels become a site-specific head.

Sources, each row a label *set* (see :mod:`commentcare.site._head`):

* the export's decisions: spam -> ``spam``; approved -> ``ham`` (not spam, the four-way label
  left to the model); held and trashed comments are not used (pending, or deleted for any reason);
* labelled CSV/JSONL files (``text`` and ``label``: spam, ham, rant, praise, complaint, none);
* corrections from a feedback database (same labels).

Memory stays flat on any export: the export's rows are reservoir-sampled down to ``max_rows``
(seeded, so the same export gives the same model); labelled and feedback rows are always kept.
The card records the site data's SHA-256 and row counts, never a text.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.site._status import ExportCounts, SiteDecision, site_comments

__all__ = [
    "HAM",
    "SITE_LABELS",
    "AdaptResult",
    "SiteLabels",
    "adapt_model",
    "allowed_mask",
    "fit_site_head",
    "load_site_labels",
]

log = logging.getLogger(__name__)

HAM = "ham"  # not spam; which of the other outcomes is left to the model
SITE_LABELS = ("spam", HAM, "rant", "praise", "complaint", "none")
_ALIASES = {"not_spam": HAM, "not spam": HAM, "notspam": HAM, "approved": HAM, "legit": HAM}
#: Export rows kept at most (reservoir sample); labelled rows are always kept.
MAX_ROWS = 50_000
#: The L2 penalty of the head's coefficients, and the grid the site's own held-out rows choose from.
DEFAULT_ALPHA = 3.0
ALPHAS = (1.0, 3.0, 10.0, 30.0)
_SELECT_ROWS = 10_000  # the penalty is chosen on at most this many of the site's latest rows


def normalise_label(label: str) -> str | None:
    x = " ".join(str(label).strip().lower().split())
    x = _ALIASES.get(x, x)
    return x if x in SITE_LABELS else None


def allowed_mask(labels: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    """Rows x classes: which outcomes each label allows (``ham``: every one but spam)."""
    cls = [str(c) for c in classes]
    out = np.zeros((len(labels), len(cls)), dtype=bool)
    for i, lbl in enumerate(labels):
        if lbl == HAM:
            out[i] = [c != "spam" for c in cls]
        else:
            out[i, cls.index(lbl)] = True
    return out


@dataclass
class SiteLabels:
    """The rows a site gives, with where each came from (export, a file, feedback)."""

    texts: list[Comment] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    export_counts: dict[str, Any] = field(default_factory=dict)
    sampled_from: int = 0  # export rows seen before sampling
    skipped: dict[str, int] = field(default_factory=dict)  # rows a source had but could not give

    def add(self, comment: Comment, label: str, source: str) -> None:
        self.texts.append(comment)
        self.labels.append(label)
        self.sources.append(source)

    def __len__(self) -> int:
        return len(self.labels)

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(f"{s}:{lbl}" for s, lbl in zip(self.sources, self.labels)).items()))

    def sha256(self) -> str:
        """A hash of every row (source, label, author URL, text): the card names the data by it."""
        h = hashlib.sha256()
        for c, lbl, src in zip(self.texts, self.labels, self.sources):
            h.update(f"{src}\t{lbl}\t{c.author_url or ''}\t{c.text}\n".encode("utf-8", "surrogatepass"))
        return h.hexdigest()


def _reservoir(
    rows: Iterable[tuple[Comment, str]], k: int, seed: int
) -> tuple[list[tuple[Comment, str]], int]:
    rng = random.Random(seed)
    kept: list[tuple[Comment, str]] = []
    n = 0
    for n, row in enumerate(rows, 1):
        if len(kept) < k:
            kept.append(row)
        else:
            j = rng.randrange(n)
            if j < k:
                kept[j] = row
    return kept, n


def _slim(c: Comment) -> Comment:
    """What the model reads of a comment (text, author and URL, post title): the rest is dropped."""
    return Comment(text=c.text, id=c.id, author=c.author, author_url=c.author_url, post_title=c.post_title)


def load_site_labels(
    export: Any = None,
    *,
    labelled: Sequence[str | os.PathLike[str]] = (),
    corrections: Iterable[tuple[str, str]] = (),
    site_name: str | None = None,
    staff: Iterable[str] = (),
    format: str | None = None,
    max_rows: int = MAX_ROWS,
    seed: int = 13,
) -> SiteLabels:
    """Gather a site's rows: the export's decisions, labelled files, and (text, label) corrections."""
    out = SiteLabels()
    if export is not None:
        counts = ExportCounts()

        def decided() -> Iterator[tuple[Comment, str]]:
            for c, d in site_comments(export, format=format, site_name=site_name, staff=staff, counts=counts):
                if d is SiteDecision.SPAM:
                    yield _slim(c), "spam"
                elif d is SiteDecision.APPROVED:
                    yield _slim(c), HAM

        kept, out.sampled_from = _reservoir(decided(), max_rows, seed)
        for c, lbl in kept:
            out.add(c, lbl, "export")
        out.export_counts = counts.as_dict()
    for path in labelled:
        for c, lbl in read_labelled(path):
            out.add(c, lbl, "labelled")
    for text, lbl in corrections:
        norm = normalise_label(lbl)
        if norm is None or not text:
            out.skipped["feedback_unusable"] = out.skipped.get("feedback_unusable", 0) + 1
            continue
        out.add(Comment(text=text), norm, "feedback")
    return out


def read_labelled(path: str | os.PathLike[str]) -> Iterator[tuple[Comment, str]]:
    """A labelled CSV/JSONL: a text column and ``label``; a bad label is an error naming the row,
    an empty one a row not labelled yet (skipped)."""
    from commentcare.io import iter_records

    for n, rec in enumerate(iter_records(path), 1):
        if isinstance(rec, InputError):
            raise rec
        raw = rec.extra.get("label", "")
        if not raw.strip():
            continue  # a row not labelled yet (a to-label.csv half done)
        lbl = normalise_label(raw)
        if lbl is None:
            raise InputError(
                f"label {raw!r} is not one of {', '.join(SITE_LABELS)}", source=os.fspath(path), record=n
            )
        yield _slim(rec), lbl


# -- fitting ----------------------------------------------------------------------------------------


def features(pipeline: Any, comments: Sequence[Comment], batch: int = 2048) -> Any:
    """The shared features of the fitted pipeline (its steps before the classifier), batch by batch."""
    import scipy.sparse as sp

    front = pipeline[:-1]
    parts = [front.transform(list(comments[i : i + batch])) for i in range(0, len(comments), batch)]
    return sp.vstack(parts).tocsr() if parts else None


def balanced_weights(labels: Sequence[str]) -> np.ndarray:
    """Spam rows and the rest end with equal total weight, and the mean weight is 1."""
    lab = np.asarray(labels)
    spam = lab == "spam"
    n, s = len(lab), int(spam.sum())
    if s == 0 or s == n:
        return np.ones(n)
    return np.where(spam, n / (2 * s), n / (2 * (n - s)))


def fit_site_head(
    pipeline: Any,
    X: Any,
    labels: Sequence[str],
    *,
    alpha: float = DEFAULT_ALPHA,
    mode: str = "head",
    balance: bool = True,
) -> Any:
    """A copy of ``pipeline`` whose classifier is a :class:`SiteHead` fitted on the rows."""
    from sklearn.pipeline import Pipeline

    from commentcare.site._head import SiteHead

    base = pipeline.steps[-1][1]
    if isinstance(base, SiteHead):  # adapting an adapted model: start from its own base
        base = base.base
    head = SiteHead(base=base, alpha=alpha, mode=mode)
    w = balanced_weights(labels) if balance else None
    from threadpoolctl import threadpool_limits

    # One thread: BLAS reductions sum in another order with more threads, and the same site
    # data must give the same model file (as for `commentcare train`).
    with threadpool_limits(limits=1):
        head.fit(X, allowed_mask(labels, base.classes_), w)
    return Pipeline([*pipeline.steps[:-1], ("classifier", head)])


def _spam_f1(proba: np.ndarray, classes: Sequence[str], labels: Sequence[str]) -> float:
    col = [str(c) for c in classes].index("spam")
    pred = proba.argmax(axis=1) == col
    truth = np.asarray(labels) == "spam"
    tp = int((pred & truth).sum())
    denom = int(pred.sum() + truth.sum())
    return 2 * tp / denom if denom else 1.0


def _set_log_loss(proba: np.ndarray, mask: np.ndarray, w: np.ndarray) -> float:
    inside = np.clip((proba * mask).sum(axis=1), 1e-12, 1.0)
    return float(-(w * np.log(inside)).sum() / w.sum())


@dataclass(frozen=True)
class AdaptResult:
    """What ``adapt_model`` wrote and measured."""

    path: Path
    model_version: str
    rows: int
    alpha: float
    holdout: dict[str, Any]


def choose_alpha(
    pipeline: Any, X: Any, labels: Sequence[str], alphas: Sequence[float] = ALPHAS
) -> tuple[float, dict[str, Any]]:
    """Pick the penalty on the site's own rows: fit on the first 80% (export order), score the rest
    (of at most the latest 10,000 rows).

    The score is the weighted log-loss of each row's label set (the training objective); the
    held-out spam F1 before and after adapting is reported too. Under 40 rows there is too
    little to hold out and the default is used.
    """
    n = len(labels)
    if n > _SELECT_ROWS:  # the choice needs a sample, not the whole site: the tail of export order
        X, labels = X[n - _SELECT_ROWS :], list(labels[n - _SELECT_ROWS :])
        n = _SELECT_ROWS
    if n < 40:
        return DEFAULT_ALPHA, {"rows": 0, "note": "fewer than 40 rows: the default penalty, nothing held out"}
    cut = int(n * 0.8)
    train_y, test_y = list(labels[:cut]), list(labels[cut:])
    Xtr, Xte = X[:cut], X[cut:]
    classes = [str(c) for c in pipeline.classes_]
    mask = allowed_mask(test_y, classes)
    w = balanced_weights(test_y)
    base_proba = pipeline.steps[-1][1].predict_proba(Xte)
    scores = {}
    best: tuple[float, float, Any] | None = None
    for a in alphas:
        head = fit_site_head(pipeline, Xtr, train_y, alpha=a).steps[-1][1]
        proba = head.predict_proba(Xte)
        loss = _set_log_loss(proba, mask, w)
        scores[str(a)] = {"log_loss": round(loss, 4), "spam_f1": round(_spam_f1(proba, classes, test_y), 4)}
        if best is None or loss < best[0]:
            best = (loss, a, proba)
    assert best is not None
    report = {
        "rows": n - cut,
        "definition": "the last 20% of the site's rows (export order) held out; spam F1 of the top"
        " outcome; log-loss of each row's label set, balanced weights",
        "base": {
            "log_loss": round(_set_log_loss(base_proba, mask, w), 4),
            "spam_f1": round(_spam_f1(base_proba, classes, test_y), 4),
        },
        "by_alpha": scores,
        "chosen_alpha": best[1],
    }
    return float(best[1]), report


def adapt_model(
    labels: SiteLabels,
    output: str | os.PathLike[str],
    *,
    model: str | os.PathLike[str] | None = None,
    trusted: bool = False,
    alpha: float | None = None,
) -> AdaptResult:
    """Fit a site head on ``labels`` over ``model`` (default: the shipped one) and save a model directory."""
    from commentcare.model import load_model, save_model, shipped_model_path

    out = Path(output)
    if out.resolve() == shipped_model_path().resolve():
        raise InputError(
            "refusing to overwrite the shipped model; choose another -o directory", source=str(out)
        )
    if len(labels) == 0:
        raise InputError("no site rows to learn from (no spam or approved decisions, labels or corrections)")
    loaded = load_model(model, trusted=trusted)
    pipeline = loaded.pipeline
    X = features(pipeline, labels.texts)
    if alpha is None:
        alpha, holdout = choose_alpha(pipeline, X, labels.labels)
    else:
        holdout = {"rows": 0, "note": "penalty given by the caller; nothing held out"}
    adapted = fit_site_head(pipeline, X, labels.labels, alpha=alpha)
    base_card = dict(loaded.card.data)
    from datetime import datetime, timezone

    card = {
        # the base's classes, threshold, versions and training data; not its metrics, which
        # measured the base, not this model
        **{k: v for k, v in base_card.items() if k not in ("sha256", "model_version", "metrics", "created")},
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "metrics": {"site_holdout": holdout},
        "base_model": base_card.get("model_version"),
        "site_adaptation": {
            "method": "site head: the base classifier's logits plus an L2-penalised linear correction over"
            " the shared features, fitted on the site's rows (label sets: approved = not spam), spam and"
            " the rest balanced",
            "alpha": alpha,
            "site_data": {
                "sha256": labels.sha256(),
                "rows": len(labels),
                "by_source_and_label": labels.counts(),
                "export_rows_before_sampling": labels.sampled_from,
                "skipped": dict(labels.skipped),
                "export": labels.export_counts,
            },
            "holdout": holdout,
        },
    }
    written = save_model(adapted, card, out)
    log.info("wrote %s (model %s)", out, written.version)
    return AdaptResult(out, written.version, len(labels), alpha, holdout)
