"""Joining the embedded server tolerates a slow `pg_ctl start` (the library's 10 s limit) and reports real
failures with the server log."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from campusbot.local.postgres import EmbeddedPostgresError, _join_or_start


class FakeLibrary:
    def __init__(self, *outcomes: object) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def get_server(self, pgdata: Path, cleanup_mode: str) -> Any:
        self.calls += 1
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def test_a_slow_start_is_waited_for(tmp_path: Path) -> None:
    library = FakeLibrary(subprocess.TimeoutExpired("pg_ctl", 10), "server")
    assert _join_or_start(library, tmp_path) == "server" and library.calls == 2


def test_a_server_that_never_comes_up_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "log").write_text("FATAL:  could not create shared memory segment")
    library = FakeLibrary(*[subprocess.TimeoutExpired("pg_ctl", 10)] * 3)
    with pytest.raises(EmbeddedPostgresError) as raised:
        _join_or_start(library, tmp_path)
    assert "did not start" in str(raised.value) and "shared memory" in str(raised.value)


def test_a_failing_start_is_not_retried(tmp_path: Path) -> None:
    library = FakeLibrary(subprocess.CalledProcessError(1, "pg_ctl"), "never")
    with pytest.raises(EmbeddedPostgresError, match="failed to start"):
        _join_or_start(library, tmp_path)
    assert library.calls == 1
