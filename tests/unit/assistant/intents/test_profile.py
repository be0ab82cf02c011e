from __future__ import annotations

from tests.fixtures.lambda_events import load_event, set_slot
from tests.unit.assistant.fakes import FakeApi, action, answer, elicited, intent_state, owned, text

from campusbot.assistant.intents import profile


def test_neither_id_nor_email_asks_for_the_email() -> None:
    api = FakeApi()
    response = answer(profile.handle, load_event("lex_profile_dialog_no_slots"), api)
    assert (action(response), elicited(response)) == ("ElicitSlot", "email")
    assert "email" in text(response)
    assert api.calls == []


def test_dialog_hook_with_a_valid_email_delegates() -> None:
    raw = load_event("lex_profile_fulfillment_email")
    raw["invocationSource"] = "DialogCodeHook"
    assert action(answer(profile.handle, raw, FakeApi())) == "Delegate"


def test_profile_by_email() -> None:
    api = FakeApi()
    response = answer(profile.handle, load_event("lex_profile_fulfillment_email"), api)
    assert (action(response), intent_state(response)) == ("Close", "Fulfilled")
    said = text(response)
    assert "Ana García" in said and "Computer Science" in said and "3.70" in said and "$15,000" in said
    assert api.calls == [("student_by_email", {"email": "ana.garcia@example.edu"})]
    assert owned(response)[0] == "database"


def test_profile_by_id_and_unknown_id() -> None:
    api = FakeApi()
    raw = set_slot(load_event("lex_profile_fulfillment_student_id"), "studentId", "1")
    assert "Ana García" in text(answer(profile.handle, raw, api))
    assert api.calls == [("student", {"student_id": 1})]
    missing = answer(profile.handle, set_slot(raw, "studentId", "999"), api)
    assert "couldn't find a student with id 999" in text(missing)
    assert "register me" in text(missing)


def test_unknown_email_says_so() -> None:
    raw = set_slot(load_event("lex_profile_fulfillment_email"), "email", "nobody@example.edu")
    response = answer(profile.handle, raw, FakeApi())
    assert "couldn't find a student registered as nobody@example.edu" in text(response)


def test_a_malformed_email_or_id_is_asked_again_with_the_reason() -> None:
    raw = set_slot(load_event("lex_profile_fulfillment_email"), "email", "ana at example")
    response = answer(profile.handle, raw, FakeApi())
    assert (action(response), elicited(response)) == ("ElicitSlot", "email")
    assert "doesn't look like an email" in text(response)
    raw = set_slot(load_event("lex_profile_fulfillment_student_id"), "studentId", "-4")
    response = answer(profile.handle, raw, FakeApi())
    assert elicited(response) == "studentId"
