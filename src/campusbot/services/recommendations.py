"""University recommendations: rank programs of a field by reputation, cost and (for a known student)
academic fit and interests, keep the best program per university, and say why each was chosen."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from campusbot.bot.vocabulary import canonical_country, canonical_field, canonical_region, regions
from campusbot.db.models import Program, StudentRegistration, University
from campusbot.services.common import get_or_404
from campusbot.services.errors import Invalid

WORST_RANK = 2000
REFERENCE_TUITION = 60_000.0


@dataclass(frozen=True)
class RecommendationQuery:
    field_of_study: str
    country: str | None = None
    max_tuition: float | None = None
    student_id: int | None = None
    degree: str | None = None
    limit: int = 5
    region: str | None = None
    order: str | None = None  # None (best match), "cheapest" or "best_ranked"


ORDERS = ("cheapest", "best_ranked")


@dataclass(frozen=True, slots=True)
class UniversityView:
    """The columns a recommendation shows of a university: plain rows, no ORM identity map to build."""

    id: int
    name: str
    country: str
    city: str
    website: str | None
    world_rank: int | None
    founded_year: int | None
    acceptance_rate: Decimal | None
    description: str | None


@dataclass(frozen=True, slots=True)
class ProgramView:
    id: int
    university_id: int
    name: str
    field_of_study: str
    degree: str
    tuition: Decimal
    language: str
    duration_years: Decimal
    min_gpa: Decimal | None


PROGRAM_COLUMNS = [Program.__table__.c[f.name] for f in fields(ProgramView)]
UNIVERSITY_COLUMNS = [University.__table__.c[f.name].label(f"university_{f.name}") for f in fields(UniversityView)]


@dataclass
class Ranked:
    university: UniversityView
    program: ProgramView
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RecommendationResult:
    field_of_study: str
    country: str | None
    max_tuition: float | None
    student: StudentRegistration | None
    ranked: list[Ranked]
    region: str | None = None
    order: str | None = None


async def recommend(session: AsyncSession, query: RecommendationQuery) -> RecommendationResult:
    student = await get_or_404(session, StudentRegistration, query.student_id) if query.student_id else None
    field_name = canonical_field(query.field_of_study)
    country = canonical_country(query.country) if query.country else None
    budget = query.max_tuition
    if budget is None and student is not None and student.max_tuition is not None:
        budget = float(student.max_tuition)

    stmt = (
        select(*PROGRAM_COLUMNS, *UNIVERSITY_COLUMNS)
        .join(University, Program.university_id == University.id)
        .where(func.lower(Program.field_of_study) == field_name.lower())
    )
    region = None
    if query.region:
        region = canonical_region(query.region)
        if region is None:
            raise Invalid(f"unknown region {query.region!r}; known: {', '.join(regions())}")
    if query.order is not None and query.order not in ORDERS:
        raise Invalid(f"order must be one of {', '.join(ORDERS)}")
    if country:
        stmt = stmt.where(func.lower(University.country) == country.lower())
    elif region:
        stmt = stmt.where(func.lower(University.country).in_([c.lower() for c in regions()[region]]))
    if budget is not None:
        stmt = stmt.where(Program.tuition <= budget)
    if query.degree:
        stmt = stmt.where(Program.degree == query.degree)

    best: dict[int, Ranked] = {}
    cheapest: dict[int, Ranked] = {}  # the cheapest program of each university, for order=cheapest
    split = len(PROGRAM_COLUMNS)
    for row in await session.execute(stmt):
        program, university = ProgramView(*row[:split]), UniversityView(*row[split:])
        ranked = _score(university, program, student, budget, country)
        current = best.get(university.id)
        if current is None or ranked.score > current.score:
            best[university.id] = ranked
        low = cheapest.get(university.id)
        if low is None or program.tuition < low.program.tuition:
            cheapest[university.id] = ranked
    if query.order == "cheapest":
        top = sorted(cheapest.values(), key=lambda r: (r.program.tuition, -r.score, r.university.id))
    elif query.order == "best_ranked":
        top = sorted(best.values(), key=lambda r: (r.university.world_rank or WORST_RANK, -r.score, r.university.id))
    else:
        top = sorted(best.values(), key=lambda r: (-r.score, r.university.world_rank or WORST_RANK, r.university.id))
    return RecommendationResult(
        field_name, country, budget, student, top[: query.limit], region=None if country else region, order=query.order
    )


def _score(
    university: UniversityView,
    program: ProgramView,
    student: StudentRegistration | None,
    budget: float | None,
    country: str | None,
) -> Ranked:
    tuition = float(program.tuition)
    reasons = [f"offers {program.name} ({program.degree}, {program.language})"]

    rank = university.world_rank
    reputation = 1 - math.log(rank) / math.log(WORST_RANK) if rank else 0.25
    if rank:
        reasons.append(f"ranked #{rank} worldwide")

    affordability = 1 - min(tuition, budget or REFERENCE_TUITION) / (budget or REFERENCE_TUITION)
    if tuition == 0:
        reasons.append("no tuition fees")
    elif budget is not None:
        reasons.append(f"tuition ${tuition:,.0f}/year, within your budget of ${budget:,.0f}")
    else:
        reasons.append(f"tuition ${tuition:,.0f}/year")
    if country:
        reasons.append(f"in {university.city}, {university.country} as you asked")

    if student is None:
        score = 0.6 * reputation + 0.4 * affordability
        return Ranked(university, program, round(score, 4), reasons)

    fit = _academic_fit(student, program, reasons)
    interest = _interest_match(student, university, program, reasons)
    if not country and university.country.lower() == student.country.lower():
        reasons.append("in your home country")
        interest = min(1.0, interest + 0.5)
    score = 0.4 * reputation + 0.25 * affordability + 0.25 * fit + 0.1 * interest
    return Ranked(university, program, round(score, 4), reasons)


def _academic_fit(student: StudentRegistration, program: ProgramView, reasons: list[str]) -> float:
    if student.gpa is None or program.min_gpa is None:
        return 0.6
    gpa, minimum = float(student.gpa), float(program.min_gpa)
    if gpa >= minimum:
        reasons.append(f"your GPA {gpa:.2f} meets the usual minimum of {minimum:.2f}")
        return min(1.0, 0.8 + (gpa - minimum) / 2)
    reasons.append(f"a stretch: your GPA {gpa:.2f} is below the usual minimum of {minimum:.2f}")
    return max(0.0, 0.5 - (minimum - gpa))


def _interest_match(
    student: StudentRegistration, university: UniversityView, program: ProgramView, reasons: list[str]
) -> float:
    text = f"{program.name} {university.description or ''}".casefold()
    matched = [interest for interest in student.interests if interest.casefold() in text]
    if matched:
        reasons.append("matches your interest in " + ", ".join(matched))
    return min(1.0, 0.5 * len(matched))
