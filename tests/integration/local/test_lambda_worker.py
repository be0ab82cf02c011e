"""A Lambda execution environment (`local.lambda_worker`) in a real process, started the way the zip tests start it
(a clean interpreter, `-I -S`: the standard library only), invoked over HTTP with `LambdaInvoker`."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from campusbot.local import lambda_worker
from campusbot.local.lambda_invoke import LambdaFunctionError, LambdaInvoker

HANDLER = """
import json, logging, os, threading, time

log = logging.getLogger("fn")
local = threading.local()


def handler(event, context):
    if event.get("raise"):
        raise ValueError("boom")
    if event.get("exit"):
        raise SystemExit(1)
    time.sleep(event.get("sleep", 0))
    local.calls = getattr(local, "calls", 0) + 1
    log.info("handled %s", event.get("n"))
    print(json.dumps({"event_id": "e%s" % event.get("n"), "session_id": "s"}))
    return {"echo": event, "function": context.function_name, "left_ms": context.get_remaining_time_in_millis(),
            "request_id": context.aws_request_id, "foo": os.environ.get("FOO"), "calls_on_thread": local.calls}
"""

Start = Callable[..., tuple[subprocess.Popen[bytes], LambdaInvoker]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    (tmp_path / "fn.py").write_text(HANDLER)
    started: list[subprocess.Popen[bytes]] = []

    def run(
        handler: str = "fn.handler", timeout: float = 5, log_format: str = "JSON", port: int | None = None
    ) -> tuple[subprocess.Popen[bytes], LambdaInvoker]:
        port = port or _free_port()
        env = {
            "_HANDLER": handler, "AWS_LAMBDA_FUNCTION_NAME": "campusbot-test-fn", "FOO": "bar",
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(timeout), "AWS_LAMBDA_LOG_FORMAT": log_format,
            "AWS_LAMBDA_LOG_LEVEL": "INFO",
        }  # fmt: skip
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", lambda_worker.__file__, "--port", str(port), "--task-root", str(tmp_path)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append(process)
        return process, LambdaInvoker(f"http://127.0.0.1:{port}", "campusbot-test-fn", timeout, start_wait=30)

    yield run
    for process in started:
        process.kill()
        process.wait()


def test_an_invocation_gets_the_context_and_the_environment(start: Start) -> None:
    process, invoke = start()
    first = invoke({"n": 1})
    second = invoke({"n": 2})
    assert first["echo"] == {"n": 1} and first["function"] == "campusbot-test-fn" and first["foo"] == "bar"
    assert 0 < first["left_ms"] <= 5000 and first["request_id"] != second["request_id"]
    process.terminate()
    output = process.communicate(timeout=10)[0].decode().splitlines()
    logged = [json.loads(line) for line in output if line.startswith('{"timestamp"')]
    assert [entry["message"] for entry in logged] == ["handled 1", "handled 2"]
    assert logged[0]["level"] == "INFO" and logged[0]["requestId"] == first["request_id"]
    assert '{"event_id": "e1", "session_id": "s"}' in output  # print lines stay as they are


def test_a_handler_error_is_a_function_error(start: Start) -> None:
    _process, invoke = start()
    with pytest.raises(LambdaFunctionError) as raised:
        invoke({"raise": True})
    assert (raised.value.error_type, raised.value.message) == ("ValueError", "boom")
    assert invoke({"n": 3})["echo"] == {"n": 3}  # the environment lives on


def test_invocations_run_one_after_another_on_one_thread(start: Start) -> None:
    """As on Lambda's Python runtime (its one main thread), thread-locals last between invocations: no thread is
    started per invocation (issue 18)."""
    _process, invoke = start()
    assert [invoke({"n": n})["calls_on_thread"] for n in range(5)] == [1, 2, 3, 4, 5]
    assert invoke({"exit": True}) is None  # a handler that raises SystemExit ends its thread, not the environment
    assert invoke({"n": 6})["calls_on_thread"] == 1  # a fresh thread


def test_concurrent_callers_and_a_replaced_environment(start: Start) -> None:
    """The invoker keeps a connection per concurrent caller, and after the environment ends (as after a timeout)
    it drops the closed connections and reaches the fresh one on the same address (issue 18: http.client)."""
    from concurrent.futures import ThreadPoolExecutor

    port = _free_port()
    process, invoke = start(port=port)
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda n: invoke({"n": n})["echo"]["n"], range(40)))
    assert answers == list(range(40))
    assert 1 <= len(invoke._idle) <= 4  # kept alive, one per caller that overlapped
    process.kill()
    process.wait()
    start(port=port)  # the runtime starts a fresh environment on the same address
    assert invoke({"n": 41})["calls_on_thread"] == 1


def test_past_the_timeout_the_invocation_fails_and_the_environment_ends(start: Start) -> None:
    process, invoke = start(timeout=1)
    began = time.monotonic()
    with pytest.raises(LambdaFunctionError) as raised:
        invoke({"sleep": 5})
    assert raised.value.error_type == "Sandbox.Timedout" and "Task timed out after 1.00 seconds" in raised.value.message
    assert time.monotonic() - began < 4
    assert process.wait(timeout=10) != 0  # discarded: the runtime starts a fresh one


def test_a_module_that_does_not_import_fails_every_invocation_as_lambda_does(start: Start) -> None:
    _process, invoke = start(handler="missing_module.handler")
    with pytest.raises(LambdaFunctionError) as raised:
        invoke({})
    assert raised.value.error_type == "Runtime.ImportModuleError"
    assert "missing_module" in raised.value.message
