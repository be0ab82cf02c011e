"""Where and how the API, the vectorizer and the CLI connect to PostgreSQL: a `DatabaseTarget`.

A target is a SQLAlchemy asyncpg URL plus, for a server reached by host name (RDS in AWS, the embedded
PostgreSQL's TCP port on the local runtime), TLS with verify-full semantics (`db.tls`) and credentials read from
Secrets Manager per new connection (`db.credentials`): the engine opens each connection through
`connect()`, which asks the credentials for the current username/password and, when the server refuses them
(the secret was rotated), reads the secret again and retries once. A plain URL (the embedded server's unix
socket, CAMPUSBOT_DATABASE_URL) connects as the URL says.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from campusbot.db.credentials import SecretCredentials

if TYPE_CHECKING:
    import asyncpg
    from sqlalchemy.ext.asyncio import AsyncEngine

SERVER_SETTINGS = {"jit": "off", "application_name": "campusbot"}  # JIT hurts short OLTP queries


@dataclass(frozen=True)
class DatabaseTarget:
    url: str  # postgresql+asyncpg://; without the password when `credentials` supply it
    ssl: ssl.SSLContext | None = field(default=None, compare=False)
    credentials: SecretCredentials | None = field(default=None, compare=False)

    @property
    def display(self) -> str:
        """host:port/database (or the socket), without credentials: for messages."""
        return self.url.split("@", 1)[-1]

    @property
    def direct(self) -> bool:
        """True when the URL alone says how to connect (no TLS context, no secret)."""
        return self.ssl is None and self.credentials is None

    def create_engine(self, *, pool_size: int = 10, null_pool: bool = False) -> AsyncEngine:
        from campusbot.db.session import create_engine

        return create_engine(
            self.url, pool_size=pool_size, null_pool=null_pool, async_creator=None if self.direct else self.connect
        )

    async def connect(self) -> asyncpg.Connection:
        """A new asyncpg connection: current credentials, TLS verify-full; once more after an auth failure."""
        import asyncpg

        url = make_url(self.url)
        for attempt in (1, 2):
            user, password = url.username, url.password
            if self.credentials is not None:
                user, password = await asyncio.to_thread(self.credentials.get)
            try:
                connection: asyncpg.Connection = await asyncpg.connect(
                    host=url.host, port=url.port or 5432, user=user, password=password, database=url.database,
                    ssl=self.ssl if self.ssl is not None else False, server_settings=SERVER_SETTINGS,
                )  # fmt: skip
                return connection
            except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError):
                if self.credentials is None or attempt == 2:
                    raise
                self.credentials.invalidate()  # rotated since we read it: read the secret again
        raise AssertionError("unreachable")


def target_of(value: DatabaseTarget | str) -> DatabaseTarget:
    return value if isinstance(value, DatabaseTarget) else DatabaseTarget(value)


def connect_args() -> dict[str, Any]:
    return {"server_settings": dict(SERVER_SETTINGS)}
