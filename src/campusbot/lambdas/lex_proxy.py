"""API Gateway (REST proxy, payload 1.0) `POST /chat` → Lex V2 RecognizeText → the chat contract.

Environment: CAMPUSBOT_BOT_ID, CAMPUSBOT_BOT_ALIAS_ID, CAMPUSBOT_LOCALE_ID, CAMPUSBOT_LAKE_BUCKET (empty:
no chat events), CAMPUSBOT_CORS_ALLOW_ORIGIN, CAMPUSBOT_CHAT_MAX_CHARS, CAMPUSBOT_ENV; endpoints from
AWS_ENDPOINT_URL_LEX_RUNTIME_V2 / AWS_ENDPOINT_URL_S3 when set. Logic: campusbot.assistant.proxy.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

from campusbot.assistant.proxy import ChatProxy
from campusbot.settings import get_settings

log = logging.getLogger(__name__)


@cache
def proxy() -> ChatProxy:
    """Built on the first invocation and reused while the execution environment lives."""
    return ChatProxy.from_settings(get_settings())


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    try:
        chat = proxy()
    except Exception:
        log.exception("lex_proxy cannot start (configuration?)")
        body = json.dumps({"error": "the chat service is misconfigured"})
        return {"statusCode": 500, "headers": {"Content-Type": "application/json"}, "body": body}
    return chat.handle(event)
