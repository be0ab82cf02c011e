"""Latency of one chat turn through the full local chain, next to a direct API call, in the same run.

A turn: HTTP → API Gateway emulator → lex_proxy Lambda (its own execution environment, invoked over loopback)
→ boto3 RecognizeText → Lex V2 emulator (intent + slots) → fulfillment Lambda (its own environment) → HTTP → data
API → PostgreSQL over TLS (the RDS stand-in), and back (plus the chat event: a log line the runtime delivers to the
lake). The baseline asks the data API directly for the same answer. Starts its own runtime (`platform up --detach`)
on free ports in a temp dir; intents answered from the database only.

    .venv/bin/python bench/chat_latency.py [--turns 240]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import HEADER, Stats, free_port, stats

# (chat message, the API call that answers the same question)
TURNS: list[tuple[str, str, dict[str, object]]] = [
    ("tell me about ETH Zurich", "/universities/by-name", {"name": "ETH Zurich"}),
    ("recommend a university for computer science in Canada", "/universities/recommendations",
     {"field": "Computer Science", "country": "Canada", "limit": 3}),
    ("show the profile for ana.garcia@example.edu", "/students", {"email": "ana.garcia@example.edu"}),
    ("find computer science internships in Berlin", "/opportunities",
     {"field": "Computer Science", "city": "Berlin", "limit": 5}),
    ("recommend a university for medicine in Germany", "/universities/recommendations",
     {"field": "Medicine", "country": "Germany", "limit": 3}),
    ("what do you know about the University of Toronto", "/universities/by-name", {"name": "University of Toronto"}),
]  # fmt: skip


def measure(name: str, n: int, call: object) -> Stats:
    assert callable(call)
    latencies = []
    began = time.perf_counter()
    for i in range(n):
        started = time.perf_counter()
        call(i)
        latencies.append(time.perf_counter() - started)
    return stats(name, latencies, time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=240, help="chat turns measured (and as many API calls)")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="campusbot-chat-bench-"))
    api_port, emulator_port, gateway_port, s3_port = (free_port() for _ in range(4))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPUSBOT_", "AWS_ENDPOINT_URL"))}
    env.update({
        "CAMPUSBOT_DATA_DIR": str(data_dir), "CAMPUSBOT_API_PORT": str(api_port),
        "CAMPUSBOT_API_URL": f"http://127.0.0.1:{api_port}", "CAMPUSBOT_EMULATOR_PORT": str(emulator_port),
        "CAMPUSBOT_GATEWAY_PORT": str(gateway_port), "CAMPUSBOT_S3_PORT": str(s3_port),
    })  # fmt: skip
    platform_cli = [sys.executable, "-m", "campusbot.cli.main"]
    started = time.perf_counter()
    subprocess.run([*platform_cli, "up", "--detach"], env=env, check=True, capture_output=True)
    startup_s = time.perf_counter() - started
    chat_url = f"http://127.0.0.1:{gateway_port}/chat"
    api_url = f"http://127.0.0.1:{api_port}"
    intents: dict[str, int] = {}
    try:
        with httpx.Client(timeout=30) as http:

            def chat(i: int) -> None:
                message = TURNS[i % len(TURNS)][0]
                response = http.post(chat_url, json={"message": message})
                body = response.json()
                assert response.status_code == 200 and body["state"] == "Fulfilled", body
                intents[body["intent"]] = intents.get(body["intent"], 0) + 1

            def direct(i: int) -> None:
                _, path, params = TURNS[i % len(TURNS)]
                assert http.get(api_url + path, params=params).status_code == 200  # type: ignore[arg-type]

            measure("warm-up", 3 * len(TURNS), chat)
            measure("warm-up", 3 * len(TURNS), direct)
            intents.clear()
            results = [
                measure("API      direct call (same answer)", args.turns, direct),
                measure("chat     one turn, full local chain", args.turns, chat),
            ]
    finally:
        subprocess.run([*platform_cli, "down"], env=env, check=False, capture_output=True)
        shutil.rmtree(data_dir, ignore_errors=True)

    print(f"campusbot chat latency — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"runtime start-up (platform up --detach, first start incl. seeding): {startup_s:.1f} s")
    print(f"turns: {args.turns} sequential single-turn sessions over {len(TURNS)} messages; intents {intents}")
    print(HEADER)
    for result in results:
        print(result.row())
    api, chat_stats = results
    print(
        f"chain overhead over the direct API call: p50 +{chat_stats.p50_ms - api.p50_ms:.1f} ms, "
        f"p95 +{chat_stats.p95_ms - api.p95_ms:.1f} ms"
    )
    verdict = "meets" if chat_stats.p95_ms <= 60 else "MISSES"
    print(f"target chat turn p95 <= 60 ms: {chat_stats.p95_ms:.1f} ms ({verdict})")


if __name__ == "__main__":
    main()
