"""The composition root: the only place that picks adapters from Settings.

Entry points (API, Lambdas, CLI) ask bootstrap for what they need; nothing else looks at the target or
decides between the embedded runtime and AWS.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from campusbot.db.session import create_engine, create_sessionmaker
from campusbot.settings import Settings


@dataclass(frozen=True)
class Database:
    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    async def dispose(self) -> None:
        await self.engine.dispose()


def resolve_database_url(settings: Settings) -> str:
    """CAMPUSBOT_DATABASE_URL, else the parts, else the Secrets Manager secret, else embedded PostgreSQL."""
    if settings.database_url is not None:
        return settings.database_url
    if settings.db_secret_arn is not None:
        user, password = _secret_credentials(settings)
        return settings.database_url_from_parts(user=user, password=password)
    if settings.db_host is not None:
        return settings.database_url_from_parts()
    from campusbot.local import postgres

    return postgres.start(settings.pg_dir, settings.embedded_db_name)


def build_database(settings: Settings, url: str | None = None) -> Database:
    url = url or resolve_database_url(settings)
    engine = create_engine(url, pool_size=settings.db_pool_size)
    return Database(url=url, engine=engine, sessions=create_sessionmaker(engine))


def _secret_credentials(settings: Settings) -> tuple[str, str]:
    import boto3

    client = boto3.client("secretsmanager", region_name=settings.region)
    secret = json.loads(client.get_secret_value(SecretId=settings.db_secret_arn)["SecretString"])
    return str(secret["username"]), str(secret["password"])
