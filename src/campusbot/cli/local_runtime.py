"""`platform up`, `platform down`, `platform status`: the local runtime."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

if TYPE_CHECKING:
    from campusbot.settings import Settings


def up(
    detach: Annotated[
        bool, typer.Option("--detach", "-d", help="run in the background (pid file in .campusbot)")
    ] = False,
) -> None:
    """Start the local runtime: PostgreSQL, S3, the API, the AWS emulator (Lex, Bedrock) and the chat gateway.

    It stays in the foreground until Ctrl-C, or with --detach runs in the background until `platform down`.
    The first start migrates and seeds the database; later starts keep your data.
    """
    from campusbot.cli.console import abort, info, success
    from campusbot.local import runtime
    from campusbot.settings import get_settings

    settings = get_settings()
    existing = runtime.read_state(settings)
    if existing is not None:
        info(f"the runtime is already up (pid {existing['pid']})")
        _endpoints(existing)
        return
    if detach:
        log = runtime.Paths(settings.data_dir.resolve()).log_file
        info(f"starting the local runtime in the background (log: {log}) ...")
        try:  # the bot template is checked while the runtime starts, not before
            state = runtime.start_detached(
                settings, meanwhile=_warn_if_bot_template_is_stale, run=lambda: _run_detached(settings)
            )
        except runtime.RuntimeStartError as exc:
            abort(str(exc))
        _endpoints(state)
        success("runtime up; `platform chat` to talk to it, `platform down` to stop it")
        return

    detached = bool(os.environ.get("CAMPUSBOT_RUNTIME_DETACHED"))  # started by a `platform up --detach`
    if not detached:  # that `platform up --detach` checks it
        _warn_if_bot_template_is_stale()
    raise typer.Exit(_run(settings, detached=detached))


def _run(settings: Settings, *, detached: bool) -> int:
    """The runtime in this process until it stops (Ctrl-C, SIGTERM, `platform down`, a crash loop): its exit code.
    A start that fails ends with one `error:` line (abort)."""
    from campusbot.cli.console import abort, info, success
    from campusbot.local import gc_pauses, runtime

    local = runtime.LocalRuntime(settings, progress=info)
    try:
        state = local.start()
    except KeyboardInterrupt:
        local.stop()
        return 130
    except Exception as exc:  # one line; an unexpected error's traceback goes to the log the line names
        local.stop()
        abort(runtime.record_start_failure(settings, exc))
    _endpoints(state)
    if not detached:
        success("runtime up; Ctrl-C stops it")
    code = local.wait()
    local.stop()
    gc_pauses.freeze_for_exit()
    return code


def _run_detached(settings: Settings) -> int:
    """What `platform up --detach` runs in the process it forks (`runtime.start_detached`): stdout and stderr are
    the runtime's log by now, so the consoles are made again for it (no terminal colours in the log)."""
    from campusbot.cli import console

    console.remake()
    try:
        return _run(settings, detached=True)
    except typer.Exit as exc:  # abort's
        return exc.exit_code


def down() -> None:
    """Stop the background runtime started with `platform up --detach`."""
    from campusbot.cli.console import info, success
    from campusbot.local import runtime
    from campusbot.settings import get_settings

    settings = get_settings()
    pid = runtime.running_pid(settings)
    if pid is None:
        info("the runtime is not running")
        return
    info(f"stopping the runtime (pid {pid}) ...")
    runtime.stop_detached(settings)
    success("runtime stopped")


def status(
    as_json: Annotated[bool, typer.Option("--json", help="print the state as JSON")] = False,
    env: Annotated[
        str | None,
        typer.Option("--env", help="show a deployed environment instead (stacks, outputs, chat health)"),
    ] = None,
    target: Annotated[
        Literal["aws", "localstack"], typer.Option("--target", help="with --env: aws, or localstack")
    ] = "aws",
) -> None:
    """Show what the local runtime runs: endpoints, processes and their health.

    With --env: what is deployed of that environment (each stack's outputs from SSM
    /campusbot/<env>/, the chat endpoint's health, the last deploy from this machine).
    Exit code 3 when nothing runs or nothing is deployed.

    \b
    Examples:
      platform status                 endpoints, processes, health, restarts
      platform status --json          the same plus each component's environment and the Cognito pool
      platform status --env dev       what is deployed of dev
    """
    if env is not None:
        from campusbot.cli.deploy import show_deployed_status

        show_deployed_status(env, target, as_json)
        return
    from campusbot.cli.console import emit_json, info, table
    from campusbot.local import postgres, runtime
    from campusbot.settings import get_settings

    settings = get_settings()
    state = runtime.read_state(settings)
    database = postgres.status(settings.pg_dir)
    if state is None:
        if as_json:
            emit_json({"running": False, "postgres": database})
        else:
            info("the runtime is not running (`platform up` starts it)")
        raise typer.Exit(3)
    health = runtime.health(state)
    if as_json:
        emit_json({"running": True, **state, "health": health, "postgres": database})
        return
    _endpoints(state)
    supervision = state.get("supervision") or {}

    def restarts(name: str) -> tuple[object, object]:
        record = supervision.get(name) or {}
        last = record.get("last_exit")
        return record.get("restarts", 0), f"{last} at {record.get('last_exit_at')}" if last else ""

    rows = [
        (name, child["pid"], child["url"], health.get(name, "?"), *restarts(name))
        for name, child in state["children"].items()
    ]
    rows.append(
        (
            "postgres",
            database.get("pid"),
            database.get("socket_dir"),
            "ok" if database.get("running") else "down",
            *restarts("postgres"),
        )
    )
    for name, thread in (state.get("threads") or {}).items():  # threads of the runtime's own process
        up = thread.get("alive") and not (supervision.get(name) or {}).get("restarting")
        rows.append((name, f"thread of {state['pid']}", "", "ok" if up else "restarting", *restarts(name)))
    table("processes", ["component", "pid", "address", "health", "restarts", "last exit"], rows)


def _endpoints(state: dict[str, Any]) -> None:
    from campusbot.cli.console import table

    table(f"campusbot local runtime (pid {state['pid']})", ["endpoint", "address"], state["endpoints"].items())


def _warn_if_bot_template_is_stale() -> None:
    """The Lex emulator runs bot.template.json (what AWS gets), not definition.yaml: say when they differ."""
    from campusbot.bot.cloudformation import is_current
    from campusbot.bot.model import DefinitionError
    from campusbot.cli.console import warn

    try:
        current = is_current()
    except DefinitionError as exc:
        warn(f"the bot definition is invalid ({exc}); the emulator runs the committed bot template")
        return
    if not current:
        warn(
            "definition.yaml changed since bot.template.json was rendered: the emulator runs the template; "
            "`platform bot render` updates it"
        )
