"""One module per intent (or small group): `handle(event, api) -> Lex response`, plus shared slot parsing."""

from __future__ import annotations

import math
import re

from campusbot.assistant.api_client import MAX_ROW_ID

_NUMBER = re.compile(r"^\$?\s*(\d[\d,]*(?:\.\d+)?)\s*(k)?$", re.IGNORECASE)


def number(text: str | None) -> float | None:
    """A non-negative amount as AMAZON.Number gives it ("15000", "15,000", "$15k"), else None."""
    if text is None:
        return None
    match = _NUMBER.match(text.strip().replace(" dollars", "").replace(" usd", "").replace(" USD", ""))
    if match is None:
        return None
    value = float(match.group(1).replace(",", "")) * (1000 if match.group(2) else 1)
    return value if math.isfinite(value) else None


def row_id(text: str | None) -> int | None:
    """A positive whole number in the database's id range ("12", "12.0"), else None."""
    value = number(text)
    if value is None or not value.is_integer() or not 1 <= value <= MAX_ROW_ID:
        return None
    return int(value)
