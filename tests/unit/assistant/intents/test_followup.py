"""The follow-up intents on recorded Lex V2 events that carry the `recommendation` context: refining the last
recommendation, choosing one of the listed universities, starting over; the contexts each answer sets."""

from __future__ import annotations

from typing import Any

from tests.fixtures.lambda_events import load_event, set_slot
from tests.unit.assistant.fakes import FakeApi, action, answer, intent_state, text

from campusbot.assistant.intents import followup, opportunities, recommend


def contexts(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in response["sessionState"]["activeContexts"]}


def test_a_recommendation_remembers_what_was_asked_and_listed() -> None:
    api = FakeApi()
    response = answer(recommend.handle, load_event("lex_recommend_fulfillment"), api)
    remembered = contexts(response)["recommendation"]
    assert remembered["contextAttributes"] == {
        "fieldOfStudy": "Medicine",
        "country": "Germany",
        "results": f"Heidelberg University|{api.recommendable[1].university.name}|LMU Munich",
    }
    assert remembered["timeToLive"] == {"timeToLiveInSeconds": 600, "turnsToLive": 5}
    assert set(contexts(response)) == {"recommendation"}  # a switch ends the openings' follow-ups


def test_refining_with_a_new_country_keeps_the_field() -> None:
    api = FakeApi()
    response = answer(recommend.refine, load_event("lex_refine_recommendation_fulfillment"), api)
    assert (action(response), intent_state(response)) == ("Close", "Fulfilled")
    assert api.calls[0][1]["field"] == "Computer Science" and api.calls[0][1]["country"] == "Brazil"
    assert "Brazil" in text(response)
    assert contexts(response)["recommendation"]["contextAttributes"]["country"] == "Brazil"


def test_a_new_country_replaces_the_last_region_and_a_new_region_the_last_country() -> None:
    raw = load_event("lex_refine_recommendation_fulfillment")
    raw["sessionState"]["activeContexts"][0]["contextAttributes"]["region"] = "Europe"
    raw = set_slot(raw, "region", "Europe")  # the default from the context
    api = FakeApi()
    answer(recommend.refine, raw, api)
    assert api.calls[0][1]["country"] == "Brazil" and "region" not in api.calls[0][1]

    raw = set_slot(load_event("lex_refine_recommendation_fulfillment"), "country", "Germany")
    raw = set_slot(raw, "region", "Asia")  # said now; Germany is the context's
    api = FakeApi()
    answer(recommend.refine, raw, api)
    assert api.calls[0][1]["country"] is None and api.calls[0][1]["region"] == "Asia"


def test_cheapest_and_the_degree_reach_the_api() -> None:
    raw = set_slot(load_event("lex_refine_recommendation_fulfillment"), "ordering", "cheapest")
    raw["inputTranscript"] = "cheapest masters ones"
    api = FakeApi()
    response = answer(recommend.refine, raw, api)
    assert api.calls[0][1]["order"] == "cheapest" and api.calls[0][1]["degree"] == "master"
    assert contexts(response)["recommendation"]["contextAttributes"]["degree"] == "master"


def test_choosing_a_listed_university_by_position() -> None:
    raw = load_event("lex_choose_result_fulfillment")
    context = raw["sessionState"]["activeContexts"][0]["contextAttributes"]
    context["results"] = "Technical University of Munich|University of Toronto"
    api = FakeApi()
    response = answer(followup.choose_result, raw, api)
    assert api.calls == [("university_by_name", {"name": "University of Toronto"})]
    assert text(response).startswith("University of Toronto is in Toronto")


def test_tuition_there_answers_the_cost_first() -> None:
    raw = set_slot(load_event("lex_choose_result_fulfillment"), "position", None)
    raw["inputTranscript"] = "how much does it cost there"
    raw["sessionState"]["activeContexts"][0]["contextAttributes"]["results"] = "University of Toronto"
    response = answer(followup.choose_result, raw, FakeApi())
    assert "Tuition ranges from" in text(response).splitlines()[0]


def test_the_cost_after_choosing_one_says_the_cost_with_its_name_and_nothing_else() -> None:
    # "tell me more about the first one", then "how much does it cost there": the description is not repeated
    raw = set_slot(load_event("lex_choose_result_fulfillment"), "position", None)
    raw["inputTranscript"] = "how much does it cost there"
    raw["sessionState"]["activeContexts"][0]["contextAttributes"]["results"] = "University of Toronto"
    response = answer(followup.choose_result, raw, FakeApi())
    assert len(response["messages"]) == 1
    reply = text(response)
    assert reply.startswith("Tuition ranges from ") and reply.endswith(" a year at University of Toronto.")
    assert "is in Toronto" not in reply and "Programs include" not in reply


def test_a_position_beyond_the_list_says_what_was_listed() -> None:
    raw = set_slot(load_event("lex_choose_result_fulfillment"), "position", "3")
    raw["sessionState"]["activeContexts"][0]["contextAttributes"]["results"] = "University of Toronto"
    response = answer(followup.choose_result, raw, FakeApi())
    assert "I only listed 1: University of Toronto" in text(response)


def test_start_over_clears_the_contexts() -> None:
    raw = load_event("lex_refine_recommendation_fulfillment")
    raw["sessionState"]["intent"] = {"name": "StartOver", "slots": {}, "state": "ReadyForFulfillment"}
    response = answer(followup.start_over, raw, FakeApi())
    assert response["sessionState"]["activeContexts"] == []
    assert "start over" in text(response)


def test_openings_apply_kind_and_remote_and_remember_them() -> None:
    raw = set_slot(load_event("lex_opportunities_fulfillment"), "kind", "job")
    raw = set_slot(raw, "workMode", "remote")
    api = FakeApi()
    response = answer(opportunities.handle, raw, api)
    assert api.calls[0][1]["kind"] == "job" and api.calls[0][1]["remote"] is True
    assert text(response).startswith("I found 1 remote Computer Science job in Berlin:")
    remembered = contexts(response)["opportunities"]["contextAttributes"]
    assert remembered == {"fieldOfStudy": "Computer Science", "city": "Berlin", "kind": "job", "workMode": "remote"}
