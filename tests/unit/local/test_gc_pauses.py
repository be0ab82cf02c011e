"""A local runtime process logs its long garbage-collector pauses (what bench/chat_latency.py counts)."""

from __future__ import annotations

import gc
import logging
import subprocess
import sys

import pytest

from campusbot.local import gc_pauses


def test_a_collection_over_the_threshold_is_logged_once_per_watch(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gc_pauses, "THRESHOLD_MS", 0.0)
    gc_pauses.watch()
    gc_pauses.watch()
    try:
        assert gc.callbacks.count(gc_pauses._callback) == 1
        with caplog.at_level(logging.WARNING, logger="campusbot.gc"):
            gc.collect()
        lines = [r.getMessage() for r in caplog.records if r.name == "campusbot.gc"]
        assert len(lines) == 1 and lines[0].startswith(f"{gc_pauses.MARK} generation 2, ")
    finally:
        gc.callbacks.remove(gc_pauses._callback)


def test_a_short_collection_is_not_logged(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gc_pauses, "THRESHOLD_MS", 10_000.0)
    gc_pauses.watch()
    try:
        with caplog.at_level(logging.WARNING, logger="campusbot.gc"):
            gc.collect()
        assert not [r for r in caplog.records if r.name == "campusbot.gc"]
    finally:
        gc.callbacks.remove(gc_pauses._callback)


def test_freeze_for_exit_leaves_the_collector_nothing_to_walk() -> None:
    """In a process of its own (freezing pytest's heap would hide its garbage from every later test)."""
    script = (
        "import gc\nfrom campusbot.local import gc_pauses\nheld = [[i] for i in range(100_000)]\n"
        "gc_pauses.freeze_for_exit()\nprint(gc.get_freeze_count() >= 100_000, sum(gc.get_count()))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["True", "0"]
