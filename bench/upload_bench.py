"""A folder through the local runtime as a user indexes it: `platform upload <folder> --wait`, timed from the
command's start to every document indexed: moto's S3, the notifier (one S3 event per object, as S3 invokes the
vectorizer), the vectorizer's execution environments (Lambda worker processes), the Titan client over HTTP to the
Bedrock emulator's MiniLM, PostgreSQL with pgvector.

Before and after in the same run, on the same runtime: the runtime is started once per setting of
CAMPUSBOT_LOCAL_VECTORIZER_ENVIRONMENTS (--environments; 1: one invocation at a time, as the notifier delivered
until issue 18's end; the default 4: the uploads one poll finds are invoked side by side, Lambda's scale-out) and
of CAMPUSBOT_LOCAL_EMBEDDING_PASSES (--passes; 1: MiniLM's forward passes one at a time on every core, the default
before; 0: one single-threaded pass per core side by side, the default), alternating for --rounds rounds. Each
round uploads --copies copies of bench/data/corpus under new keys (nothing skipped as unchanged). The wall time
includes the notifier's polling (CAMPUSBOT_NOTIFIER_INTERVAL_SECONDS, 1 s) and the cold starts of the environments
the scale-out needs.

    .venv/bin/python bench/upload_bench.py [--copies 5] [--rounds 2] [--environments 4] [--passes 1,0]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PLATFORM, runtime_cpu_seconds, runtime_environment
from _knowledge import CORPUS


def corpus_copies(folder: Path, copies: int, label: str) -> None:
    """`copies` copies of the bench corpus under `folder`, text files marked so each copy has a new content hash."""
    for copy in range(copies):
        target = folder / f"{label}-{copy}"
        target.mkdir(parents=True)
        for file in sorted(CORPUS.iterdir()):
            body = file.read_bytes()
            if file.suffix not in (".pdf", ".docx"):
                body += f"\n\n{label}-{copy}/{file.name}\n".encode()
            (target / file.name).write_bytes(body)


@dataclass(frozen=True)
class Upload:
    documents: int  # indexed
    chunks: int
    wall: float  # seconds of `platform upload --wait`
    command_cpu: float  # CPU seconds of that command (its uploads and its polling of the index)
    busy: float  # share of the machine's CPU time busy meanwhile (anything running)


def upload(env: dict[str, str], folder: Path) -> Upload:
    """`platform upload <folder> --wait`: what it indexed, how long it took, the CPU it and the machine used."""
    import psutil

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine = psutil.cpu_times()
    began = time.perf_counter()
    done = subprocess.run([*PLATFORM, "upload", str(folder), "--wait", "--json", "--timeout", "900"], env=env,
                          capture_output=True, text=True)  # fmt: skip
    wall = time.perf_counter() - began
    after, now = resource.getrusage(resource.RUSAGE_CHILDREN), psutil.cpu_times()
    if done.returncode != 0:
        raise SystemExit(f"platform upload failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    rows = json.loads(done.stdout)
    idle = (now.idle + now.iowait) - (machine.idle + machine.iowait)
    total = sum(now) - sum(machine)
    return Upload(
        documents=sum(r["status"] == "indexed" for r in rows),
        chunks=sum(int(r.get("chunks") or 0) for r in rows),
        wall=wall,
        command_cpu=(after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime),
        busy=1 - idle / total if total else 0.0,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=5, help="copies of the corpus per upload")
    parser.add_argument("--rounds", type=int, default=2, help="uploads per setting, alternated")
    parser.add_argument("--environments", default="4", help="CAMPUSBOT_LOCAL_VECTORIZER_ENVIRONMENTS to compare")
    parser.add_argument(
        "--passes",
        default="1,0",
        help="CAMPUSBOT_LOCAL_EMBEDDING_PASSES to compare (MiniLM's forward "
        "passes side by side; 0: one per core, the default; 1: one on every core, the default before)",
    )
    args = parser.parse_args()
    settings = [(int(n), int(p)) for n in args.environments.split(",") for p in args.passes.split(",")]
    root = Path(tempfile.mkdtemp(prefix="campusbot-upload-bench-"))
    figures: dict[tuple[int, int], list[float]] = {n: [] for n in settings}
    print(f"platform upload --wait: {args.copies} copies of {len(list(CORPUS.iterdir()))} documents per upload; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    try:
        for round_ in range(args.rounds):
            for environments, passes in settings:
                data_dir = root / f"data-{environments}-{passes}"
                env = runtime_environment(data_dir, CAMPUSBOT_LOCAL_VECTORIZER_ENVIRONMENTS=str(environments),
                                          CAMPUSBOT_LOCAL_EMBEDDING_PASSES=str(passes)).env  # fmt: skip
                subprocess.run([*PLATFORM, "up", "--detach"], env=env, check=True, capture_output=True)
                try:
                    folder = root / f"upload-{environments}-{passes}-{round_}"
                    # MiniLM's load and first forward passes, every environment's cold start: outside the timing
                    corpus_copies(folder, 1, f"warm{round_}")
                    upload(env, folder)
                    folder = root / f"upload-{environments}-{passes}-{round_}-timed"
                    corpus_copies(folder, args.copies, f"r{round_}")
                    before = runtime_cpu_seconds(data_dir)
                    load = os.getloadavg()[0]
                    done = upload(env, folder)
                    after = runtime_cpu_seconds(data_dir)
                finally:
                    subprocess.run([*PLATFORM, "down"], env=env, check=False, capture_output=True)
                chunks = done.chunks
                figures[(environments, passes)].append(chunks / done.wall)
                spent = {name: after[name] - before.get(name, 0.0) for name in after}
                vectorizers = sum(s for name, s in spent.items() if name.startswith("lambda-vectorizer"))
                started = sum(name.startswith("lambda-vectorizer") for name in after)
                per_chunk = {
                    "vectorizers": vectorizers, "emulator (MiniLM)": spent.get("emulator", 0.0),
                    "PostgreSQL": spent.get("postgres", 0.0), "runtime (S3, notifier)": spent.get("supervisor", 0.0),
                    "platform upload": done.command_cpu,
                }  # fmt: skip
                split = ", ".join(f"{name} {seconds / chunks * 1000:.1f}" for name, seconds in per_chunk.items())
                layout = f"MiniLM passes {passes or 'one per core'}"
                print(f"  {environments} environment(s) at most ({started} started), {layout}: "
                      f"{done.documents} documents, {chunks} chunks in {done.wall:.1f} s = "
                      f"{chunks / done.wall:.1f} chunks/s; load {load:.1f}, "
                      f"the machine {done.busy:.0%} busy\n      CPU ms per chunk: {split}; "
                      f"total {sum(per_chunk.values()) / chunks * 1000:.1f}")  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)
    medians = ", ".join(f"{n} environment(s), passes {p or 'per core'}: {statistics.median(v):.1f}"
                        for (n, p), v in figures.items())  # fmt: skip
    print(f"  median chunks/s: {medians}")


if __name__ == "__main__":
    main()
