"""One record per chat turn, for the lake (JSON lines), kept out of the chat turn's critical path.

The columns are the Glue table's (terraform/modules/glue_catalog: `chat_events`), partitioned by day under
`s3://<lake>/chat-events/dt=YYYY-MM-DD/`. How an event reaches the lake is an adapter (bootstrap picks it):

- `LogChatEventSink` (AWS): one JSON line on stdout, i.e. in the Lambda's CloudWatch log stream; a
  subscription filter ships the lines through Firehose into the lake. No network call in the turn.
- `BatchingS3ChatEventSink` (lex_proxy run on its own in a long-lived process, e.g. tests): events are queued
  and a background thread writes them in batches, one object per day and flush. A synchronous PutObject per
  turn cost ~20 ms.
- `NullSink`: no lake.

Recording is best effort: a lake that is down, slow or misconfigured is logged and never fails the turn.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue
import sys
import threading
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol, TextIO

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logging.getLogger(__name__)

AnswerSource = Literal["database", "documents", "general", "none"]
ANSWER_SOURCES: frozenset[str] = frozenset({"database", "documents", "general", "none"})
PREFIX = "chat-events/"


@dataclass(frozen=True)
class ChatEvent:
    """A chat turn as the analytics queries see it (one JSON object per line)."""

    event_id: str
    occurred_at: str
    session_id: str
    env: str
    channel: str
    intent: str | None
    nlu_confidence: float | None
    state: str | None
    answer_source: str
    slots: str
    message_chars: int
    latency_ms: int
    error: str = ""

    @classmethod
    def create(
        cls,
        *,
        session_id: str,
        env: str,
        channel: str,
        intent: str | None,
        nlu_confidence: float | None,
        state: str | None,
        answer_source: str,
        slots: Mapping[str, str | None],
        message_chars: int,
        latency_ms: float,
        error: str = "",
        now: datetime | None = None,
    ) -> ChatEvent:
        """A new event with a fresh id and the current UTC time (ISO-8601, milliseconds, `Z`)."""
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        return cls(
            event_id=uuid.uuid4().hex,
            occurred_at=moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            session_id=session_id,
            env=env,
            channel=channel,
            intent=intent,
            nlu_confidence=nlu_confidence,
            state=state,
            answer_source=answer_source if answer_source in ANSWER_SOURCES else "none",
            slots=json.dumps(dict(slots), ensure_ascii=False, sort_keys=True),
            message_chars=message_chars,
            latency_ms=max(0, round(latency_ms)),
            error=error,
        )

    @property
    def day(self) -> str:
        return self.occurred_at[:10]

    def to_json_line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")) + "\n"


class ChatEventSink(Protocol):
    def record(self, event: ChatEvent) -> None: ...


class NullSink:
    """No lake (CAMPUSBOT_CHAT_EVENTS=none): events are dropped."""

    def record(self, event: ChatEvent) -> None:
        return None


class LogChatEventSink:
    """Writes each event as one JSON line to `stream` (stdout: the Lambda's CloudWatch log stream)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def record(self, event: ChatEvent) -> None:
        stream = self.stream or sys.stdout  # looked up per call: test runners swap sys.stdout
        try:
            stream.write(event.to_json_line())
            stream.flush()
        except Exception as exc:  # a closed stream must not fail the turn
            log.warning("chat event %s not logged: %s", event.event_id, exc)


class BatchingS3ChatEventSink:
    """Queues events and writes them from a background thread, `max_batch` at most per object, every
    `interval` seconds; `close()` (also at exit) writes what is left. The queue is bounded: when the lake
    cannot keep up, new events are dropped with a warning rather than growing memory."""

    def __init__(
        self, client: S3Client, bucket: str, *, interval: float = 2.0, max_batch: int = 500, max_queue: int = 10_000
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.interval = interval
        self.max_batch = max_batch
        self.written = 0
        self.dropped = 0
        self._queue: queue.Queue[ChatEvent] = queue.Queue(maxsize=max_queue)
        self._stop = threading.Event()
        self._writing = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="chat-events", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def record(self, event: ChatEvent) -> None:
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1
            log.warning(
                "chat event %s dropped: the lake writer is %d events behind", event.event_id, self._queue.qsize()
            )

    def flush(self) -> None:
        """Write everything queued now (the background thread does this every `interval` seconds)."""
        with self._writing:
            self._flush()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the writer after it has written everything queued."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()
        self.flush()

    def _flush(self) -> None:
        while True:
            batch: list[ChatEvent] = []
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if not batch:
                return
            for day, events in _by_day(batch).items():
                self._write(day, events)

    def _write(self, day: str, events: list[ChatEvent]) -> None:
        key = f"{PREFIX}dt={day}/{events[0].occurred_at[11:23].replace(':', '')}-{uuid.uuid4().hex[:12]}.json"
        body = "".join(event.to_json_line() for event in events).encode("utf-8")
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/x-ndjson")
            self.written += len(events)
        except Exception as exc:  # best effort: botocore errors, timeouts, anything
            log.warning("%d chat events not written to s3://%s/%s: %s", len(events), self.bucket, key, exc)


def _by_day(events: list[ChatEvent]) -> dict[str, list[ChatEvent]]:
    days: dict[str, list[ChatEvent]] = {}
    for event in events:
        days.setdefault(event.day, []).append(event)
    return days
