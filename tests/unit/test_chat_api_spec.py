"""docs/chat-api.yaml is a valid OpenAPI 3.1 document, and lex_proxy's answers for every outcome match it (the real
gateway's answers are checked by tests/e2e/test_web_chat.py)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError
from openapi_spec_validator import validate
from tests.fixtures.chat_api import chat_api, check_answer
from tests.fixtures.lambda_events import load_event
from tests.unit.assistant.test_proxy import Harness, expect, lex_answer


def test_the_document_is_valid_openapi() -> None:
    validate(chat_api())


def test_the_request_schema_is_the_proxy_limit() -> None:
    from campusbot.settings import Settings

    limit = chat_api()["components"]["schemas"]["ChatRequest"]["properties"]["message"]["maxLength"]
    assert limit == Settings.model_fields["chat_max_chars"].metadata[-1].le


def answer(harness: Harness, event: dict[str, Any]) -> tuple[int, Any]:
    response, body = harness.call(event)
    return response["statusCode"], body or None


@pytest.mark.parametrize("scenario", ["answer", "elicit", "throttled", "lex-fails", "timeout"])
def test_chat_outcomes_match_the_contract(scenario: str) -> None:
    harness = Harness()
    text, session = "recommend a university for medicine in Germany", "web-5f2c1e0a"
    if scenario == "answer":
        expect(harness, session, text)
    elif scenario == "elicit":
        card = {
            "contentType": "ImageResponseCard",
            "imageResponseCard": {"title": "Which field?", "buttons": [{"text": "Law", "value": "Law"}]},
        }
        expect(harness, session, text, lex_answer(state="InProgress", action="ElicitSlot", messages=[card]))
    elif scenario == "timeout":

        def too_slow(**_: Any) -> Any:
            raise ReadTimeoutError(endpoint_url="http://lex")

        lex = SimpleNamespace(recognize_text=too_slow)
        harness.proxy.lex = lex  # type: ignore[assignment]
    else:
        code = "ThrottlingException" if scenario == "throttled" else "InternalFailureException"
        harness.stubber.add_client_error("recognize_text", code, http_status_code=429 if code[0] == "T" else 500)
    status, body = answer(harness, load_event("apigw_chat_post"))
    assert status == {"answer": 200, "elicit": 200, "throttled": 429, "lex-fails": 502, "timeout": 504}[scenario]
    check_answer("/chat", status, body)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('{"message": ""}', 400),
        ("not json", 400),
        (json.dumps({"message": "x" * 1025}), 413),
    ],
)
def test_rejected_requests_match_the_contract(body: str, status: int) -> None:
    event = load_event("apigw_chat_post")
    event["body"] = body
    answered, payload = answer(Harness(), event)
    assert answered == status
    check_answer("/chat", status, payload)


def test_feedback_matches_the_contract() -> None:
    status, body = answer(Harness(), load_event("apigw_feedback_post"))
    check_answer("/feedback", status, body)
    event = load_event("apigw_feedback_post")
    event["body"] = json.dumps({"turn_id": "x", "session_id": "web-1", "rating": 1})
    status, body = answer(Harness(), event)
    assert status == 400
    check_answer("/feedback", status, body)


def test_an_undocumented_field_fails_the_check() -> None:
    harness = Harness()
    expect(harness, "web-5f2c1e0a", "recommend a university for medicine in Germany")
    _, body = answer(harness, load_event("apigw_chat_post"))
    with pytest.raises(Exception, match="Additional properties"):
        check_answer("/chat", 200, {**body, "surprise": 1})
