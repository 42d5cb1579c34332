from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The fixtures commentcare ships for its users (tests/test_testing.py uses them as a user would).
pytest_plugins = ["commentcare.testing"]


def shared_data_dir() -> Path | None:
    env = os.environ.get("COMMENTCARE_SHARED_DATA")
    cand = Path(env) if env else ROOT.parent / "shared" / "data"
    return cand if cand.is_dir() else None


@pytest.fixture(scope="session")
def moderator():
    from commentcare import Moderator

    m = Moderator()
    m.classifier  # noqa: B018 - load once for the whole session
    return m


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = shared_data_dir()
    if d is None:
        pytest.skip("the shared evaluation data (../shared/data) is not here")
    return d
