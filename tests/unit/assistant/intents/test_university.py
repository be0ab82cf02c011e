from __future__ import annotations

from tests.fixtures.lambda_events import load_event, set_slot
from tests.unit.assistant.fakes import FakeApi, action, answer, elicited, owned, text

from campusbot.assistant.api_client import UniversityDetail
from campusbot.assistant.intents import university


def test_the_resolved_name_is_looked_up_and_described() -> None:
    api = FakeApi()
    response = answer(university.handle, load_event("lex_university_fulfillment"), api)
    said = text(response)
    assert "Technical University of Munich is in Munich, Germany, ranked #37 worldwide and founded in 1868." in said
    assert "MSc Computer Science (master)" in said
    assert "tuition-free" in said
    assert api.calls == [("university_by_name", {"name": "Technical University of Munich"})]
    assert owned(response)[0] == "database"


def test_tuition_range_and_unknown_university() -> None:
    raw = set_slot(load_event("lex_university_fulfillment"), "universityName", "Toronto")
    assert "ranges from $22,000 to $48,000 a year" in text(answer(university.handle, raw, FakeApi()))
    api = FakeApi()
    raw = set_slot(raw, "universityName", "Hogwarts")
    response = answer(university.handle, raw, api)
    assert action(response) == "Close"
    assert 'I don\'t know a university called "Hogwarts"' in text(response)
    assert api.names() == ["university_by_name"]


def test_the_typed_name_is_tried_when_the_resolution_is_unknown() -> None:
    raw = load_event("lex_university_fulfillment")
    raw["sessionState"]["intent"]["slots"]["universityName"]["value"]["originalValue"] = "munich"
    raw["sessionState"]["intent"]["slots"]["universityName"]["value"]["interpretedValue"] = "munich"
    raw["sessionState"]["intent"]["slots"]["universityName"]["value"]["resolvedValues"] = ["Munich School"]
    api = FakeApi()
    assert "Technical University of Munich" in text(answer(university.handle, raw, api))
    assert [c[1]["name"] for c in api.calls] == ["Munich School", "munich"]


def test_many_programs_are_summarised() -> None:
    api = FakeApi()
    big = api.universities[0].model_copy(update={"programs": api.universities[1].programs * 4})
    api.universities = [UniversityDetail.model_validate(big.model_dump())]
    said = text(answer(university.handle, load_event("lex_university_fulfillment"), api))
    assert "and 4 more" in said


def test_missing_name_is_elicited() -> None:
    raw = set_slot(load_event("lex_university_fulfillment"), "universityName", None)
    assert elicited(answer(university.handle, raw, FakeApi())) == "universityName"
