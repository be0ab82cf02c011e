"""Run Alembic migrations programmatically (CLI, tests, the deploy's one-off task) against a URL.

Alembic is synchronous; we hand it a connection from an async engine (Alembic's asyncio cookbook), so the
same functions work from plain code and from inside a running event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str = "", connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade_async(url: str, revision: str = "head") -> None:
    await _with_connection(url, lambda config: command.upgrade(config, revision))


async def downgrade_async(url: str, revision: str = "base") -> None:
    await _with_connection(url, lambda config: command.downgrade(config, revision))


def upgrade(url: str, revision: str = "head") -> None:
    _run(upgrade_async(url, revision))


def downgrade(url: str, revision: str = "base") -> None:
    _run(downgrade_async(url, revision))


def current_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def _with_connection(url: str, action: Callable[[Config], None]) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: action(alembic_config(url, sync)))
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
