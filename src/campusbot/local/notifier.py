"""Local S3 → vectorizer notifications: what S3 does in AWS, for the local S3 (moto's server or LocalStack).

moto's server sends no notifications without Docker (and LocalStack's need its Lambda service), so the local
runtime runs this notifier: it lists the docs bucket every `interval` seconds, and at once again after a poll that
delivered something (list_objects_v2, etags and sizes), compares with what it saw before, and delivers one real S3
event per change to the vectorizer handler, in the shape S3 sends (eventVersion 2.1, eventSource aws:s3,
`ObjectCreated:Put` / `ObjectRemoved:Delete`, the key URL-encoded as S3 does with spaces as `+`, size and eTag on
creates, a sequencer that grows per key).

Deliveries are Lambda's asynchronous invocations: S3 queues one event per object, and Lambda runs up to
`concurrency` of them side by side (`local.lambda_scaling` starts the environments they need). The polling thread
does not wait for the deliveries it queued: it polls again once a worker is free with nothing queued for it (at
most every `interval / 5` seconds while deliveries run, at least every `interval`), so a worker that finishes takes
the next upload at once instead of waiting for the slowest delivery of its poll. A key is never delivered twice at
once: a change to a key whose delivery is in flight is seen by a later poll.

Polling works the same with moto and LocalStack. It sees the state of the bucket, not every request: two uploads of
one key within one interval are one event, as a coalescing queue would make them. With moto (in this process), a
poll lists the bucket only when moto has answered a write to it since the last listing that left nothing to deliver
or retry (`writes`, counted by `local.s3.BucketWrites`): an idle runtime lists nothing, where a listing every second
cost a quarter of a core at 1,000 documents. LocalStack's writes are not seen here: every poll lists.

Start-up sync: the first poll compares the bucket with `baseline` ({key: etag} the index already has; by default
nothing), so objects uploaded while the runtime was down are indexed, and with a baseline, objects deleted
meanwhile are removed. A delivery that raises is retried on the next polls (`max_attempts` in all), like
Lambda's asynchronous retries; a report with failed documents is not an error of the delivery.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

log = logging.getLogger(__name__)

Deliver = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    etag: str
    size: int


def event_record(
    event_name: str,
    bucket: str,
    key: str,
    *,
    size: int | None = None,
    etag: str | None = None,
    sequencer: str,
    region: str = "us-east-1",
    event_time: datetime | None = None,
) -> dict[str, Any]:
    """One record of an S3 event notification, as S3 writes it (aws_formats.md §4)."""
    when = (event_time or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"
    obj: dict[str, Any] = {"key": quote_plus(key, safe="/"), "sequencer": sequencer}
    if size is not None:
        obj["size"] = size
    if etag is not None:
        obj["eTag"] = etag.strip('"')
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": when,
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:campusbot-local"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": sequencer[-16:], "x-amz-id-2": "campusbot/local/notifier"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "campusbot-vectorizer",
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": "campusbot-local"},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        },
    }


class S3Notifier:
    """Polls one bucket and delivers an S3 event to `deliver` for every object created, changed or removed."""

    def __init__(
        self,
        s3: Any,
        bucket: str,
        deliver: Deliver,
        *,
        interval: float = 1.0,
        region: str = "us-east-1",
        baseline: Mapping[str, str] | None = None,
        max_attempts: int = 3,
        retry_delay: float = 0.0,
        concurrency: int = 1,
        writes: Callable[[], int] | None = None,
    ) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.deliver = deliver
        self.interval = interval
        self.region = region
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay  # before the 2nd attempt, doubling after (Lambda's async retries wait too)
        self._retry_at: dict[str, float] = {}
        self.delivered = 0
        self.failures = 0
        self._seen: dict[str, ObjectInfo] = {
            key: ObjectInfo(key, etag.strip('"'), -1) for key, etag in (baseline or {}).items()
        }
        self._attempts: dict[str, int] = {}
        self._last_sequencer = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._poll_lock = threading.Lock()
        # `_seen`, the attempts, the counters and the deliveries in flight; notified when a delivery starts or ends
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.concurrency = max(1, concurrency)
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight: dict[str, Future[bool]] = {}  # key → its delivery, queued or running
        self._queued = 0  # deliveries no worker has taken yet
        self._bucket_missing = False
        # the S3 server's count of writes to the bucket (`local.s3.BucketWrites`; None: unknown, list at every poll),
        # and its value before the last listing after which nothing was left to deliver or retry
        self._writes = writes
        self.listings = 0
        self._settled_at: int | None = None

    # ----------------------------------------------------------------------------------------- polling

    def list_objects(self) -> dict[str, ObjectInfo] | None:
        """The bucket's objects now; None when the bucket does not exist (yet)."""
        objects: dict[str, ObjectInfo] = {}
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
                for item in page.get("Contents", []):
                    key = item["Key"]
                    objects[key] = ObjectInfo(key, str(item.get("ETag", "")).strip('"'), int(item.get("Size", 0)))
        except Exception as exc:
            code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
            if code in ("NoSuchBucket", "404"):
                if not self._bucket_missing:
                    log.warning("bucket %s does not exist yet; waiting for it", self.bucket)
                self._bucket_missing = True
                return None
            raise
        self._bucket_missing = False
        return objects

    def poll_once(self) -> list[dict[str, Any]]:
        """Compare the bucket with what was seen, deliver one event per change (up to `concurrency` at once, as
        Lambda runs S3's invocations side by side) and wait for them; the events delivered, removals first, each in
        key order."""
        queued = self._poll()
        wait_for_futures([future for _, future in queued])
        return [event for event, future in queued if future.result()]

    def _poll(self) -> list[tuple[dict[str, Any], Future[bool]]]:
        """List the bucket and queue a delivery for each change whose key has none in flight (nor a retry to wait
        for); the events queued, with their deliveries (True once done with the change)."""
        with self._poll_lock:
            mark = self._writes() if self._writes is not None else None
            if mark is not None and mark == self._settled_at:
                return []  # no write since a listing that left nothing behind: the bucket is as it was
            current = self.list_objects()
            self.listings += 1
            if current is None:
                return []
            with self._lock:
                now = time.monotonic()
                ready = [
                    key for key in sorted(set(self._seen) | set(current))
                    if key not in self._in_flight and now >= self._retry_at.get(key, 0.0)
                ]  # fmt: skip
                removed: list[str] = []
                created: list[ObjectInfo] = []
                for key in ready:
                    info = current.get(key)
                    before = self._seen.get(key)
                    if info is None:
                        removed.append(key)
                    elif before is None or before.etag != info.etag:
                        created.append(info)
                    elif before.size < 0:  # from the baseline: now we know its size
                        self._seen[key] = info
                # removals first, then creates, each in key order (the sequencers grow in that order)
                changes = [(key, self._event("ObjectRemoved:Delete", key), None) for key in removed] + [
                    (info.key, self._event("ObjectCreated:Put", info.key, size=info.size, etag=info.etag), info)
                    for info in created
                ]
                queued = [(event, self._queue(key, event, info)) for key, event, info in changes]
                # settled: nothing in flight (a key changed during its delivery is seen by the next listing only)
                # and no retry to come; else the next poll lists again whatever the writes say
                self._settled_at = mark if not self._in_flight and not self._retry_at else None
            return queued

    def _queue(self, key: str, event: dict[str, Any], info: ObjectInfo | None) -> Future[bool]:
        """Hand one change to the workers (called with `_lock` held)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix=f"s3-notify-{self.bucket}")
        self._queued += 1
        future = self._pool.submit(self._work, key, event, info)
        self._in_flight[key] = future
        return future

    def _work(self, key: str, event: dict[str, Any], info: ObjectInfo | None) -> bool:
        with self._changed:
            self._queued -= 1
            self._changed.notify_all()
        finished = False
        try:
            finished = self._deliver(key, event)
        finally:
            with self._changed:
                if finished:
                    if info is None:
                        self._seen.pop(key, None)
                    else:
                        self._seen[key] = info
                self._in_flight.pop(key, None)
                self._changed.notify_all()
        return finished

    def _event(self, name: str, key: str, *, size: int | None = None, etag: str | None = None) -> dict[str, Any]:
        record = event_record(
            name, self.bucket, key, size=size, etag=etag, sequencer=self._sequencer(), region=self.region
        )
        return {"Records": [record]}

    def _deliver(self, key: str, event: dict[str, Any]) -> bool:
        """True when done with this change (delivered, or given up after max_attempts)."""
        try:
            self.deliver(event)
        except Exception:
            with self._lock:
                attempts = self._attempts.get(key, 0) + 1
                self.failures += 1
                retrying = attempts < self.max_attempts
                if retrying:
                    self._attempts[key] = attempts
                    self._retry_at[key] = time.monotonic() + self.retry_delay * 2 ** (attempts - 1)
            if retrying:
                log.warning("delivering %s for %s failed (attempt %d); retrying", _name(event), key, attempts,
                            exc_info=True)  # fmt: skip
                return False
            log.error("giving up on %s for %s after %d attempts", _name(event), key, attempts, exc_info=True)
        with self._lock:
            self._attempts.pop(key, None)
            self._retry_at.pop(key, None)
            self.delivered += 1
        return True

    def _sequencer(self) -> str:
        """Hex, fixed width, strictly increasing: S3's sequencers grow per key, ours grow for the whole bucket."""
        self._last_sequencer = max(self._last_sequencer + 1, time.time_ns())
        return f"{self._last_sequencer:020X}"

    # ----------------------------------------------------------------------------------------- thread

    def start(self) -> S3Notifier:
        """Poll in a daemon thread: once at once (the start-up sync), then every `interval` seconds."""
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"s3-notifier-{self.bucket}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop polling, drop the deliveries no worker has taken, and wait for those in progress to end (at most
        `timeout` seconds); a dropped change is delivered by the next start, which compares with the index."""
        self._stop.set()
        with self._changed:
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
            with self._lock:
                running = list(self._in_flight.values())
            wait_for_futures(running, timeout=timeout)

    @property
    def settled(self) -> bool:
        """The last listing left nothing to deliver or retry: until the S3 server counts a write, polls list nothing
        (always False without `writes`)."""
        return self._settled_at is not None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def __enter__(self) -> S3Notifier:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            queued = []
            try:
                queued = self._poll()
            except Exception:  # S3 unreachable for a moment: say so and keep polling
                log.warning("polling s3://%s failed", self.bucket, exc_info=True)
            self._wait_for_next_poll(began, found=bool(queued))

    def _wait_for_next_poll(self, began: float, *, found: bool) -> None:
        """While deliveries run (or a poll found some), poll again as soon as a worker is free with nothing queued
        for it (or `interval` after the last poll, whichever comes first), but not sooner than `interval / 5` after
        it: uploads that arrived meanwhile reach a worker that would go idle. Polling while every worker is busy
        would find work no worker can take, and a listing costs the S3 server and this process CPU in proportion to
        the bucket (moto: some 0.2 s per 1,000 keys). Otherwise wait `interval`."""
        with self._changed:
            busy = found or bool(self._in_flight)
            if busy:
                self._changed.wait_for(
                    lambda: (self._queued == 0 and len(self._in_flight) < self.concurrency) or self._stop.is_set(),
                    timeout=max(0.0, began + self.interval - time.monotonic()),
                )
        if busy:
            self._stop.wait(max(0.0, began + self.interval / 5 - time.monotonic()))
        else:
            self._stop.wait(self.interval)


def _name(event: Mapping[str, Any]) -> str:
    return str(event["Records"][0]["eventName"])
