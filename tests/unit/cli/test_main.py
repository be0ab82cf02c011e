from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from campusbot.cli.main import app

runner = CliRunner()


def test_help_lists_every_command_with_one_line() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("doctor", "seed", "api"):
        assert command in result.output


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage" in result.output


def test_unknown_command_fails_with_a_message() -> None:
    result = runner.invoke(app, ["launch-rockets"])
    assert result.exit_code != 0
    assert "No such command" in result.output


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys; from campusbot.cli.main import app; "
        "heavy = [m for m in ('sqlalchemy', 'fastapi', 'boto3', 'torch', 'uvicorn', 'asyncpg') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
