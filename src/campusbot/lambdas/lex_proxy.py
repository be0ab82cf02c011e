"""API Gateway (REST proxy, payload 1.0) `POST /chat` → Lex V2 RecognizeText → the chat contract.

Environment (terraform/stacks/conversation, module lex_proxy): CAMPUSBOT_BOT_ID, CAMPUSBOT_BOT_ALIAS_ID,
CAMPUSBOT_LOCALE_ID, CAMPUSBOT_ENV and CAMPUSBOT_CHAT_EVENTS are required in the aws target (lambda_settings.LEX_PROXY);
CAMPUSBOT_CORS_ALLOW_ORIGIN, CAMPUSBOT_CHAT_MAX_CHARS, CAMPUSBOT_LAKE_BUCKET optional; endpoints from
AWS_ENDPOINT_URL_LEX_RUNTIME_V2 / AWS_ENDPOINT_URL_S3 when set. No database. Logic: campusbot.assistant.proxy.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Any

from campusbot.assistant.proxy import ChatProxy, UnavailableProxy
from campusbot.lambda_settings import LEX_PROXY, require

log = logging.getLogger(__name__)


@cache
def proxy() -> ChatProxy:
    """Built on the first invocation and reused while the execution environment lives. A configuration that cannot
    work is logged once, naming what is missing, and every request then gets a valid JSON 500 (CORS included)."""
    from campusbot.lambda_bootstrap import (
        build_chat_proxy,  # on the first invocation: importing the handler stays light
    )

    try:
        return build_chat_proxy(require(LEX_PROXY))
    except Exception as exc:
        log.error("lex_proxy cannot start: %s", exc, exc_info=not isinstance(exc, ValueError))
        return UnavailableProxy(os.environ.get("CAMPUSBOT_CORS_ALLOW_ORIGIN") or "*")


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    return proxy().handle(event)
