"""The chat turn behind POST /chat, on a real `lexv2-runtime` client under botocore's Stubber (no I/O).

The Stubber checks every request against the service model (botId length, sessionId pattern, text length)
and the expected parameters, so what lex_proxy sends is what Lex accepts.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber
from tests.fixtures.lambda_events import load_event

from campusbot.analytics.events import ChatEvent
from campusbot.assistant.proxy import ChatProxy, parse_request, to_reply

BOT = {"botId": "CAMPUSBOT0", "botAliasId": "TSTALIASID", "localeId": "en_US"}
SOURCES = [{"title": "Visa guide", "s3_key": "docs/visa.pdf", "score": 0.83, "snippet": "national visa"}]


class Recorder:
    def __init__(self) -> None:
        self.events: list[ChatEvent] = []

    def record(self, event: ChatEvent) -> None:
        self.events.append(event)


class Harness:
    def __init__(self, **options: Any) -> None:
        self.client = boto3.client("lexv2-runtime", region_name="us-east-1")
        self.stubber = Stubber(self.client)
        self.sink = Recorder()
        self.proxy = ChatProxy(self.client, **BOT_ARGS, events=self.sink, env="test", **options)

    def call(self, event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        with self.stubber:
            response = self.proxy.handle(event)
            self.stubber.assert_no_pending_responses()
        assert_proxy_response(response)
        return response, (json.loads(response["body"]) if response["body"] else {})


BOT_ARGS = {"bot_id": "CAMPUSBOT0", "bot_alias_id": "TSTALIASID", "locale_id": "en_US"}


def assert_proxy_response(response: dict[str, Any]) -> None:
    """What API Gateway needs from a REST proxy integration, or the client gets a 502."""
    assert isinstance(response["statusCode"], int)
    assert isinstance(response["body"], str)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in response["headers"].items())
    assert response["headers"]["Access-Control-Allow-Origin"]
    assert response.get("isBase64Encoded") in (None, False)


@pytest.fixture
def harness() -> Iterator[Harness]:
    yield Harness()


def lex_answer(
    *,
    intent: str = "RecommendUniversity",
    state: str = "Fulfilled",
    action: str = "Close",
    attributes: dict[str, str] | None = None,
    messages: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "sessionId": "web-5f2c1e0a",
        "messages": messages if messages is not None else [{"contentType": "PlainText", "content": "Top universities"}],
        "sessionState": {
            "dialogAction": {"type": action},
            "intent": {
                "name": intent,
                "state": state,
                "confirmationState": "None",
                "slots": {
                    "fieldOfStudy": {
                        "shape": "Scalar",
                        "value": {
                            "originalValue": "medicine",
                            "interpretedValue": "Medicine",
                            "resolvedValues": ["Medicine"],
                        },
                    },
                },
            },
            "sessionAttributes": attributes
            if attributes is not None
            else {"campusbot.answer_source": "database", "campusbot.sources": "[]"},
        },
        "interpretations": [
            {"intent": {"name": intent, "slots": {}}, "nluConfidence": {"score": 0.93}},
            {"intent": {"name": "FallbackIntent", "slots": {}}},
        ],
    }


def expect(harness: Harness, session_id: str, text: str, answer: dict[str, Any] | None = None) -> None:
    harness.stubber.add_response(
        "recognize_text", answer or lex_answer(), {**BOT, "sessionId": session_id, "text": text}
    )


def test_a_turn_maps_to_the_chat_contract(harness: Harness) -> None:
    expect(harness, "web-5f2c1e0a", "recommend a university for medicine in Germany")
    response, body = harness.call(load_event("apigw_chat_post"))
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    assert response["headers"]["Access-Control-Allow-Origin"] == "*"
    assert body == {
        "session_id": "web-5f2c1e0a",
        "intent": "RecommendUniversity",
        "slots": {"fieldOfStudy": "Medicine"},
        "state": "Fulfilled",
        "messages": ["Top universities"],
        "sources": [],
        "answer_source": "database",  # the web client's badge: our data, our documents, general knowledge
        "buttons": [],
        "turn_id": harness.sink.events[0].event_id,  # what the client names to rate this turn
    }


def test_card_buttons_are_the_quick_replies(harness: Harness) -> None:
    card = {
        "contentType": "ImageResponseCard",
        "imageResponseCard": {
            "title": "Which field would you like to study?",
            "buttons": [{"text": "Medicine", "value": "Medicine"}, {"text": "Law", "value": "Law"}],
        },
    }
    expect(harness, "web-5f2c1e0a", "recommend a university for medicine in Germany", lex_answer(
        state="InProgress", action="ElicitSlot", messages=[card], attributes={}
    ))  # fmt: skip
    _, body = harness.call(load_event("apigw_chat_post"))
    assert body["messages"] == ["Which field would you like to study?"]
    assert body["buttons"] == [{"text": "Medicine", "value": "Medicine"}, {"text": "Law", "value": "Law"}]
    assert (body["state"], body["answer_source"]) == ("ElicitSlot", "none")


def test_feedback_is_recorded_as_a_feedback_event(harness: Harness) -> None:
    response, body = harness.call(load_event("apigw_feedback_post"))
    assert response["statusCode"] == 202
    [event] = harness.sink.events
    assert (event.kind, event.rated_event_id, event.rating) == ("feedback", "3f1c9a7be2d04b8a9c6d5e4f3a2b1c0d", 1)
    assert (event.session_id, event.env, event.channel) == ("web-5f2c1e0a", "test", "web")
    assert body == {"event_id": event.event_id, "rated_turn_id": "3f1c9a7be2d04b8a9c6d5e4f3a2b1c0d"}


@pytest.mark.parametrize(
    ("body", "fix"),
    [
        ({"turn_id": "nope", "session_id": "web-5f2c1e0a", "rating": 1}, "turn_id"),
        ({"turn_id": "3f1c9a7be2d04b8a9c6d5e4f3a2b1c0d", "session_id": "web-5f2c1e0a", "rating": 5}, "rating"),
        ({"turn_id": "3f1c9a7be2d04b8a9c6d5e4f3a2b1c0d", "session_id": "web-5f2c1e0a", "rating": True}, "rating"),
        ({"turn_id": "3f1c9a7be2d04b8a9c6d5e4f3a2b1c0d", "session_id": "bad id!", "rating": -1}, "session_id"),
    ],
)
def test_bad_feedback_is_a_400_saying_what_to_fix(harness: Harness, body: dict[str, Any], fix: str) -> None:
    event = load_event("apigw_feedback_post")
    event["body"] = json.dumps(body)
    response, answer = harness.call(event)
    assert response["statusCode"] == 400 and fix in answer["error"]
    assert harness.sink.events == []


def test_the_turn_is_recorded_for_analytics(harness: Harness) -> None:
    expect(harness, "web-5f2c1e0a", "recommend a university for medicine in Germany")
    event = load_event("apigw_chat_post")
    event["headers"]["X-Campusbot-Channel"] = "CLI"
    harness.call(event)
    [record] = harness.sink.events
    assert (record.session_id, record.env, record.channel) == ("web-5f2c1e0a", "test", "cli")
    assert (record.intent, record.state, record.answer_source) == ("RecommendUniversity", "Fulfilled", "database")
    assert record.nlu_confidence == pytest.approx(0.93)
    assert json.loads(record.slots) == {"fieldOfStudy": "Medicine"}
    assert record.message_chars == len("recommend a university for medicine in Germany")
    assert record.latency_ms >= 0 and record.error == ""


def test_a_session_id_is_generated_when_none_is_given(harness: Harness) -> None:
    harness.stubber.add_response("recognize_text", lex_answer(intent="Greeting"), None)
    _, body = harness.call(load_event("apigw_chat_post_no_session"))
    assert re.fullmatch(r"[0-9a-zA-Z._:-]{2,100}", body["session_id"])
    assert harness.sink.events[0].session_id == body["session_id"]


def test_a_base64_body_is_decoded(harness: Harness) -> None:
    expect(harness, "app-77", "tell me about ETH Zurich", lex_answer(intent="GetUniversityInfo"))
    response, body = harness.call(load_event("apigw_chat_base64"))
    assert response["statusCode"] == 200
    assert body["session_id"] == "app-77"


def test_preflight_is_204_with_the_cors_headers(harness: Harness) -> None:
    response, _ = harness.call(load_event("apigw_chat_options"))
    assert response["statusCode"] == 204
    assert response["body"] == ""
    headers = response["headers"]
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]
    assert harness.sink.events == []


def test_other_methods_are_405(harness: Harness) -> None:
    response, body = harness.call(load_event("apigw_chat_get"))
    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == "POST, OPTIONS"
    assert "POST" in body["error"]


def _post(body: str | None, **changes: Any) -> dict[str, Any]:
    event = load_event("apigw_chat_post")
    event["body"] = body
    event.update(changes)
    return event


@pytest.mark.parametrize(
    ("event", "status", "fragment"),
    [
        (load_event("apigw_chat_bad_json"), 400, "not valid JSON"),
        (_post(None), 400, "JSON object"),
        (_post(""), 400, "JSON object"),
        (_post("[1, 2]"), 400, "JSON object"),
        (_post('"hello"'), 400, "JSON object"),
        (_post("{}"), 400, '"message" is required'),
        (_post('{"message": 42}'), 400, "must be a string"),
        (_post('{"message": "   \\n "}'), 400, "empty"),
        (_post('{"message": "\\u0000\\u0007 "}'), 400, "empty"),
        (_post(json.dumps({"message": "x" * 1025})), 413, "at most 1024"),
        (_post(json.dumps({"message": "hi", "session_id": "a"})), 400, "session_id"),
        (_post(json.dumps({"message": "hi", "session_id": "has space"})), 400, "session_id"),
        (_post(json.dumps({"message": "hi", "session_id": "x" * 101})), 400, "session_id"),
        (_post(json.dumps({"message": "hi", "session_id": 1234})), 400, "session_id"),
        (_post(json.dumps({"message": "hi", "session_id": "../../admin"})), 400, "session_id"),
        (_post("not base64!", isBase64Encoded=True), 400, "base64"),
        (_post(base64.b64encode(b"\xff\xfe{}").decode(), isBase64Encoded=True), 400, "UTF-8"),
        (_post(json.dumps({"message": "x" * 20_000})), 413, "too large"),
        (
            _post(json.dumps({"message": "hi"}), headers={"Content-Type": "multipart/form-data; boundary=x"}),
            415,
            "JSON",
        ),
    ],
)
def test_requests_that_cannot_be_a_turn_are_4xx_without_calling_lex(
    harness: Harness, event: dict[str, Any], status: int, fragment: str
) -> None:
    response, body = harness.call(event)
    assert response["statusCode"] == status
    assert fragment in body["error"]
    assert harness.sink.events == []


def test_the_longest_message_and_lenient_content_types_are_accepted(harness: Harness) -> None:
    text = "y" * 1024
    expect(harness, "s-1", text)
    event = _post(json.dumps({"message": text, "session_id": "s-1"}), headers={"content-type": "text/plain"})
    assert harness.call(event)[0]["statusCode"] == 200
    expect(harness, "s-1", "hi")
    event = _post(json.dumps({"message": " hi ", "session_id": "s-1"}), headers=None)
    assert harness.call(event)[0]["statusCode"] == 200


@pytest.mark.parametrize(
    ("code", "http_status", "status"),
    [
        ("ThrottlingException", 429, 429),
        ("ConflictException", 409, 409),
        ("DependencyFailedException", 424, 502),
        ("BadGatewayException", 502, 502),
        ("InternalServerException", 500, 502),
        ("ResourceNotFoundException", 404, 502),
        ("AccessDeniedException", 403, 502),
        ("ValidationException", 400, 502),
    ],
)
def test_lex_errors_map_to_http_statuses(harness: Harness, code: str, http_status: int, status: int) -> None:
    harness.stubber.add_client_error("recognize_text", service_error_code=code, http_status_code=http_status)
    response, body = harness.call(load_event("apigw_chat_post"))
    assert response["statusCode"] == status
    assert body["error"] and body["session_id"] == "web-5f2c1e0a"
    assert ("Retry-After" in response["headers"]) == (status == 429)
    [record] = harness.sink.events
    assert record.error == code and record.intent is None


class SlowLex:
    def recognize_text(self, **_: Any) -> Any:
        raise ReadTimeoutError(endpoint_url="https://runtime-v2-lex.us-east-1.amazonaws.com")


class BrokenLex:
    def recognize_text(self, **_: Any) -> Any:
        raise RuntimeError("bug")


def test_a_slow_lex_is_504_and_a_bug_is_500() -> None:
    sink = Recorder()
    slow = ChatProxy(SlowLex(), **BOT_ARGS, events=sink)  # type: ignore[arg-type]
    response = slow.handle(load_event("apigw_chat_post"))
    assert_proxy_response(response)
    assert response["statusCode"] == 504
    assert sink.events[0].error == "Timeout"
    broken = ChatProxy(BrokenLex(), **BOT_ARGS)  # type: ignore[arg-type]
    response = broken.handle(load_event("apigw_chat_post"))
    assert_proxy_response(response)
    assert response["statusCode"] == 500
    assert "bug" not in response["body"]


@pytest.mark.parametrize("event", [{}, {"httpMethod": None}, {"httpMethod": "POST", "headers": "x", "body": 5}])
def test_malformed_events_still_get_a_valid_response(harness: Harness, event: dict[str, Any]) -> None:
    response, _ = harness.call(event)
    assert 400 <= response["statusCode"] < 500


def test_a_failing_lake_never_fails_the_turn(harness: Harness) -> None:
    class Failing:
        def record(self, event: ChatEvent) -> None:
            raise OSError("disk full")

    harness.proxy.events = Failing()
    expect(harness, "web-5f2c1e0a", "recommend a university for medicine in Germany")
    assert harness.call(load_event("apigw_chat_post"))[0]["statusCode"] == 200


def test_cors_origin_from_settings() -> None:
    single = Harness(cors_allow_origin="https://campusbot.example.edu")
    response, _ = single.call(load_event("apigw_chat_get"))
    assert response["headers"]["Access-Control-Allow-Origin"] == "https://campusbot.example.edu"
    assert response["headers"]["Vary"] == "Origin"
    listed = Harness(cors_allow_origin="https://a.example, https://campusbot.example.edu")
    response, _ = listed.call(load_event("apigw_chat_options"))
    assert response["headers"]["Access-Control-Allow-Origin"] == "https://campusbot.example.edu"


# Mapping RecognizeText's answer ----------------------------------------------------------------------------


def test_sources_and_answer_source_come_from_a_closing_turn() -> None:
    attributes = {"campusbot.answer_source": "documents", "campusbot.sources": json.dumps(SOURCES)}
    reply = to_reply(lex_answer(intent="FallbackIntent", attributes=attributes), "s-1")
    assert reply.sources == SOURCES
    assert reply.answer_source == "documents"


def test_stale_attributes_of_an_earlier_turn_do_not_leak_into_an_elicitation() -> None:
    attributes = {"campusbot.answer_source": "documents", "campusbot.sources": json.dumps(SOURCES)}
    reply = to_reply(
        lex_answer(intent="RegisterStudent", state="InProgress", action="ElicitSlot", attributes=attributes), "s"
    )
    assert reply.sources == [] and reply.answer_source == "none"
    assert reply.state == "ElicitSlot"


@pytest.mark.parametrize("value", ["not json", '{"a": 1}', "[1, 2]", "[" * 50_000])
def test_malformed_sources_give_an_empty_list(value: str) -> None:
    attributes = {"campusbot.answer_source": "https://evil", "campusbot.sources": value}
    reply = to_reply(lex_answer(attributes=attributes), "s")
    assert reply.sources == [] and reply.answer_source == "none"


def test_unfilled_slots_are_null() -> None:
    answer = lex_answer()
    answer["sessionState"]["intent"]["slots"]["country"] = None  # as botocore parses Lex's JSON null
    assert to_reply(answer, "s").slots == {"fieldOfStudy": "Medicine", "country": None}


def test_messages_state_and_missing_parts() -> None:
    card = {"contentType": "ImageResponseCard", "imageResponseCard": {"title": "Pick one", "buttons": []}}
    reply = to_reply(lex_answer(messages=[{"contentType": "PlainText", "content": "a"}, card]), "s")
    assert reply.messages == ["a", "Pick one"]
    bare = to_reply({"sessionState": {"dialogAction": {"type": "ElicitIntent"}}}, "s")
    assert (bare.intent, bare.state, bare.messages, bare.slots, bare.sources) == (None, "ElicitIntent", [], {}, [])


def test_parse_request_reads_headers_case_insensitively() -> None:
    event = _post(
        json.dumps({"message": "hi", "session_id": "abc"}), headers={"x-campusbot-channel": "app", "ORIGIN": "o"}
    )
    request = parse_request(event, 1024)
    assert (request.message, request.session_id, request.channel, request.origin) == ("hi", "abc", "app", "o")
    event["headers"]["x-campusbot-channel"] = "<script>"
    assert parse_request(event, 1024).channel == "web"


# Identity (issue 12): lex_proxy sends the authorizer's principal as the turn's request attributes, every turn ------
# (issue 18: one Lex call per turn; nothing is read back from the session first, nothing about identity is stored)

PRINCIPAL = {
    "campusbot.principal.sub": "5e0c0000-0000-4000-8000-00000000a1a1",
    "campusbot.principal.email": "maria.lopez@example.edu",
}


def expect_attributes(harness: Harness, text: str, attributes: dict[str, str] | None) -> None:
    """The one Lex call of the turn (a GetSession first would fail the stubber): RecognizeText, with exactly these
    request attributes (none at all when None)."""
    params: dict[str, Any] = {**BOT, "sessionId": "web-5f2c1e0a", "text": text}
    if attributes is not None:
        params["requestAttributes"] = attributes
    harness.stubber.add_response("recognize_text", lex_answer(intent="GetStudentProfile"), params)


def test_a_signed_in_turn_sends_the_principal_as_request_attributes(harness: Harness) -> None:
    expect_attributes(harness, "show my profile", PRINCIPAL)
    assert harness.call(load_event("apigw_chat_post_signed_in"))[0]["statusCode"] == 200


def test_an_anonymous_turn_sends_no_principal_and_no_session_state(harness: Harness) -> None:
    expect_attributes(harness, "recommend a university for medicine in Germany", None)
    assert harness.call(load_event("apigw_chat_post"))[0]["statusCode"] == 200


def test_a_principal_without_email_sends_the_sub_only(harness: Harness) -> None:
    event = load_event("apigw_chat_post_signed_in")
    event["requestContext"]["authorizer"].pop("email", None)
    expect_attributes(harness, "show my profile", {"campusbot.principal.sub": PRINCIPAL["campusbot.principal.sub"]})
    assert harness.call(event)[0]["statusCode"] == 200


def test_nothing_in_the_body_or_headers_sets_the_principal(harness: Harness) -> None:
    event = load_event("apigw_chat_post")
    event["body"] = json.dumps(
        {
            "message": "show my profile",
            "session_id": "web-5f2c1e0a",
            "sessionState": {"sessionAttributes": PRINCIPAL},
            "requestAttributes": PRINCIPAL,
            "campusbot.principal.sub": PRINCIPAL["campusbot.principal.sub"],
            "sub": PRINCIPAL["campusbot.principal.sub"],
        }
    )
    event["headers"]["X-Campusbot-Principal"] = "5e0c0000"
    event["requestContext"]["authorizer"] = {"principal": "anonymous"}
    expect_attributes(harness, "show my profile", None)
    assert harness.call(event)[0]["statusCode"] == 200
