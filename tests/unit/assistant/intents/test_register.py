from __future__ import annotations

from tests.fixtures.lambda_events import load_event, set_slot
from tests.unit.assistant.fakes import FakeApi, action, answer, elicited, intent_state, owned, text

from campusbot.assistant.api_client import ApiRejected, ApiUnavailable
from campusbot.assistant.intents import register


def test_start_delegates_to_the_bots_prompts() -> None:
    api = FakeApi()
    assert action(answer(register.handle, load_event("lex_register_dialog_start"), api)) == "Delegate"
    assert api.calls == []


def test_a_new_email_is_accepted_after_checking_it_is_free() -> None:
    api = FakeApi()
    response = answer(register.handle, load_event("lex_register_dialog_elicit_reply"), api)
    assert action(response) == "Delegate"
    assert api.calls == [("student_by_email", {"email": "maria.lopez@example.edu"})]


def test_a_registered_email_is_asked_again_without_revealing_the_student() -> None:
    raw = set_slot(load_event("lex_register_dialog_elicit_reply"), "email", "ana.garcia@example.edu")
    response = answer(register.handle, raw, FakeApi())
    assert (action(response), elicited(response)) == ("ElicitSlot", "email")
    assert "already registered" in text(response)
    assert "id" not in text(response).replace("show your profile", "")
    assert response["sessionState"]["intent"]["slots"]["email"] is None
    assert response["sessionState"]["intent"]["slots"]["firstName"] is not None


def test_a_malformed_email_is_asked_again_without_calling_the_api() -> None:
    api = FakeApi()
    raw = set_slot(load_event("lex_register_dialog_elicit_reply"), "email", "maria at example")
    response = answer(register.handle, raw, api)
    assert elicited(response) == "email"
    assert "doesn't look like an email address" in text(response)
    assert api.calls == []


def test_an_unknown_field_or_nameless_name_is_asked_again() -> None:
    raw = set_slot(load_event("lex_register_fulfillment_unconfirmed"), "fieldOfStudy", "alchemy")
    response = answer(register.handle, raw, FakeApi())
    assert elicited(response) == "fieldOfStudy"
    assert "alchemy" in text(response)
    raw = set_slot(load_event("lex_register_fulfillment_unconfirmed"), "firstName", "1234")
    assert elicited(answer(register.handle, raw, FakeApi())) == "firstName"


def test_the_email_check_fails_open_when_the_api_is_down() -> None:
    api = FakeApi(failures={"student_by_email": ApiUnavailable("down")})
    assert action(answer(register.handle, load_event("lex_register_dialog_elicit_reply"), api)) == "Delegate"


def test_denied_confirmation_closes_politely() -> None:
    api = FakeApi()
    response = answer(register.handle, load_event("lex_register_dialog_denied"), api)
    assert (action(response), intent_state(response)) == ("Close", "Failed")
    assert "have not registered you" in text(response)
    assert "create_student" not in api.names()


def test_unconfirmed_fulfillment_asks_for_confirmation() -> None:
    api = FakeApi()
    response = answer(register.handle, load_event("lex_register_fulfillment_unconfirmed"), api)
    assert action(response) == "ConfirmIntent"
    assert text(response) == (
        "I will register Maria Lopez (maria.lopez@example.edu) for Computer Science, from Spain. Shall I go ahead?"
    )
    assert api.calls == []


def test_confirmed_registration_creates_the_student() -> None:
    api = FakeApi()
    response = answer(register.handle, load_event("lex_register_fulfillment_confirmed"), api)
    assert (action(response), intent_state(response)) == ("Close", "Fulfilled")
    created = api.students[-1]
    assert (created.email, created.field_of_study, created.country) == (
        "maria.lopez@example.edu",
        "Computer Science",
        "Spain",
    )
    assert f"You're registered, Maria! Your student id is {created.id}." in text(response)
    assert owned(response)[0] == "database"


def test_a_conflict_at_fulfillment_asks_for_another_email_and_a_new_confirmation() -> None:
    raw = set_slot(load_event("lex_register_fulfillment_confirmed"), "email", "ana.garcia@example.edu")
    response = answer(register.handle, raw, FakeApi())
    assert (action(response), elicited(response)) == ("ElicitSlot", "email")
    assert response["sessionState"]["intent"]["confirmationState"] == "None"


def test_a_rejected_field_is_asked_again_and_the_api_down_is_polite() -> None:
    api = FakeApi(failures={"create_student": ApiRejected("bad", field="last_name")})
    response = answer(register.handle, load_event("lex_register_fulfillment_confirmed"), api)
    assert elicited(response) == "lastName"
    api = FakeApi(failures={"create_student": ApiUnavailable("down")})
    response = answer(register.handle, load_event("lex_register_fulfillment_confirmed"), api)
    assert (action(response), intent_state(response)) == ("Close", "Failed")
    assert "have not registered you" in text(response)


def test_fulfillment_with_a_missing_slot_elicits_it() -> None:
    raw = set_slot(load_event("lex_register_fulfillment_confirmed"), "country", None)
    assert elicited(answer(register.handle, raw, FakeApi())) == "country"
