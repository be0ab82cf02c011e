"""`platform api`: serve the data API."""

from __future__ import annotations

from typing import Annotated

import typer


def api(
    host: Annotated[str | None, typer.Option(help="interface to bind (default CAMPUSBOT_API_HOST, 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default CAMPUSBOT_API_PORT, 8000)")] = None,
    migrate: Annotated[bool, typer.Option(help="run the migrations before serving")] = True,
    access_log: Annotated[bool, typer.Option(help="log every request")] = False,
) -> None:
    """Serve the data API (the ECS service) with uvicorn until Ctrl-C.

    Without CAMPUSBOT_DATABASE_URL it starts (or joins) the embedded PostgreSQL; run `platform seed`
    first for data. OpenAPI docs are at /docs.
    """
    import uvicorn

    from campusbot.api.main import create_app
    from campusbot.cli.console import info
    from campusbot.cli.database import prepared_database
    from campusbot.local.postgres import stop_at_sigterm
    from campusbot.settings import get_settings

    settings = get_settings()
    database = prepared_database(settings, migrate=migrate)
    host = host or settings.api_host
    port = port or settings.api_port
    info(f"campusbot API on http://{host}:{port} (docs at /docs); Ctrl-C stops it")
    stop_at_sigterm()  # a SIGTERM stops the embedded PostgreSQL with the API, as Ctrl-C does
    uvicorn.run(create_app(settings, database), host=host, port=port, access_log=access_log, log_level="warning")
