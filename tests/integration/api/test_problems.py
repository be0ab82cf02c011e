"""The contract of errors: every error is application/problem+json, the OpenAPI document says so for every
operation and lists the statuses it can return, and a 405 names the allowed methods (Allow)."""

from __future__ import annotations

import httpx


async def test_the_openapi_document_declares_problem_bodies_and_every_error_status(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert schema["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            ids = "{" in path or any(p["name"].endswith("_id") for p in operation.get("parameters", []))
            expected = {"422"} if operation.get("parameters") or operation.get("requestBody") else set()
            expected |= {"503"} if path != "/healthz" else set()
            expected |= {"404"} if ids else set()
            expected |= {"409"} if method in ("post", "put", "patch") and path != "/assist" else set()
            assert expected <= set(responses), (method, path, sorted(responses))
            for code, response in responses.items():
                if code.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (method, path, code)
                    checked += 1
    assert checked > 60


async def test_errors_are_problems_and_a_405_carries_allow(client: httpx.AsyncClient) -> None:
    missing = await client.get("/universities/999999999")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 404
    wrong_method = await client.delete("/universities")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == "application/problem+json"
    assert "GET" in wrong_method.headers["allow"]
    invalid = await client.get("/universities", params={"limit": "many"})
    assert invalid.status_code == 422 and invalid.json()["errors"]
