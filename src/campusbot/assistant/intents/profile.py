"""GetStudentProfile: the signed-in student's own registration, and nobody else's.

Identity comes only from `assistant.identity.caller` (the principal lex_proxy wrote from the verified token).
Anonymous → please sign in. Signed in → the registration linked to the caller's Cognito subject; a student id or
email in the question that is not the caller's own gets one polite refusal, the same whether or not that student
exists (the other id or email is never looked up). No registration for the caller → "you are not registered yet".
"""

from __future__ import annotations

from campusbot.assistant import identity, messages
from campusbot.assistant.api_client import DataApi, Student
from campusbot.assistant.intents import row_id
from campusbot.assistant.lex_events import LexEvent, LexResponse, close, delegate


def handle(event: LexEvent, api: DataApi) -> LexResponse:
    caller = identity.caller(event)
    if caller is None:
        return close(event, "Fulfilled", messages.SIGN_IN_PROFILE)
    if event.is_dialog:  # nothing to ask: who is asking is known
        return delegate(event)
    own = api.student_by_sub(caller.sub)
    if own is None:
        return close(event, "Fulfilled", messages.NOT_REGISTERED, source="database")
    id_text, email = event.value("studentId"), event.value("email")
    asked_other = (id_text is not None and row_id(id_text) != own.id) or (
        email is not None and email.strip().lower() != own.email.lower()
    )
    if asked_other:
        return close(event, "Fulfilled", messages.ONLY_OWN_PROFILE)
    return _found(event, own)


def _found(event: LexEvent, student: Student) -> LexResponse:
    details = [f"you study {student.field_of_study}", f"you are from {student.country}"]
    if student.gpa is not None:
        details.append(f"your GPA is {student.gpa:.2f}")
    if student.max_tuition is not None:
        details.append(f"your tuition budget is {messages.money(student.max_tuition)} a year")
    text = (
        f"Your registration: {student.first_name} {student.last_name} (student id {student.id}, {student.email}); "
        + messages.listing(details)
        + "."
    )
    if student.interests:
        text += f" Interests: {', '.join(student.interests)}."
    return close(event, "Fulfilled", text, source="database")
