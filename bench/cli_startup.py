"""CLI start-up: wall time of `platform --help` and `platform <command> --help` (lazy imports keep it short).

.venv/bin/python bench/cli_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

COMMANDS = [["--help"], ["doctor", "--help"], ["seed", "--help"], ["chat", "--help"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    platform = Path(sys.executable).with_name("platform")
    print(f"{'command':<28} {'runs':>5} {'median ms':>10} {'max ms':>8}")
    worst = 0.0
    for command in COMMANDS:
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([str(platform), *command], capture_output=True, check=True)
            times.append((time.perf_counter() - started) * 1000)
        worst = max(worst, statistics.median(times))
        print(
            f"{'platform ' + ' '.join(command):<28} {args.runs:>5} {statistics.median(times):>10.0f} {max(times):>8.0f}"
        )
    print(f"target: under 500 ms — {'meets' if worst < 500 else 'MISSES'} (slowest median {worst:.0f} ms)")


if __name__ == "__main__":
    main()
