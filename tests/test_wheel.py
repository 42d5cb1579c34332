"""The built wheel carries the library only: no code that knows a public data set."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: What only data-set-specific code would hold: the sets' directory names, their loaders, the
#: mapping rules and the benchmark table (all in scripts/public_data.py).
DATA_SET_CODE = re.compile(
    r"(?i:civil-comments|toxic-spans|goemotions|banking77|davidson|clinc150|youtube-spam|twitter-airline"
    r"|unhealthy-comments|sentiment-labelled|complaints-social-media)"
    r"|\b(?:load_trainable_sets|MAPPING_RULES|DEFAULT_CAPS|run_benchmarks|trainable_texts|BENCHMARKS)\b"
)


@pytest.mark.slow
def test_the_wheel_carries_no_evaluation_loaders(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("commentcare-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        modules = [n for n in zf.namelist() if n.endswith(".py")]
        assert "commentcare/model/_training.py" in modules  # the wheel was read
        found = {n: DATA_SET_CODE.findall(zf.read(n).decode("utf-8")) for n in modules}
    assert {n: hits for n, hits in found.items() if hits} == {}
    assert not any(n.startswith(("scripts/", "benchmarks/", "tests/")) for n in modules)
