"""Helpers for the Scalr OPA policy tests: evaluate one policy file the way Scalr does.

Imported by the test modules beside it.

Scalr evaluates each policy of a group on its own and reads ``data.terraform.deny``, so every
evaluation here loads exactly one ``scalr/policies/<name>.rego`` into a fresh regopy interpreter.
regopy (rego-cpp) cannot evaluate ``with input as`` (it fails with an internal error), so the
``*_test.rego`` files are run by ``opa test`` only; their cases live in ``*_mock.json`` and are
replayed here through ``set_input``, which is what ``with input as`` does.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from regopy import Interpreter

ROOT = Path(__file__).resolve().parents[2]
POLICY_DIR = ROOT / "scalr" / "policies"
FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures"
LEVELS = {"hard-mandatory", "soft-mandatory", "advisory"}


class PolicyError(RuntimeError):
    """regopy could not compile or evaluate a policy."""


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@cache
def policy_levels() -> dict[str, str]:
    """Policy name -> enforcement level, as scalr-policy.hcl declares them."""
    with (POLICY_DIR / "scalr-policy.hcl").open() as fh:
        doc = hcl2.load(fh)
    levels: dict[str, str] = {}
    for block in doc.get("policy", []):
        for name, body in block.items():
            if name.startswith("__"):
                continue
            levels[_unquote(name)] = _unquote(body["enforcement_level"])
    return levels


def policy_names() -> list[str]:
    return sorted(policy_levels())


def deny(policy: str, document: dict[str, Any], source: str | None = None) -> list[str]:
    """The sorted messages of ``data.terraform.deny`` for one policy and one input document."""
    rego = Interpreter()
    rego.add_module(policy, source if source is not None else (POLICY_DIR / f"{policy}.rego").read_text())
    rego.set_input(document)
    output = rego.query("x = data.terraform.deny")
    if not output.ok() or len(output.results) != 1:
        raise PolicyError(f"regopy could not evaluate data.terraform.deny of {policy}")
    messages = output.results[0].bindings["x"]
    assert isinstance(messages, list), f"{policy}: deny is not a set of messages: {messages!r}"
    assert all(isinstance(m, str) for m in messages), f"{policy}: deny holds non-strings: {messages!r}"
    return sorted(messages)


@cache
def _fixture_text(name: str) -> str:
    return (FIXTURE_DIR / f"{name}.json").read_text()


def fixture(name: str) -> dict[str, Any]:
    """A fresh copy of ``fixtures/<name>.json`` (``{"tfplan": ..., "tfrun": ...}``)."""
    loaded: dict[str, Any] = json.loads(_fixture_text(name))
    return loaded


def mock_cases(policy: str) -> dict[str, dict[str, Any]]:
    """The unit cases of ``<policy>_mock.json``: name -> {"input": ..., "deny": [...]}."""
    doc = json.loads((POLICY_DIR / f"{policy}_mock.json").read_text())
    cases: dict[str, dict[str, Any]] = doc["mock"][policy]
    return cases
