"""The local S3 notifier on moto's server, delivering real S3 events to the real vectorizer handler."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.fixtures.moto_s3 import MotoS3

from campusbot.db.database import Database
from campusbot.knowledge import store
from campusbot.knowledge.ingest import parse_event
from campusbot.lambdas import vectorizer
from campusbot.local.notifier import S3Notifier
from campusbot.settings import get_settings

TEXT = "# Library\n\nThe Kestrel library lends laptops for {days} days to students with a campus card.\n"


@pytest.fixture
def handler(bedrock_emulator: object, moto_s3: MotoS3, database: Database) -> Iterator[Any]:
    get_settings.cache_clear()
    vectorizer.reset()
    yield vectorizer.handler
    vectorizer.reset()


async def status(database: Database, bucket: str, key: str) -> str | None:
    async with database.sessions() as session:
        state = await store.document_state(session, bucket, key)
    return state.status if state else None


async def test_creates_changes_and_removals_become_s3_events(
    handler: Any, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    s3 = moto_s3.client()
    delivered: list[dict[str, Any]] = []

    def deliver(event: dict[str, Any]) -> Any:
        delivered.append(event)
        return handler(event, None)

    notifier = S3Notifier(s3, s3_bucket, deliver)
    s3.put_object(Bucket=s3_bucket, Key="library/laptop loans ü.md", Body=TEXT.format(days=14).encode())
    s3.put_object(Bucket=s3_bucket, Key="old.md", Body=TEXT.format(days=3).encode())

    events = await asyncio.to_thread(notifier.poll_once)
    assert [e["Records"][0]["eventName"] for e in events] == ["ObjectCreated:Put", "ObjectCreated:Put"]
    record = events[0]["Records"][0]
    assert record["eventSource"] == "aws:s3" and record["eventVersion"] == "2.1"
    assert record["s3"]["bucket"] == {
        "name": s3_bucket,
        "ownerIdentity": {"principalId": "campusbot-local"},
        "arn": f"arn:aws:s3:::{s3_bucket}",
    }
    assert record["s3"]["object"]["key"] == "library/laptop+loans+%C3%BC.md"
    assert record["s3"]["object"]["size"] == len(TEXT.format(days=14).encode())
    assert len(record["s3"]["object"]["eTag"]) == 32 and '"' not in record["s3"]["object"]["eTag"]
    assert await status(database, s3_bucket, "library/laptop loans ü.md") == "indexed"

    assert await asyncio.to_thread(notifier.poll_once) == []  # nothing changed, nothing sent

    s3.put_object(Bucket=s3_bucket, Key="library/laptop loans ü.md", Body=TEXT.format(days=21).encode())
    s3.delete_object(Bucket=s3_bucket, Key="old.md")
    events = await asyncio.to_thread(notifier.poll_once)
    names = [(e["Records"][0]["eventName"], parse_event(e)[0].key) for e in events]
    assert names == [("ObjectRemoved:Delete", "old.md"), ("ObjectCreated:Put", "library/laptop loans ü.md")]
    removal = events[0]["Records"][0]["s3"]["object"]
    assert set(removal) == {"key", "sequencer"}  # delete events carry no size or eTag, as in S3
    assert await status(database, s3_bucket, "old.md") == "deleted"
    sequencers = [e["Records"][0]["s3"]["object"]["sequencer"] for e in delivered]
    assert sequencers == sorted(sequencers) and len(set(sequencers)) == len(sequencers)


async def test_the_thread_indexes_uploads_until_stopped(
    handler: Any, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    s3 = moto_s3.client()
    s3.put_object(Bucket=s3_bucket, Key="before-start.md", Body=TEXT.format(days=7).encode())
    notifier = S3Notifier(s3, s3_bucket, lambda event: handler(event, None), interval=0.2)
    with notifier:
        assert notifier.running
        await wait_for(database, s3_bucket, "before-start.md", "indexed")  # the start-up sync
        s3.put_object(Bucket=s3_bucket, Key="after-start.md", Body=TEXT.format(days=9).encode())
        await wait_for(database, s3_bucket, "after-start.md", "indexed")
        s3.delete_object(Bucket=s3_bucket, Key="after-start.md")
        await wait_for(database, s3_bucket, "after-start.md", "deleted")
    assert not notifier.running
    s3.put_object(Bucket=s3_bucket, Key="after-stop.md", Body=TEXT.format(days=1).encode())
    await asyncio.sleep(0.6)
    assert await status(database, s3_bucket, "after-stop.md") is None


async def test_the_uploads_one_poll_finds_are_delivered_side_by_side(
    handler: Any, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    """S3 invokes the vectorizer once per object and Lambda runs those invocations at once: with `concurrency` 3,
    three uploads are three deliveries in flight together (the barrier breaks if they come one after another)."""
    s3 = moto_s3.client()
    keys = [f"side-by-side/{n}.md" for n in range(3)]
    for n, key in enumerate(keys):
        s3.put_object(Bucket=s3_bucket, Key=key, Body=TEXT.format(days=n + 1).encode())
    together = threading.Barrier(3, timeout=20)

    def deliver(event: dict[str, Any]) -> Any:
        together.wait()
        return handler(event, None)

    notifier = S3Notifier(s3, s3_bucket, deliver, concurrency=3)
    events = await asyncio.to_thread(notifier.poll_once)
    assert [parse_event(e)[0].key for e in events] == keys  # in key order, whichever finished first
    for key in keys:
        assert await status(database, s3_bucket, key) == "indexed"
    assert notifier.delivered == 3 and notifier.failures == 0


async def test_a_slow_delivery_holds_back_neither_later_uploads_nor_is_repeated_while_it_runs(
    moto_s3: MotoS3, s3_bucket: str
) -> None:
    """Lambda's asynchronous invocations: an upload that arrives while another document is still being indexed is
    delivered by a free environment at once, not after the slow one ends. A key in flight is not delivered again
    until its delivery ends; its newer version is delivered then."""
    s3 = moto_s3.client()
    release = threading.Event()
    slow_started = threading.Event()
    delivered: list[tuple[str, str]] = []  # (key, etag), as deliveries end
    started: list[str] = []
    lock = threading.Lock()

    def deliver(event: dict[str, Any]) -> Any:
        record = event["Records"][0]["s3"]["object"]
        key = record["key"]
        with lock:
            started.append(key)
        if key == "slow.md":
            slow_started.set()
            assert release.wait(20), "never released"
        with lock:
            delivered.append((key, record["eTag"]))

    def wait_until(condition: Any, what: str) -> None:
        deadline = time.monotonic() + 20
        while not condition():
            assert time.monotonic() < deadline, what
            time.sleep(0.02)

    notifier = S3Notifier(s3, s3_bucket, deliver, interval=0.2, concurrency=2)
    with notifier:
        s3.put_object(Bucket=s3_bucket, Key="slow.md", Body=b"first version")
        await asyncio.to_thread(slow_started.wait, 20)
        s3.put_object(Bucket=s3_bucket, Key="fast.md", Body=b"uploaded while slow.md is indexed")
        second = s3.put_object(Bucket=s3_bucket, Key="slow.md", Body=b"second version")["ETag"].strip('"')
        await asyncio.to_thread(wait_until, lambda: [key for key, _ in delivered] == ["fast.md"], "fast.md waited")
        await asyncio.sleep(0.5)  # polls go on meanwhile
        assert started.count("slow.md") == 1  # its newer version waits for the delivery in flight
        release.set()
        await asyncio.to_thread(wait_until, lambda: len(delivered) == 3, "the second version never came")
    assert [key for key, _ in delivered] == ["fast.md", "slow.md", "slow.md"]
    assert delivered[-1][1] == second
    assert notifier.delivered == 3 and notifier.failures == 0


async def test_the_bucket_is_not_listed_while_every_worker_is_busy(moto_s3: MotoS3, s3_bucket: str) -> None:
    """A listing costs CPU in proportion to the bucket; while every worker is busy its changes could not be taken
    anyway. The next poll comes when a worker is free (or `interval` after the last one)."""
    s3 = moto_s3.client()
    release = threading.Event()
    started: list[str] = []
    listings: list[float] = []

    def deliver(event: dict[str, Any]) -> Any:
        key = event["Records"][0]["s3"]["object"]["key"]
        started.append(key)
        if key != "later.md":
            assert release.wait(20), "never released"

    notifier = S3Notifier(s3, s3_bucket, deliver, interval=4.0, concurrency=2)
    list_objects = notifier.list_objects

    def counted() -> Any:
        listings.append(time.monotonic())
        return list_objects()

    notifier.list_objects = counted  # type: ignore[method-assign]
    s3.put_object(Bucket=s3_bucket, Key="one.md", Body=b"held")
    s3.put_object(Bucket=s3_bucket, Key="two.md", Body=b"held too")
    with notifier:
        deadline = time.monotonic() + 20
        while len(started) < 2:
            assert time.monotonic() < deadline, "the first poll's deliveries never started"
            await asyncio.sleep(0.02)
        before = len(listings)
        s3.put_object(Bucket=s3_bucket, Key="later.md", Body=b"waits for a free worker")
        await asyncio.sleep(2.0)  # more than interval / 5 (0.8 s), less than interval: both workers still busy
        assert len(listings) == before
        release.set()  # workers free: polled again, and later.md is delivered
        while "later.md" not in started:
            assert time.monotonic() < deadline, "later.md never delivered"
            await asyncio.sleep(0.02)


async def wait_for(database: Database, bucket: str, key: str, wanted: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await status(database, bucket, key) == wanted:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{key} never became {wanted} (now {await status(database, bucket, key)})")


async def test_baseline_removes_what_was_deleted_while_down(moto_s3: MotoS3, s3_bucket: str) -> None:
    s3 = moto_s3.client()
    etag = s3.put_object(Bucket=s3_bucket, Key="kept.md", Body=b"kept")["ETag"]
    events: list[dict[str, Any]] = []
    notifier = S3Notifier(s3, s3_bucket, events.append, baseline={"kept.md": etag, "gone.md": "abc"})
    await asyncio.to_thread(notifier.poll_once)
    assert [(e["Records"][0]["eventName"], e["Records"][0]["s3"]["object"]["key"]) for e in events] == [
        ("ObjectRemoved:Delete", "gone.md")
    ]


async def test_failed_deliveries_are_retried_then_given_up(moto_s3: MotoS3, s3_bucket: str) -> None:
    s3 = moto_s3.client()
    s3.put_object(Bucket=s3_bucket, Key="flaky.md", Body=b"text")
    calls: list[str] = []

    def deliver(event: dict[str, Any]) -> None:
        calls.append(event["Records"][0]["eventName"])
        raise RuntimeError("handler crashed")

    notifier = S3Notifier(s3, s3_bucket, deliver, max_attempts=2)
    assert await asyncio.to_thread(notifier.poll_once) == []  # attempt 1 failed: will retry
    assert len(await asyncio.to_thread(notifier.poll_once)) == 1  # attempt 2 failed: given up
    assert await asyncio.to_thread(notifier.poll_once) == []
    assert calls == ["ObjectCreated:Put", "ObjectCreated:Put"] and notifier.failures == 2


async def test_a_failed_delivery_waits_for_its_retry_delay(moto_s3: MotoS3, s3_bucket: str) -> None:
    """While the vectorizer fails (its database restarting), retries wait 0.3 s, then 0.6 s: the upload survives."""
    s3 = moto_s3.client()
    s3.put_object(Bucket=s3_bucket, Key="later.md", Body=b"text")
    calls: list[float] = []

    def deliver(event: dict[str, Any]) -> None:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise RuntimeError("database restarting")

    notifier = S3Notifier(s3, s3_bucket, deliver, max_attempts=3, retry_delay=0.3)
    delivered: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while not delivered and time.monotonic() < deadline:
        delivered = await asyncio.to_thread(notifier.poll_once)
    assert len(calls) == 3 and len(delivered) == 1 and notifier.failures == 2
    assert calls[1] - calls[0] >= 0.3 and calls[2] - calls[1] >= 0.6


async def test_a_missing_bucket_is_waited_for(moto_s3: MotoS3, unique: str) -> None:
    events: list[dict[str, Any]] = []
    notifier = S3Notifier(moto_s3.client(), f"missing-{unique}", events.append)
    assert await asyncio.to_thread(notifier.poll_once) == [] and events == []


async def test_a_restart_catches_up_from_the_index(
    handler: Any, moto_s3: MotoS3, s3_bucket: str, database: Database
) -> None:
    s3 = moto_s3.client()
    s3.put_object(Bucket=s3_bucket, Key="kept.md", Body=TEXT.format(days=5).encode())
    s3.put_object(Bucket=s3_bucket, Key="removed-while-down.md", Body=TEXT.format(days=6).encode())
    first = S3Notifier(s3, s3_bucket, lambda event: handler(event, None))
    assert len(await asyncio.to_thread(first.poll_once)) == 2
    # the runtime stops; meanwhile one object goes away; the next start takes the index as its baseline
    s3.delete_object(Bucket=s3_bucket, Key="removed-while-down.md")
    baseline = await asyncio.to_thread(vectorizer.known_objects, s3_bucket)
    assert set(baseline) == {"kept.md", "removed-while-down.md"}
    second = S3Notifier(s3, s3_bucket, lambda event: handler(event, None), baseline=baseline)
    events = await asyncio.to_thread(second.poll_once)
    assert [parse_event(e)[0].key for e in events] == ["removed-while-down.md"]
    assert await status(database, s3_bucket, "removed-while-down.md") == "deleted"
    assert await status(database, s3_bucket, "kept.md") == "indexed"
