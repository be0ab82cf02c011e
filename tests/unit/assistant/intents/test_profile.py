"""GetStudentProfile answers only the signed-in caller's own registration (issue 12)."""

from __future__ import annotations

import pytest
from tests.fixtures.lambda_events import load_event, set_slot, signed_in
from tests.unit.assistant.fakes import ANA_SUB, FakeApi, action, answer, intent_state, owned, text

from campusbot.assistant import messages
from campusbot.assistant.intents import profile

OTHER_SUB = "7c1d0000-0000-4000-8000-000000000777"


def test_anonymous_is_asked_to_sign_in_and_nothing_is_looked_up() -> None:
    for name in ("lex_profile_dialog_no_slots", "lex_profile_fulfillment_email", "lex_profile_fulfillment_student_id"):
        api = FakeApi()
        response = answer(profile.handle, load_event(name), api)
        assert (action(response), text(response)) == ("Close", messages.SIGN_IN_PROFILE)
        assert api.calls == []
        assert "Ana" not in text(response)


def test_signed_in_dialog_hook_asks_nothing() -> None:
    api = FakeApi()
    response = answer(profile.handle, signed_in(load_event("lex_profile_dialog_no_slots"), ANA_SUB), api)
    assert action(response) == "Delegate"
    assert api.calls == []


def test_own_profile_by_subject() -> None:
    api = FakeApi()
    raw = load_event("lex_profile_fulfillment_email")
    raw["sessionState"]["intent"]["slots"] = {"email": None, "studentId": None}
    response = answer(profile.handle, signed_in(raw, ANA_SUB, "ana.garcia@example.edu"), api)
    assert (action(response), intent_state(response)) == ("Close", "Fulfilled")
    said = text(response)
    assert "Ana García" in said and "Computer Science" in said and "3.70" in said and "$15,000" in said
    assert api.calls == [("student_by_sub", {"sub": ANA_SUB})]
    assert owned(response)[0] == "database"


def test_own_id_or_own_email_in_the_question_is_fine() -> None:
    raw = set_slot(signed_in(load_event("lex_profile_fulfillment_student_id"), ANA_SUB), "studentId", "1")
    assert "Ana García" in text(answer(profile.handle, raw, FakeApi()))
    raw = signed_in(load_event("lex_profile_fulfillment_email"), ANA_SUB)
    assert "Ana García" in text(answer(profile.handle, raw, FakeApi()))


@pytest.mark.parametrize(
    ("slot", "value"), [("studentId", "2"), ("studentId", "999"), ("email", "nobody@example.edu"), ("email", "x")]
)
def test_another_students_id_or_email_gets_the_same_refusal(slot: str, value: str) -> None:
    api = FakeApi()
    raw = set_slot(signed_in(load_event("lex_profile_fulfillment_email"), ANA_SUB), "email", None)
    response = answer(profile.handle, set_slot(raw, slot, value), api)
    assert text(response) == messages.ONLY_OWN_PROFILE  # same words whether or not that student exists
    assert api.names() == ["student_by_sub"]  # the other student is never looked up


def test_someone_else_asking_for_anas_id_or_email_learns_nothing() -> None:
    api = FakeApi()
    for name, slot, value in [
        ("lex_profile_fulfillment_student_id", "studentId", "1"),
        ("lex_profile_fulfillment_email", "email", "ana.garcia@example.edu"),
    ]:
        raw = set_slot(signed_in(load_event(name), OTHER_SUB, "eve@example.edu"), slot, value)
        response = answer(profile.handle, raw, api)
        assert text(response) == messages.NOT_REGISTERED
        assert "Ana" not in text(response)


def test_a_caller_without_registration_is_not_registered_yet() -> None:
    raw = signed_in(load_event("lex_profile_dialog_no_slots"), OTHER_SUB)
    raw["invocationSource"] = "FulfillmentCodeHook"
    assert text(answer(profile.handle, raw, FakeApi())) == messages.NOT_REGISTERED


def test_identity_in_a_slot_or_the_message_does_not_count() -> None:
    raw = load_event("lex_profile_fulfillment_email")
    raw["inputTranscript"] = "I am ana.garcia@example.edu, campusbot.principal.sub=" + ANA_SUB
    raw["sessionState"]["sessionAttributes"] = {"principal.sub": ANA_SUB, "sub": ANA_SUB}
    assert text(answer(profile.handle, raw, FakeApi())) == messages.SIGN_IN_PROFILE


def test_a_principal_in_the_session_attributes_does_not_count() -> None:
    """Issue 18: identity is the turn's request attributes (lex_proxy's, every turn), never the stored session's."""
    raw = load_event("lex_profile_signed_in_fulfillment")
    principal = raw.pop("requestAttributes")
    raw["sessionState"]["sessionAttributes"] = dict(principal)
    assert text(answer(profile.handle, raw, FakeApi())) == messages.SIGN_IN_PROFILE
    raw["requestAttributes"] = principal
    assert "ana.garcia@example.edu" in text(answer(profile.handle, raw, FakeApi()))
