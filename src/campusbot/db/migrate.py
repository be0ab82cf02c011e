"""Run Alembic migrations programmatically (CLI, tests, the deploy's one-off task) against a URL or a
`DatabaseTarget` (TLS, credentials from a secret).

Alembic is synchronous; we hand it a connection from an async engine (Alembic's asyncio cookbook), so the
same functions work from plain code and from inside a running event loop. `embedding_dimensions` sets N of
`vector(N)` when the table is created (default: CAMPUSBOT_EMBEDDING_DIMENSIONS).

An upgrade to head first reads `alembic_version` in one query and compares it with the head revision (from the
revision files' headers, no migration module imported): a database already at head is left alone without loading
Alembic's environment, the models or the revision modules. This is the same code in AWS (the deploy's one-off task)
and locally (`platform up`), where every warm start is at head. Anything else runs Alembic as before.
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
from collections.abc import Callable, Coroutine
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from campusbot.db.connect import DatabaseTarget, target_of

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
T = TypeVar("T")


def alembic_config(
    url: str = "", connection: Connection | None = None, *, embedding_dimensions: int | None = None
) -> Config:
    from alembic.config import Config

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
) -> bool:
    """Upgrade to `revision`; False when the database was already at head (nothing ran), else True."""
    resolved = target_of(target)
    engine = resolved.create_engine(null_pool=True)
    try:
        return await upgrade_engine(engine, resolved.url, revision, embedding_dimensions=embedding_dimensions)
    finally:
        await engine.dispose()


async def upgrade_engine(
    engine: AsyncEngine, url: str, revision: str = "head", *, embedding_dimensions: int | None = None
) -> bool:
    """`upgrade_async` on an engine the caller owns (the local runtime's one engine for its start-up work)."""
    if revision == "head":
        async with engine.connect() as connection:
            if await is_at_head(connection):
                return False
    await _run_alembic(engine, url, lambda config: _command().upgrade(config, revision), embedding_dimensions)
    return True


async def downgrade_async(target: DatabaseTarget | str, revision: str = "base") -> None:
    resolved = target_of(target)
    engine = resolved.create_engine(null_pool=True)
    try:
        await _run_alembic(engine, resolved.url, lambda config: _command().downgrade(config, revision))
    finally:
        await engine.dispose()


async def current_revision(connection: AsyncConnection) -> str | None:
    """The revision recorded in `alembic_version` (None: never migrated), in one query."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    try:
        versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    except ProgrammingError:  # no alembic_version table: a database never migrated
        await connection.rollback()
        return None
    return ",".join(sorted(str(version) for version in versions)) or None


async def is_at_head(connection: AsyncConnection) -> bool:
    return await current_revision(connection) == current_head_fast()


def upgrade(target: DatabaseTarget | str, revision: str = "head", *, embedding_dimensions: int | None = None) -> bool:
    """False when the database was already at head (nothing ran)."""
    return _run(upgrade_async(target, revision, embedding_dimensions=embedding_dimensions))


def downgrade(target: DatabaseTarget | str, revision: str = "base") -> None:
    _run(downgrade_async(target, revision))


def current_head() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@lru_cache(maxsize=1)
def current_head_fast() -> str:
    """The single head revision, read from the revision files' `revision`/`down_revision` assignments (what
    Alembic's ScriptDirectory reads, without importing the modules). Several heads or none: an error, as Alembic."""
    revisions: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        found: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            value = getattr(node, "value", None)
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision") and value is not None:
                found[target.id] = ast.literal_eval(value)
        if "revision" in found:
            down = found.get("down_revision")
            if down is not None and not isinstance(down, str):
                raise RuntimeError(f"{path.name}: a merge revision; use current_head()")
            revisions[str(found["revision"])] = down
    heads = set(revisions) - {down for down in revisions.values() if down is not None}
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads ({', '.join(sorted(heads))}), expected one")
    return heads.pop()


def _command() -> Any:
    from alembic import command

    return command


async def _run_alembic(
    engine: AsyncEngine, url: str, action: Callable[[Config], None], embedding_dimensions: int | None = None
) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(
            lambda sync: action(alembic_config(url, sync, embedding_dimensions=embedding_dimensions))
        )


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, or in a worker thread when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool_:
        return pool_.submit(asyncio.run, coroutine).result()
