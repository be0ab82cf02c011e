"""The root `platform` command. Command modules import only typer here; their work imports lazily."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from campusbot.cli import analytics, api, bot, chat, deploy, doctor, local_runtime, seed, upload, users

app = typer.Typer(
    name="platform",
    help="campusbot: build, run, deploy and talk to the campus assistant.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="log debug details to stderr")] = False,
) -> None:
    """campusbot: build, run, deploy and talk to the campus assistant.

    Everything runs on the embedded default (no Docker, no AWS account) unless CAMPUSBOT_TARGET
    says otherwise. Results go to stdout, progress and errors to stderr.
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


app.command("doctor")(doctor.doctor)
app.command("seed")(seed.seed)
app.command("up")(local_runtime.up)
app.command("down")(local_runtime.down)
app.command("status")(local_runtime.status)
app.command("chat")(chat.chat)
app.command("api")(api.api)
app.command("upload")(upload.upload)
app.command("deploy")(deploy.deploy)
app.command("plan")(deploy.plan)
app.command("destroy")(deploy.destroy)
app.command("bootstrap")(deploy.bootstrap)
app.command("package")(deploy.package)
app.command("analytics")(analytics.analytics)
app.add_typer(bot.app, name="bot")
app.add_typer(users.app, name="users")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
