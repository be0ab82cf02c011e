"""`platform seed`: migrate, then load the seed data idempotently."""

from __future__ import annotations

from typing import Annotated

import typer

from campusbot.cli.console import abort, emit_json, info, success, table


def seed(
    reset: Annotated[bool, typer.Option("--reset", help="empty the catalogue tables first, then load")] = False,
    seed_value: Annotated[
        int | None, typer.Option("--seed", help="generator seed (default CAMPUSBOT_SEED_RANDOM)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Migrate the database to the latest schema and load the seed data.

    Loading twice changes nothing: rows are matched on natural keys (university name, student email,
    company name, ...) and only differing values are written. Rows added through the API are kept.
    Without CAMPUSBOT_DATABASE_URL it uses (or starts) the embedded PostgreSQL (.campusbot/pg by default).

    \b
    Examples:
      platform seed              migrate, then load (a second run changes nothing)
      platform seed --reset      empty the catalogue tables first, then load
    """
    import asyncio
    from dataclasses import asdict

    from campusbot.cli.database import prepared_database
    from campusbot.db.seed.data import build_seed
    from campusbot.db.seed.load import load
    from campusbot.settings import get_settings

    settings = get_settings()
    data = build_seed(settings.seed_random if seed_value is None else seed_value)
    database = prepared_database(settings)
    info(f"loading seed data into {database.url.split('@')[-1]}" + (" (reset)" if reset else ""))

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from campusbot.cli.console import err

    totals = data.counts()
    with Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), console=err) as bar:
        tasks = {name: bar.add_task(name, total=count) for name, count in totals.items()}

        def advance(table_name: str, rows: int) -> None:
            bar.advance(tasks[table_name], rows)

        async def run() -> object:
            try:
                return await load(database.engine, data, reset=reset, progress=advance)
            finally:
                await database.dispose()

        try:
            report = asyncio.run(run())
        except Exception as exc:  # the database said no: say what, not a traceback
            abort(f"seeding failed: {exc}")

    from campusbot.db.seed.load import SeedReport

    assert isinstance(report, SeedReport)
    if as_json:
        emit_json({name: asdict(t) for name, t in report.tables.items()})
    else:
        rows = [(name, t.inserted, t.updated, t.unchanged) for name, t in report.tables.items()]
        table("seed", ["table", "inserted", "updated", "unchanged"], rows)
    success("seed data loaded" if report.changed else "seed data already up to date: nothing changed")
