from __future__ import annotations

import json

import pytest
from tests.fixtures.lambda_events import load_event
from tests.unit.assistant.fakes import FakeApi, action, answer, intent_state, owned, text

from campusbot.assistant.api_client import ApiNotFound, ApiUnavailable, AssistAnswer
from campusbot.assistant.intents import fallback
from campusbot.assistant.messages import CANNOT_ANSWER, GENERAL_KNOWLEDGE


def test_documents_answer_with_sources_in_the_owned_attributes() -> None:
    api = FakeApi()
    response = answer(fallback.handle, load_event("lex_fallback_fulfillment"), api)
    assert (action(response), intent_state(response)) == ("Close", "Fulfilled")
    assert text(response) == "Apply for a national visa at the German consulate."
    source, sources = owned(response)
    assert source == "documents"
    assert json.loads(sources)[0]["s3_key"] == "docs/visa.pdf"
    assert response["sessionState"]["sessionAttributes"]["theme"] == "dark"  # carried, not read
    assert api.calls == [
        ("assist", {"question": "how do I apply for a student visa in Germany", "session_id": "campusbot-test-1"})
    ]


def test_general_knowledge_is_labelled() -> None:
    api = FakeApi(answer=AssistAnswer(answer="Usually about 3 months.", answer_source="general"))
    response = answer(fallback.handle, load_event("lex_fallback_fulfillment"), api)
    assert text(response).endswith(GENERAL_KNOWLEDGE)
    assert owned(response) == ("general", "[]")


def test_an_unknown_answer_source_counts_as_general() -> None:
    api = FakeApi(answer=AssistAnswer(answer="Maybe.", answer_source="oracle", sources=["junk"]))  # type: ignore[list-item]
    assert owned(answer(fallback.handle, load_event("lex_fallback_fulfillment"), api)) == ("general", "[]")


@pytest.mark.parametrize("failure", [ApiNotFound("no /assist"), ApiUnavailable("timed out")])
def test_assist_unavailable_is_an_honest_failed_close(failure: Exception) -> None:
    api = FakeApi(failures={"assist": failure})
    response = answer(fallback.handle, load_event("lex_fallback_fulfillment"), api)
    assert (action(response), intent_state(response)) == ("Close", "Failed")
    assert text(response) == CANNOT_ANSWER
    assert owned(response) == ("none", "[]")  # the stale sources of the event are not carried


def test_an_empty_answer_or_transcript() -> None:
    api = FakeApi(answer=AssistAnswer(answer="  ", answer_source="documents"))
    assert intent_state(answer(fallback.handle, load_event("lex_fallback_fulfillment"), api)) == "Failed"
    raw = load_event("lex_fallback_fulfillment")
    raw["inputTranscript"] = " "
    api = FakeApi()
    assert "didn't catch" in text(answer(fallback.handle, raw, api))
    assert api.calls == []


def test_a_long_answer_is_split_into_valid_messages() -> None:
    api = FakeApi(answer=AssistAnswer(answer="word " * 900, answer_source="documents"))
    response = answer(fallback.handle, load_event("lex_fallback_fulfillment"), api)
    assert len(response["messages"]) >= 5
