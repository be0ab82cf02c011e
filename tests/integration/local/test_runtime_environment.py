"""The bare environment the runtime starts the API and the Lambda environments with (`LocalRuntime._process_base`):
none of the shell's CAMPUSBOT_* or AWS_* variables, and the same campusbot as the supervisor's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import campusbot
from campusbot.local.runtime import LocalRuntime
from campusbot.settings import Settings


def test_the_shells_configuration_does_not_reach_the_children(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPUSBOT_TARGET", "aws")
    monkeypatch.setenv("AWS_PROFILE", "someones-real-account")
    base = LocalRuntime(Settings(data_dir=tmp_path))._process_base()
    assert not [name for name in base if name.startswith(("CAMPUSBOT_", "AWS_"))]


def test_a_child_imports_the_campusbot_the_supervisor_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout run with PYTHONPATH (or a worktree whose venv is installed from another checkout): without it, the
    children would import whatever campusbot the interpreter finds, not the code the runtime runs."""
    source = str(Path(campusbot.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", source)
    base = LocalRuntime(Settings(data_dir=tmp_path))._process_base()
    imported = subprocess.run(
        [sys.executable, "-c", "import campusbot; print(campusbot.__file__)"],
        env=base, cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert Path(imported).resolve() == Path(campusbot.__file__).resolve()
