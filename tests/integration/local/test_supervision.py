"""The runtime's supervision on real processes: a child that dies is started again after its backoff, the
restarts and the exit reason reach the state file (`platform status`), and a crash loop ends in a clear error."""

from __future__ import annotations

import ctypes
import json
import sys
import threading
import time
from collections.abc import Callable
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


class InjectedCrash(BaseException):
    """Raised inside a running thread from outside (CPython's PyThreadState_SetAsyncExc): it gets past the
    components' `except Exception` loops, as a bug or a MemoryError would, and ends the thread for real."""


def crash(thread: threading.Thread | None) -> None:
    assert thread is not None and thread.ident is not None and thread.is_alive()
    changed = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(InjectedCrash))
    assert changed == 1
    thread.join(timeout=20)
    assert not thread.is_alive()


def supervise_until(runtime: LocalRuntime, done: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        runtime._supervise()
        time.sleep(0.05)
    assert done(), runtime.supervisor.snapshot()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the crashes are the test
def test_threads_of_the_runtime_that_crash_are_started_again_and_status_says_why(tmp_path: Path) -> None:
    """moto's server and the S3 notifier are threads of the runtime's process: each is crashed for real and comes
    back after its backoff with its state (buckets, objects; what the notifier has seen), shown in the state file."""
    import boto3

    from campusbot.local.notifier import S3Notifier
    from campusbot.local.ports import free_port
    from campusbot.local.s3 import ensure_buckets, start_s3

    runtime = LocalRuntime(Settings(data_dir=tmp_path))
    runtime.paths.logs.mkdir(parents=True)
    runtime.s3 = start_s3("127.0.0.1", free_port())
    s3 = boto3.client(
        "s3", endpoint_url=runtime.s3.url, region_name="us-east-1", aws_access_key_id="test",
        aws_secret_access_key="test",
    )  # fmt: skip
    ensure_buckets(s3, "supervised-docs")
    s3.put_object(Bucket="supervised-docs", Key="before.md", Body=b"# before")
    delivered: list[str] = []
    runtime.notifier = S3Notifier(
        s3, "supervised-docs", lambda event: delivered.append(event["Records"][0]["s3"]["object"]["key"]),
        interval=0.2,
    ).start()  # fmt: skip
    try:
        runtime._watch_threads()
        assert runtime.threads is not None
        for name in ("s3", "notifier"):
            runtime.supervisor.watch(name).policy = RestartPolicy(initial_delay=0.2)
        supervise_until(runtime, lambda: "before.md" in delivered)

        moto_thread = runtime.s3.thread
        crash(moto_thread)
        supervise_until(runtime, lambda: runtime.supervisor.snapshot()["s3"]["restarts"] == 1)
        assert runtime.s3.thread is not moto_thread and runtime.s3.thread is not None
        # the same S3 on the same port, nothing lost
        assert s3.get_object(Bucket="supervised-docs", Key="before.md")["Body"].read() == b"# before"

        notifier_thread = runtime.notifier.thread
        crash(notifier_thread)
        supervise_until(runtime, lambda: runtime.supervisor.snapshot()["notifier"]["restarts"] == 1)
        s3.put_object(Bucket="supervised-docs", Key="after.md", Body=b"# after")
        supervise_until(runtime, lambda: "after.md" in delivered)
        assert delivered.count("before.md") == 1  # the restarted notifier did not deliver it again

        state = json.loads(runtime.paths.state_file.read_text())
        for name in ("s3", "notifier"):
            assert state["supervision"][name]["restarts"] == 1
            assert state["supervision"][name]["last_exit"].startswith("crashed: InjectedCrash"), state["supervision"]
            assert state["threads"][name] == {"alive": True}
    finally:
        runtime.stop()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the crashes are the test
def test_a_thread_that_keeps_crashing_gives_up_like_a_process(tmp_path: Path) -> None:
    from campusbot.local.supervisor import Threads

    runtime = LocalRuntime(Settings(data_dir=tmp_path))
    runtime.paths.logs.mkdir(parents=True)
    threads = runtime.threads = Threads(runtime.supervisor).install()
    current: list[threading.Thread] = []

    def broken() -> None:
        raise ValueError("broken")

    def start() -> None:
        thread = threading.Thread(target=broken, name="always-broken")
        current.append(thread)
        thread.start()
        thread.join()

    start()
    threads.watch("broken", lambda: current[-1], start)
    runtime.supervisor.watch("broken").policy = RestartPolicy(initial_delay=0.01, max_delay=0.02, burst=3)
    try:
        with pytest.raises(GiveUp, match=r"broken died 4 times within 60 s \(last: crashed: ValueError: broken\)"):
            supervise_until(runtime, lambda: False, timeout=30)
    finally:
        threads.uninstall()


def test_a_reader_never_sees_the_state_file_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`platform status` reads the state file while the supervisor rewrites it (at every restart, every change):
    it must always read a whole one, never take a torn file for a runtime that is not running."""
    import os

    from campusbot.local import runtime as runtime_module

    runtime, _ = runtime_with(tmp_path, "pass")
    big = {"environments": {f"component-{i}": {"KEY": "v" * 2000} for i in range(60)}}  # ~120 KB, as a real one
    monkeypatch.setattr(LocalRuntime, "state", lambda self: big)
    runtime.paths.pid_file.write_text(str(os.getpid()))
    runtime._save_state()
    stop = threading.Event()

    def rewrite() -> None:
        while not stop.is_set():
            runtime._save_state()

    writer = threading.Thread(target=rewrite)
    writer.start()
    try:
        reads = [runtime_module.read_state(runtime.settings) for _ in range(1000)]
    finally:
        stop.set()
        writer.join()
    assert all(read == big for read in reads), f"{sum(read is None for read in reads)} of 1000 reads saw no runtime"
    assert [p.name for p in runtime.paths.state_file.parent.glob(".*state*")] == []


def test_a_child_started_ahead_ends_on_its_closed_wiring_pipe_even_when_the_signal_is_lost(tmp_path: Path) -> None:
    """A failed start stops the children started ahead (`_spawn_ahead`) while they wait for their wiring. The
    SIGINT can be lost there (it lands in a gc callback, whose KeyboardInterrupt Python ignores): the closed pipe
    still ends them at once, as `serve --await-wiring` ends on EOF, instead of after `_terminate`'s timeout."""
    from campusbot.local.runtime import _terminate

    script = "import signal, sys\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint('ready', flush=True)\n"
    script += "sys.exit(0 if sys.stdin.readline() == '' else 5)\n"
    runtime, child = runtime_with(tmp_path, script)
    runtime._spawn(child, ahead=True)
    deadline = time.monotonic() + 20
    while "ready" not in child.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    _terminate(child, timeout=10)
    assert child.process is not None and child.process.returncode == 0, "killed after the timeout, not ended by EOF"


def test_a_supervision_round_that_fails_does_not_end_the_supervisor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The supervisor carries the TLS endpoint and the stand-ins every component uses: a round that raises (a file
    read at the wrong moment) is logged and the next round follows; only rounds failing in a row for 30 s end it."""
    import os
    import signal

    from campusbot.local import runtime as runtime_module

    runtime, _ = runtime_with(tmp_path, "pass")
    rounds: list[int] = []

    def round_(self: LocalRuntime) -> None:
        rounds.append(1)
        if len(rounds) <= 2:
            raise ValueError("a half-written file")
        os.kill(os.getpid(), signal.SIGTERM)  # then stop, as `platform down` does

    monkeypatch.setattr(LocalRuntime, "_supervise", round_)
    assert runtime.wait() == 0 and len(rounds) == 3

    def always(self: LocalRuntime) -> None:
        raise ValueError("broken for good")

    monkeypatch.setattr(LocalRuntime, "_supervise", always)
    monkeypatch.setattr(runtime_module, "SUPERVISION_FAILURES", 3)
    told: list[str] = []
    runtime.progress = told.append
    assert runtime.wait() == 1
    assert told and "3 supervision rounds failed in a row" in told[-1] and "runtime.log" in told[-1]


STOPS_WHEN_THE_OTHER_WAS_ASKED = """
import pathlib, signal, sys, time
me, other = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def stop(*_):
    me.touch()
    deadline = time.monotonic() + 5
    while not other.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    me.with_suffix(".saw").write_text(str(other.exists()))
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
me.with_suffix(".ready").touch()
time.sleep(60)
"""


def test_stopping_asks_every_child_before_it_waits_for_any(tmp_path: Path) -> None:
    """`stop` signals all the children, then waits for each: their shutdowns overlap (one after the other, the
    runtime's stop waited for each child's exit in turn). Each child here exits only once the other was asked too,
    or after 5 s, and says which."""
    runtime, first = runtime_with(tmp_path, STOPS_WHEN_THE_OTHER_WAS_ASKED)
    asked = {name: tmp_path / f"{name}.asked" for name in ("one", "two")}
    first.name, first.command = "one", [*first.command, str(asked["one"]), str(asked["two"])]
    second = Child("two", 2, "/", runtime.paths.logs / "two.log", [*first.command[:3], str(asked["two"]),
                   str(asked["one"])], first.env)  # fmt: skip
    runtime.children.append(second)
    for child in runtime.children:
        runtime._spawn(child)
    deadline = time.monotonic() + 20
    while not all(path.with_suffix(".ready").exists() for path in asked.values()) and time.monotonic() < deadline:
        time.sleep(0.02)
    runtime.stop()
    saw = {name: path.with_suffix(".saw").read_text() for name, path in asked.items()}
    assert saw == {"one": "True", "two": "True"}
    assert all(child.process is not None and child.process.returncode == 0 for child in runtime.children)
