"""`platform analytics`: the named queries as tables (on DuckDB locally, on a deployed Athena) and the HTML report."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from campusbot.analytics.engine import QueryResult
    from campusbot.analytics.sql import NamedQuery
    from campusbot.settings import Settings

RESERVED = ("report", "list")
_RELATIVE = re.compile(r"^(\d+)([dw])$")


def analytics(
    query: Annotated[
        str | None,
        typer.Argument(
            metavar="[QUERY|report|list]",
            help="a query's name; `report` writes the HTML dashboard; `list` names the queries; nothing runs them all",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="only chat events from this UTC day on: YYYY-MM-DD, or 7d / 4w for the last days or weeks "
            "(Athena then reads only those day partitions)",
        ),
    ] = None,
    env: Annotated[
        str | None,
        typer.Option("--env", help="run on this deployed environment's Athena workgroup instead of the local lake"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the results as JSON")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="print one query's result as CSV")] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="report: the HTML file to write (default: analytics.html in CAMPUSBOT_DATA_DIR)"
        ),
    ] = None,
    open_report: Annotated[bool, typer.Option("--open", help="report: open it in the browser")] = False,
    lake: Annotated[
        str | None,
        typer.Option(
            "--lake",
            help="read another lake in the same layout: a folder, or s3://bucket (default: the local runtime's "
            "lake bucket, CAMPUSBOT_LAKE_BUCKET)",
        ),
    ] = None,
) -> None:
    """Run the named analytics queries: what students ask, what goes unanswered, answer sources, speed, ratings.

    Runs the named queries of src/campusbot/analytics/queries (the same SQL Athena runs in AWS) and prints a
    table per query. Locally (the default) DuckDB reads the lake of the running local runtime: the chat
    events under chat-events/dt=…/ and the DMS copy of the database under dms/. With --env it runs them in
    that environment's Athena workgroup, showing progress while Athena works.

    \b
    Examples:
      platform analytics list                      the queries and what each answers
      platform analytics                           every query, a table each
      platform analytics top_unanswered_questions --since 7d
      platform analytics intent_distribution --csv > intents.csv
      platform analytics report --open             the HTML dashboard, in your browser
      platform analytics daily_turns --env prod    on prod's Athena
    """
    from campusbot.analytics import sql
    from campusbot.cli.console import abort, info, table, warn
    from campusbot.settings import get_settings

    if as_json and as_csv:
        abort("choose one of --json and --csv", 2)
    try:
        queries = sql.load_all()
    except sql.QueryError as exc:
        abort(str(exc))
    if query == "list":
        table(
            None,
            ["query", "what it answers", "reads"],
            [(q.name, q.description, ", ".join(sorted(q.tables))) for q in queries],
        )
        return
    if query is not None and query != "report":
        try:
            queries = (sql.by_name(query),)
        except sql.QueryError as exc:
            abort(f"{exc} (or `report`, `list`)", 2)
    if as_csv and len(queries) != 1:
        abort("--csv prints one query: name it (`platform analytics list` shows them)", 2)
    if query != "report" and (output is not None or open_report):
        abort("--output and --open are for `platform analytics report`", 2)
    settings = get_settings()
    first_day = parse_since(since)
    if env is None and lake is None:
        _require_local_lake(settings)
    results = _run_queries(settings, queries, env, first_day, lake)
    failed = [r for r in results if r.error]
    if len(queries) == 1 and failed:
        abort(str(failed[0].error))
    if query == "report":
        _write_report(settings, results, env, lake, first_day, output, open_report)
    else:
        _show(results, as_json, as_csv)
        if not as_json and not as_csv:
            info(_source(env, lake, settings) + (f", chat events from {first_day} on" if first_day else ""))
    for result in failed:
        warn(str(result.error))
    if failed and query != "report":
        raise typer.Exit(1)


def parse_since(text: str | None, today: date | None = None) -> date | None:
    """YYYY-MM-DD, or Nd / Nw before today (UTC); a bad value aborts with what is accepted."""
    if text is None:
        return None
    from campusbot.cli.console import abort

    today = today or datetime.now(UTC).date()
    if match := _RELATIVE.match(text.strip().lower()):
        count, unit = int(match[1]), match[2]
        return today - timedelta(days=count * (7 if unit == "w" else 1) - 1)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        abort(f"--since {text!r}: give a day (2026-11-25) or a span (7d, 4w)", 2)


def _run_queries(
    settings: Settings, queries: Sequence[NamedQuery], env: str | None, since: date | None, lake: str | None
) -> list[QueryResult]:
    """Every query, with a spinner on stderr saying what runs (Athena's state and bytes scanned with --env); a
    query that cannot run gives a failed result with the reason."""
    from campusbot.analytics.engine import AnalyticsError, run_all
    from campusbot.analytics.engines import build_engine
    from campusbot.cli.console import abort, err

    with err.status("reading the lake…" if env is None else f"connecting to {env}'s Athena…") as status:
        try:
            engine = build_engine(settings, env=env, since=since, lake=lake, progress=status.update)
        except AnalyticsError as exc:
            abort(str(exc))
        results: list[QueryResult] = []
        try:
            for query in queries:
                status.update(f"{query.name}: running…")
                results += run_all(engine, [query])
        finally:
            engine.close()
    return results


def _require_local_lake(settings: Settings) -> None:
    """The local lake lives in the runtime's S3: say so when neither it nor another S3 endpoint is there."""
    from campusbot.bootstrap import lake_needs_local_runtime
    from campusbot.cli.console import abort
    from campusbot.local import runtime

    if not lake_needs_local_runtime(settings):
        return
    if runtime.read_state(settings) is None:
        abort(
            "the local runtime is not running, and the local lake lives in its S3: start it with "
            "`platform up --detach` (chat events reach the lake as you chat), or read another lake with --lake"
        )


def _show(results: list[QueryResult], as_json: bool, as_csv: bool) -> None:
    from campusbot.cli.console import emit_json, info, out, table

    if as_csv:
        out.file.write(results[0].to_csv())
        return
    if as_json:
        emit_json([r.to_json() for r in results] if len(results) > 1 else results[0].to_json())
        return
    for result in results:
        if result.error:
            continue
        rows = [[_cell(v) for v in row] for row in result.rows]
        table(f"{result.query.title} ({result.query.name})", result.columns, rows)
        scanned = ""
        if result.scanned_bytes is not None:
            from campusbot.analytics.athena import human_bytes

            scanned = f", {human_bytes(result.scanned_bytes)} scanned"
        info(f"{len(result.rows)} row(s) in {result.seconds:.2f} s on {result.engine}{scanned}")


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
    return value


def _source(env: str | None, lake: str | None, settings: Settings) -> str:
    if env is not None:
        return f"Athena of {env}"
    return f"lake {lake}" if lake else f"local lake s3://{settings.lake_bucket}"


def _write_report(
    settings: Settings,
    results: list[QueryResult],
    env: str | None,
    lake: str | None,
    since: date | None,
    output: Path | None,
    open_report: bool,
) -> None:
    import webbrowser

    from campusbot.analytics import report
    from campusbot.cli.console import out, success

    path = (output or settings.data_dir / "analytics.html").resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.render(results, source=_source(env, lake, settings), since=str(since) if since else None))
    success(f"report with {len(results)} charts written")
    out.print(str(path), markup=False)
    if open_report:
        webbrowser.open(path.as_uri())
