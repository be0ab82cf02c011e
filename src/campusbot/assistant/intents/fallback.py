"""FallbackIntent: anything else goes to the API's /assist (documents first, then general knowledge).

/assist answers `{answer, answer_source: documents|general|none, sources: [...]}`. Its sources and answer
source travel back in the session attributes campusbot owns; when /assist is missing, failing or slow the
user gets an honest "I can't answer that right now".
"""

from __future__ import annotations

import logging

from campusbot.assistant import attributes, messages
from campusbot.assistant.api_client import ApiError, DataApi
from campusbot.assistant.lex import LexEvent, LexResponse, close

log = logging.getLogger(__name__)


def handle(event: LexEvent, api: DataApi) -> LexResponse:
    question = event.input_transcript.strip()
    if not question:
        return close(event, "Fulfilled", messages.NOT_HEARD)
    try:
        result = api.assist(question, event.session_id)
    except ApiError as exc:
        log.warning("assist unavailable: %s", exc)
        return close(event, "Failed", messages.CANNOT_ANSWER)
    answer = result.answer.strip()
    if not answer:
        return close(event, "Failed", messages.CANNOT_ANSWER)
    source = result.answer_source if result.answer_source in attributes.ANSWER_SOURCES else "general"
    texts = [answer]
    if source == "general" and "general knowledge" not in answer.casefold():
        texts.append(messages.GENERAL_KNOWLEDGE)
    return close(event, "Fulfilled", *texts, source=source, sources=result.sources)
