from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import typer.main
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


def _commands() -> list[tuple[str, Any]]:
    """Every leaf command of `platform` (typer's click objects), with its full name (`bot check`, ...)."""
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, command: Any) -> None:
        if hasattr(command, "commands"):  # a group
            for name, sub in command.commands.items():
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found.append((prefix, command))

    walk("", typer.main.get_command(app))
    return found


def test_every_command_has_a_purpose_and_every_option_a_description() -> None:
    commands = _commands()
    assert {"up", "chat", "deploy", "analytics", "bot check", "users add"} <= {name for name, _ in commands}
    undescribed = [
        f"platform {name} {param.name}"
        for name, command in commands
        for param in command.params
        if not getattr(param, "hidden", False) and not getattr(param, "help", None)
    ]
    assert [name for name, command in commands if not (command.help or "").strip()] == []
    assert undescribed == []


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        (["analytics"], "analytics.html"),  # rich reads "[default: ...]" in a help string as markup and drops it
        (["analytics"], "CAMPUSBOT_LAKE_BUCKET"),
        (["deploy"], "documents, web, smoke"),
    ],
)
def test_help_shows_what_its_strings_say(command: list[str], shown: str) -> None:
    result = runner.invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert shown in " ".join(result.output.split())
