"""`POST /feedback`: a thumbs up or down on an earlier chat turn, recorded as a `feedback` chat event.

Body: `{"turn_id": "<the turn's turn_id>", "session_id": "<its session>", "rating": 1 | -1}`. The event reaches the
lake like the turns (same sink), linked to the rated turn by `rated_event_id`. Served by the lex_proxy Lambda on
the same REST API as `/chat` (ChatProxy.handle routes by resource).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from campusbot.analytics.events import RATINGS

PATH = "/feedback"
TURN_ID = re.compile(r"^[0-9a-f]{32}$")  # the turn's event id as the proxy hands it out (uuid4 hex)
SESSION_ID = re.compile(r"^[0-9a-zA-Z._:-]{2,100}$")


@dataclass(frozen=True)
class FeedbackRequest:
    turn_id: str
    session_id: str
    rating: int


def parse_feedback(body: Mapping[str, Any]) -> FeedbackRequest:
    """The rating in a decoded body, or ValueError with a message that says what to fix."""
    turn_id = body.get("turn_id")
    if not isinstance(turn_id, str) or not TURN_ID.match(turn_id):
        raise ValueError('"turn_id" is required: the turn_id of the answer being rated')
    session_id = body.get("session_id")
    if not isinstance(session_id, str) or not SESSION_ID.match(session_id):
        raise ValueError('"session_id" must be 2-100 characters of letters, digits and . _ : -')
    rating = body.get("rating")
    if isinstance(rating, bool) or rating not in RATINGS:
        raise ValueError('"rating" must be 1 (thumbs up) or -1 (thumbs down)')
    return FeedbackRequest(turn_id=turn_id, session_id=session_id, rating=int(rating))
