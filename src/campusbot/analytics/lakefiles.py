"""A lake in a folder: chat events written as Firehose delivers them, for the benchmark, tests and `--lake`.

Firehose (terraform/modules/firehose) buffers records and writes one object per buffer under the day prefix
`chat-events/dt=YYYY-MM-DD/`, named `<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>` plus `.gz` when compressed
(GZIP here). Each record is one JSON line. This writes the same objects into a folder (`platform analytics
--lake FOLDER` reads it); in AWS and on the local runtime the lake is a bucket.
"""

from __future__ import annotations

import gzip
import uuid
from collections.abc import Iterable
from pathlib import Path

from campusbot.analytics.events import ChatEvent
from campusbot.analytics.layout import ChatEventsLayout

STREAM = "campusbot-local-chat-events"
BUFFER_BYTES = 5 * 1024 * 1024  # the firehose module's buffering_size_mb


def object_name(day: str, time_of_day: str, *, compressed: bool, stream: str = STREAM) -> str:
    """`<stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>[.gz]`; time_of_day is HH:MM:SS."""
    suffix = ".gz" if compressed else ""
    return f"{stream}-1-{day}-{time_of_day.replace(':', '-')}-{uuid.uuid4()}{suffix}"


def write_lines(
    root: Path,
    layout: ChatEventsLayout,
    day: str,
    lines: Iterable[str],
    *,
    compressed: bool = True,
    buffer_bytes: int = BUFFER_BYTES,
) -> list[Path]:
    """JSON lines of one day as Firehose objects of at most `buffer_bytes` (before compression)."""
    folder = root / layout.day_prefix(day)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    buffer: list[str] = []
    size = 0

    def flush() -> None:
        nonlocal buffer, size
        if not buffer:
            return
        first = buffer[0]
        time_of_day = first[first.find('"occurred_at":"') + 26 :][:8] if '"occurred_at":"' in first else "00:00:00"
        path = folder / object_name(day, time_of_day, compressed=compressed)
        data = "".join(buffer).encode("utf-8")
        path.write_bytes(gzip.compress(data, compresslevel=6) if compressed else data)
        written.append(path)
        buffer, size = [], 0

    for line in lines:
        buffer.append(line if line.endswith("\n") else line + "\n")
        size += len(line) + 1
        if size >= buffer_bytes:
            flush()
    flush()
    return written


def write_events(
    root: Path, layout: ChatEventsLayout, events: Iterable[ChatEvent], *, compressed: bool = True
) -> list[Path]:
    """Chat events into their days' folders (one object per day here: small sets)."""
    by_day: dict[str, list[str]] = {}
    for event in events:
        by_day.setdefault(event.day, []).append(event.to_json_line())
    written: list[Path] = []
    for day, lines in sorted(by_day.items()):
        written += write_lines(root, layout, day, lines, compressed=compressed)
    return written
