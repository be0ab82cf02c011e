"""FindOpportunities: internships and jobs by field of study or industry, optionally in a city."""

from __future__ import annotations

from campusbot.assistant import messages
from campusbot.assistant.api_client import DataApi, Opportunity
from campusbot.assistant.lex import LexEvent, LexResponse, close, delegate, elicit_slot

SHOWN = 5
ASK = (
    "Which field are you looking in? For example computer science or finance. "
    "You can also name an industry, such as software or healthcare."
)


def handle(event: LexEvent, api: DataApi) -> LexResponse:
    field_text, industry, city = event.value("fieldOfStudy"), event.value("industry"), event.value("city")
    field = messages.known_field(field_text) if field_text else None
    if field_text and field is None:
        return elicit_slot(event, "fieldOfStudy", messages.unknown_field(field_text, ASK))
    if field is None and industry is None:
        return elicit_slot(event, "fieldOfStudy", ASK)
    if event.is_dialog:
        return delegate(event)

    page = api.opportunities(field=field, industry=industry, city=city, limit=SHOWN)
    what = " ".join(part for part in (field, industry) if part)
    where = f" in {city}" if city else ""
    if not page.data:
        hint = "Try without the city, or" if city else "Try"
        return close(
            event,
            "Fulfilled",
            f"I found no {what} internships or jobs{where} right now. {hint} another field or industry.",
            source="database",
        )
    total = max(page.count, len(page.data))
    head = f"I found {total} {what} opening{'s' if total != 1 else ''}{where}"
    head += f"; here are {len(page.data)}:" if total > len(page.data) else ":"
    lines = [head] + [f"- {_line(o)}" for o in page.data[:SHOWN]]
    return close(event, "Fulfilled", "\n".join(lines), source="database")


def _line(opportunity: Opportunity) -> str:
    place = "remote" if opportunity.remote else f"{opportunity.city}, {opportunity.country}".strip(", ")
    company = f" at {opportunity.company_name}" if opportunity.company_name else ""
    return f"{opportunity.title} ({opportunity.kind}){company}, {place}"
