from __future__ import annotations

from typing import Any

from tests.fixtures import lambda_events
from tests.fixtures.lambda_events import set_slot, signed_in
from tests.unit.assistant.fakes import ANA_SUB, FakeApi, action, answer, elicited, intent_state, owned, text

from campusbot.assistant import messages
from campusbot.assistant.api_client import ApiRejected, ApiUnavailable
from campusbot.assistant.intents import register

MARIA_SUB = "5e0c0000-0000-4000-8000-00000000a1a1"
MARIA = "maria.lopez@example.edu"


def load_event(name: str) -> dict[str, Any]:
    """The register events as Maria, signed in (the principal lex_proxy writes); anonymous ones are built apart."""
    return signed_in(lambda_events.load_event(name), MARIA_SUB, MARIA)


def test_anonymous_is_asked_to_sign_in_first() -> None:
    for name in ("lex_register_dialog_start", "lex_register_fulfillment_confirmed"):
        api = FakeApi()
        response = answer(register.handle, lambda_events.load_event(name), api)
        assert (action(response), intent_state(response), text(response)) == (
            "Close",
            "Failed",
            messages.SIGN_IN_REGISTER,
        )
        assert api.calls == []


def test_the_email_comes_from_the_token_never_from_the_message() -> None:
    api = FakeApi()
    raw = set_slot(load_event("lex_register_fulfillment_unconfirmed"), "email", "someone.else@example.edu")
    response = answer(register.handle, raw, api)
    assert action(response) == "ConfirmIntent"
    assert f"({MARIA})" in text(response)
    assert response["sessionState"]["intent"]["slots"]["email"]["value"]["interpretedValue"] == MARIA


def test_a_second_registration_of_the_same_account_is_refused_clearly() -> None:
    api = FakeApi()
    raw = signed_in(lambda_events.load_event("lex_register_dialog_start"), ANA_SUB, "ana.garcia@example.edu")
    response = answer(register.handle, raw, api)
    assert (action(response), intent_state(response)) == ("Close", "Failed")
    assert "already registered (student id 1)" in text(response)
    assert "create_student" not in api.names()


def test_confirmed_registration_is_linked_to_the_subject() -> None:
    api = FakeApi()
    answer(register.handle, load_event("lex_register_fulfillment_confirmed"), api)
    assert api.owners[MARIA_SUB] == api.students[-1].id
    again = answer(register.handle, load_event("lex_register_fulfillment_confirmed"), api)
    assert "already registered" in text(again)


def test_a_token_without_a_verified_email_cannot_register() -> None:
    raw = signed_in(lambda_events.load_event("lex_register_dialog_start"), MARIA_SUB)
    response = answer(register.handle, raw, FakeApi())
    assert "no verified email" in text(response)


def test_start_delegates_to_the_bots_prompts_with_the_email_filled() -> None:
    api = FakeApi()
    response = answer(register.handle, load_event("lex_register_dialog_start"), api)
    assert action(response) == "Delegate"
    assert response["sessionState"]["intent"]["slots"]["email"]["value"]["interpretedValue"] == MARIA
    assert api.names() == ["student_by_sub", "student_by_email"]


def test_a_new_email_is_accepted_after_checking_it_is_free() -> None:
    api = FakeApi()
    response = answer(register.handle, load_event("lex_register_dialog_elicit_reply"), api)
    assert action(response) == "Delegate"
    assert api.calls == [("student_by_sub", {"sub": MARIA_SUB}), ("student_by_email", {"email": MARIA})]


def test_the_tokens_email_registered_without_an_account_is_refused_without_revealing_the_student() -> None:
    raw = signed_in(lambda_events.load_event("lex_register_dialog_elicit_reply"), MARIA_SUB, "ana.garcia@example.edu")
    response = answer(register.handle, raw, FakeApi(owners={}))
    assert (action(response), intent_state(response)) == ("Close", "Failed")
    assert "already exists but is not linked to your account" in text(response)
    assert "Ana" not in text(response) and "Computer" not in text(response)


def test_an_unknown_field_or_nameless_name_is_asked_again() -> None:
    raw = set_slot(load_event("lex_register_fulfillment_unconfirmed"), "fieldOfStudy", "alchemy")
    response = answer(register.handle, raw, FakeApi())
    assert elicited(response) == "fieldOfStudy"
    assert "alchemy" in text(response)
    raw = set_slot(load_event("lex_register_fulfillment_unconfirmed"), "firstName", "1234")
    assert elicited(answer(register.handle, raw, FakeApi())) == "firstName"


def test_the_email_check_fails_open_when_the_api_is_down() -> None:  # (the owner check does not: see dispatch)
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
    assert api.names() == ["student_by_sub"]  # one registration per account


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


def test_a_conflict_at_fulfillment_closes_clearly() -> None:
    raw = signed_in(lambda_events.load_event("lex_register_fulfillment_confirmed"), MARIA_SUB, "ana.garcia@example.edu")
    response = answer(register.handle, raw, FakeApi(owners={}))
    assert (action(response), intent_state(response)) == ("Close", "Failed")
    assert "not linked to your account" in text(response)


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
