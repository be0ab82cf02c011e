"""RegisterStudent: several turns, each slot validated as it arrives, a confirmation, then POST /students.

Dialog hook: the first filled slot that is not acceptable is asked again with the reason (an email that
is malformed or already registered, a field of study campusbot does not know, a name without letters);
a denied confirmation ends politely; otherwise Lex goes on (Delegate) with the bot's prompts.
Fulfillment hook: unconfirmed → ConfirmIntent; denied → Close; confirmed → the registration, where a
409 (the email was taken meanwhile) asks for another email.
"""

from __future__ import annotations

import logging

from campusbot.assistant import messages
from campusbot.assistant.api_client import ApiConflict, ApiRejected, ApiUnavailable, DataApi, NewStudent
from campusbot.assistant.lex import LexEvent, LexResponse, close, confirm_intent, delegate, elicit_slot

log = logging.getLogger(__name__)

SLOTS = ("firstName", "lastName", "email", "fieldOfStudy", "country")
MAX_NAME = 80
PROMPTS = {
    "firstName": "What is your first name?",
    "lastName": "And your last name?",
    "email": "What email address should we use?",
    "fieldOfStudy": "Which field do you want to study? For example computer science, medicine or law.",
    "country": "Which country are you from?",
}
API_FIELDS = {
    "first_name": "firstName",
    "last_name": "lastName",
    "email": "email",
    "field_of_study": "fieldOfStudy",
    "country": "country",
}


def handle(event: LexEvent, api: DataApi) -> LexResponse:
    problem = _invalid_slot(event, api if event.is_dialog else None)
    if problem is not None:
        return elicit_slot(event, problem[0], problem[1], confirmation_state="None")
    if event.confirmation_state == "Denied":
        return close(event, "Failed", messages.DECLINED)
    if event.is_dialog:
        return delegate(event)

    missing = next((slot for slot in SLOTS if event.value(slot) is None), None)
    if missing is not None:
        return elicit_slot(event, missing, PROMPTS[missing])
    student = _new_student(event)
    if event.confirmation_state != "Confirmed":
        return confirm_intent(
            event,
            f"I will register {student.first_name} {student.last_name} ({student.email}) for "
            f"{student.field_of_study}, from {student.country}. Shall I go ahead?",
        )
    try:
        created = api.create_student(student)
    except ApiConflict:
        return elicit_slot(event, "email", _taken(student.email), confirmation_state="None")
    except ApiRejected as exc:
        rejected = API_FIELDS.get(exc.field or "")
        if rejected is None:
            raise
        return elicit_slot(
            event, rejected, f"I couldn't use that {_label(rejected)}. {PROMPTS[rejected]}", confirmation_state="None"
        )
    except ApiUnavailable:
        return close(
            event,
            "Failed",
            "Sorry, I can't reach the registration service right now, so I have not registered you. "
            'Please try again in a minute by saying "register me".',
        )
    return close(
        event,
        "Fulfilled",
        f"You're registered, {created.first_name}! Your student id is {created.id}.",
        f'Try "recommend universities for student {created.id}" next.',
        source="database",
    )


def _invalid_slot(event: LexEvent, api: DataApi | None) -> tuple[str, str] | None:
    """The first filled slot that cannot be used, with what to say; `api` given: also check the email is free."""
    for slot in ("firstName", "lastName"):
        value = event.value(slot)
        if value is not None and (len(value) > MAX_NAME or not any(c.isalpha() for c in value)):
            return slot, f'"{value[:40]}" doesn\'t look like a name. {PROMPTS[slot]}'
    email = event.value("email")
    if email is not None:
        if not messages.valid_email(email):
            return "email", f'"{email[:80]}" doesn\'t look like an email address. {PROMPTS["email"]}'
        if api is not None and _registered(api, email):
            return "email", _taken(email)
    field = event.value("fieldOfStudy")
    if field is not None and messages.known_field(field) is None:
        return "fieldOfStudy", messages.unknown_field(field, PROMPTS["fieldOfStudy"])
    country = event.value("country")
    if country is not None and (len(country) > MAX_NAME or not any(c.isalpha() for c in country)):
        return "country", f'"{country[:40]}" doesn\'t look like a country. {PROMPTS["country"]}'
    return None


def _registered(api: DataApi, email: str) -> bool:
    """Whether the email is taken; when the API cannot say, go on (POST /students decides with a 409)."""
    try:
        return api.student_by_email(email) is not None
    except (ApiUnavailable, ApiRejected) as exc:
        log.warning("could not check whether the email is registered: %s", exc)
        return False


def _new_student(event: LexEvent) -> NewStudent:
    return NewStudent(
        first_name=event.value("firstName") or "",
        last_name=event.value("lastName") or "",
        email=(event.value("email") or "").lower(),
        field_of_study=messages.known_field(event.value("fieldOfStudy") or "") or "",
        country=event.value("country") or "",
    )


def _taken(email: str) -> str:
    return (
        f"{email[:80]} is already registered. If it is yours, ask me to show your profile; "
        "otherwise, what other email address should we use?"
    )


def _label(slot: str) -> str:
    return {"firstName": "first name", "lastName": "last name", "fieldOfStudy": "field of study"}.get(slot, slot)
