"""RecommendUniversity (and its follow-up RefineRecommendation): the top 3 universities for a field, by country
or region, budget, ordering and a student's profile.

A fulfilled answer sets the `recommendation` context (Lex V2 activeContexts) with what was asked and the names
listed, so "what about in Brazil?", "cheaper ones" and "the first one" can build on it; it replaces the other
contexts (a switch from openings to universities ends the openings' follow-ups).

"Recommend universities for me": a signed-in student with a registration (identity only from
`assistant.identity.caller`) gets their own field, country and budget wherever the question leaves them out.
A student id in the question is used only when it is the caller's own; any other (or any, anonymously) is never
looked up, and the answer is not personalised, saying so in the same words whether or not that student exists.
"""

from __future__ import annotations

from campusbot.assistant import identity, messages
from campusbot.assistant.api_client import ApiNotFound, DataApi, Recommendation, Recommendations, Student
from campusbot.assistant.intents import fallback, number, row_id
from campusbot.assistant.lex_events import LexEvent, LexResponse, close, context, delegate, elicit_slot

CONTEXT = "recommendation"
RESULTS_SEPARATOR = "|"
ORDERINGS = {"cheapest": "cheapest", "best ranked": "best_ranked"}
TOP = 3
DEGREE_WORDS = (
    ("master", frozenset({"master", "masters", "msc"})),
    ("bachelor", frozenset({"bachelor", "bachelors", "undergraduate", "undergrad", "bsc"})),
    ("phd", frozenset({"phd", "doctorate", "doctoral"})),
)
MAX_TUITION = 200_000
ASK_FIELD = "Which field would you like to study? For example computer science, medicine or business."
NOT_PERSONAL = "I can only use your own profile, once you are signed in, so these are not personalised."
# quick replies offered with ASK_FIELD (FieldOfStudy values; Lex allows five buttons, typing any field works)
FIELD_CHOICES = ("Computer Science", "Medicine", "Business Administration", "Data Science", "Law")


def handle(event: LexEvent, api: DataApi) -> LexResponse:
    return _handle(event, api, event.value("country"), event.value("region"), _degree(event.input_transcript))


def refine(event: LexEvent, api: DataApi) -> LexResponse:
    """RefineRecommendation: the slots default to the last recommendation's; a newly named country replaces
    the last region and a newly named region the last country."""
    last = event.context(CONTEXT)
    country, region = event.value("country"), event.value("region")
    if country and region:
        if country != last.get("country"):
            region = None
        elif region != last.get("region"):
            country = None
    return _handle(event, api, country, region, _degree(event.input_transcript) or last.get("degree"))


def _handle(event: LexEvent, api: DataApi, country: str | None, region: str | None, degree: str | None) -> LexResponse:
    field_text = event.value("fieldOfStudy")
    tuition_text, student_text = event.value("maxTuition"), event.value("studentId")
    ordering = event.value("ordering")
    order = ORDERINGS.get((ordering or "").casefold())

    field = messages.known_field(field_text) if field_text else None
    if field_text and field is None:
        return elicit_slot(event, "fieldOfStudy", messages.unknown_field(field_text, ASK_FIELD))
    max_tuition = number(tuition_text)
    if tuition_text is not None and (max_tuition is None or max_tuition > MAX_TUITION):
        return elicit_slot(
            event,
            "maxTuition",
            f'"{tuition_text}" is not a tuition I can use. What is the most you can pay per year, in US dollars '
            f"(a number up to {MAX_TUITION:,})?",
        )
    student_id = row_id(student_text)
    if student_text is not None and student_id is None:
        return elicit_slot(event, "studentId", f'"{student_text}" is not a student id. What is your student id?')
    own = _own_registration(event, api) if field is None or not event.is_dialog else None
    if field is None and own is not None:  # "for me": the field of the caller's registration fills the slot
        field = messages.known_field(own.field_of_study) or own.field_of_study
        event = event.with_slot("fieldOfStudy", field)
    if field is None:
        costs = fallback.tuition_answer(event.input_transcript, api)  # "how expensive is it to study in germany"
        if costs:
            return close(event, "Fulfilled", costs, source="database")
        return elicit_slot(event, "fieldOfStudy", ASK_FIELD, buttons=FIELD_CHOICES)
    if event.is_dialog:
        return delegate(event)

    notes: list[str] = []
    if student_id is not None and (own is None or student_id != own.id):
        notes.append(NOT_PERSONAL)  # someone else's id (or anonymous): never looked up, never used
    if own is not None and not notes:
        student_id = own.id
        country = country or own.country
    else:
        student_id = None
    try:
        result = api.recommendations(
            field=field,
            country=country,
            max_tuition=max_tuition,
            student_id=student_id,
            limit=TOP,
            region=region,
            order=order,
            degree=degree,
        )
    except ApiNotFound:  # the caller's registration went away meanwhile: answer without the profile
        notes.append("I couldn't read your profile, so these are not personalised.")
        result = api.recommendations(
            field=field, country=country, max_tuition=max_tuition, limit=TOP, region=region, order=order, degree=degree
        )
    remembered = {
        "fieldOfStudy": result.field_of_study,
        "country": result.country,
        "region": None if result.country else region,
        "maxTuition": None if max_tuition is None else f"{max_tuition:g}",
        "ordering": ordering,
        "degree": degree,
        "results": RESULTS_SEPARATOR.join(item.university.name for item in result.data[:TOP]),
    }
    return close(
        event,
        "Fulfilled",
        *notes,
        *_answer(result, budget_from_profile=max_tuition is None, region=region, order=order),
        source="database",
        sources=_sources(result),
        contexts=[context(CONTEXT, remembered)],
    )


def _own_registration(event: LexEvent, api: DataApi) -> Student | None:
    caller = identity.caller(event)
    return api.student_by_sub(caller.sub) if caller is not None else None


def _degree(transcript: str) -> str | None:
    """The degree a request names ("a master in cs"), the API's degree filter."""
    words = set(transcript.casefold().replace("'", " ").replace("\u2019", " ").split())
    for degree, said in DEGREE_WORDS:
        if words & said:
            return degree
    return None


def _sources(result: Recommendations) -> list[dict[str, object]]:
    """The recommended universities: the answer's sources (analytics counts the most recommended ones)."""
    return [
        {"kind": "university", "id": item.university.id, "title": item.university.name} for item in result.data[:TOP]
    ]


def _answer(
    result: Recommendations, *, budget_from_profile: bool, region: str | None = None, order: str | None = None
) -> list[str]:
    if result.country:
        where = f"in {result.country}"
    elif region:
        where = f"in {region}"
    else:
        where = "in any country"
    if result.max_tuition is None:
        budget = "with any budget"
    elif budget_from_profile and result.student_id is not None:
        budget = f"up to {messages.money(result.max_tuition)} a year (the budget in your profile)"
    else:
        budget = f"up to {messages.money(result.max_tuition)} a year"
    if not result.data:
        relax = [
            hint
            for hint, used in (("the budget", result.max_tuition), ("the country", result.country or region))
            if used
        ]
        suggestion = (
            f"Try again without {messages.listing(relax, 'or')}, or with another field."
            if relax
            else "Try a related field."
        )
        return [f"I found no {result.field_of_study} programs {where} {budget}. {suggestion}"]
    head = {"cheapest": "Cheapest", "best_ranked": "Best ranked"}.get(order or "", "Top")
    lines = [f"{head} universities for {result.field_of_study} {where}, {budget}:"]
    lines += [f"{rank}. {_line(item)}" for rank, item in enumerate(result.data[:TOP], start=1)]
    return ["\n".join(lines)]


def _line(item: Recommendation) -> str:
    university, program = item.university, item.program
    # The program and the place are already in the line: keep the other reasons (rank, cost, fit).
    reasons = [r for r in item.reasons if not r.startswith("offers ") and not r.endswith("as you asked")][:2]
    tuition = "no tuition fees" if program.tuition == 0 else f"{messages.money(program.tuition)} a year"
    why = "; ".join(reasons) if reasons else tuition
    return f"{university.name} ({university.city}, {university.country}): {program.name} ({program.degree}), {why}."
