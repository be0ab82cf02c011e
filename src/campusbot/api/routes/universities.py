"""Universities, their programs, and recommendations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from campusbot.api.deps import PageDep, SessionDep
from campusbot.api.params import CityQ, CountryQ, DegreeQ, FieldQ, MaxTuitionQ, RowId, TextQ
from campusbot.api.schemas import (
    Page,
    ProgramCreate,
    ProgramPublic,
    ProgramUpdate,
    Recommendation,
    Recommendations,
    TuitionSummary,
    UniversityCreate,
    UniversityDetail,
    UniversityPublic,
    UniversityUpdate,
)
from campusbot.services import recommendations, universities

router = APIRouter(prefix="/universities", tags=["universities"])


@router.get("", response_model=Page[UniversityPublic])
async def list_universities(
    session: SessionDep,
    page: PageDep,
    field: FieldQ = None,
    country: CountryQ = None,
    city: CityQ = None,
    max_tuition: MaxTuitionQ = None,
    degree: DegreeQ = None,
    q: TextQ = None,
) -> Page[UniversityPublic]:
    """List universities, best ranked first; field/max_tuition/degree filter on their programs."""
    filters = universities.UniversityFilters(field, country, city, max_tuition, degree, q)
    rows, count = await universities.list_universities(session, filters, page.limit, page.offset)
    data = [UniversityPublic.model_validate(row) for row in rows]
    return Page(data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/recommendations", response_model=Recommendations)
async def recommend(
    session: SessionDep,
    field: Annotated[str, Query(min_length=1, max_length=80, description="field of study (required)")],
    country: CountryQ = None,
    max_tuition: MaxTuitionQ = None,
    student_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    degree: DegreeQ = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
    region: Annotated[
        str | None, Query(max_length=40, description="a part of the world ('Europe', 'Latin America'); country wins")
    ] = None,
    order: Annotated[
        str | None, Query(pattern="^(cheapest|best_ranked)$", description="cheapest or best_ranked first")
    ] = None,
) -> Recommendations:
    """Universities ranked for a field, country or region, budget and (with student_id) a student's GPA and
    interests; `order` puts the cheapest or the best ranked first."""
    query = recommendations.RecommendationQuery(
        field, country, max_tuition, student_id, degree, limit, region=region, order=order
    )
    result = await recommendations.recommend(session, query)
    return Recommendations(
        field_of_study=result.field_of_study,
        country=result.country,
        max_tuition=result.max_tuition,
        student_id=result.student.id if result.student else None,
        region=result.region,
        order=result.order,
        data=[
            Recommendation(
                university=UniversityPublic.model_validate(r.university),
                program=ProgramPublic.model_validate(r.program),
                score=r.score,
                reasons=r.reasons,
            )
            for r in result.ranked
        ],
    )


@router.get("/by-name", response_model=UniversityDetail, responses={404: {"description": "no university has it"}})
async def get_by_name(
    session: SessionDep, name: Annotated[str, Query(min_length=2, max_length=200)]
) -> UniversityDetail:
    """The university with this name (exact, else the best-ranked one whose name contains it)."""
    return UniversityDetail.model_validate(await universities.find_by_name(session, name))


@router.get("/tuition", response_model=TuitionSummary)
async def tuition(
    session: SessionDep,
    country: Annotated[str, Query(min_length=2, max_length=80, description="country name ('Netherlands')")],
    field: FieldQ = None,
    degree: DegreeQ = None,
) -> TuitionSummary:
    """What studying in a country costs per year: lowest, median and highest tuition over its programs."""
    summary = await universities.tuition_summary(session, country, field, degree)
    return TuitionSummary.model_validate(summary, from_attributes=True)


@router.get("/{university_id}", response_model=UniversityDetail)
async def get_university(session: SessionDep, university_id: RowId) -> UniversityDetail:
    """One university with its programs."""
    return UniversityDetail.model_validate(await universities.get_university(session, university_id))


@router.post("", response_model=UniversityDetail, status_code=status.HTTP_201_CREATED)
async def create_university(session: SessionDep, body: UniversityCreate) -> UniversityDetail:
    """Create a university, with its programs."""
    university = await universities.create_university(session, body.model_dump())
    return UniversityDetail.model_validate(university)


@router.patch("/{university_id}", response_model=UniversityDetail)
async def update_university(session: SessionDep, university_id: RowId, body: UniversityUpdate) -> UniversityDetail:
    """Change some fields of a university."""
    changes = body.model_dump(exclude_unset=True)
    return UniversityDetail.model_validate(await universities.update_university(session, university_id, changes))


@router.delete("/{university_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_university(session: SessionDep, university_id: RowId) -> Response:
    """Delete a university and its programs."""
    await universities.delete_university(session, university_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{university_id}/programs", response_model=ProgramPublic, status_code=status.HTTP_201_CREATED)
async def create_program(session: SessionDep, university_id: RowId, body: ProgramCreate) -> ProgramPublic:
    """Add a program to a university."""
    program = await universities.create_program(session, university_id, body.model_dump())
    return ProgramPublic.model_validate(program)


@router.get("/{university_id}/programs/{program_id}", response_model=ProgramPublic)
async def get_program(session: SessionDep, university_id: RowId, program_id: RowId) -> ProgramPublic:
    """One program of a university."""
    return ProgramPublic.model_validate(await universities.get_program(session, university_id, program_id))


@router.patch("/{university_id}/programs/{program_id}", response_model=ProgramPublic)
async def update_program(
    session: SessionDep, university_id: RowId, program_id: RowId, body: ProgramUpdate
) -> ProgramPublic:
    """Change some fields of a program."""
    changes = body.model_dump(exclude_unset=True)
    program = await universities.update_program(session, university_id, program_id, changes)
    return ProgramPublic.model_validate(program)


@router.delete("/{university_id}/programs/{program_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_program(session: SessionDep, university_id: RowId, program_id: RowId) -> Response:
    """Remove a program from a university."""
    await universities.delete_program(session, university_id, program_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
