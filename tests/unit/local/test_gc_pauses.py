"""A local runtime process logs its long garbage-collector pauses (what bench/chat_latency.py counts)."""

from __future__ import annotations

import gc
import logging

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
