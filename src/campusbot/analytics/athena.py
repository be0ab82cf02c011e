"""The named queries on Athena, in a deployed environment's workgroup (`platform analytics --env E`).

The workgroup and the Glue database are what the analytics stack wrote to SSM (/campusbot/<env>/analytics/…).
Each query is started with StartQueryExecution, followed with GetQueryExecution (the state, seconds and bytes
scanned so far go to the progress callback) and read with GetQueryResults, page by page. The workgroup enforces
its own result location, encryption and bytes-scanned cutoff.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from campusbot.analytics.engine import AnalyticsError, Progress, QueryResult
from campusbot.analytics.sql import NamedQuery

WORKGROUP_KEY = "analytics/athena_workgroup"
DATABASE_KEY = "analytics/glue_database_name"
_INTEGERS = {"tinyint", "smallint", "integer", "int", "bigint"}
_FLOATS = {"double", "float", "real"}


class AthenaEngine:
    name = "athena"

    def __init__(
        self,
        client: Any,
        *,
        workgroup: str,
        database: str,
        since: date | None = None,
        progress: Progress | None = None,
        poll_seconds: float = 1.0,
        timeout_seconds: float = 600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.workgroup = workgroup
        self.database = database
        self.since = since
        self.progress = progress or (lambda _message: None)
        self.poll_seconds = poll_seconds
        self.timeout_seconds = timeout_seconds
        self.sleep = sleep

    @classmethod
    def for_environment(cls, session: Any, env: str, **options: Any) -> AthenaEngine:
        """The engine of `env`'s analytics stack (its SSM outputs name the workgroup and the database)."""
        from campusbot.deploy.pipeline import read_parameters

        try:
            parameters = read_parameters(session.client("ssm"), env)
        except Exception as exc:  # no credentials, no network
            raise AnalyticsError(f"cannot read /campusbot/{env}/ from SSM: {exc}") from None
        missing = [key for key in (WORKGROUP_KEY, DATABASE_KEY) if not parameters.get(key)]
        if missing:
            raise AnalyticsError(
                f"/campusbot/{env}/{missing[0]} is not in SSM: is the analytics stack of {env} deployed "
                f"(`platform status --env {env}`)?"
            )
        return cls(
            session.client("athena"), workgroup=parameters[WORKGROUP_KEY], database=parameters[DATABASE_KEY], **options
        )

    def run(self, query: NamedQuery) -> QueryResult:
        started = time.monotonic()
        try:
            execution_id = self.client.start_query_execution(
                QueryString=query.athena_sql(self.database, self.since),
                WorkGroup=self.workgroup,
                QueryExecutionContext={"Database": self.database, "Catalog": "AwsDataCatalog"},
            )["QueryExecutionId"]
        except Exception as exc:
            raise AnalyticsError(f"{query.name}: Athena did not start the query: {exc}") from None
        execution = self._wait(query, execution_id, started)
        columns, rows = self._results(execution_id)
        scanned = execution.get("Statistics", {}).get("DataScannedInBytes")
        result = QueryResult(query, columns, rows, time.monotonic() - started, self.name, scanned_bytes=scanned)
        result.notes.append(f"query execution {execution_id}")
        return result

    def _wait(self, query: NamedQuery, execution_id: str, started: float) -> dict[str, Any]:
        while True:
            execution = self.client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
            status = execution.get("Status", {})
            state = status.get("State", "QUEUED")
            elapsed = time.monotonic() - started
            scanned = execution.get("Statistics", {}).get("DataScannedInBytes")
            detail = f", {human_bytes(scanned)} scanned" if scanned else ""
            self.progress(f"{query.name}: {state.lower()} on Athena ({elapsed:.0f} s{detail})")
            if state == "SUCCEEDED":
                return dict(execution)
            if state in ("FAILED", "CANCELLED"):
                reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get("ErrorMessage") or state
                raise AnalyticsError(f"{query.name}: Athena query {execution_id} {state.lower()}: {reason}")
            if elapsed > self.timeout_seconds:
                self.client.stop_query_execution(QueryExecutionId=execution_id)
                raise AnalyticsError(
                    f"{query.name}: Athena query {execution_id} still {state.lower()} after "
                    f"{self.timeout_seconds:.0f} s; it was cancelled"
                )
            self.sleep(self.poll_seconds)

    def _results(self, execution_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        columns: list[str] = []
        types: list[str] = []
        rows: list[tuple[Any, ...]] = []
        first = True
        for page in self.client.get_paginator("get_query_results").paginate(QueryExecutionId=execution_id):
            result_set = page.get("ResultSet", {})
            if not columns:
                info = result_set.get("ResultSetMetadata", {}).get("ColumnInfo", [])
                columns = [str(c.get("Label") or c.get("Name")) for c in info]
                types = [str(c.get("Type", "varchar")).lower() for c in info]
            for row in result_set.get("Rows", []):
                values = [cell.get("VarCharValue") for cell in row.get("Data", [])]
                if first and values == columns:  # a SELECT's first row is the header
                    first = False
                    continue
                first = False
                rows.append(tuple(_convert(v, t) for v, t in zip(values, types, strict=False)))
        return columns, rows

    def close(self) -> None:
        return None


def _convert(value: str | None, kind: str) -> Any:
    if value is None:
        return None
    base = kind.split("(")[0]
    try:
        if base in _INTEGERS:
            return int(value)
        if base in _FLOATS:
            return float(value)
        if base == "decimal":
            return Decimal(value)
        if base == "boolean":
            return value.lower() == "true"
    except (ValueError, InvalidOperation):
        return value
    return value


def human_bytes(size: float | None) -> str:
    if size is None:
        return "?"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(size) < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"
