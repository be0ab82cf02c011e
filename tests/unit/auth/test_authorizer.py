"""The REQUEST authorizer of POST /chat on real-shaped API Gateway events (tests/events/apigw_authorizer_*)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests.fixtures.cognito import CLIENT_ID, EMAIL, ISSUER, SUB, Keys, StaticJwksClient
from tests.fixtures.lambda_events import load_event

from campusbot.auth.authorizer import Unauthorized, authorize
from campusbot.auth.tokens import TokenVerifier
from campusbot.lambdas import authorizer as authorizer_lambda
from campusbot.settings import get_settings

KEYS = Keys()
ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123def4/dev/POST/chat"


def check() -> TokenVerifier:
    client = StaticJwksClient(KEYS.jwks)
    return TokenVerifier(issuer=ISSUER, client_id=CLIENT_ID, jwks_url=client.uri, jwks_client=client)


def bearer(value: str) -> dict[str, Any]:
    event = load_event("apigw_authorizer_request_bearer")
    event["headers"]["Authorization"] = value
    event["multiValueHeaders"]["Authorization"] = [value]
    return event


def test_anonymous_is_allowed_as_anonymous_without_touching_the_keys() -> None:
    def no_verifier() -> TokenVerifier:
        raise AssertionError("an anonymous request needs no keys")

    result = authorize(load_event("apigw_authorizer_request_anonymous"), no_verifier)
    assert result["principalId"] == "anonymous"
    assert result["context"] == {"principal": "anonymous"}
    assert result["policyDocument"]["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": ARN}
    ]


def test_a_valid_token_passes_its_principal_in_the_context() -> None:
    result = authorize(bearer(f"Bearer {KEYS.token()}"), check())
    assert result["principalId"] == SUB
    assert result["context"] == {"principal": "user", "sub": SUB, "email": EMAIL}
    assert all(isinstance(v, str) for v in result["context"].values())  # API Gateway: strings, numbers, booleans


@pytest.mark.parametrize(
    "value",
    ["", "Bearer", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", "Bearer a.b.c"],
)
def test_anything_else_is_unauthorized(value: str) -> None:
    with pytest.raises(Unauthorized, match=r"^Unauthorized$"):
        authorize(bearer(value), check())


def test_two_authorization_headers_are_unauthorized() -> None:
    event = bearer(f"Bearer {KEYS.token()}")
    event["multiValueHeaders"]["authorization"] = ["Bearer x.y.z"]
    with pytest.raises(Unauthorized):
        authorize(event, check())


def test_the_lambda_handler_raises_unauthorized_for_api_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no reachable pool the anonymous path still works; a token is refused as 401 or fails as 500."""
    monkeypatch.setenv("CAMPUSBOT_TARGET", "aws")
    monkeypatch.setenv("CAMPUSBOT_COGNITO_ISSUER", ISSUER)
    monkeypatch.setenv("CAMPUSBOT_COGNITO_CLIENT_ID", CLIENT_ID)
    get_settings.cache_clear()
    authorizer_lambda.verifier.cache_clear()
    try:
        assert authorizer_lambda.handler(load_event("apigw_authorizer_request_anonymous"), None)["principalId"] == (
            "anonymous"
        )
        with pytest.raises(Unauthorized):
            authorizer_lambda.handler(bearer("Bearer garbage"), None)
        monkeypatch.setattr(authorizer_lambda, "verifier", check)
        allowed = authorizer_lambda.handler(bearer(f"Bearer {KEYS.token()}"), None)
        assert json.loads(json.dumps(allowed))["context"]["sub"] == SUB
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        authorizer_lambda.verifier.cache_clear()


def test_the_lambda_needs_its_pool_in_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAMPUSBOT_TARGET", "aws")
    monkeypatch.delenv("CAMPUSBOT_COGNITO_ISSUER", raising=False)
    get_settings.cache_clear()
    authorizer_lambda.verifier.cache_clear()
    try:
        with pytest.raises(ValueError, match="CAMPUSBOT_COGNITO_ISSUER"):
            authorizer_lambda.handler(bearer(f"Bearer {KEYS.token()}"), None)
    finally:
        get_settings.cache_clear()
        authorizer_lambda.verifier.cache_clear()
