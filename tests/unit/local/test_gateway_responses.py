"""The local gateway's own errors are terraform/modules/api_gateway's gateway responses, read from the Terraform."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from campusbot.local.gateway import create_gateway
from campusbot.local.gateway_responses import (
    AWS_DEFAULTS,
    GatewayResponse,
    GatewayResponseError,
    GatewayResponses,
    module_folder,
    read_gateway_responses,
    render,
)

ORIGIN = "https://chat.example.edu"


def test_every_type_a_client_can_see_is_configured_with_the_chat_error_shape_and_cors() -> None:
    responses = read_gateway_responses(ORIGIN)
    for kind in ["DEFAULT_4XX", "DEFAULT_5XX", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT", "THROTTLED",
                 "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE", "INVALID_API_KEY", "BAD_REQUEST_BODY", "UNAUTHORIZED",
                 "ACCESS_DENIED", "AUTHORIZER_FAILURE"]:  # fmt: skip
        response = responses[kind]
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN, kind
        assert response.headers["Access-Control-Allow-Methods"] == "OPTIONS,POST", kind
        assert response.template is not None
        body = json.loads(render(response.template, "AWS's message"))
        assert set(body) == {"error"} and body["error"], kind
    assert responses["UNAUTHORIZED"].status == 401 and responses["DEFAULT_5XX"].status is None


def test_every_answer_the_local_gateway_gives_has_error_and_the_aws_status() -> None:
    responses = GatewayResponses.from_module(ORIGIN)
    for kind, (status, _message, _type) in AWS_DEFAULTS.items():
        answer = responses.answer(kind)
        assert answer.status == status, kind
        body = json.loads(answer.body)
        assert set(body) == {"error"}, (kind, body)
        assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    # DEFAULT_4XX passes AWS's own message through ($context.error.messageString)
    assert json.loads(responses.answer("MISSING_AUTHENTICATION_TOKEN").body) == {
        "error": "Missing Authentication Token"
    }


def test_an_unconfigured_type_falls_back_to_default_and_its_status_as_aws_does() -> None:
    default_5xx = GatewayResponse("DEFAULT_5XX", None, '{"error":$context.error.messageString}', {"X-A": "1"})
    assert GatewayResponses({"DEFAULT_5XX": default_5xx}).answer("INTEGRATION_TIMEOUT").status == 504
    assert json.loads(GatewayResponses({"DEFAULT_5XX": default_5xx}).answer("INTEGRATION_TIMEOUT").body) == {
        "error": "Endpoint request timed out"
    }
    forced = GatewayResponse("DEFAULT_5XX", 503, None, {})
    assert GatewayResponses({"DEFAULT_5XX": forced}).answer("DEFAULT_5XX").status == 503
    # nothing configured: API Gateway's own {"message": ...}
    assert json.loads(GatewayResponses({}).answer("DEFAULT_5XX").body) == {"message": "Internal server error"}


def test_a_template_variable_not_rendered_locally_is_refused() -> None:
    with pytest.raises(GatewayResponseError, match=r"context\.requestId"):
        render('{"error":"x","id":"$context.requestId"}', "m")


def edited_module(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "api_gateway"
    shutil.copytree(module_folder(), folder)
    main = folder / "main.tf"
    text = main.read_text()
    assert old in text
    main.write_text(text.replace(old, new))
    return folder


async def test_changing_the_modules_template_changes_the_local_answer(tmp_path: Path) -> None:
    old = 'DEFAULT_5XX                    = { status = null, error = "the chat could not answer just now; try again'
    new = 'DEFAULT_5XX                    = { status = "503", error = "edited in the module" }  # "'
    responses = GatewayResponses.from_module("*", edited_module(tmp_path, old, new))

    def crash(_event: object, _context: object) -> object:
        raise RuntimeError("boom")

    app = create_gateway(crash, responses=responses)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:3000") as http:
        response = await http.post("/chat", json={"message": "x"})
    assert response.status_code == 503 and response.json() == {"error": "edited in the module"}


def test_changing_the_modules_cors_headers_changes_the_local_answer(tmp_path: Path) -> None:
    old = '"Access-Control-Allow-Methods" = "\'OPTIONS,POST\'"'
    new = '"Access-Control-Allow-Methods" = "\'OPTIONS,POST,GET\'"'
    responses = GatewayResponses.from_module(ORIGIN, edited_module(tmp_path, old, new))
    assert responses.answer("UNAUTHORIZED").headers["Access-Control-Allow-Methods"] == "OPTIONS,POST,GET"


def test_a_header_that_is_not_static_is_reported(tmp_path: Path) -> None:
    old = '"Access-Control-Allow-Methods" = "\'OPTIONS,POST\'"'
    new = '"Access-Control-Allow-Methods" = "method.request.header.Origin"'
    with pytest.raises(GatewayResponseError, match="not a static header"):
        read_gateway_responses(ORIGIN, edited_module(tmp_path, old, new))
