"""`platform seed` against a real database: progress on stderr, the report on stdout, idempotent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.conftest import scratch_database
from typer.testing import CliRunner

from campusbot.cli.main import app
from campusbot.settings import Settings, get_settings


@pytest.fixture
def seed_db(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = scratch_database(settings, "cli_seed")
    monkeypatch.setenv("CAMPUSBOT_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_seed_twice_then_reset(seed_db: str) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["seed", "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["university"]["inserted"] >= 200 and report["student_registration"]["inserted"] >= 1000

    second = runner.invoke(app, ["seed"])
    assert second.exit_code == 0
    assert "nothing changed" in second.stderr
    assert "unchanged" in second.stdout

    reset = runner.invoke(app, ["seed", "--reset", "--json"])
    assert reset.exit_code == 0
    assert json.loads(reset.stdout)["university"]["inserted"] == report["university"]["inserted"]


def test_seed_reports_an_unreachable_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPUSBOT_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["seed"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "error: database not available" in result.stderr
