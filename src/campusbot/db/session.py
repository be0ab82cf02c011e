"""The async engine (asyncpg) and session factory. Where to connect comes from bootstrap, never from here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import pool
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    null_pool: bool = False,
    async_creator: Callable[[], Awaitable[Any]] | None = None,
) -> AsyncEngine:
    """An asyncpg engine with a bounded pool (or none) and a JIT-free server (JIT hurts short OLTP queries).

    With `async_creator` every new connection comes from it (TLS, credentials read per connection: db.connect)."""
    from campusbot.db.connect import connect_args

    options: dict[str, Any] = {"pool_pre_ping": True}
    if null_pool:
        options["poolclass"] = pool.NullPool
    else:
        options.update(pool_size=pool_size, max_overflow=pool_size, pool_recycle=1800)
    if async_creator is not None:
        options["async_creator"] = async_creator
    else:
        options["connect_args"] = connect_args()
    return create_async_engine(url, **options)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
