"""Faults on the real local runtime (`platform up`, real processes): each child and the embedded PostgreSQL is
killed (SIGKILL) under a chat load loop and must come back by itself, on the same port, with `platform status`
showing the restart and why; a corrupt upload over a good document keeps the good one answering.

Each test asserts what the user saw (every chat reply a well-formed answer or an honest JSON error, never a hang)
and that no data was lost. Recovery times are logged (`-o log_cli=true`), not asserted: the README reports them.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.fixtures.local_runtime import RunningRuntime

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
QUESTION = "recommend a university for medicine in Germany"  # gateway → lex_proxy → Lex → fulfillment → API → DB
RECOVERY_TIMEOUT = 240.0
HONEST_ERRORS = {429, 502, 504}  # what lex_proxy answers while a hop is down (JSON body with "error")


def status(runtime: RunningRuntime) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(runtime.platform("status", "--json").stdout)
    return state


@dataclass
class ChatLoad:
    """A chat client asking QUESTION in a loop; keeps every outcome (status code or transport error)."""

    url: str
    outcomes: list[tuple[float, int | str, dict[str, Any] | None]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(timeout=35) as client:
            while not self.stop.is_set():
                started = time.monotonic()
                try:
                    response = client.post(self.url, json={"message": QUESTION})
                    body = response.json() if response.content else None
                    self.outcomes.append((started, response.status_code, body))
                except (httpx.TransportError, ValueError) as exc:
                    self.outcomes.append((started, type(exc).__name__, None))
                time.sleep(0.2)


@pytest.fixture
def load(local_runtime: RunningRuntime) -> Iterator[ChatLoad]:
    chat = ChatLoad(local_runtime.chat_url)
    thread = threading.Thread(target=chat.run, name="chat-load", daemon=True)
    thread.start()
    yield chat
    chat.stop.set()
    thread.join(timeout=40)


def answered(runtime: RunningRuntime) -> bool:
    try:
        response = httpx.post(runtime.chat_url, json={"message": QUESTION}, timeout=35)
    except httpx.TransportError:
        return False
    return response.status_code == 200 and response.json().get("state") == "Fulfilled"


def wait_recovered(runtime: RunningRuntime, component: str, old_pid: int) -> float:
    began = time.monotonic()
    while time.monotonic() - began < RECOVERY_TIMEOUT:
        state = status(runtime)
        pid = state["postgres"].get("pid") if component == "postgres" else state["children"][component]["pid"]
        if pid not in (None, old_pid) and answered(runtime):
            return time.monotonic() - began
        time.sleep(1)
    pytest.fail(f"{component} did not recover in {RECOVERY_TIMEOUT:.0f} s:\n{status(runtime)}")


def assert_user_saw_honest_answers(load: ChatLoad, victim: str) -> None:
    assert load.outcomes, "the load loop sent nothing"
    for _, outcome, body in load.outcomes:
        if outcome == 200:
            assert body is not None and body["messages"], body
        elif isinstance(outcome, int):
            assert outcome in HONEST_ERRORS, (outcome, body)
            assert body is not None and body["error"], body
        else:  # no HTTP answer at all: only while the gateway itself (the front door) is down
            assert victim == "gateway", (victim, outcome)


@pytest.mark.parametrize(
    "victim", ["emulator", "api", "gateway", "lambda-fulfillment", "lambda-lex_proxy", "lambda-vectorizer", "postgres"]
)
def test_a_killed_component_comes_back_by_itself(local_runtime: RunningRuntime, load: ChatLoad, victim: str) -> None:
    assert answered(local_runtime)
    before = status(local_runtime)
    pid = before["postgres"]["pid"] if victim == "postgres" else before["children"][victim]["pid"]
    restarts = before["supervision"][victim]["restarts"]
    students = httpx.get(f"{local_runtime.api_url}/students", params={"limit": 1}).json()["count"]
    time.sleep(1)
    os.kill(pid, signal.SIGKILL)
    seconds = wait_recovered(local_runtime, victim, pid)
    log.warning("%s: answering again %.1f s after SIGKILL", victim, seconds)
    time.sleep(1)
    load.stop.set()
    after = status(local_runtime)
    record = after["supervision"][victim]
    assert record["restarts"] == restarts + 1
    assert record["last_exit"] == ("the postmaster ended" if victim == "postgres" else "killed by SIGKILL")
    assert set(after["health"].values()) == {"ok"}
    assert_user_saw_honest_answers(load, victim)
    # no data lost: the API answers from the same database
    ready = httpx.get(f"{local_runtime.api_url}/readyz")
    assert ready.status_code == 200
    assert httpx.get(f"{local_runtime.api_url}/students", params={"limit": 1}).json()["count"] == students


def test_a_corrupt_version_over_a_good_document_keeps_the_good_one_answering(
    local_runtime: RunningRuntime, tmp_path: Path
) -> None:
    good = REPO / "samples" / "documents" / "admission-rules-2027.md"
    uploaded = local_runtime.platform("upload", str(good), "--wait", "--json")
    assert "indexed" in uploaded.stdout, uploaded.stdout + uploaded.stderr
    corrupt = tmp_path / good.name
    corrupt.write_bytes(bytes(range(256)) * 40)
    failed = local_runtime.platform("upload", str(corrupt), "--wait", "--json", check=False)
    assert failed.returncode != 0
    assert "binary content" in failed.stdout and "still answers" in failed.stdout, failed.stdout
    document = next(
        d
        for d in httpx.get(f"{local_runtime.api_url}/documents", params={"limit": 100}).json()["data"]
        if d["s3_key"] == good.name
    )
    assert document["status"] == "failed" and "binary content" in document["error"]
    assert document["served_etag"] and document["served_etag"] != document["etag"] and document["chunk_count"] > 0
    reply = httpx.post(
        local_runtime.chat_url, json={"message": "When does the winter intake application window close?"}, timeout=35
    ).json()
    assert "15 February 2027" in " ".join(reply["messages"])
    assert reply["sources"] and reply["sources"][0]["s3_key"] == good.name


def test_postgres_killed_mid_upload_loses_no_document(local_runtime: RunningRuntime) -> None:
    """The vectorizer fails its invocation while the database is down; the retries index every document once."""
    folder = REPO / "samples" / "documents"
    result: list[Any] = []
    upload = threading.Thread(
        target=lambda: result.append(local_runtime.platform("upload", str(folder), "--wait", "--json", check=False))
    )
    upload.start()
    time.sleep(3)  # the notifier is delivering
    before = status(local_runtime)
    os.kill(before["postgres"]["pid"], signal.SIGKILL)
    upload.join(timeout=400)
    [uploaded] = result
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    listing = httpx.get(f"{local_runtime.api_url}/documents", params={"limit": 100})
    while listing.status_code == 503 and time.monotonic() < deadline:  # the database may still be restarting
        time.sleep(1)
        listing = httpx.get(f"{local_runtime.api_url}/documents", params={"limit": 100})
    assert listing.status_code == 200, listing.text
    documents = {d["s3_key"]: d for d in listing.json()["data"]}
    for path in folder.iterdir():
        document = documents[path.name]
        assert document["status"] == "indexed" and document["chunk_count"] > 0, document
        assert document["served_etag"] == document["etag"]
    restarted = status(local_runtime)["supervision"]["postgres"]
    assert restarted["restarts"] == before["supervision"]["postgres"]["restarts"] + 1
    assert restarted["last_exit"] == "the postmaster ended"
