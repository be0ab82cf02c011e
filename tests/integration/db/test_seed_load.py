"""The seed loader on the real database: idempotent, reset rebuilds, user rows survive a plain load."""

from __future__ import annotations

from sqlalchemy import text
from tests.conftest import scratch_database

from campusbot.bootstrap import build_database
from campusbot.db import migrate
from campusbot.db.database import Database
from campusbot.db.seed.data import build_seed
from campusbot.db.seed.load import load
from campusbot.settings import Settings


async def _count(db: Database, table: str) -> int:
    async with db.engine.connect() as conn:
        return int(await conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


async def test_loading_twice_changes_nothing_and_reset_rebuilds(settings: Settings) -> None:
    url = scratch_database(settings, "seed_idempotence")
    migrate.upgrade(url)
    db = build_database(settings, url)
    data = build_seed()
    try:
        first = await load(db.engine, data)
        counts = data.counts()
        for table, expected in counts.items():
            assert first.tables[table].inserted == expected
            assert await _count(db, table) == expected

        async with db.engine.connect() as conn:
            stamp = await conn.scalar(text("SELECT max(updated_at) FROM university"))
        second = await load(db.engine, data)
        assert not second.changed
        assert all(t.unchanged == counts[name] for name, t in second.tables.items())
        async with db.engine.connect() as conn:
            assert await conn.scalar(text("SELECT max(updated_at) FROM university")) == stamp

        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO student_registration (first_name, last_name, email, country, field_of_study) "
                    "VALUES ('Kept', 'User', 'kept.user@example.net', 'Chile', 'Law')"
                )
            )
            await conn.execute(text("UPDATE university SET city = 'Elsewhere' WHERE name = 'ETH Zurich'"))
        third = await load(db.engine, data)
        assert third.tables["university"].updated == 1 and third.tables["university"].inserted == 0
        assert await _count(db, "student_registration") == counts["student_registration"] + 1

        rebuilt = await load(db.engine, data, reset=True)
        assert rebuilt.tables["student_registration"].inserted == counts["student_registration"]
        assert await _count(db, "student_registration") == counts["student_registration"]
    finally:
        await db.dispose()


async def test_a_different_seed_adds_rows_without_breaking_keys(settings: Settings) -> None:
    url = scratch_database(settings, "seed_other")
    migrate.upgrade(url)
    db = build_database(settings, url)
    try:
        await load(db.engine, build_seed(1))
        report = await load(db.engine, build_seed(2))
        assert report.tables["university"].inserted > 0
    finally:
        await db.dispose()
