"""The API Gateway emulator builds REST proxy events (payload 1.0) and maps handler results like API Gateway."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx

from campusbot.local.gateway import create_gateway


class RecordingHandler:
    def __init__(self, result: object = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.contexts: list[Any] = []
        self.result = result

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        self.contexts.append(context)
        if isinstance(self.result, Exception):
            raise self.result
        return (
            self.result
            if self.result is not None
            else {  # type: ignore[return-value]
                "statusCode": 200,
                "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
                "body": json.dumps({"echo": json.loads(event["body"] or "{}")}),
            }
        )


async def call(handler: RecordingHandler, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_gateway(handler))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:3000") as http:
        return await http.request(method, path, **kwargs)


async def test_post_chat_becomes_a_rest_proxy_event() -> None:
    handler = RecordingHandler()
    response = await call(handler, "POST", "/chat?debug=1", json={"message": "hi"}, headers={"X-Trace": "a"})
    assert response.status_code == 200
    assert response.json() == {"echo": {"message": "hi"}}
    assert response.headers["access-control-allow-origin"] == "*"
    event = handler.events[0]
    assert event["resource"] == "/chat" and event["path"] == "/chat" and event["httpMethod"] == "POST"
    assert json.loads(event["body"]) == {"message": "hi"} and event["isBase64Encoded"] is False
    assert event["headers"]["Content-Type"] == "application/json" and event["headers"]["X-Trace"] == "a"
    assert event["multiValueHeaders"]["X-Trace"] == ["a"]
    assert event["queryStringParameters"] == {"debug": "1"}
    assert event["multiValueQueryStringParameters"] == {"debug": ["1"]}
    context = event["requestContext"]
    assert context["stage"] == "local" and context["httpMethod"] == "POST" and context["resourcePath"] == "/chat"
    assert context["identity"]["sourceIp"] and context["requestId"]
    assert handler.contexts[0].function_name == "campusbot-lex-proxy"
    assert 0 < handler.contexts[0].get_remaining_time_in_millis() <= 29_000


async def test_options_preflight_reaches_the_handler() -> None:
    handler = RecordingHandler(
        {"statusCode": 204, "headers": {"Access-Control-Allow-Methods": "POST,OPTIONS"}, "body": ""}
    )
    response = await call(handler, "OPTIONS", "/chat")
    assert response.status_code == 204
    assert handler.events[0]["httpMethod"] == "OPTIONS" and handler.events[0]["body"] is None


async def test_binary_bodies_are_base64_encoded() -> None:
    handler = RecordingHandler({"statusCode": 200, "body": ""})
    await call(handler, "POST", "/chat", content=b"\x00\xff", headers={"content-type": "application/octet-stream"})
    event = handler.events[0]
    assert event["isBase64Encoded"] is True and base64.b64decode(event["body"]) == b"\x00\xff"


async def test_unknown_routes_and_methods_get_api_gateways_403() -> None:
    # MISSING_AUTHENTICATION_TOKEN through the module's DEFAULT_4XX: AWS's message in the chat's error shape
    handler = RecordingHandler()
    for method, path in [("GET", "/chat"), ("POST", "/admin"), ("DELETE", "/chat")]:
        response = await call(handler, method, path)
        assert response.status_code == 403 and response.json() == {"error": "Missing Authentication Token"}
        assert response.headers["access-control-allow-origin"] == "*"
    assert handler.events == []


async def test_a_crashing_or_malformed_handler_is_a_502() -> None:
    # DEFAULT_5XX of the module: the chat's {"error": ...} shape with CORS headers, not {"message": ...}
    for result in [RuntimeError("boom"), {"body": "no status"}, ["not", "a", "dict"], {"statusCode": 200, "body": 5}]:
        response = await call(RecordingHandler(result), "POST", "/chat", json={"message": "x"})
        assert response.status_code == 502 and set(response.json()) == {"error"} and response.json()["error"]
        assert "Internal server error" not in response.text
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["x-amzn-errortype"] == "InternalServerErrorException"


async def test_a_handler_that_does_not_answer_in_time_is_a_504() -> None:
    # what `LambdaInvoker` raises when the environment's answer does not come in time: http.client's socket read
    response = await call(RecordingHandler(TimeoutError("timed out")), "POST", "/chat", json={"message": "x"})
    assert response.status_code == 504 and response.json()["error"].startswith("the answer took too long")


async def test_a_body_over_api_gateways_10_mb_is_a_413_before_the_handler() -> None:
    handler = RecordingHandler()
    response = await call(handler, "POST", "/chat", content=b"x" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413 and response.json() == {"error": "the request is too large"}
    assert handler.events == []


async def test_base64_responses_are_decoded() -> None:
    handler = RecordingHandler(
        {
            "statusCode": 200,
            "body": base64.b64encode(b"raw").decode(),
            "isBase64Encoded": True,
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        }
    )
    response = await call(handler, "POST", "/chat", json={})
    assert response.content == b"raw"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]


# POST /chat's REQUEST authorizer (issue 12) ------------------------------------------------------------------


async def call_authorized(handler: RecordingHandler, authorizer: Any, headers: dict[str, str]) -> httpx.Response:
    app = create_gateway(handler, authorizer=authorizer, cors_allow_origin="https://campusbot.example.edu")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:3000") as http:
        return await http.post("/chat", json={"message": "hi"}, headers=headers)


async def test_the_authorizer_runs_first_and_its_context_reaches_the_proxy_event() -> None:
    from campusbot.auth.authorizer import allow
    from campusbot.auth.principal import Principal

    seen: list[dict[str, Any]] = []

    def authorizer(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        seen.append(event)
        return allow(event["methodArn"], Principal("sub-1", "a@example.org"))

    handler = RecordingHandler()
    response = await call_authorized(handler, authorizer, {"Authorization": "Bearer x"})
    assert response.status_code == 200
    assert seen[0]["type"] == "REQUEST" and seen[0]["headers"]["Authorization"] == "Bearer x"
    assert seen[0]["methodArn"] == "arn:aws:execute-api:us-east-1:000000000000:campusbotlocal/local/POST/chat"
    context = handler.events[0]["requestContext"]["authorizer"]
    assert (context["principalId"], context["sub"], context["email"]) == ("sub-1", "sub-1", "a@example.org")


async def test_unauthorized_deny_and_failure_are_gateway_responses_with_cors() -> None:
    from campusbot.auth.authorizer import Unauthorized, allow
    from campusbot.local.lambda_invoke import LambdaFunctionError

    def unauthorized(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise LambdaFunctionError("authorizer", "Unauthorized", "Unauthorized")

    def in_process_unauthorized(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise Unauthorized

    def deny(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        result = allow(event["methodArn"], None)
        result["policyDocument"]["Statement"][0]["Effect"] = "Deny"
        return result

    def broken(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise LambdaFunctionError("authorizer", "Runtime.Unhandled", "boom")

    for authorizer, status in [(unauthorized, 401), (in_process_unauthorized, 401), (deny, 403), (broken, 500)]:
        handler = RecordingHandler()
        response = await call_authorized(handler, authorizer, {"Authorization": "Bearer x"})
        assert response.status_code == status
        assert response.json()["error"]
        assert response.headers["access-control-allow-origin"] == "https://campusbot.example.edu"
        assert handler.events == []  # lex_proxy never runs


async def test_the_preflight_skips_the_authorizer() -> None:
    def authorizer(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
        raise AssertionError("OPTIONS has no authorization")

    app = create_gateway(RecordingHandler({"statusCode": 204, "headers": {}, "body": ""}), authorizer=authorizer)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:3000") as http:
        assert (await http.options("/chat")).status_code == 204


async def test_a_turn_says_where_its_time_went_in_server_timing() -> None:
    def slow(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        time.sleep(0.02)
        return {"statusCode": 200, "body": "{}"}

    def authorizer(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        from campusbot.auth.authorizer import allow

        time.sleep(0.01)
        return allow(event["methodArn"], None)

    app = create_gateway(slow, authorizer=authorizer)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:3000") as http:
        response = await http.post("/chat", json={"message": "hi"})
    timings = {
        name.strip(): float(duration.removeprefix("dur="))
        for name, _, duration in (part.partition(";") for part in response.headers["server-timing"].split(","))
    }
    assert timings["lambda"] >= 20 and timings["authorizer"] >= 10
    assert timings["gateway"] >= timings["lambda"] + timings["authorizer"]
