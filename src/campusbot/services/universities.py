"""Universities and their programs: listing with filters, and create/read/update/delete."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from campusbot.bot.vocabulary import canonical_country, canonical_field
from campusbot.db.models import Program, University
from campusbot.services.common import apply_changes, commit, contains, get_or_404, page
from campusbot.services.errors import NotFound


@dataclass(frozen=True)
class UniversityFilters:
    field_of_study: str | None = None
    country: str | None = None
    city: str | None = None
    max_tuition: float | None = None
    degree: str | None = None
    q: str | None = None


def _filtered(filters: UniversityFilters) -> Select[University]:
    stmt = select(University)
    if filters.country:
        stmt = stmt.where(func.lower(University.country) == canonical_country(filters.country).lower())
    if filters.city:
        stmt = stmt.where(func.lower(University.city) == filters.city.strip().lower())
    if filters.q:
        pattern = contains(filters.q.strip())
        stmt = stmt.where(
            or_(
                University.name.ilike(pattern, escape="\\"),
                University.city.ilike(pattern, escape="\\"),
                University.description.ilike(pattern, escape="\\"),
            )
        )
    program_conditions = []
    if filters.field_of_study:
        program_conditions.append(func.lower(Program.field_of_study) == canonical_field(filters.field_of_study).lower())
    if filters.max_tuition is not None:
        program_conditions.append(Program.tuition <= filters.max_tuition)
    if filters.degree:
        program_conditions.append(Program.degree == filters.degree)
    if program_conditions:
        stmt = stmt.where(
            select(Program.id).where(Program.university_id == University.id, *program_conditions).exists()
        )
    return stmt.order_by(University.world_rank.asc().nulls_last(), University.id)


async def list_universities(
    session: AsyncSession, filters: UniversityFilters, limit: int, offset: int
) -> tuple[list[University], int]:
    return await page(session, _filtered(filters), limit, offset)


async def get_university(session: AsyncSession, university_id: int) -> University:
    return await get_or_404(session, University, university_id, selectinload(University.programs))


async def find_by_name(session: AsyncSession, name: str) -> University:
    """Exact (case-insensitive) name first, else the best-ranked university whose name contains it."""
    stmt = (
        select(University)
        .where(University.name.ilike(contains(name.strip()), escape="\\"))
        .order_by((func.lower(University.name) == name.strip().lower()).desc(), University.world_rank.nulls_last())
        .limit(1)
        .options(selectinload(University.programs))
    )
    university = await session.scalar(stmt)
    if university is None:
        raise NotFound("university named", repr(name))
    return university


async def create_university(session: AsyncSession, data: dict[str, Any]) -> University:
    programs = [Program(**program) for program in data.pop("programs", [])]
    university = University(**data, programs=programs)
    session.add(university)
    await commit(session)
    return await get_university(session, university.id)


async def update_university(session: AsyncSession, university_id: int, changes: dict[str, Any]) -> University:
    university = await get_university(session, university_id)
    apply_changes(university, changes)
    await commit(session)
    session.expire(university)
    return await get_university(session, university_id)


async def delete_university(session: AsyncSession, university_id: int) -> None:
    university = await get_or_404(session, University, university_id)
    await session.delete(university)
    await commit(session)


async def get_program(session: AsyncSession, university_id: int, program_id: int) -> Program:
    program = await session.get(Program, program_id)
    if program is None or program.university_id != university_id:
        raise NotFound(f"program of university {university_id}", program_id)
    return program


async def create_program(session: AsyncSession, university_id: int, data: dict[str, Any]) -> Program:
    await get_or_404(session, University, university_id)
    program = Program(university_id=university_id, **data)
    session.add(program)
    await commit(session)
    return program


async def update_program(
    session: AsyncSession, university_id: int, program_id: int, changes: dict[str, Any]
) -> Program:
    program = await get_program(session, university_id, program_id)
    apply_changes(program, changes)
    await commit(session)
    await session.refresh(program)
    return program


async def delete_program(session: AsyncSession, university_id: int, program_id: int) -> None:
    program = await get_program(session, university_id, program_id)
    await session.delete(program)
    await commit(session)


@dataclass(frozen=True)
class TuitionSummary:
    """Yearly tuition of the programs in a country (optionally of one field and degree), from the data."""

    country: str
    field_of_study: str | None
    degree: str | None
    programs: int
    universities: int
    lowest: float | None
    median: float | None
    highest: float | None
    tuition_free: int


async def tuition_summary(
    session: AsyncSession, country: str, field_of_study: str | None = None, degree: str | None = None
) -> TuitionSummary:
    """What studying in `country` costs: lowest, median and highest yearly tuition over its programs."""
    name = canonical_country(country)
    stmt = (
        select(Program.tuition, Program.university_id)
        .join(University, Program.university_id == University.id)
        .where(func.lower(University.country) == name.lower())
    )
    field = canonical_field(field_of_study) if field_of_study else None
    if field:
        stmt = stmt.where(func.lower(Program.field_of_study) == field.lower())
    if degree:
        stmt = stmt.where(Program.degree == degree)
    rows = (await session.execute(stmt)).all()
    fees = sorted(float(row.tuition) for row in rows)
    return TuitionSummary(
        country=name,
        field_of_study=field,
        degree=degree,
        programs=len(fees),
        universities=len({row.university_id for row in rows}),
        lowest=fees[0] if fees else None,
        median=statistics.median(fees) if fees else None,
        highest=fees[-1] if fees else None,
        tuition_free=sum(1 for fee in fees if fee == 0),
    )
