"""Routing a code-hook event to its intent, and the error policy: Lex always gets a valid response."""

from __future__ import annotations

import logging

import pytest
from tests.fixtures.lambda_events import event_names, load_event
from tests.unit.assistant.fakes import FakeApi, action, intent_state, text

from campusbot.assistant import messages
from campusbot.assistant.api_client import ApiRejected, ApiUnavailable
from campusbot.assistant.dispatch import HANDLERS, dispatch, failure
from campusbot.assistant.lex_events import response_problems


def test_every_intent_of_the_bot_definition_has_a_handler() -> None:
    import yaml

    from campusbot.bot.vocabulary import DEFINITION

    intents = {i["name"] for i in yaml.safe_load(DEFINITION.read_text(encoding="utf-8"))["intents"]}
    assert intents == set(HANDLERS)


@pytest.mark.parametrize("name", event_names("lex_"))
def test_every_fixture_gets_a_valid_response_for_its_intent(name: str) -> None:
    raw = load_event(name)
    response = dispatch(raw, FakeApi())
    assert response_problems(response) == []
    assert response["sessionState"]["intent"]["name"] == raw["sessionState"]["intent"]["name"]


def test_unknown_intent_closes_failed() -> None:
    raw = load_event("lex_greeting_fulfillment")
    raw["sessionState"]["intent"]["name"] = "OrderPizza"
    response = dispatch(raw, FakeApi())
    assert (action(response), intent_state(response)) == ("Close", "Failed")
    assert text(response) == messages.UNKNOWN_INTENT


def test_api_down_is_a_polite_valid_close() -> None:
    api = FakeApi(failures={"recommendations": ApiUnavailable("connect refused")})
    response = dispatch(load_event("lex_recommend_fulfillment"), api)
    assert response_problems(response) == []
    assert (action(response), intent_state(response)) == ("Close", "Failed")
    assert text(response) == messages.API_DOWN


def test_api_rejection_is_a_polite_valid_close() -> None:
    api = FakeApi(failures={"opportunities": ApiRejected("city too long")})
    response = dispatch(load_event("lex_opportunities_fulfillment"), api)
    assert intent_state(response) == "Failed"
    assert "isn't valid" in text(response)


def test_an_unexpected_exception_is_logged_and_closed(caplog: pytest.LogCaptureFixture) -> None:
    api = FakeApi(failures={"student_by_sub": ZeroDivisionError("bug")})
    with caplog.at_level(logging.ERROR, logger="campusbot.assistant.dispatch"):
        response = dispatch(load_event("lex_profile_signed_in_fulfillment"), api)
    assert (action(response), intent_state(response)) == ("Close", "Failed")
    assert text(response) == messages.UNEXPECTED
    assert "ZeroDivisionError" in caplog.text


def test_a_failing_api_provider_is_a_polite_close() -> None:
    def broken() -> FakeApi:
        raise RuntimeError("no CAMPUSBOT_API_URL")

    assert intent_state(dispatch(load_event("lex_recommend_fulfillment"), broken)) == "Failed"
    assert intent_state(dispatch(load_event("lex_greeting_fulfillment"), broken)) == "Failed"
    assert intent_state(dispatch(load_event("lex_greeting_fulfillment"), FakeApi)) == "Fulfilled"


def test_garbage_events_get_a_valid_response() -> None:
    for raw in ({}, {"sessionState": None}, {"invocationSource": "FulfillmentCodeHook"}):
        response = dispatch(raw, FakeApi())
        assert response_problems(response) == []
        assert action(response) == "ElicitIntent"
    assert response_problems(failure({})) == []
