"""API Gateway emulator: `POST /chat` (and `OPTIONS`) → a REST proxy event (payload 1.0) → the lex_proxy
Lambda → its response, as `sam local start-api` would do. Served on :3000 by the local runtime, which gives it a
`LambdaInvoker` of the lex_proxy execution environment (tests may give it the handler itself).

Only the routes the REST API in terraform/modules/api_gateway declares exist; anything else gets API
Gateway's own answers (MISSING_AUTHENTICATION_TOKEN, a 403, for unknown resources; DEFAULT_5XX, a 502, for a Lambda
that failed or answered malformed; INTEGRATION_TIMEOUT, a 504; REQUEST_TOO_LARGE, a 413, over 10 MB). Their status,
body and headers are the module's `aws_api_gateway_gateway_response`s, read from the Terraform by
`local.gateway_responses` (the chat's `{"error": ...}` shape with CORS headers), not a copy kept here.

`POST /chat` first goes to the REQUEST authorizer (`authorizer`, the authorizer Lambda's execution environment), as
the module's `aws_api_gateway_authorizer` does: no identity source and no caching, so every request is checked; its
Allow context becomes `requestContext.authorizer` of the proxy event; "Unauthorized" is the 401 gateway response,
a Deny the 403, any other failure the 500 (AUTHORIZER_FAILURE), each the module's gateway response.
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

from campusbot.local.gateway_responses import GatewayResponses
from campusbot.local.lambda_runtime import Handler, LambdaContext

log = logging.getLogger(__name__)

ROUTES = {"/chat": {"POST", "OPTIONS"}, "/feedback": {"POST", "OPTIONS"}}
TEXT_TYPES = ("application/json", "text/", "application/x-www-form-urlencoded", "application/xml")
STAGE = "local"
MAX_PAYLOAD = 10 * 1024 * 1024  # API Gateway's REST payload limit (REQUEST_TOO_LARGE above it)


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


def authorizer_event(proxy: dict[str, Any], region: str = "us-east-1") -> dict[str, Any]:
    """The REQUEST authorizer input API Gateway builds from a request (REST API, no identity source)."""
    context = proxy["requestContext"]
    method_arn = (
        f"arn:aws:execute-api:{region}:{context['accountId']}:{context['apiId']}/{context['stage']}/"
        f"{proxy['httpMethod']}{proxy['resource']}"
    )
    return {
        "type": "REQUEST",
        "methodArn": method_arn,
        **{key: proxy[key] for key in ("resource", "path", "httpMethod", "headers", "multiValueHeaders")},
        "queryStringParameters": proxy["queryStringParameters"] or {},
        "multiValueQueryStringParameters": proxy["multiValueQueryStringParameters"] or {},
        "pathParameters": {},
        "stageVariables": {},
        "requestContext": context,
    }


def gateway_response(responses: GatewayResponses, kind: str) -> Response:
    """API Gateway's own answer of type `kind`, as the module configures it."""
    answer = responses.answer(kind)
    return Response(answer.body, status_code=answer.status, headers=dict(answer.headers))


def authorized_context(result: object) -> dict[str, Any] | None:
    """The context an Allow result passes on (with principalId), or None when the result does not allow."""
    if not isinstance(result, dict) or not isinstance(result.get("principalId"), str):
        return None
    statements = (result.get("policyDocument") or {}).get("Statement") or []
    if not any(isinstance(st, dict) and st.get("Effect") == "Allow" for st in statements):
        return None
    if any(isinstance(st, dict) and st.get("Effect") == "Deny" for st in statements):
        return None
    context = result.get("context") or {}
    return {
        **{k: v for k, v in context.items() if isinstance(v, str | int | float | bool)},
        "principalId": result["principalId"],
    }


def lambda_response(result: object, responses: GatewayResponses) -> Response:
    """Turn the handler's return value into HTTP, or the 502 (DEFAULT_5XX) API Gateway answers a malformed one."""
    if not isinstance(result, dict) or not isinstance(result.get("statusCode"), int):
        log.error("malformed Lambda proxy response: %r", result)
        return gateway_response(responses, "DEFAULT_5XX")
    body = result.get("body") or ""
    if not isinstance(body, str):
        log.error("malformed Lambda proxy response body: %r", body)
        return gateway_response(responses, "DEFAULT_5XX")
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
    authorizer: Handler | None = None,
    authorizer_name: str = "campusbot-chat-authorizer",
    cors_allow_origin: str = "*",
    region: str = "us-east-1",
    web: list[BaseRoute] | None = None,
    responses: GatewayResponses | None = None,
) -> Starlette:
    """The gateway app invoking `handler` for every declared route (29 s: API Gateway's integration limit), after
    `authorizer` for POST (the OPTIONS mock has no authorization, as in the module); `web` (local.web.web_routes)
    serves the web chat's files for GET, as CloudFront does in AWS. API Gateway's own errors are `responses`, by
    default the module's gateway responses for the CORS origin."""

    allow_origin = cors_allow_origin.split(",")[0].strip() or "*"
    if responses is None:
        responses = GatewayResponses.from_module(allow_origin)
    errors = responses

    def authorize(event: dict[str, Any]) -> dict[str, Any] | Response:
        assert authorizer is not None
        started = time.perf_counter()
        try:
            result = authorizer(
                authorizer_event(event, region), LambdaContext(function_name=authorizer_name, timeout_seconds=10)
            )
        except Exception as exc:
            if getattr(exc, "message", str(exc)) == "Unauthorized":  # the worker's errorMessage, or in process
                return gateway_response(errors, "UNAUTHORIZED")
            log.warning("authorizer failed: %s", exc)
            return gateway_response(errors, "AUTHORIZER_FAILURE")
        context = authorized_context(result)
        if context is None:
            return gateway_response(errors, "ACCESS_DENIED")
        return {**context, "integrationLatency": int((time.perf_counter() - started) * 1000)}

    def authorize_then_invoke(
        event: dict[str, Any], context: LambdaContext, authorized: bool
    ) -> tuple[Response | None, Any, float, float]:
        """(the gateway response denying the request or None, lex_proxy's result, authorizer ms, lex_proxy ms)."""
        authorizer_ms = 0.0
        if authorizer is not None and authorized:
            checked = time.perf_counter()
            allowed = authorize(event)
            authorizer_ms = (time.perf_counter() - checked) * 1000
            if isinstance(allowed, Response):
                return allowed, None, authorizer_ms, 0.0
            event["requestContext"]["authorizer"] = allowed
        invoked = time.perf_counter()
        result = handler(event, context)
        return None, result, authorizer_ms, (time.perf_counter() - invoked) * 1000

    async def invoke(request: Request) -> Response:
        received = time.perf_counter()
        resource = request.url.path.rstrip("/") or "/"
        methods = ROUTES.get(resource)
        if methods is None or request.method not in methods:
            return gateway_response(errors, "MISSING_AUTHENTICATION_TOKEN")
        body = await request.body()
        if len(body) > MAX_PAYLOAD:
            return gateway_response(errors, "REQUEST_TOO_LARGE")
        event = proxy_event(request, body, resource)
        context = LambdaContext(function_name=function_name, timeout_seconds=timeout)
        try:  # one hand-off to a worker thread for the authorizer and lex_proxy both (issue 18)
            denied, result, authorizer_ms, lambda_ms = await run_in_threadpool(
                authorize_then_invoke, event, context, request.method == "POST"
            )
        except TimeoutError:  # no answer within the integration's time (the invoker's socket read timed out)
            log.exception("lex_proxy did not answer in time")
            return gateway_response(errors, "INTEGRATION_TIMEOUT")
        except Exception:  # a Lambda crash is API Gateway's 502, not a broken connection
            log.exception("lex_proxy handler raised")
            return gateway_response(errors, "DEFAULT_5XX")
        if denied is not None:
            return denied
        response = lambda_response(result, errors)
        # where the time went (bench/chat_latency.py reads it): the authorizer, lex_proxy, the whole request
        total_ms = (time.perf_counter() - received) * 1000
        response.headers["Server-Timing"] = (
            f"authorizer;dur={authorizer_ms:.2f}, lambda;dur={lambda_ms:.2f}, gateway;dur={total_ms:.2f}"
        )
        return response

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
