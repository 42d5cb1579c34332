"""The main job: classify (and review) a whole export into an output file, safely.

Streaming end to end, so memory stays flat whatever the size. Output and error files are written
to ``<name>.partial`` and renamed into place only when the run completes, so a crash never leaves
a half-written file that looks complete. After every batch a small state file records how many
input records are done and the byte length of both partial files; ``resume=True`` truncates the
partial files to that point and skips exactly those records, so the output ends with exactly one
row per input comment, never a duplicate.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any

from commentcare._errors import InputError
from commentcare._types import Comment
from commentcare.io import iter_records
from commentcare.io._formats import Format, Record, Source, source_name
from commentcare.io._writers import RowWriter, error_row, result_row

__all__ = ["Summary", "classify_file", "run_fingerprint"]

log = logging.getLogger(__name__)

CHUNK = 1024


@dataclass
class Summary:
    """What a run did. ``total == classified + errors`` always holds."""

    total: int = 0
    classified: int = 0
    errors: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    unsure: int = 0
    seconds: float = 0.0
    resumed_from: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "classified": self.classified,
            "errors": self.errors,
            "labels": dict(self.labels),
            "actions": dict(self.actions),
            "unsure": self.unsure,
            "seconds": round(self.seconds, 2),
            "comments_per_second": round(self.classified / self.seconds) if self.seconds else None,
            "resumed_from": self.resumed_from,
        }


_OUT_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
}


def _out_format(path: str, explicit: str | None) -> str:
    """The output format: the one given, else the name's; a name that promises another format
    (``out.xlsx``) is refused rather than filled with CSV."""
    if explicit:
        return explicit
    if path == "-":
        return "csv"
    suffix = Path(path).suffix.lower()
    if suffix in _OUT_SUFFIXES:
        return _OUT_SUFFIXES[suffix]
    if not suffix:
        return "csv"
    raise InputError(
        f"cannot write {suffix} files: name the output .csv or .jsonl (or give the format: --to csv)",
        source=path,
    )


def _check_folders(*paths: str | os.PathLike[str] | None) -> None:
    """Every output goes into a folder that exists: say so plainly before any work is done."""
    for path in paths:
        if path is None or os.fspath(path) == "-":
            continue
        folder = Path(path).parent
        if not folder.is_dir():
            raise InputError(f"the folder {os.fspath(folder)!r} does not exist", source=os.fspath(path))


def run_fingerprint(source: Source, **options: Any) -> str:
    """What ``--resume`` checks: the input (its resolved path, size and first and last MiB) and
    every option that shapes the output. Another file, a grown file or another option is refused."""
    h = hashlib.sha256()
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        h.update(os.fspath(path.resolve()).encode("utf-8", "surrogateescape"))
        try:
            if path.is_dir():
                for child in sorted(path.rglob("*")):
                    if child.is_file():
                        h.update(
                            f"{child.relative_to(path)}:{child.stat().st_size}".encode(
                                "utf-8", "surrogateescape"
                            )
                        )
            else:
                size = path.stat().st_size
                h.update(str(size).encode())
                with open(path, "rb") as fh:
                    h.update(fh.read(1 << 20))
                    if size > 2 << 20:
                        fh.seek(size - (1 << 20))
                        h.update(fh.read(1 << 20))
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror or exc}", source=os.fspath(source)) from exc
    else:
        h.update(source_name(source).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


# -- worker processes ----------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _worker_init(
    model: str | None,
    trusted: bool,
    replies: bool,
    pack: str | None,
    site: str | None,
    contact: str | None,
    sha256: str | None = None,
    staff: tuple[str, ...] = (),
) -> None:
    from commentcare.moderation import Moderator

    m = Moderator(
        model, trusted=trusted, sha256=sha256, replies=pack, site_name=site, contact=contact, staff=staff
    )
    m.replies  # noqa: B018 - a broken reply pack fails here, before any work
    m.classifier  # noqa: B018 - load the model once per worker, before the first chunk
    _WORKER.update(moderator=m, replies=replies)


def _worker_rows(comments: list[Comment]) -> list[dict[str, Any]]:
    return _rows(_WORKER["moderator"], comments, _WORKER["replies"])


def _rows(moderator: Any, comments: list[Comment], replies: bool) -> list[dict[str, Any]]:
    if replies:
        return [
            result_row(r.comment, r.classification, r)
            for r in moderator.review_many(comments, batch_size=len(comments) or 1)
        ]
    return [result_row(c, k) for c, k in zip(comments, moderator.classifier.predict_batch(comments))]


# -- the run ---------------------------------------------------------------------------------------


def _chunks(records: Iterator[Record], n: int) -> Iterator[list[Record]]:
    while chunk := list(islice(records, n)):
        yield chunk


def classify_file(
    source: Source,
    output: str | os.PathLike[str],
    *,
    format: Format | str | None = None,
    output_format: str | None = None,
    errors: str | os.PathLike[str] | None = None,
    columns: Mapping[str, str] | None = None,
    replies: bool = False,
    model: str | None = None,
    trusted: bool = False,
    model_sha256: str | None = None,
    reply_pack: str | None = None,
    site_name: str | None = None,
    contact: str | None = None,
    staff: Sequence[str] = (),
    workers: int = 1,
    resume: bool = False,
    on_progress: Callable[[int], None] | None = None,
    on_review_rows: Callable[[list[dict[str, Any]]], None] | None = None,
) -> Summary:
    """Classify every comment of ``source`` into ``output``; report bad records to ``errors``.

    Without ``errors`` a bad record stops the run with :class:`InputError` (nothing is dropped
    silently). ``output`` may be ``"-"`` for standard output (no resume then).
    """
    started = time.perf_counter()
    summary = Summary()
    out_path = os.fspath(output)
    fmt = _out_format(out_path, output_format)
    to_stdout = out_path == "-"
    if to_stdout and resume:
        raise InputError("--resume needs an output file, not standard output")
    partial = out_path + ".partial"
    err_partial = os.fspath(errors) + ".partial" if errors else None
    state_path = out_path + ".state.json"

    _check_folders(out_path, errors)
    fingerprint = run_fingerprint(
        source,
        format=format,
        output_format=fmt,
        columns=columns,
        replies=replies,
        model=model,
        reply_pack=reply_pack,
        site_name=site_name,
        contact=contact,
        staff=sorted(staff),
    )
    skip = 0
    out_offset = err_offset = 0
    if resume and os.path.exists(state_path):
        try:
            state = json.loads(Path(state_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                f"cannot resume: the run's state file is unreadable ({exc})", source=state_path
            ) from exc
        if state.get("fingerprint") != fingerprint:
            raise InputError(
                "cannot resume: the input file or the options differ from those of the interrupted run "
                "(its state records a fingerprint of both); run without --resume to start again",
                source=str(source_name(source)),
            )
        skip, out_offset, err_offset = state["records"], state["out_bytes"], state["err_bytes"]
        summary.resumed_from = skip
        for k in ("classified", "errors", "unsure"):
            setattr(summary, k, state.get(k, 0))
        summary.labels.update(state.get("labels", {}))
        summary.actions.update(state.get("actions", {}))
        summary.total = skip
        log.info("resuming after %d records", skip)
    elif not resume:
        for p in (partial, err_partial, state_path):
            if p and os.path.exists(p):
                os.unlink(p)

    out_fh: IO[bytes]
    if to_stdout:
        import sys

        out_fh = sys.stdout.buffer
    else:
        out_fh = open(partial, "r+b" if skip and os.path.exists(partial) else "wb")  # noqa: SIM115
        out_fh.truncate(out_offset)
        out_fh.seek(out_offset)
    err_fh: IO[bytes] | None = None
    if err_partial:
        err_fh = open(err_partial, "r+b" if skip and os.path.exists(err_partial) else "wb")  # noqa: SIM115
        err_fh.truncate(err_offset)
        err_fh.seek(err_offset)
    writer = RowWriter(out_fh, fmt)
    writer.header_written = out_offset > 0
    err_writer = RowWriter(err_fh, "jsonl") if err_fh else None

    records = iter_records(source, format, columns=columns)
    if skip:
        consumed = sum(1 for _ in islice(records, skip))
        if consumed < skip:
            raise InputError(
                f"cannot resume: the input has {consumed} records, the saved run had done {skip}",
                source=str(source),
            )

    pool = None
    moderator = None
    try:
        if workers > 1:
            import multiprocessing as mp

            ctx = mp.get_context("spawn")
            pool = ctx.Pool(
                workers,
                initializer=_worker_init,
                initargs=(
                    model,
                    trusted,
                    replies,
                    reply_pack,
                    site_name,
                    contact,
                    model_sha256,
                    tuple(staff),
                ),
            )
        else:
            from commentcare.moderation import Moderator

            moderator = Moderator(
                model,
                trusted=trusted,
                sha256=model_sha256,
                replies=reply_pack,
                site_name=site_name,
                contact=contact,
                staff=staff,
            )
            if replies:
                moderator.replies  # noqa: B018 - a broken reply pack fails here, before any work

        def handle(chunk: list[Record]) -> tuple[list[Record], list[Comment]]:
            return chunk, [r for r in chunk if isinstance(r, Comment)]

        chunks: Iterable[tuple[list[Record], list[Comment]]] = map(handle, _chunks(records, CHUNK))
        if pool is not None:
            pairs = _pool_map(pool, chunks)
        else:
            assert moderator is not None
            m = moderator
            pairs = ((chunk, _rows(m, comments, replies)) for chunk, comments in chunks)

        for chunk, rows in pairs:
            it = iter(rows)
            for rec in chunk:
                summary.total += 1
                if isinstance(rec, InputError):
                    summary.errors += 1
                    if err_writer is None:
                        raise rec
                    err_writer.write(error_row(rec))
                    log.warning("%s", rec)
                    continue
                row = next(it)
                writer.write(row)
                summary.classified += 1
                summary.labels[row["label"]] += 1
                summary.unsure += bool(row["unsure"])
                if "action" in row:
                    summary.actions[row["action"]] += 1
            if on_review_rows is not None:
                on_review_rows(rows)
            if not to_stdout:
                _save_state(
                    state_path, summary, writer.tell(), err_writer.tell() if err_writer else 0, fingerprint
                )
            if on_progress is not None:
                on_progress(len(chunk))
        writer.flush()
        if err_writer:
            err_writer.flush()
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        if not to_stdout:
            out_fh.close()
        if err_fh:
            err_fh.close()

    if not to_stdout:
        if writer.fmt == "csv" and not writer.header_written:
            Path(partial).write_text("", encoding="utf-8")
        os.replace(partial, out_path)
    if err_partial and errors:
        os.replace(err_partial, os.fspath(errors))
    if os.path.exists(state_path):
        os.unlink(state_path)
    summary.seconds = time.perf_counter() - started
    return summary


def _pool_map(
    pool: Any, chunks: Iterable[tuple[list[Record], list[Comment]]]
) -> Iterator[tuple[list[Record], list[dict[str, Any]]]]:
    """Ordered parallel map that keeps a bounded number of chunks in flight."""
    from collections import deque

    inflight: deque[tuple[list[Record], Any]] = deque()
    limit = 2 * pool._processes + 1  # enough to keep every worker busy, few to hold in memory
    for chunk, comments in chunks:
        inflight.append((chunk, pool.apply_async(_worker_rows, (comments,))))
        if len(inflight) >= limit:
            c, res = inflight.popleft()
            yield c, res.get()
    while inflight:
        c, res = inflight.popleft()
        yield c, res.get()


def _save_state(path: str, summary: Summary, out_bytes: int, err_bytes: int, fingerprint: str) -> None:
    state = {
        "fingerprint": fingerprint,
        "records": summary.total,
        "out_bytes": out_bytes,
        "err_bytes": err_bytes,
        "classified": summary.classified,
        "errors": summary.errors,
        "unsure": summary.unsure,
        "labels": dict(summary.labels),
        "actions": dict(summary.actions),
    }
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(state, fh)
    os.replace(tmp, path)
