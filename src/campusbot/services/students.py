"""Student registrations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from campusbot.bot.vocabulary import canonical_country, canonical_field
from campusbot.db.models import StudentRegistration
from campusbot.services.common import apply_changes, commit, contains, get_or_404, page


@dataclass(frozen=True)
class StudentFilters:
    field_of_study: str | None = None
    country: str | None = None
    email: str | None = None
    q: str | None = None
    cognito_sub: str | None = None


def _filtered(filters: StudentFilters) -> Select[StudentRegistration]:
    stmt = select(StudentRegistration)
    if filters.field_of_study:
        field = canonical_field(filters.field_of_study).lower()
        stmt = stmt.where(func.lower(StudentRegistration.field_of_study) == field)
    if filters.country:
        stmt = stmt.where(func.lower(StudentRegistration.country) == canonical_country(filters.country).lower())
    if filters.email:
        stmt = stmt.where(StudentRegistration.email == filters.email.strip().lower())
    if filters.cognito_sub:
        stmt = stmt.where(StudentRegistration.cognito_sub == filters.cognito_sub)
    if filters.q:
        pattern = contains(filters.q.strip())
        full_name = StudentRegistration.first_name + " " + StudentRegistration.last_name
        stmt = stmt.where(
            or_(full_name.ilike(pattern, escape="\\"), StudentRegistration.email.ilike(pattern, escape="\\"))
        )
    return stmt.order_by(StudentRegistration.id)


async def list_students(
    session: AsyncSession, filters: StudentFilters, limit: int, offset: int
) -> tuple[list[StudentRegistration], int]:
    return await page(session, _filtered(filters), limit, offset)


async def get_student(session: AsyncSession, student_id: int) -> StudentRegistration:
    return await get_or_404(session, StudentRegistration, student_id)


async def create_student(session: AsyncSession, data: dict[str, Any]) -> StudentRegistration:
    data["field_of_study"] = canonical_field(data["field_of_study"])
    data["country"] = canonical_country(data["country"])
    student = StudentRegistration(**data)
    session.add(student)
    await commit(session)
    await session.refresh(student)
    return student


async def update_student(session: AsyncSession, student_id: int, changes: dict[str, Any]) -> StudentRegistration:
    student = await get_student(session, student_id)
    if changes.get("field_of_study"):
        changes["field_of_study"] = canonical_field(changes["field_of_study"])
    if changes.get("country"):
        changes["country"] = canonical_country(changes["country"])
    apply_changes(student, changes)
    await commit(session)
    await session.refresh(student)
    return student


async def delete_student(session: AsyncSession, student_id: int) -> None:
    student = await get_student(session, student_id)
    await session.delete(student)
    await commit(session)
