"""Latency of one chat turn through the full local chain, next to a direct API call, in the same run.

A turn: HTTP → API Gateway emulator → lex_proxy Lambda (its own execution environment, invoked over loopback)
→ boto3 RecognizeText → Lex V2 emulator (intent + slots) → fulfillment Lambda (its own environment) → HTTP → data
API → PostgreSQL over TLS (the RDS stand-in), and back (plus the chat event: a log line the runtime delivers to the
lake). The baseline asks the data API directly for the same answer. Starts its own runtime (`platform up --detach`)
on free ports in a temp dir; intents answered from the database only.

The tail, hop by hop (issue 18: p99 <= 3x p50 over 2,000 turns at C=1): each turn calls every layer of the chain
once, in the same order, so all of them see the same machine load: the data API directly (API + PostgreSQL), the
fulfillment Lambda's execution environment with a recorded Lex fulfillment event (+ the Lambda worker), the Lex
emulator's RecognizeText (+ NLU and the dialog), the lex_proxy Lambda's environment with a proxy event (+ lex_proxy),
and the gateway (+ the gateway). The gateway's `Server-Timing` header splits each gateway turn into the lex_proxy
invocation and the gateway's own time. Each figure is printed with the load average (the machine may be shared).

Sign-in (issue 12), same run: the same turns signed in (a student of the runtime's moto user pool, registered, its
ID token as Bearer: the gateway runs the authorizer Lambda first), and the token check alone (`TokenVerifier.verify`
on a moto ID token) with the JWKS cached, as in a warm authorizer, and uncached (fetched from moto every time).

CPU per turn (issue 18, `--cpu N`): N anonymous and N signed-in gateway turns, each process's CPU seconds (user +
system, /proc/<pid>/stat through psutil) read before and after, per component as `platform status --json` lists
their pids (each with its child processes; postgres with its backends; the runtime's own process with its threads),
plus this client. Then the same for N Lex `GetSession` calls alone, the call lex_proxy made before every
RecognizeText until issue 18 (the per-turn CPU it cost, measured in the same run, so before/after is turn + that).

    .venv/bin/python bench/chat_latency.py [--turns 2000] [--cpu 500] [--cpu-only]
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import HEADER, PLATFORM, Stats, runtime_environment, stats

# (chat message, the API call that answers the same question)
TURNS: list[tuple[str, str, dict[str, object]]] = [
    ("tell me about ETH Zurich", "/universities/by-name", {"name": "ETH Zurich"}),
    ("recommend a university for computer science in Canada", "/universities/recommendations",
     {"field": "Computer Science", "country": "Canada", "limit": 3}),
    ("show my profile", "/students", {"email": "ana.garcia@example.edu"}),
    ("find computer science internships in Berlin", "/opportunities",
     {"field": "Computer Science", "city": "Berlin", "limit": 5}),
    ("recommend a university for medicine in Germany", "/universities/recommendations",
     {"field": "Medicine", "country": "Germany", "limit": 3}),
    ("what do you know about the University of Toronto", "/universities/by-name", {"name": "University of Toronto"}),
]  # fmt: skip


def sign_in_student(env: dict[str, str], http: httpx.Client, chat_url: str) -> dict[str, Any]:
    """A student of the runtime's user pool, registered, with its ID token and two verifiers of the runtime's pool."""
    import uuid

    from campusbot.auth.signin import CognitoUsers, generate_password, local_pool
    from campusbot.auth.tokens import TokenVerifier, jwks_url
    from campusbot.local.runtime import read_state
    from campusbot.settings import Settings

    pool = local_pool(read_state(Settings.from_environment(env)))
    assert pool is not None and pool.endpoint is not None
    users = CognitoUsers(pool)
    email, password = f"bench-{uuid.uuid4().hex[:8]}@example.org", generate_password()
    users.add(email, password)
    token = users.sign_in(email, password)
    headers = {"Authorization": f"Bearer {token}"}
    for message in ["register me", "Bea", "Bench", "computer science", "Canada", "yes"]:
        http.post(chat_url, json={"message": message, "session_id": "bench-register"}, headers=headers)
    issuer = f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.user_pool_id}"
    verifiers = [
        TokenVerifier(issuer=issuer, client_id=pool.client_id, jwks_url=jwks_url(issuer, pool.endpoint),
                      jwks_cache_seconds=seconds)
        for seconds in (3600, 0)
    ]  # fmt: skip
    return {"token": token, "headers": headers, "verifiers": verifiers}


EVENTS = Path(__file__).resolve().parents[1] / "tests" / "events"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def server_timing(header: str) -> dict[str, float]:
    """`lambda;dur=1.2, gateway;dur=3.4` → {"lambda": 1.2, "gateway": 3.4} (ms)."""
    found = {}
    for part in header.split(","):
        name, _, rest = part.strip().partition(";")
        if rest.startswith("dur="):
            found[name] = float(rest[4:])
    return found


def emulator_lex_client(settings: Any, url: str) -> Any:
    """A stock `lexv2-runtime` client on the runtime's Lex emulator (the hop timings and the CPU report share it)."""
    import boto3

    return boto3.client("lexv2-runtime", endpoint_url=url, region_name=settings.region,
                        aws_access_key_id="local", aws_secret_access_key="local")  # fmt: skip


def hops(env: dict[str, str], http: httpx.Client, chat_url: str, api_url: str, n: int) -> list[tuple[str, list[float]]]:
    """Every layer of the chain once per turn, innermost first; returns (layer, latencies in s) in that order."""
    import json

    from campusbot.local.lambda_invoke import LambdaInvoker
    from campusbot.local.runtime import read_state
    from campusbot.settings import Settings

    settings = Settings.from_environment(env)
    state = read_state(settings)
    assert state is not None, "the runtime is not up"
    children = state["children"]
    fulfillment = LambdaInvoker(children["lambda-fulfillment"]["url"], "campusbot-fulfillment", 30)
    lex_proxy = LambdaInvoker(children["lambda-lex_proxy"]["url"], "campusbot-lex-proxy", 30)
    lex = emulator_lex_client(settings, children["emulator"]["url"])
    fulfillment_events = [json.loads((EVENTS / f"lex_{name}_fulfillment.json").read_text())
                          for name in ("university", "recommend")]  # fmt: skip
    proxy_event = json.loads((EVENTS / "apigw_chat_post.json").read_text())

    def direct(i: int) -> None:
        _, path, params = TURNS[i % len(TURNS)]
        assert http.get(api_url + path, params=params).status_code == 200  # type: ignore[arg-type]

    def fulfill(i: int) -> None:
        result = fulfillment(fulfillment_events[i % 2])
        assert result["sessionState"]["intent"]["state"] == "Fulfilled", result

    def recognize(i: int) -> None:
        result = lex.recognize_text(botId=settings.bot_id, botAliasId=settings.bot_alias_id, localeId="en_US",
                                    sessionId=f"bench-lex-{i}", text=TURNS[i % len(TURNS)][0])  # fmt: skip
        assert result["sessionState"]["intent"]["state"] == "Fulfilled", result["sessionState"]

    def proxy(i: int) -> None:
        event = {**proxy_event, "body": json.dumps({"message": TURNS[i % len(TURNS)][0], "session_id": f"bp-{i}"})}
        result = lex_proxy(event)
        assert result["statusCode"] == 200, result

    split: dict[str, list[float]] = {"authorizer": [], "lambda": [], "gateway": []}

    def gateway(i: int) -> None:
        response = http.post(chat_url, json={"message": TURNS[i % len(TURNS)][0]})
        assert response.status_code == 200 and response.json()["state"] == "Fulfilled", response.text
        timing = server_timing(response.headers.get("server-timing", ""))
        split["authorizer"].append(timing["authorizer"] / 1000)
        split["lambda"].append(timing["lambda"] / 1000)
        split["gateway"].append((timing["gateway"] - timing["lambda"] - timing["authorizer"]) / 1000)

    layers = [("api", direct), ("fulfillment", fulfill), ("lex", recognize), ("lex_proxy", proxy),
              ("gateway", gateway)]  # fmt: skip
    latencies: dict[str, list[float]] = {name: [] for name, _ in layers}
    for i in range(n):
        for name, call in layers:
            started = time.perf_counter()
            call(i)
            latencies[name].append(time.perf_counter() - started)
    fulfillment.close()
    lex_proxy.close()
    return [*latencies.items(), ("  authorizer invocation (Server-Timing)", split["authorizer"]),
            ("  lex_proxy invocation (Server-Timing)", split["lambda"]),
            ("  gateway's own time (Server-Timing)", split["gateway"])]  # fmt: skip


def component_pids(env: dict[str, str]) -> dict[str, int]:
    """The root pid of each component, from `platform status --json` (the children, postgres, the runtime)."""
    import json

    out = subprocess.run(
        [sys.executable, "-m", "campusbot.cli.main", "status", "--json"], env=env, check=True, capture_output=True
    ).stdout
    status = json.loads(out)
    roots = {name: int(child["pid"]) for name, child in status["children"].items()}
    if status.get("postgres", {}).get("pid"):
        roots["postgres"] = int(status["postgres"]["pid"])
    roots["runtime (+ its threads)"] = int(status["pid"])
    return roots


def cpu_seconds(roots: dict[str, int]) -> dict[str, dict[int, float]]:
    """CPU seconds (user + system) of every process of each component: its root and the root's descendants that
    no other component claims (the runtime is the parent of the others, so it is assigned last)."""
    import psutil

    found: dict[str, dict[int, float]] = {}
    claimed: set[int] = set()
    for name, pid in sorted(roots.items(), key=lambda item: item[0].startswith("runtime")):
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        found[name] = {}
        for process in tree:
            if process.pid in claimed:
                continue
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            found[name][process.pid] = times.user + times.system
            claimed.add(process.pid)
    me = psutil.Process().cpu_times()
    found["client (this bench)"] = {os.getpid(): me.user + me.system}
    return found


def cpu_per_call(roots: dict[str, int], n: int, call: object) -> tuple[dict[str, float], float]:
    """`call(i)` n times: each component's CPU ms per call (processes that started meanwhile count from 0), wall s."""
    assert callable(call)
    before = cpu_seconds(roots)
    began = time.perf_counter()
    for i in range(n):
        call(i)
    wall = time.perf_counter() - began
    after = cpu_seconds(roots)
    per_call = {}
    for name, pids in after.items():
        spent = sum(seconds - before.get(name, {}).get(pid, 0.0) for pid, seconds in pids.items())
        per_call[name] = 1000 * spent / n
    return per_call, wall


def cpu_report(env: dict[str, str], http: httpx.Client, chat_url: str, headers: dict[str, str], n: int) -> None:
    """CPU ms per turn of each process of the chain (anonymous and signed-in turns), and of one GetSession."""

    from campusbot.local.runtime import read_state
    from campusbot.settings import Settings

    settings = Settings.from_environment(env)
    state = read_state(settings)
    assert state is not None
    lex = emulator_lex_client(settings, state["children"]["emulator"]["url"])
    roots = component_pids(env)

    def turn(signed_in: bool) -> object:
        def call(i: int) -> None:
            session = f"cpu-{'s' if signed_in else 'a'}-{i % 50}"  # 50 sessions each, kept apart
            response = http.post(chat_url, json={"message": TURNS[i % len(TURNS)][0], "session_id": session},
                                 headers=headers if signed_in else {})  # fmt: skip
            assert response.status_code == 200 and response.json()["state"] == "Fulfilled", response.text

        return call

    def get_session(i: int) -> None:
        lex.get_session(botId=settings.bot_id, botAliasId=settings.bot_alias_id, localeId="en_US",
                        sessionId=f"cpu-a-{i % 50}")  # fmt: skip

    for _ in range(2):  # warm every path first
        for call in (turn(False), turn(True), get_session):
            for i in range(len(TURNS)):
                call(i)
    # alternated, three times (A/B/C/A/B/C/...): the first round also carries what the runtime still does after its
    # start (the emulator loads the embedding model in the background), a load change shows as a round apart
    runs = [("anonymous turn", turn(False)), ("signed-in turn", turn(True)), ("GetSession alone", get_session)] * 3
    figures: dict[str, dict[str, float]] = {}
    for index, (label, call) in enumerate(runs):
        label = f"{label} (round {index // 3 + 1})"
        load_before = load()
        per_call, wall = cpu_per_call(roots, n, call)
        figures[label] = per_call
        total = sum(per_call.values())
        print(f"\nCPU per call, {label}: {n} calls over 50 sessions, wall {1000 * wall / n:.1f} ms/call, "
              f"CPU {total:.1f} ms/call in all ({load_before} -> {load()}, 1/5 min; machine shared)")  # fmt: skip
        for name, ms in sorted(per_call.items(), key=lambda item: -item[1]):
            if ms >= 0.005:
                print(f"  {name:<28} {ms:7.2f} ms")
    got = figures["GetSession alone (round 3)"]
    removed = sum(got[name] for name in ("emulator", "client (this bench)") if name in got)
    for label in ("anonymous turn (round 3)", "signed-in turn (round 3)"):
        now = sum(figures[label].values())
        print(f"{label}: CPU {now:.1f} ms now; before issue 18 about {now + removed:.1f} ms (+ GetSession: "
              f"emulator + a boto3 client, {removed:.1f} ms, measured above; {load()})")  # fmt: skip


def log_offsets(data_dir: Path) -> dict[Path, int]:
    return {path: path.stat().st_size for path in (data_dir / "logs").glob("*.log")}


def gc_pauses_since(offsets: dict[Path, int]) -> dict[str, list[float]]:
    """The `gc pause:` lines (campusbot.local.gc_pauses) each component logged since `offsets`: their ms."""
    import re

    from campusbot.local.gc_pauses import MARK

    found: dict[str, list[float]] = {}
    for path, offset in offsets.items():
        with path.open("rb") as log:
            log.seek(offset)
            text = log.read().decode("utf-8", "replace")
        found[path.stem] = [float(m) for m in re.findall(re.escape(MARK) + r" generation \d+, ([0-9.]+) ms", text)]
    return found


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
    parser.add_argument("--turns", type=int, default=2000, help="chat turns measured (and as many API calls)")
    parser.add_argument("--cpu", type=int, default=0, metavar="N", help="also report CPU per turn over N turns")
    parser.add_argument("--cpu-only", action="store_true", help="only the CPU report (with --cpu N, default 500)")
    args = parser.parse_args()
    if args.cpu_only and not args.cpu:
        args.cpu = 500

    data_dir = Path(tempfile.mkdtemp(prefix="campusbot-chat-bench-"))
    runtime = runtime_environment(data_dir)
    env, platform_cli = runtime.env, PLATFORM
    started = time.perf_counter()
    subprocess.run([*platform_cli, "up", "--detach"], env=env, check=True, capture_output=True)
    startup_s = time.perf_counter() - started
    chat_url, api_url = runtime.chat_url, runtime.api_url
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

            student = sign_in_student(env, http, chat_url)
            if args.cpu:
                print(f"campusbot CPU per chat turn — {os.cpu_count()} cores, Python {platform.python_version()}")
                cpu_report(env, http, chat_url, student["headers"], args.cpu)
            if args.cpu_only:
                return

            def chat_signed_in(i: int) -> None:
                message = TURNS[i % len(TURNS)][0]
                response = http.post(chat_url, json={"message": message}, headers=student["headers"])
                body = response.json()
                assert response.status_code == 200 and body["state"] == "Fulfilled", body

            measure("warm-up", 3 * len(TURNS), chat)
            measure("warm-up", 3 * len(TURNS), chat_signed_in)
            measure("warm-up", 3 * len(TURNS), direct)
            hops(env, http, chat_url, api_url, 2 * len(TURNS))  # warm-up
            intents.clear()
            load_before = load()
            offsets = log_offsets(data_dir)
            began = time.perf_counter()
            layered = hops(env, http, chat_url, api_url, args.turns)
            hop_wall = time.perf_counter() - began
            hop_load = f"{load_before} -> {load()}"
            pauses = gc_pauses_since(offsets)
            results = [
                measure("API      direct call (same answer)", args.turns, direct),
                measure("chat     one turn, full local chain", args.turns, chat),
                measure("chat     signed in (authorizer + token)", args.turns, chat_signed_in),
            ]
            cached, uncached = student["verifiers"]
            token = student["token"]
            results += [
                measure("token    check, JWKS cached", args.turns, lambda _i: cached.verify(token)),
                measure("token    check, JWKS fetched (uncached)", args.turns, lambda _i: uncached.verify(token)),
            ]
    finally:
        subprocess.run([*platform_cli, "down"], env=env, check=False, capture_output=True)
        shutil.rmtree(data_dir, ignore_errors=True)

    print(f"campusbot chat latency — {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"runtime start-up (platform up --detach, first start incl. seeding): {startup_s:.1f} s")
    print(f"turns: {args.turns} sequential single-turn sessions over {len(TURNS)} messages; intents {intents}")
    print(f"\nthe tail hop by hop: {args.turns} turns, each through every layer in turn ({hop_load}, 1/5 min)")
    print(HEADER + "  (each layer includes those above it)")
    hop_stats = {name: stats(name, values, hop_wall) for name, values in layered}
    for hop in hop_stats.values():
        print(hop.row() + f"  p99/p50 {hop.p99_ms / hop.p50_ms:.1f}x")
    names = ["api", "fulfillment", "lex", "lex_proxy", "gateway"]
    print(
        "added by each hop (difference of the layers' percentiles): "
        + ", ".join(
            f"{outer} p50 +{hop_stats[outer].p50_ms - hop_stats[inner].p50_ms:.1f} / p99 "
            f"+{hop_stats[outer].p99_ms - hop_stats[inner].p99_ms:.1f} ms"
            for inner, outer in itertools.pairwise(names)
        )
    )
    print(
        "garbage-collector pauses >= 2 ms logged meanwhile (count, total ms, longest): "
        + (
            ", ".join(f"{name} {len(ms)}, {sum(ms):.0f}, {max(ms):.1f}" for name, ms in sorted(pauses.items()) if ms)
            or "none"
        )
    )
    full = hop_stats["gateway"]
    verdict = "meets" if full.p99_ms <= 3 * full.p50_ms else "MISSES"
    print(
        f"target chat turn p99 <= 3x p50: p50 {full.p50_ms:.1f}, p99 {full.p99_ms:.1f} ms "
        f"({full.p99_ms / full.p50_ms:.1f}x, {verdict}; {hop_load})\n"
    )
    print(HEADER + f"  ({load()})")
    for result in results:
        print(result.row())
    api, chat_stats, signed_stats, cached_stats, uncached_stats = results
    print(
        f"chain overhead over the direct API call: p50 +{chat_stats.p50_ms - api.p50_ms:.1f} ms, "
        f"p95 +{chat_stats.p95_ms - api.p95_ms:.1f} ms"
    )
    print(
        f"signed in vs anonymous turn: p50 +{signed_stats.p50_ms - chat_stats.p50_ms:.1f} ms, "
        f"p95 +{signed_stats.p95_ms - chat_stats.p95_ms:.1f} ms (authorizer invocation + token check); "
        f"token check alone p50/p95 {cached_stats.p50_ms:.2f}/{cached_stats.p95_ms:.2f} ms cached, "
        f"{uncached_stats.p50_ms:.2f}/{uncached_stats.p95_ms:.2f} ms uncached"
    )
    verdict = "meets" if chat_stats.p95_ms <= 60 else "MISSES"
    print(f"target chat turn p95 <= 60 ms: {chat_stats.p95_ms:.1f} ms ({verdict})")


if __name__ == "__main__":
    main()
