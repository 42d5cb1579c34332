"""``commentcare wordpress plugin -o DIR`` writes the plugin shipped as package data."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from commentcare import InputError
from commentcare.adapters.wordpress_plugin import PLUGIN_FILES, write_plugin
from commentcare.cli import main


def test_cli_writes_the_plugin_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["wordpress", "plugin", "-o", str(tmp_path)]) == 0
    folder = tmp_path / "commentcare"
    assert sorted(p.name for p in folder.iterdir()) == sorted(PLUGIN_FILES)
    php = (folder / "commentcare.php").read_text(encoding="utf-8")
    assert "Plugin Name:       commentcare" in php
    for hook in ("pre_comment_approved", "comment_post", "transition_comment_status",
                 "manage_edit-comments_columns", "manage_comments_custom_column"):  # fmt: skip
        assert f"'{hook}'" in php
    assert "activate it under Plugins" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("php") is None, reason="no PHP here")
def test_the_plugin_is_valid_php(tmp_path: Path) -> None:
    (php_file,) = (p for p in write_plugin(tmp_path) if p.suffix == ".php")
    done = subprocess.run(["php", "-l", str(php_file)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_file_in_the_way_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "commentcare").write_text("not a folder", encoding="utf-8")
    with pytest.raises(InputError, match="not a directory"):
        write_plugin(tmp_path)
    assert main(["wordpress", "plugin", "-o", str(tmp_path)]) == 2
