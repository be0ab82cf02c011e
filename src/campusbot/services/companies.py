"""Company registrations and the opportunities (internships, jobs) they post."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from campusbot.bot.vocabulary import canonical_country, canonical_field, canonical_industry
from campusbot.db.models import CompanyRegistration, Opportunity
from campusbot.services.common import apply_changes, commit, contains, get_or_404, page
from campusbot.services.errors import NotFound


@dataclass(frozen=True)
class CompanyFilters:
    industry: str | None = None
    city: str | None = None
    country: str | None = None
    q: str | None = None


@dataclass(frozen=True)
class OpportunityFilters:
    field_of_study: str | None = None
    industry: str | None = None
    city: str | None = None
    country: str | None = None
    kind: str | None = None
    remote: bool | None = None
    q: str | None = None


def _companies(filters: CompanyFilters) -> Select[CompanyRegistration]:
    stmt = select(CompanyRegistration)
    if filters.industry:
        industry = canonical_industry(filters.industry).lower()
        stmt = stmt.where(func.lower(CompanyRegistration.industry) == industry)
    if filters.city:
        stmt = stmt.where(func.lower(CompanyRegistration.city) == filters.city.strip().lower())
    if filters.country:
        stmt = stmt.where(func.lower(CompanyRegistration.country) == canonical_country(filters.country).lower())
    if filters.q:
        pattern = contains(filters.q.strip())
        stmt = stmt.where(
            or_(
                CompanyRegistration.name.ilike(pattern, escape="\\"),
                CompanyRegistration.description.ilike(pattern, escape="\\"),
            )
        )
    return stmt.order_by(CompanyRegistration.id)


async def list_companies(
    session: AsyncSession, filters: CompanyFilters, limit: int, offset: int
) -> tuple[list[CompanyRegistration], int]:
    return await page(session, _companies(filters), limit, offset)


async def get_company(session: AsyncSession, company_id: int) -> CompanyRegistration:
    return await get_or_404(session, CompanyRegistration, company_id, selectinload(CompanyRegistration.opportunities))


async def create_company(session: AsyncSession, data: dict[str, Any]) -> CompanyRegistration:
    data["industry"] = canonical_industry(data["industry"])
    opportunities = [Opportunity(**item) for item in data.pop("opportunities", [])]
    company = CompanyRegistration(**data, opportunities=opportunities)
    session.add(company)
    await commit(session)
    return await get_company(session, company.id)


async def update_company(session: AsyncSession, company_id: int, changes: dict[str, Any]) -> CompanyRegistration:
    company = await get_company(session, company_id)
    if changes.get("industry"):
        changes["industry"] = canonical_industry(changes["industry"])
    apply_changes(company, changes)
    await commit(session)
    session.expire(company)
    return await get_company(session, company_id)


async def delete_company(session: AsyncSession, company_id: int) -> None:
    company = await get_or_404(session, CompanyRegistration, company_id)
    await session.delete(company)
    await commit(session)


async def get_opportunity(session: AsyncSession, company_id: int, opportunity_id: int) -> Opportunity:
    opportunity = await session.get(Opportunity, opportunity_id)
    if opportunity is None or opportunity.company_id != company_id:
        raise NotFound(f"opportunity of company {company_id}", opportunity_id)
    return opportunity


async def create_opportunity(session: AsyncSession, company_id: int, data: dict[str, Any]) -> Opportunity:
    await get_or_404(session, CompanyRegistration, company_id)
    opportunity = Opportunity(company_id=company_id, **data)
    session.add(opportunity)
    await commit(session)
    await session.refresh(opportunity)
    return opportunity


async def update_opportunity(
    session: AsyncSession, company_id: int, opportunity_id: int, changes: dict[str, Any]
) -> Opportunity:
    opportunity = await get_opportunity(session, company_id, opportunity_id)
    apply_changes(opportunity, changes)
    await commit(session)
    await session.refresh(opportunity)
    return opportunity


async def delete_opportunity(session: AsyncSession, company_id: int, opportunity_id: int) -> None:
    opportunity = await get_opportunity(session, company_id, opportunity_id)
    await session.delete(opportunity)
    await commit(session)


async def search_opportunities(
    session: AsyncSession, filters: OpportunityFilters, limit: int, offset: int
) -> tuple[list[Row[Opportunity, str, str]], int]:
    """Opportunities across companies, newest first, each with its company's name and industry."""
    stmt = select(Opportunity, CompanyRegistration.name.label("company_name"), CompanyRegistration.industry).join(
        CompanyRegistration, Opportunity.company_id == CompanyRegistration.id
    )
    if filters.field_of_study:
        field = canonical_field(filters.field_of_study).lower()
        stmt = stmt.where(func.lower(Opportunity.field_of_study) == field)
    if filters.industry:
        industry = canonical_industry(filters.industry).lower()
        stmt = stmt.where(func.lower(CompanyRegistration.industry) == industry)
    if filters.city:
        stmt = stmt.where(func.lower(Opportunity.city) == filters.city.strip().lower())
    if filters.country:
        stmt = stmt.where(func.lower(Opportunity.country) == canonical_country(filters.country).lower())
    if filters.kind:
        stmt = stmt.where(Opportunity.kind == filters.kind)
    if filters.remote is not None:
        stmt = stmt.where(Opportunity.remote == filters.remote)
    if filters.q:
        pattern = contains(filters.q.strip())
        stmt = stmt.where(
            or_(
                Opportunity.title.ilike(pattern, escape="\\"),
                Opportunity.description.ilike(pattern, escape="\\"),
            )
        )
    stmt = stmt.order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = (await session.execute(stmt.limit(limit).offset(offset))).all()
    return list(rows), int(total or 0)
