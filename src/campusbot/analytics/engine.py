"""Running the named queries: the result shape both engines return, and the engine protocol.

`LocalLakeEngine` (analytics/duck.py) runs them on DuckDB over the lake's files (the local runtime's S3 or a
folder); `AthenaEngine` (analytics/athena.py) runs them in a deployed environment's Athena workgroup.
analytics/engines.build_engine picks one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from campusbot.analytics.sql import NamedQuery

Progress = Callable[[str], None]


class AnalyticsError(RuntimeError):
    """A query could not run; the message says why and what to do."""


@dataclass
class QueryResult:
    query: NamedQuery
    columns: list[str]
    rows: list[tuple[Any, ...]]
    seconds: float
    engine: str
    scanned_bytes: int | None = None  # Athena's DataScannedInBytes
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # the query could not run (the report shows why)

    @classmethod
    def failed(cls, query: NamedQuery, engine: str, error: str) -> QueryResult:
        return cls(query, query.column_names, [], 0.0, engine, error=error)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, (_plain(value) for value in row), strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [_plain(row[index]) for row in self.rows]

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query.name,
            "title": self.query.title,
            "engine": self.engine,
            "seconds": round(self.seconds, 3),
            "scanned_bytes": self.scanned_bytes,
            "error": self.error,
            "columns": self.columns,
            "rows": self.records(),
        }

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows([[_plain(value) for value in row] for row in self.rows])
        return buffer.getvalue()


class QueryEngine(Protocol):
    name: str

    def run(self, query: NamedQuery) -> QueryResult: ...

    def close(self) -> None: ...


def run_all(engine: QueryEngine, queries: Sequence[NamedQuery]) -> list[QueryResult]:
    """Every query; one that cannot run gives a failed result (with the reason) and the others still run."""
    results = []
    for query in queries:
        try:
            results.append(engine.run(query))
        except AnalyticsError as exc:
            results.append(QueryResult.failed(query, engine.name, str(exc)))
    return results


def _plain(value: Any) -> Any:
    """JSON-friendly cells: decimals as int or float, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def dumps(results: Sequence[QueryResult]) -> str:
    return json.dumps([result.to_json() for result in results], indent=2, ensure_ascii=False, default=str)
