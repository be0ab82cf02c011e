"""Cognito ID token checks (PyJWT + its JWKS client) on tokens signed by a key of our own (fakes; moto's real
tokens are in tests/integration/auth)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import pytest
from jwt.exceptions import PyJWKClientConnectionError
from tests.fixtures.cognito import CLIENT_ID, EMAIL, ISSUER, SUB, Keys, StaticJwksClient

from campusbot.auth.principal import Principal
from campusbot.auth.tokens import InvalidToken, TokenVerifier, VerifierUnavailable, bearer_token, jwks_url

KEYS = Keys()


def verifier(keys: Keys = KEYS, **options: object) -> tuple[TokenVerifier, StaticJwksClient]:
    client = StaticJwksClient(keys.jwks, **options)
    return TokenVerifier(issuer=ISSUER, client_id=CLIENT_ID, jwks_url=client.uri, jwks_client=client), client


def test_a_valid_id_token_gives_its_principal() -> None:
    check, _ = verifier()
    assert check.verify(KEYS.token()) == Principal(sub=SUB, email=EMAIL)


def test_an_unverified_email_is_not_passed_on() -> None:
    check, _ = verifier()
    assert check.verify(KEYS.token(email_verified=False)).email is None
    assert check.verify(KEYS.token(email="Maria.Lopez@Example.EDU")).email == EMAIL


def _unsigned(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': KEYS.kid})}.{part(claims)}."


def _hs256_with_public_key() -> str:
    """The classic key-confusion forgery: HMAC over the token with the RSA public key (PEM) as the secret."""
    from cryptography.hazmat.primitives import serialization

    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    pem = KEYS.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': KEYS.kid})}.{part(KEYS.claims())}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _tampered() -> str:
    header, payload, signature = KEYS.token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


BAD: dict[str, Callable[[], str]] = {
    "malformed": lambda: "not-a-jwt",
    "three garbage parts": lambda: "a.b.c",
    "expired": lambda: KEYS.token(exp=int(time.time()) - 60, iat=int(time.time()) - 3700),
    "wrongly signed": lambda: Keys(kid=KEYS.kid).token(),
    "unknown key": lambda: Keys(kid="other-key").token(),
    "alg none": lambda: _unsigned(KEYS.claims()),
    "HS256 with the public key as secret": lambda: _hs256_with_public_key(),
    "other pool": lambda: KEYS.token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool"),
    "other client": lambda: KEYS.token(aud="0therc1ient000000000000000"),
    "access token": KEYS.access_token,
    "token_use missing": lambda: KEYS.token(token_use=None),
    "no sub": lambda: KEYS.token(sub=None),
    "no exp": lambda: KEYS.token(exp=None),
    "tampered claims": _tampered,
    "oversized": lambda: "e" * 9000,
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_tokens_are_refused(name: str) -> None:
    check, _ = verifier()
    with pytest.raises(InvalidToken):
        check.verify(BAD[name]())


def test_the_jwks_is_cached_and_refetched_once_for_an_unknown_key() -> None:
    check, client = verifier(lifespan=3600)
    for _ in range(5):
        check.verify(KEYS.token())
    assert client.fetches == 1
    with pytest.raises(InvalidToken):
        check.verify(Keys(kid="rotated").token())
    assert client.fetches == 2  # a new kid: read the keys again (rotation), then refuse


def test_unreachable_keys_are_unavailable_not_invalid() -> None:
    class Down(StaticJwksClient):
        def fetch_data(self) -> object:
            raise PyJWKClientConnectionError("connection refused")

    client = Down(KEYS.jwks)
    check = TokenVerifier(issuer=ISSUER, client_id=CLIENT_ID, jwks_url=client.uri, jwks_client=client)
    with pytest.raises(VerifierUnavailable):
        check.verify(KEYS.token())


@pytest.mark.parametrize(
    ("header", "token"),
    [(None, None), ("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer  abc.def.ghi ", "abc.def.ghi")],
)
def test_bearer_header(header: str | None, token: str | None) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    "header", ["", "Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc", "Bearer " + "a" * 9000]
)
def test_a_header_that_is_not_a_bearer_token_is_invalid(header: str) -> None:
    with pytest.raises(InvalidToken):
        bearer_token(header)


def test_jwks_url_in_aws_and_on_moto() -> None:
    assert jwks_url(ISSUER) == f"{ISSUER}/.well-known/jwks.json"
    assert (
        jwks_url(ISSUER, "http://127.0.0.1:4566/") == "http://127.0.0.1:4566/us-east-1_TestPool1/.well-known/jwks.json"
    )


def test_a_configuration_without_a_pool_fails_at_once() -> None:
    with pytest.raises(ValueError, match="issuer"):
        TokenVerifier(issuer="https://example.com", client_id=CLIENT_ID, jwks_url="x")
    with pytest.raises(ValueError, match="client"):
        TokenVerifier(issuer=ISSUER, client_id="", jwks_url="x")
