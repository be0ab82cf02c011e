"""CloudWatch Logs filter patterns as the subscription filter of the chat events uses them, and the other forms."""

from __future__ import annotations

import json

import pytest

from campusbot.local.filter_pattern import FilterPattern, FilterPatternError

CHAT_EVENTS = '{ ($.event_id = "*") && ($.session_id = "*") && ($.answer_source = "*") }'
EVENT = {"event_id": "e1", "session_id": "s1", "answer_source": "none", "latency_ms": 40, "intent": None}


def line(**fields: object) -> str:
    return json.dumps({**EVENT, **fields})


def test_the_chat_events_pattern_selects_chat_events_and_nothing_else() -> None:
    pattern = FilterPattern(CHAT_EVENTS)
    assert pattern.matches(line())
    assert not pattern.matches(json.dumps({k: v for k, v in EVENT.items() if k != "answer_source"}))
    assert not pattern.matches(json.dumps({"timestamp": "t", "level": "INFO", "message": "event_id session_id"}))
    assert not pattern.matches("START RequestId: 1 Version: $LATEST")
    assert not pattern.matches(line(answer_source=None))  # a null is not a string


@pytest.mark.parametrize(
    ("pattern", "matches", "misses"),
    [
        ('{ $.answer_source = "doc*" }', line(answer_source="documents"), line()),
        ('{ $.answer_source != "none" }', line(answer_source="general"), line()),
        ("{ $.latency_ms > 30 && $.latency_ms <= 40 }", line(), line(latency_ms=41)),
        ("{ $.intent IS NULL }", line(), line(intent="Help")),
        ("{ $.error NOT EXISTS }", line(), line(error="")),
        ('{ ($.latency_ms > 100) || ($.answer_source = "none") }', line(), line(answer_source="general")),
        ("{ $.answer_source = none }", line(), line(answer_source="general")),
    ],
)
def test_json_patterns(pattern: str, matches: str, misses: str) -> None:
    compiled = FilterPattern(pattern)
    assert compiled.matches(matches) and not compiled.matches(misses)


def test_term_patterns() -> None:
    assert FilterPattern("").matches("anything")
    assert FilterPattern("ERROR Timeout").matches("ERROR: Timeout after 3 s")
    assert not FilterPattern("ERROR Timeout").matches("ERROR: refused")
    assert FilterPattern("?ERROR ?WARN").matches("WARN disk") and not FilterPattern("?ERROR ?WARN").matches("INFO")
    assert not FilterPattern("ERROR -retrying").matches("ERROR retrying")
    assert FilterPattern('"task timed out"').matches("RequestId: 1 task timed out after 3 s")


@pytest.mark.parametrize("pattern", ["[ip, user, ...]", "%ERROR%", "{ $.a = }", "{ $.a = 1", "{ a = 1 }"])
def test_patterns_it_cannot_apply_are_refused_not_matched_everywhere(pattern: str) -> None:
    with pytest.raises(FilterPatternError):
        FilterPattern(pattern)
