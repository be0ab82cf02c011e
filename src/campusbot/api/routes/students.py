"""Student registrations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from campusbot.api.deps import PageDep, SessionDep
from campusbot.api.params import CountryQ, FieldQ, RowId, TextQ
from campusbot.api.schemas import Page, StudentCreate, StudentPublic, StudentUpdate
from campusbot.services import students

router = APIRouter(prefix="/students", tags=["students"])


@router.get("", response_model=Page[StudentPublic])
async def list_students(
    session: SessionDep,
    page: PageDep,
    field: FieldQ = None,
    country: CountryQ = None,
    email: Annotated[str | None, Query(max_length=254)] = None,
    q: TextQ = None,
    cognito_sub: Annotated[str | None, Query(max_length=128)] = None,
) -> Page[StudentPublic]:
    """List students; filter by field, country, exact email, a name/email fragment or the owner's Cognito subject."""
    rows, count = await students.list_students(
        session, students.StudentFilters(field, country, email, q, cognito_sub), page.limit, page.offset
    )
    data = [StudentPublic.model_validate(row) for row in rows]
    return Page(data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/{student_id}", response_model=StudentPublic)
async def get_student(session: SessionDep, student_id: RowId) -> StudentPublic:
    """One student."""
    return StudentPublic.model_validate(await students.get_student(session, student_id))


@router.post("", response_model=StudentPublic, status_code=status.HTTP_201_CREATED)
async def create_student(session: SessionDep, body: StudentCreate) -> StudentPublic:
    """Register a student (the email must be new: 409 otherwise)."""
    return StudentPublic.model_validate(await students.create_student(session, body.model_dump()))


@router.patch("/{student_id}", response_model=StudentPublic)
async def update_student(session: SessionDep, student_id: RowId, body: StudentUpdate) -> StudentPublic:
    """Change some fields of a student."""
    changes = body.model_dump(exclude_unset=True)
    return StudentPublic.model_validate(await students.update_student(session, student_id, changes))


@router.delete("/{student_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_student(session: SessionDep, student_id: RowId) -> Response:
    """Delete a student's registration."""
    await students.delete_student(session, student_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
