"""Report the garbage collector's long pauses of a local runtime process (a server or a Lambda environment) in its
log, as `gc pause: generation G, D ms, C collected`: the chat's tail is read from these lines next to the per-hop
timings (bench/chat_latency.py counts them per component)."""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

MARK = "gc pause:"
THRESHOLD_MS = 2.0

log = logging.getLogger("campusbot.gc")
_started: list[float] = []


def _callback(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[:] = [time.perf_counter()]
        return
    if not _started:
        return
    duration_ms = (time.perf_counter() - _started[0]) * 1000
    if duration_ms >= THRESHOLD_MS:
        log.warning("%s generation %s, %.1f ms, %s collected", MARK, info.get("generation"), duration_ms,
                    info.get("collected"))  # fmt: skip


def watch() -> None:
    """Log every collection of this process that takes THRESHOLD_MS or more (once per process)."""
    if _callback not in gc.callbacks:
        gc.callbacks.append(_callback)


def freeze_for_exit() -> None:
    """The process ends next: move every object it holds out of the collector's reach, so the interpreter's exit
    does not walk the whole heap (its final collections took about 1 s of CPU in the local runtime's supervisor,
    after everything it ran had stopped). Nothing is lost: the objects go with the process."""
    gc.freeze()
