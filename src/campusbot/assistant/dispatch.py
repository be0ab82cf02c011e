"""The fulfillment Lambda's logic: a Lex V2 code-hook event → the intent's handler → a valid Lex response.

Whatever happens inside a handler, Lex gets a response it accepts: the API being down or slow, or an
answer it rejects, becomes a polite Close (state Failed), and so does any unexpected exception (logged).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from campusbot.assistant import messages
from campusbot.assistant.api_client import ApiRejected, ApiUnavailable, DataApi
from campusbot.assistant.intents import (
    fallback,
    followup,
    opportunities,
    profile,
    recommend,
    register,
    smalltalk,
    university,
)
from campusbot.assistant.language import unsupported_language
from campusbot.assistant.lex_events import LexEvent, LexResponse, close, elicit_intent

log = logging.getLogger(__name__)

IntentHandler = Callable[[LexEvent, DataApi], LexResponse]

HANDLERS: Mapping[str, IntentHandler] = {
    "Greeting": smalltalk.greeting,
    "Help": smalltalk.help_,
    "GetStudentProfile": profile.handle,
    "RecommendUniversity": recommend.handle,
    "GetUniversityInfo": university.handle,
    "FindOpportunities": opportunities.handle,
    "RegisterStudent": register.handle,
    "RefineRecommendation": recommend.refine,
    "ChooseResult": followup.choose_result,
    "RefineOpportunities": opportunities.handle,
    "StartOver": followup.start_over,
    "Thanks": followup.thanks,
    "FallbackIntent": fallback.handle,
}


def dispatch(raw_event: Mapping[str, Any], api: DataApi | Callable[[], DataApi]) -> LexResponse:
    """Answer one code-hook invocation; `api` may be a provider, called only when a handler runs."""
    event = LexEvent.parse(raw_event)
    handler = HANDLERS.get(event.intent_name)
    log.info(
        "code hook %s for %s (%s)", event.invocation_source, event.intent_name or "no intent", event.confirmation_state
    )
    if not event.intent_name:
        log.warning("code hook event without an intent")
        return elicit_intent(event, messages.UNKNOWN_INTENT)
    if handler is None:
        log.warning("no handler for intent %r", event.intent_name[:100])
        return close(event, "Failed", messages.UNKNOWN_INTENT)
    foreign = unsupported_language(event.input_transcript)
    if foreign:  # Lex (en_US) matched text in another language to some intent: say so instead of guessing
        return close(event, "Fulfilled", foreign)
    try:
        return handler(event, api() if callable(api) else api)
    except ApiUnavailable as exc:
        log.warning("data API unavailable for %s: %s", event.intent_name, exc)
        return close(event, "Failed", messages.API_DOWN)
    except ApiRejected as exc:
        log.warning("data API rejected a request for %s: %s", event.intent_name, exc)
        return close(event, "Failed", "Sorry, I couldn't look that up: one of the details you gave isn't valid.")
    except Exception:
        log.exception("intent %s failed", event.intent_name)
        return close(event, "Failed", messages.UNEXPECTED)


def failure(raw_event: Mapping[str, Any]) -> LexResponse:
    """The polite Close for when the handler cannot even start (e.g. its configuration is broken)."""
    event = LexEvent.parse(raw_event)
    if not event.intent_name:
        return elicit_intent(event, messages.UNEXPECTED)
    return close(event, "Failed", messages.UNEXPECTED)
