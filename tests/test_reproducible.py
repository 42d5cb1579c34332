"""`commentcare train` rebuilds the shipped model file byte for byte from the corpus and the public rows
that scripts/public_data.py maps from the trainable sets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_train_reproduces_the_shipped_model(tmp_path: Path) -> None:
    env = os.environ.get("COMMENTCARE_SHARED_DATA")
    shared = Path(env) if env else ROOT.parent / "shared" / "data"
    if not shared.is_dir():
        if os.environ.get("COMMENTCARE_REQUIRE_SHARED_DATA") == "1":
            pytest.fail("COMMENTCARE_REQUIRE_SHARED_DATA=1 but the shared data directory is missing")
        pytest.skip("the trainable public sets (../shared/data) are not here")
    shipped = json.loads((ROOT / "src" / "commentcare" / "data" / "model.json").read_text(encoding="utf-8"))
    out = tmp_path / "model"
    public = tmp_path / "public.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "public_data.py"), "map", str(shared), "-o", str(public)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "commentcare",
            "train",
            "--corpus",
            str(ROOT / "corpus" / "corpus.jsonl"),
            "--public",
            str(public),
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    rebuilt = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert rebuilt["sha256"] == shipped["sha256"]
    assert rebuilt["training_data"]["sha256"] == shipped["training_data"]["sha256"]
    assert rebuilt["training_data"]["mapping_rules"] == shipped["training_data"]["mapping_rules"]
    assert rebuilt["training_data"]["public_sets"] == shipped["training_data"]["public_sets"]
