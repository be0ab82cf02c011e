"""S3 event parsing (the real AWS shapes in tests/events), tags, and the sequencer ordering rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from campusbot.knowledge.ingest import S3Record, parse_event, parse_tags
from campusbot.knowledge.store import sequencer_applies
from campusbot.local.notifier import event_record

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


def test_put_event() -> None:
    assert parse_event(load("s3_object_created_put.json")) == [
        S3Record(
            event_name="ObjectCreated:Put",
            bucket="campusbot-docs",
            key="guides/scholarship guide 2027.md",
            size=1305,
            etag="5b8f2a6a8d3c4e1f9a0b7c6d5e4f3a2b",
            sequencer="0065E1A2B3C4D5E6F7",
        )
    ]


def test_unicode_key_with_parentheses_is_decoded_with_unquote_plus() -> None:
    (record,) = parse_event(load("s3_object_created_unicode_key.json"))
    assert record.key == "handbooks/München intern handbook (2027).docx"
    assert record.action == "create"
    assert record.etag == "9e107d9d372bb6826bd81d3542a419d6-1"


def test_delete_event_has_no_size_or_etag() -> None:
    (record,) = parse_event(load("s3_object_removed_delete.json"))
    assert (record.action, record.size, record.etag) == ("remove", None, None)


def test_test_event_is_ignored() -> None:
    assert parse_event(load("s3_test_event.json")) == []


def test_s3_event_inside_sqs_message() -> None:
    (record,) = parse_event(load("s3_via_sqs.json"))
    assert (record.bucket, record.key) == ("campusbot-docs", "visa/student visa notes.html")


def test_other_sources_and_malformed_records_are_skipped() -> None:
    event = {
        "Records": [
            {"eventSource": "aws:sns", "Sns": {}},
            {"eventSource": "aws:s3", "s3": {"bucket": {}, "object": {"key": "x"}}},
            {"eventSource": "aws:sqs", "body": "not json"},
            "garbage",
        ]
    }
    assert parse_event(event) == []


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("ObjectCreated:Copy", "create"),
        ("ObjectCreated:CompleteMultipartUpload", "create"),
        ("ObjectRemoved:DeleteMarkerCreated", "remove"),
        ("LifecycleExpiration:Delete", "remove"),
        ("ObjectTagging:Put", "ignore"),
        ("ObjectRestore:Completed", "ignore"),
    ],
)
def test_actions(name: str, action: str) -> None:
    assert S3Record(name, "b", "k").action == action


def test_notifier_records_round_trip_through_the_parser() -> None:
    key = "handbooks/München intern handbook+(2027).docx"
    record = event_record("ObjectCreated:Put", "docs", key, size=10, etag='"abc"', sequencer="00000000000000000001")
    assert record["s3"]["object"]["key"] == "handbooks/M%C3%BCnchen+intern+handbook%2B%282027%29.docx"
    assert record["eventTime"].endswith("Z") and record["eventVersion"] == "2.1"
    (parsed,) = parse_event({"Records": [record]})
    assert (parsed.key, parsed.etag, parsed.size) == (key, "abc", 10)


def test_tags_are_normalized() -> None:
    assert parse_tags(" Visa, scholarships ,visa,,Über!") == ("ber", "scholarships", "visa")
    assert parse_tags("") == ()


@pytest.mark.parametrize(
    ("stored", "incoming", "applies"),
    [
        (None, "0055AED6DCD90281E5", True),
        ("0055AED6DCD90281E5", None, True),
        ("0055AED6DCD90281E5", "0055AED6DCD90281E6", True),
        ("0055AED6DCD90281E5", "0055AED6DCD90281E5", True),
        ("0055AED6DCD90281E6", "0055AED6DCD90281E5", False),
        ("0055AED6DCD9", "0055AED6DCD90281E5", True),  # shorter is right-padded with zeros
        ("0055AED6DCD90281E5", "0055AED6DCD9", False),
        ("0055aed6dcd90281e6", "0055AED6DCD90281E5", False),
    ],
)
def test_sequencer_ordering(stored: str | None, incoming: str | None, applies: bool) -> None:
    assert sequencer_applies(stored, incoming) is applies
