"""Lex V2 code-hook events read at the edge, and responses that follow Lex's rules."""

from __future__ import annotations

import json

import pytest
from tests.fixtures.lambda_events import event_names, load_event

from campusbot.assistant import attributes
from campusbot.assistant.lex_events import (
    MAX_MESSAGE_CHARS,
    LexEvent,
    close,
    confirm_intent,
    delegate,
    elicit_slot,
    plain_messages,
    response_problems,
)


@pytest.mark.parametrize("name", event_names("lex_"))
def test_every_fixture_parses_with_its_intent_and_source(name: str) -> None:
    raw = load_event(name)
    event = LexEvent.parse(raw)
    assert event.intent_name == raw["sessionState"]["intent"]["name"]
    assert event.invocation_source in ("DialogCodeHook", "FulfillmentCodeHook")
    assert event.session_id == raw["sessionId"]
    assert event.input_transcript == raw["inputTranscript"]


def test_slot_values_and_resolutions() -> None:
    event = LexEvent.parse(load_event("lex_university_fulfillment"))
    slot = event.slot("universityName")
    assert slot is not None
    assert slot.text == "TUM"
    assert slot.resolved == ("Technical University of Munich",)
    assert event.value("missing") is None


def test_confidence_is_the_matching_interpretations_bare_number() -> None:
    assert LexEvent.parse(load_event("lex_recommend_fulfillment")).nlu_confidence == pytest.approx(0.92)
    assert LexEvent.parse(load_event("lex_fallback_fulfillment")).nlu_confidence is None


@pytest.mark.parametrize("raw", [None, [], "text", {}, {"sessionState": "x"}, {"sessionState": {"intent": 3}}])
def test_garbage_never_fails_to_parse(raw: object) -> None:
    event = LexEvent.parse(raw)
    assert event.intent_name == ""
    assert event.confirmation_state == "None"
    assert event.slots == {}


def test_unfilled_slots_are_null_and_list_slots_give_their_first_value() -> None:
    raw = load_event("lex_recommend_fulfillment")
    raw["sessionState"]["intent"]["slots"]["country"] = {
        "shape": "List",
        "values": [{"shape": "Scalar", "value": {"originalValue": "spain", "interpretedValue": "Spain"}}],
    }
    event = LexEvent.parse(raw)
    assert event.value("maxTuition") is None
    assert event.value("country") == "Spain"


def test_session_attributes_keep_only_string_pairs() -> None:
    raw = load_event("lex_fallback_fulfillment")
    raw["sessionState"]["sessionAttributes"].update({"n": 3, "big": "x" * 10_000})
    event = LexEvent.parse(raw)
    assert event.session_attributes == {"theme": "dark"}


def _event() -> LexEvent:
    return LexEvent.parse(load_event("lex_register_dialog_elicit_reply"))


def test_close_sets_state_messages_and_owned_attributes() -> None:
    response = close(_event(), "Fulfilled", "Done.", source="database")
    assert response_problems(response) == []
    state = response["sessionState"]
    assert state["dialogAction"] == {"type": "Close"}
    assert state["intent"]["state"] == "Fulfilled"
    assert state["intent"]["name"] == "RegisterStudent"
    assert response["messages"] == [{"contentType": "PlainText", "content": "Done."}]
    assert state["sessionAttributes"][attributes.ANSWER_SOURCE] == "database"
    assert json.loads(state["sessionAttributes"][attributes.SOURCES]) == []


def test_elicit_slot_names_the_slot_and_empties_it() -> None:
    response = elicit_slot(_event(), "email", "Which email?")
    assert response_problems(response) == []
    state = response["sessionState"]
    assert state["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "email"}
    assert state["intent"]["slots"]["email"] is None
    assert state["intent"]["slots"]["firstName"]["value"]["interpretedValue"] == "Maria"
    assert state["intent"]["state"] == "InProgress"


def test_confirm_intent_and_delegate() -> None:
    confirm = confirm_intent(_event(), "Shall I?")
    assert response_problems(confirm) == []
    assert confirm["sessionState"]["dialogAction"]["type"] == "ConfirmIntent"
    assert confirm["sessionState"]["intent"]["confirmationState"] == "None"
    passed = delegate(_event())
    assert response_problems(passed) == []
    assert passed["sessionState"]["dialogAction"] == {"type": "Delegate"}
    assert "messages" not in passed
    assert passed["sessionState"]["intent"]["slots"] == _event().slots


def test_long_texts_are_split_within_lex_limits() -> None:
    text = " ".join(["word"] * 600)
    messages = plain_messages(text, "", "   ")
    assert len(messages) == 3
    assert all(1 <= len(m["content"]) <= MAX_MESSAGE_CHARS for m in messages)
    assert " ".join(m["content"] for m in messages) == text
    assert len(plain_messages(*(["x" * 2000] * 10))) == 10


def test_the_session_id_is_bounded() -> None:
    raw = load_event("lex_greeting_fulfillment")
    raw["sessionId"] = "s" * 500
    assert len(LexEvent.parse(raw).session_id) == 100


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        ({}, "sessionState is required"),
        ({"sessionState": {"dialogAction": {"type": "Finish"}}}, "dialogAction.type"),
        ({"sessionState": {"dialogAction": {"type": "ElicitSlot"}, "intent": {"name": "A"}}}, "slotToElicit"),
        (
            {
                "sessionState": {
                    "dialogAction": {"type": "ElicitSlot", "slotToElicit": "b"},
                    "intent": {"name": "A", "slots": {"a": None}},
                }
            },
            "not a slot of the intent",
        ),
        (
            {"sessionState": {"dialogAction": {"type": "Close"}, "intent": {"name": "A", "state": "InProgress"}}},
            "Close",
        ),
        ({"sessionState": {"dialogAction": {"type": "Close"}}}, "needs sessionState.intent"),
        ({"sessionState": {"dialogAction": {"type": "ConfirmIntent"}, "intent": {"name": "A"}}}, "needs messages"),
        ({"sessionState": {"dialogAction": {"type": "ElicitIntent"}}}, "needs messages"),
        (
            {
                "sessionState": {"dialogAction": {"type": "Close"}, "intent": {"name": "A", "state": "Fulfilled"}},
                "messages": [{"contentType": "Text", "content": "x"}],
            },
            "contentType",
        ),
        (
            {
                "sessionState": {"dialogAction": {"type": "Close"}, "intent": {"name": "A", "state": "Fulfilled"}},
                "messages": [{"contentType": "PlainText", "content": ""}],
            },
            "content must be",
        ),
        (
            {
                "sessionState": {
                    "dialogAction": {"type": "Delegate"},
                    "intent": {"name": "A"},
                    "sessionAttributes": {"a": 1},
                }
            },
            "sessionAttributes",
        ),
        (
            {
                "sessionState": {
                    "dialogAction": {"type": "Delegate"},
                    "intent": {"name": "A", "slots": {"s": {"value": {}}}},
                }
            },
            "interpretedValue",
        ),
        (
            {"sessionState": {"dialogAction": {"type": "Delegate"}, "intent": {"name": "A", "state": "Done"}}},
            "intent.state",
        ),
    ],
)
def test_the_rules_catch_invalid_responses(response: dict[str, object], problem: str) -> None:
    problems = response_problems(response)
    assert any(problem in p for p in problems), problems
