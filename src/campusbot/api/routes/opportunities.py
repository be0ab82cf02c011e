"""Opportunities across all companies: what FindOpportunities answers from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from campusbot.api.deps import PageDep, SessionDep
from campusbot.api.params import CityQ, CountryQ, FieldQ, TextQ
from campusbot.api.schemas import OpportunityPublic, OpportunityWithCompany, Page
from campusbot.services import companies

router = APIRouter(prefix="/opportunities", tags=["opportunities"])


@router.get("", response_model=Page[OpportunityWithCompany])
async def search_opportunities(
    session: SessionDep,
    page: PageDep,
    field: FieldQ = None,
    industry: Annotated[str | None, Query(max_length=80)] = None,
    city: CityQ = None,
    country: CountryQ = None,
    kind: Annotated[str | None, Query(pattern="^(internship|job)$")] = None,
    remote: bool | None = None,
    q: TextQ = None,
) -> Page[OpportunityWithCompany]:
    """Internships and jobs by field, industry, city, country, kind, remote or text."""
    filters = companies.OpportunityFilters(field, industry, city, country, kind, remote, q)
    rows, count = await companies.search_opportunities(session, filters, page.limit, page.offset)
    data = [
        OpportunityWithCompany(
            **OpportunityPublic.model_validate(row[0]).model_dump(), company_name=row[1], industry=row[2]
        )
        for row in rows
    ]
    return Page(data=data, count=count, limit=page.limit, offset=page.offset)
