"""The chat event record: the Glue table's columns, one JSON line, the day-partitioned key, best-effort writes."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta, timezone

import boto3
import pytest
from botocore.stub import ANY, Stubber

from campusbot.analytics.events import ChatEvent, NullSink, S3ChatEventSink

COLUMNS = [
    "event_id", "occurred_at", "session_id", "env", "channel", "intent", "nlu_confidence", "state",
    "answer_source", "slots", "message_chars", "latency_ms", "error",
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


def test_the_key_is_partitioned_by_the_utc_day() -> None:
    late_in_lima = datetime(2026, 11, 25, 21, 0, tzinfo=timezone(timedelta(hours=-5)))
    record = event(now=late_in_lima)
    assert record.occurred_at.startswith("2026-11-26T02:00:00")
    assert record.s3_key == f"chat-events/dt=2026-11-26/{record.event_id}.json"


def test_ids_are_unique_and_unknown_answer_sources_become_none() -> None:
    assert event().event_id != event().event_id
    assert event(answer_source="https://evil").answer_source == "none"


def test_s3_sink_puts_one_object_per_event() -> None:
    client = boto3.client("s3", region_name="us-east-1")
    record = event()
    with Stubber(client) as stubber:
        stubber.add_response(
            "put_object",
            {},
            {"Bucket": "lake", "Key": record.s3_key, "Body": ANY, "ContentType": "application/json"},
        )
        S3ChatEventSink(client, "lake").record(record)
        stubber.assert_no_pending_responses()


def test_s3_failures_are_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    client = boto3.client("s3", region_name="us-east-1")
    with Stubber(client) as stubber, caplog.at_level(logging.WARNING, logger="campusbot.analytics.events"):
        stubber.add_client_error("put_object", service_error_code="NoSuchBucket", http_status_code=404)
        S3ChatEventSink(client, "lake").record(event())
    assert "not written to s3://lake" in caplog.text and "NoSuchBucket" in caplog.text
    NullSink().record(event())
