"""The FastAPI app factory: the ECS service, `platform api`, and the local runtime all serve this."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from campusbot import __version__
from campusbot.api import problems
from campusbot.api.routes import companies, health, knowledge, opportunities, students, universities
from campusbot.bootstrap import build_database
from campusbot.db.database import Database
from campusbot.settings import API, Settings, get_settings


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """Build the app; without a database it builds one from settings at start-up (embedded by default).

    In the aws target a setting the API needs that is missing stops it here, naming the variable (settings.API)."""
    settings = API.check(settings or get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = database is None
        app.state.database = database or await anyio.to_thread.run_sync(build_database, settings)
        try:
            yield
        finally:
            if owned:
                await app.state.database.dispose()

    app = FastAPI(
        title="campusbot data service",
        version=__version__,
        description="Universities, programs, students, companies and opportunities behind the campusbot assistant.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    if database is not None:
        app.state.database = database
    problems.install(app)
    problems.document(app)
    for router in (
        health.router,
        universities.router,
        students.router,
        companies.router,
        opportunities.router,
        knowledge.router,
    ):
        app.include_router(router)
    return app
