"""`platform up` that cannot start: one clear `error:` line from the real CLI, never a traceback on the terminal.
A port is held by a real listening socket; an unexpected error keeps its traceback in the log the line names."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port something else listens on (accepts connections, never answers HTTP): not LocalStack."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def _environment(data_dir: Path, **ports: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPUSBOT_", "AWS_ENDPOINT_URL"))}
    chosen = {name: ports.get(name) or _free_port() for name in ("api", "emulator", "gateway", "s3")}
    env.update({
        "CAMPUSBOT_DATA_DIR": str(data_dir), "CAMPUSBOT_API_PORT": str(chosen["api"]),
        "CAMPUSBOT_EMULATOR_PORT": str(chosen["emulator"]), "CAMPUSBOT_GATEWAY_PORT": str(chosen["gateway"]),
        "CAMPUSBOT_S3_PORT": str(chosen["s3"]),
    })  # fmt: skip
    return env


def _up(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "campusbot.cli.main", "up", *args], env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip


def _error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr
    return [line for line in done.stderr.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize("detach", [True, False], ids=["detached", "foreground"])
def test_a_taken_s3_port_is_one_clear_line(tmp_path: Path, held_port: int, detach: bool) -> None:
    done = _up(_environment(tmp_path, s3=held_port), *(["--detach"] if detach else []))
    errors = _error_lines(done)
    assert len(errors) == 1, done.stderr
    assert f"port {held_port}" in errors[0] and "CAMPUSBOT_S3_PORT" in errors[0] and "not LocalStack" in errors[0]
    assert not (tmp_path / "pg").exists()  # refused before anything started


def test_a_taken_gateway_port_is_one_clear_line(tmp_path: Path, held_port: int) -> None:
    errors = _error_lines(_up(_environment(tmp_path, gateway=held_port), "--detach"))
    assert errors == [f"error: port {held_port} (gateway) is in use: is the runtime already up (`platform status`)?"]


def test_an_unexpected_error_is_one_line_naming_the_log_that_holds_its_traceback(tmp_path: Path) -> None:
    (tmp_path / "tls").write_text("a file where the runtime keeps its certificates folder")
    done = _up(_environment(tmp_path), "--detach")
    errors = _error_lines(done)
    log = tmp_path / "logs" / "runtime.log"
    assert len(errors) == 1 and "the runtime failed to start (FileExistsError" in errors[0], done.stderr
    assert str(log.resolve()) in errors[0]
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "FileExistsError" in text


def test_the_detached_runtimes_log_has_no_terminal_colours_when_up_runs_in_a_terminal(
    tmp_path: Path, held_port: int
) -> None:
    """`platform up --detach` in a terminal forks the runtime, whose output goes to its log: the consoles are made
    again there, so the log has no escape codes (the terminal still gets its coloured `error:` line)."""
    import pty

    terminal, tty = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "campusbot.cli.main", "up", "--detach"],
            env={**_environment(tmp_path, gateway=held_port), "TERM": "xterm-256color"},
            stdout=subprocess.PIPE, stderr=tty, timeout=300, check=False,
        )  # fmt: skip
        shown = os.read(terminal, 65536).decode(errors="replace")
    finally:
        os.close(tty)
        os.close(terminal)
    assert done.returncode == 1
    assert "\x1b[" in shown and f"port {held_port} (gateway) is in use" in shown  # a terminal: colours
    log = (tmp_path / "logs" / "runtime.log").read_text()
    assert f"error: port {held_port} (gateway) is in use" in log
    assert "\x1b[" not in log, log
