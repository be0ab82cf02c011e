"""The fulfillment Lambda: every Lex V2 event fixture through the handler, with a fake data API."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from tests.fixtures.lambda_events import event_names, load_event
from tests.unit.assistant.fakes import FakeApi, action, intent_state, text

from campusbot.assistant.api_client import HttpApiClient
from campusbot.assistant.lex_events import response_problems
from campusbot.lambdas import fulfillment
from campusbot.settings import get_settings

EXPECTED = {
    "lex_greeting_fulfillment": ("Close", "Fulfilled"),
    "lex_help_fulfillment": ("Close", "Fulfilled"),
    # issue 12: anonymous callers are asked to sign in (profile) or to sign in first (registration)
    "lex_profile_dialog_no_slots": ("Close", "Fulfilled"),
    "lex_profile_signed_in_fulfillment": ("Close", "Fulfilled"),
    "lex_profile_fulfillment_email": ("Close", "Fulfilled"),
    "lex_profile_fulfillment_student_id": ("Close", "Fulfilled"),
    "lex_recommend_dialog": ("Delegate", "InProgress"),
    "lex_recommend_dialog_unknown_field": ("ElicitSlot", "InProgress"),
    "lex_recommend_fulfillment": ("Close", "Fulfilled"),
    "lex_university_fulfillment": ("Close", "Fulfilled"),
    "lex_opportunities_dialog_no_slots": ("ElicitSlot", "InProgress"),
    "lex_opportunities_fulfillment": ("Close", "Fulfilled"),
    "lex_register_dialog_start": ("Close", "Failed"),
    "lex_register_dialog_elicit_reply": ("Close", "Failed"),
    "lex_register_dialog_denied": ("Close", "Failed"),
    "lex_register_fulfillment_unconfirmed": ("Close", "Failed"),
    "lex_register_fulfillment_confirmed": ("Close", "Failed"),
    "lex_register_signed_in_fulfillment_confirmed": ("Close", "Fulfilled"),
    "lex_fallback_fulfillment": ("Close", "Fulfilled"),
    "lex_refine_recommendation_fulfillment": ("Close", "Fulfilled"),
    "lex_choose_result_fulfillment": ("Close", "Fulfilled"),
}


def test_every_lex_fixture_is_covered() -> None:
    assert set(EXPECTED) == set(event_names("lex_"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_handler_answers_each_event(name: str, monkeypatch: pytest.MonkeyPatch, lambda_context: Any) -> None:
    monkeypatch.setattr(fulfillment, "api", FakeApi)
    response = fulfillment.handler(load_event(name), lambda_context)
    assert response_problems(response) == []
    assert (action(response), intent_state(response)) == EXPECTED[name]
    if action(response) != "Delegate":
        assert text(response)


def test_the_http_client_is_built_once_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPUSBOT_API_URL", "http://internal-alb.example:8080/")
    get_settings.cache_clear()
    fulfillment.api.cache_clear()
    try:
        client = fulfillment.api()
        assert isinstance(client, HttpApiClient)
        assert client is fulfillment.api()
        assert client.base_url == "http://internal-alb.example:8080"
    finally:
        get_settings.cache_clear()
        fulfillment.api.cache_clear()


def test_a_broken_configuration_still_answers_lex(monkeypatch: pytest.MonkeyPatch, lambda_context: Any) -> None:
    monkeypatch.setenv("CAMPUSBOT_API_TIMEOUT_SECONDS", "not a number")
    get_settings.cache_clear()
    fulfillment.api.cache_clear()
    try:
        for name in ("lex_greeting_fulfillment", "lex_recommend_fulfillment"):
            response = fulfillment.handler(load_event(name), lambda_context)
            assert response_problems(response) == []
            assert (action(response), intent_state(response)) == ("Close", "Failed")
            assert "went wrong" in text(response)
    finally:
        get_settings.cache_clear()
        fulfillment.api.cache_clear()


def test_in_aws_a_missing_api_url_is_a_cold_start_error_and_a_polite_close(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Terraform's environment minus CAMPUSBOT_API_URL: the log names the variable, Lex still gets a valid Close."""
    monkeypatch.setenv("CAMPUSBOT_TARGET", "aws")
    monkeypatch.delenv("CAMPUSBOT_API_URL", raising=False)
    get_settings.cache_clear()
    fulfillment.api.cache_clear()
    try:
        response = fulfillment.handler(load_event("lex_recommend_fulfillment"), lambda_context)
        assert response_problems(response) == []
        assert (action(response), intent_state(response)) == ("Close", "Failed")
        assert "fulfillment needs CAMPUSBOT_API_URL" in caplog.text
    finally:
        get_settings.cache_clear()
        fulfillment.api.cache_clear()


def test_the_fulfillment_does_not_import_the_apis_service_layer() -> None:
    """Its vocabulary comes from the bot (bot/vocabulary.py), not from the data service's services/ or api/."""
    code = (
        "import sys, campusbot.lambdas.fulfillment, campusbot.assistant.intents;"
        "from campusbot.assistant import language, messages;"
        "print(sorted(m for m in sys.modules if m.startswith(('campusbot.services', 'campusbot.api'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "[]"
