"""Reading the Terraform of terraform/ with python-hcl2 (8.x): small helpers shared by the tests.

python-hcl2 keeps HCL's quoting: a literal string comes back as '"text"', an expression as
'${expr}', block labels as '"label"', and comments as __comments__ / __inline_comments__ keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
MODULES = TERRAFORM / "modules"
STACKS = TERRAFORM / "stacks"
STACK_ORDER = ["foundation", "data", "app", "conversation", "analytics"]
MODULE_NAMES = [
    "network",
    "s3",
    "iam",
    "rds",
    "ecr",
    "ecs_service",
    "lambda_function",
    "api_gateway",
    "lex_bot",
    "bedrock",
    "athena",
    "glue_catalog",
    "dms",
    "redshift",
    "quicksight",
    "observability",
    "firehose",
    "cognito",
    "web",
]
META_KEYS = {"__is_block__", "__comments__", "__inline_comments__"}


def unquote(value: Any) -> Any:
    """'"text"' -> 'text'; other values unchanged."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def expr(value: Any) -> str:
    """'${expr}' -> 'expr'; a literal string keeps its quotes stripped."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return str(unquote(value))


def body(block: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if k not in META_KEYS}


@cache
def load_file(path: Path) -> dict[str, Any]:
    with path.open() as fh:
        return dict(hcl2.load(fh))


def load_dir(folder: Path) -> dict[Path, dict[str, Any]]:
    return {tf: load_file(tf) for tf in sorted(folder.glob("*.tf"))}


def blocks(folder: Path, kind: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path, doc in load_dir(folder).items():
        for block in doc.get(kind, []):
            yield path, block


def variables(folder: Path) -> dict[str, dict[str, Any]]:
    return {unquote(n): body(b) for _, blk in blocks(folder, "variable") for n, b in body(blk).items()}


def outputs(folder: Path) -> dict[str, dict[str, Any]]:
    return {unquote(n): body(b) for _, blk in blocks(folder, "output") for n, b in body(blk).items()}


def locals_(folder: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for _, blk in blocks(folder, "locals"):
        merged.update(body(blk))
    return merged


def resources(folder: Path, kind: str = "resource") -> dict[str, dict[str, Any]]:
    """'aws_db_instance.this' -> body."""
    found: dict[str, dict[str, Any]] = {}
    for _, blk in blocks(folder, kind):
        for rtype, named in body(blk).items():
            for rname, rbody in body(named).items():
                found[f"{unquote(rtype)}.{unquote(rname)}"] = body(rbody)
    return found


def module_calls(folder: Path) -> dict[str, dict[str, Any]]:
    return {unquote(n): body(b) for _, blk in blocks(folder, "module") for n, b in body(blk).items()}


def module_source(call: dict[str, Any]) -> str:
    return Path(str(unquote(call["source"]))).name


def calls_of(module: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(stack, call name, call body) of every call of terraform/modules/<module> in the stacks."""
    for stack in STACK_ORDER:
        for name, call in module_calls(STACKS / stack).items():
            if module_source(call) == module:
                yield stack, name, call


def string_list(value: Any) -> list[str]:
    assert isinstance(value, list), f"expected a list literal, got {value!r}"
    return [str(unquote(v)) for v in value]


def map_keys(value: Any) -> set[str]:
    assert isinstance(value, dict), f"expected a map literal, got {value!r}"
    return {str(unquote(k)) for k in body(value)}


_LOCAL_IN = re.compile(r'local\.in\["([^"]+)"\]')


def ssm_reads_in_code(folder: Path) -> set[str]:
    """Every local.in["<key>"] a stack uses anywhere in its code."""
    return {m for tf in folder.glob("*.tf") for m in _LOCAL_IN.findall(tf.read_text())}
