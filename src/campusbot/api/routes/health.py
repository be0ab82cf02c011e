"""Liveness and readiness probes (the ALB target group checks /healthz)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from campusbot.api.deps import DatabaseDep
from campusbot.api.problems import problem
from campusbot.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"description": "database unreachable"}})
async def readyz(database: DatabaseDep) -> Health | JSONResponse:
    """The database answers within two seconds."""
    try:
        async with asyncio.timeout(2):
            async with database.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; the reason goes in the problem
        return problem(503, "Not ready", f"database unreachable: {type(exc).__name__}")
    return Health(status="ready", database="ok")
