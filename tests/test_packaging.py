"""Packaging contracts: public names, declared dependencies, logging, and no global side effects."""

from __future__ import annotations

import csv
import importlib
import io
import logging
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_PACKAGES = [
    "commentcare",
    "commentcare.io",
    "commentcare.model",
    "commentcare.moderation",
    "commentcare.testing",
    "commentcare.dask",
]


def _pyproject() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _isort_order(name: str) -> tuple[int, str]:
    """The order ruff keeps ``__all__`` in (RUF022): CONSTANTS, then Classes, then the rest."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


@pytest.mark.parametrize("name", PUBLIC_PACKAGES)
def test_all_is_sorted_complete_and_importable(name: str) -> None:
    module = importlib.import_module(name)
    names = list(module.__all__)
    assert names == sorted(names, key=_isort_order), f"{name}.__all__ is not sorted"
    assert len(set(names)) == len(names)
    for n in names:
        assert getattr(module, n) is not None, f"{name}.{n} does not resolve"
    # complete: every public class or function the package defines (in itself or a private module)
    defined = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_")
        and not isinstance(v, types.ModuleType)
        and (isinstance(v, type) or callable(v))
        and (getattr(v, "__module__", "") + ".").startswith(name + ".")
    }
    assert defined - set(names) == set(), f"public names missing from {name}.__all__"


def test_urllib3_2_is_declared() -> None:
    deps = _pyproject()["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith("urllib3>=2") for d in deps)


def test_the_dev_group_is_the_test_extra() -> None:
    project = _pyproject()
    assert project["dependency-groups"]["dev"] == project["project"]["optional-dependencies"]["test"]


def test_requires_python_is_what_ci_runs() -> None:
    lowest = _pyproject()["project"]["requires-python"].removeprefix(">=")
    assert tuple(map(int, lowest.split("."))) <= sys.version_info[:2]
    assert "python3" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_package_logger_has_a_null_handler() -> None:
    import commentcare  # noqa: F401

    handlers = logging.getLogger("commentcare").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_reading_a_csv_leaves_the_field_size_limit_alone() -> None:
    from commentcare.io import read_comments

    before = csv.field_size_limit()
    data = b"text,author\n" + b'"' + b"x" * (before + 10) + b'",dana\n'
    comments = list(read_comments(io.BytesIO(data), "csv"))
    assert len(comments[0].text) == before + 10
    assert csv.field_size_limit() == before
