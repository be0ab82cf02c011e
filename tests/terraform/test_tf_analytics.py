"""The lake contract: the Glue table and the QuickSight data set describe the chat event record (the
ChatEvent dataclass), and the named queries (src/campusbot/analytics/queries/*.sql, one Athena named query
each) are single Trino statements over the lake's tables."""

from __future__ import annotations

import dataclasses
import re
import typing

from sqlglot import exp

from campusbot.analytics import sql
from campusbot.analytics.events import ChatEvent
from tests.terraform.tf_hcl import MODULES, REPO, STACKS, expr, locals_, resources, unquote

QUERIES = REPO / "src" / "campusbot" / "analytics" / "queries"

GLUE_TYPES = {str: "string", int: "int", float: "double"}
QUICKSIGHT_TYPES = {str: "STRING", int: "INTEGER", float: "DECIMAL"}


def record_columns(types: dict[type, str]) -> dict[str, str]:
    """The ChatEvent dataclass's fields as the given type names (Optional[X] is X)."""
    hints = typing.get_type_hints(ChatEvent)
    columns = {}
    for item in dataclasses.fields(ChatEvent):
        base = [t for t in typing.get_args(hints[item.name]) if t is not type(None)] or [hints[item.name]]
        columns[item.name] = types[base[0]]
    return columns


def columns(module: str) -> dict[str, str]:
    found = re.findall(r'\{ name = "(\w+)", type = "(\w+)"', (MODULES / module / "main.tf").read_text())
    return dict(found)


def test_glue_table_describes_the_chat_event_record() -> None:
    assert columns("glue_catalog") == record_columns(GLUE_TYPES)


def test_quicksight_chat_events_data_set_has_the_record_and_the_partition() -> None:
    assert columns("quicksight") == {**record_columns(QUICKSIGHT_TYPES), "dt": "STRING"}


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


def test_each_query_is_named_described_and_one_trino_statement() -> None:
    files = sorted(QUERIES.glob("*.sql"))
    assert len(files) >= 10
    for sql_file in files:
        query = sql.parse_file(sql_file.name, sql_file.read_text())  # raises on a bad header or bad Trino SQL
        lines = sql_file.read_text().splitlines()
        assert lines[0] == f"-- name: {sql_file.stem}", sql_file.name
        assert lines[1].startswith("-- description: ") and len(lines[1]) > 20, sql_file.name
        assert ";" not in query.sql, f"{sql_file.name}: Athena runs exactly one statement, without ';'"
        assert query.tables <= {"chat_events", "dms_student_registration", "dms_company_registration"}, query.name


def test_queries_of_chat_events_only_use_columns_of_the_record() -> None:
    known = set(record_columns(GLUE_TYPES)) | {"dt"}
    for query in sql.load_all():
        if not query.reads_chat_events:
            continue
        tree = query.tree()
        aliases = {a.alias for a in tree.find_all(exp.Alias)} | {"source"}
        used = {c.name for c in tree.find_all(exp.Column)} - aliases
        assert used <= known, f"{query.name}: unknown columns {sorted(used - known)}"


def test_athena_creates_one_named_query_per_file() -> None:
    found = locals_(MODULES / "athena")
    assert 'fileset(var.queries_dir, "*.sql")' in expr(found["query_files"])
    query = resources(MODULES / "athena")["aws_athena_named_query.this"]
    assert expr(query["for_each"]) == "local.queries"
    analytics = locals_(STACKS / "analytics")
    path = unquote(analytics["queries_dir"]).replace("${path.module}", str(STACKS / "analytics"))
    assert (STACKS / "analytics" / path).resolve() == QUERIES.resolve()
