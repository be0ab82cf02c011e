"""Invoking a local Lambda execution environment (`local.lambda_worker`) over loopback HTTP: the stand-ins for
the services that invoke Lambdas in AWS (API Gateway → lex_proxy, Lex → fulfillment, S3 → vectorizer) call a
`LambdaInvoker` where they used to call the handler in-process. It has the handler's signature, keeps its
connections alive between invocations, waits for an environment that is (re)starting, and turns a function error
into `LambdaFunctionError`, as the caller would see it in AWS.

It speaks HTTP/1.1 with the standard library's `http.client` (a connection per concurrent caller, kept for the next):
every chat turn makes two or three invocations, and httpx cost about 0.4 ms more CPU per call (issue 18).
"""

from __future__ import annotations

import http.client
import json
import select
import threading
import time
import urllib.parse
from typing import Any

INVOKE_PATH = "/2015-03-31/functions/function/invocations"


class LambdaFunctionError(RuntimeError):
    """The function failed (raised, timed out, could not start): Lambda's errorType and errorMessage."""

    def __init__(self, function_name: str, error_type: str, message: str) -> None:
        super().__init__(f"{function_name}: {error_type}: {message}")
        self.function_name = function_name
        self.error_type = error_type
        self.message = message


class LambdaUnavailable(RuntimeError):
    """No execution environment answered (it is not running)."""


class LambdaInvoker:
    def __init__(self, url: str, function_name: str, timeout: float, *, start_wait: float = 60.0) -> None:
        self.url = url.rstrip("/") + INVOKE_PATH if not url.endswith(INVOKE_PATH) else url
        parsed = urllib.parse.urlsplit(self.url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"{function_name}: a Lambda environment is invoked over http://host:port, not {url}")
        self._host, self._port, self._path = parsed.hostname, parsed.port or 80, parsed.path
        self.function_name = function_name
        self.timeout = timeout
        self.start_wait = start_wait
        # The environment enforces the function's timeout; waiting a little longer lets its answer arrive.
        self._read_timeout = timeout + 10
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def __call__(self, event: Any, _context: Any = None) -> Any:
        body = json.dumps(event).encode()
        deadline = time.monotonic() + self.start_wait
        while True:
            try:
                connection = self._connection()
            except ConnectionRefusedError as exc:  # the environment is starting (or restarting after a timeout)
                if time.monotonic() > deadline:
                    raise LambdaUnavailable(f"{self.function_name}: no execution environment at {self.url}") from exc
                time.sleep(0.1)
                continue
            try:
                connection.request("POST", self._path, body=body, headers={"Content-Type": "application/json"})
                response = connection.getresponse()
                data = response.read()
                break
            except BaseException:
                connection.close()
                raise
        if response.will_close:
            connection.close()
        else:
            with self._lock:
                self._idle.append(connection)
        payload = json.loads(data)
        if response.getheader("x-amz-function-error"):
            raise LambdaFunctionError(
                self.function_name, str(payload.get("errorType", "Unhandled")), str(payload.get("errorMessage", ""))
            )
        return payload

    def _connection(self) -> http.client.HTTPConnection:
        """A kept-alive connection the environment has not closed meanwhile, else a new one (connected lazily)."""
        while True:
            with self._lock:
                connection = self._idle.pop() if self._idle else None
            if connection is None:
                connection = http.client.HTTPConnection(self._host, self._port, timeout=2.0)
                try:
                    connection.connect()  # ConnectionRefusedError while the environment starts
                except BaseException:
                    connection.close()
                    raise
                connection.sock.settimeout(self._read_timeout)
                return connection
            # an idle connection that is readable has been closed by the environment (it ended after a timeout)
            if connection.sock is not None and not select.select([connection.sock], [], [], 0)[0]:
                return connection
            connection.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
