"""Run Alembic migrations programmatically (CLI, tests, the deploy's one-off task) against a URL or a
`DatabaseTarget` (TLS, credentials from a secret).

Alembic is synchronous; we hand it a connection from an async engine (Alembic's asyncio cookbook), so the
same functions work from plain code and from inside a running event loop. `embedding_dimensions` sets N of
`vector(N)` when the table is created (default: CAMPUSBOT_EMBEDDING_DIMENSIONS).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from campusbot.db.connect import DatabaseTarget, target_of

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(
    url: str = "", connection: Connection | None = None, *, embedding_dimensions: int | None = None
) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    if embedding_dimensions is not None:
        config.attributes["embedding_dimensions"] = embedding_dimensions
    return config


async def upgrade_async(
    target: DatabaseTarget | str, revision: str = "head", *, embedding_dimensions: int | None = None
) -> None:
    await _with_connection(target, lambda config: command.upgrade(config, revision), embedding_dimensions)


async def downgrade_async(target: DatabaseTarget | str, revision: str = "base") -> None:
    await _with_connection(target, lambda config: command.downgrade(config, revision))


def upgrade(target: DatabaseTarget | str, revision: str = "head", *, embedding_dimensions: int | None = None) -> None:
    _run(upgrade_async(target, revision, embedding_dimensions=embedding_dimensions))


def downgrade(target: DatabaseTarget | str, revision: str = "base") -> None:
    _run(downgrade_async(target, revision))


def current_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def _with_connection(
    target: DatabaseTarget | str, action: Callable[[Config], None], embedding_dimensions: int | None = None
) -> None:
    resolved = target_of(target)
    engine = resolved.create_engine(null_pool=True)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(
                lambda sync: action(alembic_config(resolved.url, sync, embedding_dimensions=embedding_dimensions))
            )
    finally:
        await engine.dispose()


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    """asyncio.run, or in a worker thread when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine)
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool_:
        pool_.submit(asyncio.run, coroutine).result()
