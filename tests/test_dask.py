"""commentcare.dask on a real multi-process dask.distributed cluster.

Results must be exactly those of in-process classification, and each worker process must load
the model once however many partitions it classifies. Skipped when dask is not installed
(``pip install commentcare[dask]``), except the checks that need no dask.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from commentcare import Comment, Moderator
from commentcare.io._writers import result_row

pytestmark = pytest.mark.slow

BASE = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)

_TEXTS = [
    "Great post, thank you so much for writing this!",
    "My order #{n} never arrived and support has not answered in two weeks.",
    "CHEAP watches at www.best-deals{n}.xyz, click now!!!",
    "This is the dumbest thing I have read all year, you people are clueless.",
    "I was charged twice for invoice {n}, please refund the second payment.",
    "Loved the photos from the trip, especially the one of the harbour.",
    "Check out my channel for free giveaways, subscribe!!! {n}",
    "Why does the app crash every time I open the settings page? Version 3.{n}.",
    "Meh. Seen better, seen worse.",
    "Thanks for the quick fix, the download works now.",
]


def _rows(n: int) -> list[dict[str, Any]]:
    """``n`` distinct comments with distinct authors (so "first-time complainer" cannot depend on
    how the rows are split into partitions) and fixed dates (so respond-by times are exact)."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "id": f"c{i}",
                "text": _TEXTS[i % len(_TEXTS)].format(n=1000 + i) + f" ({i})",
                "author": f"Reader {i}",
                "author_url": f"https://shop{i}.example.com/deals" if i % 7 == 3 else "",
                "created_at": (BASE + timedelta(minutes=i)).isoformat(),
                "views": i * 3,
            }
        )
    return rows


def _comment(row: dict[str, Any]) -> Comment:
    return Comment(
        text=row["text"],
        id=row["id"],
        author=row["author"],
        author_url=row["author_url"] or None,
        created_at=datetime.fromisoformat(row["created_at"]),
    )


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def _cache_info(client: Any) -> dict[str, Any]:
    import commentcare.dask

    info: dict[str, Any] = client.run(commentcare.dask.worker_cache_info)
    return info


def test_import_commentcare_does_not_import_dask() -> None:
    code = "import sys, commentcare; print('commentcare.dask' in sys.modules, 'dask' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_without_dask_the_import_error_says_what_to_install() -> None:
    # sys.modules[name] = None makes "import name" fail as if the package were not installed.
    code = (
        "import sys\n"
        "sys.modules['dask'] = None\n"
        "try:\n"
        "    import commentcare.dask\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'commentcare[dask]'" in out


def test_dataframe_matches_in_process_classification(client: Any, moderator: Moderator) -> None:
    import dask.dataframe as dd
    import pandas as pd

    import commentcare.dask as cdask

    rows = _rows(120)
    pdf = pd.DataFrame(rows)
    ddf = dd.from_pandas(pdf, npartitions=6)
    out = cdask.classify_dataframe(ddf, "text").compute()

    expected = list(moderator.classify_many([_comment(r) for r in rows]))
    assert list(out.index) == list(pdf.index)
    assert list(out.columns) == [*pdf.columns, *cdask.CLASSIFY_COLUMNS]
    assert out["views"].tolist() == pdf["views"].tolist()  # input columns kept
    assert out["label"].tolist() == [c.label.value for c in expected]
    assert out["confidence"].tolist() == [c.confidence for c in expected]
    assert out["unsure"].tolist() == [c.unsure for c in expected]
    for lbl in expected[0].scores:
        assert out[lbl.value].tolist() == [c.scores[lbl] for c in expected]
    assert set(out["model_version"]) == {moderator.model_version}
    # author_url was picked up by its usual column name: some of those rows are spam for it
    assert len(set(out["label"])) >= 3


def test_dataframe_reviews_match_in_process_reviews(client: Any, moderator: Moderator) -> None:
    import dask.dataframe as dd
    import pandas as pd

    import commentcare.dask as cdask

    rows = _rows(60)
    rows[5]["text"] = None  # not a comment: missing results, not a failed job
    rows[6]["text"] = "   "
    pdf = pd.DataFrame(rows)
    ddf = dd.from_pandas(pdf, npartitions=4)
    out = cdask.classify_dataframe(ddf, replies=True).compute()

    # Drafts rotate within one run, and each partition is a run of its own: review each alone.
    expected = {}
    for i in range(ddf.npartitions):
        part = ddf.partitions[i].compute().to_dict("records")
        kept = [r for r in part if isinstance(r["text"], str) and r["text"].strip()]
        expected.update({r.comment.id: r for r in moderator.review_many([_comment(r) for r in kept])})
    for row in out.itertuples(index=False):
        if row.id in ("c5", "c6"):
            assert pd.isna(row.label) and pd.isna(row.confidence) and pd.isna(row.action)
            continue
        r = expected[row.id]
        assert (row.label, row.confidence, row.unsure) == (
            r.label.value,
            r.classification.confidence,
            r.classification.unsure,
        )
        assert (row.action, row.priority) == (r.action.value, r.priority)
        assert (None if pd.isna(row.respond_by) else row.respond_by.to_pydatetime()) == r.respond_by
        assert row.reply == (r.reply.text if r.reply else "")
        assert row.reasons == "; ".join(r.reasons)


def test_bag_matches_in_process_rows(client: Any, moderator: Moderator) -> None:
    import dask.bag as db

    import commentcare.dask as cdask

    rows = _rows(90)
    records: list[Any] = [dict(r) for r in rows]
    records.insert(10, {"body_missing": "x"})  # no text: becomes an error row
    out = cdask.classify_bag(db.from_sequence(records, npartitions=5)).compute()

    comments = [_comment(r) for r in rows]
    expected = [result_row(c, k) for c, k in zip(comments, moderator.classify_many(comments), strict=True)]
    assert len(out) == len(records)
    errors = [o for o in out if "error" in o]
    assert len(errors) == 1 and errors[0]["source"] == "bag"
    got = [o for o in out if "error" not in o]
    for g, e, row in zip(got, expected, rows, strict=True):
        assert {k: g[k] for k in e} == e
        assert g["views"] == str(row["views"])  # other fields travel along as text, as in the CLI


def test_bag_of_strings_with_replies(client: Any, moderator: Moderator) -> None:
    import dask.bag as db

    import commentcare.dask as cdask

    texts = [r["text"] for r in _rows(40)]
    bag = db.from_sequence(texts, npartitions=4)
    out = cdask.classify_bag(bag, replies=True, as_rows=False).compute()
    # drafts rotate within a run, and each partition is a run of its own
    expected = [r for part in bag.to_delayed() for r in moderator.review_many(part.compute())]
    assert [r.classification for r in out] == [r.classification for r in expected]
    assert [(r.action, r.replies) for r in out] == [(r.action, r.replies) for r in expected]


def test_each_worker_loads_the_model_once(client: Any) -> None:
    import dask.dataframe as dd
    import pandas as pd

    import commentcare.dask as cdask

    # after the tests above, and once more here: 2 workers, many partitions, one load each
    pdf = pd.DataFrame(_rows(200))
    cdask.classify_dataframe(dd.from_pandas(pdf, npartitions=10), "text").compute()
    info = _cache_info(client)
    assert len(info) == 2
    pids = {v["pid"] for v in info.values()}
    assert len(pids) == 2  # two worker processes, not threads of one
    partitions = 0
    for worker in info.values():
        assert all(n == 1 for n in worker["loads"].values()), worker
        assert worker["models"] == len(worker["loads"])
        partitions += sum(worker["partitions"].values())
    # the shipped model is one configuration; 10 partitions here alone, across 2 loads at most
    assert partitions >= 10
    shipped = [k for k in next(iter(info.values()))["loads"] if k.startswith("(None, ")]
    assert shipped
    total_loads = sum(w["loads"].get(shipped[0], 0) for w in info.values())
    assert total_loads <= 2


def test_jsonl_shards_to_parquet_as_in_the_docs(client: Any, moderator: Moderator, tmp_path: Any) -> None:
    """The worked example of docs/scaling.md, small: JSONL shards in, one Parquet file per partition out."""
    import json

    import dask.dataframe as dd
    import pandas as pd

    import commentcare.dask as cdask

    rows = _rows(80)
    shards = tmp_path / "shards"
    shards.mkdir()
    for k in range(4):
        with open(shards / f"part-{k}.jsonl", "w", encoding="utf-8") as fh:
            for r in rows[k * 20 : (k + 1) * 20]:
                fh.write(json.dumps(r) + "\n")
    ddf = dd.read_json(os.fspath(shards / "*.jsonl"), lines=True, blocksize=None, dtype={"id": "string"})
    out = cdask.classify_dataframe(ddf, "text", replies=True)
    out.to_parquet(os.fspath(tmp_path / "classified"), write_index=False)

    files = sorted((tmp_path / "classified").glob("*.parquet"))
    assert len(files) == 4
    got = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    expected = list(moderator.review_many([_comment(r) for r in rows]))
    assert got["id"].tolist() == [r["id"] for r in rows]
    assert got["label"].tolist() == [r.label.value for r in expected]
    assert got["confidence"].tolist() == [r.classification.confidence for r in expected]
    assert got["action"].tolist() == [r.action.value for r in expected]
    assert [None if pd.isna(t) else t.to_pydatetime() for t in got["respond_by"]] == [
        r.respond_by for r in expected
    ]
