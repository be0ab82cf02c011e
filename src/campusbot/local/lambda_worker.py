"""One Lambda execution environment on loopback, as the Lambda Runtime Interface Emulator (RIE) runs one.

    python -m campusbot.local.lambda_worker --port N                 the local runtime (venv, campusbot installed)
    python3.12 -I -S lambda_worker.py --port N --task-root DIR       a Lambda zip unpacked in DIR, clean interpreter

Standard library only, so it also runs next to an unpacked zip in a bare interpreter. The process environment is
the function's (what Terraform gives it) plus what Lambda itself sets: `_HANDLER` (module.function),
`AWS_LAMBDA_FUNCTION_NAME`, `AWS_LAMBDA_FUNCTION_TIMEOUT`, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`,
`AWS_LAMBDA_LOG_GROUP_NAME`, `AWS_LAMBDA_LOG_STREAM_NAME`, `AWS_LAMBDA_LOG_FORMAT` (JSON | Text),
`AWS_LAMBDA_LOG_LEVEL`, `AWS_REGION`.

INIT imports the handler's module. Then, on 127.0.0.1:<port>:

    POST /2015-03-31/functions/function/invocations   the event (JSON) → the handler's result (JSON). A handler
        that raises, or whose module failed to import, answers 200 with `X-Amz-Function-Error: Unhandled` and
        {"errorMessage", "errorType", "stackTrace"}, as Lambda's Invoke does. Past the timeout the answer is
        errorType "Sandbox.Timedout" and the process exits: Lambda discards the environment, and the local
        runtime starts a fresh one (a cold start).
    GET  /_campusbot/health                             200 once INIT is done.

One invocation at a time, as in one execution environment (others wait). stdout and stderr are the function's
log stream: with AWS_LAMBDA_LOG_FORMAT=JSON, `logging` records are JSON objects (timestamp, level, message, logger,
requestId) as the Python runtime writes them; print and other stdout lines stay as they are.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib
import json
import logging
import os
import queue
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from typing import Any

gc_pauses: ModuleType | None
try:
    from campusbot.local import gc_pauses
except ImportError:  # run as a script in a clean Python (the zip tests): no gc pause lines there
    gc_pauses = None

INVOKE_PATH = "/2015-03-31/functions/function/invocations"
HEALTH_PATH = "/_campusbot/health"
_request_id = threading.local()


class LambdaContext:
    """The context object of the Python runtime (the attributes and method handlers use)."""

    def __init__(self, request_id: str, deadline: float) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        region = os.environ.get("AWS_REGION", "us-east-1")
        self.invoked_function_arn = f"arn:aws:lambda:{region}:000000000000:function:{self.function_name}"
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", f"/aws/lambda/{self.function_name}")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class JsonFormatter(logging.Formatter):
    """Lambda's JSON log format for `logging` records."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "requestId": getattr(_request_id, "value", ""),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["errorType"] = record.exc_info[0].__name__
            entry["errorMessage"] = str(record.exc_info[1])
            entry["stackTrace"] = traceback.format_exception(*record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Lambda's text log format: [LEVEL]<tab>time<tab>request id<tab>message."""

    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        text = f"[{record.levelname}]\t{when}\t{getattr(_request_id, 'value', '')}\t{record.getMessage()}"
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return text


def configure_logging() -> None:
    handler = logging.StreamHandler(sys.stdout)
    json_format = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "Text").upper() == "JSON"
    handler.setFormatter(JsonFormatter() if json_format else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper() if json_format else logging.WARNING)


class Environment:
    """The function: its handler (imported at INIT), its timeout, one invocation at a time.

    Invocations run one after another on one long-lived thread, as the Python runtime runs every invocation of an
    environment on its one main thread (thread-locals and the like last between invocations there too), and without
    a thread started per invocation. The HTTP thread waits for the invocation up to the function's timeout; past
    it, the environment ends (the caller exits the process)."""

    def __init__(self, handler_name: str, timeout: float) -> None:
        self.handler_name = handler_name
        self.timeout = timeout
        self.handler: Any = None
        self.init_error: dict[str, Any] | None = None
        self._busy = threading.Lock()
        self._frozen = False
        self._invocations: queue.SimpleQueue[Invocation] = queue.SimpleQueue()
        self._runner: threading.Thread | None = None
        module_name, _, function_name = handler_name.rpartition(".")
        try:
            self.handler = getattr(importlib.import_module(module_name), function_name)
        except Exception as exc:  # Lambda answers every invocation with the INIT error
            logging.getLogger("lambda_worker").exception("INIT failed: cannot import %s", handler_name)
            self.init_error = _error("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")

    def invoke(self, event: Any) -> tuple[Any, bool, bool]:
        """(result, whether it is a function error, whether the environment must end)."""
        with self._busy:
            if self.init_error is not None:
                return self.init_error, True, False
            if self._runner is None or not self._runner.is_alive():  # first, or a handler ended it (SystemExit)
                self._runner = threading.Thread(target=self._run, name="invocations", daemon=True)
                self._runner.start()
            request_id = str(uuid.uuid4())
            invocation = Invocation(event, request_id, time.monotonic() + self.timeout)
            self._invocations.put(invocation)
            finished = invocation.done.wait(self.timeout)
            if not self._frozen and finished:
                # the cold start's objects (modules, SDK clients and their models) stay for the environment's
                # life: out of the collector's full scans, which would otherwise pause a later invocation
                self._frozen = True
                gc.freeze()
            if not finished:
                message = f"RequestId: {request_id} Error: Task timed out after {self.timeout:.2f} seconds"
                sys.stdout.write(
                    json.dumps({"type": "platform.timeout", "requestId": request_id, "message": message}) + "\n"
                )
                sys.stdout.flush()
                return _error("Sandbox.Timedout", message), True, True
            if invocation.error is not None:
                return invocation.error, True, False
            return invocation.result, False, False

    def _run(self) -> None:
        while True:
            invocation = self._invocations.get()
            _request_id.value = invocation.request_id
            try:
                invocation.result = self.handler(
                    invocation.event, LambdaContext(invocation.request_id, invocation.deadline)
                )
            except Exception as exc:
                logging.getLogger("lambda_worker").exception("the handler raised")
                invocation.error = _error(type(exc).__name__, str(exc), exc)
            finally:
                invocation.done.set()


class Invocation:
    """One event handed to the invocation thread, and what the handler made of it."""

    def __init__(self, event: Any, request_id: str, deadline: float) -> None:
        self.event = event
        self.request_id = request_id
        self.deadline = deadline
        self.result: Any = None
        self.error: dict[str, Any] | None = None
        self.done = threading.Event()


def _error(error_type: str, message: str, exc: BaseException | None = None) -> dict[str, Any]:
    trace = traceback.format_tb(exc.__traceback__) if exc is not None else []
    return {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": trace}


def serve(environment: Environment, host: str, port: int) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the invokers hold one connection
        # Headers and body leave in one segment, at once: with Nagle's algorithm the body of each answer waited
        # for the client's delayed ACK (~40 ms per invocation on a kept-alive connection).
        disable_nagle_algorithm = True
        wbufsize = -1

        def do_GET(self) -> None:
            if self.path == HEALTH_PATH:
                self._answer(200, {"status": "ok", "handler": environment.handler_name}, False)
            else:
                self._answer(404, {"message": "not found"}, False)

        def do_POST(self) -> None:
            if self.path != INVOKE_PATH:
                self._answer(404, {"message": "not found"}, False)
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                event = json.loads(body or b"{}")
            except ValueError:
                self._answer(200, _error("Runtime.UnmarshalError", "the event is not JSON"), True)
                return
            result, failed, end = environment.invoke(event)
            self._answer(200, result, failed)
            if end:  # a timed-out environment is not reused
                self.wfile.flush()
                os._exit(3)

        def _answer(self, status: int, payload: Any, failed: bool) -> None:
            try:
                data = json.dumps(payload).encode()
            except (TypeError, ValueError) as exc:
                data = json.dumps(
                    _error("Runtime.MarshalError", f"the result is not JSON serializable: {exc}")
                ).encode()
                failed = True
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if failed:
                self.send_header("X-Amz-Function-Error", "Unhandled")
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

        def log_message(self, format: str, *args: Any) -> None:  # no access log in the function's log stream
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="one Lambda execution environment (RIE's invoke path)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--task-root", help="directory of the unpacked function code (LAMBDA_TASK_ROOT)")
    parser.add_argument("--path", action="append", default=[], help="more import paths (the runtime's SDK)")
    args = parser.parse_args(argv)
    for extra in [*args.path[::-1], *([args.task_root] if args.task_root else [])]:
        sys.path.insert(0, extra)
    if args.task_root:
        os.environ.setdefault("LAMBDA_TASK_ROOT", args.task_root)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    configure_logging()
    if gc_pauses is not None:
        gc_pauses.watch()
    handler = os.environ.get("_HANDLER")
    if not handler:
        raise SystemExit("_HANDLER (module.function) is not set")
    environment = Environment(handler, float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3")))
    serve(environment, args.host, args.port)


if __name__ == "__main__":
    main()
