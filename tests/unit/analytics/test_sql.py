"""The query files' headers, Trino parsing, the --since rewrite for Athena, and the layout read from Terraform."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from campusbot.analytics import layout, sql
from campusbot.cli.analytics import RESERVED, parse_since

GOOD = """-- name: q
-- description: Something worth reading per day.
-- title: Q
-- order: 5
-- chart: bar x=day y=turns
-- columns: day:STRING, turns:INTEGER
SELECT SUBSTR(occurred_at, 1, 10) AS day, COUNT(*) AS turns FROM chat_events GROUP BY 1
"""


def test_a_good_file_parses() -> None:
    query = sql.parse_file("q.sql", GOOD)
    assert (query.order, query.chart, query.column_names) == (5, sql.Chart("bar", "day", ("turns",)), ["day", "turns"])
    assert query.reads_chat_events and "STRFTIME" not in query.duckdb_sql()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("-- name: q", "-- name: other"), "must be the file's name"),
        (("-- chart: bar x=day y=turns", "-- chart: pie x=day y=turns"), "is not one of"),
        (("-- chart: bar x=day y=turns", "-- chart: bar x=day y=nope"), "not in -- columns"),
        (("turns:INTEGER", "turns:NUMBER"), "is not name:TYPE"),
        (("GROUP BY 1", "GROUP BY 1; SELECT 2"), "exactly one statement"),
        (("SELECT SUBSTR", "SELEC SUBSTR"), "not valid Trino"),
        (("-- title: Q\n", ""), "the header lacks title"),
    ],
)
def test_a_bad_file_says_what_is_wrong(change: tuple[str, str], message: str) -> None:
    with pytest.raises(sql.QueryError, match=message):
        sql.parse_file("q.sql", GOOD.replace(*change))


def test_since_puts_the_partition_predicate_in_front_of_the_query() -> None:
    query = sql.by_name("registrations_per_day")  # reads no chat events: unchanged
    assert query.athena_sql("db", date(2026, 1, 1)) == query.sql
    rewritten = sql.by_name("feedback_by_intent").athena_sql("db", date(2026, 1, 1))
    assert rewritten.startswith('WITH chat_events AS (\n  SELECT\n    *\n  FROM "db"."chat_events"')
    assert "dt >= '2026-01-01'" in rewritten
    with_ctes = sql.by_name("registrations_by_field").tree()
    assert "latest" in sql.restrict_chat_events(with_ctes, date(2026, 1, 1), "db").sql(dialect="trino")


def test_no_query_takes_a_reserved_word_of_the_cli() -> None:
    assert not {q.name for q in sql.load_all()} & set(RESERVED)


def test_since_takes_days_spans_and_dates() -> None:
    today = date(2026, 11, 25)
    assert parse_since("7d", today) == date(2026, 11, 19)
    assert parse_since("2w", today) == date(2026, 11, 12)
    assert parse_since("2026-11-01", today) == date(2026, 11, 1)
    assert parse_since(None, today) is None


def test_the_layout_is_what_the_terraform_gives_firehose_dms_and_glue() -> None:
    lake = layout.load()
    assert lake.chat_events.day_prefix("2026-11-25") == "chat-events/dt=2026-11-25/"
    assert lake.chat_events.compression == "GZIP"
    dms = lake.dms
    assert (dms.folder, dms.schemas, dms.data_format, dms.timestamp_column) == (
        "dms",
        ("public",),
        "parquet",
        "dms_commit_ts",
    )
    assert dms.full_load_key("public", "university", 10) == "dms/public/university/LOAD0000000A.parquet"
    moment = datetime(2026, 11, 25, 11, 34, 1, 123456)
    assert dms.cdc_key("public", "university", moment) == "dms/public/university/2026/11/25/20261125-1134011234.parquet"
    assert dms.glue_table("university") == "dms_university"
