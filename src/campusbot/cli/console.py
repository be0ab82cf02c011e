"""The CLI's only way to talk: results to stdout (`out`), progress and errors to stderr (`err`, `abort`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table


def _consoles() -> tuple[Console, Console]:
    """stdout's console and stderr's, as they are now: a console reads whether it writes to a terminal (colours,
    width) when it is made."""
    return (
        Console(highlight=False, emoji=False, soft_wrap=True),
        Console(stderr=True, highlight=False, emoji=False, soft_wrap=True),
    )


out, err = _consoles()


def remake() -> None:
    """Make `out` and `err` again for what stdout and stderr are now (the runtime that `platform up --detach` forks
    writes to its log)."""
    global out, err
    out, err = _consoles()


def abort(message: str, code: int = 1) -> NoReturn:
    """Print `error: message` on stderr and exit with `code`."""
    err.print(f"[bold red]error:[/] {message}", markup=True)
    raise typer.Exit(code)


def info(message: str) -> None:
    err.print(message, markup=False)


def success(message: str) -> None:
    err.print(f"[green]✓[/] {message}", markup=True)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {message}", markup=True)


def emit_json(data: Any) -> None:
    """A result as JSON on stdout (for --json)."""
    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A result table on stdout."""
    grid = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    out.print(grid)
