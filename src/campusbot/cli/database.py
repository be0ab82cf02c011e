"""Shared by CLI commands that need the database: resolve it (embedded by default) and migrate it."""

from __future__ import annotations

from campusbot.bootstrap import build_database, resolve_database
from campusbot.cli.console import abort, info
from campusbot.db.database import Database
from campusbot.settings import Settings


def prepared_database(settings: Settings, *, migrate: bool = True) -> Database:
    """The configured database at the latest schema; a clear error instead of a traceback when it fails."""
    from campusbot.db import migrate as migrations

    try:
        if settings.uses_embedded_database:
            info(f"starting embedded PostgreSQL in {settings.pg_dir} ...")
        target = resolve_database(settings)
        if migrate:
            migrations.upgrade(target)
    except Exception as exc:  # embedded start, network, TLS, auth or migration failure
        abort(f"database not available: {exc}")
    return build_database(settings, target)
