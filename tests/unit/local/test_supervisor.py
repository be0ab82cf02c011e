"""Restart bookkeeping: backoff, reset after a stable run, the give-up limit, exit reasons, on a real process."""

from __future__ import annotations

import subprocess
import sys

import pytest

from campusbot.local.supervisor import GiveUp, RestartPolicy, Supervisor, describe_exit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_up_to_the_limit_and_a_restart_is_due_only_after_it() -> None:
    clock = Clock()
    supervisor = Supervisor(clock, wall=lambda: 0.0)
    supervisor.watch("api", RestartPolicy(initial_delay=0.5, max_delay=4, burst=10))
    delays = []
    for _ in range(5):
        clock.now += 1
        delays.append(supervisor.died("api", "exit code 1"))
        assert not supervisor.due("api")
        clock.now += delays[-1]
        assert supervisor.due("api")
        supervisor.started("api")
    assert delays == [0.5, 1.0, 2.0, 4.0, 4.0]
    snapshot = supervisor.snapshot()["api"]
    assert snapshot == {"restarts": 5, "last_exit": "exit code 1", "last_exit_at": "1970-01-01T00:00:00Z",
                        "restarting": False}  # fmt: skip


def test_a_stable_run_resets_the_backoff() -> None:
    clock = Clock()
    supervisor = Supervisor(clock)
    supervisor.watch("emulator", RestartPolicy(stable_after=30))
    assert supervisor.died("emulator", "killed by SIGKILL") == 0.5
    supervisor.started("emulator")
    assert supervisor.died("emulator", "killed by SIGKILL") == 1.0
    supervisor.started("emulator")
    clock.now += 31
    assert supervisor.died("emulator", "killed by SIGKILL") == 0.5


def test_a_crash_loop_gives_up_with_a_clear_error() -> None:
    clock = Clock()
    supervisor = Supervisor(clock)
    supervisor.watch("gateway", RestartPolicy(burst=3, interval=60))
    for _ in range(3):
        supervisor.died("gateway", "exit code 2")
        supervisor.started("gateway")
        clock.now += 5
    with pytest.raises(GiveUp, match=r"gateway died 4 times within 60 s \(last: exit code 2\); giving up after 3"):
        supervisor.died("gateway", "exit code 2")


def test_deaths_outside_the_interval_do_not_count() -> None:
    clock = Clock()
    supervisor = Supervisor(clock)
    supervisor.watch("gateway", RestartPolicy(burst=2, interval=10))
    for _ in range(6):
        supervisor.died("gateway", "exit code 2")
        supervisor.started("gateway")
        clock.now += 11


def test_exit_reasons_of_real_processes() -> None:
    exited = subprocess.run([sys.executable, "-c", "raise SystemExit(3)"], check=False)
    assert describe_exit(exited.returncode) == "exit code 3"
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    killed.kill()
    assert describe_exit(killed.wait()) == "killed by SIGKILL"
    assert describe_exit(-99) == "killed by signal 99"
