"""Integrity errors from the real PostgreSQL become messages that name the field, never the constraint (issue 15)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from campusbot.db.database import Database
from campusbot.services.errors import Conflict, Invalid
from campusbot.services.integrity import check_fields, integrity_error

PROGRAM = (
    "INSERT INTO program (university_id, name, field_of_study, degree, tuition, language, duration_years) "
    "SELECT id, 'Integrity {name}', 'Law', {degree}, {tuition}, 'English', {years} FROM university LIMIT 1"
)


@pytest.mark.parametrize(
    ("sql", "kind", "detail"),
    [
        (PROGRAM.format(name="a", degree="'master'", tuition=100, years=0.04), Invalid, "duration_years: "),
        (PROGRAM.format(name="b", degree="'master'", tuition=250000, years=2), Invalid, "tuition: "),
        (PROGRAM.format(name="c", degree="'diploma'", tuition=1, years=2), Invalid, "degree: "),
        (PROGRAM.format(name="d", degree="NULL", tuition=1, years=2), Invalid, "degree: a value is required"),
        (
            "INSERT INTO student_registration (first_name, last_name, email, country, field_of_study) "
            "VALUES ('A', 'B', 'Upper@Example.edu', 'X', 'Law')",
            Invalid,
            "email: ",
        ),
        (
            "INSERT INTO student_registration (first_name, last_name, email, country, field_of_study) "
            "VALUES ('A', 'B', 'ana.garcia@example.edu', 'X', 'Law')",
            Conflict,
            "email 'ana.garcia@example.edu' already exists",
        ),
    ],
)
async def test_violations_name_the_field_not_the_constraint(
    seeded: Database, sql: str, kind: type[Exception], detail: str
) -> None:
    async with seeded.engine.connect() as conn:
        with pytest.raises(IntegrityError) as raised:
            await conn.execute(text(sql))
        await conn.rollback()
    error = integrity_error(raised.value)
    assert isinstance(error, kind) and error.detail.startswith(detail), error.detail
    assert "constraint" not in error.detail and "ck_" not in error.detail and "uq_" not in error.detail


async def test_every_check_constraint_in_the_database_is_known_with_its_fields(seeded: Database) -> None:
    async with seeded.engine.connect() as conn:
        names = (
            (
                await conn.execute(
                    text(
                        "SELECT conname FROM pg_constraint WHERE contype = 'c' AND conrelid <> 0 "
                        "AND connamespace = 'public'::regnamespace"
                    )
                )
            )
            .scalars()
            .all()
        )
    known = check_fields()
    assert set(names) <= set(known), sorted(set(names) - set(known))
    assert all(known[name] for name in names), {name: known[name] for name in names if not known[name]}
