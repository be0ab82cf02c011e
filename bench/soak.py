"""Soak: a bounded mixed load (chat, API, uploads) on the local runtime at half its measured saturation, for a fixed
time; reports errors (goal 0), the p95 drift between the first and the last minute (goal <= 20 %), each minute's
p50/p95 overall and by kind (chat, API, upload) with the host's load average, the least-squares p95 trend per
minute (so a later quiet run can be judged, and a noisy one recognised), and the memory growth of every process of
the runtime after the first minute (goal <= 10 %), ending with one verdict line per goal.

Starts its own runtime (`platform up --detach`) on free ports in a temp dir, and warms it up: a few chat turns and
one document uploaded and indexed (the vectorizer loads its model on the first one). Saturation is measured next:
closed-loop chat turns at `--concurrency` for `--calibrate` seconds. The soak then sends requests open-loop at half
that rate, mixed 70 % chat turns, 25 % API reads, 5 % document uploads (a few keys, new content each time: re-indexing).

Memory is read every `--every` seconds from a thread of its own: for each process (with its own children, the
supervisor without the runtime's children, which are listed on their own) RSS and USS (psutil's
memory_full_info), open files and threads, and for PostgreSQL each process (postmaster helpers and one row per
connection). The Python processes are judged on RSS. PostgreSQL is judged on USS: a backend's RSS
counts the pages of the shared_buffers segment it has touched (256 MB, allocated once and shared by all backends),
so RSS summed over backends rises as they read more of the tables and indexes without any private memory growing;
USS (pages only that process holds) is what grows when a backend leaks. The goal is read on the USS of PostgreSQL's
processes alive at both readings, together (a connection the API's pool opens in between is a new process, bounded
by the pool's size, and is listed; the connection count is printed); each process's own growth in MB is printed
beside it. Both RSS and USS are printed.

    .venv/bin/python bench/soak.py [--minutes 5] [--calibrate 20] [--concurrency 6] [--every 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import free_port

CHATS = [
    "recommend a university for medicine in Germany",
    "tell me about ETH Zurich",
    "find computer science internships in Berlin",
    "hello",
    "what can you do?",
]
READS = [
    ("/universities", {"field": "Computer Science", "limit": 5}),
    ("/universities/recommendations", {"field": "Medicine", "country": "Germany", "limit": 3}),
    ("/opportunities", {"city": "Berlin", "limit": 5}),
    ("/students", {"limit": 5}),
    ("/documents", {"limit": 20}),
]
DOC = "# Soak guide {n}\n\nThe soak benchmark wrote version {n} of this guide at {t}. Housing costs {n} euros.\n"


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the soak began
    kind: str
    seconds: float
    ok: bool
    detail: str = ""


class Runtime:
    def __init__(self) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="campusbot-soak-"))
        api, emulator, gateway, s3 = (free_port() for _ in range(4))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPUSBOT_", "AWS_ENDPOINT_URL"))}
        self.env.update({
            "CAMPUSBOT_DATA_DIR": str(self.data_dir), "CAMPUSBOT_API_PORT": str(api),
            "CAMPUSBOT_API_URL": f"http://127.0.0.1:{api}", "CAMPUSBOT_EMULATOR_PORT": str(emulator),
            "CAMPUSBOT_GATEWAY_PORT": str(gateway), "CAMPUSBOT_S3_PORT": str(s3),
        })  # fmt: skip
        self.chat_url = f"http://127.0.0.1:{gateway}/chat"
        self.api_url = f"http://127.0.0.1:{api}"
        self.s3_url = f"http://127.0.0.1:{s3}"

    def platform(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "campusbot.cli.main", *args], env=self.env, capture_output=True,
                              text=True, check=False, timeout=600)  # fmt: skip

    def processes(self) -> dict[str, psutil.Process]:
        state = json.loads(self.platform("status", "--json").stdout)
        found = {"supervisor": psutil.Process(state["pid"])}
        found.update({name: psutil.Process(child["pid"]) for name, child in state["children"].items()})
        if state["postgres"].get("pid"):
            found["postgres"] = psutil.Process(state["postgres"]["pid"])
        return found


@dataclass(frozen=True)
class Memory:
    """One process's memory (with its children): resident (RSS, counts touched shared memory such as PostgreSQL's
    shared_buffers) and private (USS: pages only this tree owns, what grows when something leaks)."""

    rss: int
    uss: int
    fds: int
    threads: int


def memory(process: psutil.Process, others: frozenset[int] = frozenset()) -> Memory:
    """RSS and USS of a process and its children (PostgreSQL's backends, a worker's helpers), open files, threads;
    a child in `others` (a process reported on its own: the supervisor's children) and its tree are left out."""
    rss = uss = fds = threads = 0
    for member in _tree(process, others):
        with contextlib.suppress(psutil.Error):
            info = member.memory_full_info()
            rss, uss = rss + info.rss, uss + info.uss
            fds += member.num_fds()
            threads += member.num_threads()
    return Memory(rss, uss, fds, threads)


def _tree(process: psutil.Process, others: frozenset[int]) -> list[psutil.Process]:
    found = [process]
    try:
        for child in process.children():
            if child.pid not in others:
                found.extend(_tree(child, others))
    except psutil.Error:
        pass
    return found


def _children(process: psutil.Process) -> list[psutil.Process]:
    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def backends(postmaster: psutil.Process) -> dict[str, Memory]:
    """PostgreSQL's processes by role (`postgres: checkpointer`, `postgres: postgres campusbot ... idle`: one row
    per connection, numbered in pid order so a recycled connection shows as a new row)."""
    found: dict[str, Memory] = {}
    for child in sorted(_children(postmaster), key=lambda c: c.pid):
        with contextlib.suppress(psutil.Error):
            title = " ".join(child.cmdline()) or child.name()
            role = title.removeprefix("postgres: ").strip()
            if " campusbot " in f" {role} " or "127.0.0.1" in role or "[local]" in role:
                role = f"connection {child.pid}"
            info = child.memory_full_info()
            found[role] = Memory(info.rss, info.uss, 0, 0)
    return found


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


class Load:
    def __init__(self, runtime: Runtime, seed: int = 7) -> None:
        self.runtime = runtime
        self.http = httpx.Client(timeout=35, limits=httpx.Limits(max_connections=64))
        self.s3 = boto3.client(
            "s3", endpoint_url=runtime.s3_url, region_name="us-east-1",
            aws_access_key_id="campusbot-local", aws_secret_access_key="campusbot-local",
        )  # fmt: skip
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.uploads = 0

    def chat(self) -> tuple[bool, str]:
        response = self.http.post(self.runtime.chat_url, json={"message": self.rng.choice(CHATS)})
        ok = response.status_code == 200 and bool(response.json().get("messages"))
        return ok, "" if ok else f"chat {response.status_code} {response.text[:120]}"

    def read(self) -> tuple[bool, str]:
        path, params = self.rng.choice(READS)
        response = self.http.get(self.runtime.api_url + path, params=params)  # type: ignore[arg-type]
        return response.status_code == 200, "" if response.status_code == 200 else f"GET {path} {response.status_code}"

    def upload(self) -> tuple[bool, str]:
        with self.lock:
            self.uploads += 1
            n = self.uploads
        body = DOC.format(n=n, t=time.time()).encode()
        self.s3.put_object(Bucket="campusbot-docs", Key=f"soak/guide-{n % 4}.md", Body=body)
        return True, ""

    def one(self, kind: str, began: float, samples: list[Sample]) -> None:
        started = time.perf_counter()
        try:
            ok, detail = {"chat": self.chat, "api": self.read, "upload": self.upload}[kind]()
        except Exception as exc:  # a failure is a result here
            ok, detail = False, f"{kind} {type(exc).__name__}: {exc}"[:200]
        samples.append(Sample(started - began, kind, time.perf_counter() - started, ok, detail))


def warm_up_indexing(load: Load, timeout: float = 180.0) -> None:
    """One upload indexed before anything is measured: the vectorizer starts after "ready" and loads its model on
    the first document, a one-off start-up cost that would otherwise land in the soak's first minute."""
    load.s3.put_object(Bucket="campusbot-docs", Key="soak/warm-up.md", Body=DOC.format(n=0, t=time.time()).encode())
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        page = load.http.get(load.runtime.api_url + "/documents", params={"limit": 100}).json()
        if any(d["s3_key"] == "soak/warm-up.md" and d["status"] == "indexed" for d in page["data"]):
            return
        time.sleep(0.5)
    sys.exit(f"the warm-up document was not indexed within {timeout:.0f} s")


def saturation(load: Load, seconds: float, concurrency: int) -> float:
    """Completed chat turns per second, closed loop at `concurrency`."""
    deadline = time.perf_counter() + seconds
    done = [0]

    def worker() -> None:
        while time.perf_counter() < deadline:
            load.chat()
            with load.lock:
                done[0] += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0] / (time.perf_counter() - began)


@dataclass
class Minute:
    index: int  # 1 = the first minute of the soak
    requests: int
    errors: int
    p50: float
    p95: float
    load: float  # the host's 1-minute load average during it (other work on the machine shows here)


def per_minute(samples: list[Sample], loads: list[tuple[float, float]]) -> list[Minute]:
    """Chat and API latencies (uploads are fire-and-forget puts) minute by minute, with the host's load."""
    minutes: list[Minute] = []
    last = int(max((s.at for s in samples), default=0) // 60)
    for index in range(last + 1):
        inside = [s for s in samples if index * 60 <= s.at < (index + 1) * 60 and s.kind != "upload"]
        seconds = sorted(s.seconds for s in inside)
        host = [value for at, value in loads if index * 60 <= at < (index + 1) * 60]
        minutes.append(
            Minute(
                index + 1,
                len(inside),
                sum(1 for s in inside if not s.ok),
                seconds[len(seconds) // 2] if seconds else float("nan"),
                p95(seconds),
                sum(host) / len(host) if host else float("nan"),
            )
        )
    return minutes


def trend(values: list[float]) -> float:
    """Least-squares slope of `values` per step, as % of the first: p95 drift per minute over the whole soak (the
    first-vs-last figure depends on two noisy minutes only)."""
    points = [(i, v) for i, v in enumerate(values) if v == v]  # skip NaN
    if len(points) < 2 or points[0][1] == 0:
        return float("nan")
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)
    return slope / points[0][1] * 100


@dataclass
class Trace:
    """What the soak recorded besides the requests: the host's load average every 5 s, and every process's memory
    (and PostgreSQL's per backend) every `--every` seconds."""

    loads: list[tuple[float, float]]
    memory: list[tuple[float, dict[str, Memory]]]
    backends: list[tuple[float, dict[str, Memory]]]


def readings(processes: dict[str, psutil.Process]) -> dict[str, Memory]:
    """Each process's own memory: the supervisor's without its children, which are reported on their own."""
    pids = frozenset(process.pid for process in processes.values())
    return {name: memory(process, pids - {process.pid}) for name, process in processes.items()}


def watch(runtime: Runtime, began: float, every: float, stop: threading.Event, trace: Trace) -> None:
    processes = runtime.processes()
    while True:
        at = time.perf_counter() - began
        if any(not process.is_running() for process in processes.values()):  # a restart: find them again
            processes = runtime.processes()
        trace.memory.append((at, readings(processes)))
        if "postgres" in processes:
            trace.backends.append((at, backends(processes["postgres"])))
        if stop.wait(every):
            return


def soak(load: Load, rate: float, seconds: float, every: float) -> tuple[list[Sample], Trace]:
    """Open loop: one request every 1/rate seconds (70 % chat, 25 % API, 5 % upload); memory every `every` s from a
    thread of its own; the host's load average every 5 s."""
    samples: list[Sample] = []
    trace = Trace([], [], [])
    kinds = ["chat"] * 14 + ["api"] * 5 + ["upload"]
    rng = random.Random(11)
    began = time.perf_counter()
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(load.runtime, began, every, stop, trace), daemon=True)
    watcher.start()
    with ThreadPoolExecutor(max_workers=32) as pool:
        n = 0
        while (elapsed := time.perf_counter() - began) < seconds:
            if not trace.loads or elapsed - trace.loads[-1][0] >= 5:
                trace.loads.append((elapsed, os.getloadavg()[0]))
            pool.submit(load.one, rng.choice(kinds), began, samples)
            n += 1
            pause = began + n / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
    stop.set()
    watcher.join()
    final = readings(load.runtime.processes())
    trace.memory.append((time.perf_counter() - began, final))
    return samples, trace


def kind_p95(samples: list[Sample], kind: str, start: float, end: float) -> float:
    return p95([s.seconds for s in samples if s.kind == kind and start <= s.at < end])


def after_first_minute(series: list[tuple[float, dict[str, Memory]]]) -> dict[str, Memory]:
    """The first memory reading at or after one minute (the baseline: start-up and warm-up are over)."""
    for at, reading in series:
        if at >= 60:
            return reading
    return series[len(series) // 2][1] if series else {}


def growth(before: int, after: int) -> float:
    return (after / before - 1) * 100 if before else float("nan")


MB = 2**20


def mb(reading: Memory | None) -> str:
    return f"{reading.rss / MB:.1f}/{reading.uss / MB:.1f}" if reading else "-"


GOAL_DRIFT, GOAL_MEMORY = 20.0, 10.0


TABLE_HEALTH = """
SELECT relname, n_live_tup, n_dead_tup, autovacuum_count, autoanalyze_count,
       pg_size_pretty(pg_total_relation_size(relid)) AS total
FROM pg_stat_user_tables WHERE relname IN ('document', 'document_chunk') ORDER BY relname
"""


async def table_health(state: dict[str, Any]) -> list[str]:
    """Live and dead rows, autovacuum runs and total size (with indexes) of the tables the uploads rewrite, and
    whether autovacuum is on; read over the unix socket (`platform status` names it)."""
    import asyncpg

    socket_url = state["endpoints"]["postgres (unix socket)"]  # /campusbot?host=<dir>&port=<port>
    database, _, query = socket_url.lstrip("/").partition("?")
    options = dict(part.split("=", 1) for part in query.split("&"))
    connection = await asyncpg.connect(host=options["host"], port=int(options["port"]), user="postgres",
                                       database=database)  # fmt: skip
    try:
        autovacuum = await connection.fetchval("SHOW autovacuum")
        rows = await connection.fetch(TABLE_HEALTH)
    finally:
        await connection.close()
    return [f"autovacuum {autovacuum}"] + [
        f"{r['relname']}: {r['n_live_tup']} live rows, {r['n_dead_tup']} dead, autovacuum ran {r['autovacuum_count']} "
        f"times (analyze {r['autoanalyze_count']}), {r['total']} with its indexes"
        for r in rows
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0, help="soak duration (at least 2 for the drift)")
    parser.add_argument("--calibrate", type=float, default=20.0, help="seconds of closed-loop saturation measurement")
    parser.add_argument("--concurrency", type=int, default=6, help="clients while measuring saturation")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between memory readings")
    args = parser.parse_args()

    runtime = Runtime()
    started = time.perf_counter()
    up = runtime.platform("up", "--detach")
    if up.returncode != 0:
        sys.exit(f"platform up failed:\n{up.stderr}")
    startup = time.perf_counter() - started
    try:
        load = Load(runtime)
        for message in CHATS * 2:  # warm-up
            load.http.post(runtime.chat_url, json={"message": message})
        warm_up_indexing(load)
        saturated = saturation(load, args.calibrate, args.concurrency)
        rate = saturated / 2
        samples, trace = soak(load, rate, args.minutes * 60, args.every)
        state = json.loads(runtime.platform("status", "--json").stdout)
        tables = asyncio.run(table_health(state))
    finally:
        runtime.platform("down")
        shutil.rmtree(runtime.data_dir, ignore_errors=True)
    report(args, startup, saturated, rate, samples, trace, state)
    print("PostgreSQL at the end (the soak's re-indexing deletes and inserts chunks; autovacuum as on RDS):")
    for line in tables:
        print(f"  {line}")


def report(
    args: argparse.Namespace,
    startup: float,
    saturated: float,
    rate: float,
    samples: list[Sample],
    trace: Trace,
    state: dict[str, Any],
) -> None:
    end = max(sample.at for sample in samples)
    first = [s.seconds for s in samples if s.at < 60 and s.kind != "upload"]
    last = [s.seconds for s in samples if s.at >= end - 60 and s.kind != "upload"]
    errors = [s for s in samples if not s.ok]
    drift = (p95(last) / p95(first) - 1) * 100
    load_now = os.getloadavg()
    print(f"campusbot soak — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"host load average at the end: {load_now[0]:.2f} / {load_now[1]:.2f} / {load_now[2]:.2f} (1/5/15 min); "
          f"during the soak {min(v for _, v in trace.loads):.2f}-{max(v for _, v in trace.loads):.2f}")  # fmt: skip
    print(f"runtime start-up {startup:.1f} s; saturation {saturated:.1f} chat turns/s at {args.concurrency} clients")
    print(f"soak: {args.minutes:g} min at {rate:.1f} req/s (half saturation), {len(samples)} requests: "
          + ", ".join(f"{k} {sum(1 for s in samples if s.kind == k)}" for k in ("chat", "api", "upload")))  # fmt: skip
    print(f"errors: {len(errors)} (goal 0)" + "".join(f"\n  {e.detail}" for e in errors[:10]))
    print(f"p95 first minute {p95(first) * 1000:.1f} ms, last minute {p95(last) * 1000:.1f} ms: "
          f"drift {drift:+.1f} % (goal <= 20 %)")  # fmt: skip
    minutes = per_minute(samples, trace.loads)
    kinds = ("chat", "api", "upload")
    print(f"{'minute':>6} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p95 vs 1st':>10} "
          + " ".join(f"{k + ' p95':>10}" for k in kinds) + f" {'host load':>9}")  # fmt: skip
    for m in minutes:
        versus = (m.p95 / minutes[0].p95 - 1) * 100 if minutes[0].p95 else float("nan")
        by_kind = " ".join(f"{kind_p95(samples, k, (m.index - 1) * 60, m.index * 60) * 1000:>10.1f}" for k in kinds)
        print(f"{m.index:>6} {m.requests:>8} {m.errors:>6} {m.p50 * 1000:>8.1f} {m.p95 * 1000:>8.1f} "
              f"{versus:>+9.1f}% {by_kind} {m.load:>9.2f}")  # fmt: skip
    print(f"p95 trend over all minutes: {trend([m.p95 for m in minutes]):+.1f} % of the first minute per minute "
          f"(a quiet host shows as a flat host load column; {os.cpu_count()} cores)")  # fmt: skip
    kind_drift = {k: (kind_p95(samples, k, end - 60, end + 1) / kind_p95(samples, k, 0, 60) - 1) * 100 for k in kinds}
    print("p95 drift first -> last minute by kind: " + ", ".join(f"{k} {v:+.1f} %" for k, v in kind_drift.items()))

    baseline, final = after_first_minute(trace.memory), trace.memory[-1][1]
    print(f"memory per process after the first minute and at the end (goal: growth <= {GOAL_MEMORY:g} %). RSS counts "
          "touched shared memory; USS is private. PostgreSQL is judged on USS: its RSS grows as backends touch pages "
          "of shared_buffers (a fixed, bounded segment, not a leak); the Python processes on RSS.")  # fmt: skip
    print(f"{'process':<14} {'RSS 1 min':>9} {'RSS end':>8} {'growth':>8} {'USS 1 min':>9} {'USS end':>8} "
          f"{'growth':>8} {'fds':>9} {'threads':>9}  judged")  # fmt: skip
    verdicts: list[tuple[str, float]] = []
    for name, before in sorted(baseline.items()):
        after = final.get(name, Memory(0, 0, 0, 0))
        judged_on = "USS" if name == "postgres" else "RSS"
        judged = growth(before.uss, after.uss) if judged_on == "USS" else growth(before.rss, after.rss)
        verdicts.append((name, judged))
        print(f"{name:<14} {before.rss / MB:>9.1f} {after.rss / MB:>8.1f} {growth(before.rss, after.rss):>+7.1f}% "
              f"{before.uss / MB:>9.1f} {after.uss / MB:>8.1f} {growth(before.uss, after.uss):>+7.1f}% "
              f"{before.fds:>4}>{after.fds:<4} {before.threads:>4}>{after.threads:<4}  {judged_on} "
              f"{judged:+.1f} % {'ok' if judged <= GOAL_MEMORY else 'OVER'}")  # fmt: skip
    names = sorted(final)
    print("memory over time, RSS/USS MB: " + " ".join(f"{n:>13}" for n in ["s", *names]))
    step = max(1, len(trace.memory) // 12)
    for at, reading in [*trace.memory[::step], trace.memory[-1]][:14]:
        cells = [f"{reading[n].rss / MB:.0f}/{reading[n].uss / MB:.0f}" if n in reading else "-" for n in names]
        print("                             " + " ".join(f"{c:>13}" for c in [f"{at:.0f}", *cells]))
    if trace.backends:
        pg_base = after_first_minute(trace.backends)
        pg_end = trace.backends[-1][1]
        print("PostgreSQL processes, RSS/USS MB after 1 min -> end (a connection row missing at one end was opened or "
              "closed in between):")  # fmt: skip
        for role in sorted(set(pg_base) | set(pg_end)):
            b, e = pg_base.get(role), pg_end.get(role)
            print(f"  {role[:60]:<60} {mb(b):>13} -> {mb(e):<13}")
        connections = [sum(1 for role in reading if role.startswith("connection ")) for reading in (pg_base, pg_end)]
        grown = {
            role: pg_end[role].uss - pg_base[role].uss for role in set(pg_base) & set(pg_end)
        }  # a process that came or went (a connection opened or closed) is no growth of another
        most = max(grown, key=lambda role: grown[role], default="")
        if most:
            kept = set(pg_base) & set(pg_end)
            judged = growth(sum(pg_base[r].uss for r in kept), sum(pg_end[r].uss for r in kept))
            print(f"PostgreSQL: connections {connections[0]} -> {connections[1]}; largest private growth of one "
                  f"process {grown[most] / MB:+.1f} MB ({most}); judged on the USS of the processes alive at both "
                  f"readings, together: {judged:+.1f} % (a connection the API's pool opened in between is a new "
                  "process, bounded by the pool's size, not growth; a 0.3 MB helper's % is no figure)")  # fmt: skip
            verdicts = [(name, value) for name, value in verdicts if name != "postgres"]
            verdicts.append(("postgres", judged))
    restarts = {name: r["restarts"] for name, r in state.get("supervision", {}).items() if r["restarts"]}
    print(f"restarts during the soak: {restarts or 'none'}")
    print("verdict:")
    print(f"  errors        {len(errors)} of {len(samples)}: {'met' if not errors else 'NOT met'} (goal 0)")
    print(f"  p95 drift     {drift:+.1f} %: {'met' if drift <= GOAL_DRIFT else 'NOT met'} (goal <= {GOAL_DRIFT:g} %; "
          f"host load {min(v for _, v in trace.loads):.1f}-{max(v for _, v in trace.loads):.1f})")  # fmt: skip
    for name, judged in verdicts:
        print(f"  memory {name:<21} {judged:+.1f} %: {'met' if judged <= GOAL_MEMORY else 'NOT met'} "
              f"(goal <= {GOAL_MEMORY:g} %)")  # fmt: skip


if __name__ == "__main__":
    main()
