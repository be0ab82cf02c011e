"""Helpers shared by the benchmarks: latency statistics, a free port, a server process, a local runtime of their own."""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Stats:
    name: str
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    rps: float

    def row(self) -> str:
        return (
            f"{self.name:<44} {self.count:>6} {self.p50_ms:>8.2f} {self.p95_ms:>8.2f} {self.p99_ms:>8.2f} "
            f"{self.rps:>9.1f}"
        )


HEADER = f"{'measurement':<44} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>9}"


def stats(name: str, latencies_s: list[float], wall_s: float) -> Stats:
    ordered = sorted(latencies_s)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return Stats(name, len(ordered), q[49] * 1000, q[94] * 1000, q[98] * 1000, len(ordered) / wall_s)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PLATFORM = [sys.executable, "-m", "campusbot.cli.main"]


@dataclass(frozen=True)
class RuntimeEnvironment:
    """What `platform` needs to run a local runtime of a benchmark's own: its data dir and free ports (none of the
    shell's CAMPUSBOT_* settings or AWS endpoints), and where its API and gateway answer."""

    env: dict[str, str]
    api_port: int
    gateway_port: int

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def chat_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}/chat"


def runtime_environment(data_dir: Path, **settings: str) -> RuntimeEnvironment:
    """A runtime in `data_dir` on four free ports; `settings`: more CAMPUSBOT_* variables for it."""
    api, emulator, gateway, s3 = (free_port() for _ in range(4))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPUSBOT_", "AWS_ENDPOINT_URL"))}
    env.update({
        "CAMPUSBOT_DATA_DIR": str(data_dir), "CAMPUSBOT_API_PORT": str(api),
        "CAMPUSBOT_API_URL": f"http://127.0.0.1:{api}", "CAMPUSBOT_EMULATOR_PORT": str(emulator),
        "CAMPUSBOT_GATEWAY_PORT": str(gateway), "CAMPUSBOT_S3_PORT": str(s3), **settings,
    })  # fmt: skip
    return RuntimeEnvironment(env, api, gateway)


def runtime_cpu_seconds(data_dir: Path) -> dict[str, float]:
    """CPU seconds (user + system) used so far by the supervisor and each child of the runtime in `data_dir`."""
    import json

    import psutil

    state = json.loads((data_dir / "runtime.json").read_text())
    processes = [("supervisor", state["pid"])] + [(n, c["pid"]) for n, c in state["children"].items() if c["pid"]]
    used = {}
    for name, pid in processes:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:
            continue
        used[name] = times.user + times.system
    postmaster = data_dir / "pg" / "postmaster.pid"
    if postmaster.exists():  # the server and its backends, the ones that ended too (reaped by the postmaster)
        try:
            server = psutil.Process(int(postmaster.read_text().split()[0]))
            times = server.cpu_times()
            seconds = times.user + times.system + times.children_user + times.children_system
            for backend in server.children():
                with contextlib.suppress(psutil.NoSuchProcess):
                    seconds += sum(backend.cpu_times()[:2])
            used["postgres"] = seconds
        except (psutil.NoSuchProcess, ValueError, IndexError):
            pass
    return used


def start_server(
    argv: list[str], health_url: str, env: dict[str, str], timeout: float = 120
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, *argv], env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(health_url, timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{health_url} did not come up")
