"""The named queries on DuckDB, over the lake as AWS lays it out (analytics/layout.py).

The lake is a folder or an S3 bucket (the local runtime's moto or LocalStack, read with DuckDB's httpfs
extension, which ships as a wheel: it is loaded from the package and nothing is downloaded at run time).

- `chat_events`: the JSON-lines objects under `chat-events/dt=YYYY-MM-DD/` (gzip when they end in .gz, as
  Firehose writes them; plain otherwise, as the local batching writer does), with the Glue table's columns
  (the ChatEvent dataclass) and `dt` from the path. Only the day partitions from `since` on are read, as Athena
  prunes them; the rows are loaded once per session, so a dozen queries read the JSON once. Malformed lines are
  skipped, like the Glue table's `ignore.malformed.json`.
- `dms_<table>`: the DMS output's Parquet files under `dms/<schema>/<table>/` (full load, then change files with
  the `Op` column), the names the Glue crawler gives them.
"""

from __future__ import annotations

import re
import time
import typing
from dataclasses import dataclass, fields
from datetime import date
from importlib import resources
from typing import Any

from campusbot.analytics.engine import AnalyticsError, QueryResult
from campusbot.analytics.events import ChatEvent
from campusbot.analytics.layout import LakeLayout
from campusbot.analytics.sql import NamedQuery, QueryError

_DUCK_TYPES = {str: "VARCHAR", int: "INTEGER", float: "DOUBLE"}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COMPRESSED_SUFFIXES = (".gz", ".gzip", ".zst")


def chat_event_columns() -> dict[str, str]:
    """The ChatEvent record's columns as DuckDB types (the Glue table's, checked by a test)."""
    hints = typing.get_type_hints(ChatEvent)
    columns = {}
    for item in fields(ChatEvent):
        base = [t for t in typing.get_args(hints[item.name]) if t is not type(None)] or [hints[item.name]]
        columns[item.name] = _DUCK_TYPES[base[0]]
    return columns


@dataclass(frozen=True)
class S3Access:
    """How DuckDB reaches the lake bucket: the endpoint (None: AWS) and the credentials boto3 resolved."""

    region: str
    key_id: str
    secret: str
    session_token: str | None = None
    endpoint: str | None = None  # http://127.0.0.1:4566


@dataclass(frozen=True)
class Partition:
    day: str
    files: tuple[str, ...]


class LocalLakeEngine:
    """DuckDB over `root` (a folder, or s3://bucket with `s3`). Open once, run any number of queries."""

    name = "duckdb"

    def __init__(
        self,
        root: str,
        layout: LakeLayout,
        *,
        since: date | None = None,
        s3: S3Access | None = None,
        threads: int | None = None,
    ) -> None:
        import duckdb

        self.root = root.rstrip("/")
        self.layout = layout
        self.since = since
        config: dict[str, Any] = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
        if threads:
            config["threads"] = threads
        self.connection = duckdb.connect(config=config)
        self.connection.execute("SET TimeZone = 'UTC'")
        if self.root.startswith("s3://"):
            self._use_s3(s3)
        self.partitions = self._partitions()
        self.load_seconds = self._load_chat_events()
        self.dms_tables = self._dms_views()

    # the lake ------------------------------------------------------------------------------------------------
    def _use_s3(self, s3: S3Access | None) -> None:
        if s3 is None:
            raise AnalyticsError(f"{self.root} is an S3 lake: S3 access (endpoint, credentials) is needed")
        import duckdb

        package = resources.files("duckdb_extension_httpfs") / "extensions" / f"v{duckdb.__version__}"
        extension = package / "httpfs.duckdb_extension"
        if not extension.is_file():
            raise AnalyticsError(
                f"duckdb-extension-httpfs has no build for DuckDB {duckdb.__version__}: install equal versions "
                "of duckdb and duckdb-extension-httpfs (make install)"
            )
        self.connection.execute(f"LOAD '{extension}'")
        options = {"TYPE": "s3", "KEY_ID": s3.key_id, "SECRET": s3.secret, "REGION": s3.region}
        if s3.session_token:
            options["SESSION_TOKEN"] = s3.session_token
        if s3.endpoint:
            scheme, _, host = s3.endpoint.partition("://")
            options.update({"ENDPOINT": host.rstrip("/"), "URL_STYLE": "path", "USE_SSL": str(scheme == "https")})
        spelled = ", ".join(f"{key} {_literal(value)}" for key, value in options.items())
        self.connection.execute(f"CREATE OR REPLACE SECRET lake ({spelled})")

    def _glob(self, pattern: str) -> list[str]:
        try:
            rows = self.connection.execute("SELECT file FROM glob(?)", [pattern]).fetchall()
        except Exception as exc:  # the bucket is unreachable, or missing
            raise AnalyticsError(f"cannot list {pattern}: {_first_line(exc)}") from None
        return sorted(str(row[0]) for row in rows)

    def _partitions(self) -> list[Partition]:
        """The chat events' day partitions from `since` on, each with its objects (Athena's partition pruning)."""
        chat = self.layout.chat_events
        by_day: dict[str, list[str]] = {}
        for path in self._glob(f"{self.root}/{chat.prefix}{chat.partition}=*/*"):
            day = path.rsplit(f"{chat.partition}=", 1)[1].split("/", 1)[0]
            if _DAY.match(day) and (self.since is None or day >= self.since.isoformat()):
                by_day.setdefault(day, []).append(path)
        return [Partition(day, tuple(files)) for day, files in sorted(by_day.items())]

    @property
    def files(self) -> list[str]:
        return [file for partition in self.partitions for file in partition.files]

    def _load_chat_events(self) -> float:
        started = time.perf_counter()
        columns = chat_event_columns()
        partition = self.layout.chat_events.partition
        table = self.layout.chat_events.table
        if not self.files:
            spelled = ", ".join(f"{name} {kind}" for name, kind in columns.items())
            self.connection.execute(f"CREATE TABLE {table} ({spelled}, {partition} VARCHAR)")
            return time.perf_counter() - started
        struct = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"
        selects = []
        parameters = []
        for compression, files in self._by_compression(self.files).items():
            selects.append(
                f"SELECT * FROM read_json(?, format = 'newline_delimited', columns = {struct}, "
                f"hive_partitioning = true, hive_types = {{'{partition}': 'VARCHAR'}}, ignore_errors = true, "
                f"compression = '{compression}')"
            )
            parameters.append(files)
        self.connection.execute(f"CREATE TABLE {table} AS " + " UNION ALL BY NAME ".join(selects), parameters)
        return time.perf_counter() - started

    def _by_compression(self, files: list[str]) -> dict[str, list[str]]:
        """Objects named .gz (Firehose's GZIP) or .zst are read by their name; any other is sniffed for gzip's
        magic bytes, so an object compressed under another name is read all the same."""
        groups: dict[str, list[str]] = {}
        unnamed = [f for f in files if not f.endswith(_COMPRESSED_SUFFIXES)]
        gzipped: set[str] = set()
        if unnamed:
            rows = self.connection.execute("SELECT filename, content[1:2] FROM read_blob(?)", [unnamed]).fetchall()
            gzipped = {str(name) for name, head in rows if bytes(head) == b"\x1f\x8b"}
        for file in files:
            kind = (
                "auto_detect" if file.endswith(_COMPRESSED_SUFFIXES) else "gzip" if file in gzipped else "uncompressed"
            )
            groups.setdefault(kind, []).append(file)
        return groups

    def _dms_views(self) -> list[str]:
        dms = self.layout.dms
        tables: dict[str, list[str]] = {}
        base = f"{self.root}/{dms.folder}/" if dms.folder else f"{self.root}/"
        for path in self._glob(f"{base}*/*/**/*.{dms.extension}"):
            schema, table = path.removeprefix(base).split("/")[:2]
            if schema in dms.schemas:
                tables.setdefault(dms.glue_table(table), []).append(path)
        for name, files in tables.items():
            self.connection.execute(
                f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet({_literal_list(files)}, union_by_name = true)'
            )
        return sorted(tables)

    # queries -------------------------------------------------------------------------------------------------
    def run(self, query: NamedQuery) -> QueryResult:
        missing = sorted(
            t for t in query.tables if t.startswith(self.layout.dms.table_prefix) and t not in self.dms_tables
        )
        if missing:
            raise AnalyticsError(
                f"{query.name}: {', '.join(missing)} is not in the lake yet (the DMS copy of the database: the local "
                "runtime's DMS stand-in writes it when `platform up` starts, DMS in AWS)"
            )
        started = time.perf_counter()
        try:
            cursor = self.connection.execute(query.duckdb_sql())
            rows = cursor.fetchall()
        except QueryError:
            raise
        except Exception as exc:
            raise AnalyticsError(f"{query.name} failed on DuckDB: {_first_line(exc)}") from None
        columns = [str(d[0]) for d in cursor.description or []]
        return QueryResult(query, columns, [tuple(r) for r in rows], time.perf_counter() - started, self.name)

    def close(self) -> None:
        self.connection.close()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _literal_list(values: list[str]) -> str:
    return "[" + ", ".join(_literal(v) for v in values) + "]"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
