"""FindOpportunities (and its follow-up RefineOpportunities): internships and jobs by field of study or
industry, optionally in a city, of one kind (internship or job) and remote or on-site.

A fulfilled answer sets the `opportunities` context (Lex V2 activeContexts) with what was asked, so "and in
Berlin?", "only remote ones" and "just internships" build on it; it replaces the other contexts.
"""

from __future__ import annotations

from campusbot.assistant import messages
from campusbot.assistant.api_client import DataApi, Opportunity
from campusbot.assistant.lex_events import LexEvent, LexResponse, close, context, delegate, elicit_slot

CONTEXT = "opportunities"
SHOWN = 5
ASK = (
    "Which field are you looking in? For example computer science or finance. "
    "You can also name an industry, such as software or healthcare."
)
KINDS = {"internship": ("internship", "internships"), "job": ("job", "jobs")}
WORK_MODES = {"remote": True, "on-site": False}


def handle(event: LexEvent, api: DataApi) -> LexResponse:
    field_text, industry, city = event.value("fieldOfStudy"), event.value("industry"), event.value("city")
    field = messages.known_field(field_text) if field_text else None
    if field_text and field is None:
        return elicit_slot(event, "fieldOfStudy", messages.unknown_field(field_text, ASK))
    kind_text, mode = event.value("kind"), event.value("workMode")
    kind = kind_text.casefold() if kind_text and kind_text.casefold() in KINDS else None
    remote = WORK_MODES.get((mode or "").casefold())
    if field is None and industry is None and city is None and remote is None:
        return elicit_slot(event, "fieldOfStudy", ASK)  # "find internships": all of them is too many to list
    if event.is_dialog:
        return delegate(event)
    page = api.opportunities(field=field, industry=industry, city=city, limit=SHOWN, kind=kind, remote=remote)
    remembered = context(
        CONTEXT,
        {
            "fieldOfStudy": field,
            "industry": industry,
            "city": city,
            "kind": kind,
            "workMode": mode if remote is not None else None,
        },
    )
    what = " ".join(part for part in (_mode(remote), field, industry) if part)
    singular, plural = KINDS[kind] if kind else ("opening", "openings")
    where = f" in {city}" if city else ""
    if not page.data:
        hint = "Try without the city, or" if city else "Try"
        nothing = plural if kind else "internships or jobs"
        return close(
            event,
            "Fulfilled",
            f"I found no {what} {nothing}{where} right now. {hint} another field or industry.",
            source="database",
            contexts=[remembered],
        )
    total = max(page.count, len(page.data))
    head = f"I found {total} {what} {singular if total == 1 else plural}{where}"
    head += f"; here are {len(page.data)}:" if total > len(page.data) else ":"
    lines = [head] + [f"- {_line(o)}" for o in page.data[:SHOWN]]
    return close(event, "Fulfilled", "\n".join(lines), source="database", contexts=[remembered])


def _mode(remote: bool | None) -> str | None:
    return None if remote is None else ("remote" if remote else "on-site")


def _line(opportunity: Opportunity) -> str:
    place = "remote" if opportunity.remote else f"{opportunity.city}, {opportunity.country}".strip(", ")
    company = f" at {opportunity.company_name}" if opportunity.company_name else ""
    return f"{opportunity.title} ({opportunity.kind}){company}, {place}"
