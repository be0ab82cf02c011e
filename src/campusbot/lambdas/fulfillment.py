"""Lex V2 code hook (DialogCodeHook / FulfillmentCodeHook) → the intent's handler → a valid Lex response.

Environment (terraform/stacks/app, module fulfillment): CAMPUSBOT_API_URL (the internal ALB) is required in the
aws target (lambda_settings.FULFILLMENT); CAMPUSBOT_API_TIMEOUT_SECONDS, CAMPUSBOT_ASSIST_TIMEOUT_SECONDS optional.
Logic: campusbot.assistant.dispatch and campusbot.assistant.intents.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from campusbot.assistant.api_client import HttpApiClient
from campusbot.assistant.dispatch import dispatch, failure
from campusbot.lambda_settings import FULFILLMENT, require

log = logging.getLogger(__name__)


@cache
def api() -> HttpApiClient:
    """One HTTP connection pool per execution environment (cold start)."""
    from campusbot.lambda_bootstrap import (
        build_api_client,  # on the first invocation: importing the handler stays light
    )

    return build_api_client(require(FULFILLMENT))


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    try:
        client = api()
    except Exception as exc:  # a configuration that cannot work: say what is missing, give Lex a polite Close
        log.error("fulfillment cannot start: %s", exc, exc_info=not isinstance(exc, ValueError))
        return failure(event)
    return dispatch(event, client)
