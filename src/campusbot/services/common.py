"""Small helpers every service uses: commit with readable integrity errors, pages, LIKE patterns."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from campusbot.db.models import Base
from campusbot.services.errors import NotFound
from campusbot.services.integrity import integrity_error

M = TypeVar("M", bound=Base)


async def commit(session: AsyncSession) -> None:
    """Commit; a constraint violation becomes a Conflict/Invalid service error and the session is usable."""
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise integrity_error(exc) from exc


async def get_or_404(session: AsyncSession, model: type[M], key: int, *options: Any) -> M:
    row = await session.get(model, key, options=list(options))
    if row is None:
        raise NotFound(model.__tablename__.replace("_", " "), key)
    return row


async def page(session: AsyncSession, stmt: Select[Any], limit: int, offset: int) -> tuple[list[Any], int]:
    """The rows of one page and the total count of the filtered statement."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = (await session.scalars(stmt.limit(limit).offset(offset))).all()
    return list(rows), int(total or 0)


def contains(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, with the LIKE wildcards in it taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def apply_changes(row: Base, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(row, key, value)
