"""`platform up` to the first answered chat: a cold start (fresh data dir: PostgreSQL initdb, migrations, seed, the
intent recognizer's training encodings computed and cached) and warm starts (the same data dir again: everything
derived from the bot definition and the model read back from `<data dir>/cache`).

Runs its own runtime on free ports in a temp dir; each figure is from the start of `platform up --detach` to the
first `POST /chat` answered with a fulfilled intent, split into `up` (until the command returns) and the first
answer after it.

    .venv/bin/python bench/runtime_start.py [--warm 2] [--steps]

--steps prints when each line of the supervisor's log appeared (its progress: one line per step), which shows where
a start spends its time, and the CPU seconds each process of the runtime had used when the first chat was answered
(the machine is shared: wall time depends on the load, printed with each start; CPU time much less).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PLATFORM, runtime_cpu_seconds, runtime_environment

DEADLINE_S = 600
Steps = list[tuple[float, str]]


class LogTimes:
    """When each line of the supervisor's log (its progress: one line per step) appeared, from the start."""

    def __init__(self, path: Path, began: float) -> None:
        self.path, self.began = path, began
        self.lines: Steps = []
        self.offset = path.stat().st_size if path.exists() else 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        while not self._stop.is_set():
            if self.path.exists():
                with self.path.open("rb") as log:
                    log.seek(self.offset)
                    for raw in log.read().splitlines():
                        self.lines.append((time.perf_counter() - self.began, raw.decode(errors="replace")))
                    self.offset = log.tell()
            time.sleep(0.02)

    def stop(self) -> Steps:
        self._stop.set()
        self._thread.join()
        return self.lines


def start(
    cli: list[str], env: dict[str, str], chat_url: str, log: Path
) -> tuple[float, float, list[tuple[float, str]]]:
    began = time.perf_counter()
    times = LogTimes(log, began)
    subprocess.run([*cli, "up", "--detach"], env=env, check=True, capture_output=True)
    up = time.perf_counter() - began
    last = ""
    with httpx.Client(timeout=30) as http:
        while time.perf_counter() - began < DEADLINE_S:
            try:
                response = http.post(chat_url, json={"message": "tell me about ETH Zurich"})
                last = response.text[:300]
                if response.status_code == 200 and response.json().get("state") == "Fulfilled":
                    answered = time.perf_counter() - began
                    return up, answered, [*times.stop(), (answered, "first chat answered")]
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.05)
    raise SystemExit(f"no answered chat within {DEADLINE_S} s; last answer: {last}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=2, help="warm starts after the cold one")
    parser.add_argument("--steps", action="store_true", help="print when each step of each start was logged")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="campusbot-start-bench-"))
    runtime = runtime_environment(data_dir)
    env, cli, chat_url = runtime.env, PLATFORM, runtime.chat_url
    print(f"platform up → first answered chat; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    try:
        for run in range(1 + args.warm):
            label = "cold (fresh data dir)" if run == 0 else f"warm #{run} (same data dir)"
            load = os.getloadavg()[0]
            cpu: list[tuple[str, float]] = []
            try:
                up, answered, steps = start(cli, env, chat_url, data_dir / "logs" / "runtime.log")
                cpu = list(runtime_cpu_seconds(data_dir).items())
            finally:
                subprocess.run([*cli, "down"], env=env, check=False, capture_output=True)
            print(
                f"  {label:<28} first answer {answered:6.1f} s  (up {up:.1f} s + first turn {answered - up:.1f} s)  "
                f"load {load:.1f}"
            )
            if args.steps:
                for at, line in steps:
                    if not line.startswith(("┏", "┃", "┡", "│", "└")):  # the endpoints table
                        print(f"      {at:6.2f} s  {line[:110]}")
                total = sum(seconds for _, seconds in cpu)
                print(f"      CPU at the first answer: {total:.2f} s = " + ", ".join(f"{n} {s:.2f}" for n, s in cpu))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
