"""The local gateway serves the web chat beside /chat: files with CloudFront's security headers, nothing outside
web/, a generated config.json, and the API routes still go to the Lambda."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from campusbot.local.gateway import create_gateway
from campusbot.local.web import WEB_ROOT, client_config, security_headers, web_routes


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(event["resource"])}


async def get(path: str, method: str = "GET", config: dict[str, Any] | None = None) -> httpx.Response:
    app = create_gateway(handler, web=web_routes(WEB_ROOT, config or client_config(max_chars=1024, environ={})))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:3000") as http:
        return await http.request(method, path)


async def test_the_page_is_served_with_a_strict_csp() -> None:
    page = await get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="app.js">' in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp and "frame-ancestors 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    script = await get("/app.js")
    assert script.headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("path", ["/../pyproject.toml", "/%2e%2e/pyproject.toml", "/missing.js", "/README"])
async def test_nothing_outside_web_is_served(path: str) -> None:
    assert (await get(path)).status_code == 403


async def test_api_routes_still_reach_the_lambda() -> None:
    assert (await get("/chat", "POST")).json() == "/chat"
    assert (await get("/feedback", "POST")).json() == "/feedback"
    assert (await get("/elsewhere", "POST")).status_code == 403  # API Gateway's answer to unknown resources


async def test_config_json_names_the_api_and_the_pool() -> None:
    assert (await get("/config.json")).json() == {
        "apiUrl": "/chat", "feedbackUrl": "/feedback", "title": "campusbot", "maxChars": 1024, "cognito": None,
    }  # fmt: skip
    environ = {"CAMPUSBOT_COGNITO_USER_POOL_ID": "us-east-1_abc", "CAMPUSBOT_COGNITO_CLIENT_ID": "client1",
               "CAMPUSBOT_COGNITO_ENDPOINT": "http://127.0.0.1:4566/"}  # fmt: skip
    config = client_config(max_chars=500, environ=environ)
    assert config["cognito"] == {
        "region": "us-east-1", "endpoint": "http://127.0.0.1:4566/",
        "userPoolId": "us-east-1_abc", "clientId": "client1",
    }  # fmt: skip
    assert "connect-src 'self' http://127.0.0.1:4566;" in security_headers(config)["Content-Security-Policy"]


def test_every_web_file_is_referenced_and_has_a_type() -> None:
    from campusbot.local.web import TYPES

    files = [p for p in Path(WEB_ROOT).iterdir() if p.is_file()]
    assert {p.suffix for p in files} <= set(TYPES) | {".yaml", ".md"}
