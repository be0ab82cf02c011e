"""GetStudentProfile: a registration looked up by student id or email."""

from __future__ import annotations

from campusbot.assistant import messages
from campusbot.assistant.api_client import ApiNotFound, DataApi, Student
from campusbot.assistant.intents import row_id
from campusbot.assistant.lex import LexEvent, LexResponse, close, delegate, elicit_slot

ASK = "What is the email address you registered with? You can also tell me your student id."


def handle(event: LexEvent, api: DataApi) -> LexResponse:
    id_text, email = event.value("studentId"), event.value("email")
    student_id = row_id(id_text)
    if id_text is not None and student_id is None:
        return elicit_slot(event, "studentId", f'"{id_text}" is not a student id; ids are whole numbers like 12. {ASK}')
    if email is not None and not messages.valid_email(email):
        return elicit_slot(event, "email", f'"{email}" doesn\'t look like an email address. {ASK}')
    if student_id is None and email is None:
        return elicit_slot(event, "email", ASK)
    if event.is_dialog:
        return delegate(event)

    if student_id is not None:
        try:
            return _found(event, api.student(student_id))
        except ApiNotFound:
            return close(
                event, "Fulfilled", f"I couldn't find a student with id {student_id}.", _REGISTER, source="database"
            )
    assert email is not None
    student = api.student_by_email(email)
    if student is None:
        return close(
            event, "Fulfilled", f"I couldn't find a student registered as {email}.", _REGISTER, source="database"
        )
    return _found(event, student)


_REGISTER = 'If you are new, say "register me" and I will sign you up.'


def _found(event: LexEvent, student: Student) -> LexResponse:
    details = [f"studies {student.field_of_study}", f"is from {student.country}"]
    if student.gpa is not None:
        details.append(f"has a GPA of {student.gpa:.2f}")
    if student.max_tuition is not None:
        details.append(f"has a tuition budget of {messages.money(student.max_tuition)} a year")
    text = f"{student.first_name} {student.last_name} (student id {student.id}, {student.email}) " + messages.listing(
        details
    )
    text += "."
    if student.interests:
        text += f" Interests: {', '.join(student.interests)}."
    return close(event, "Fulfilled", text, source="database")
