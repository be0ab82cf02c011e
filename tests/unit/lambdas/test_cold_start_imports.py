"""A Lambda's cold start pays for every module its handler imports: the light handlers import no heavy library at
module level (each checked in a fresh interpreter, since this test process has imported everything already)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# pydantic(-settings) is the full Settings; boto3/botocore come with the first Lex call, not the import; the
# fulfillment talks HTTP with the standard library
HEAVY = ("pydantic", "pydantic_settings", "campusbot.settings", "httpx", "boto3", "botocore", "sqlalchemy", "torch")
PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(name for name in json.loads(sys.argv[2]) if name in sys.modules)))
"""


def imported_heavy(module: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module, json.dumps(HEAVY)], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded


@pytest.mark.parametrize("function", ["lex_proxy", "fulfillment", "authorizer"])
def test_a_light_handler_imports_no_heavy_module(function: str) -> None:
    assert imported_heavy(f"campusbot.lambdas.{function}") == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The full Settings and the database layer are heavy: the probe must report them (the vectorizer's handler
    itself now imports them only on its first invocation, through bootstrap)."""
    assert "pydantic_settings" in imported_heavy("campusbot.settings")
    assert "sqlalchemy" in imported_heavy("campusbot.db.models")
