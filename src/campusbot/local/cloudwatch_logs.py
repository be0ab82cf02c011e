"""CloudWatch Logs for the local Lambda environments: their output lines are log events of their log group, and
a subscription filter (pattern from Terraform) sends the matching ones to its destination the way CloudWatch
Logs does: a gzip-compressed JSON DATA_MESSAGE per batch (owner, logGroup, logStream, subscriptionFilters,
logEvents [{id, timestamp, message}]), which is what a Firehose stream subscribed to the group receives.
"""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from campusbot.local.filter_pattern import FilterPattern

log = logging.getLogger(__name__)

Destination = Callable[[bytes], None]  # e.g. DeliveryStream.put_record
_ids = itertools.count(1)


@dataclass(frozen=True)
class SubscriptionFilter:
    name: str
    log_group: str
    pattern: FilterPattern
    destination: Destination


def data_message(log_group: str, log_stream: str, filter_name: str, events: list[tuple[int, str]],
                 owner: str = "000000000000") -> bytes:  # fmt: skip
    """The record CloudWatch Logs sends to a subscription's destination (gzip-compressed JSON)."""
    payload = {
        "messageType": "DATA_MESSAGE",
        "owner": owner,
        "logGroup": log_group,
        "logStream": log_stream,
        "subscriptionFilters": [filter_name],
        "logEvents": [
            {"id": f"{timestamp:020d}{next(_ids):016d}", "timestamp": timestamp, "message": message}
            for timestamp, message in events
        ],
    }
    return gzip.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


class LogGroups:
    """Receives each environment's output lines (one log event per line) and delivers what subscriptions match."""

    def __init__(self, filters: list[SubscriptionFilter] | None = None) -> None:
        self.filters = list(filters or [])
        self.events = 0
        self.delivered = 0

    def subscribe(self, subscription: SubscriptionFilter) -> None:
        self.filters.append(subscription)

    def put(self, log_group: str, log_stream: str, message: str, timestamp_ms: int | None = None) -> None:
        self.events += 1
        timestamp = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
        for subscription in self.filters:
            if subscription.log_group != log_group or not subscription.pattern.matches(message):
                continue
            try:
                subscription.destination(data_message(log_group, log_stream, subscription.name, [(timestamp, message)]))
                self.delivered += 1
            except Exception:  # a destination that fails must not stop the log stream
                log.warning("subscription %s could not deliver an event", subscription.name, exc_info=True)
