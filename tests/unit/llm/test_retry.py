from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, ReadTimeoutError

from campusbot.llm.retry import RetriesFailed, RetryPolicy, call_with_retries, classify_aws_error


def client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Converse"
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def failing(*errors: Exception, then: str = "ok", clock: Clock | None = None, takes: float = 0.0):  # type: ignore[no-untyped-def]
    queue = list(errors)

    def call() -> str:
        if clock is not None:
            clock.now += takes
        if queue:
            raise queue.pop(0)
        return then

    return call


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (client_error("ThrottlingException", 429), "retry"),
        (client_error("ServiceUnavailableException", 503), "retry"),
        (client_error("ModelNotReadyException", 429), "retry"),
        (client_error("InternalServerException", 500), "retry"),
        (client_error("SomethingNew", 502), "retry"),
        (client_error("ModelTimeoutException", 408), "unavailable"),
        (client_error("ModelErrorException", 424), "unavailable"),
        (client_error("ValidationException", 400), "rejected"),
        (client_error("AccessDeniedException", 403), "rejected"),
        (client_error("ResourceNotFoundException", 404), "rejected"),
        (EndpointConnectionError(endpoint_url="http://x"), "retry"),
        (ReadTimeoutError(endpoint_url="http://x"), "retry"),
        (NoCredentialsError(), "rejected"),
        (KeyError("bug"), None),
    ],
)
def test_classification(error: Exception, verdict: str | None) -> None:
    assert classify_aws_error(error) == verdict


def test_success_after_retries_counts_attempts() -> None:
    clock = Clock()
    call = failing(client_error("ThrottlingException", 429), client_error("ThrottlingException", 429))
    result = call_with_retries(call, RetryPolicy(max_attempts=3), sleep=clock.sleep, clock=clock)
    assert (result.value, result.attempts) == ("ok", 3)
    assert len(clock.pauses) == 2 and clock.pauses[1] > clock.pauses[0] / 2


def test_attempts_are_bounded() -> None:
    clock = Clock()
    call = failing(*[client_error("ThrottlingException", 429)] * 5)
    with pytest.raises(RetriesFailed) as caught:
        call_with_retries(call, RetryPolicy(max_attempts=2), sleep=clock.sleep, clock=clock)
    assert (caught.value.attempts, caught.value.verdict, caught.value.code) == (2, "unavailable", "ThrottlingException")


def test_rejections_are_not_retried() -> None:
    clock = Clock()
    with pytest.raises(RetriesFailed) as caught:
        call_with_retries(failing(client_error("ValidationException", 400)), RetryPolicy(), sleep=clock.sleep)
    assert (caught.value.attempts, caught.value.verdict) == (1, "rejected")
    assert clock.pauses == []


def test_bugs_propagate_unwrapped() -> None:
    with pytest.raises(KeyError):
        call_with_retries(failing(KeyError("x")), RetryPolicy())


def test_no_retry_that_could_overrun_the_deadline() -> None:
    """A 12 s read timeout with a 15 s budget: the slow attempt is not followed by another slow one."""
    clock = Clock()
    call = failing(ReadTimeoutError(endpoint_url="http://x"), clock=clock, takes=12.0)
    policy = RetryPolicy(max_attempts=3, deadline_seconds=15.0, attempt_seconds=12.0)
    with pytest.raises(RetriesFailed) as caught:
        call_with_retries(call, policy, sleep=clock.sleep, clock=clock)
    assert caught.value.attempts == 1 and clock.pauses == []


def test_quick_throttles_are_retried_inside_the_deadline() -> None:
    clock = Clock()
    call = failing(*[client_error("ThrottlingException", 429)] * 2, clock=clock, takes=0.1)
    policy = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=2.0, deadline_seconds=15.0, attempt_seconds=12.0)
    assert call_with_retries(call, policy, sleep=clock.sleep, clock=clock).attempts == 3
    assert clock.now <= 15.0


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=4.0)
    for attempt, cap in [(1, 1.0), (2, 2.0), (3, 4.0), (6, 4.0)]:
        assert cap / 2 <= policy.delay(attempt) <= cap


def test_at_least_one_attempt() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
