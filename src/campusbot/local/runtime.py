"""`platform up`: the whole local runtime, no Docker, no AWS account.

    embedded PostgreSQL (RDS)      unix socket in .campusbot/pg, migrated, seeded on first start
    moto S3 server (S3)            :4566, or LocalStack when it answers there
    data API (ECS service)         :8000   child process
    AWS emulator (Lex, Bedrock)    :4567   child process; invokes the fulfillment Lambda in-process
    API Gateway emulator           :3000   child process; invokes the lex_proxy Lambda in-process
    S3 notifier (bucket → Lambda)  thread; delivers S3 events to the vectorizer Lambda
    DMS stand-in (RDS → lake)      thread; full load, then changes, into s3://<lake>/dms/ (local/dms.py)

The supervisor (this module) owns the database handle and moto, starts the children with the environment
that points every boto3 client at the stand-ins, waits until each answers its health check, and stops them
all (reverse order) on Ctrl-C, SIGTERM (`platform down`) or when one of them dies.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from campusbot.settings import Settings

Progress = Callable[[str], None]
HOST = "127.0.0.1"


class RuntimeStartError(RuntimeError):
    """The runtime could not start; the message says what and where its log is."""


@dataclass
class Child:
    name: str
    port: int
    health_path: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


@dataclass
class Paths:
    root: Path

    @property
    def pid_file(self) -> Path:
        return self.root / "runtime.pid"

    @property
    def state_file(self) -> Path:
        return self.root / "runtime.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


@dataclass
class LocalRuntime:
    settings: Settings
    progress: Progress = lambda _message: None
    children: list[Child] = field(default_factory=list)
    database_url: str = ""
    s3: Any = None
    notifier: Any = None
    dms: Any = None
    _stopping: bool = False

    @property
    def paths(self) -> Paths:
        return Paths(self.settings.data_dir.resolve())

    # start -------------------------------------------------------------------------------------------------
    def start(self) -> dict[str, Any]:
        self.paths.logs.mkdir(parents=True, exist_ok=True)
        self._check_ports()
        self._start_database()
        self._start_s3()
        env = self._child_env()
        os.environ.update(env)
        for name, port, health in [
            ("api", self.settings.api_port, "/healthz"),
            ("emulator", self.settings.emulator_port, "/_campusbot/health"),
            ("gateway", self.settings.gateway_port, "/_campusbot/health"),
        ]:
            child = Child(name, port, health, self.paths.logs / f"{name}.log")
            self.children.append(child)
            self._spawn(child, env)
            self._wait_healthy(child)
        self._start_notifier()
        self._start_dms()
        state = self.state()
        self.paths.state_file.write_text(json.dumps(state, indent=2))
        self.paths.pid_file.write_text(str(os.getpid()))
        return state

    def state(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "endpoints": {
                "chat": f"http://{HOST}:{self.settings.gateway_port}/chat",
                "api": f"http://{HOST}:{self.settings.api_port}",
                "aws emulator (Lex, Bedrock)": f"http://{HOST}:{self.settings.emulator_port}",
                f"s3 ({self.s3.provider if self.s3 else '?'})": self.s3.url if self.s3 else "",
                "postgres": self.database_url.split("@", 1)[-1],
            },
            "children": {c.name: {"pid": c.process.pid if c.process else None, "url": c.url} for c in self.children},
            "buckets": [self.settings.docs_bucket, self.settings.lake_bucket],
            "logs": str(self.paths.logs),
        }

    def _check_ports(self) -> None:
        from campusbot.local.s3 import port_in_use

        for name, port in [
            ("API", self.settings.api_port),
            ("AWS emulator", self.settings.emulator_port),
            ("gateway", self.settings.gateway_port),
        ]:
            if port_in_use(HOST, port):
                raise RuntimeStartError(
                    f"port {port} ({name}) is in use: is the runtime already up (`platform status`)?"
                )

    def _start_database(self) -> None:
        from campusbot.bootstrap import resolve_database_url
        from campusbot.db import migrate

        self.progress("database: starting" + (" embedded PostgreSQL" if self.settings.uses_embedded_database else ""))
        self.database_url = resolve_database_url(self.settings)
        migrate.upgrade(self.database_url)
        seeded = asyncio.run(_seed_if_empty(self.settings, self.database_url))
        self.progress("database: migrated" + (", seeded (first start)" if seeded else ", data kept"))

    def _start_s3(self) -> None:
        import boto3

        from campusbot.local.s3 import ensure_buckets, start_s3

        self.s3 = start_s3(HOST, self.settings.s3_port)
        client = boto3.client(
            "s3",
            endpoint_url=self.s3.url,
            region_name=self.settings.region,
            aws_access_key_id=_fake("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=_fake("AWS_SECRET_ACCESS_KEY"),
        )
        ensure_buckets(client, self.settings.docs_bucket, self.settings.lake_bucket)
        self.progress(f"s3: {self.s3.provider} on {self.s3.url}, buckets ready")

    def _child_env(self) -> dict[str, str]:
        emulator = f"http://{HOST}:{self.settings.emulator_port}"
        return {
            "CAMPUSBOT_TARGET": "local",
            "CAMPUSBOT_DATABASE_URL": self.database_url,
            "CAMPUSBOT_DATA_DIR": str(self.settings.data_dir.resolve()),
            "CAMPUSBOT_API_URL": f"http://{HOST}:{self.settings.api_port}",
            "AWS_ENDPOINT_URL_S3": self.s3.url,
            "AWS_ENDPOINT_URL_LEX_RUNTIME_V2": emulator,
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": emulator,
            "AWS_ACCESS_KEY_ID": _fake("AWS_ACCESS_KEY_ID"),
            "AWS_SECRET_ACCESS_KEY": _fake("AWS_SECRET_ACCESS_KEY"),
            "AWS_DEFAULT_REGION": self.settings.region,
            "AWS_REGION": self.settings.region,
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
        }

    def _spawn(self, child: Child, env: dict[str, str]) -> None:
        self.progress(f"{child.name}: starting on {child.url}")
        log = child.log_path.open("ab")
        child.process = subprocess.Popen(
            [sys.executable, "-m", "campusbot.local.serve", child.name, "--port", str(child.port)],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def _wait_healthy(self, child: Child, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        assert child.process is not None
        while time.monotonic() < deadline:
            if child.process.poll() is not None:
                raise RuntimeStartError(f"{child.name} exited while starting:\n{_tail(child.log_path)}")
            try:
                if httpx.get(child.url + child.health_path, timeout=1).status_code == 200:
                    self.progress(f"{child.name}: ready")
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeStartError(
            f"{child.name} did not answer {child.health_path} in {timeout:.0f} s:\n{_tail(child.log_path)}"
        )

    def _start_notifier(self) -> None:
        from campusbot.bootstrap import build_s3_client
        from campusbot.lambdas import vectorizer
        from campusbot.local.lambda_runtime import LambdaContext
        from campusbot.local.notifier import S3Notifier
        from campusbot.local.s3 import BucketMirror

        s3 = build_s3_client(self.settings)
        bucket = self.settings.docs_bucket
        # moto forgets objects on restart: keep the docs bucket on disk (LocalStack persists by itself)
        mirror = BucketMirror(s3, bucket, self.paths.root / "s3") if self.s3.provider == "moto" else None
        if mirror is not None:
            self.progress(f"s3: {mirror.restore()} document(s) restored into s3://{bucket}")

        def deliver(event: dict[str, Any]) -> Any:
            if mirror is not None:
                mirror.apply(event)
            return vectorizer.handler(event, LambdaContext("campusbot-vectorizer", timeout_seconds=900))

        baseline = vectorizer.known_objects(bucket)
        self.notifier = S3Notifier(
            s3,
            bucket,
            deliver,
            region=self.settings.region,
            baseline=baseline,
            interval=self.settings.notifier_interval_seconds,
        ).start()
        self.progress(f"notifier: s3://{bucket} → vectorizer ({len(baseline)} documents indexed)")

    def _start_dms(self) -> None:
        from campusbot.analytics import layout
        from campusbot.bootstrap import build_s3_client
        from campusbot.local.dms import LocalDms

        dms = layout.load().dms
        self.dms = LocalDms(
            self.database_url,
            build_s3_client(self.settings),
            self.settings.lake_bucket,
            dms,
            interval=self.settings.dms_interval_seconds,
        )
        tables = len(self.dms.start().tables)
        self.progress(
            f"dms: {tables} tables → s3://{self.settings.lake_bucket}/{dms.folder}/ (full load, then changes)"
        )

    # run and stop --------------------------------------------------------------------------------------------
    def wait(self) -> int:
        """Block until a signal (returns 0) or a child dies (returns 1)."""
        stop = {"signal": False}

        def on_signal(_signum: int, _frame: object) -> None:
            stop["signal"] = True

        previous = signal.signal(signal.SIGTERM, on_signal)
        try:
            while not stop["signal"]:
                for child in self.children:
                    if child.process is not None and child.process.poll() is not None:
                        self.progress(f"{child.name} exited ({child.process.returncode}):\n{_tail(child.log_path)}")
                        return 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
        return 0

    def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        if self.notifier is not None:
            self.notifier.stop()
        if self.dms is not None:
            self.dms.stop()
        for child in reversed(self.children):
            _terminate(child)
            self.progress(f"{child.name}: stopped")
        if self.s3 is not None:
            self.s3.stop()
        for path in (self.paths.state_file, self.paths.pid_file):
            path.unlink(missing_ok=True)
        self.progress("runtime stopped")


async def _seed_if_empty(settings: Settings, url: str) -> bool:
    from sqlalchemy import text

    from campusbot.bootstrap import build_database
    from campusbot.db.seed.data import build_seed
    from campusbot.db.seed.load import load

    database = build_database(settings, url)
    try:
        async with database.engine.connect() as conn:
            if await conn.scalar(text("SELECT EXISTS (SELECT 1 FROM university)")):
                return False
        await load(database.engine, build_seed(settings.seed_random))
        return True
    finally:
        await database.dispose()


def _terminate(child: Child, timeout: float = 15) -> None:
    process = child.process
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _fake(_name: str) -> str:
    """Local stand-ins accept any credentials; never send someone's real ones to them."""
    return "campusbot-local"


def _tail(path: Path, lines: int = 25) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# The detached runtime and its control files ---------------------------------------------------------------
def running_pid(settings: Settings) -> int | None:
    """The supervisor's pid when a runtime for this data dir is up, else None (stale files are removed)."""
    paths = Paths(settings.data_dir.resolve())
    try:
        pid = int(paths.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        paths.pid_file.unlink(missing_ok=True)
        paths.state_file.unlink(missing_ok=True)
        return None
    except PermissionError:
        pass
    return pid


def read_state(settings: Settings) -> dict[str, Any] | None:
    if running_pid(settings) is None:
        return None
    try:
        state: dict[str, Any] = json.loads(Paths(settings.data_dir.resolve()).state_file.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return state


def start_detached(settings: Settings, timeout: float = 300) -> dict[str, Any]:
    """Start the supervisor in its own session, logging to a file, and wait until it reports ready."""
    paths = Paths(settings.data_dir.resolve())
    paths.logs.mkdir(parents=True, exist_ok=True)
    log_path = paths.logs / "runtime.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "campusbot.cli.main", "up"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "CAMPUSBOT_RUNTIME_DETACHED": "1"},
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeStartError(f"the runtime exited while starting:\n{_tail(log_path)}")
        state = read_state(settings)
        if state is not None and state.get("pid") == process.pid:
            return state
        time.sleep(0.3)
    process.terminate()
    raise RuntimeStartError(f"the runtime did not come up in {timeout:.0f} s:\n{_tail(log_path)}")


def stop_detached(settings: Settings, timeout: float = 60) -> bool:
    """SIGTERM the supervisor and wait until its process has ended (its database stopped with it);
    False when nothing was running."""
    import psutil

    pid = running_pid(settings)
    if pid is None:
        return False
    try:
        process = psutil.Process(pid)
        process.terminate()
        process.wait(timeout=timeout)
    except psutil.NoSuchProcess:
        pass
    except psutil.TimeoutExpired:
        process.kill()
    return True


def health(state: dict[str, Any]) -> dict[str, str]:
    """Each child's health right now (ok / down)."""
    result = {}
    paths = {"api": "/healthz", "emulator": "/_campusbot/health", "gateway": "/_campusbot/health"}
    for name, child in state.get("children", {}).items():
        try:
            ok = httpx.get(child["url"] + paths.get(name, "/"), timeout=1).status_code == 200
        except httpx.HTTPError:
            ok = False
        result[name] = "ok" if ok else "down"
    return result
