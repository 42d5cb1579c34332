"""The evaluation notebook runs top to bottom, and it is committed without outputs.

Its outputs quote the evaluation sets, whose licences allow evaluation only, so the committed file
must carry none; the test runs a temporary copy. Running it needs ``nbclient`` and ``ipykernel``
(skipped without them).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "evaluation.ipynb"
TIMEOUT = 600  # seconds per cell; the whole notebook takes a few seconds


def _shared_data_found() -> bool:
    """Whether the notebook will find the shared data, by the lookup it uses from a copy elsewhere."""
    env = os.environ.get("COMMENTCARE_SHARED_DATA")
    return Path(env).is_dir() if env else (ROOT.parent / "shared" / "data").is_dir()


def _execute(tmp_path: Path) -> list[str]:
    """Run a copy of the notebook in ``tmp_path``; return the text of every output."""
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    if importlib.util.find_spec("ipykernel") is None:
        pytest.skip("ipykernel is not installed (needed to run the notebook)")
    copy = tmp_path / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, copy)
    nb = nbformat.read(copy, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"the notebook failed:\n{exc}", pytrace=False)
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    return [
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for o in outputs
        if o.output_type in ("stream", "execute_result", "display_data")
    ]


@pytest.mark.slow
def test_notebook_runs(tmp_path: Path) -> None:
    found = _shared_data_found()
    if not found and os.environ.get("COMMENTCARE_REQUIRE_SHARED_DATA") == "1":
        pytest.fail("COMMENTCARE_REQUIRE_SHARED_DATA=1 but the shared data directory is missing")
    text = "\n".join(_execute(tmp_path))
    assert "notebook ran in" in text  # the last cell was reached
    if found:
        assert "benchmark figures match the model card" in text
        assert "SKIPPED" not in text
    else:
        assert "benchmark sections (2, 3) will be skipped" in text


@pytest.mark.slow
def test_notebook_runs_without_shared_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No shared data: the notebook says so and skips the benchmark cells without failing."""
    monkeypatch.setenv("COMMENTCARE_SHARED_DATA", str(tmp_path / "no-shared-data"))
    text = "\n".join(_execute(tmp_path))
    assert "benchmark sections (2, 3) will be skipped" in text
    assert "SKIPPED: no shared data directory" in text
    assert "benchmark figures match" not in text
    assert "notebook ran in" in text


def test_committed_notebook_has_no_outputs() -> None:
    """The evaluation sets' licences forbid copying their texts here, and outputs would quote them."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [cell for cell in nb["cells"] if cell["cell_type"] == "code"]
    assert code, "the notebook has no code cells"
    for i, cell in enumerate(code):
        assert cell.get("outputs") == [], f"code cell {i} has outputs: clear them before committing"
        assert cell.get("execution_count") is None, f"code cell {i} has an execution count"
    assert not [cell for cell in nb["cells"] if cell.get("attachments")], "a cell has attachments"
