"""Alembic environment. campusbot.db.migrate hands in a connection; the `alembic` command line gets its
URL from campusbot's Settings (CAMPUSBOT_DATABASE_URL, or the embedded PostgreSQL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from campusbot.db.connect import DatabaseTarget
from campusbot.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _settings_target() -> DatabaseTarget:
    from campusbot.bootstrap import resolve_database
    from campusbot.settings import get_settings

    return resolve_database(get_settings())


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
elif context.is_offline_mode():
    context.configure(
        url=config.attributes.get("url") or _settings_target().url, target_metadata=target_metadata, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    import asyncio

    async def _online() -> None:
        url = config.attributes.get("url")
        engine = (DatabaseTarget(url) if url else _settings_target()).create_engine(null_pool=True)
        async with engine.connect() as conn:
            await conn.run_sync(_run)
            await conn.commit()
        await engine.dispose()

    asyncio.run(_online())
