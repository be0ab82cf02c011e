"""`platform users add`: a student account in the user pool (the local runtime's, or a deployed env's)."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Student accounts in the Cognito user pool (sign-in).", no_args_is_help=True)


def pool_for(env: str | None) -> object:
    """The pool to use: a deployed env's (SSM) when `env` is given, else the running local runtime's."""
    from campusbot.auth.signin import SignInError, deployed_pool, local_pool
    from campusbot.cli.console import abort
    from campusbot.local.runtime import read_state
    from campusbot.settings import get_settings

    settings = get_settings()
    if env:
        import boto3

        try:
            return deployed_pool(boto3.client("ssm", region_name=settings.region), env, settings.region)
        except SignInError as exc:
            abort(str(exc))
    pool = local_pool(read_state(settings))
    if pool is None:
        abort("no local runtime with a user pool is running: start it with `platform up` (or name a deployed --env)")
    return pool


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="the student's email: the username, marked verified")],
    password: Annotated[
        str | None, typer.Option(help="the password (the pool's policy: 12+ characters, upper, lower, digit, symbol)")
    ] = None,
    generate: Annotated[bool, typer.Option("--generate", help="generate a strong password and print it")] = False,
    env: Annotated[
        str | None, typer.Option(help="a deployed environment's pool (SSM) instead of the local one")
    ] = None,
) -> None:
    """Create a confirmed student account that can sign in at once (`platform chat --as EMAIL`).

    Without --password the password is asked for (hidden, twice); --generate makes one and prints it once.
    """
    from campusbot.assistant.messages import valid_email
    from campusbot.auth.signin import CognitoUsers, PoolAddress, SignInError, generate_password
    from campusbot.cli.console import abort, out, success

    email = email.strip().lower()
    if not valid_email(email):
        abort(f"{email!r} is not an email address", 2)
    if password is None:
        password = (
            generate_password() if generate else typer.prompt("password", hide_input=True, confirmation_prompt=True)
        )
    pool = pool_for(env)
    assert isinstance(pool, PoolAddress)
    try:
        sub = CognitoUsers(pool).add(email, password)
    except SignInError as exc:
        abort(str(exc))
    success(f"{email} can sign in (pool {pool.user_pool_id}, sub {sub}); try `platform chat --as {email}`")
    if generate:
        out.print(f"password: {password}", markup=False)
