"""GetUniversityInfo: where a university is, its rank, a few programs and its tuition range."""

from __future__ import annotations

from campusbot.assistant import messages
from campusbot.assistant.api_client import ApiNotFound, ApiRejected, DataApi, UniversityDetail
from campusbot.assistant.lex_events import LexEvent, LexResponse, close, delegate, elicit_slot

ASK = "Which university would you like to know about?"
PROGRAMS_SHOWN = 4


def handle(event: LexEvent, api: DataApi) -> LexResponse:
    slot = event.slot("universityName")
    name = slot.text if slot else None
    if name is None:
        return elicit_slot(event, "universityName", ASK)
    if event.is_dialog:
        return delegate(event)
    # The resolved value first ("TUM" resolves to "Technical University of Munich"), then what was typed.
    candidates = list(dict.fromkeys([*(slot.resolved if slot else ()), name]))
    for candidate in candidates:
        try:
            return close(event, "Fulfilled", *describe(api.university_by_name(candidate)), source="database")
        except (ApiNotFound, ApiRejected):
            continue
    return close(
        event,
        "Fulfilled",
        f'I don\'t know a university called "{name}". Try its full name, for example "Technical University of '
        'Munich", or ask me to recommend universities for a field.',
        source="database",
    )


def describe(university: UniversityDetail) -> list[str]:
    facts = f"{university.name} is in {university.city}, {university.country}"
    extras = []
    if university.world_rank:
        extras.append(f"ranked #{university.world_rank} worldwide")
    if university.founded_year:
        extras.append(f"founded in {university.founded_year}")
    if extras:
        facts += ", " + messages.listing(extras)
    facts += "."
    if university.website:
        facts += f" Website: {university.website}"
    programs = university.programs
    if not programs:
        return [facts, "I have no programs on file for it yet."]
    shown = [f"{p.name} ({p.degree})" for p in programs[:PROGRAMS_SHOWN]]
    more = len(programs) - len(shown)
    text = "Programs include " + messages.listing(shown) + (f", and {more} more" if more > 0 else "") + "."
    low, high = min(p.tuition for p in programs), max(p.tuition for p in programs)
    if high == 0:
        text += " Tuition: none, all its programs are tuition-free."
    elif low == high:
        text += f" Tuition: {messages.money(low)} a year."
    else:
        text += f" Tuition ranges from {messages.money(low)} to {messages.money(high)} a year."
    return [facts, text]


def cost(university: UniversityDetail) -> str:
    """What studying at `university` costs, and nothing else (the answer to "how much does it cost there")."""
    programs = university.programs
    if not programs:
        return f"I have no programs on file for {university.name} yet, so I can't say what it costs."
    low, high = min(p.tuition for p in programs), max(p.tuition for p in programs)
    if high == 0:
        return f"There is no tuition at {university.name}: all its programs are tuition-free."
    if low == high:
        return f"Tuition is {messages.money(low)} a year at {university.name}."
    return f"Tuition ranges from {messages.money(low)} to {messages.money(high)} a year at {university.name}."
