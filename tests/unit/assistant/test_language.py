"""The fallback's own checks before /assist: a language the bot does not speak, and tuition by country from
the database (never unrelated passages presented as the answer)."""

from __future__ import annotations

import pytest
from tests.fixtures.lambda_events import load_event
from tests.unit.assistant.fakes import FakeApi, answer, owned, text

from campusbot.assistant.intents import fallback
from campusbot.assistant.language import tuition_question, unsupported_language


@pytest.mark.parametrize(
    ("said", "reply"),
    [
        ("quiero estudiar medicina en una universidad de España", "solo hablo inglés"),
        ("je veux étudier le droit à une université", "que l'anglais"),
        ("ich möchte in Berlin studieren, wo ist die beste Universität", "nur Englisch"),
        ("我想在德国学习计算机科学", "only understand English"),
    ],
)
def test_other_languages_get_a_clear_reply(said: str, reply: str) -> None:
    assert reply in (unsupported_language(said) or "")


@pytest.mark.parametrize(
    "said",
    ["recommend a university in Germany", "what about in Brazil?", "tell me about Universidad de Buenos Aires", "hi"],
)
def test_english_is_english(said: str) -> None:
    assert unsupported_language(said) is None


def test_tuition_questions_name_a_country_and_maybe_a_field() -> None:
    asked = tuition_question("how much does it cost to study in the netherlands")
    assert asked is not None and (asked.country, asked.field) == ("Netherlands", None)
    asked = tuition_question("what are tuition fees for computer science in germany?")
    assert asked is not None and (asked.country, asked.field) == ("Germany", "Computer Science")
    assert tuition_question("what is the capital of the netherlands") is None
    assert tuition_question("how much does it cost") is None


def test_the_fallback_answers_tuition_from_the_database() -> None:
    raw = load_event("lex_fallback_fulfillment")
    raw["inputTranscript"] = "how much does it cost to study in Germany?"
    api = FakeApi()
    response = answer(fallback.handle, raw, api)
    assert api.names() == ["tuition"]
    assert "yearly tuition for programs in Germany" in text(response)
    assert owned(response)[0] == "database"


def test_a_country_without_programs_goes_on_to_assist() -> None:
    raw = load_event("lex_fallback_fulfillment")
    raw["inputTranscript"] = "how much does it cost to study in Atlantis"
    api = FakeApi()
    answer(fallback.handle, raw, api)
    assert api.names() == ["tuition", "assist"]


def test_the_fallback_replies_to_other_languages_without_assist() -> None:
    raw = load_event("lex_fallback_fulfillment")
    raw["inputTranscript"] = "hola, quiero estudiar en una universidad"
    api = FakeApi()
    response = answer(fallback.handle, raw, api)
    assert api.names() == [] and "solo hablo inglés" in text(response)


def test_the_fallback_sends_the_earlier_messages_to_assist() -> None:
    raw = load_event("lex_fallback_fulfillment")
    raw["sessionState"]["sessionAttributes"]["campusbot.history"] = '["recommend computer science in Germany"]'
    raw["inputTranscript"] = "do I need a visa there?"
    api = FakeApi()
    response = answer(fallback.handle, raw, api)
    assert api.calls[-1][1]["history"] == ["recommend computer science in Germany"]
    written = response["sessionState"]["sessionAttributes"]["campusbot.history"]
    assert written == '["recommend computer science in Germany","do I need a visa there?"]'
