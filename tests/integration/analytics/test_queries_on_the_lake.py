"""Every named query on DuckDB over a lake in AWS's layout, with counts known in advance: chat events as
Firehose writes them (gzip objects under chat-events/dt=…/, plus a plain object as the local batching writer
writes it, and a malformed line), and the DMS output (full load, then changes with Op). The same lake is read
from a folder and from moto's S3 through DuckDB's httpfs extension (loaded from its wheel)."""

from __future__ import annotations

import gzip
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.fixtures.moto_s3 import MotoS3

from campusbot.analytics import lakefiles, layout, sql
from campusbot.analytics.duck import LocalLakeEngine, S3Access
from campusbot.analytics.engine import run_all
from campusbot.analytics.events import ChatEvent
from campusbot.local.dms import Column, parquet_bytes

DAY1, DAY2 = "2026-03-02", "2026-03-03"
LAYOUT = layout.load()


def turn(day: str, session: str, intent: str | None, source: str = "database", **extra: Any) -> ChatEvent:
    hour = extra.pop("hour", 10)
    return ChatEvent.create(
        session_id=session, env="test", channel="web", intent=intent, nlu_confidence=0.9 if intent else None,
        state=extra.pop("state", "Fulfilled" if intent else None), answer_source=source, slots={},
        message_chars=20, latency_ms=extra.pop("latency", 100),
        now=datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00"), **extra,
    )  # fmt: skip


def universities(*names: str) -> list[dict[str, Any]]:
    return [{"kind": "university", "id": i, "title": n} for i, n in enumerate(names)]


RECOMMEND_A = turn(DAY1, "A", "RecommendUniversity", sources=universities("TUM", "LMU", "Heidelberg"), latency=100)
GENERAL_B = turn(DAY1, "B", "FallbackIntent", "general", message="Where can I park my bike?", latency=900)
RECOMMEND_D = turn(DAY2, "D", "RecommendUniversity", sources=universities("TUM", "ETH Zurich"), latency=200)
TURNS = [
    RECOMMEND_A,
    turn(DAY1, "A", "Greeting", latency=10),
    GENERAL_B,
    turn(DAY1, "B", "FallbackIntent", "none", message="where can i park my  bike", latency=1100),
    turn(DAY1, "C", None, "none", error="ThrottlingException", latency=5),
    RECOMMEND_D,
    turn(DAY2, "D", "FallbackIntent", "documents", message="winter intake deadline", latency=500),
]
LATE_TURN = turn(DAY2, "E", "FallbackIntent", "none", message="Is there a gym?", latency=300, hour=23)


def feedback(rated: ChatEvent, rating: int, day: str) -> ChatEvent:
    now = datetime.fromisoformat(f"{day}T12:00:00+00:00")
    return ChatEvent.feedback(
        rated_event_id=rated.event_id, rating=rating, session_id=rated.session_id, env="test", channel="web", now=now
    )


FEEDBACK = [feedback(RECOMMEND_A, 1, DAY1), feedback(GENERAL_B, -1, DAY1), feedback(RECOMMEND_D, 1, DAY2)]

STUDENT_COLUMNS = [Column("id", "integer"), Column("field_of_study", "character varying"),
                   Column("created_at", "timestamp with time zone")]  # fmt: skip
COMPANY_COLUMNS = [Column("id", "integer"), Column("created_at", "timestamp with time zone")]


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


def build_lake(root: Path) -> None:
    lakefiles.write_events(root, LAYOUT.chat_events, [*TURNS, *FEEDBACK[:2]])
    # gzip under a name without .gz (whoever wrote it): read by its magic bytes
    unnamed = root / LAYOUT.chat_events.day_prefix(DAY2) / lakefiles.object_name(DAY2, "12:00:00", compressed=False)
    unnamed.write_bytes(gzip.compress(FEEDBACK[2].to_json_line().encode()))
    # the local batching writer's plain JSON object, with a line Firehose would have delivered broken
    plain = root / LAYOUT.chat_events.day_prefix(DAY2) / "233000000-batch.json"
    plain.write_text(LATE_TURN.to_json_line() + '{"event_id": "broken\n')
    dms = LAYOUT.dms
    students = [(1, "Medicine", at(DAY1)), (2, "Medicine", at(DAY1)), (3, "Law", at(DAY2))]
    full_load = parquet_bytes(STUDENT_COLUMNS, [("I", row) for row in students], dms, at(DAY2, 10))
    changes = [("U", (2, "Computer Science", at(DAY1))), ("D", (3, "Law", at(DAY2))), ("I", (4, "Law", at(DAY2, 15)))]
    cdc = parquet_bytes(STUDENT_COLUMNS, changes, dms, at(DAY2, 16))
    companies = parquet_bytes(COMPANY_COLUMNS, [("I", (1, at(DAY2)))], dms, at(DAY2, 10))
    for key, body in [
        (dms.full_load_key("public", "student_registration", 1), full_load),
        (dms.cdc_key("public", "student_registration", at(DAY2, 16)), cdc),
        (dms.full_load_key("public", "company_registration", 1), companies),
    ]:
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(body)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lake")
    build_lake(root)
    return root


def results(engine: LocalLakeEngine) -> dict[str, list[dict[str, Any]]]:
    found = run_all(engine, sql.load_all())
    assert not [r.error for r in found if r.error]
    for result in found:
        assert result.columns == result.query.column_names, result.query.name
    return {r.query.name: r.records() for r in found}


def check_counts(found: dict[str, list[dict[str, Any]]]) -> None:
    assert found["daily_turns"] == [
        {"day": DAY1, "turns": 5, "sessions": 3},
        {"day": DAY2, "turns": 3, "sessions": 2},
    ]
    assert found["unanswered_rate"] == [
        {"day": DAY1, "turns": 5, "fallback_turns": 2, "fallback_rate": 0.4, "dont_know_turns": 1,
         "dont_know_rate": 0.2},
        {"day": DAY2, "turns": 3, "fallback_turns": 2, "fallback_rate": 0.6667, "dont_know_turns": 1,
         "dont_know_rate": 0.3333},
    ]  # fmt: skip
    intents = {r["intent"]: r["turns"] for r in found["intent_distribution"]}
    assert intents == {"FallbackIntent": 4, "RecommendUniversity": 2, "Greeting": 1, "(failed turn)": 1}
    sources = {(r["day"], r["answer_source"]): r["answers"] for r in found["answer_sources"]}
    assert sources == {
        (DAY1, "database"): 2, (DAY1, "general"): 1, (DAY1, "none"): 1,
        (DAY2, "database"): 1, (DAY2, "documents"): 1, (DAY2, "none"): 1,
    }  # fmt: skip
    questions = {r["question"]: (r["times_asked"], r["answered_from_general_knowledge"], r["last_asked"])
                 for r in found["top_unanswered_questions"]}  # fmt: skip
    assert questions == {"where can i park my bike": (2, 1, DAY1), "is there a gym": (1, 0, DAY2)}
    assert found["feedback_by_intent"] == [
        {"intent": "RecommendUniversity", "answer_source": "database", "ratings": 2, "thumbs_up": 2, "thumbs_down": 0,
         "thumbs_up_pct": 100.0},
        {"intent": "FallbackIntent", "answer_source": "general", "ratings": 1, "thumbs_up": 0, "thumbs_down": 1,
         "thumbs_up_pct": 0.0},
    ]  # fmt: skip
    latency = {r["intent"]: r for r in found["latency_by_intent"]}
    assert (latency["Greeting"]["p50_ms"], latency["Greeting"]["p95_ms"], latency["Greeting"]["max_ms"]) == (10, 10, 10)
    assert latency["FallbackIntent"]["max_ms"] == 1100 and latency["FallbackIntent"]["turns"] == 4
    assert found["errors_by_day"] == [{"day": DAY1, "error": "ThrottlingException", "turns": 1}]
    recommended = {r["university"]: r["recommendations"] for r in found["most_recommended_universities"]}
    assert recommended == {"TUM": 2, "LMU": 1, "Heidelberg": 1, "ETH Zurich": 1}
    assert found["registrations_per_day"] == [
        {"day": DAY1, "students": 2, "companies": 0},
        {"day": DAY2, "students": 2, "companies": 1},
    ]
    fields = {r["field_of_study"]: r["students"] for r in found["registrations_by_field"]}
    assert fields == {"Medicine": 1, "Computer Science": 1, "Law": 1}  # 2 changed field, 3 deleted, 4 new


def test_every_query_counts_what_the_lake_holds(lake: Path) -> None:
    engine = LocalLakeEngine(str(lake), LAYOUT)
    try:
        check_counts(results(engine))
        assert engine.dms_tables == ["dms_company_registration", "dms_student_registration"]
    finally:
        engine.close()


def test_since_reads_only_the_day_partitions_from_that_day_on(lake: Path) -> None:
    engine = LocalLakeEngine(str(lake), LAYOUT, since=date.fromisoformat(DAY2))
    try:
        assert [p.day for p in engine.partitions] == [DAY2]
        assert all(f"dt={DAY2}/" in file for file in engine.files)
        daily = engine.run(sql.by_name("daily_turns")).records()
        assert daily == [{"day": DAY2, "turns": 3, "sessions": 2}]
    finally:
        engine.close()


def test_an_empty_lake_gives_empty_results_and_says_what_is_missing(tmp_path: Path) -> None:
    engine = LocalLakeEngine(str(tmp_path), LAYOUT)
    try:
        found = run_all(engine, sql.load_all())
        chat = [r for r in found if r.query.reads_chat_events]
        assert chat and all(r.rows == [] and r.error is None for r in chat)
        dms = [r for r in found if not r.query.reads_chat_events]
        assert dms and all(r.error and "not in the lake yet" in r.error for r in dms)
    finally:
        engine.close()


def test_the_same_lake_in_s3_is_read_through_httpfs(lake: Path, moto_s3: MotoS3, s3_bucket: str) -> None:
    client = moto_s3.client()
    for path in sorted(p for p in lake.rglob("*") if p.is_file()):
        client.put_object(Bucket=s3_bucket, Key=path.relative_to(lake).as_posix(), Body=path.read_bytes())
    access = S3Access(region="us-east-1", key_id="testing", secret="testing", endpoint=moto_s3.url)
    engine = LocalLakeEngine(f"s3://{s3_bucket}", LAYOUT, s3=access)
    try:
        check_counts(results(engine))
        assert all(file.startswith(f"s3://{s3_bucket}/chat-events/dt=") for file in engine.files)
    finally:
        engine.close()


def test_firehose_objects_are_named_as_firehose_names_them(lake: Path) -> None:
    names = [p.name for p in (lake / LAYOUT.chat_events.day_prefix(DAY1)).iterdir()]
    assert len(names) == 1 and names[0].startswith(f"{lakefiles.STREAM}-1-{DAY1}-10-00-00-")
    assert names[0].endswith(".gz")
