"""Helpers shared by the benchmarks: latency statistics, a free port, a server process."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

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
