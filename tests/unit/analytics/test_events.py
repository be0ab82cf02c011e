"""The chat event record (the Glue table's columns, one JSON line) and its sinks: log lines, batched S3 objects."""

from __future__ import annotations

import io
import json
import logging
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from campusbot.analytics.events import BatchingS3ChatEventSink, ChatEvent, LogChatEventSink, NullSink

COLUMNS = [
    "event_id", "occurred_at", "session_id", "env", "channel", "intent", "nlu_confidence", "state",
    "answer_source", "slots", "message_chars", "latency_ms", "error", "kind", "question", "sources",
    "rated_event_id", "rating",
]  # fmt: skip


def event(**changes: object) -> ChatEvent:
    values: dict[str, object] = {
        "session_id": "s-1",
        "env": "dev",
        "channel": "web",
        "intent": "RecommendUniversity",
        "nlu_confidence": 0.93,
        "state": "Fulfilled",
        "answer_source": "database",
        "slots": {"fieldOfStudy": "Medicine", "country": None},
        "message_chars": 46,
        "latency_ms": 12.6,
        "now": datetime(2026, 11, 25, 23, 59, 59, 123456, tzinfo=UTC),
    }
    values.update(changes)
    return ChatEvent.create(**values)  # type: ignore[arg-type]


def test_one_json_line_with_the_tables_columns() -> None:
    line = event().to_json_line()
    assert line.endswith("\n") and line.count("\n") == 1
    record = json.loads(line)
    assert list(record) == COLUMNS
    assert record["occurred_at"] == "2026-11-25T23:59:59.123Z"
    assert record["latency_ms"] == 13 and record["error"] == ""
    assert json.loads(record["slots"]) == {"fieldOfStudy": "Medicine", "country": None}


def test_a_turn_keeps_its_question_only_when_it_went_unanswered() -> None:
    asked = "  Where can I PARK my bike,   write to ana.garcia@example.edu or call +49 89 1234 5678?! "
    unanswered = event(intent="FallbackIntent", answer_source="general", message=asked)
    assert unanswered.question == "where can i park my bike, write to <email> or call <number>"
    assert event(intent="FallbackIntent", answer_source="none", message="Parking?").question == "parking"
    # answered from documents or the database, still in dialog, or failed: nothing of the message is kept
    assert event(intent="FallbackIntent", answer_source="documents", message=asked).question == ""
    assert event(intent="RecommendUniversity", message=asked).question == ""
    assert event(intent="FallbackIntent", state="ElicitSlot", answer_source="none", message=asked).question == ""
    assert event(intent="FallbackIntent", answer_source="none", message=asked, error="Timeout").question == ""
    assert len(event(intent="FallbackIntent", answer_source="none", message="why " * 200).question) <= 200


def test_sources_are_compact_references() -> None:
    cited = event(
        sources=[
            {"n": 1, "document_id": 4, "title": "Admission rules", "s3_key": "admission-rules-2027.md", "score": 0.8},
            {"kind": "university", "id": 12, "title": "Technical University of Munich"},
            {"title": "no kind, no key: skipped"},
        ]
    )
    assert json.loads(cited.sources) == [
        {"kind": "document", "id": "admission-rules-2027.md", "title": "Admission rules"},
        {"kind": "university", "id": "12", "title": "Technical University of Munich"},
    ]
    assert event().sources == "[]" and event().kind == "turn"


def test_feedback_rates_an_earlier_turn() -> None:
    turn = event()
    feedback = ChatEvent.feedback(rated_event_id=turn.event_id, rating=-1, session_id="s-1", env="dev", channel="web")
    record = json.loads(feedback.to_json_line())
    assert (record["kind"], record["rated_event_id"], record["rating"]) == ("feedback", turn.event_id, -1)
    assert record["event_id"] != turn.event_id and record["answer_source"] == "none" and list(record) == COLUMNS
    with pytest.raises(ValueError, match="thumbs"):
        ChatEvent.feedback(rated_event_id=turn.event_id, rating=5, session_id="s", env="dev", channel="web")
    with pytest.raises(ValueError, match="rated turn"):
        ChatEvent.feedback(rated_event_id="", rating=1, session_id="s", env="dev", channel="web")


def test_the_day_is_the_utc_day() -> None:
    late_in_lima = datetime(2026, 11, 25, 21, 0, tzinfo=timezone(timedelta(hours=-5)))
    record = event(now=late_in_lima)
    assert record.occurred_at.startswith("2026-11-26T02:00:00") and record.day == "2026-11-26"


def test_ids_are_unique_and_unknown_answer_sources_become_none() -> None:
    assert event().event_id != event().event_id
    assert event(answer_source="https://evil").answer_source == "none"


def test_the_log_sink_writes_one_json_line_per_event() -> None:
    stream = io.StringIO()
    sink = LogChatEventSink(stream)
    first, second = event(), event()
    sink.record(first)
    sink.record(second)
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["event_id"] for line in lines] == [first.event_id, second.event_id]
    assert list(json.loads(lines[0])) == COLUMNS


class RecordingS3:
    def __init__(self, fail: bool = False) -> None:
        self.objects: dict[str, bytes] = {}
        self.fail = fail

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, ContentType: str) -> None:
        if self.fail:
            raise RuntimeError("NoSuchBucket")
        assert Bucket == "lake" and ContentType == "application/x-ndjson"
        self.objects[Key] = Body


def test_the_s3_sink_batches_events_into_one_object_per_day() -> None:
    s3 = RecordingS3()
    sink = BatchingS3ChatEventSink(s3, "lake", interval=3600)  # type: ignore[arg-type]
    day_one = datetime(2026, 11, 25, 12, tzinfo=UTC)
    events = [event(now=day_one), event(now=day_one), event(now=day_one + timedelta(days=1))]
    for record in events:
        sink.record(record)
    assert s3.objects == {}, "recording never writes in the caller's thread"
    sink.flush()
    keys = sorted(s3.objects)
    assert [key.split("/")[1] for key in keys] == ["dt=2026-11-25", "dt=2026-11-26"]
    lines = [json.loads(line) for key in keys for line in s3.objects[key].decode().splitlines()]
    assert [line["event_id"] for line in lines] == [e.event_id for e in events]
    assert sink.written == 3
    sink.close()


def test_the_s3_sink_writes_on_its_own_and_at_close() -> None:
    s3 = RecordingS3()
    sink = BatchingS3ChatEventSink(s3, "lake", interval=0.05)  # type: ignore[arg-type]
    sink.record(event())
    deadline = time.monotonic() + 5
    while not s3.objects and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(s3.objects) == 1
    sink.record(event())
    sink.close()
    assert sink.written == 2


def test_a_full_queue_drops_events_and_failures_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    sink = BatchingS3ChatEventSink(RecordingS3(fail=True), "lake", interval=3600, max_queue=2)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="campusbot.analytics.events"):
        for _ in range(3):
            sink.record(event())
        sink.flush()
    assert sink.dropped == 1 and sink.written == 0
    assert "dropped" in caplog.text and "not written to s3://lake" in caplog.text
    sink.close()
    NullSink().record(event())
