"""The session attributes campusbot owns: bounded on the way out, parsed defensively on the way in."""

from __future__ import annotations

import json

import pytest

from campusbot.assistant import attributes


def test_sources_round_trip() -> None:
    sources = [{"title": "Visa guide", "s3_key": "docs/visa.pdf", "score": 0.83, "snippet": "national visa"}]
    assert attributes.decode_sources(attributes.encode_sources(sources)) == sources


def test_sources_are_bounded_in_count_field_size_and_total() -> None:
    many = [{"title": f"t{i}", "snippet": "s" * 5000, "nested": {"x": 1}, "nan": float("nan")} for i in range(20)]
    encoded = attributes.encode_sources(many)
    assert len(encoded) <= attributes.MAX_SOURCES_CHARS
    decoded = attributes.decode_sources(encoded)
    assert len(decoded) == attributes.MAX_SOURCES
    assert all("nested" not in s and "nan" not in s for s in decoded)
    assert all(len(s.get("snippet", "")) <= attributes.MAX_FIELD_CHARS for s in decoded)


def test_oversized_sources_drop_snippets_first() -> None:
    sources = [{"title": "t" * 300, "s3_key": "k" * 300, "url": "u" * 300, "snippet": "s" * 300} for _ in range(5)]
    decoded = attributes.decode_sources(attributes.encode_sources(sources))
    assert len(decoded) == 5
    assert all("snippet" not in s and s["title"] == "t" * 300 for s in decoded)


@pytest.mark.parametrize(
    "value", [None, 3, "", "not json", "{}", '{"a": 1}', "[1, 2, 3]", '"text"', "[" * 100_000, json.dumps(["x"])]
)
def test_anything_unexpected_decodes_to_no_sources(value: object) -> None:
    assert attributes.decode_sources(value) == []


def test_answer_source_accepts_only_known_values() -> None:
    assert attributes.answer_source("documents") == "documents"
    assert attributes.answer_source("https://evil.example") == "none"
    assert attributes.answer_source(None) == "none"


def test_carried_attributes_drop_owned_keys_and_non_strings() -> None:
    incoming = {"theme": "dark", attributes.SOURCES: "[]", attributes.ANSWER_SOURCE: "documents", "n": 1, 2: "x"}
    assert attributes.carried(incoming) == {"theme": "dark"}
    assert attributes.carried("nope") == {}
    assert len(attributes.carried({f"k{i}": "v" for i in range(500)})) == attributes.MAX_ATTRIBUTES


def test_session_attributes_always_set_both_owned_keys() -> None:
    result = attributes.session_attributes({"theme": "dark"}, "general")
    assert result == {"theme": "dark", attributes.ANSWER_SOURCE: "general", attributes.SOURCES: "[]"}


def test_the_history_keeps_the_last_four_bounded_messages() -> None:
    """Issue 13: /assist gets the user's last few messages; untrusted, so bounded and parsed defensively."""
    said = [f"message {i} " + "x" * 400 for i in range(6)]
    result = attributes.session_attributes({}, "none", (), said)
    history = attributes.decode_history(result[attributes.HISTORY])
    assert [m[:9] for m in history] == ["message 2", "message 3", "message 4", "message 5"]
    assert all(len(m) <= attributes.MAX_HISTORY_CHARS for m in history)
    assert attributes.decode_history("not json") == () and attributes.decode_history('{"a": 1}') == ()
    assert attributes.HISTORY not in attributes.carried({attributes.HISTORY: "[]"})
