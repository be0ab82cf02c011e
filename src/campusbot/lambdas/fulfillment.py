"""Lex V2 code hook (DialogCodeHook / FulfillmentCodeHook) → the intent's handler → a valid Lex response.

Environment: CAMPUSBOT_API_URL (the internal ALB), CAMPUSBOT_API_TIMEOUT_SECONDS,
CAMPUSBOT_ASSIST_TIMEOUT_SECONDS. Logic: campusbot.assistant.dispatch and campusbot.assistant.intents.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from campusbot.assistant.api_client import HttpApiClient
from campusbot.assistant.dispatch import dispatch
from campusbot.settings import get_settings


@cache
def api() -> HttpApiClient:
    """One HTTP connection pool per execution environment (cold start)."""
    return HttpApiClient.from_settings(get_settings())


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    return dispatch(event, api)
