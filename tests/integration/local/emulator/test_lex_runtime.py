"""The Lex V2 runtime emulator over real HTTP, driven by the unchanged boto3 `lexv2-runtime` client (its
endpoint from AWS_ENDPOINT_URL_LEX_RUNTIME_V2 only), with the real intent classifier and a recording fake
fulfillment Lambda."""

from __future__ import annotations

import base64
import copy
import gzip
import json
import threading
from collections.abc import Callable
from typing import Any

import botocore.exceptions
import httpx
import pytest
from tests.fixtures.lex_emulator import (
    ALIAS_ID,
    BOT_ID,
    LOCALE_ID,
    LexServer,
    RecordingFulfillment,
    assert_lex_v2_event,
    delegate_or_close,
)

from campusbot.bot.cloudformation import load_bot

DEFINITION = load_bot()
Start = Callable[..., LexServer]


def prompt(intent: str, slot: str) -> str:
    declared = DEFINITION.intent(intent)
    assert declared is not None
    found = declared.slot(slot)
    assert found is not None
    return found.prompt


def texts(response: dict[str, Any]) -> list[str]:
    return [m["content"] for m in response.get("messages", [])]


def slot_values(response: dict[str, Any]) -> dict[str, str]:
    slots = response["sessionState"]["intent"]["slots"]
    return {name: slot["value"]["interpretedValue"] for name, slot in slots.items() if slot}


def error_code(error: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> str:
    code: str = error.value.response["Error"]["Code"]
    return code


def test_the_stock_client_reaches_the_emulator_through_the_endpoint_variable(lex_emulator: Start) -> None:
    server = lex_emulator()
    client = server.client()
    assert client.meta.endpoint_url == server.url
    response = server.say("hi there", client=client)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert response["sessionId"] == "session-1"
    assert response["sessionState"]["intent"]["name"] == "Greeting"


def test_intent_and_slots_are_recognized_and_fulfilled(lex_emulator: Start) -> None:
    server = lex_emulator()
    response = server.say("which universities would you recommend for medicine in germany under 5000 dollars")
    intent = response["sessionState"]["intent"]
    assert intent["name"] == "RecommendUniversity"
    assert intent["state"] == "Fulfilled"
    assert slot_values(response) == {"fieldOfStudy": "Medicine", "country": "Germany", "maxTuition": "5000"}
    assert intent["slots"]["studentId"] is None
    top = response["interpretations"][0]
    assert top["intent"]["name"] == "RecommendUniversity"
    assert 0.4 <= top["nluConfidence"]["score"] <= 1.0
    assert top["interpretationSource"] == "Lex"
    assert any(
        i["intent"]["name"] == "FallbackIntent" and "nluConfidence" not in i for i in response["interpretations"]
    )
    assert response["sessionState"]["dialogAction"] == {"type": "Close"}
    assert texts(response) == ["RecommendUniversity fulfilled"]
    fulfillment = server.fulfillment
    assert fulfillment.sources() == ["DialogCodeHook", "FulfillmentCodeHook"]
    for event in fulfillment.events:
        assert_lex_v2_event(event)
    event = fulfillment.last
    assert (
        event["inputTranscript"] == "which universities would you recommend for medicine in germany under 5000 dollars"
    )
    assert event["bot"] == {
        "id": BOT_ID,
        "name": "campusbot",
        "aliasId": ALIAS_ID,
        "aliasName": "TestBotAlias",
        "localeId": LOCALE_ID,
        "version": "DRAFT",
    }
    assert isinstance(event["interpretations"][0]["nluConfidence"], float)
    assert event["sessionState"]["intent"]["slots"]["fieldOfStudy"]["value"]["originalValue"] == "medicine"


def test_university_names_come_from_the_data(lex_emulator: Start) -> None:
    server = lex_emulator(university_names=lambda: ["Heidelberg University", "Kestrel Institute of Science"])
    response = server.say("tell me about the kestrel institute of science")
    assert response["sessionState"]["intent"]["name"] == "GetUniversityInfo"
    assert slot_values(response) == {"universityName": "Kestrel Institute of Science"}


def test_multi_turn_registration_with_the_definitions_prompts_and_yes(lex_emulator: Start) -> None:
    server = lex_emulator()
    session = "registration-yes"
    turns = [
        ("I'd like to sign up as a new student", prompt("RegisterStudent", "firstName")),
        ("Ana", prompt("RegisterStudent", "lastName")),
        ("García", prompt("RegisterStudent", "email")),
        ("ana dot garcia at example dot edu", prompt("RegisterStudent", "fieldOfStudy")),
        ("comp sci", prompt("RegisterStudent", "country")),
    ]
    for text, expected in turns:
        response = server.say(text, session)
        assert texts(response) == [expected], text
        assert response["sessionState"]["intent"]["name"] == "RegisterStudent"
        assert response["sessionState"]["dialogAction"]["type"] == "ElicitSlot"
    confirm = server.say("Spain", session)
    assert confirm["sessionState"]["dialogAction"] == {"type": "ConfirmIntent"}
    assert texts(confirm) == [
        "I will register Ana García (ana.garcia@example.edu) for Computer Science, from Spain. Shall I go ahead?"
    ]
    done = server.say("yes", session)
    assert done["sessionState"]["intent"]["state"] == "Fulfilled"
    assert done["sessionState"]["intent"]["confirmationState"] == "Confirmed"
    event = server.fulfillment.last
    assert event["invocationSource"] == "FulfillmentCodeHook"
    assert_lex_v2_event(event)
    assert slot_values({"sessionState": event["sessionState"]}) == {
        "firstName": "Ana",
        "lastName": "García",
        "email": "ana.garcia@example.edu",
        "fieldOfStudy": "Computer Science",
        "country": "Spain",
    }


def test_registration_denied(lex_emulator: Start) -> None:
    server = lex_emulator()
    session = "registration-no"
    for text in ("register me my name is Liam O'Connor", "liam@example.com", "medicine", "Ireland"):
        server.say(text, session)
    declined = server.say("no, don't", session)
    assert texts(declined) == [DEFINITION.intent("RegisterStudent").confirmation.declination]  # type: ignore[union-attr]
    assert declined["sessionState"]["intent"]["state"] == "Failed"
    assert declined["sessionState"]["intent"]["confirmationState"] == "Denied"
    assert "FulfillmentCodeHook" not in server.fulfillment.sources()


def test_out_of_scope_text_falls_back(lex_emulator: Start) -> None:
    server = lex_emulator()
    response = server.say("what is the best recipe for lasagna")
    assert response["sessionState"]["intent"]["name"] == "FallbackIntent"
    assert response["sessionState"]["intent"]["slots"] == {}
    assert "nluConfidence" not in response["interpretations"][0]
    event = server.fulfillment.last
    assert event["invocationSource"] == "FulfillmentCodeHook"
    assert event["sessionState"]["intent"]["name"] == "FallbackIntent"
    assert_lex_v2_event(event)


def test_session_attributes_round_trip(lex_emulator: Start) -> None:
    sources = json.dumps([{"title": "Studying in Germany", "uri": "s3://campusbot-docs/germany.pdf", "score": 0.83}])

    def answer(event: dict[str, Any]) -> dict[str, Any]:
        response = delegate_or_close(event)
        attributes = dict(event["sessionState"]["sessionAttributes"])
        attributes["campusbot.sources"] = sources
        attributes["turn"] = str(int(attributes.get("turn", "0")) + 1)
        response["sessionState"]["sessionAttributes"] = attributes
        return response

    server = lex_emulator(fulfillment=RecordingFulfillment(answer))
    first = server.say("hello", "attributes", sessionState={"sessionAttributes": {"channel": "web"}})
    assert first["sessionState"]["sessionAttributes"] == {"channel": "web", "campusbot.sources": sources, "turn": "1"}
    server.say("what can you do", "attributes")
    event = server.fulfillment.last
    assert event["sessionState"]["sessionAttributes"] == {"channel": "web", "campusbot.sources": sources, "turn": "1"}
    assert json.loads(event["sessionState"]["sessionAttributes"]["campusbot.sources"])[0]["score"] == 0.83
    got = server.client().get_session(botId=BOT_ID, botAliasId=ALIAS_ID, localeId=LOCALE_ID, sessionId="attributes")
    assert got["sessionState"]["sessionAttributes"]["turn"] == "2"


def test_request_attributes_reach_the_lambda(lex_emulator: Start) -> None:
    server = lex_emulator()
    response = server.say("hello", "request-attributes", requestAttributes={"client": "web"})
    assert server.fulfillment.last["requestAttributes"] == {"client": "web"}
    assert response["requestAttributes"] == {"client": "web"}


def test_get_and_delete_session(lex_emulator: Start) -> None:
    server = lex_emulator()
    client = server.client()
    ids = {"botId": BOT_ID, "botAliasId": ALIAS_ID, "localeId": LOCALE_ID, "sessionId": "kept"}
    server.say("I want to register", "kept", client=client)
    got = client.get_session(**ids)
    assert got["sessionId"] == "kept"
    assert got["sessionState"]["intent"]["name"] == "RegisterStudent"
    assert got["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "firstName"}
    assert texts(got) == [prompt("RegisterStudent", "firstName")]
    assert got["interpretations"][0]["intent"]["name"] == "RegisterStudent"
    deleted = client.delete_session(**ids)
    assert {k: deleted[k] for k in ids} == ids
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_session(**ids)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.delete_session(**ids)
    fresh = server.say("Ana", "kept", client=client)
    assert fresh["sessionState"]["intent"]["name"] != "RegisterStudent" or texts(fresh) != [
        prompt("RegisterStudent", "lastName")
    ]


def test_put_session_sets_the_dialog(lex_emulator: Start) -> None:
    server = lex_emulator()
    client = server.client()
    put = client.put_session(
        botId=BOT_ID,
        botAliasId=ALIAS_ID,
        localeId=LOCALE_ID,
        sessionId="put",
        sessionState={
            "intent": {"name": "GetUniversityInfo"},
            "dialogAction": {"type": "ElicitSlot", "slotToElicit": "universityName"},
            "sessionAttributes": {"from": "put"},
        },
    )
    assert put["sessionId"] == "put"
    messages = json.loads(gzip.decompress(base64.b64decode(put["messages"])))
    assert [m["content"] for m in messages] == [prompt("GetUniversityInfo", "universityName")]
    state = json.loads(gzip.decompress(base64.b64decode(put["sessionState"])))
    assert state["intent"]["name"] == "GetUniversityInfo" and state["sessionAttributes"] == {"from": "put"}
    answered = server.say("ETH", "put", client=client)
    assert slot_values(answered) == {"universityName": "ETH Zurich"}
    assert server.fulfillment.last["sessionState"]["sessionAttributes"] == {"from": "put"}


def test_unknown_bot_is_resource_not_found(lex_emulator: Start) -> None:
    server = lex_emulator()
    client = server.client()
    with pytest.raises(client.exceptions.ResourceNotFoundException) as error:
        client.recognize_text(botId="NOSUCHBOT0", botAliasId=ALIAS_ID, localeId=LOCALE_ID, sessionId="s1", text="hi")
    assert "NOSUCHBOT0" in error.value.response["Error"]["Message"]
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.recognize_text(botId=BOT_ID, botAliasId="NOALIAS", localeId=LOCALE_ID, sessionId="s1", text="hi")


def test_validation_errors(lex_emulator: Start) -> None:
    server = lex_emulator()
    client = server.client()
    with pytest.raises(client.exceptions.ValidationException) as error:
        client.recognize_text(botId=BOT_ID, botAliasId=ALIAS_ID, localeId="fr_FR", sessionId="s1", text="bonjour")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(client.exceptions.ValidationException):
        server.say("x" * 1025, client=client)
    path = f"{server.url}/bots/{BOT_ID}/botAliases/{ALIAS_ID}/botLocales/{LOCALE_ID}/sessions"
    empty = httpx.post(f"{path}/s1/text", json={"text": ""})  # boto3 refuses to send this itself
    assert empty.status_code == 400 and empty.headers["x-amzn-ErrorType"] == "ValidationException"
    assert httpx.post(f"{path}/s1/text", content=b"{not json").status_code == 400
    bad_session = httpx.post(f"{path}/bad%20id/text", json={"text": "hi"})
    assert bad_session.status_code == 400 and "sessionId" in bad_session.json()["message"]
    with pytest.raises(client.exceptions.ValidationException):
        server.say("hi", client=client, sessionState={"intent": {"name": "OrderPizza"}})


def test_text_that_is_not_unicode_is_a_validation_error_not_a_500(lex_emulator: Start) -> None:
    server = lex_emulator()
    path = f"{server.url}/bots/{BOT_ID}/botAliases/{ALIAS_ID}/botLocales/{LOCALE_ID}/sessions"
    # boto3 would send a lone surrogate as this JSON escape; it has no UTF-8 form
    for body in (b'{"text": "hi \\ud800 there"}', b'{"text": "hi", "requestAttributes": {"a": "\\udfff"}}'):
        response = httpx.post(f"{path}/s1/text", content=body, headers={"content-type": "application/x-amz-json-1.1"})
        assert response.status_code == 400, response.text
        assert response.headers["x-amzn-ErrorType"] == "ValidationException"
    newline = httpx.post(f"{path}/s1%0A/text", json={"text": "hi"})
    assert newline.status_code == 400 and "sessionId" in newline.json()["message"]
    assert server.say("hi \U0001f600", client=server.client())["sessionState"]["intent"]["name"]


def test_a_raising_fulfillment_is_dependency_failed_and_the_session_is_kept(lex_emulator: Start) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        if event["sessionState"]["intent"]["name"] == "Help":
            raise RuntimeError("API unreachable")
        return delegate_or_close(event)

    server = lex_emulator(fulfillment=RecordingFulfillment(answer))
    client = server.client()
    server.say("hello", "failing", client=client)
    with pytest.raises(client.exceptions.DependencyFailedException) as error:
        server.say("what can you do for me", "failing", client=client)
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert "Received error response from Lambda" in error.value.response["Error"]["Message"]
    got = client.get_session(botId=BOT_ID, botAliasId=ALIAS_ID, localeId=LOCALE_ID, sessionId="failing")
    assert got["sessionState"]["intent"]["name"] == "Greeting"


@pytest.mark.parametrize(
    "answer",
    [
        {"messages": [{"contentType": "PlainText", "content": "no session state"}]},
        {"sessionState": {"dialogAction": {"type": "Finish"}}},
        {"sessionState": {"dialogAction": {"type": "Close"}, "sessionAttributes": {"count": 3}}},
        {"sessionState": {"dialogAction": {"type": "ElicitSlot", "slotToElicit": "nope"}}},
    ],
    ids=["no-session-state", "bad-dialog-action", "non-string-attribute", "unknown-slot"],
)
def test_an_invalid_fulfillment_answer_is_dependency_failed(lex_emulator: Start, answer: dict[str, Any]) -> None:
    server = lex_emulator(fulfillment=RecordingFulfillment(lambda event: copy.deepcopy(answer)))
    client = server.client()
    with pytest.raises(client.exceptions.DependencyFailedException) as error:
        server.say("hello", client=client)
    assert "Invalid Lambda Response" in error.value.response["Error"]["Message"]


def test_a_slow_fulfillment_times_out(lex_emulator: Start) -> None:
    release = threading.Event()

    def answer(event: dict[str, Any]) -> dict[str, Any]:
        release.wait(10)
        return delegate_or_close(event)

    server = lex_emulator(fulfillment=RecordingFulfillment(answer), lambda_timeout=0.5)
    client = server.client()
    try:
        with pytest.raises(client.exceptions.DependencyFailedException, match="timed out"):
            server.say("hello", client=client)
    finally:
        release.set()


def test_a_second_turn_while_one_runs_is_a_conflict(lex_emulator: Start) -> None:
    entered, release = threading.Event(), threading.Event()

    def answer(event: dict[str, Any]) -> dict[str, Any]:
        if event["sessionId"] == "busy":
            entered.set()
            release.wait(10)
        return delegate_or_close(event)

    server = lex_emulator(fulfillment=RecordingFulfillment(answer))
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(server.say("hello", "busy")))
    worker.start()
    try:
        assert entered.wait(10)
        client = server.client()
        with pytest.raises(client.exceptions.ConflictException):
            server.say("hello again", "busy", client=client)
        assert server.say("hello", "another-session", client=client)["sessionState"]["intent"]["name"] == "Greeting"
    finally:
        release.set()
        worker.join(10)
    assert results and results[0]["sessionState"]["intent"]["state"] == "Fulfilled"


def test_lambda_dialog_actions_through_the_wire(lex_emulator: Start) -> None:
    def answer(event: dict[str, Any]) -> dict[str, Any]:
        intent = copy.deepcopy(event["sessionState"]["intent"])
        slots = intent["slots"]
        if event["invocationSource"] == "DialogCodeHook" and slots.get("city") is None:
            return {
                "sessionState": {"dialogAction": {"type": "ElicitSlot", "slotToElicit": "city"}, "intent": intent},
                "messages": [{"contentType": "PlainText", "content": "Which city should I search in?"}],
            }
        return delegate_or_close(event)

    server = lex_emulator(fulfillment=RecordingFulfillment(answer))
    asked = server.say("find me an internship", "actions")
    assert texts(asked) == ["Which city should I search in?"]
    assert asked["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "city"}
    done = server.say("Toronto", "actions")
    assert slot_values(done) == {"city": "Toronto", "kind": "internship"}  # issue 13: "an internship" is the kind
    assert done["sessionState"]["intent"]["state"] == "Fulfilled"
    dialog_event = server.fulfillment.events[-2]
    assert dialog_event["sessionState"]["dialogAction"] == {"type": "ElicitSlot", "slotToElicit": "city"}
    assert_lex_v2_event(dialog_event)
