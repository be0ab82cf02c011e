"""API Gateway emulator: `POST /chat` (and `OPTIONS`) → a REST proxy event (payload 1.0) → the lex_proxy
Lambda → its response, as `sam local start-api` would do. Served on :3000 by the local runtime, which gives it a
`LambdaInvoker` of the lex_proxy execution environment (tests may give it the handler itself).

Only the routes the REST API in terraform/modules/api_gateway declares exist; anything else gets API
Gateway's own answers (403 "Missing Authentication Token" for unknown resources, 502 for a malformed
Lambda response).
"""

from __future__ import annotations

import base64
import logging
import time
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from campusbot.local.lambda_runtime import Handler, LambdaContext

log = logging.getLogger(__name__)

ROUTES = {"/chat": {"POST", "OPTIONS"}, "/feedback": {"POST", "OPTIONS"}}
TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded", "application/xml")
STAGE = "local"


def proxy_event(request: Request, body: bytes, resource: str) -> dict[str, Any]:
    """The REST API proxy integration event (payload 1.0) for this request."""
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers.items():
        canonical = "-".join(part.capitalize() for part in name.split("-"))
        headers[canonical] = value
        multi_headers.setdefault(canonical, []).append(value)
    query = dict(request.query_params.items()) or None
    multi_query = {k: request.query_params.getlist(k) for k in request.query_params} or None
    content_type = request.headers.get("content-type", "")
    binary = bool(body) and not content_type.startswith(TEXT_TYPES)
    now = time.time()
    client = request.client.host if request.client else "127.0.0.1"
    return {
        "resource": resource,
        "path": request.url.path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": request.method,
            "extendedRequestId": uuid.uuid4().hex[:16],
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{STAGE}{request.url.path}",
            "accountId": "000000000000",
            "protocol": f"HTTP/{request.scope.get('http_version', '1.1')}",
            "stage": STAGE,
            "domainPrefix": "localhost",
            "requestTimeEpoch": int(now * 1000),
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": client, "userAgent": request.headers.get("user-agent", ""), "apiKey": None},
            "domainName": request.url.hostname or "localhost",
            "apiId": "campusbotlocal",
        },
        "body": (base64.b64encode(body).decode() if binary else body.decode("utf-8", "replace")) if body else None,
        "isBase64Encoded": binary,
    }


def lambda_response(result: object) -> Response:
    """Turn the handler's return value into HTTP, or a 502 as API Gateway answers a malformed one."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        log.error("malformed Lambda proxy response: %r", result)
        return JSONResponse({"message": "Internal server error"}, status_code=502)
    body = result.get("body") or ""
    if not isinstance(body, str):
        return JSONResponse({"message": "Internal server error"}, status_code=502)
    content = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = Response(content, status_code=result["statusCode"])
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = str(value)
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.append(name, str(value))
    return response


def create_gateway(
    handler: Handler,
    *,
    function_name: str = "campusbot-lex-proxy",
    timeout: float = 29.0,
    web: list[BaseRoute] | None = None,
) -> Starlette:
    """The gateway app invoking `handler` for every declared route (29 s: API Gateway's integration limit); `web`
    (local.web.web_routes) serves the web chat's files for GET, as CloudFront does in AWS."""

    async def invoke(request: Request) -> Response:
        resource = request.url.path.rstrip("/") or "/"
        methods = ROUTES.get(resource)
        if methods is None or request.method not in methods:
            return JSONResponse({"message": "Missing Authentication Token"}, status_code=403)
        event = proxy_event(request, await request.body(), resource)
        context = LambdaContext(function_name=function_name, timeout_seconds=timeout)
        try:
            result = await run_in_threadpool(handler, event, context)
        except Exception:  # a Lambda crash is API Gateway's 502, not a broken connection
            log.exception("lex_proxy handler raised")
            return JSONResponse({"message": "Internal server error"}, status_code=502)
        return lambda_response(result)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "routes": sorted(ROUTES)})

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
    api = [Route(route, invoke, methods=methods) for route in ROUTES]
    return Starlette(
        routes=[
            Route("/_campusbot/health", health, methods=["GET"]),
            *api,
            *(web or []),
            Route("/{path:path}", invoke, methods=methods),
        ]
    )
