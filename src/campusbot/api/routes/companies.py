"""Company registrations and their opportunities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from campusbot.api.deps import PageDep, SessionDep
from campusbot.api.params import CityQ, CountryQ, RowId, TextQ
from campusbot.api.schemas import (
    CompanyCreate,
    CompanyDetail,
    CompanyPublic,
    CompanyUpdate,
    OpportunityCreate,
    OpportunityPublic,
    OpportunityUpdate,
    Page,
)
from campusbot.services import companies

router = APIRouter(prefix="/companies", tags=["companies"])

IndustryQ = Annotated[str | None, Query(max_length=80, description="industry; synonyms accepted ('tech')")]


@router.get("", response_model=Page[CompanyPublic])
async def list_companies(
    session: SessionDep,
    page: PageDep,
    industry: IndustryQ = None,
    city: CityQ = None,
    country: CountryQ = None,
    q: TextQ = None,
) -> Page[CompanyPublic]:
    """List companies; filter by industry, city, country or a name/description fragment."""
    filters = companies.CompanyFilters(industry, city, country, q)
    rows, count = await companies.list_companies(session, filters, page.limit, page.offset)
    data = [CompanyPublic.model_validate(row) for row in rows]
    return Page(data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/{company_id}", response_model=CompanyDetail)
async def get_company(session: SessionDep, company_id: RowId) -> CompanyDetail:
    """One company with its opportunities."""
    return CompanyDetail.model_validate(await companies.get_company(session, company_id))


@router.post("", response_model=CompanyDetail, status_code=status.HTTP_201_CREATED)
async def create_company(session: SessionDep, body: CompanyCreate) -> CompanyDetail:
    """Register a company, with its opportunities (name and email must be new: 409 otherwise)."""
    return CompanyDetail.model_validate(await companies.create_company(session, body.model_dump()))


@router.patch("/{company_id}", response_model=CompanyDetail)
async def update_company(session: SessionDep, company_id: RowId, body: CompanyUpdate) -> CompanyDetail:
    """Change some fields of a company."""
    changes = body.model_dump(exclude_unset=True)
    return CompanyDetail.model_validate(await companies.update_company(session, company_id, changes))


@router.delete("/{company_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_company(session: SessionDep, company_id: RowId) -> Response:
    """Delete a company and its opportunities."""
    await companies.delete_company(session, company_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{company_id}/opportunities", response_model=OpportunityPublic, status_code=status.HTTP_201_CREATED)
async def create_opportunity(session: SessionDep, company_id: RowId, body: OpportunityCreate) -> OpportunityPublic:
    """Post an internship or job for a company."""
    opportunity = await companies.create_opportunity(session, company_id, body.model_dump())
    return OpportunityPublic.model_validate(opportunity)


@router.get("/{company_id}/opportunities/{opportunity_id}", response_model=OpportunityPublic)
async def get_opportunity(session: SessionDep, company_id: RowId, opportunity_id: RowId) -> OpportunityPublic:
    """One opportunity of a company."""
    opportunity = await companies.get_opportunity(session, company_id, opportunity_id)
    return OpportunityPublic.model_validate(opportunity)


@router.patch("/{company_id}/opportunities/{opportunity_id}", response_model=OpportunityPublic)
async def update_opportunity(
    session: SessionDep, company_id: RowId, opportunity_id: RowId, body: OpportunityUpdate
) -> OpportunityPublic:
    """Change some fields of an opportunity."""
    changes = body.model_dump(exclude_unset=True)
    opportunity = await companies.update_opportunity(session, company_id, opportunity_id, changes)
    return OpportunityPublic.model_validate(opportunity)


@router.delete("/{company_id}/opportunities/{opportunity_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_opportunity(session: SessionDep, company_id: RowId, opportunity_id: RowId) -> Response:
    """Withdraw an opportunity."""
    await companies.delete_opportunity(session, company_id, opportunity_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
