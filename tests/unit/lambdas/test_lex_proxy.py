"""The lex_proxy Lambda as deployed: settings from the environment, clients built once, a few lines of handler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import ANY, Stubber
from tests.fixtures.lambda_events import load_event

from campusbot.analytics.events import BatchingS3ChatEventSink, LogChatEventSink, NullSink
from campusbot.assistant.proxy import UnavailableProxy
from campusbot.lambdas import lex_proxy
from campusbot.settings import get_settings

ANSWER = {
    "sessionId": "web-5f2c1e0a",
    "messages": [{"contentType": "PlainText", "content": "Hi, I'm campusbot!"}],
    "sessionState": {
        "dialogAction": {"type": "Close"},
        "intent": {"name": "Greeting", "state": "Fulfilled", "confirmationState": "None", "slots": {}},
        "sessionAttributes": {"campusbot.answer_source": "none", "campusbot.sources": "[]"},
    },
    "interpretations": [{"intent": {"name": "Greeting", "slots": {}}, "nluConfidence": {"score": 0.97}}],
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("CAMPUSBOT_BOT_ID", "BOTID12345")
    monkeypatch.setenv("CAMPUSBOT_BOT_ALIAS_ID", "ALIAS12345")
    monkeypatch.setenv("CAMPUSBOT_LOCALE_ID", "en_GB")
    monkeypatch.setenv("CAMPUSBOT_CORS_ALLOW_ORIGIN", "https://campusbot.example.edu")
    monkeypatch.setenv("CAMPUSBOT_CHAT_EVENTS", "none")
    get_settings.cache_clear()
    lex_proxy.proxy.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()
    lex_proxy.proxy.cache_clear()


def test_the_handler_sends_the_configured_bot_and_answers_the_contract(
    environment: pytest.MonkeyPatch, lambda_context: Any
) -> None:
    chat = lex_proxy.proxy()
    assert chat is lex_proxy.proxy()  # built once per cold start
    assert isinstance(chat.events, NullSink)
    params = {
        "botId": "BOTID12345",
        "botAliasId": "ALIAS12345",
        "localeId": "en_GB",
        "sessionId": "web-5f2c1e0a",
        "text": "recommend a university for medicine in Germany",
    }
    with Stubber(chat.lex) as stubber:
        stubber.add_response("recognize_text", ANSWER, params)
        response = lex_proxy.handler(load_event("apigw_chat_post"), lambda_context)
        stubber.assert_no_pending_responses()
    assert response["statusCode"] == 200
    assert response["headers"]["Access-Control-Allow-Origin"] == "https://campusbot.example.edu"
    body = json.loads(response["body"])
    assert body["intent"] == "Greeting" and body["messages"] == ["Hi, I'm campusbot!"]


def test_chat_events_go_to_the_lake_bucket_in_batches(environment: pytest.MonkeyPatch, lambda_context: Any) -> None:
    environment.setenv("CAMPUSBOT_CHAT_EVENTS", "s3")
    environment.setenv("CAMPUSBOT_LAKE_BUCKET", "campusbot-lake-test")
    get_settings.cache_clear()
    chat = lex_proxy.proxy()
    assert isinstance(chat.events, BatchingS3ChatEventSink)
    with Stubber(chat.lex) as lex, Stubber(chat.events.client) as s3:
        for _ in range(2):
            lex.add_response("recognize_text", ANSWER, None)
        s3.add_response(
            "put_object",
            {},
            {"Bucket": "campusbot-lake-test", "Key": ANY, "Body": ANY, "ContentType": "application/x-ndjson"},
        )
        for _ in range(2):
            assert lex_proxy.handler(load_event("apigw_chat_post"), lambda_context)["statusCode"] == 200
        chat.events.flush()  # both turns in one object
        s3.assert_no_pending_responses()
    assert chat.events.written == 2
    chat.events.close()


def test_in_aws_chat_events_are_log_lines(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("CAMPUSBOT_CHAT_EVENTS", "log")
    get_settings.cache_clear()
    assert isinstance(lex_proxy.proxy().events, LogChatEventSink)


def test_a_broken_configuration_is_a_500_not_a_crash(environment: pytest.MonkeyPatch, lambda_context: Any) -> None:
    environment.setenv("CAMPUSBOT_CHAT_MAX_CHARS", "5000")  # over Lex's 1024: Settings refuses it
    get_settings.cache_clear()
    response = lex_proxy.handler(load_event("apigw_chat_post"), lambda_context)
    assert response["statusCode"] == 500
    assert json.loads(response["body"])["error"]


def test_in_aws_a_missing_bot_is_a_cold_start_error_yet_cors_and_preflight_still_work(
    environment: pytest.MonkeyPatch, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    environment.setenv("CAMPUSBOT_TARGET", "aws")
    environment.setenv("CAMPUSBOT_ENV", "dev")
    environment.setenv("CAMPUSBOT_CHAT_EVENTS", "log")
    environment.delenv("CAMPUSBOT_BOT_ID")
    get_settings.cache_clear()
    post = lex_proxy.handler(load_event("apigw_chat_post"), lambda_context)
    assert post["statusCode"] == 500
    assert json.loads(post["body"]) == {"error": "the chat service is misconfigured"}
    assert post["headers"]["Access-Control-Allow-Origin"] == "https://campusbot.example.edu"
    assert post["headers"]["Content-Type"] == "application/json"
    preflight = lex_proxy.handler(load_event("apigw_chat_options"), lambda_context)
    assert preflight["statusCode"] == 204 and preflight["headers"]["Access-Control-Allow-Methods"] == "POST,OPTIONS"
    assert "lex_proxy needs CAMPUSBOT_BOT_ID" in caplog.text
    assert caplog.text.count("lex_proxy cannot start") == 1  # once per cold start, not per request


def test_in_aws_the_terraform_environment_needs_no_database(environment: pytest.MonkeyPatch) -> None:
    for name, value in {"CAMPUSBOT_TARGET": "aws", "CAMPUSBOT_ENV": "dev", "CAMPUSBOT_CHAT_EVENTS": "log"}.items():
        environment.setenv(name, value)
    for name in ("CAMPUSBOT_DATABASE_URL", "CAMPUSBOT_DB_HOST", "CAMPUSBOT_DB_SECRET_ARN"):
        environment.delenv(name, raising=False)
    get_settings.cache_clear()
    chat = lex_proxy.proxy()
    assert not isinstance(chat, UnavailableProxy) and isinstance(chat.events, LogChatEventSink)
