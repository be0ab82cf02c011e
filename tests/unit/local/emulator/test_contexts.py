"""Lex V2 contexts in the emulator's dialog: output contexts activated on fulfillment (the slots as their
parameters), input contexts gating intents, slot defaults from `#context.param`, TTL in turns and seconds,
and `activeContexts` set by the Lambda, by RecognizeText's and PutSession's sessionState, shown by GetSession.
The shapes are Lex V2's ActiveContext: {name, contextAttributes, timeToLive {timeToLiveInSeconds, turnsToLive}}."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from tests.fixtures.lambda_events import load_event
from tests.fixtures.lex_emulator import RecordingFulfillment, ScriptedRecognizer, assert_lex_v2_event, delegate_or_close

from campusbot.bot.cloudformation import load_bot
from campusbot.local.emulator.dialog import BotIdentity, DependencyFailedException, Dialog, ValidationException
from campusbot.local.emulator.sessions import Session, SessionKey
from campusbot.local.emulator.slots import SlotResolver

DEFINITION = load_bot()
RESOLVER = SlotResolver(DEFINITION, lambda: ("Heidelberg University",))
BOT = BotIdentity("CAMPUSBOT0", "campusbot", "TSTALIASID", "TestBotAlias", "en_US")
SCRIPT = {
    "what about": "RefineRecommendation",
    "cheaper": "RefineRecommendation",
    "first one": "ChooseResult",
    "recommend": "RecommendUniversity",
    "internship": "FindOpportunities",
    "hello": "Greeting",
    "start over": "StartOver",
}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield pool


class Chat:
    def __init__(self, dialog: Dialog) -> None:
        self.dialog = dialog
        self.session = Session(SessionKey("CAMPUSBOT0", "TSTALIASID", "en_US", "ctx-1"))

    def say(self, text: str, **kwargs: Any) -> dict[str, Any]:
        return self.dialog.recognize_text(self.session, text, **kwargs)


@pytest.fixture
def chat(executor: ThreadPoolExecutor) -> Callable[..., tuple[Chat, RecordingFulfillment, Clock]]:
    def make(answer: Callable[[dict[str, Any]], dict[str, Any]] = delegate_or_close) -> Any:
        clock = Clock()
        lam = RecordingFulfillment(answer)
        return (
            Chat(
                Dialog(
                    DEFINITION,
                    ScriptedRecognizer([i.name for i in DEFINITION.custom_intents()], SCRIPT, 0.9),
                    RESOLVER,
                    lam,
                    BOT,
                    executor,
                    clock=clock,
                )
            ),
            lam,
            clock,
        )

    return make


def contexts(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in response["sessionState"].get("activeContexts", [])}


def intent_name(response: dict[str, Any]) -> str:
    return str(response["sessionState"]["intent"]["name"])


def slot_value(response: dict[str, Any], name: str) -> str | None:
    slot = response["sessionState"]["intent"]["slots"].get(name)
    return None if slot is None else str(slot["value"]["interpretedValue"])


def test_a_fulfilled_intent_activates_its_output_context_with_its_slots(chat: Callable[..., Any]) -> None:
    talk, _, _ = chat()
    response = talk.say("recommend computer science in germany")
    assert intent_name(response) == "RecommendUniversity"
    context = contexts(response)["recommendation"]
    assert context == {
        "name": "recommendation",
        "contextAttributes": {"fieldOfStudy": "Computer Science", "country": "Germany"},
        "timeToLive": {"timeToLiveInSeconds": 600, "turnsToLive": 5},
    }


def test_a_follow_up_is_not_recognised_without_its_context(chat: Callable[..., Any]) -> None:
    talk, lam, _ = chat()
    response = talk.say("what about in brazil")
    assert intent_name(response) == "FallbackIntent"
    assert lam.last["sessionState"]["intent"]["name"] == "FallbackIntent"


def test_the_follow_up_takes_its_defaults_from_the_context(chat: Callable[..., Any]) -> None:
    talk, lam, _ = chat()
    talk.say("recommend computer science in germany under 5000 dollars")
    response = talk.say("what about in brazil")
    assert intent_name(response) == "RefineRecommendation"
    assert slot_value(response, "fieldOfStudy") == "Computer Science"  # #recommendation.fieldOfStudy
    assert slot_value(response, "maxTuition") == "5000"  # #recommendation.maxTuition
    assert slot_value(response, "country") == "Brazil"  # said now: the default is not used
    event = lam.last
    assert_lex_v2_event(event)
    sent = {c["name"]: c for c in event["sessionState"]["activeContexts"]}
    assert sent["recommendation"]["contextAttributes"]["country"] == "Germany"  # what the Lambda saw
    # the follow-up is fulfilled too: it renews the context with the new values
    assert contexts(response)["recommendation"]["contextAttributes"]["country"] == "Brazil"
    assert contexts(response)["recommendation"]["timeToLive"]["turnsToLive"] == 5


def test_a_context_lives_its_turns(chat: Callable[..., Any]) -> None:
    talk, _, _ = chat()
    talk.say("recommend computer science in germany")
    for left in (4, 3, 2, 1):
        response = talk.say("hello")
        assert contexts(response)["recommendation"]["timeToLive"]["turnsToLive"] == left
    response = talk.say("what about in brazil")  # the fifth turn still sees it
    assert intent_name(response) == "RefineRecommendation"
    for _ in range(5):
        response = talk.say("hello")
    assert "recommendation" not in contexts(response)
    assert intent_name(talk.say("what about in spain")) == "FallbackIntent"


def test_a_context_lives_its_seconds(chat: Callable[..., Any]) -> None:
    talk, _, clock = chat()
    talk.say("recommend computer science in germany")
    clock.now += 601
    response = talk.say("what about in brazil")
    assert intent_name(response) == "FallbackIntent"
    assert "recommendation" not in contexts(response)


def test_the_lambdas_active_contexts_replace_the_list_and_merge_into_the_output(chat: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        response = delegate_or_close(event)
        if event["invocationSource"] == "FulfillmentCodeHook":
            response["sessionState"]["activeContexts"] = [
                {
                    "name": "recommendation",
                    "contextAttributes": {"results": "TU Munich|ETH Zurich"},
                    "timeToLive": {"timeToLiveInSeconds": 600, "turnsToLive": 5},
                }
            ]
        return response

    talk, _, _ = chat(answer)
    talk.say("find internships in computer science")  # opportunities context
    response = talk.say("recommend computer science in germany")
    assert set(contexts(response)) == {"recommendation"}  # the Lambda's list replaced the other context
    assert contexts(response)["recommendation"]["contextAttributes"] == {
        "fieldOfStudy": "Computer Science",
        "country": "Germany",
        "results": "TU Munich|ETH Zurich",
    }


def test_an_empty_list_from_the_lambda_clears_the_contexts(chat: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        response = delegate_or_close(event)
        if event["sessionState"]["intent"]["name"] == "StartOver":
            response["sessionState"]["activeContexts"] = []
        return response

    talk, _, _ = chat(answer)
    talk.say("recommend computer science in germany")
    response = talk.say("start over")
    assert contexts(response) == {}
    assert intent_name(talk.say("what about in brazil")) == "FallbackIntent"


@pytest.mark.parametrize(
    "bad",
    [
        [{"name": "has space", "contextAttributes": {}, "timeToLive": {"timeToLiveInSeconds": 60, "turnsToLive": 2}}],
        [{"name": "ok", "contextAttributes": {}, "timeToLive": {"timeToLiveInSeconds": 1, "turnsToLive": 2}}],
        [{"name": "ok", "contextAttributes": {}, "timeToLive": {"timeToLiveInSeconds": 60, "turnsToLive": 21}}],
        [{"name": "ok", "contextAttributes": {"n": 1}, "timeToLive": {"timeToLiveInSeconds": 60, "turnsToLive": 2}}],
        [{"name": "ok", "contextAttributes": {}}],
        {"name": "ok"},
    ],
)
def test_invalid_contexts_are_refused(chat: Callable[..., Any], bad: Any) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        response = delegate_or_close(event)
        response["sessionState"]["activeContexts"] = copy.deepcopy(bad)
        return response

    talk, _, _ = chat(answer)
    with pytest.raises(DependencyFailedException):
        talk.say("hello")
    talk, _, _ = chat()
    with pytest.raises(ValidationException):
        talk.say("hello", session_state={"activeContexts": copy.deepcopy(bad)})


def test_a_client_can_set_the_context_the_follow_up_needs(chat: Callable[..., Any]) -> None:
    talk, _, _ = chat()
    context = {
        "name": "recommendation",
        "contextAttributes": {"fieldOfStudy": "Medicine"},
        "timeToLive": {"timeToLiveInSeconds": 120, "turnsToLive": 3},
    }
    response = talk.say("what about in spain", session_state={"activeContexts": [context]})
    assert intent_name(response) == "RefineRecommendation"
    assert slot_value(response, "fieldOfStudy") == "Medicine"


def test_put_session_sets_contexts_and_get_session_shows_them_until_they_expire(executor: ThreadPoolExecutor) -> None:
    from campusbot.local.emulator.lex_runtime import LexEmulator

    clock = Clock()
    emulator = LexEmulator(
        DEFINITION,
        RecordingFulfillment(),
        lambda: (),
        "CAMPUSBOT0",
        recognizer=ScriptedRecognizer([i.name for i in DEFINITION.custom_intents()], SCRIPT, 0.9),
        clock=clock,
    )
    try:
        context = {
            "name": "opportunities",
            "contextAttributes": {"city": "Berlin"},
            "timeToLive": {"timeToLiveInSeconds": 30, "turnsToLive": 3},
        }
        ids = ("CAMPUSBOT0", "TSTALIASID", "en_US", "ctx-put")
        put = emulator.put_session(*ids, {"sessionState": {"activeContexts": [context]}})
        assert put["sessionState"]["activeContexts"] == [context]
        assert emulator.get_session(*ids)["sessionState"]["activeContexts"] == [context]
        clock.now += 31
        assert "activeContexts" not in emulator.get_session(*ids)["sessionState"]
    finally:
        emulator.close()


def test_the_recorded_follow_up_event_parses_in_the_fulfillment() -> None:
    """The recorded Lex V2 event of a follow-up carries the context the fulfillment reads."""
    from campusbot.assistant.lex_events import LexEvent

    event = LexEvent.parse(load_event("lex_refine_recommendation_fulfillment"))
    assert event.intent_name == "RefineRecommendation"
    assert event.context("recommendation")["fieldOfStudy"] == "Computer Science"
    assert event.context("nothing") == {}
