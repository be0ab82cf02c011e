"""Invoking a local Lambda execution environment (`local.lambda_worker`) over loopback HTTP: the stand-ins for
the services that invoke Lambdas in AWS (API Gateway → lex_proxy, Lex → fulfillment, S3 → vectorizer) call a
`LambdaInvoker` where they used to call the handler in-process. It has the handler's signature, keeps its
connection alive between invocations, waits for an environment that is (re)starting, and turns a function error
into `LambdaFunctionError`, as the caller would see it in AWS.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

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
        self.function_name = function_name
        self.timeout = timeout
        self.start_wait = start_wait
        # The environment enforces the function's timeout; waiting a little longer lets its answer arrive.
        self._http = httpx.Client(timeout=httpx.Timeout(timeout + 10, connect=2.0))

    def __call__(self, event: Any, _context: Any = None) -> Any:
        body = json.dumps(event).encode()
        deadline = time.monotonic() + self.start_wait
        while True:
            try:
                response = self._http.post(self.url, content=body, headers={"Content-Type": "application/json"})
                break
            except httpx.ConnectError as exc:  # the environment is starting (or restarting after a timeout)
                if time.monotonic() > deadline:
                    raise LambdaUnavailable(f"{self.function_name}: no execution environment at {self.url}") from exc
                time.sleep(0.1)
        payload = response.json()
        if response.headers.get("x-amz-function-error"):
            raise LambdaFunctionError(
                self.function_name, str(payload.get("errorType", "Unhandled")), str(payload.get("errorMessage", ""))
            )
        return payload

    def close(self) -> None:
        self._http.close()
