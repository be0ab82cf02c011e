from __future__ import annotations

from tests.fixtures.lambda_events import load_event, set_slot
from tests.unit.assistant.fakes import FakeApi, action, answer, elicited, owned, text

from campusbot.assistant.intents import opportunities


def test_neither_field_nor_industry_asks_for_the_field() -> None:
    api = FakeApi()
    response = answer(opportunities.handle, load_event("lex_opportunities_dialog_no_slots"), api)
    assert (action(response), elicited(response)) == ("ElicitSlot", "fieldOfStudy")
    assert "industry" in text(response)
    assert api.calls == []


def test_lists_openings_with_company_names() -> None:
    api = FakeApi()
    response = answer(opportunities.handle, load_event("lex_opportunities_fulfillment"), api)
    said = text(response)
    assert said.startswith("I found 2 Computer Science openings in Berlin:")
    assert "- Software Engineering Intern (internship) at Northwind Analytics, Berlin, Germany" in said
    assert "- Backend Engineer (job) at Northwind Analytics, remote" in said
    assert api.calls == [
        ("opportunities", {"field": "Computer Science", "industry": None, "city": "Berlin", "limit": 5})
    ]
    assert owned(response)[0] == "database"


def test_by_industry_alone() -> None:
    raw = set_slot(set_slot(load_event("lex_opportunities_fulfillment"), "fieldOfStudy", None), "city", None)
    raw = set_slot(raw, "industry", "Software")
    said = text(answer(opportunities.handle, raw, FakeApi()))
    assert "I found 3 Software openings:" in said
    assert "Lakeshore Software" in said


def test_none_found_suggests_dropping_the_city() -> None:
    raw = set_slot(load_event("lex_opportunities_fulfillment"), "city", "Lima")
    said = text(answer(opportunities.handle, raw, FakeApi()))
    assert "I found no Computer Science internships or jobs in Lima" in said
    assert "without the city" in said


def test_unknown_field_is_asked_again() -> None:
    raw = set_slot(load_event("lex_opportunities_fulfillment"), "fieldOfStudy", "wizardry")
    response = answer(opportunities.handle, raw, FakeApi())
    assert elicited(response) == "fieldOfStudy"
    assert "wizardry" in text(response)


def test_dialog_hook_delegates_when_valid() -> None:
    raw = load_event("lex_opportunities_fulfillment")
    raw["invocationSource"] = "DialogCodeHook"
    assert action(answer(opportunities.handle, raw, FakeApi())) == "Delegate"
