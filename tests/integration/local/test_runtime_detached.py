"""`platform up --detach` forks the CLI into the supervisor (`runtime._fork_detached`): the child gets its own
session, /dev/null for stdin and the log for stdout and stderr, and ends with its run's exit code through the usual
exit (exit handlers run); the CLI watches it as a Popen. Real forks, in a process of their own (a fork of pytest
would run pytest's own teardown in the child)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FORK = """
import atexit, os, sys, time
from pathlib import Path
from campusbot.local.runtime import _fork_detached
print("the CLI printed this before the fork", end="")  # still buffered: the child must not print it again
def run():
    atexit.register(lambda: print("exit handlers ran", file=sys.stderr))
    stdin = sys.stdin.read()
    print(f"pid {os.getpid()} session {os.getsid(0)} stdin {stdin!r} {os.environ['CAMPUSBOT_RUNTIME_DETACHED']}")
    if sys.argv[2] == "raise":
        raise ValueError("an unexpected error")
    return 3
child = _fork_detached(Path(sys.argv[1]), run)
while (code := child.poll()) is None:
    time.sleep(0.01)
print(f" | child {child.pid} ended with {code}")
"""


def _fork(tmp_path: Path, mode: str) -> tuple[str, str]:
    log = tmp_path / "runtime.log"
    log.write_text("an earlier start\n")
    done = subprocess.run(
        [sys.executable, "-c", FORK, str(log), mode], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout, log.read_text()


def test_the_child_has_its_own_session_the_log_and_its_runs_exit_code(tmp_path: Path) -> None:
    stdout, log = _fork(tmp_path, "return")
    printed, ended = stdout.split(" | ")
    assert printed == "the CLI printed this before the fork"  # once: the child did not flush the CLI's buffer again
    pid = ended.split()[1]
    assert ended.strip() == f"child {pid} ended with 3"
    assert log.splitlines() == [
        "an earlier start",  # appended to, never truncated
        f"pid {pid} session {pid} stdin '' 1",
        "exit handlers ran",
    ]


def test_an_unexpected_error_in_the_child_is_in_the_log_and_its_exit_code_is_1(tmp_path: Path) -> None:
    stdout, log = _fork(tmp_path, "raise")
    assert stdout.split(" | ")[1].strip().endswith("ended with 1")
    assert "Traceback (most recent call last)" in log and "ValueError: an unexpected error" in log
    assert log.rstrip().endswith("exit handlers ran")


LEAVES_A_ZOMBIE = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "pass"])
print(child.pid, flush=True)
time.sleep(60)  # never reaps it: the child stays a zombie, as an ended supervisor does until init reaps it
"""


def test_a_process_that_exited_has_ended_even_before_its_parent_reaps_it() -> None:
    """`platform down` waits for the supervisor with `has_ended`: a zombie counts as ended (waiting for the
    reaping took about 2 s on these machines, whose init reaps late), a running process does not."""
    import psutil

    from campusbot.local.runtime import has_ended

    parent = subprocess.Popen([sys.executable, "-c", LEAVES_A_ZOMBIE], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        zombie = psutil.Process(int(parent.stdout.readline()))
        assert has_ended(zombie, timeout=20) and zombie.status() == psutil.STATUS_ZOMBIE
        assert not has_ended(psutil.Process(parent.pid), timeout=0.2)
    finally:
        parent.kill()
        parent.wait(timeout=10)
