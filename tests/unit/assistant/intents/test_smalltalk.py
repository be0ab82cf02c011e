from __future__ import annotations

from tests.fixtures.lambda_events import load_event
from tests.unit.assistant.fakes import FakeApi, action, answer, intent_state, owned, text

from campusbot.assistant.intents import smalltalk


def test_greeting_closes_with_what_the_bot_does_and_no_api_call() -> None:
    api = FakeApi()
    response = answer(smalltalk.greeting, load_event("lex_greeting_fulfillment"), api)
    assert (action(response), intent_state(response)) == ("Close", "Fulfilled")
    assert "campusbot" in text(response)
    assert owned(response) == ("none", "[]")
    assert api.calls == []


def test_help_lists_every_capability_with_examples() -> None:
    response = answer(smalltalk.help_, load_event("lex_help_fulfillment"), FakeApi())
    said = text(response).lower()
    for capability in ("recommend", "tell me about", "internships", "profile", "register me"):
        assert capability in said
