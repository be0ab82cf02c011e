"""RFC 9457 problem responses for every error the API returns; no bad input ends in a 500."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from campusbot.services.errors import ServiceError
from campusbot.services.integrity import integrity_error

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem(
    status: int, title: str, detail: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(jsonable_encoder(body), status_code=status, media_type=PROBLEM, headers=headers)


async def _service_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return problem(exc.status, exc.title, exc.detail)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(part) for part in first["loc"])
    return problem(422, "Invalid request", f"{where}: {first['msg']}", errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:  # Starlette names only the first route matching the path; a path has several
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem(exc.status_code, _title(exc.status_code), str(exc.detail), headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method the OpenAPI document serves at this request's path (RFC 9110: a 405 lists them all in
    `Allow`; Starlette names only the first route whose path matched, and GET /x and POST /x are two routes).
    As in OpenAPI, a concrete path wins over a templated one: /universities/by-name is not /universities/{id}."""
    path = request.scope.get("path", "")
    matching = [
        (template.count("{"), operations)
        for template, operations in request.app.openapi().get("paths", {}).items()
        if _template(template).fullmatch(path)
    ]
    fewest = min((parameters for parameters, _ in matching), default=0)
    return sorted(
        {
            method.upper()
            for parameters, operations in matching
            if parameters == fewest
            for method in operations
            if method.upper() in _METHODS
        }
    )


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}


@lru_cache(maxsize=256)
def _template(template: str) -> re.Pattern[str]:
    """An OpenAPI path template as a pattern: each `{parameter}` is one path segment."""
    parts = re.split(r"(\{[^/{}]+\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))


async def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IntegrityError)
    error = integrity_error(exc)
    return problem(error.status, error.title, error.detail)


async def _database_error(_: Request, exc: Exception) -> JSONResponse:
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", "") or ""
    if sqlstate.startswith("22"):  # data exceptions: out of range, bad encoding
        return problem(422, "Invalid input", "a value could not be stored or compared")
    log.exception("database error")
    return problem(503, "Service unavailable", "the database could not answer; try again shortly")


NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL, nor be compared with a value holding one


async def _refuse_nul_in_query(request: Request, call_next: Any) -> Any:
    """A query value with NUL is refused as the document says (`document` gives every string query parameter the
    NO_NUL pattern), before it reaches a database that could not compare it."""
    for name, value in request.query_params.multi_items():
        if "\x00" in value:
            loc = ["query", name]
            error = {"loc": loc, "msg": "must not contain NUL characters", "type": "string_pattern_mismatch"}
            return problem(422, "Invalid request", f"query.{name}: must not contain NUL characters", errors=[error])
    return await call_next(request)


def install(app: FastAPI) -> None:
    app.middleware("http")(_refuse_nul_in_query)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DBAPIError, _database_error)
    # a connection the server refused or dropped before SQLAlchemy had a DBAPI error to wrap (asyncpg's connect):
    # the database is down or restarting, so a 503 too, not a 500
    app.add_exception_handler(ConnectionError, _database_error)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem: what went wrong, for a person (title, detail) and a program (status).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "every invalid part of the request (422 only)",
            "items": {"type": "object"},
        },
    },
}
ERRORS = {
    400: "the body could not be read (not UTF-8 text)",
    404: "not found (an unknown id in the path)",
    405: "method not allowed (the Allow header lists the methods)",
    409: "conflict (a record with the same unique key exists)",
    422: "invalid request (the errors member says where)",
    503: "the database could not answer; try again shortly",
}


NO_DATABASE = {"/healthz"}  # liveness only: answers without the database
READ_ONLY = {"/assist"}  # a POST that writes no record


def document(app: FastAPI) -> None:
    """The OpenAPI document says what the handlers above send: every error is `application/problem+json` with
    the Problem schema, and each operation lists the statuses it can return (422 with any input, 503 with the
    database, 404 with an id in the path or the query, 409 where it writes; routes declare others themselves)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
            for path, operations in schema.get("paths", {}).items():
                for method, operation in operations.items():
                    _declare_errors(path, method, operation)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _declare_errors(path: str, method: str, operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query":
            _no_nul(parameter.get("schema", {}))
    responses: dict[str, Any] = operation.setdefault("responses", {})
    statuses = set()
    if operation.get("parameters") or operation.get("requestBody"):
        statuses.add(422)
    if operation.get("requestBody"):
        statuses.add(400)
    if path not in NO_DATABASE:
        statuses.add(503)
    references = [p for p in operation.get("parameters", []) if str(p.get("name", "")).endswith("_id")]
    if "{" in path or references:  # an id in the path, or a query naming a record (?student_id=)
        statuses.add(404)
    if method in ("post", "put", "patch") and path not in READ_ONLY:
        statuses.add(409)
    for status in statuses:
        responses.setdefault(str(status), {"description": ERRORS[status]})
    content = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for code, response in responses.items():
        if code[:1] in ("4", "5"):
            response["content"] = content


def _no_nul(schema: dict[str, Any]) -> None:
    """The NO_NUL pattern on a string schema (or the string branch of `anyOf`), next to a pattern it has already."""
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") != "string" or "enum" in branch:
            continue
        if "pattern" in branch:
            branch.setdefault("allOf", []).append({"pattern": NO_NUL})
        else:
            branch["pattern"] = NO_NUL


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
