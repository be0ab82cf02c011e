"""RegisterStudent: a signed-in student only; several turns, each slot validated as it arrives, a confirmation,
then POST /students linked to the caller's Cognito subject.

Identity comes only from `assistant.identity.caller`. Anonymous → please sign in first. The email is the verified
one of the caller's token, never asked for nor taken from the message (every response fills the `email` slot with
it, so Lex neither elicits it nor shows another one in the confirmation). A caller who already has a registration
is told so (one registration per account; the unique `cognito_sub` also refuses a second one made meanwhile).
Dialog hook: the first filled slot that is not acceptable is asked again with the reason; a denied confirmation
ends politely; otherwise Lex goes on (Delegate) with the bot's prompts. Fulfillment hook: unconfirmed →
ConfirmIntent; denied → Close; confirmed → the registration.
"""

from __future__ import annotations

import logging

from campusbot.assistant import identity, messages
from campusbot.assistant.api_client import ApiConflict, ApiRejected, ApiUnavailable, DataApi, NewStudent, Student
from campusbot.assistant.lex_events import LexEvent, LexResponse, close, confirm_intent, delegate, elicit_slot

log = logging.getLogger(__name__)

SLOTS = ("firstName", "lastName", "email", "fieldOfStudy", "country")
MAX_NAME = 80
PROMPTS = {
    "firstName": "What is your first name?",
    "lastName": "And your last name?",
    "fieldOfStudy": "Which field do you want to study? For example computer science, medicine or law.",
    "country": "Which country are you from?",
}
API_FIELDS = {
    "first_name": "firstName",
    "last_name": "lastName",
    "field_of_study": "fieldOfStudy",
    "country": "country",
}
NO_EMAIL = (
    "Your account has no verified email address yet, and a registration needs one. "
    'Please verify your email, sign in again and say "register me".'
)


def handle(event: LexEvent, api: DataApi) -> LexResponse:
    caller = identity.caller(event)
    if caller is None:
        return close(event, "Failed", messages.SIGN_IN_REGISTER)
    if not caller.email:
        return close(event, "Failed", NO_EMAIL)
    own = api.student_by_sub(caller.sub)
    if own is not None:
        return close(event, "Failed", _already(own), source="database")
    event = event.with_slot("email", caller.email)  # the token's email: Lex never asks for it
    problem = _invalid_slot(event)
    if problem is not None:
        return elicit_slot(event, problem[0], problem[1], confirmation_state="None")
    if event.confirmation_state == "Denied":
        return close(event, "Failed", messages.DECLINED)
    if event.is_dialog:
        taken = _registered(api, caller.email)
        if taken:
            return close(event, "Failed", _taken(caller.email), source="database")
        return delegate(event)

    missing = next((slot for slot in SLOTS if event.value(slot) is None), None)
    if missing is not None:
        return elicit_slot(event, missing, PROMPTS[missing])
    student = _new_student(event, caller.sub, caller.email)
    if event.confirmation_state != "Confirmed":
        return confirm_intent(
            event,
            f"I will register {student.first_name} {student.last_name} ({student.email}) for "
            f"{student.field_of_study}, from {student.country}. Shall I go ahead?",
        )
    try:
        created = api.create_student(student)
    except ApiConflict:  # the email was taken meanwhile, or this account registered from another session
        own = api.student_by_sub(caller.sub)
        text = _already(own) if own is not None else _taken(caller.email)
        return close(event, "Failed", text, source="database")
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
        'Try "recommend universities for me" next.',
        source="database",
    )


def _invalid_slot(event: LexEvent) -> tuple[str, str] | None:
    """The first filled slot that cannot be used, with what to say."""
    for slot in ("firstName", "lastName"):
        value = event.value(slot)
        if value is not None and (len(value) > MAX_NAME or not any(c.isalpha() for c in value)):
            return slot, f'"{value[:40]}" doesn\'t look like a name. {PROMPTS[slot]}'
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


def _new_student(event: LexEvent, sub: str, email: str) -> NewStudent:
    return NewStudent(
        first_name=event.value("firstName") or "",
        last_name=event.value("lastName") or "",
        email=email.lower(),
        field_of_study=messages.known_field(event.value("fieldOfStudy") or "") or "",
        country=event.value("country") or "",
        cognito_sub=sub,
    )


def _already(own: Student) -> str:
    return (
        f"You are already registered (student id {own.id}); an account has one registration. "
        'Say "show my profile" to see it.'
    )


def _taken(email: str) -> str:
    return (
        f"A registration with your email {email[:80]} already exists but is not linked to your account, so I "
        "can't register you again. Please contact the campusbot team to have it linked."
    )


def _label(slot: str) -> str:
    return {"firstName": "first name", "lastName": "last name", "fieldOfStudy": "field of study"}.get(slot, slot)
