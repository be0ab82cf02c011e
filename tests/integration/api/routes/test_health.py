from __future__ import annotations

import httpx

from campusbot.api.main import create_app
from campusbot.db.database import Database
from campusbot.settings import Settings


async def test_healthz_is_alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_readyz_reports_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "detail": None}


async def test_readyz_is_503_when_the_database_is_unreachable(settings: Settings) -> None:
    from campusbot.bootstrap import build_database

    broken: Database = build_database(settings, "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = create_app(settings, broken)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/readyz")
    await broken.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "database unreachable" in response.json()["detail"]
