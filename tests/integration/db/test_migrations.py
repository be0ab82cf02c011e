"""Migrations up and down on a fresh database, and the constraints the schema promises."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine
from tests.conftest import scratch_database

from campusbot.db import migrate
from campusbot.db.database import Database
from campusbot.settings import Settings

TABLES = {
    "university",
    "program",
    "student_registration",
    "company_registration",
    "opportunity",
    "document",
    "document_chunk",
}


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        names = {row[0] for row in rows}
    await engine.dispose()
    return names


async def _scalar(url: str, sql: str) -> object:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        value = await conn.scalar(text(sql))
    await engine.dispose()
    return value


async def test_upgrade_downgrade_upgrade(settings: Settings) -> None:
    url = scratch_database(settings, "migrations_roundtrip")
    migrate.upgrade(url)
    assert await _tables(url) >= TABLES
    assert await _scalar(url, "SELECT extversion FROM pg_extension WHERE extname = 'vector'") is not None
    indexdef = await _scalar(
        url, "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_document_chunk_embedding_hnsw'"
    )
    assert "hnsw" in str(indexdef) and "vector_cosine_ops" in str(indexdef)
    column = await _scalar(
        url,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = 'document_chunk'::regclass AND attname = 'embedding'",
    )
    assert column == f"vector({settings.embedding_dimensions})"

    migrate.downgrade(url, "base")
    assert not TABLES & await _tables(url)
    assert await _scalar(url, "SELECT count(*) FROM pg_extension WHERE extname = 'vector'") == 0

    migrate.upgrade(url)
    assert await _tables(url) >= TABLES
    assert await _scalar(url, "SELECT version_num FROM alembic_version") == migrate.current_head()


async def test_vector_dimension_follows_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from campusbot.settings import get_settings

    url = scratch_database(settings, "migrations_dim")
    monkeypatch.setenv("CAMPUSBOT_EMBEDDING_DIMENSIONS", "1024")
    get_settings.cache_clear()
    try:
        migrate.upgrade(url)
    finally:
        monkeypatch.delenv("CAMPUSBOT_EMBEDDING_DIMENSIONS")
        get_settings.cache_clear()
    column = await _scalar(
        url,
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = 'document_chunk'::regclass AND attname = 'embedding'",
    )
    assert column == "vector(1024)"


@pytest.mark.parametrize(
    ("sql", "constraint"),
    [
        (
            "INSERT INTO student_registration (first_name, last_name, email, country, field_of_study, gpa) "
            "VALUES ('A', 'B', 'gpa@example.edu', 'X', 'Law', 4.5)",
            "gpa_range",
        ),
        (
            "INSERT INTO student_registration (first_name, last_name, email, country, field_of_study) "
            "VALUES ('A', 'B', 'Upper@Example.edu', 'X', 'Law')",
            "email_lowercase",
        ),
        (
            "INSERT INTO university (name, country, city, world_rank) VALUES ('Neg Rank U', 'X', 'Y', 0)",
            "world_rank_positive",
        ),
        (
            "INSERT INTO program (university_id, name, field_of_study, degree, tuition, language, duration_years) "
            "SELECT id, 'Expensive', 'Law', 'master', 250000, 'English', 2 FROM university LIMIT 1",
            "tuition_range",
        ),
        (
            "INSERT INTO program (university_id, name, field_of_study, degree, tuition, language, duration_years) "
            "SELECT id, 'Odd degree', 'Law', 'diploma', 100, 'English', 2 FROM university LIMIT 1",
            "degree_known",
        ),
        (
            "INSERT INTO opportunity (company_id, title, kind, field_of_study, city, country) "
            "VALUES (2147483647, 'Orphan', 'job', 'Law', 'X', 'Y')",
            "fk_opportunity",
        ),
        (
            "INSERT INTO student_registration (first_name, last_name, email, country, field_of_study) "
            "VALUES ('A', 'B', 'ana.garcia@example.edu', 'X', 'Law')",
            "uq_student_registration_email",
        ),
    ],
)
async def test_constraints_reject_bad_rows(seeded: Database, sql: str, constraint: str) -> None:
    async with seeded.engine.connect() as conn:
        with pytest.raises(IntegrityError) as raised:
            await conn.execute(text(sql))
        await conn.rollback()
    assert constraint in str(raised.value)


async def test_deleting_a_university_cascades_to_its_programs(seeded: Database, unique: str) -> None:
    async with seeded.engine.begin() as conn:
        university_id = await conn.scalar(
            text("INSERT INTO university (name, country, city) VALUES (:n, 'X', 'Y') RETURNING id"),
            {"n": f"Cascade U {unique}"},
        )
        await conn.execute(
            text(
                "INSERT INTO program (university_id, name, field_of_study, degree, tuition, language, duration_years) "
                "VALUES (:u, 'P', 'Law', 'bachelor', 0, 'English', 3)"
            ),
            {"u": university_id},
        )
        await conn.execute(text("DELETE FROM university WHERE id = :u"), {"u": university_id})
        left = await conn.scalar(text("SELECT count(*) FROM program WHERE university_id = :u"), {"u": university_id})
    assert left == 0


def test_head_from_the_revision_headers_is_alembics_head() -> None:
    assert migrate.current_head_fast() == migrate.current_head()


async def test_upgrade_at_head_is_a_no_op_and_an_old_schema_still_migrates(settings: Settings) -> None:
    url = scratch_database(settings, "migrations_fast_path")
    assert migrate.upgrade(url) is True  # a fresh database: every migration ran
    assert migrate.upgrade(url) is False  # at head: one query, nothing ran

    migrate.downgrade(url, "0003_student_identity")  # an older schema (before the document versions)
    served = (
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'document' AND column_name = 'served_etag'"
    )
    assert await _scalar(url, served) == 0
    assert migrate.upgrade(url) is True
    assert await _scalar(url, served) == 1
    assert await _scalar(url, "SELECT version_num FROM alembic_version") == migrate.current_head()
    assert migrate.upgrade(url) is False


def test_the_no_op_upgrade_loads_no_migration_code(settings: Settings) -> None:
    """At head neither Alembic's commands nor its environment (the models) nor a revision module is imported."""
    import subprocess
    import sys

    url = scratch_database(settings, "migrations_no_import")
    migrate.upgrade(url)
    probe = (
        "import sys; from campusbot.db import migrate; "
        f"assert migrate.upgrade({url!r}) is False; "
        "print(sorted(m for m in sys.modules if m.startswith(('alembic', 'campusbot.db.models')) "
        "or 'document_versions' in m))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
