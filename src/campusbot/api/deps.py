"""The API's dependencies, named once and used by every route.

The database is built by the app's lifespan (`bootstrap.build_database`); the knowledge base's embedder,
generator, retriever and assistant are built by bootstrap on first use and kept on `app.state` for the app's
life (a test may set `app.state.embedder` / `.generator` first: the retriever and the assistant follow them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from campusbot.db.database import Database
from campusbot.knowledge.answer import Assistant
from campusbot.knowledge.embeddings import Embedder
from campusbot.knowledge.retrieve import Retriever
from campusbot.llm.base import Generator
from campusbot.settings import Settings

T = TypeVar("T")


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_session(database: Annotated[Database, Depends(get_database)]) -> AsyncIterator[AsyncSession]:
    async with database.sessions() as session:
        yield session


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _kept(request: Request, name: str, build: Callable[[Settings], T]) -> T:
    """app.state.<name> if set, else `build(settings)`, kept there for the app's life."""
    state = request.app.state
    value: T | None = getattr(state, name, None)
    if value is None:
        value = build(state.settings)
        setattr(state, name, value)
    return value


def get_embedder(request: Request) -> Embedder:
    """The app's embedder: app.state.embedder if set, else bootstrap's, built on first use."""
    from campusbot.bootstrap import build_embedder

    return _kept(request, "embedder", build_embedder)


def get_generator(request: Request) -> Generator:
    """The app's generator: app.state.generator if set, else bootstrap's, built on first use."""
    from campusbot.bootstrap import build_generator

    return _kept(request, "generator", build_generator)


def get_retriever(
    request: Request, database: Annotated[Database, Depends(get_database)],
    embedder: Annotated[Embedder, Depends(get_embedder)],
) -> Retriever:  # fmt: skip
    """One retriever per app (it remembers an embedding outage for the whole app), rebuilt if the embedder changes."""
    state = request.app.state
    retriever: Retriever | None = getattr(state, "retriever", None)
    if retriever is None or retriever.embedder is not embedder:
        from campusbot.bootstrap import build_retriever

        retriever = state.retriever = build_retriever(state.settings, database, embedder)
    return retriever


def get_assistant(
    request: Request,
    retriever: Annotated[Retriever, Depends(get_retriever)],
    generator: Annotated[Generator, Depends(get_generator)],
) -> Assistant:
    """One assistant per app, rebuilt when its retriever or generator changes."""
    state = request.app.state
    assistant: Assistant | None = getattr(state, "assistant", None)
    if assistant is None or assistant.retriever is not retriever or assistant.generator is not generator:
        from campusbot.bootstrap import build_assistant

        assistant = state.assistant = build_assistant(state.settings, retriever, generator)
    return assistant


@dataclass(frozen=True)
class Pagination:
    limit: int
    offset: int


def get_pagination(
    limit: Annotated[int, Query(ge=1, le=100, description="rows per page")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
PageDep = Annotated[Pagination, Depends(get_pagination)]
RetrieverDep = Annotated[Retriever, Depends(get_retriever)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
