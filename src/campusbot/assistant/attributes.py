"""The Lex session attributes campusbot owns, and how they are written and read back.

Session attributes are untrusted input: a client of the Lex runtime can set any of them. campusbot only
ever reads the keys below, bounds their size and shape, and never derives URLs or permissions from them.
The fulfillment Lambda writes both keys on every response (so nothing stale survives from an earlier
turn); lex_proxy reads them from RecognizeText's sessionState.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

ANSWER_SOURCE = "campusbot.answer_source"
SOURCES = "campusbot.sources"
HISTORY = "campusbot.history"  # the user's last few messages, for /assist to resolve references ("there", "it")
OWNED = (ANSWER_SOURCE, SOURCES, HISTORY)
MAX_HISTORY = 4
MAX_HISTORY_CHARS = 300

ANSWER_SOURCES = ("database", "documents", "general", "none")
MAX_SOURCES = 5
MAX_SOURCES_CHARS = 6000
MAX_FIELD_CHARS = 300
MAX_FIELDS = 12
MAX_ATTRIBUTES = 50
MAX_VALUE_CHARS = 4096


def answer_source(value: object) -> str:
    """A known answer source, else "none"."""
    return value if isinstance(value, str) and value in ANSWER_SOURCES else "none"


def clean_source(source: Mapping[str, Any]) -> dict[str, Any] | None:
    """A citation reduced to bounded scalar fields (title, s3_key, score, snippet, ...), or None."""
    cleaned: dict[str, Any] = {}
    for key, value in list(source.items())[:MAX_FIELDS]:
        if not isinstance(key, str) or len(key) > 40:
            continue
        if isinstance(value, str):
            cleaned[key] = value[:MAX_FIELD_CHARS]
        elif isinstance(value, bool) or value is None or (isinstance(value, int | float) and math.isfinite(value)):
            cleaned[key] = value
    return cleaned or None


def clean_sources(sources: Iterable[object]) -> list[dict[str, Any]]:
    cleaned = [clean_source(s) for s in sources if isinstance(s, Mapping)]
    return [s for s in cleaned if s is not None][:MAX_SOURCES]


def encode_sources(sources: Iterable[object]) -> str:
    """The sources as a JSON list that fits a session attribute (snippets go first when it is too long)."""
    cleaned = clean_sources(sources)
    text = json.dumps(cleaned, ensure_ascii=False, separators=(",", ":"))
    if len(text) > MAX_SOURCES_CHARS:
        cleaned = [{k: v for k, v in s.items() if k != "snippet"} for s in cleaned]
        text = json.dumps(cleaned, ensure_ascii=False, separators=(",", ":"))
    while len(text) > MAX_SOURCES_CHARS and cleaned:
        cleaned = cleaned[:-1]
        text = json.dumps(cleaned, ensure_ascii=False, separators=(",", ":"))
    return text


def decode_sources(value: object) -> list[dict[str, Any]]:
    """The sources list of a session attribute, parsed defensively: anything unexpected gives []."""
    if not isinstance(value, str) or not value or len(value) > 2 * MAX_SOURCES_CHARS:
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        return []
    return clean_sources(parsed) if isinstance(parsed, list) else []


def carried(attributes: object) -> dict[str, str]:
    """The session attributes to hand back to Lex: string pairs only, bounded, without campusbot's keys."""
    if not isinstance(attributes, Mapping):
        return {}
    kept: dict[str, str] = {}
    for key, value in attributes.items():
        if len(kept) >= MAX_ATTRIBUTES:
            break
        if isinstance(key, str) and isinstance(value, str) and key not in OWNED and len(value) <= MAX_VALUE_CHARS:
            kept[key] = value
    return kept


def decode_history(value: object) -> tuple[str, ...]:
    """The history attribute parsed defensively: at most MAX_HISTORY bounded strings, else ()."""
    if not isinstance(value, str) or not value or len(value) > 4 * MAX_HISTORY * MAX_HISTORY_CHARS:
        return ()
    try:
        parsed = json.loads(value)
    except ValueError:
        return ()
    if not isinstance(parsed, list):
        return ()
    return tuple(str(m)[:MAX_HISTORY_CHARS] for m in parsed if isinstance(m, str) and m.strip())[-MAX_HISTORY:]


def encode_history(messages: Iterable[str]) -> str:
    kept = [m.strip()[:MAX_HISTORY_CHARS] for m in messages if m and m.strip()][-MAX_HISTORY:]
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


def session_attributes(
    incoming: object, source: str = "none", sources: Iterable[object] = (), history: Iterable[str] = ()
) -> dict[str, str]:
    """What a fulfillment response sets: the carried attributes plus this turn's answer source and sources,
    and the user's last messages (this one included)."""
    result = {**carried(incoming), ANSWER_SOURCE: answer_source(source), SOURCES: encode_sources(sources)}
    kept = [m for m in history if m and m.strip()]
    if kept:
        result[HISTORY] = encode_history(kept)
    return result
