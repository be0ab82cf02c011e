"""Regenerate the Inputs/Outputs tables of terraform/modules/*/README.md (like terraform-docs).

    .venv/bin/python -m tests.terraform.readme_tables           # rewrite the tables
    .venv/bin/python -m tests.terraform.readme_tables --check   # exit 1 if a table is stale

The tables live between <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->; the prose above is
hand-written. test_tf_structure.py checks that every variable and output is documented.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.terraform.tf_hcl import MODULE_NAMES, MODULES, expr, outputs, unquote, variables

BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(spec: dict[str, Any]) -> str:
    if "default" not in spec:
        return "n/a"
    value = spec["default"]
    if value is None:
        return "`null`"
    if isinstance(value, str):
        text = expr(value) if value.startswith("${") else json.dumps(unquote(value))
    else:
        text = json.dumps(_plain(value), separators=(", ", " = ") if isinstance(value, dict) else (", ", ": "))
    return f"`{_cell(text)}`" if len(text) <= 80 else "see variables.tf"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(unquote(k)): _plain(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return unquote(value)


def tables(folder: Path) -> str:
    rows = [
        "## Inputs",
        "",
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
    ]
    for name, spec in sorted(variables(folder).items()):
        kind = expr(spec.get("type", "any"))
        kind_cell = f"`{_cell(kind)}`" if len(kind) <= 60 and "\n" not in kind else "object (see variables.tf)"
        rows.append(
            f"| `{name}` | {_cell(str(unquote(spec.get('description', ''))))} | {kind_cell} | "
            f"{_default(spec)} | {'no' if 'default' in spec else 'yes'} |"
        )
    rows += ["", "## Outputs", "", "| Name | Description |", "|------|-------------|"]
    for name, spec in sorted(outputs(folder).items()):
        rows.append(f"| `{name}` | {_cell(str(unquote(spec.get('description', ''))))} |")
    return "\n".join(rows)


def render(readme: str, folder: Path) -> str:
    block = f"{BEGIN}\n{tables(folder)}\n{END}"
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    return readme.rstrip("\n") + "\n\n" + block + "\n"


def main(argv: list[str]) -> int:
    stale = []
    for module in MODULE_NAMES:
        path = MODULES / module / "README.md"
        current = path.read_text() if path.exists() else f"# {module}\n"
        wanted = render(current, MODULES / module)
        if wanted != current:
            stale.append(module)
            if "--check" not in argv:
                path.write_text(wanted)
    if "--check" in argv and stale:
        sys.stderr.write(f"stale README tables: {', '.join(stale)}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
