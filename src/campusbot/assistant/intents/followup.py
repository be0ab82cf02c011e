"""The follow-ups that need no search of their own: ChooseResult ("the first one", "tuition there"),
StartOver (cancel, start again: the conversation's contexts are cleared) and Thanks."""

from __future__ import annotations

from campusbot.assistant import messages
from campusbot.assistant.api_client import ApiNotFound, ApiRejected, DataApi
from campusbot.assistant.intents import recommend, university
from campusbot.assistant.lex_events import LexEvent, LexResponse, close

COST_WORDS = frozenset({"cost", "costs", "tuition", "fees", "fee", "price", "expensive", "cheap", "pay"})
START_OVER = 'Okay, let\'s start over. Ask me to recommend universities, find internships, or say "help".'
THANKS = "You're welcome! Ask me anything else about universities, programs or internships whenever you like."


def choose_result(event: LexEvent, api: DataApi) -> LexResponse:
    """One of the universities the last recommendation listed, by position (the first when none is said)."""
    listed = [n for n in event.context(recommend.CONTEXT).get("results", "").split(recommend.RESULTS_SEPARATOR) if n]
    if not listed:
        return close(
            event, "Fulfilled", "I haven't listed any universities yet. Ask me to recommend some for a field first."
        )
    position = _position(event.value("position"))
    if position > len(listed):
        return close(
            event,
            "Fulfilled",
            f"I only listed {len(listed)}: {messages.listing(listed)}. Which one would you like to know about?",
        )
    name = listed[position - 1]
    try:
        detail = api.university_by_name(name)
    except (ApiNotFound, ApiRejected):
        return close(event, "Fulfilled", f"I can't find {name} any more; it may have been removed.")
    words = set(event.input_transcript.casefold().replace("?", " ").split())
    # "how much does it cost there": the cost only, not the description again (issue 18)
    texts = [university.cost(detail)] if words & COST_WORDS else university.describe(detail)
    return close(
        event,
        "Fulfilled",
        *texts,
        source="database",
        sources=[{"kind": "university", "id": detail.id, "title": detail.name}],
    )


def start_over(event: LexEvent, _api: DataApi) -> LexResponse:
    return close(event, "Fulfilled", START_OVER, contexts=[])


def thanks(event: LexEvent, _api: DataApi) -> LexResponse:
    return close(event, "Fulfilled", THANKS)


def _position(text: str | None) -> int:
    try:
        return max(1, int(float(text or "1")))
    except ValueError:
        return 1
