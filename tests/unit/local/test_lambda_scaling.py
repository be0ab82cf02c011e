"""Lambda's scale-out over the runtime's execution environments: the environments are plain functions here; the
runtime's own are processes (tests/e2e/test_local_runtime.py uploads a folder through them)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from campusbot.local.lambda_scaling import Environments


class Fleet:
    """Environments that record which of them ran each invocation, and how many ran at once."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.started: list[int] = []
        self.ran: list[int] = []
        self.running = 0
        self.most = 0
        self.hold = hold
        self.lock = threading.Lock()

    def environment(self, index: int) -> Any:
        def invoke(event: dict[str, Any]) -> Any:
            with self.lock:
                self.ran.append(index)
                self.running += 1
                self.most = max(self.most, self.running)
            if self.hold is not None:
                assert self.hold.wait(10)
            with self.lock:
                self.running -= 1
            return {"environment": index, "event": event["n"]}

        return invoke

    def start(self, index: int) -> Any:
        self.started.append(index)
        return self.environment(index)

    def wait_until_invoked(self, times: int) -> None:
        """Until `times` invocations have begun (those past the environments wait for one to be idle)."""
        while len(self.ran) < times:
            threading.Event().wait(0.01)


def test_invocations_one_after_another_keep_to_the_first_environment() -> None:
    fleet = Fleet()
    environments = Environments(fleet.environment(0), fleet.start, 4)
    assert [environments({"n": n})["environment"] for n in range(5)] == [0] * 5
    assert fleet.started == [] and environments.started == 1


def test_invocations_at_once_start_environments_up_to_the_size_and_no_more() -> None:
    hold = threading.Event()
    fleet = Fleet(hold)
    environments = Environments(fleet.environment(0), fleet.start, 3)
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(environments, {"n": n}) for n in range(6)]
        fleet.wait_until_invoked(3)  # three run, the other three wait for one of them to be idle
        assert fleet.running == 3 and sorted(fleet.started) == [1, 2]
        hold.set()
        results = [future.result(timeout=10) for future in futures]
    assert [result["event"] for result in results] == list(range(6))
    assert fleet.most == 3 and environments.started == 3 and sorted(fleet.started) == [1, 2]


def test_the_environment_used_last_is_used_next() -> None:
    hold = threading.Event()
    fleet = Fleet(hold)
    environments = Environments(fleet.environment(0), fleet.start, 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(environments, {"n": n}) for n in range(2)]
        fleet.wait_until_invoked(2)
        hold.set()
        used = {future.result(timeout=10)["environment"] for future in futures}
    assert used == {0, 1}
    fleet.ran.clear()
    environments({"n": 9})
    assert fleet.ran in ([0], [1]) and environments.started == 2


def test_a_start_that_fails_fails_that_invocation_and_is_tried_again() -> None:
    hold = threading.Event()
    fleet = Fleet(hold)
    attempts: list[int] = []

    def start(index: int) -> Any:
        attempts.append(index)
        if len(attempts) == 1:
            raise RuntimeError("lambda-vectorizer-2 exited while starting")
        return fleet.environment(index)

    environments = Environments(fleet.environment(0), start, 2)
    with ThreadPoolExecutor(max_workers=1) as pool:
        busy = pool.submit(environments, {"n": 0})  # the first environment is busy
        fleet.wait_until_invoked(1)
        with pytest.raises(RuntimeError, match="exited while starting"):
            environments({"n": 1})
        assert environments.started == 1
        hold.set()
        busy.result(timeout=10)
    hold.clear()
    with ThreadPoolExecutor(max_workers=1) as pool:
        busy = pool.submit(environments, {"n": 2})
        fleet.wait_until_invoked(2)
        second = ThreadPoolExecutor(max_workers=1).submit(environments, {"n": 3})
        fleet.wait_until_invoked(3)
        hold.set()
        assert second.result(timeout=10)["environment"] == 1
        busy.result(timeout=10)
    assert attempts == [1, 1] and environments.started == 2


def test_a_function_has_at_least_one_environment() -> None:
    with pytest.raises(ValueError):
        Environments(Fleet().environment(0), Fleet().start, 0)
