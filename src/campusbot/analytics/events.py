"""One record per chat turn, written by the lex_proxy Lambda to the lake as a JSON line.

The columns are the Glue table's (terraform/modules/glue_catalog: `chat_events`), partitioned by day:
`s3://<lake>/chat-events/dt=YYYY-MM-DD/<event_id>.json`. Writing is best effort: a lake that is down, slow
or misconfigured is logged and never fails the chat turn.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol

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

    @property
    def s3_key(self) -> str:
        """`chat-events/dt=YYYY-MM-DD/<event_id>.json`: the table's partition layout."""
        return f"{PREFIX}dt={self.day}/{self.event_id}.json"

    def to_json_line(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":")) + "\n"


class ChatEventSink(Protocol):
    def record(self, event: ChatEvent) -> None: ...


class NullSink:
    """No lake configured (an empty CAMPUSBOT_LAKE_BUCKET): events are dropped."""

    def record(self, event: ChatEvent) -> None:
        return None


class S3ChatEventSink:
    """Puts each event as its own object; failures are logged, never raised (the chat turn goes on)."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def record(self, event: ChatEvent) -> None:
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=event.s3_key,
                Body=event.to_json_line().encode("utf-8"),
                ContentType="application/json",
            )
        except Exception as exc:  # best effort: botocore errors, timeouts, anything
            log.warning("chat event %s not written to s3://%s: %s", event.event_id, self.bucket, exc)
