"""The application's database handle: the URL it reaches, its async engine and its session factory.

`bootstrap.build_database` builds it from Settings (embedded PostgreSQL, a URL, or RDS over TLS with the
credentials of a secret); the API (`api/deps.py`), the vectorizer, the CLI and the local runtime use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # importing this module stays cheap: SQLAlchemy is loaded by whoever builds the engine
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


@dataclass(frozen=True)
class Database:
    url: str  # without the password when it comes from a secret
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    async def dispose(self) -> None:
        await self.engine.dispose()
