"""FallbackIntent: anything else goes to the API's /assist (documents first, then general knowledge).

/assist answers `{answer, answer_source: documents|general|none, sources: [...]}`. Its sources and answer
source travel back in the session attributes campusbot owns; when /assist is missing, failing or slow the
user gets an honest "I can't answer that right now".
"""

from __future__ import annotations

import logging

from campusbot.assistant import attributes, messages
from campusbot.assistant.api_client import ApiError, DataApi
from campusbot.assistant.language import tuition_question, unsupported_language
from campusbot.assistant.lex_events import LexEvent, LexResponse, close

log = logging.getLogger(__name__)


def handle(event: LexEvent, api: DataApi) -> LexResponse:
    question = event.input_transcript.strip()
    if not question:
        return close(event, "Fulfilled", messages.NOT_HEARD)
    foreign = unsupported_language(question)
    if foreign:
        return close(event, "Fulfilled", foreign)
    costs = tuition_answer(question, api)
    if costs:
        return close(event, "Fulfilled", costs, source="database")
    try:
        result = api.assist(question, event.session_id, history=event.history)
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


def tuition_answer(question: str, api: DataApi) -> str | None:
    """The database's answer to "how much does it cost to study in <country>", or None (then /assist answers)."""
    asked = tuition_question(question)
    if asked is None:
        return None
    try:
        summary = api.tuition(country=asked.country, field=asked.field)
    except ApiError as exc:
        log.info("no tuition figures for %s: %s", asked.country, exc)
        return None
    if not summary.programs or summary.lowest is None or summary.highest is None or summary.median is None:
        return None
    what = f"{summary.field_of_study} programs" if summary.field_of_study else "programs"
    text = (
        f"In campusbot's data, yearly tuition for {what} in {summary.country} ({summary.programs} programs at "
        f"{summary.universities} universities) ranges from {messages.money(summary.lowest)} to "
        f"{messages.money(summary.highest)}, with a median of {messages.money(summary.median)}."
    )
    if summary.tuition_free:
        text += f" {summary.tuition_free} of them charge no tuition."
    return text + " Living costs are not included."
