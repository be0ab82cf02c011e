"""The runtime's supervision on real processes: a child that dies is started again after its backoff, the
restarts and the exit reason reach the state file (`platform status`), and a crash loop ends in a clear error."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from campusbot.local.runtime import Child, LocalRuntime
from campusbot.local.supervisor import GiveUp, RestartPolicy
from campusbot.settings import Settings


def runtime_with(tmp_path: Path, script: str) -> tuple[LocalRuntime, Child]:
    runtime = LocalRuntime(Settings(data_dir=tmp_path))
    runtime.paths.logs.mkdir(parents=True)
    command = [sys.executable, "-c", script]
    child = Child("flaky", 1, "/", runtime.paths.logs / "flaky.log", command, {"PATH": "/usr/bin:/bin"})
    runtime.children.append(child)
    return runtime, child


def test_a_dead_child_is_started_again_and_the_state_file_says_why(tmp_path: Path) -> None:
    marker = tmp_path / "started-once"
    # dies the first time (exit 3), then stays up
    script = f"import pathlib, sys, time\np = pathlib.Path({str(marker)!r})\nif not p.exists():\n"
    script += "    p.touch(); sys.exit(3)\ntime.sleep(60)\n"
    runtime, child = runtime_with(tmp_path, script)
    runtime.supervisor.watch("flaky", RestartPolicy(initial_delay=0.1))
    runtime._spawn(child)
    first = child.process
    assert first is not None and first.wait(timeout=20) == 3
    deadline = time.monotonic() + 20
    while child.process is first and time.monotonic() < deadline:
        runtime._supervise()
        time.sleep(0.02)
    try:
        assert child.process is not first and child.process is not None and child.process.poll() is None
        state = json.loads(runtime.paths.state_file.read_text())
        assert state["supervision"]["flaky"]["restarts"] == 1
        assert state["supervision"]["flaky"]["last_exit"] == "exit code 3"
        assert state["children"]["flaky"]["pid"] == child.process.pid
    finally:
        runtime.stop()
    assert child.process.poll() is not None


def test_a_crash_loop_gives_up_naming_the_child_and_its_last_exit(tmp_path: Path) -> None:
    runtime, child = runtime_with(tmp_path, "raise SystemExit(2)")
    runtime.supervisor.watch("flaky", RestartPolicy(initial_delay=0.01, max_delay=0.05, burst=3))
    runtime._spawn(child)
    deadline = time.monotonic() + 60
    with pytest.raises(GiveUp, match=r"flaky died 4 times within 60 s \(last: exit code 2\); giving up after 3"):
        while time.monotonic() < deadline:
            runtime._supervise()
            time.sleep(0.02)
    assert runtime.supervisor.snapshot()["flaky"]["restarts"] == 3
