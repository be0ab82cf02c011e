"""Where the lake keeps what the queries read, as AWS lays it out, read from the Terraform that provisions it.

Nothing here is a second list kept by hand: the chat events' prefix and compression come from the Firehose
module (its `prefix` up to the `dt=` partition, its `compression_format`), checked against the Glue table's
`chat_events_prefix`; the DMS output comes from the DMS module's S3 target endpoint (bucket folder, format,
compression, the Op and timestamp columns, date partitions) and the analytics stack's call of it; the names the
Glue crawler gives the DMS tables come from its `table_prefix`. The local runtime writes (DMS stand-in) and
reads (DuckDB) this layout; in AWS, Firehose, DMS and Glue produce it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

STACK = ("terraform", "stacks", "analytics")
MODULES = ("terraform", "modules")


class LayoutError(RuntimeError):
    """The Terraform that describes the lake cannot be read; the message says which file and value."""


@dataclass(frozen=True)
class ChatEventsLayout:
    prefix: str  # "chat-events/": objects lie under <prefix><partition>=YYYY-MM-DD/
    partition: str  # "dt"
    compression: str  # Firehose's compression_format: GZIP objects end in .gz
    table: str  # the Glue table: chat_events

    def day_prefix(self, day: str) -> str:
        return f"{self.prefix}{self.partition}={day}/"


_DATE_PARTS = {"YYYY": "%Y", "MM": "%m", "DD": "%d", "HH": "%H"}
_DELIMITERS = {"SLASH": "/", "UNDERSCORE": "_", "DASH": "-", "NONE": ""}


@dataclass(frozen=True)
class DmsLayout:
    folder: str  # bucket_folder, e.g. "dms"
    schemas: tuple[str, ...]  # the replicated schemas (table mappings)
    data_format: str  # parquet
    compression: str  # GZIP
    parquet_version: str  # parquet-2-0
    timestamp_column: str  # dms_commit_ts
    include_op_for_full_load: bool
    cdc_inserts_and_updates: bool  # true: deletes are not written
    date_partition: bool
    date_partition_sequence: str  # YYYYMMDD
    date_partition_delimiter: str  # SLASH
    table_prefix: str  # the Glue crawler names a table <prefix><table>

    def table_folder(self, schema: str, table: str) -> str:
        return f"{self.folder}/{schema}/{table}/" if self.folder else f"{schema}/{table}/"

    def full_load_key(self, schema: str, table: str, number: int) -> str:
        """LOAD00000001.parquet, LOAD00000002… (DMS counts full-load files in hexadecimal)."""
        return f"{self.table_folder(schema, table)}LOAD{number:08X}.{self.extension}"

    def cdc_key(self, schema: str, table: str, moment: datetime) -> str:
        """A change file named by its time (20261125-1134010000.parquet), in its commit day's folder when date
        partitions are on."""
        name = f"{moment:%Y%m%d-%H%M%S}{moment.microsecond // 100:04d}.{self.extension}"
        return f"{self.table_folder(schema, table)}{self.date_folder(moment)}{name}"

    def date_folder(self, moment: datetime) -> str:
        if not self.date_partition:
            return ""
        parts = re.findall("YYYY|MM|DD|HH", self.date_partition_sequence)
        delimiter = _DELIMITERS.get(self.date_partition_delimiter, "/")
        return delimiter.join(moment.strftime(_DATE_PARTS[part]) for part in parts) + "/"

    def glue_table(self, table: str) -> str:
        return f"{self.table_prefix}{table}"

    @property
    def extension(self) -> str:
        return "parquet" if self.data_format == "parquet" else "csv"

    @property
    def parquet_compression(self) -> str:
        return "NONE" if self.compression.upper() == "NONE" else self.compression.upper()


@dataclass(frozen=True)
class LakeLayout:
    chat_events: ChatEventsLayout
    dms: DmsLayout


@cache
def load(root: Path | None = None) -> LakeLayout:
    """The layout the analytics stack provisions (the checkout's terraform/, else the current directory's)."""
    from campusbot.deploy.pipeline import repo_root

    root = root or repo_root()
    stack = _Folder(root.joinpath(*STACK))
    modules = root.joinpath(*MODULES)
    firehose = _module(stack, modules, "firehose")
    glue = _module(stack, modules, "glue_catalog")
    dms = _module(stack, modules, "dms")

    firehose_prefix = str(firehose.variable("prefix"))
    match = re.fullmatch(r"(?P<prefix>[^!]*?)(?P<key>\w+)=!\{timestamp:yyyy-MM-dd\}/", firehose_prefix)
    if match is None:
        raise LayoutError(f"the firehose prefix {firehose_prefix!r} is not <prefix><key>=!{{timestamp:yyyy-MM-dd}}/")
    glue_prefix = str(glue.variable("chat_events_prefix"))
    if glue_prefix != match["prefix"]:
        raise LayoutError(f"Firehose writes under {match['prefix']!r} but the Glue table reads {glue_prefix!r}")
    chat_events = ChatEventsLayout(
        prefix=match["prefix"],
        partition=match["key"],
        compression=str(firehose.variable("compression_format")).upper(),
        table=str(glue.variable("chat_events_table_name")),
    )

    target = dms.resource("aws_dms_s3_endpoint", "target")
    crawler = glue.resource("aws_glue_crawler", "dms")
    return LakeLayout(
        chat_events=chat_events,
        dms=DmsLayout(
            folder=str(dms.evaluate(target["bucket_folder"])).strip("/"),
            schemas=tuple(str(s) for s in dms.variable("include_schemas")),
            data_format=str(dms.evaluate(target["data_format"])).lower(),
            compression=str(dms.evaluate(target.get("compression_type", '"NONE"'))),
            parquet_version=str(dms.evaluate(target.get("parquet_version", '"parquet-1-0"'))),
            timestamp_column=str(dms.evaluate(target.get("timestamp_column_name", '""'))),
            include_op_for_full_load=bool(dms.evaluate(target.get("include_op_for_full_load", False))),
            cdc_inserts_and_updates=bool(dms.evaluate(target.get("cdc_inserts_and_updates", False))),
            date_partition=bool(dms.evaluate(target.get("date_partition_enabled", False))),
            date_partition_sequence=str(dms.evaluate(target.get("date_partition_sequence", '"YYYYMMDD"'))),
            date_partition_delimiter=str(dms.evaluate(target.get("date_partition_delimiter", '"SLASH"'))),
            table_prefix=str(glue.evaluate(crawler.get("table_prefix", '""'))),
        ),
    )


# Reading HCL (python-hcl2 keeps quotes: '"text"' is a literal, '${expr}' an expression) ---------------------


class _Folder:
    def __init__(self, path: Path) -> None:
        if not path.is_dir():
            raise LayoutError(f"{path} is missing: run from a campusbot checkout (the lake layout is read from it)")
        self.path = path
        self.documents = [_load(tf) for tf in sorted(path.glob("*.tf"))]

    def blocks(self, kind: str) -> list[dict[str, Any]]:
        return [block for document in self.documents for block in document.get(kind, [])]


def _load(path: Path) -> dict[str, Any]:
    """`hcl2.load`, read back from the local runtime's parse cache when one is set (transforming the cached parse
    trees cost the runtime's DMS start 0.13-0.25 s of CPU at every start, under the GIL beside the first chats), else
    parsed."""
    from campusbot.local.terraform_eval import load_file

    return load_file(path)


class _Module:
    """A module as the analytics stack calls it: its variables are the call's arguments, else their defaults."""

    def __init__(self, folder: _Folder, arguments: Mapping[str, Any]) -> None:
        self.folder = folder
        self.arguments = arguments
        self.defaults = {
            _unquote(name): body.get("default")
            for block in folder.blocks("variable")
            for name, body in block.items()
            if not name.startswith("__")
        }

    def variable(self, name: str) -> Any:
        if name in self.arguments:
            value = self.arguments[name]
            if isinstance(value, str) and value.startswith("${"):  # an expression of the stack: not a layout value
                raise LayoutError(f"{self.folder.path}: {name} is set by the stack to {value}, which is not literal")
            return _literal(value)
        if name not in self.defaults:
            raise LayoutError(f"{self.folder.path}: no variable {name}")
        return _literal(self.defaults[name])

    def resource(self, kind: str, name: str) -> dict[str, Any]:
        for block in self.folder.blocks("resource"):
            for found_kind, named in block.items():
                if _unquote(found_kind) != kind:
                    continue
                for found_name, body in named.items():
                    if _unquote(found_name) == name:
                        return dict(body)
        raise LayoutError(f"{self.folder.path}: no resource {kind}.{name}")

    def evaluate(self, raw: Any) -> Any:
        """A literal, `${var.x}` or `${trimsuffix(var.x, "s")}`: the only expressions the layout's values use."""
        if isinstance(raw, str) and raw.startswith("${") and raw.endswith("}"):
            expression = raw[2:-1].strip()
            if match := re.fullmatch(r"var\.(\w+)", expression):
                return self.variable(match[1])
            if match := re.fullmatch(r'trimsuffix\(var\.(\w+),\s*"([^"]*)"\)', expression):
                return str(self.variable(match[1])).removesuffix(match[2])
            raise LayoutError(f"{self.folder.path}: cannot evaluate {raw} (a literal or var.<name> is expected)")
        return _literal(raw)


def _module(stack: _Folder, modules: Path, name: str) -> _Module:
    for block in stack.blocks("module"):
        for _call, body in block.items():
            if isinstance(body, dict) and Path(str(_unquote(body.get("source", "")))).name == name:
                return _Module(_Folder(modules / name), body)
    raise LayoutError(f"{stack.path} does not call the {name} module")


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _literal(value: Any) -> Any:
    if isinstance(value, list):
        return [_literal(item) for item in value]
    if isinstance(value, str):
        if value.startswith("${"):
            raise LayoutError(f"{value} is an expression, not a literal")
        text = _unquote(value)
        return text.replace("$${", "${") if isinstance(text, str) else text
    return value
