"""`platform chat`: one message, an interactive session, or the smoke conversations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_SCRIPTS = Path("tests/e2e/conversations")


def chat(
    message: Annotated[str | None, typer.Argument(help="one message; omit it for an interactive session")] = None,
    url: Annotated[str | None, typer.Option(help="chat endpoint (default: the local runtime's gateway)")] = None,
    session: Annotated[str | None, typer.Option(help="continue this session id")] = None,
    smoke: Annotated[bool, typer.Option("--smoke", help="run the conversation scripts; exit 1 on any failure")] = False,
    scripts: Annotated[Path, typer.Option(help="folder of conversation scripts for --smoke")] = DEFAULT_SCRIPTS,
    only: Annotated[str | None, typer.Option(help="with --smoke: only scripts whose name contains this")] = None,
    transcript: Annotated[bool, typer.Option(help="with --smoke: print every turn to stderr")] = True,
    api_key: Annotated[
        str | None, typer.Option(help="x-api-key for a deployed endpoint (CAMPUSBOT_CHAT_API_KEY)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print replies / results as JSON")] = False,
    as_user: Annotated[
        str | None, typer.Option("--as", help="sign in as this student (Cognito) and chat with their ID token")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="with --as: the password (else CAMPUSBOT_CHAT_PASSWORD, else asked)", envvar="CAMPUSBOT_CHAT_PASSWORD"
        ),
    ] = None,
    env: Annotated[
        str | None, typer.Option(help="with --as and --url: the deployed env whose user pool to sign in to (SSM)")
    ] = None,
) -> None:
    """Talk to campusbot through its chat API (local gateway by default, or any --url).

    Examples:

        platform chat "recommend a university for medicine in Germany"

        platform chat                      # interactive; /new starts a new session, /quit leaves

        platform chat --smoke              # every script in tests/e2e/conversations, pass/fail table

        platform chat --as ana@example.edu "show my profile"   # signed in (platform users add first)
    """
    from campusbot.chat.client import ChatClient
    from campusbot.settings import get_settings

    settings = get_settings()
    endpoint = url or settings.chat_url
    id_token = None
    if as_user is not None:
        if password is None:
            password = typer.prompt(f"password of {as_user}", hide_input=True)
        id_token = _sign_in(as_user, password, env if url else None)
    with ChatClient(endpoint, api_key=api_key or settings.chat_api_key, id_token=id_token) as client:
        if smoke:
            _smoke(client, scripts, only, transcript, as_json, env if url else None)
        elif message is not None:
            _one(client, message, session, as_json)
        else:
            _interactive(client, session)


def _sign_in(email: str, password: str, env: str | None) -> str:
    from campusbot.auth.signin import CognitoUsers, PoolAddress, SignInError
    from campusbot.cli.console import abort
    from campusbot.cli.users import pool_for

    pool = pool_for(env)
    assert isinstance(pool, PoolAddress)
    try:
        return CognitoUsers(pool).sign_in(email.strip().lower(), password)
    except SignInError as exc:
        abort(str(exc))


def _smoke_sign_in(env: str | None) -> object:
    """For signed-in scripts: the account is created (a fresh generated password) when new, then signs in."""
    from campusbot.auth.signin import CognitoUsers, PoolAddress, account_signer
    from campusbot.cli.users import pool_for

    def users() -> CognitoUsers:
        pool = pool_for(env)
        assert isinstance(pool, PoolAddress)
        return CognitoUsers(pool)

    return account_signer(users)


def _one(client: object, message: str, session: str | None, as_json: bool) -> None:
    from dataclasses import asdict

    from campusbot.chat.client import ChatClient, ChatError
    from campusbot.cli.console import abort, emit_json

    assert isinstance(client, ChatClient)
    try:
        reply = client.send(message, session)
    except ChatError as exc:
        abort(f"{exc} (is the runtime up? `platform up`)")
    if as_json:
        emit_json(asdict(reply))
    else:
        _show(reply)


def _show(reply: object) -> None:
    from campusbot.chat.client import ChatReply
    from campusbot.cli.console import err, out

    assert isinstance(reply, ChatReply)
    for text in reply.messages:
        out.print(text, markup=False)
    for source in reply.sources:
        label = source.get("title") or source.get("s3_key") or "source"
        number = source.get("n")
        out.print(f"  [{number}] {label}" if number else f"  - {label}", markup=False, style="dim")
    for index, button in enumerate(reply.buttons, start=1):  # quick replies: type the number to choose one
        out.print(f"  {index}) {button['text']}", markup=False)
    err.print(f"[dim]{reply.intent} · {reply.state} · session {reply.session_id} · {reply.latency_ms:.0f} ms[/]")


def _interactive(client: object, session: str | None) -> None:
    from campusbot.chat.client import ChatClient, ChatError
    from campusbot.cli.console import err, warn

    assert isinstance(client, ChatClient)
    err.print("campusbot chat — /new starts a new session, /quit (or Ctrl-D) leaves", markup=False)
    choices: list[str] = []
    while True:
        try:
            line = err.input("[bold]you>[/] ").strip()
        except (EOFError, KeyboardInterrupt):
            err.print()
            return
        if line in {"/quit", "/exit"}:
            return
        if line == "/new":
            session = None
            err.print("new session", style="dim")
            continue
        if not line:
            continue
        if line.isdigit() and 1 <= int(line) <= len(choices):  # a numbered quick reply of the last answer
            line = choices[int(line) - 1]
        try:
            reply = client.send(line, session)
        except ChatError as exc:
            warn(str(exc))
            continue
        session = reply.session_id
        choices = [button["value"] for button in reply.buttons]
        _show(reply)


def _smoke(
    client: object, scripts: Path, only: str | None, transcript: bool, as_json: bool, env: str | None = None
) -> None:
    from campusbot.chat.client import ChatClient, ChatReply
    from campusbot.chat.smoke import ScriptError, Turn, load_conversations, run_conversation
    from campusbot.cli.console import abort, emit_json, err, success, table

    assert isinstance(client, ChatClient)
    try:
        conversations = load_conversations(scripts, only)
    except ScriptError as exc:
        abort(str(exc), 2)

    def show_turn(turn: Turn, reply: ChatReply | None) -> None:
        if not transcript:
            return
        err.print(f"  [bold]you>[/] {turn.say}", highlight=False)
        if reply is None:
            err.print("  [red]bot> (no answer)[/]")
            return
        for text in reply.messages:
            err.print(f"  [cyan]bot>[/] {text}", markup=True, highlight=False)
        err.print(f"       [dim]{reply.intent} · {reply.state} · {reply.latency_ms:.0f} ms[/]")

    results = []
    for conversation in conversations:
        if transcript:
            err.print(f"[bold]▶ {conversation.name}[/] ({conversation.path.name})")
        sign_in = _smoke_sign_in(env) if conversation.sign_in else None
        results.append(run_conversation(client, conversation, show_turn, sign_in))  # type: ignore[arg-type]
    if as_json:
        emit_json([{"name": r.conversation.name, "passed": r.passed, "failures": r.failures} for r in results])
    else:
        rows = [
            (
                r.conversation.name,
                f"{len(r.turns)}/{len(r.conversation.turns)}",
                "[green]pass[/]" if r.passed else "[red]FAIL[/]",
                "; ".join(r.failures)[:300],
            )
            for r in results
        ]
        table(f"smoke conversations against {client.url}", ["conversation", "turns", "result", "failures"], rows)
    failed = [r for r in results if not r.passed]
    if failed:
        abort(f"{len(failed)} of {len(results)} conversations failed")
    success(f"all {len(results)} conversations passed")
