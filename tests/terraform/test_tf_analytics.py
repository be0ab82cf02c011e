"""The lake contract: the Glue table describes the chat event record, and the named queries
(src/campusbot/analytics/queries/*.sql, one Athena named query each) stay portable between
Athena (Trino) and DuckDB."""

from __future__ import annotations

import re

from tests.terraform.tf_hcl import MODULES, REPO, STACKS, expr, locals_, resources, unquote

QUERIES = REPO / "src" / "campusbot" / "analytics" / "queries"

CHAT_EVENT = {
    "event_id": "string",
    "occurred_at": "string",
    "session_id": "string",
    "env": "string",
    "channel": "string",
    "intent": "string",
    "nlu_confidence": "double",
    "state": "string",
    "answer_source": "string",
    "slots": "string",
    "message_chars": "int",
    "latency_ms": "int",
    "error": "string",
}

# Spelled differently (or missing) in one of the two engines.
NOT_PORTABLE = [
    "approx_percentile",
    "approx_quantile",
    "quantile_cont",
    "percentile_cont",
    "date_parse",
    "strftime",
    "strptime",
    "date_format",
    "from_iso8601",
    "json_extract",
    "::",
    "ilike",
    "regexp_like",
]


def columns() -> dict[str, str]:
    found = re.findall(r'\{ name = "(\w+)", type = "(\w+)"', (MODULES / "glue_catalog" / "main.tf").read_text())
    return dict(found)


def test_glue_table_describes_the_chat_event_record() -> None:
    assert columns() == CHAT_EVENT


def test_glue_table_projects_dt_partitions_under_chat_events() -> None:
    table = resources(MODULES / "glue_catalog")["aws_glue_catalog_table.chat_events"]
    params = {unquote(k): unquote(v) for k, v in table["parameters"].items() if not k.startswith("__")}
    assert params["projection.enabled"] == "true"
    assert params["projection.dt.type"] == "date"
    assert params["projection.dt.format"] == "yyyy-MM-dd"
    assert params["storage.location.template"].endswith("dt=$${dt}/")
    assert [unquote(k["name"]) for k in table["partition_keys"]] == ["dt"]
    assert unquote(table["name"]) == "${var.chat_events_table_name}"
    prefix = locals_(MODULES / "glue_catalog")  # the chat events prefix is a variable of the module
    assert "chat_columns" in prefix


def test_there_are_three_to_five_named_queries() -> None:
    files = sorted(QUERIES.glob("*.sql"))
    assert 3 <= len(files) <= 5


def test_each_query_is_named_described_and_portable() -> None:
    for sql_file in sorted(QUERIES.glob("*.sql")):
        text = sql_file.read_text()
        lines = text.splitlines()
        assert lines[0] == f"-- name: {sql_file.stem}", sql_file.name
        assert lines[1].startswith("-- description: ") and len(lines[1]) > 20, sql_file.name
        body = "\n".join(line for line in lines if not line.startswith("--")).lower()
        assert re.search(r"\bfrom\s+chat_events\b", body), f"{sql_file.name} must query chat_events"
        assert not re.search(r"\b(join|from)\s+(?!chat_events\b)\w", body), f"{sql_file.name} reads another table"
        for construct in NOT_PORTABLE:
            assert construct not in body, f"{sql_file.name} uses {construct}, which one engine lacks"
        assert ";" not in body, f"{sql_file.name}: Athena runs exactly one statement, without ';'"


def test_queries_only_use_columns_of_the_record() -> None:
    known = set(CHAT_EVENT) | {"dt"}
    for sql_file in sorted(QUERIES.glob("*.sql")):
        body = "\n".join(line for line in sql_file.read_text().splitlines() if not line.startswith("--"))
        identifiers = set(re.findall(r"\b([a-z_]+)\b", body.lower()))
        columns_used = {i for i in identifiers if "_" in i or i in known}
        aliases = set(re.findall(r"\bas\s+([a-z_]+)", body.lower()))
        unknown = columns_used - known - aliases - {"chat_events"}
        assert not unknown, f"{sql_file.name}: unknown identifiers {sorted(unknown)}"


def test_athena_creates_one_named_query_per_file() -> None:
    found = locals_(MODULES / "athena")
    assert 'fileset(var.queries_dir, "*.sql")' in expr(found["query_files"])
    query = resources(MODULES / "athena")["aws_athena_named_query.this"]
    assert expr(query["for_each"]) == "local.queries"
    analytics = locals_(STACKS / "analytics")
    path = unquote(analytics["queries_dir"]).replace("${path.module}", str(STACKS / "analytics"))
    assert (STACKS / "analytics" / path).resolve() == QUERIES.resolve()
