"""`platform doctor`: what is installed and reachable."""

from __future__ import annotations

from typing import Annotated

import typer

from campusbot.cli.console import emit_json, table

STYLE = {"ok": "[green]ok[/]", "missing": "[red]missing[/]", "warn": "[yellow]warn[/]", "off": "[dim]off[/]"}


def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="print the checks as JSON")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="exit 1 when anything is missing")] = False,
) -> None:
    """Show what is installed and reachable: Python, embedded Postgres, terraform, docker, AWS, Scalr, LocalStack."""
    from dataclasses import asdict

    from campusbot.diagnostics import run_checks
    from campusbot.settings import get_settings

    checks = run_checks(get_settings())
    if as_json:
        emit_json([asdict(check) for check in checks])
    else:
        table(
            "campusbot doctor",
            ["check", "status", "detail", "needed for"],
            [(c.name, STYLE[c.status], c.detail, c.needed_for) for c in checks],
        )
    if strict and any(c.status == "missing" for c in checks):
        raise typer.Exit(1)
