"""The local runtime's DMS stand-in on the real embedded PostgreSQL and moto's S3: a full load of every table,
then change files (Op I/U/D) under the commit day's folder, in the layout the Terraform gives DMS, and the
registration queries over them count what the database holds."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import duckdb
from sqlalchemy import text
from tests.fixtures.moto_s3 import MotoS3

from campusbot.analytics import layout, sql
from campusbot.analytics.duck import LocalLakeEngine, S3Access
from campusbot.db.database import Database
from campusbot.local.dms import LocalDms

LAYOUT = layout.load()
TABLE = "dms/public/student_registration/"


def keys(client: Any, bucket: str, prefix: str) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))


def rows(client: Any, bucket: str, key: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t AS SELECT * FROM read_parquet(?)", [_file(body)])
    result = connection.execute("SELECT * FROM t ORDER BY id")
    return [d[0] for d in result.description or []], result.fetchall()


def _file(body: bytes) -> str:
    import tempfile

    handle = tempfile.NamedTemporaryFile(suffix=".parquet", delete=False)  # noqa: SIM115
    handle.write(body)
    handle.close()
    return handle.name


async def scalar(database: Database, statement: str, **params: Any) -> Any:
    async with database.engine.begin() as conn:
        return await conn.scalar(text(statement), params)


async def execute(database: Database, statement: str, **params: Any) -> None:
    async with database.engine.begin() as conn:
        await conn.execute(text(statement), params)


async def test_full_load_then_changes_in_dms_layout(
    seeded: Database, migrated_url: str, moto_s3: MotoS3, s3_bucket: str, unique: str
) -> None:
    client = moto_s3.client()
    dms = LocalDms(migrated_url, client, s3_bucket, LAYOUT.dms, interval=3600)
    try:
        loaded = await asyncio.to_thread(dms.full_load)
        students = await scalar(seeded, "SELECT count(*) FROM student_registration")
        assert loaded["public.student_registration"] == students
        assert keys(client, s3_bucket, TABLE) == [f"{TABLE}LOAD00000001.parquet"]
        columns, full = rows(client, s3_bucket, f"{TABLE}LOAD00000001.parquet")
        assert columns[:3] == ["Op", "dms_commit_ts", "id"] and "field_of_study" in columns
        assert {row[0] for row in full} == {"I"} and len(full) == students

        insert = (
            "INSERT INTO student_registration (first_name, last_name, email, country, field_of_study) "
            "VALUES ('Ada', 'Lovelace', :email, 'United Kingdom', 'Mathematics') RETURNING id"
        )
        kept = await scalar(seeded, insert, email=f"ada.{unique}@example.org")
        gone = await scalar(seeded, insert, email=f"ada.two.{unique}@example.org")
        assert (await asyncio.to_thread(dms.sync)).get("public.student_registration") == 2
        await execute(seeded, "UPDATE student_registration SET field_of_study = 'Physics' WHERE id = :id", id=kept)
        await execute(seeded, "DELETE FROM student_registration WHERE id = :id", id=gone)
        assert (await asyncio.to_thread(dms.sync)) == {"public.student_registration": 2}
        assert await asyncio.to_thread(dms.sync) == {}  # nothing changed since

        changes = [k for k in keys(client, s3_bucket, TABLE) if "LOAD" not in k]
        assert len(changes) == 2
        assert all(re.fullmatch(rf"{TABLE}\d{{4}}/\d{{2}}/\d{{2}}/\d{{8}}-\d{{10}}\.parquet", k) for k in changes)
        _, last = rows(client, s3_bucket, changes[-1])
        assert [(row[0], row[2]) for row in last] == [("U", kept), ("D", gone)]

        engine = LocalLakeEngine(
            f"s3://{s3_bucket}", LAYOUT, s3=S3Access("us-east-1", "testing", "testing", endpoint=moto_s3.url)
        )
        try:
            by_field = {
                r["field_of_study"]: r["students"] for r in engine.run(sql.by_name("registrations_by_field")).records()
            }
            async with seeded.engine.connect() as conn:
                expected = dict(
                    (
                        await conn.execute(text("SELECT field_of_study, count(*) FROM student_registration GROUP BY 1"))
                    ).all()
                )
            assert by_field == expected
            per_day = engine.run(sql.by_name("registrations_per_day")).records()
            assert sum(r["students"] for r in per_day) == students + 2  # every registration, the deleted one too
        finally:
            engine.close()
    finally:
        await asyncio.to_thread(dms.stop)


async def test_the_full_load_in_the_background_reaches_the_lake_then_changes_follow(
    seeded: Database, migrated_url: str, moto_s3: MotoS3, s3_bucket: str, unique: str
) -> None:
    """The local runtime starts DMS after "ready": start() returns before the full load, which still lands."""
    import dataclasses
    import time

    client = moto_s3.client()
    prefix = f"bg-{unique}"
    dms = LocalDms(migrated_url, client, s3_bucket, dataclasses.replace(LAYOUT.dms, folder=prefix), interval=0.2)
    table = f"{prefix}/public/student_registration/"
    try:
        await asyncio.to_thread(dms.start, background=True)
        deadline = time.monotonic() + 60
        while not dms.loaded and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert dms.loaded and dms.thread is not None and dms.thread.is_alive()
        students = await scalar(seeded, "SELECT count(*) FROM student_registration")
        _, full = rows(client, s3_bucket, f"{table}LOAD00000001.parquet")
        assert len(full) == students and {row[0] for row in full} == {"I"}
        await scalar(
            seeded,
            "INSERT INTO student_registration (first_name, last_name, email, country, field_of_study) "
            "VALUES ('Grace', 'Hopper', :email, 'United States', 'Mathematics') RETURNING id",
            email=f"grace.{unique}@example.org",
        )
        while time.monotonic() < deadline and not [k for k in keys(client, s3_bucket, table) if "LOAD" not in k]:
            await asyncio.sleep(0.1)
        changes = [k for k in keys(client, s3_bucket, table) if "LOAD" not in k]
        assert len(changes) == 1 and [r[0] for r in rows(client, s3_bucket, changes[0])[1]] == ["I"]
    finally:
        await asyncio.to_thread(dms.stop)
