"""Cold start of each Lambda from its built zip, in a clean Python of the Lambda runtime's version.

Builds the zips as `platform package` does (`lambda_package.build_all`, manylinux wheels, cached), unpacks each
into a temp dir and starts a fresh `python3.12 -I -S` (3.11 when no 3.12 is found; the line says which) per run,
as Lambda does: the zip on sys.path, the runtime's SDK (boto3, botocore, …) beside it, precompiled as Lambda's
is, and the zip's own modules compiled from source at each start (no .pyc in the zip, /var/task is read-only).
Prints, per function, medians over --runs fresh processes: the interpreter's own start, the handler module's
import, the first invocation (a real event from tests/events, against a stub HTTP endpoint for Lex and the API on
this machine, so the network costs nothing), import + first invocation again with the zip's modules precompiled
(.pyc, what a build step could ship), the CPU time of the whole process (interpreter start included; steadier
than wall time on a busy machine), then the slowest imports (`-X importtime`, cumulative).
The vectorizer's first invocation needs a database: only its import is measured.

    .venv/bin/python bench/lambda_cold_start.py [--runs 5] [--build-dir .campusbot/bench-lambda]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EVENTS = REPO / "tests" / "events"
FIRST_EVENTS = {"lex_proxy": "apigw_chat_post.json", "fulfillment": "lex_greeting_fulfillment.json"}
GOAL_MS = {"lex_proxy": 300.0, "fulfillment": 300.0}

PROBE = """
import sys, time, json, importlib
t0 = time.perf_counter()
sys.path[:0] = {paths!r}
module = importlib.import_module({module!r})
t1 = time.perf_counter()
event = json.loads({event!r}) if {event!r} else None
if event is not None:
    response = module.handler(event, None)
t2 = time.perf_counter()
print(json.dumps({{"import_ms": (t1 - t0) * 1000, "invoke_ms": (t2 - t1) * 1000 if event else None,
                  "response": str(response)[:200] if event else None}}))
"""


class Stub(BaseHTTPRequestHandler):
    """Lex V2 RecognizeText and the data API, answered at once."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = {
            "sessionId": "bench",
            "messages": [{"content": "Hello! How can I help?", "contentType": "PlainText"}],
            "sessionState": {"intent": {"name": "Greeting", "state": "Fulfilled"}, "sessionAttributes": {}},
            "interpretations": [{"intent": {"name": "Greeting", "state": "Fulfilled"}}],
        }
        self._send(body)

    def do_GET(self) -> None:
        self._send({"data": []})

    def _send(self, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def interpreter() -> tuple[str, str]:
    from campusbot.deploy.lambda_package import LAMBDA_PYTHON, find_interpreter

    for version in (LAMBDA_PYTHON, "3.11"):
        found = find_interpreter(version)
        if found:
            return found, version
    raise SystemExit("no python3.12 or python3.11 found")


def run(python: str, code: str, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-I", "-S", *extra, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def slowest_imports(stderr: str, top: int) -> list[tuple[float, str]]:
    rows = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _self, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
            if name.count(".") <= 1 and not name.startswith(" "):
                rows.append((int(cumulative) / 1000, name))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--build-dir", type=Path, default=REPO / ".campusbot" / "bench-lambda")
    parser.add_argument("--top", type=int, default=6, help="slowest imports shown per function")
    args = parser.parse_args()

    from campusbot.deploy import lambda_package as packaging

    python, version = interpreter()
    print(f"interpreter: Python {version} ({python}), isolated (-I -S); {args.runs} fresh processes per figure; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    artifacts = packaging.build_all(
        REPO / "src", args.build_dir / "build", args.build_dir / "cache", python_version=packaging.LAMBDA_PYTHON
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stub = f"http://127.0.0.1:{server.server_address[1]}"

    with tempfile.TemporaryDirectory(prefix="lambda-cold-") as tmp:
        sdk = packaging.runtime_sdk_dir(Path(tmp) / "sdk")
        # Lambda's SDK is installed compiled: compile it once for this interpreter (the zip's modules are not)
        subprocess.run([python, "-m", "compileall", "-q", "-j", "0", str(sdk)], capture_output=True, check=False)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONDONTWRITEBYTECODE": "1",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_LAMBDA_FUNCTION_NAME": "bench",
            "CAMPUSBOT_TARGET": "aws",
            "CAMPUSBOT_ENV": "dev",
            "CAMPUSBOT_BOT_ID": "BENCHBOT01",
            "CAMPUSBOT_BOT_ALIAS_ID": "BENCHALIAS",
            "CAMPUSBOT_LOCALE_ID": "en_US",
            "CAMPUSBOT_CHAT_EVENTS": "log",
            "CAMPUSBOT_API_URL": stub,
            "AWS_ENDPOINT_URL_LEX_RUNTIME_V2": stub,
        }
        baseline = [_wall(python, env) for _ in range(args.runs)]
        print(f"interpreter start (python -I -S -c pass): {statistics.median(baseline):.0f} ms\n")
        columns = (
            f"{'import ms':>10} {'1st call ms':>12} {'total ms':>9} {'with .pyc':>10} {'cpu ms':>8} {'cpu .pyc':>10}"
        )
        print(f"{'function':<12} {'zip KB':>7} {columns}  goal")
        details = []
        for function, artifact in artifacts.items():
            task = Path(tmp) / function
            with zipfile.ZipFile(artifact.path) as archive:
                archive.extractall(task)
            event = (EVENTS / FIRST_EVENTS[function]).read_text() if function in FIRST_EVENTS else ""
            code = PROBE.format(paths=[str(task), str(sdk)], module=packaging.handler_module(function), event=event)
            figures = measure(python, code, env, args.runs, function)
            imported = statistics.median(f["import_ms"] for f in figures)
            invoked = statistics.median(f["invoke_ms"] for f in figures) if event else None
            total = imported + (invoked or 0.0)
            goal = GOAL_MS.get(function)
            verdict = "" if goal is None else f"≤ {goal:.0f} ms: {'yes' if total <= goal else 'NO'}"
            shown = f"{invoked:>12.0f}" if invoked is not None else f"{'(needs db)':>12}"
            # the same zip with its modules precompiled (unchecked-hash .pyc, as a build step could ship them)
            subprocess.run(
                [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(task)],
                capture_output=True,
                check=False,
            )
            compiled = measure(python, code, env, args.runs, function)
            compiled_total = statistics.median(f["import_ms"] + (f["invoke_ms"] or 0.0) for f in compiled)
            cpu = statistics.median(f["cpu_ms"] for f in figures)
            compiled_cpu = statistics.median(f["cpu_ms"] for f in compiled)
            print(f"{function:<12} {artifact.size / 1024:>7.0f} {imported:>10.0f} {shown} {total:>9.0f} "
                  f"{compiled_total:>10.0f} {cpu:>8.0f} {compiled_cpu:>10.0f}  {verdict}")  # fmt: skip
            timed = run(python, code, env, "-X", "importtime")
            details.append((function, slowest_imports(timed.stderr, args.top), figures[-1]["response"]))
        for function, imports, response in details:
            print(f"\n{function}: slowest imports (cumulative ms): "
                  + ", ".join(f"{name} {ms:.0f}" for ms, name in imports))  # fmt: skip
            if response:
                print(f"  first response: {response[:120]}")
    server.shutdown()


def measure(python: str, code: str, env: dict[str, str], runs: int, function: str) -> list[dict[str, Any]]:
    """One figure per fresh process; `cpu_ms` is the whole process's CPU time (start, import, invocation): on a
    busy machine it stays near what an idle one shows, where wall times stretch with the load."""
    figures = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = run(python, code, env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{function}: {done.stderr[-2000:]}")
        figure = json.loads(done.stdout.strip().splitlines()[-1])
        figure["cpu_ms"] = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
        figures.append(figure)
    return figures


def _wall(python: str, env: dict[str, str]) -> float:
    import time

    started = time.perf_counter()
    run(python, "pass", env)
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "src"))
    main()
