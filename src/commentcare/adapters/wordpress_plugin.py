"""The WordPress plugin that moderates comments in real time through ``commentcare serve``.

The plugin is PHP shipped as package data; :func:`write_plugin` copies it out so that it can be
dropped into ``wp-content/plugins``. What it does is described in its ``readme.txt`` and in
``docs/serve.md``.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from commentcare._errors import InputError

__all__ = ["PLUGIN_FILES", "PLUGIN_SLUG", "write_plugin"]

PLUGIN_SLUG = "commentcare"
#: The plugin's files, inside its folder.
PLUGIN_FILES = ("commentcare.php", "readme.txt")


def write_plugin(directory: str | os.PathLike[str], *, overwrite: bool = True) -> list[Path]:
    """Write the plugin's folder (``commentcare/``) into ``directory``; returns the files written."""
    target = Path(directory) / PLUGIN_SLUG
    if target.exists() and not target.is_dir():
        raise InputError("exists and is not a directory", source=str(target))
    target.mkdir(parents=True, exist_ok=True)
    source = resources.files("commentcare") / "data" / "wordpress-plugin" / PLUGIN_SLUG
    written = []
    for name in PLUGIN_FILES:
        out = target / name
        if out.exists() and not overwrite:
            raise InputError("already exists (pass overwrite=True to replace it)", source=str(out))
        out.write_bytes((source / name).read_bytes())
        written.append(out)
    return written
