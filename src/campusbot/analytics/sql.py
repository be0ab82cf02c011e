"""The named queries: one SQL file each in src/campusbot/analytics/queries, written once in Athena's dialect (Trino).

Each file starts with header lines that Terraform reads too (the Athena named queries, the QuickSight data sets
and visuals):

    -- name: daily_turns                         the file's stem; the Athena named query's name
    -- description: …                            the named query's description
    -- title: Turns and conversations per day   the chart's title (report, QuickSight)
    -- order: 10                                 the place in the report and on the QuickSight sheet
    -- chart: line x=day y=turns,sessions       line | bar | barh | stacked (color=<column>) | table
    -- columns: day:STRING, turns:INTEGER       the result's columns and QuickSight types

DuckDB runs the same text transpiled by sqlglot (Trino → DuckDB), so there is no second copy to keep in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Literal

import sqlglot
from sqlglot import exp

ChartKind = Literal["line", "bar", "barh", "stacked", "table"]
CHART_KINDS: tuple[str, ...] = ("line", "bar", "barh", "stacked", "table")
QUICKSIGHT_TYPES = ("STRING", "INTEGER", "DECIMAL", "DATETIME")
CHAT_EVENTS = "chat_events"
_HEADER = re.compile(r"^--\s*(\w+):\s*(.*?)\s*$")


class QueryError(ValueError):
    """A query file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Chart:
    kind: str
    x: str = ""
    y: tuple[str, ...] = ()
    color: str = ""


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    title: str
    order: int
    chart: Chart
    columns: tuple[tuple[str, str], ...]  # (name, QuickSight type)
    sql: str  # the file's text without its header (Athena's dialect)

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def tables(self) -> set[str]:
        """The tables the query reads (its CTEs excluded)."""
        tree = self.tree()
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        return {table.name for table in tree.find_all(exp.Table)} - ctes

    @property
    def reads_chat_events(self) -> bool:
        return CHAT_EVENTS in self.tables

    def tree(self) -> exp.Expr:
        return parse_trino(self.sql, self.name)

    def athena_sql(self, database: str | None = None, since: date | None = None) -> str:
        """The query for Athena; with `since`, chat_events is read from the day partitions from `since` on only
        (Athena prunes the others: partition projection on dt)."""
        if since is None or not self.reads_chat_events:
            return self.sql
        return restrict_chat_events(self.tree(), since, database).sql(dialect="trino", pretty=True)

    def duckdb_sql(self) -> str:
        return self.tree().sql(dialect="duckdb", pretty=True)


def parse_trino(sql: str, name: str = "query") -> exp.Expr:
    try:
        statements = [s for s in sqlglot.parse(sql, read="trino") if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise QueryError(f"{name}: not valid Trino (Athena) SQL: {exc}") from None
    if len(statements) != 1:
        raise QueryError(f"{name}: Athena runs exactly one statement, found {len(statements)}")
    tree: exp.Expr = statements[0]
    return tree


def restrict_chat_events(tree: exp.Expr, since: date, database: str | None) -> exp.Expr:
    """`WITH chat_events AS (SELECT * FROM <database>.chat_events WHERE dt >= 'since') <query>`."""
    tree = tree.copy()
    source = f'"{database}"."{CHAT_EVENTS}"' if database else CHAT_EVENTS
    inner = sqlglot.parse_one(f"SELECT * FROM {source} WHERE dt >= '{since.isoformat()}'", read="trino")
    cte = exp.CTE(this=inner, alias=exp.TableAlias(this=exp.to_identifier(CHAT_EVENTS)))
    existing = tree.args.get("with_") or tree.args.get("with")
    if existing is not None:
        existing.set("expressions", [cte, *existing.expressions])
    else:
        tree.set("with_" if "with_" in type(tree).arg_types else "with", exp.With(expressions=[cte]))
    return tree


@cache
def load_all() -> tuple[NamedQuery, ...]:
    """Every query of the package, in report order."""
    folder = resources.files("campusbot.analytics") / "queries"
    found = [parse_file(entry.name, entry.read_text()) for entry in folder.iterdir() if entry.name.endswith(".sql")]
    return tuple(sorted(found, key=lambda q: (q.order, q.name)))


def by_name(name: str) -> NamedQuery:
    for query in load_all():
        if query.name == name:
            return query
    known = ", ".join(q.name for q in load_all())
    raise QueryError(f"no query named {name!r}; the queries are: {known}")


def parse_file(filename: str, text: str) -> NamedQuery:
    stem = filename.removesuffix(".sql")
    header: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        match = _HEADER.match(line) if not body else None
        if match:
            header[match[1]] = match[2]
        elif line.strip():
            body.append(line)
    missing = [key for key in ("name", "description", "title", "order", "chart", "columns") if key not in header]
    if missing:
        raise QueryError(f"{filename}: the header lacks {', '.join(missing)}")
    if header["name"] != stem:
        raise QueryError(f"{filename}: -- name: {header['name']} must be the file's name ({stem})")
    columns = _columns(filename, header["columns"])
    chart = _chart(filename, header["chart"], {name for name, _ in columns})
    sql = "\n".join(body)
    query = NamedQuery(
        name=stem,
        description=header["description"],
        title=header["title"],
        order=int(header["order"]),
        chart=chart,
        columns=columns,
        sql=sql,
    )
    query.tree()  # parses as Trino, one statement
    return query


def _columns(filename: str, text: str) -> tuple[tuple[str, str], ...]:
    columns: list[tuple[str, str]] = []
    for item in text.split(","):
        name, _, kind = item.strip().partition(":")
        if not name or kind not in QUICKSIGHT_TYPES:
            raise QueryError(f"{filename}: column {item.strip()!r} is not name:TYPE, TYPE one of {QUICKSIGHT_TYPES}")
        columns.append((name, kind))
    return tuple(columns)


def _chart(filename: str, text: str, columns: set[str]) -> Chart:
    kind, *options = text.split()
    if kind not in CHART_KINDS:
        raise QueryError(f"{filename}: chart {kind!r} is not one of {', '.join(CHART_KINDS)}")
    values = dict(option.partition("=")[::2] for option in options)
    chart = Chart(
        kind, values.get("x", ""), tuple(v for v in values.get("y", "").split(",") if v), values.get("color", "")
    )
    used = {chart.x, *chart.y, chart.color} - {""}
    if kind != "table" and (not chart.x or not chart.y):
        raise QueryError(f"{filename}: a {kind} chart needs x= and y=")
    if kind == "stacked" and not chart.color:
        raise QueryError(f"{filename}: a stacked chart needs color=")
    if used - columns:
        raise QueryError(f"{filename}: the chart uses {sorted(used - columns)}, which are not in -- columns")
    return chart
