"""The Lex dialog engine with a scripted intent recognizer and fake fulfillment Lambdas: slot elicitation with
the definition's prompts, confirmation, every dialog action a Lambda can answer, invalid answers, retries,
intent switching and session attributes."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from tests.fixtures.lex_emulator import RecordingFulfillment, ScriptedRecognizer, assert_lex_v2_event, delegate_or_close

from campusbot.bot.cloudformation import load_bot
from campusbot.local.emulator.dialog import (
    BotIdentity,
    DependencyFailedException,
    Dialog,
    ValidationException,
)
from campusbot.local.emulator.sessions import Session, SessionKey
from campusbot.local.emulator.slots import SlotResolver

DEFINITION = load_bot()
RESOLVER = SlotResolver(DEFINITION, lambda: ("Heidelberg University",))
BOT = BotIdentity("CAMPUSBOT0", "campusbot", "TSTALIASID", "TestBotAlias", "en_US")

# Key phrases → intent: the classifier's job is tested elsewhere; here the dialog is.
SCRIPT = {
    "recommend": "RecommendUniversity",
    "register": "RegisterStudent",
    "sign me up": "RegisterStudent",
    "tell me about": "GetUniversityInfo",
    "profile": "GetStudentProfile",
    "internship": "FindOpportunities",
    "jobs": "FindOpportunities",
    "hello": "Greeting",
    "help": "Help",
}


@pytest.fixture(scope="module")
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield pool


class Conversation:
    def __init__(self, dialog: Dialog) -> None:
        self.dialog = dialog
        self.session = Session(SessionKey("CAMPUSBOT0", "TSTALIASID", "en_US", "s-1"))

    def say(self, text: str, **kwargs: Any) -> dict[str, Any]:
        return self.dialog.recognize_text(self.session, text, **kwargs)


@pytest.fixture
def talk(executor: ThreadPoolExecutor) -> Callable[..., tuple[Conversation, RecordingFulfillment]]:
    def make(
        answer: Callable[[dict[str, Any]], dict[str, Any]] = delegate_or_close, **options: Any
    ) -> tuple[Conversation, RecordingFulfillment]:
        fulfillment = RecordingFulfillment(answer)
        dialog = Dialog(
            DEFINITION,
            ScriptedRecognizer([i.name for i in DEFINITION.custom_intents()], SCRIPT, 0.93),
            RESOLVER,
            fulfillment,
            BOT,
            executor,
            **options,
        )
        return Conversation(dialog), fulfillment

    return make


def texts(response: dict[str, Any]) -> list[str]:
    return [m["content"] for m in response["messages"]]


def intent_of(response: dict[str, Any]) -> dict[str, Any]:
    intent: dict[str, Any] = response["sessionState"]["intent"]
    return intent


def value(response: dict[str, Any], slot: str) -> str | None:
    found = intent_of(response)["slots"].get(slot)
    return None if found is None else found["value"]["interpretedValue"]


def prompt(intent: str, slot: str) -> str:
    declared = DEFINITION.intent(intent)
    assert declared is not None and declared.slot(slot) is not None
    return declared.slot(slot).prompt  # type: ignore[union-attr]


def test_an_intent_with_its_slots_goes_straight_to_fulfillment(talk: Callable[..., Any]) -> None:
    chat, lam = talk()
    response = chat.say("recommend a university for medicine in germany under 5000 dollars")
    assert lam.sources() == ["DialogCodeHook", "FulfillmentCodeHook"]
    for event in lam.events:
        assert_lex_v2_event(event)
    dialog_event, fulfillment_event = lam.events
    assert "proposedNextState" not in dialog_event  # nothing left to ask: next is fulfillment
    slots = fulfillment_event["sessionState"]["intent"]["slots"]
    assert slots["fieldOfStudy"]["value"] == {
        "originalValue": "medicine",
        "interpretedValue": "Medicine",
        "resolvedValues": ["Medicine"],
    }
    assert slots["country"]["value"]["interpretedValue"] == "Germany"
    assert slots["maxTuition"]["value"]["interpretedValue"] == "5000"
    assert slots["studentId"] is None
    assert fulfillment_event["interpretations"][0]["nluConfidence"] == 0.93
    assert intent_of(response)["state"] == "Fulfilled"
    assert response["sessionState"]["dialogAction"] == {"type": "Close"}
    assert texts(response) == ["RecommendUniversity fulfilled"]
    assert response["interpretations"][0]["nluConfidence"] == {"score": 0.93}
    assert response["interpretations"][1]["intent"]["name"] == "FallbackIntent"
    assert "nluConfidence" not in response["interpretations"][1]


def test_a_missing_required_slot_is_elicited_with_the_definitions_prompt(talk: Callable[..., Any]) -> None:
    chat, lam = talk()
    first = chat.say("recommend a university")
    assert lam.sources() == ["DialogCodeHook"]
    proposed = lam.last["proposedNextState"]
    assert proposed["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "fieldOfStudy"}
    assert proposed["prompt"] == {"attempt": "Initial"}
    assert texts(first) == [prompt("RecommendUniversity", "fieldOfStudy")]
    assert first["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "fieldOfStudy"}
    assert intent_of(first)["state"] == "InProgress"

    second = chat.say("computer science in canada")
    assert lam.sources() == ["DialogCodeHook", "DialogCodeHook", "FulfillmentCodeHook"]
    answer_event = lam.events[1]
    assert answer_event["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "fieldOfStudy"}
    assert answer_event["interpretations"][0]["nluConfidence"] == 1.0
    assert answer_event["transcriptions"][0]["resolvedSlots"]["fieldOfStudy"]["value"]["resolvedValues"] == [
        "Computer Science"
    ]
    assert value(second, "fieldOfStudy") == "Computer Science"
    assert value(second, "country") == "Canada"  # the answer named another slot too
    assert intent_of(second)["state"] == "Fulfilled"


def test_intents_without_a_dialog_hook_are_elicited_by_lex_alone(talk: Callable[..., Any]) -> None:
    chat, lam = talk()
    first = chat.say("tell me about a university")
    assert lam.events == []
    assert texts(first) == [prompt("GetUniversityInfo", "universityName")]
    second = chat.say("Heidelberg")
    assert lam.sources() == ["FulfillmentCodeHook"]
    assert value(second, "universityName") == "Heidelberg University"


def registration(chat: Conversation) -> dict[str, Any]:
    chat.say("I want to register")
    chat.say("Ana")
    chat.say("García")
    chat.say("ana.garcia@example.edu")
    chat.say("computer science")
    return chat.say("Spain")


def test_registration_elicits_every_slot_in_order_then_asks_for_confirmation(talk: Callable[..., Any]) -> None:
    chat, lam = talk()
    prompts = [texts(chat.say("I want to register"))]
    for answer in ("Ana", "García", "ana.garcia@example.edu", "computer science"):
        prompts.append(texts(chat.say(answer)))
    confirm = chat.say("Spain")
    assert prompts == [
        [prompt("RegisterStudent", name)] for name in ("firstName", "lastName", "email", "fieldOfStudy", "country")
    ]
    assert texts(confirm) == [
        "I will register Ana García (ana.garcia@example.edu) for Computer Science, from Spain. Shall I go ahead?"
    ]
    assert confirm["sessionState"]["dialogAction"] == {"type": "ConfirmIntent"}
    assert lam.last["proposedNextState"]["dialogAction"] == {"type": "ConfirmIntent"}
    assert "FulfillmentCodeHook" not in lam.sources()


def test_yes_confirms_and_fulfils(talk: Callable[..., Any]) -> None:
    chat, lam = talk()
    registration(chat)
    done = chat.say("yes please")
    assert lam.events[-2]["invocationSource"] == "DialogCodeHook"
    assert lam.events[-2]["sessionState"]["intent"]["confirmationState"] == "Confirmed"
    assert lam.last["invocationSource"] == "FulfillmentCodeHook"
    assert lam.last["sessionState"]["intent"]["confirmationState"] == "Confirmed"
    assert intent_of(done)["state"] == "Fulfilled"


def test_no_declines_with_the_definitions_declination(talk: Callable[..., Any]) -> None:
    chat, lam = talk()
    registration(chat)
    declined = chat.say("no")
    assert lam.last["invocationSource"] == "DialogCodeHook"
    assert lam.last["sessionState"]["intent"]["confirmationState"] == "Denied"
    assert "FulfillmentCodeHook" not in lam.sources()
    assert texts(declined) == ["Okay, I have not registered you. You can start again any time."]
    assert intent_of(declined)["state"] == "Failed"
    assert intent_of(declined)["confirmationState"] == "Denied"


def test_an_unclear_answer_to_the_confirmation_repeats_it(talk: Callable[..., Any]) -> None:
    chat, _ = talk()
    asked = registration(chat)
    again = chat.say("hmm what")
    assert texts(again) == texts(asked)
    assert again["sessionState"]["dialogAction"] == {"type": "ConfirmIntent"}


def test_lambda_elicit_slot_with_its_own_message(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        intent = copy.deepcopy(event["sessionState"]["intent"])
        field = intent["slots"]["fieldOfStudy"]
        if event["invocationSource"] == "DialogCodeHook" and field and field["value"]["interpretedValue"] == "Law":
            intent["slots"]["fieldOfStudy"] = None
            return {
                "sessionState": {
                    "dialogAction": {"type": "ElicitSlot", "slotToElicit": "fieldOfStudy"},
                    "intent": intent,
                    "sessionAttributes": {"why": "no law programs"},
                },
                "messages": [{"contentType": "PlainText", "content": "No law here. Another field?"}],
            }
        return delegate_or_close(event)

    chat, lam = talk(answer)
    asked = chat.say("recommend a university for law")
    assert texts(asked) == ["No law here. Another field?"]
    assert asked["sessionState"]["dialogAction"]["slotToElicit"] == "fieldOfStudy"
    assert value(asked, "fieldOfStudy") is None
    done = chat.say("medicine")
    assert value(done, "fieldOfStudy") == "Medicine"
    assert lam.last["sessionState"]["sessionAttributes"] == {"why": "no law programs"}


def test_lambda_elicit_slot_without_messages_uses_the_prompt(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        if event["invocationSource"] == "DialogCodeHook":
            return {
                "sessionState": {
                    "dialogAction": {"type": "ElicitSlot", "slotToElicit": "country"},
                    "intent": event["sessionState"]["intent"],
                }
            }
        return delegate_or_close(event)

    chat, _ = talk(answer)
    assert texts(chat.say("recommend a university for law")) == [prompt("RecommendUniversity", "country")]


def test_lambda_close_from_the_dialog_hook_ends_without_fulfillment(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        intent = dict(event["sessionState"]["intent"], state="Failed")
        return {
            "sessionState": {"dialogAction": {"type": "Close"}, "intent": intent},
            "messages": [{"contentType": "PlainText", "content": "Not today."}],
        }

    chat, lam = talk(answer)
    closed = chat.say("recommend a university for law")
    assert lam.sources() == ["DialogCodeHook"]
    assert intent_of(closed)["state"] == "Failed"
    assert texts(closed) == ["Not today."]


def test_lambda_confirm_intent_then_yes(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        intent = event["sessionState"]["intent"]
        if event["invocationSource"] == "DialogCodeHook" and intent["confirmationState"] == "None":
            return {
                "sessionState": {"dialogAction": {"type": "ConfirmIntent"}, "intent": intent},
                "messages": [{"contentType": "PlainText", "content": "Law, right?"}],
            }
        return delegate_or_close(event)

    chat, lam = talk(answer)
    assert texts(chat.say("recommend a university for law")) == ["Law, right?"]
    done = chat.say("yep")
    assert lam.last["invocationSource"] == "FulfillmentCodeHook"
    assert intent_of(done)["confirmationState"] == "Confirmed"


def test_lambda_elicit_intent_starts_over(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        if event["sessionState"]["intent"]["name"] == "Help":
            return {
                "sessionState": {"dialogAction": {"type": "ElicitIntent"}},
                "messages": [{"contentType": "PlainText", "content": "What would you like to do?"}],
            }
        return delegate_or_close(event)

    chat, _ = talk(answer)
    elicited = chat.say("help")
    assert texts(elicited) == ["What would you like to do?"]
    assert elicited["sessionState"]["dialogAction"] == {"type": "ElicitIntent"}
    assert intent_of(chat.say("hello"))["name"] == "Greeting"


def test_lambda_can_change_slots_and_lex_elicits_what_is_missing(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        if event["invocationSource"] == "DialogCodeHook":
            intent = copy.deepcopy(event["sessionState"]["intent"])
            intent["slots"]["email"] = None  # the Lambda rejected the address
            return {"sessionState": {"dialogAction": {"type": "Delegate"}, "intent": intent}}
        return delegate_or_close(event)

    chat, _ = talk(answer)
    asked = chat.say("register me my email is taken@example.edu")
    assert texts(asked) == [prompt("RegisterStudent", "firstName")]
    assert value(asked, "email") is None


def test_fulfillment_delegate_closes_the_intent(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        return {"sessionState": {"dialogAction": {"type": "Delegate"}, "intent": event["sessionState"]["intent"]}}

    chat, _ = talk(answer)
    done = chat.say("hello")
    assert intent_of(done)["state"] == "Fulfilled"
    assert done["sessionState"]["dialogAction"] == {"type": "Close"}


def test_lambda_slot_values_get_lex_fields(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        intent = copy.deepcopy(event["sessionState"]["intent"])
        intent["slots"]["country"] = {"value": {"interpretedValue": "Canada"}}
        intent["state"] = "Fulfilled"
        return {"sessionState": {"dialogAction": {"type": "Close"}, "intent": intent}}

    chat, _ = talk(answer)
    done = chat.say("recommend a university for law")
    assert intent_of(done)["slots"]["country"] == {
        "shape": "Scalar",
        "value": {"interpretedValue": "Canada", "originalValue": "Canada", "resolvedValues": ["Canada"]},
    }


INVALID_ANSWERS: dict[str, Any] = {
    "not an object": ["Close"],
    "no session state": {"messages": []},
    "no dialog action": {"sessionState": {}},
    "unknown dialog action": {"sessionState": {"dialogAction": {"type": "Finish"}}},
    "non-string attribute": {"sessionState": {"dialogAction": {"type": "Close"}, "sessionAttributes": {"n": 1}}},
    "unknown intent": {"sessionState": {"dialogAction": {"type": "Close"}, "intent": {"name": "OrderPizza"}}},
    "unknown slot": {
        "sessionState": {"dialogAction": {"type": "Close"}, "intent": {"name": "Greeting", "slots": {"x": None}}}
    },
    "slot without value": {
        "sessionState": {
            "dialogAction": {"type": "Close"},
            "intent": {"name": "RecommendUniversity", "slots": {"country": {"value": {}}}},
        }
    },
    "bad intent state": {
        "sessionState": {"dialogAction": {"type": "Close"}, "intent": {"name": "Greeting", "state": "Done"}}
    },
    "elicit slot without slot": {"sessionState": {"dialogAction": {"type": "ElicitSlot"}}},
    "elicit unknown slot": {"sessionState": {"dialogAction": {"type": "ElicitSlot", "slotToElicit": "pizza"}}},
    "elicit intent without messages": {"sessionState": {"dialogAction": {"type": "ElicitIntent"}}},
    "bad message": {
        "sessionState": {"dialogAction": {"type": "Close"}},
        "messages": [{"contentType": "Markdown", "content": "*hi*"}],
    },
    "empty message": {"sessionState": {"dialogAction": {"type": "Close"}}, "messages": [{"contentType": "PlainText"}]},
    "not JSON": {"sessionState": {"dialogAction": {"type": "Close"}, "sessionAttributes": {"at": object()}}},
}


@pytest.mark.parametrize("case", sorted(INVALID_ANSWERS))
def test_an_invalid_lambda_answer_is_dependency_failed_and_changes_nothing(talk: Callable[..., Any], case: str) -> None:
    chat, _ = talk(lambda event: INVALID_ANSWERS[case])
    chat.session.session_attributes = {"kept": "yes"}
    before = copy.deepcopy(chat.session)
    with pytest.raises(DependencyFailedException, match="Invalid Lambda Response"):
        chat.say("hello")
    assert chat.session == before


def test_a_raising_lambda_is_dependency_failed(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("the API is down")

    chat, _ = talk(answer)
    with pytest.raises(DependencyFailedException, match="Received error response from Lambda: Unhandled") as error:
        chat.say("hello")
    assert error.value.status == 424 and error.value.code == "DependencyFailedException"


def test_a_slow_lambda_times_out(talk: Callable[..., Any]) -> None:
    release = threading.Event()

    def answer(event: dict[str, Any]) -> dict[str, Any]:
        release.wait(5)
        return delegate_or_close(event)

    chat, _ = talk(answer, lambda_timeout=0.2)
    try:
        with pytest.raises(DependencyFailedException, match="timed out"):
            chat.say("hello")
    finally:
        release.set()


def test_the_lambda_gets_a_context(talk: Callable[..., Any]) -> None:
    chat, lam = talk()
    chat.say("hello")
    context = lam.contexts[-1]
    assert context.function_name and context.aws_request_id
    assert 0 < context.get_remaining_time_in_millis() <= 30_000


def test_unresolvable_answers_end_in_fallback_after_the_retries(talk: Callable[..., Any]) -> None:
    chat, lam = talk()
    chat.say("I want to register")
    chat.say("Ana")
    chat.say("García")
    first = chat.say("my email? no idea")
    assert texts(first) == [prompt("RegisterStudent", "email")]
    second = chat.say("still no idea")
    assert texts(second) == [prompt("RegisterStudent", "email")]
    third = chat.say("really, no idea")
    assert intent_of(third)["name"] == "FallbackIntent"
    assert lam.last["invocationSource"] == "FulfillmentCodeHook"
    assert lam.last["inputTranscript"] == "really, no idea"
    assert lam.last["sessionState"]["intent"]["slots"] == {}


def test_a_clear_request_for_another_intent_switches(talk: Callable[..., Any]) -> None:
    chat, _ = talk()
    chat.say("I want to register")
    switched = chat.say("actually show me internships in Berlin")
    assert intent_of(switched)["name"] == "FindOpportunities"
    assert value(switched, "city") == "Berlin"


def test_session_attributes_pass_through_exactly(talk: Callable[..., Any]) -> None:
    sources = '[{"title": "Visa guide", "uri": "s3://docs/visa.pdf"}]'

    def answer(event: dict[str, Any]) -> dict[str, Any]:
        attributes = dict(event["sessionState"]["sessionAttributes"])
        attributes["campusbot.sources"] = sources
        attributes["turns"] = str(int(attributes.get("turns", "0")) + 1)
        response = delegate_or_close(event)
        response["sessionState"]["sessionAttributes"] = attributes
        return response

    chat, lam = talk(answer)
    first = chat.say("hello", session_state={"sessionAttributes": {"channel": "web"}})
    assert lam.last["sessionState"]["sessionAttributes"] == {"channel": "web"}
    assert first["sessionState"]["sessionAttributes"] == {
        "channel": "web",
        "campusbot.sources": sources,
        "turns": "1",
    }
    chat.say("help")
    assert lam.last["sessionState"]["sessionAttributes"]["turns"] == "1"
    assert lam.last["sessionState"]["sessionAttributes"]["campusbot.sources"] == sources


def test_attributes_the_lambda_leaves_out_are_kept(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        intent = dict(event["sessionState"]["intent"], state="Fulfilled")
        return {"sessionState": {"dialogAction": {"type": "Close"}, "intent": intent}}

    chat, _ = talk(answer)
    response = chat.say("hello", session_state={"sessionAttributes": {"k": "v"}})
    assert response["sessionState"]["sessionAttributes"] == {"k": "v"}


def test_request_attributes_reach_the_lambda_and_come_back(talk: Callable[..., Any]) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        response = delegate_or_close(event)
        response["requestAttributes"] = {"handled-by": "fake"}
        return response

    chat, lam = talk(answer)
    response = chat.say("hello", request_attributes={"channel": "web"})
    assert lam.last["requestAttributes"] == {"channel": "web"}
    assert response["requestAttributes"] == {"channel": "web", "handled-by": "fake"}
    second = chat.say("help")
    assert "requestAttributes" not in lam.last  # request attributes last one request
    assert second["requestAttributes"] == {"handled-by": "fake"}


def test_out_of_scope_text_is_the_fallback_intent(talk: Callable[..., Any]) -> None:
    chat, lam = talk()
    response = chat.say("what's the weather")
    assert intent_of(response)["name"] == "FallbackIntent"
    assert lam.last["invocationSource"] == "FulfillmentCodeHook"
    assert_lex_v2_event(lam.last)
    assert "nluConfidence" not in response["interpretations"][0]


def test_a_client_session_state_with_an_unknown_intent_is_rejected(talk: Callable[..., Any]) -> None:
    chat, _ = talk()
    with pytest.raises(ValidationException):
        chat.say("hello", session_state={"intent": {"name": "OrderPizza"}})


def test_a_client_can_set_the_dialog_state(talk: Callable[..., Any]) -> None:
    chat, _ = talk()
    state = {
        "intent": {"name": "RegisterStudent", "slots": {"firstName": {"value": {"interpretedValue": "Ana"}}}},
        "dialogAction": {"type": "ElicitSlot", "slotToElicit": "lastName"},
    }
    response = chat.say("García", session_state=state)
    assert value(response, "firstName") == "Ana" and value(response, "lastName") == "García"
    assert response["sessionState"]["dialogAction"]["slotToElicit"] == "email"


def test_put_session_prompts_and_delegates(talk: Callable[..., Any]) -> None:
    chat, lam = talk()
    result = chat.dialog.put_session(
        chat.session,
        {
            "intent": {"name": "GetUniversityInfo"},
            "dialogAction": {"type": "ElicitSlot", "slotToElicit": "universityName"},
        },
        None,
        None,
    )
    assert texts(result) == [prompt("GetUniversityInfo", "universityName")]
    assert texts(chat.say("ETH")) == ["GetUniversityInfo fulfilled"]
    delegated = chat.dialog.put_session(
        chat.session, {"intent": {"name": "Greeting"}, "dialogAction": {"type": "Delegate"}}, None, None
    )
    assert lam.last["sessionState"]["intent"]["name"] == "Greeting"
    assert texts(delegated) == ["Greeting fulfilled"]


def test_session_attributes_sent_every_turn_do_not_reset_the_retries(talk: Callable[..., Any]) -> None:
    chat, _ = talk()
    state = {"sessionAttributes": {"channel": "web"}}
    chat.say("tell me about a university", session_state=state)
    for _ in range(2):
        assert intent_of(chat.say("1234", session_state=state))["name"] == "GetUniversityInfo"
    assert intent_of(chat.say("5678", session_state=state))["name"] == "FallbackIntent"
