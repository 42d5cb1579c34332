"""No module reaches into another package's private modules: packages talk through public names.

Every import of every module under ``src/commentcare`` is read with ``ast`` (lazy imports inside
functions included). A private module ``a.b._c`` belongs to the package ``a.b``; only modules
inside ``a.b`` may import it, or import ``_c`` from ``a.b``. ``commentcare._errors`` and its
siblings belong to ``commentcare`` itself, so every module may use them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _private_owner(dotted: str) -> str | None:
    """The package that owns the first private part of ``dotted`` (None: nothing private)."""
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def cross_package_private_imports(path: Path) -> list[str]:
    """The imports of ``path`` that name a private module of a package it is not part of."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # the module itself, or else each name taken from it (``from a import _b``)
            private = _private_owner(node.module) is not None
            targets = [node.module] if private else [f"{node.module}.{a.name}" for a in node.names]
        for target in targets:
            if not target.startswith("commentcare"):
                continue
            owner = _private_owner(target)
            if owner is not None and not (package == owner or package.startswith(owner + ".")):
                found.append(f"line {node.lineno}: {target}")
    return found


MODULES = sorted(SRC.glob("commentcare/**/*.py"))

#: Modules allowed to fail this test, with the reason (none: every import is public).
PENDING: dict[str, str] = {}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason=PENDING[m], strict=True))
        if (m := _module_name(p)) in PENDING
        else p
        for p in MODULES
    ],
    ids=[_module_name(p) for p in MODULES],
)
def test_no_module_imports_another_packages_private_module(path: Path) -> None:
    assert cross_package_private_imports(path) == []


def test_the_check_sees_every_kind_of_import(tmp_path: Path) -> None:
    fake = SRC / "commentcare" / "io" / "_probe_for_the_test.py"
    fake.write_text(
        "import commentcare.model._text\n"
        "from commentcare.model._store import load_model\n"
        "from commentcare.model import _training\n"
        "from commentcare.io._formats import Format\n"  # its own package: allowed
        "from commentcare._errors import InputError\n"  # the root package's: allowed
        "def f():\n    from commentcare.moderation._review import triage\n",
        encoding="utf-8",
    )
    try:
        found = cross_package_private_imports(fake)
    finally:
        fake.unlink()
    assert [f.split(": ")[1] for f in found] == [
        "commentcare.model._text",
        "commentcare.model._store",
        "commentcare.model._training",
        "commentcare.moderation._review",
    ]
