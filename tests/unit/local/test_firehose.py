"""The delivery stream: CloudWatch Logs subscription records in, objects as Firehose writes them out (the record
format, the key, buffering by size and time). With a recording S3 here; against moto in the e2e test."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from typing import Any

import pytest

from campusbot.local.aws_environment import ChatEventsDelivery
from campusbot.local.cloudwatch_logs import LogGroups, SubscriptionFilter, data_message
from campusbot.local.filter_pattern import FilterPattern
from campusbot.local.firehose import DeliveryStream, DeliveryStreamError, evaluate_prefix, java_date_format

CONFIG = ChatEventsDelivery(
    stream_name="campusbot-dev-chat-events",
    source_log_groups=("/aws/lambda/campusbot-dev-lex-proxy",),
    filter_pattern='{ ($.event_id = "*") && ($.session_id = "*") && ($.answer_source = "*") }',
    bucket="campusbot-lake",
    prefix="chat-events/dt=!{timestamp:yyyy-MM-dd}/",
    error_output_prefix="delivery-errors/chat-events/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/",
    buffering_size_mb=0.001,  # 1048 bytes
    buffering_interval_seconds=300,
    compression_format="GZIP",
)
KEY = re.compile(
    r"^chat-events/dt=2026-12-31/campusbot-dev-chat-events-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$"
)


class RecordingS3:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.fail = False

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, **_: Any) -> None:
        if self.fail:
            raise ConnectionError("s3 down")
        assert Bucket == "campusbot-lake"
        self.objects[Key] = Body


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 31, 23, 59, 58, tzinfo=dt.UTC).timestamp()

    def __call__(self) -> float:
        return self.now


def chat_event(n: int) -> str:
    return json.dumps({"event_id": f"e{n}", "session_id": "s", "answer_source": "none", "n": n})


def test_prefix_expressions_are_evaluated_as_firehose_does() -> None:
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    assert java_date_format("yyyy-MM-dd'T'HH:mm:ss", moment) == "2026-03-04T05:06:07"
    assert evaluate_prefix(CONFIG.prefix, moment) == "chat-events/dt=2026-03-04/"
    error = evaluate_prefix(CONFIG.error_output_prefix, moment, "processing-failed")
    assert error == "delivery-errors/chat-events/processing-failed/dt=2026-03-04/"
    with pytest.raises(DeliveryStreamError):
        evaluate_prefix("x/!{partitionKeyFromQuery:id}/", moment)


def test_records_are_the_log_messages_newline_delimited_in_one_gzip_object_under_the_oldest_arrival_day() -> None:
    s3, clock = RecordingS3(), Clock()
    stream = DeliveryStream(CONFIG, s3, clock=clock)
    logs = LogGroups([SubscriptionFilter("f", CONFIG.source_log_groups[0], FilterPattern(CONFIG.filter_pattern),
                                         stream.put_record)])  # fmt: skip
    logs.put(CONFIG.source_log_groups[0], "2026/12/31/[$LATEST]abc", chat_event(1))
    logs.put(CONFIG.source_log_groups[0], "2026/12/31/[$LATEST]abc", '{"level": "INFO", "message": "not an event"}')
    logs.put("/aws/lambda/other", "s", chat_event(9))  # no subscription on that group
    clock.now += 5  # past midnight: the object still goes under the oldest record's day
    logs.put(CONFIG.source_log_groups[0], "2026/12/31/[$LATEST]abc", chat_event(2))
    assert s3.objects == {}  # buffered
    assert stream.flush() == 2
    [(key, body)] = s3.objects.items()
    assert KEY.match(key), key
    assert gzip.decompress(body).decode() == chat_event(1) + "\n" + chat_event(2) + "\n"
    assert (logs.events, logs.delivered) == (4, 2)


def test_the_buffer_is_written_when_full_or_when_the_interval_has_passed() -> None:
    s3, clock = RecordingS3(), Clock()
    stream = DeliveryStream(CONFIG, s3, clock=clock, interval_seconds=60)
    for n in range(20):  # ~70 bytes each: more than 1048 bytes in all
        stream.put_record(data_message("g", "s", "f", [(0, chat_event(n))]))
    assert len(s3.objects) == 1 and not stream.due()
    stream.put_record(data_message("g", "s", "f", [(0, chat_event(99))]))
    clock.now += 61
    assert stream.due()
    stream.flush()
    lines = [line for body in s3.objects.values() for line in gzip.decompress(body).splitlines()]
    assert len(lines) == 21


def test_a_failed_delivery_keeps_the_records_for_the_next_attempt() -> None:
    s3, clock = RecordingS3(), Clock()
    stream = DeliveryStream(CONFIG, s3, clock=clock)
    stream.put_record(data_message("g", "s", "f", [(0, chat_event(1))]))
    s3.fail = True
    assert stream.flush() == 0
    s3.fail = False
    assert stream.flush() == 1 and stream.records_written == 1


def test_a_record_that_is_not_a_subscription_message_goes_to_the_error_prefix() -> None:
    s3, clock = RecordingS3(), Clock()
    DeliveryStream(CONFIG, s3, clock=clock).put_record(b"not gzip")
    [(key, body)] = s3.objects.items()
    assert key.startswith("delivery-errors/chat-events/processing-failed/dt=2026-12-31/")
    failure = json.loads(gzip.decompress(body))
    assert failure["errorCode"] == "Processor.ProcessingFailed" and failure["rawData"] == "bm90IGd6aXA="


def test_subscription_messages_have_cloudwatch_logs_shape() -> None:
    message = json.loads(gzip.decompress(data_message("g", "s", "f", [(1700000000000, "hello")])))
    assert message["messageType"] == "DATA_MESSAGE" and message["subscriptionFilters"] == ["f"]
    [event] = message["logEvents"]
    assert (event["timestamp"], event["message"]) == (1700000000000, "hello") and event["id"].isdigit()
