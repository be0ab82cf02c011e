"""Bounded retries with jittered exponential backoff and a time budget, shared by the AWS/HTTP adapters.

Retries are counted here, in one place, so the bound is exact (botocore's own retries are set to one attempt
by bootstrap; its adaptive mode still rate-limits the client after throttling). A retry only starts when the
next attempt can still finish inside the budget: with Lex's 30 s limit a slow attempt is not followed by
another slow one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

T = TypeVar("T")
Verdict = Literal["retry", "unavailable", "rejected"]

# Bedrock runtime error codes (botocore service model bedrock-runtime 2023-09-30) worth another attempt.
RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "ServiceUnavailableException",
        "ModelNotReadyException",
        "InternalServerException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
    }
)
# Transient for the service, but another attempt would not finish in time (or fail the same way).
UNAVAILABLE_CODES = frozenset({"ModelTimeoutException", "ModelErrorException", "ServiceQuotaExceededException"})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 4.0
    deadline_seconds: float | None = None  # total time across attempts; None = unbounded
    attempt_seconds: float = 0.0  # the longest one attempt may take (the read timeout)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full-jitter backoff before attempt `attempt + 1` (attempt counts from 1)."""
        cap = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return (rng or random).uniform(cap / 2, cap)


@dataclass(frozen=True)
class Attempted(Generic[T]):
    value: T
    attempts: int


class RetriesFailed(Exception):
    """The call failed for good: `verdict` says how, `attempts` how many were made, `__cause__` the last error."""

    def __init__(self, cause: BaseException, verdict: Verdict, attempts: int) -> None:
        super().__init__(f"{describe(cause)} (after {attempts} attempt{'s' if attempts != 1 else ''})")
        self.cause = cause
        self.verdict = verdict
        self.attempts = attempts
        self.code = error_code(cause)


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    classify: Callable[[Exception], Verdict | None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Attempted[T]:
    """Run `call` until it succeeds, fails for good, runs out of attempts or would overrun the budget.

    `classify` maps an exception to a verdict; None means "not a service error" and lets it propagate as is
    (a bug must not turn into "model unavailable").
    """
    classify = classify or classify_aws_error
    started = clock()
    attempt = 1
    while True:
        try:
            return Attempted(call(), attempt)
        except Exception as exc:
            verdict = classify(exc)
            if verdict is None:
                raise
            if verdict != "retry":
                raise RetriesFailed(exc, verdict, attempt) from exc
            if attempt >= policy.max_attempts:
                raise RetriesFailed(exc, "unavailable", attempt) from exc
            pause = policy.delay(attempt)
            if policy.deadline_seconds is not None:
                elapsed = clock() - started
                if elapsed + pause + policy.attempt_seconds > policy.deadline_seconds:
                    raise RetriesFailed(exc, "unavailable", attempt) from exc
            sleep(pause)
            attempt += 1


def classify_aws_error(exc: BaseException) -> Verdict | None:
    """retry: throttling, 5xx, connection trouble; unavailable: model timeouts/errors; rejected: the rest."""
    if isinstance(exc, ClientError):
        code = error_code(exc)
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in RETRYABLE_CODES or status == 429 or status >= 500:
            return "retry"
        if code in UNAVAILABLE_CODES:
            return "unavailable"
        return "rejected"
    if isinstance(exc, ConnectTimeoutError | EndpointConnectionError | ConnectionClosedError | ReadTimeoutError):
        return "retry"
    if isinstance(exc, BotoCoreError):
        # NoCredentialsError, ParamValidationError, NoRegionError...: configuration, not load.
        return "rejected"
    return None


def error_code(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "")) or type(exc).__name__
    return type(exc).__name__


def describe(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        message = exc.response.get("Error", {}).get("Message", "") or str(exc)
        return f"{error_code(exc)}: {message}"
    return f"{type(exc).__name__}: {exc}"
