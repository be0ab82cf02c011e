"""Cognito ID tokens, verified with PyJWT and its JWKS client (no hand-written crypto).

A token is accepted only when all of these hold: a compact JWS signed with RS256 by a key of the pool's JWKS
(looked up by `kid`; the key set is cached for `jwks_cache_seconds`, refetched once when a token names an unknown
key, as after a key rotation), `iss` is the pool's issuer, `aud` is the app client, `token_use` is `id` (an access
token is refused: it carries `client_id`, no `aud`, and no email), `exp` in the future (a few seconds of clock
leeway), and `sub` present. `alg: none`, HS256 signed with the public key, another pool, another client, an access
token, an expired or tampered token: `InvalidToken` with the reason (for the log, never for the client).
The pool's keys unreachable is `VerifierUnavailable`: nothing can be proven, and that is not the caller's fault.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from typing import Any

import jwt
from jwt import PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError, PyJWKClientError

from campusbot.auth.principal import Principal

log = logging.getLogger(__name__)

ALGORITHMS = ["RS256"]  # Cognito signs ID tokens with RS256 only
MAX_TOKEN_CHARS = 8192
LEEWAY_SECONDS = 5
JWKS_TIMEOUT_SECONDS = 3
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"
ISSUER = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/(?P<pool>[\w-]+_[0-9a-zA-Z]+)$")
BEARER = re.compile(r"^Bearer[ \t]+(?P<token>[A-Za-z0-9_=+/.-]+)[ \t]*$", re.IGNORECASE)


class InvalidToken(Exception):
    """The token proves nothing: the reason is for the log only."""


class VerifierUnavailable(Exception):
    """The pool's signing keys could not be read, so no token can be checked right now."""


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None without the header; InvalidToken when the
    header is there but is not a bearer token."""
    if authorization is None:
        return None
    if len(authorization) > MAX_TOKEN_CHARS + 16:
        raise InvalidToken("Authorization header too long")
    match = BEARER.match(authorization.strip())
    if match is None:
        raise InvalidToken("Authorization is not a Bearer token")
    return match.group("token")


def pool_id(issuer: str) -> str:
    match = ISSUER.match(issuer)
    if match is None:
        raise ValueError(
            f"not a Cognito user pool issuer: {issuer!r} (https://cognito-idp.<region>.amazonaws.com/<id>)"
        )
    return match.group("pool")


def jwks_url(issuer: str, endpoint: str | None = None) -> str:
    """Where the pool publishes its keys: <issuer>/.well-known/jwks.json, or on a cognito-idp stand-in (moto) at
    <endpoint>/<pool id>/.well-known/jwks.json when AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER points at one."""
    if endpoint:
        return f"{endpoint.rstrip('/')}/{pool_id(issuer)}/.well-known/jwks.json"
    return f"{issuer.rstrip('/')}/.well-known/jwks.json"


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks_url: str,
        jwks_cache_seconds: int = 3600,
        jwks_client: PyJWKClient | None = None,
    ) -> None:
        pool_id(issuer)  # a configuration that names no pool fails at the cold start
        if not client_id:
            raise ValueError("no app client id to check `aud` against")
        self.issuer = issuer
        self.client_id = client_id
        self.jwks_url = jwks_url
        self.jwks = jwks_client or PyJWKClient(
            jwks_url,
            cache_jwk_set=jwks_cache_seconds > 0,
            lifespan=max(jwks_cache_seconds, 1),
            timeout=JWKS_TIMEOUT_SECONDS,
        )

    @classmethod
    def from_settings(cls, issuer: str, client_id: str, jwks_cache_seconds: int = 3600) -> TokenVerifier:
        return cls(
            issuer=issuer,
            client_id=client_id,
            jwks_url=jwks_url(issuer, os.environ.get(ENDPOINT_VARIABLE)),
            jwks_cache_seconds=jwks_cache_seconds,
        )

    def verify(self, token: str) -> Principal:
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise InvalidToken("empty or oversized token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}") from None
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken(f"algorithm {str(header.get('alg'))[:20]!r} is not accepted")
        if not isinstance(header.get("kid"), str):
            raise InvalidToken("no key id")
        try:
            key = self.jwks.get_signing_key(header["kid"]).key
        except PyJWKClientConnectionError as exc:
            raise VerifierUnavailable(f"the pool's keys could not be read from {self.jwks_url}: {exc}") from exc
        except PyJWKClientError as exc:
            raise InvalidToken(f"signing key not found: {exc}") from None
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"{type(exc).__name__}: {exc}") from None
        return principal(claims)


def principal(claims: Mapping[str, Any]) -> Principal:
    if claims.get("token_use") != "id":
        raise InvalidToken(f"token_use is {str(claims.get('token_use'))[:20]!r}, not 'id'")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not 1 <= len(sub) <= 128:
        raise InvalidToken("no subject")
    email = claims.get("email")
    verified = claims.get("email_verified", True)  # moto leaves it out; Cognito always sets it
    if not isinstance(email, str) or len(email) > 254 or verified in (False, "false"):
        email = None
    return Principal(sub=sub, email=email.lower() if email else None)
