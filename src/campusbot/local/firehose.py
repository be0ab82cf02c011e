"""A Firehose delivery stream to S3, as `terraform/modules/firehose` configures it, for the local runtime.

Records arrive as CloudWatch Logs subscription data (gzip JSON DATA_MESSAGEs). The stream's processors run in
the module's order: Decompression (GZIP), CloudWatchLogProcessing with DataMessageExtraction (each log event's
message becomes a record; CONTROL_MESSAGEs are dropped), AppendDelimiterToRecord (a newline after each). Records
are buffered until `buffering_size_mb` or `buffering_interval_seconds` is reached, then written as one object:

    <prefix, !{timestamp:...} evaluated at the oldest record's arrival, UTC><stream>-1-<yyyy-MM-dd-HH-mm-ss>-<uuid>.gz

its body the records compressed with `compression_format` (GZIP), exactly what Firehose writes to the lake. A
record that cannot be processed goes, in Firehose's error format, under `error_output_prefix` with
`!{firehose:error-output-type}` = processing-failed. `flush()` writes what is buffered (the runtime calls it at stop).
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from campusbot.local.aws_environment import ChatEventsDelivery

log = logging.getLogger(__name__)

Clock = Callable[[], float]
_EXPRESSION = re.compile(r"!\{(?P<namespace>[A-Za-z]+):(?P<value>[^}]*)\}")
_JAVA_PATTERN = re.compile(r"'[^']*'|yyyy|yy|MM|dd|HH|mm|ss|SSS|.", re.DOTALL)
_JAVA_TO_STRFTIME = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


class DeliveryStreamError(ValueError):
    """The stream's configuration asks for something this stand-in does not do."""


def java_date_format(pattern: str, moment: dt.datetime) -> str:
    """Java DateTimeFormatter letters used in Firehose prefixes (yyyy, MM, dd, HH, mm, ss, 'literal')."""
    out = []
    for token in _JAVA_PATTERN.findall(pattern):
        if token.startswith("'") and token.endswith("'") and len(token) >= 2:
            out.append(token[1:-1] or "'")
        elif token in _JAVA_TO_STRFTIME:
            out.append(moment.strftime(_JAVA_TO_STRFTIME[token]))
        elif token == "SSS":
            out.append(f"{moment.microsecond // 1000:03d}")
        elif token.isalpha():
            raise DeliveryStreamError(f"date letter {token!r} in a Firehose prefix is not supported here")
        else:
            out.append(token)
    return "".join(out)


def evaluate_prefix(prefix: str, moment: dt.datetime, error_output_type: str = "") -> str:
    def replace(match: re.Match[str]) -> str:
        namespace, value = match.group("namespace"), match.group("value")
        if namespace == "timestamp":
            return java_date_format(value, moment)
        if namespace == "firehose" and value == "random-string":
            return secrets.token_hex(6)[:11]
        if namespace == "firehose" and value == "error-output-type":
            return error_output_type
        raise DeliveryStreamError(f"prefix expression {match.group(0)} is not supported here")

    return _EXPRESSION.sub(replace, prefix)


class DeliveryStream:
    def __init__(
        self,
        config: ChatEventsDelivery,
        s3: Any,
        *,
        interval_seconds: float | None = None,
        clock: Clock = time.time,
    ) -> None:
        if config.compression_format not in ("GZIP", "UNCOMPRESSED"):
            raise DeliveryStreamError(f"compression {config.compression_format} is not supported here")
        evaluate_prefix(config.prefix, dt.datetime.now(dt.UTC))  # fail at start on an unsupported prefix
        self.config = config
        self.s3 = s3
        self.interval = interval_seconds if interval_seconds is not None else config.buffering_interval_seconds
        self.max_bytes = int(config.buffering_size_mb * 1024 * 1024)
        self.clock = clock
        self.objects_written = 0
        self.records_written = 0
        self._buffer: list[bytes] = []
        self._size = 0
        self._oldest: float | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # input ----------------------------------------------------------------------------------------------------
    def put_record(self, data: bytes) -> None:
        """One record (a CloudWatch Logs subscription message), processed as the stream's processors do."""
        arrival = self.clock()
        try:
            records = _extract_messages(data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._write_failed(data, arrival, str(exc))
            return
        with self._lock:
            for record in records:
                self._buffer.append(record)
                self._size += len(record)
                if self._oldest is None:
                    self._oldest = arrival
            full = self._size >= self.max_bytes
        if full:
            self.flush()

    # delivery -------------------------------------------------------------------------------------------------
    def due(self) -> bool:
        with self._lock:
            return self._oldest is not None and self.clock() - self._oldest >= self.interval

    def flush(self) -> int:
        """Write what is buffered as one object; the number of records written (kept for a retry on failure)."""
        with self._lock:
            if not self._buffer or self._oldest is None:
                return 0
            records, oldest = self._buffer, self._oldest
            self._buffer, self._size, self._oldest = [], 0, None
        body = b"".join(records)
        key = self.object_key(oldest)
        try:
            self.s3.put_object(Bucket=self.config.bucket, Key=key, Body=self._compress(body))
        except Exception:  # Firehose retries delivery; keep the records for the next attempt
            log.warning("delivery to s3://%s/%s failed; retrying", self.config.bucket, key, exc_info=True)
            with self._lock:
                self._buffer = records + self._buffer
                self._size += len(body)
                self._oldest = min(oldest, self._oldest) if self._oldest is not None else oldest
            return 0
        self.objects_written += 1
        self.records_written += len(records)
        return len(records)

    def object_key(self, oldest_arrival: float, *, prefix: str | None = None, error_output_type: str = "") -> str:
        arrival = dt.datetime.fromtimestamp(oldest_arrival, dt.UTC)
        written = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
        evaluated = evaluate_prefix(self.config.prefix if prefix is None else prefix, arrival, error_output_type)
        suffix = f"{self.config.stream_name}-1-{written:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}"
        return evaluated + suffix + (".gz" if self.config.compression_format == "GZIP" else "")

    def _compress(self, body: bytes) -> bytes:
        return gzip.compress(body) if self.config.compression_format == "GZIP" else body

    def _write_failed(self, data: bytes, arrival: float, message: str) -> None:
        now_ms = int(self.clock() * 1000)
        failure = {
            "attemptsMade": 1,
            "arrivalTimestamp": int(arrival * 1000),
            "errorCode": "Processor.ProcessingFailed",
            "errorMessage": message,
            "attemptEndingTimestamp": now_ms,
            "rawData": base64.b64encode(data).decode(),
        }
        key = self.object_key(arrival, prefix=self.config.error_output_prefix, error_output_type="processing-failed")
        try:
            body = self._compress((json.dumps(failure) + "\n").encode())
            self.s3.put_object(Bucket=self.config.bucket, Key=key, Body=body)
        except Exception:
            log.warning("could not write a processing failure to s3://%s/%s", self.config.bucket, key, exc_info=True)

    # background -----------------------------------------------------------------------------------------------
    def start(self) -> DeliveryStream:
        """Deliver in a new thread (also the supervisor's restart: buffered records are kept)."""
        self._thread = threading.Thread(target=self._run, name=f"firehose-{self.config.stream_name}", daemon=True)
        self._thread.start()
        return self

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self.flush()

    def _run(self) -> None:
        tick = max(0.05, min(1.0, self.interval / 4))
        while not self._stop.wait(tick):
            if self.due():
                self.flush()


def _extract_messages(data: bytes) -> list[bytes]:
    """Decompression (GZIP) → CloudWatchLogProcessing (DataMessageExtraction) → AppendDelimiterToRecord."""
    payload = json.loads(gzip.decompress(data))
    if payload.get("messageType") == "CONTROL_MESSAGE":
        return []
    if payload.get("messageType") != "DATA_MESSAGE":
        raise ValueError(f"not a CloudWatch Logs subscription message: {payload.get('messageType')!r}")
    return [(event["message"] + "\n").encode("utf-8") for event in payload["logEvents"]]
