from __future__ import annotations

from tests.fixtures.lambda_events import load_event, set_slot, signed_in
from tests.unit.assistant.fakes import ANA_SUB, FakeApi, action, answer, elicited, intent_state, owned, text

from campusbot.assistant.intents import recommend


def test_top_three_with_a_reason_each_naming_country_and_budget() -> None:
    api = FakeApi()
    response = answer(recommend.handle, load_event("lex_recommend_fulfillment"), api)
    assert (action(response), intent_state(response)) == ("Close", "Fulfilled")
    lines = text(response).splitlines()
    assert lines[0] == "Top universities for Medicine in Germany, with any budget:"
    assert [line[:3] for line in lines[1:]] == ["1. ", "2. ", "3. "]
    assert "Heidelberg University (Heidelberg, Germany): Medicine (Staatsexamen)" in lines[1]
    assert "ranked #47 worldwide" in lines[1]
    assert api.calls == [
        (
            "recommendations",
            {"field": "Medicine", "country": "Germany", "max_tuition": None, "student_id": None, "limit": 3},
        )
    ]
    assert owned(response)[0] == "database"


def test_budget_is_named_and_sent() -> None:
    api = FakeApi()
    raw = set_slot(load_event("lex_recommend_fulfillment"), "country", None)
    raw = set_slot(raw, "maxTuition", "35000")
    said = text(answer(recommend.handle, raw, api))
    assert "in any country, up to $35,000 a year" in said
    assert api.calls[0][1]["max_tuition"] == 35000


def test_budget_from_the_students_profile_is_named() -> None:
    raw = set_slot(load_event("lex_recommend_fulfillment"), "fieldOfStudy", "computer science", "Computer Science")
    raw = signed_in(set_slot(set_slot(raw, "country", None), "studentId", "1"), ANA_SUB)
    api = FakeApi()
    said = text(answer(recommend.handle, raw, api))
    assert "up to $15,000 a year (the budget in your profile)" in said
    assert "I found no Computer Science programs" in said  # Toronto's 48000 is over Ana's budget


def test_nothing_found_suggests_relaxing_what_was_used() -> None:
    raw = set_slot(load_event("lex_recommend_fulfillment"), "maxTuition", "100")
    raw = set_slot(raw, "country", "Canada")
    said = text(answer(recommend.handle, raw, FakeApi()))
    assert "I found no Medicine programs in Canada up to $100 a year" in said
    assert "without the budget or the country" in said


def test_unknown_field_is_asked_again_with_suggestions() -> None:
    api = FakeApi()
    response = answer(recommend.handle, load_event("lex_recommend_dialog_unknown_field"), api)
    assert (action(response), elicited(response)) == ("ElicitSlot", "fieldOfStudy")
    assert response["sessionState"]["intent"]["slots"]["fieldOfStudy"] is None
    assert 'I don\'t know the field "astrology"' in text(response)
    assert "Computer Science" in text(response)
    assert api.calls == []


def test_misspelled_field_suggests_the_close_one() -> None:
    raw = set_slot(load_event("lex_recommend_dialog"), "fieldOfStudy", "medecine")
    assert "Did you mean Medicine?" in text(answer(recommend.handle, raw, FakeApi()))
    raw = set_slot(load_event("lex_recommend_dialog"), "fieldOfStudy", "engineering")
    assert "Civil Engineering" in text(answer(recommend.handle, raw, FakeApi()))


def test_synonyms_are_known_fields() -> None:
    raw = set_slot(load_event("lex_recommend_fulfillment"), "fieldOfStudy", "med school")
    api = FakeApi()
    answer(recommend.handle, raw, api)
    assert api.calls[0][1]["field"] == "Medicine"


def test_dialog_hook_delegates_when_valid() -> None:
    assert action(answer(recommend.handle, load_event("lex_recommend_dialog"), FakeApi())) == "Delegate"


def test_a_missing_field_is_asked_with_quick_replies() -> None:
    raw = set_slot(load_event("lex_recommend_dialog"), "fieldOfStudy", None)
    response = answer(recommend.handle, raw, FakeApi())
    assert (action(response), elicited(response)) == ("ElicitSlot", "fieldOfStudy")
    [message] = response["messages"]
    assert message["contentType"] == "ImageResponseCard"
    card = message["imageResponseCard"]
    assert card["title"] == recommend.ASK_FIELD
    assert [b["value"] for b in card["buttons"]] == list(recommend.FIELD_CHOICES)
    assert response["sessionState"]["intent"]["slots"]["country"] is not None  # what was said is kept


def test_fulfillment_without_field_elicits_it() -> None:
    raw = set_slot(load_event("lex_recommend_fulfillment"), "fieldOfStudy", None)
    response = answer(recommend.handle, raw, FakeApi())
    assert elicited(response) == "fieldOfStudy"


def test_bad_budget_and_student_id_are_asked_again() -> None:
    raw = set_slot(load_event("lex_recommend_dialog"), "maxTuition", "a lot")
    assert elicited(answer(recommend.handle, raw, FakeApi())) == "maxTuition"
    raw = set_slot(load_event("lex_recommend_dialog"), "maxTuition", "9999999")
    assert elicited(answer(recommend.handle, raw, FakeApi())) == "maxTuition"
    raw = set_slot(load_event("lex_recommend_dialog"), "studentId", "abc")
    assert elicited(answer(recommend.handle, raw, FakeApi())) == "studentId"


def test_a_student_id_that_is_not_the_callers_own_is_never_used() -> None:
    """Issue 12: anonymous, or another student's id (existing or not): the same note, nothing personal looked up."""
    for student_id, principal in [("404", None), ("1", None), ("1", "7c1d0000-eve"), ("404", ANA_SUB)]:
        api = FakeApi()
        raw = set_slot(load_event("lex_recommend_fulfillment"), "studentId", student_id)
        if principal is not None:
            raw = signed_in(raw, principal)
        response = answer(recommend.handle, raw, api)
        assert recommend.NOT_PERSONAL in text(response)
        assert "Heidelberg University" in text(response)
        assert [c[1]["student_id"] for c in api.calls if c[0] == "recommendations"] == [None]
        assert "student" not in api.names()


def test_for_me_uses_the_signed_in_students_field_country_and_budget() -> None:
    raw = set_slot(set_slot(load_event("lex_recommend_dialog"), "fieldOfStudy", None), "country", None)
    api = FakeApi()
    dialog = answer(recommend.handle, signed_in(raw, ANA_SUB), api)
    assert action(dialog) == "Delegate"
    assert dialog["sessionState"]["intent"]["slots"]["fieldOfStudy"]["value"]["interpretedValue"] == "Computer Science"
    raw["invocationSource"] = "FulfillmentCodeHook"
    raw["sessionState"]["intent"]["slots"] = dialog["sessionState"]["intent"]["slots"]
    api = FakeApi()
    said = text(answer(recommend.handle, signed_in(raw, ANA_SUB), api))
    assert "(the budget in your profile)" in said
    call = next(kwargs for name, kwargs in api.calls if name == "recommendations")
    assert (call["field"], call["country"], call["student_id"]) == ("Computer Science", "Spain", 1)


def test_for_me_anonymously_asks_for_the_field() -> None:
    raw = set_slot(load_event("lex_recommend_dialog"), "fieldOfStudy", None)
    raw["invocationSource"] = "FulfillmentCodeHook"
    assert elicited(answer(recommend.handle, raw, FakeApi())) == "fieldOfStudy"
