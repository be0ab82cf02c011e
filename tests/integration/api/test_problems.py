"""The contract of errors: every error is application/problem+json, the OpenAPI document says so for every
operation and lists the statuses it can return, and a 405 names the allowed methods (Allow)."""

from __future__ import annotations

import socket

import httpx

from campusbot.settings import Settings


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


async def test_a_405_allows_every_method_of_the_path_and_an_unreadable_body_is_a_declared_400(
    client: httpx.AsyncClient,
) -> None:
    """Issue 15 (schemathesis' allow_header_conformance): GET and POST /students are two routes; `Allow` names both."""
    wrong = await client.request("OPTIONS", "/students")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, POST", wrong.headers
    one = await client.put("/universities/1")
    assert one.headers["allow"] == "DELETE, GET, PATCH", one.headers
    unreadable = await client.post("/students", content=b"\xff\x14\xfe", headers={"content-type": "application/json"})
    assert unreadable.status_code in (400, 422) and unreadable.headers["content-type"] == "application/problem+json"
    declared = (await client.get("/openapi.json")).json()["paths"]["/students"]["post"]["responses"]
    assert (
        "400" in declared
        and "400" not in (await client.get("/openapi.json")).json()["paths"]["/students"]["get"]["responses"]
    )


async def test_nul_in_a_query_is_refused_as_the_document_says(client: httpx.AsyncClient) -> None:
    """Issue 15: `?name=a%00b` reached PostgreSQL, which cannot compare text holding NUL (a 422 naming nothing)."""
    response = await client.get("/universities/by-name", params={"name": "Tech\x00nical"})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["query", "name"], response.text
    parameters = (await client.get("/openapi.json")).json()["paths"]["/universities/by-name"]["get"]["parameters"]
    assert next(p for p in parameters if p["name"] == "name")["schema"]["pattern"] == "^[^\\x00]*$"
    fine = await client.get("/universities/by-name", params={"name": "Technical University of Munich"})
    assert fine.status_code == 200


async def test_a_concrete_path_allows_its_own_methods_not_those_of_a_template_it_also_matches(
    client: httpx.AsyncClient,
) -> None:
    response = await client.request("OPTIONS", "/universities/by-name", params={"name": "ETH"})
    assert response.status_code == 405 and response.headers["allow"] == "GET", response.headers


async def test_a_database_that_refuses_connections_is_a_503_problem(settings: Settings) -> None:
    """A server down or restarting refuses the pool's new connection (asyncpg raises ConnectionRefusedError, which
    SQLAlchemy does not wrap): a 503 problem, as for any database error, not a 500."""
    from campusbot.api.main import create_app
    from campusbot.bootstrap import build_database

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    database = build_database(settings, f"postgresql+asyncpg://postgres@127.0.0.1:{port}/campusbot")
    try:
        transport = httpx.ASGITransport(app=create_app(settings, database))
        async with httpx.AsyncClient(transport=transport, base_url="http://campusbot.test") as http:
            response = await http.get("/universities")
    finally:
        await database.dispose()
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "the database could not answer; try again shortly"
