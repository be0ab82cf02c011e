"""The DMS stand-in of the local runtime: the database's tables into the lake in DMS's S3 target layout.

In AWS, DMS replicates RDS into `s3://<lake>/dms/` (terraform/modules/dms: full load, then change data capture,
Parquet). Locally nothing does, so this does, with the settings the Terraform gives DMS (analytics/layout.py):

- at start, a full load: every table of the replicated schemas as `dms/<schema>/<table>/LOAD00000001.parquet`,
  each row with `Op` = I (include_op_for_full_load) and the timestamp column (dms_commit_ts);
- then, every `interval` seconds, the changes since the last pass as one change file per table under the day
  folder (`dms/<schema>/<table>/YYYY/MM/DD/20261125-1134010000.parquet`), rows with `Op` I, U or D (D left
  out when cdc_inserts_and_updates is set). Changes are found by comparing each table with the last pass by
  primary key (DMS reads the WAL; the files it writes look the same).

Types as DMS writes them: integers, decimals, text, booleans, dates, timestamps in UTC; arrays, vectors and
other types as text. The moto lake forgets its objects on restart, so each start is a fresh full load (as a
task restarted with TargetTablePrepMode DROP_AND_CREATE).
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from campusbot.analytics.layout import DmsLayout

if TYPE_CHECKING:
    import pyarrow as pa
    from sqlalchemy.ext.asyncio import AsyncConnection

log = logging.getLogger(__name__)

_PLAIN_TYPES = {
    "smallint",
    "integer",
    "bigint",
    "numeric",
    "real",
    "double precision",
    "boolean",
    "date",
    "text",
    "character varying",
    "character",
    "timestamp with time zone",
    "timestamp without time zone",
}


@dataclass
class Column:
    name: str
    data_type: str
    precision: int | None = None
    scale: int | None = None

    @property
    def select(self) -> str:
        quoted = '"' + self.name.replace('"', '""') + '"'
        return quoted if self.data_type in _PLAIN_TYPES else f"{quoted}::text"

    def arrow_type(self) -> pa.DataType:
        import pyarrow as pa

        kind = self.data_type
        if kind in ("smallint", "integer"):
            return pa.int32()
        if kind == "bigint":
            return pa.int64()
        if kind == "numeric" and self.precision:
            return pa.decimal128(self.precision, self.scale or 0)
        if kind in ("real", "double precision", "numeric"):
            return pa.float64()
        if kind == "boolean":
            return pa.bool_()
        if kind == "date":
            return pa.date32()
        if kind.startswith("timestamp"):
            return pa.timestamp("us")
        return pa.string()


@dataclass
class Table:
    schema: str
    name: str
    columns: list[Column]
    key: list[str]  # primary key columns; the whole row when there is none
    rows: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict)

    def key_of(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self.key:
            return row
        names = [c.name for c in self.columns]
        return tuple(row[names.index(k)] for k in self.key)


class LocalDms:
    """Full load at `start()`, then a change pass every `interval` seconds in a thread (or `sync()` by hand)."""

    def __init__(self, database_url: str, s3: Any, bucket: str, layout: DmsLayout, *, interval: float = 5.0) -> None:
        self.database_url = database_url
        self.s3 = s3
        self.bucket = bucket
        self.layout = layout
        self.interval = interval
        self.tables: dict[tuple[str, str], Table] = {}
        self.files_written = 0
        self._loop = asyncio.new_event_loop()
        self._engine: Any = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._loaded = threading.Event()
        self._thread: threading.Thread | None = None

    # lifecycle -----------------------------------------------------------------------------------------------
    def start(self, *, background: bool = False) -> LocalDms:
        """Run the full load, then capture changes. In the foreground the tables are in the lake when this returns;
        with `background` the full load is the thread's first pass (the local runtime: nothing the first chat
        answer needs waits for it), retried at each interval until it succeeds, and `loaded` is set after it."""
        if not background:
            self.full_load()
        return self.resume()

    def resume(self) -> LocalDms:
        """Capture changes in a new thread (the supervisor's restart after the thread ended; the full load only
        when none succeeded yet)."""
        self._thread = threading.Thread(target=self._run, name="dms-stand-in", daemon=True)
        self._thread.start()
        return self

    @property
    def loaded(self) -> bool:
        """The full load is in the lake."""
        return self._loaded.is_set()

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        with self._lock:
            if self._engine is not None:
                self._loop.run_until_complete(self._engine.dispose())
                self._engine = None
            self._loop.close()

    def _run(self) -> None:
        if not self.loaded:
            try:
                self.full_load()
            except Exception:  # the next pass tries the full load again
                log.warning("dms stand-in: full load failed", exc_info=True)
        while not self._stop.wait(self.interval):
            try:
                if self.loaded:
                    self.sync()
                else:
                    self.full_load()
            except Exception:  # the database restarting, S3 slow: the next pass catches up
                log.warning("dms stand-in: %s pass failed", "change" if self.loaded else "full load", exc_info=True)

    # full load and change passes -----------------------------------------------------------------------------
    def full_load(self) -> dict[str, int]:
        """Every table's rows as LOAD00000001.parquet; returns rows per table."""
        with self._lock:
            snapshot = self._loop.run_until_complete(self._snapshot())
            moment = datetime.now(UTC)
            loaded = {}
            for table, rows in snapshot:
                table.rows = {table.key_of(row): row for row in rows}
                self.tables[(table.schema, table.name)] = table
                if rows:  # DMS creates a table's folder only when it has rows
                    key = self.layout.full_load_key(table.schema, table.name, 1)
                    self._put(key, table, [("I", row) for row in rows], moment)
                loaded[f"{table.schema}.{table.name}"] = len(rows)
            self._loaded.set()
            return loaded

    def sync(self) -> dict[str, int]:
        """One change pass: the rows inserted, updated and deleted since the last pass, per table."""
        with self._lock:
            snapshot = self._loop.run_until_complete(self._snapshot())
            moment = datetime.now(UTC)
            changed: dict[str, int] = {}
            for fresh, rows in snapshot:
                table = self.tables.setdefault((fresh.schema, fresh.name), fresh)
                if [c.name for c in table.columns] != [c.name for c in fresh.columns]:  # DDL: start the table anew
                    table = self.tables[(fresh.schema, fresh.name)] = fresh
                current = {fresh.key_of(row): row for row in rows}
                changes: list[tuple[str, tuple[Any, ...]]] = []
                for key, row in current.items():
                    before = table.rows.get(key)
                    if before is None:
                        changes.append(("I", row))
                    elif before != row:
                        changes.append(("U", row))
                if not self.layout.cdc_inserts_and_updates:
                    changes += [("D", row) for key, row in table.rows.items() if key not in current]
                table.rows = current
                if changes:
                    self._put(self.layout.cdc_key(fresh.schema, fresh.name, moment), table, changes, moment)
                    changed[f"{fresh.schema}.{fresh.name}"] = len(changes)
            return changed

    # reading the database ------------------------------------------------------------------------------------
    async def _snapshot(self) -> list[tuple[Table, list[tuple[Any, ...]]]]:
        from sqlalchemy import text

        if self._engine is None:
            from campusbot.db.session import create_engine

            self._engine = create_engine(self.database_url, pool_size=1)
        async with self._engine.connect() as conn:
            tables = await self._tables(conn)
            result = []
            for table in tables:
                columns = ", ".join(column.select for column in table.columns)
                rows = await conn.execute(text(f'SELECT {columns} FROM "{table.schema}"."{table.name}"'))
                result.append((table, [tuple(row) for row in rows]))
            return result

    async def _tables(self, conn: AsyncConnection) -> list[Table]:
        from sqlalchemy import bindparam, text

        schemas = list(self.layout.schemas)
        names = await conn.execute(
            text(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' AND table_schema IN :schemas ORDER BY 1, 2"
            ).bindparams(bindparam("schemas", expanding=True)),
            {"schemas": schemas},
        )
        columns = await conn.execute(
            text(
                "SELECT table_schema, table_name, column_name, data_type, numeric_precision, numeric_scale "
                "FROM information_schema.columns WHERE table_schema IN :schemas ORDER BY ordinal_position"
            ).bindparams(bindparam("schemas", expanding=True)),
            {"schemas": schemas},
        )
        keys = await conn.execute(
            text(
                "SELECT k.table_schema, k.table_name, k.column_name FROM information_schema.table_constraints c "
                "JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name "
                "AND k.table_schema = c.table_schema AND k.table_name = c.table_name "
                "WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema IN :schemas ORDER BY k.ordinal_position"
            ).bindparams(bindparam("schemas", expanding=True)),
            {"schemas": schemas},
        )
        tables = {(s, n): Table(s, n, [], []) for s, n in names}
        for schema, name, column, data_type, precision, scale in columns:
            if (schema, name) in tables:
                tables[(schema, name)].columns.append(Column(column, data_type, precision, scale))
        for schema, name, column in keys:
            if (schema, name) in tables:
                tables[(schema, name)].key.append(column)
        return list(tables.values())

    # writing the lake ----------------------------------------------------------------------------------------
    def _put(self, key: str, table: Table, rows: Sequence[tuple[str, tuple[Any, ...]]], moment: datetime) -> None:
        body = parquet_bytes(table.columns, rows, self.layout, moment)
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)
        self.files_written += 1


def parquet_bytes(
    columns: Sequence[Column], rows: Sequence[tuple[str, tuple[Any, ...]]], layout: DmsLayout, moment: datetime
) -> bytes:
    """Rows as DMS writes them: Op, the timestamp column, then the table's columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    committed = moment.astimezone(UTC).replace(tzinfo=None)
    arrays: dict[str, pa.Array] = {"Op": pa.array([op for op, _ in rows], pa.string())}
    if layout.timestamp_column:
        arrays[layout.timestamp_column] = pa.array([committed] * len(rows), pa.timestamp("us"))
    for index, column in enumerate(columns):
        kind = column.arrow_type()
        arrays[column.name] = pa.array([_cell(row[index], kind) for _, row in rows], kind)
    buffer = io.BytesIO()
    compression = None if layout.parquet_compression == "NONE" else layout.parquet_compression.lower()
    version = "2.6" if layout.parquet_version.startswith("parquet-2") else "1.0"
    pq.write_table(pa.table(arrays), buffer, compression=compression, version=version)
    return buffer.getvalue()


def _cell(value: Any, kind: pa.DataType) -> Any:
    import pyarrow as pa

    if value is None:
        return None
    if pa.types.is_timestamp(kind) and isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if pa.types.is_floating(kind) and isinstance(value, Decimal):
        return float(value)
    if pa.types.is_string(kind) and not isinstance(value, str):
        return str(value)
    return value
