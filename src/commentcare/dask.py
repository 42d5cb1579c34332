"""Classify (and review) comments that do not fit on one machine, with Dask.

Install with ``pip install commentcare[dask]``. Two entry points:

* :func:`classify_dataframe` adds result columns to a Dask DataFrame, partition by partition;
* :func:`classify_bag` turns a Dask Bag of texts, :class:`~commentcare.Comment` objects or
  dict records into output rows (the same dicts ``commentcare classify`` writes).

Both only build a task graph; nothing runs until you ``compute()`` or write the result. Each
partition is classified in batches by one :class:`~commentcare.Moderator`, and that Moderator is
created once per worker *process* (kept in a module-level cache keyed by model path and
settings), so the model is unpickled once per worker, not once per partition or task. This works
with the ``dask.distributed`` scheduler, the local multiprocessing scheduler and the threaded one.

Reviews (``replies=True``) raise a first-time complainer's priority; "first time" is judged
within a partition, since partitions are reviewed independently and possibly on different
machines. Give every comment a ``created_at`` if you need reproducible respond-by times (without
one, the deadline counts from the moment of review).

``import commentcare`` never imports this module (nor Dask).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

try:
    import dask.bag as db
    import dask.dataframe as dd

    # pandas has no inline types; pandas-stubs may or may not be installed.
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]
except ImportError as exc:  # pragma: no cover - exercised in a venv without dask
    raise ImportError(
        "commentcare.dask needs Dask (with its DataFrame and distributed parts): "
        "pip install 'commentcare[dask]'"
    ) from exc

from commentcare._errors import InputError
from commentcare._types import Classification, Comment, Label, Review
from commentcare.io import error_row, parse_datetime, resolve_columns, result_row, row_to_comment

if TYPE_CHECKING:
    from commentcare.moderation import Moderator

__all__ = [
    "CLASSIFY_COLUMNS",
    "REVIEW_COLUMNS",
    "classify_bag",
    "classify_dataframe",
    "clear_worker_cache",
    "worker_cache_info",
]

log = logging.getLogger(__name__)

#: Columns :func:`classify_dataframe` adds, with their pandas dtypes.
CLASSIFY_COLUMNS: Mapping[str, str] = {
    "label": "string",
    "confidence": "float64",
    "unsure": "boolean",
    **{lbl.value: "float64" for lbl in Label},
    "other": "float64",
    "model_version": "string",
}
#: Columns added as well when ``replies=True``.
REVIEW_COLUMNS: Mapping[str, str] = {
    "action": "string",
    "priority": "Int64",
    "respond_by": "datetime64[ns, UTC]",
    "reply": "string",
    "reasons": "string",
}

# -- one Moderator per worker process --------------------------------------------------------------

_Key = tuple[str | None, bool, str | None, str | None, str | None]

_CACHE: dict[_Key, Moderator] = {}
_LOADS: Counter[_Key] = Counter()
_PARTITIONS: Counter[_Key] = Counter()
_LOCK = threading.Lock()


def _key(
    model: str | os.PathLike[str] | None,
    trusted: bool,
    reply_pack: str | os.PathLike[str] | None,
    site_name: str | None,
    contact: str | None,
) -> _Key:
    # Paths are made absolute on the client, when the graph is built, so that every worker
    # resolves the same file whatever its working directory.
    m = os.path.abspath(os.fspath(model)) if model is not None else None
    p = os.path.abspath(os.fspath(reply_pack)) if reply_pack is not None else None
    return (m, trusted, p, site_name, contact)


def _moderator(key: _Key) -> Moderator:
    """The cached Moderator of this process for ``key``, loading its model on first use.

    Called once per non-empty partition (which is what the partition counter counts).
    """
    with _LOCK:  # a worker with several threads must still load the model only once
        _PARTITIONS[key] += 1
        m = _CACHE.get(key)
        if m is None:
            from commentcare.moderation import Moderator

            model, trusted, pack, site_name, contact = key
            m = Moderator(model, trusted=trusted, replies=pack, site_name=site_name, contact=contact)
            m.classifier  # noqa: B018 - load (and verify) the model now, once per process
            _LOADS[key] += 1
            _CACHE[key] = m
            log.info("process %d loaded model %s", os.getpid(), m.model_version)
    return m


def worker_cache_info() -> dict[str, Any]:
    """This process's model cache: its pid, and per configuration how many times its model was
    loaded and how many partitions it classified.

    Run it on every worker with ``client.run(commentcare.dask.worker_cache_info)`` to check that
    each worker loaded the model once.
    """
    return {
        "pid": os.getpid(),
        "loads": {repr(k): n for k, n in _LOADS.items()},
        "partitions": {repr(k): n for k, n in _PARTITIONS.items()},
        "models": len(_CACHE),
    }


def clear_worker_cache() -> None:
    """Forget this process's Moderators (for example after replacing a model file in place)."""
    with _LOCK:
        _CACHE.clear()
        _LOADS.clear()
        _PARTITIONS.clear()


# -- DataFrame ----------------------------------------------------------------------------------------


def _meta(frame: pd.DataFrame, replies: bool) -> pd.DataFrame:
    out = frame.iloc[:0].copy()
    dtypes = {**CLASSIFY_COLUMNS, **(REVIEW_COLUMNS if replies else {})}
    for name, dtype in dtypes.items():
        out[name] = pd.Series([], dtype=dtype, index=out.index)
    return out


def _cell(value: Any) -> Any:
    """A DataFrame cell as a plain Python value, None for any kind of missing value."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # lists, arrays: not scalars, so not missing
        pass
    return value


def _created_at(value: Any, index: Any) -> datetime | None:
    """A cell of the created_at column as an aware datetime; naive means UTC, as in the readers."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise InputError(f"row {index!r}: {exc}") from exc


def _partition_comments(part: pd.DataFrame, fields: Mapping[str, str]) -> tuple[list[int], list[Comment]]:
    """Comments of the rows with text, and the positions of those rows in the partition."""
    positions: list[int] = []
    comments: list[Comment] = []
    columns = {target: part[col].tolist() for target, col in fields.items()}
    texts = columns.pop("text")
    for i, text in enumerate(texts):
        text = _cell(text)
        if text is None or (isinstance(text, str) and not text.strip()):
            continue  # no comment: the row keeps missing results
        values: dict[str, Any] = {}
        for target, col_values in columns.items():
            v = _cell(col_values[i])
            if v is None or v == "":
                continue
            if target == "created_at":
                v = _created_at(v, part.index[i])
                if v is None:
                    continue
            else:
                v = str(v)
            values[target] = v
        comments.append(Comment(text=text if isinstance(text, str) else str(text), **values))
        positions.append(i)
    return positions, comments


def _classify_partition(
    part: pd.DataFrame, fields: Mapping[str, str], key: _Key, replies: bool, batch_size: int
) -> pd.DataFrame:
    out = _meta(part, replies)
    n = len(part)
    if n == 0:
        return out
    out = part.copy()
    positions, comments = _partition_comments(part, fields)
    cols: dict[str, list[Any]] = {name: [None] * n for name in CLASSIFY_COLUMNS}
    if replies:
        cols.update({name: [None] * n for name in REVIEW_COLUMNS})
    if comments:
        moderator = _moderator(key)
        results: Iterable[tuple[Classification, Review | None]]
        if replies:
            results = ((r.classification, r) for r in moderator.review_many(comments, batch_size=batch_size))
        else:
            results = ((c, None) for c in moderator.classify_many(comments, batch_size=batch_size))
        for i, (c, r) in zip(positions, results, strict=True):
            cols["label"][i] = c.label.value
            cols["confidence"][i] = c.confidence
            cols["unsure"][i] = c.unsure
            for lbl, p in c.scores.items():
                cols[lbl.value][i] = p
            cols["other"][i] = c.other
            cols["model_version"][i] = c.model_version
            if r is not None:
                cols["action"][i] = r.action.value
                cols["priority"][i] = r.priority
                cols["respond_by"][i] = r.respond_by
                cols["reply"][i] = r.reply.text if r.reply else ""
                cols["reasons"][i] = "; ".join(r.reasons)
    dtypes = {**CLASSIFY_COLUMNS, **(REVIEW_COLUMNS if replies else {})}
    for name, values in cols.items():
        out[name] = pd.Series(values, index=part.index, dtype=dtypes[name])
    return out


def classify_dataframe(
    ddf: dd.DataFrame,
    text_column: str = "text",
    *,
    model: str | os.PathLike[str] | None = None,
    trusted: bool = False,
    replies: bool = False,
    columns: Mapping[str, str] | None = None,
    reply_pack: str | os.PathLike[str] | None = None,
    site_name: str | None = None,
    contact: str | None = None,
    batch_size: int = 2048,
) -> dd.DataFrame:
    """``ddf`` with the classification (and, with ``replies``, the review) of each row added.

    ``text_column`` holds the comment text. The other :class:`~commentcare.Comment` fields the
    model or the review use (``author_url`` above all: a link in the author field is a strong
    spam signal; ``author``, ``created_at``, ``id``, ``post_title``, ...) are taken from columns of
    the usual names (``author_url``, ``url``, ``comment_author_url``, ... as for
    ``commentcare classify``), or from the columns named in ``columns`` (Comment field → column).

    Added columns (see :data:`CLASSIFY_COLUMNS` and :data:`REVIEW_COLUMNS`): ``label``,
    ``confidence``, ``unsure``, one probability per label, ``other``, ``model_version``; with ``replies``,
    ``action``, ``priority``, ``respond_by``, ``reply`` (the first drafted reply) and ``reasons``.
    A row whose text is missing or blank gets missing results (it is not a comment); a
    ``created_at`` that is not a date raises :class:`~commentcare.InputError` naming the row
    (naive dates are taken as UTC, as by the readers). Column names must not collide with the
    added ones. The index and the partitions are kept.

    ``model`` is a model directory or ``.joblib`` file (None: the shipped model), which every
    worker must be able to read at the same path; a model from outside the package needs
    ``trusted=True``, as for :class:`~commentcare.Moderator`.
    """
    if text_column not in ddf.columns:
        have = ", ".join(map(str, ddf.columns))
        raise InputError(f"no column {text_column!r} in the DataFrame (columns: {have})")
    added = {**CLASSIFY_COLUMNS, **(REVIEW_COLUMNS if replies else {})}
    clash = sorted(set(map(str, ddf.columns)) & set(added))
    if clash:
        raise InputError(
            f"the DataFrame already has result column(s) {', '.join(clash)}; rename or drop them first"
        )
    mapping = {**(columns or {}), "text": text_column}
    fields = resolve_columns([str(c) for c in ddf.columns], mapping)
    key = _key(model, trusted, reply_pack, site_name, contact)
    map_partitions: Any = ddf.map_partitions  # dask's signature is untyped
    result: dd.DataFrame = map_partitions(
        _classify_partition,
        fields,
        key,
        replies,
        batch_size,
        meta=_meta(ddf._meta, replies),
        enforce_metadata=False,
    )
    return result


# -- Bag ------------------------------------------------------------------------------------------------


def _as_record(
    item: Any, index: int, columns: Mapping[str, str] | None, resolved: dict[tuple[str, ...], dict[str, str]]
) -> Comment | InputError:
    if isinstance(item, Comment):
        return item
    if isinstance(item, str):
        return Comment(text=item)
    if isinstance(item, Mapping):
        names = tuple(str(k) for k in item)
        cols = resolved.get(names)
        if cols is None:
            cols = resolved[names] = resolve_columns(list(names), columns)
        rec = row_to_comment(item, cols, "bag", index)
        if isinstance(rec, Comment) and "id" not in cols:
            # The readers number records by line; a position in a partition is no identifier.
            rec = dataclasses.replace(rec, id=None)
        return rec
    what = type(item).__name__
    return InputError(f"expected a str, a Comment or a dict, got {what}", source="bag", record=index)


def _classify_bag_partition(
    items: Iterable[Any],
    columns: Mapping[str, str] | None,
    key: _Key,
    replies: bool,
    as_rows: bool,
    batch_size: int,
) -> list[Any]:
    resolved: dict[tuple[str, ...], dict[str, str]] = {}
    records = [_as_record(item, i, columns, resolved) for i, item in enumerate(items, 1)]
    comments = [r for r in records if isinstance(r, Comment)]
    moderator = _moderator(key) if comments else None
    results: Iterator[Classification | Review] = iter(())
    if moderator is not None:
        results = (moderator.review_many if replies else moderator.classify_many)(
            comments, batch_size=batch_size
        )
    out: list[Any] = []
    for rec in records:
        if isinstance(rec, InputError):
            out.append(error_row(rec) if as_rows else rec)
            continue
        res = next(results)
        if not as_rows:
            out.append(res)
        elif isinstance(res, Classification):
            out.append(result_row(rec, res))
        else:
            out.append(result_row(rec, res.classification, res))
    return out


def classify_bag(
    bag: db.Bag,
    *,
    model: str | os.PathLike[str] | None = None,
    trusted: bool = False,
    replies: bool = False,
    columns: Mapping[str, str] | None = None,
    reply_pack: str | os.PathLike[str] | None = None,
    site_name: str | None = None,
    contact: str | None = None,
    as_rows: bool = True,
    batch_size: int = 2048,
) -> db.Bag:
    """A Bag with one result per element of ``bag``, in order, partition by partition.

    Elements may be strings, :class:`~commentcare.Comment` objects, or dicts such as
    ``bag.map(json.loads)`` gives for a JSONL file (their fields found as by ``commentcare
    classify``, or as named in ``columns``: Comment field → key).

    With ``as_rows`` (the default) each result is the dict ``commentcare classify`` writes for a
    comment (``--replies`` columns too with ``replies``), so ``result.map(json.dumps)
    .to_textfiles(...)`` writes the same JSONL; an element that is not a comment (a dict without
    text, say) becomes an error row ``{"source": "bag", "record": n, "error": reason}`` (``n``
    counts from 1 within the partition) instead of failing the job. With ``as_rows=False`` the results are :class:`~commentcare.Classification` (or, with
    ``replies``, :class:`~commentcare.Review`) objects, and :class:`~commentcare.InputError`
    objects for the elements that are not comments.
    """
    key = _key(model, trusted, reply_pack, site_name, contact)
    map_partitions: Any = bag.map_partitions  # dask's signature is untyped
    result: db.Bag = map_partitions(
        _classify_bag_partition, dict(columns) if columns else None, key, replies, as_rows, batch_size
    )
    return result
