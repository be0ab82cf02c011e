"""One record per chat turn, for the lake (JSON lines), kept out of the chat turn's critical path.

The columns are the Glue table's (terraform/modules/glue_catalog: `chat_events`, checked against this dataclass by
tests/terraform/test_tf_analytics.py), partitioned by day under `s3://<lake>/chat-events/dt=YYYY-MM-DD/`. Two kinds
of event share the table: `turn` (one per chat turn) and `feedback` (a thumbs up or down on an earlier turn, linked
by `rated_event_id`; the web client records it). How an event reaches the lake is an adapter (bootstrap picks it):

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
import re
import sys
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol, TextIO

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

log = logging.getLogger(__name__)

AnswerSource = Literal["database", "documents", "general", "none"]
ANSWER_SOURCES: frozenset[str] = frozenset({"database", "documents", "general", "none"})
FALLBACK_INTENT = "FallbackIntent"
UNANSWERED_SOURCES: frozenset[str] = frozenset({"general", "none"})  # no campus document or row answered
EVENT_KINDS: frozenset[str] = frozenset({"turn", "feedback"})
RATINGS: frozenset[int] = frozenset({1, -1})  # thumbs up, thumbs down
PREFIX = "chat-events/"
QUESTION_MAX_CHARS = 200
MAX_SOURCE_REFS = 5
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LONG_NUMBER = re.compile(r"\+?\d[\d -]{4,}\d")  # phone numbers, ids: five digits or more
_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = " \t.,;:!?¡¿\"'`()[]{}"


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
    kind: str = "turn"
    # turns campusbot could not answer from its data (FallbackIntent closed with a general or no answer): the
    # message normalized (lower case, single spaces) with e-mail addresses and long numbers masked; else ""
    question: str = ""
    # where the answer came from, as compact references: [{"kind": "document"|"university", "id", "title"}]
    sources: str = "[]"
    # feedback events: the event_id of the rated turn and the rating (1 thumbs up, -1 thumbs down)
    rated_event_id: str = ""
    rating: int | None = None

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
        message: str = "",
        sources: Sequence[Mapping[str, Any]] = (),
        event_id: str | None = None,
        now: datetime | None = None,
    ) -> ChatEvent:
        """A turn with a fresh id (or `event_id`, handed to the client to rate the turn) and the current UTC time
        (ISO-8601, milliseconds, `Z`). `message` is kept, normalized, only when the turn went unanswered."""
        source = answer_source if answer_source in ANSWER_SOURCES else "none"
        unanswered = intent == FALLBACK_INTENT and state == "Fulfilled" and source in UNANSWERED_SOURCES
        return cls(
            event_id=event_id or uuid.uuid4().hex,
            occurred_at=_timestamp(now),
            session_id=session_id,
            env=env,
            channel=channel,
            intent=intent,
            nlu_confidence=nlu_confidence,
            state=state,
            answer_source=source,
            slots=json.dumps(dict(slots), ensure_ascii=False, sort_keys=True),
            message_chars=message_chars,
            latency_ms=max(0, round(latency_ms)),
            error=error,
            question=normalize_question(message) if unanswered and not error else "",
            sources=source_refs(sources),
        )

    @classmethod
    def feedback(
        cls,
        *,
        rated_event_id: str,
        rating: int,
        session_id: str,
        env: str,
        channel: str,
        now: datetime | None = None,
    ) -> ChatEvent:
        """A thumbs up (1) or down (-1) on the turn `rated_event_id`; the queries read the turn's intent and
        answer source from the rated turn itself. ValueError for another rating or an empty id."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be 1 (thumbs up) or -1 (thumbs down), not {rating!r}")
        if not rated_event_id:
            raise ValueError("rated_event_id must name the rated turn's event_id")
        return cls(
            event_id=uuid.uuid4().hex,
            occurred_at=_timestamp(now),
            session_id=session_id,
            env=env,
            channel=channel,
            intent=None,
            nlu_confidence=None,
            state=None,
            answer_source="none",
            slots="{}",
            message_chars=0,
            latency_ms=0,
            kind="feedback",
            rated_event_id=rated_event_id,
            rating=rating,
        )

    @property
    def day(self) -> str:
        return self.occurred_at[:10]

    def to_json_line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")) + "\n"


def _timestamp(now: datetime | None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def normalize_question(message: str) -> str:
    """What the content team reads: lower case, single spaces, no edge punctuation, e-mail addresses and long
    numbers masked, at most QUESTION_MAX_CHARS. Equal questions typed differently count together."""
    text = _EMAIL.sub("<email>", message)
    text = _LONG_NUMBER.sub("<number>", text)
    text = _SPACES.sub(" ", text).strip(_EDGE_PUNCTUATION).lower()
    return text[:QUESTION_MAX_CHARS].rstrip()


def source_refs(sources: Sequence[Mapping[str, Any]]) -> str:
    """The answer's sources as a JSON list of {"kind", "id", "title"}: a document (its S3 key) or a database row."""
    refs: list[dict[str, str]] = []
    for source in list(sources)[:MAX_SOURCE_REFS]:
        if source.get("s3_key"):
            kind, ref = "document", source["s3_key"]
        elif source.get("kind") and source.get("id") is not None:
            kind, ref = source["kind"], source["id"]
        else:
            continue
        refs.append({"kind": str(kind)[:40], "id": str(ref)[:300], "title": str(source.get("title") or "")[:300]})
    return json.dumps(refs, ensure_ascii=False, separators=(",", ":"))


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
