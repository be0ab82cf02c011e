"""Running the named queries: the result shape both engines return, and the engine protocol.

`LocalLakeEngine` (analytics/duck.py) runs them on DuckDB over the lake's files (the local runtime's S3 or a
folder); `AthenaEngine` (analytics/athena.py) runs them in a deployed environment's Athena workgroup.
bootstrap.build_analytics_engine picks one.
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
    return [engine.run(query) for query in queries]


def _plain(value: Any) -> Any:
    """JSON-friendly cells: decimals as int or float, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def dumps(results: Sequence[QueryResult]) -> str:
    return json.dumps([result.to_json() for result in results], indent=2, ensure_ascii=False, default=str)
