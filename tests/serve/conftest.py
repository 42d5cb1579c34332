"""Fixtures of the server's tests: one real server with keys for the module, and its key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from .serve_support import Server, running_server

KEY = "test-key-7f3a9c"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("serve"), keys=[KEY]) as s:
        yield s


@pytest.fixture(scope="module")
def key() -> str:
    return KEY
