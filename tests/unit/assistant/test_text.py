"""Front-door text: what lex_proxy sends to Lex is Unicode text, cleaned of controls, or the client gets a 400.

The events are API Gateway REST proxy events (tests/events/apigw_chat_*.json) as AWS and the local gateway
send them; the body's JSON escapes decode to a lone surrogate, NUL, C1 controls, an ANSI escape, a noncharacter.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from tests.fixtures.lambda_events import load_event

from campusbot.assistant.proxy import ChatProxy
from campusbot.assistant.text import InvalidText, clean_text, is_unicode_text

ANSWER = {
    "sessionId": "web-5f2c1e0a",
    "messages": [{"contentType": "PlainText", "content": "Top universities"}],
    "sessionState": {
        "dialogAction": {"type": "Close"},
        "intent": {"name": "RecommendUniversity", "state": "Fulfilled", "confirmationState": "None", "slots": {}},
        "sessionAttributes": {},
    },
}


class Front:
    """lex_proxy's logic with a stubbed Lex client that records the parameters of every RecognizeText."""

    def __init__(self) -> None:
        self.client = boto3.client("lexv2-runtime", region_name="us-east-1")
        self.sent: list[dict[str, Any]] = []
        self.client.meta.events.register(
            "provide-client-params.lex-runtime-v2.RecognizeText", lambda params, **_: self.sent.append(dict(params))
        )
        self.proxy = ChatProxy(
            self.client,
            bot_id="CAMPUSBOT0",
            bot_alias_id="TSTALIASID",
            locale_id="en_US",
            cors_allow_origin="https://campusbot.example.edu",
        )

    def call(self, event: dict[str, Any], *, answers: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
        stubber = Stubber(self.client)
        for _ in range(answers):
            # one Lex call per turn (issue 18: no GetSession first; the principal goes as request attributes)
            stubber.add_response("recognize_text", ANSWER, None)
        with stubber:
            response = self.proxy.handle(event)
            stubber.assert_no_pending_responses()
        assert response["headers"]["Access-Control-Allow-Origin"] == "https://campusbot.example.edu"
        assert response["body"].encode("utf-8")  # what API Gateway sends on must itself be UTF-8
        return response, json.loads(response["body"])


def test_a_lone_surrogate_is_a_400_with_cors_and_lex_is_not_called() -> None:
    front = Front()
    response, body = front.call(load_event("apigw_chat_lone_surrogate"))
    assert response["statusCode"] == 400
    assert response["headers"]["Content-Type"] == "application/json"
    assert "not valid Unicode" in body["error"] and "U+D800" in body["error"]
    assert front.sent == []


def test_controls_and_noncharacters_are_cleaned_before_lex() -> None:
    front = Front()
    response, body = front.call(load_event("apigw_chat_control_chars"), answers=1)
    assert response["statusCode"] == 200 and body["intent"] == "RecommendUniversity"
    [params] = front.sent
    assert params["text"] == "recommend  a university  for medicine [31m in Germany"
    assert params["text"].encode("utf-8")


def test_a_session_id_with_a_trailing_newline_is_a_400_not_a_lex_error() -> None:
    front = Front()
    response, body = front.call(load_event("apigw_chat_session_id_newline"))
    assert response["statusCode"] == 400 and "session_id" in body["error"]
    assert front.sent == []


def test_an_emoji_given_as_a_surrogate_pair_escape_is_text() -> None:
    front = Front()
    event = load_event("apigw_chat_post")
    event["body"] = '{"message": "hi \\ud83d\\ude00", "session_id": "web-5f2c1e0a"}'
    response, _ = front.call(event, answers=1)
    assert response["statusCode"] == 200
    assert front.sent[0]["text"] == "hi \U0001f600"


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("hello", "hello"),
        ("  tab\tand\nnewline\r\n ", "tab\tand\nnewline"),
        ("nul\x00bell\x07del\x7fc1\x85\x9f", "nul bell del c1"),
        ("non\ufdd0char\ufffe\U0010ffff", "non char"),
        ("München 東京 \U0001f393", "München 東京 \U0001f393"),
        ("\x00\x01", ""),
    ],
)
def test_clean_text(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "\ude00\ud83d"])
def test_lone_surrogates_are_refused(text: str) -> None:
    with pytest.raises(InvalidText, match="lone surrogate"):
        clean_text(text)


def test_is_unicode_text_looks_into_keys_values_and_lists() -> None:
    assert is_unicode_text({"text": "hi", "a": [1, None, {"b": "c"}]})
    assert not is_unicode_text({"text": "\ud800"})
    assert not is_unicode_text({"sessionState": {"sessionAttributes": {"\udc00": "x"}}})
    assert not is_unicode_text(["ok", ["\ud801"]])
