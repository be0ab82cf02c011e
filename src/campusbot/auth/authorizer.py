"""The API Gateway REQUEST authorizer of `POST /chat`: anonymous callers pass as anonymous, a valid Cognito ID token
passes as its principal, anything else is 401.

    no Authorization header            → Allow, context {"principal": "anonymous"}
    Authorization: Bearer <valid ID>   → Allow, principalId = sub, context {"principal": "user", "sub", "email"}
    any other Authorization            → raise Unauthorized: API Gateway answers 401 (gateway response UNAUTHORIZED,
                                         JSON body and CORS headers configured in terraform/modules/api_gateway)
    the pool's keys unreachable        → raise: API Gateway answers 500 (AUTHORIZER_FAILURE), nothing is allowed

The Allow policy names only the method being called (`methodArn`): the authorizer has no identity source and
API Gateway caches nothing (anonymous requests carry no identity to cache on), so every request is checked.
Formats: API Gateway Lambda authorizer input (type REQUEST) and output (principalId, policyDocument, context).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from campusbot.auth.principal import Principal
from campusbot.auth.tokens import InvalidToken, TokenVerifier, bearer_token

log = logging.getLogger(__name__)

ANONYMOUS = "anonymous"
UNAUTHORIZED = "Unauthorized"  # the exact message API Gateway turns into a 401


class Unauthorized(Exception):
    """Raised with the message "Unauthorized": API Gateway's signal for a 401."""

    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED)


def authorize(event: Mapping[str, Any], verifier: TokenVerifier | Callable[[], TokenVerifier]) -> dict[str, Any]:
    """One REQUEST authorizer event → the Allow policy with the principal's context, or `Unauthorized`;
    `verifier` may be a provider, called only when there is a token to verify."""
    method_arn = event.get("methodArn")
    if not isinstance(method_arn, str) or not method_arn.startswith("arn:"):
        log.warning("authorizer event without a methodArn")
        raise Unauthorized
    try:
        token = bearer_token(header(event, "authorization"))
        if token is None:
            return allow(method_arn, None)
        principal = (verifier if isinstance(verifier, TokenVerifier) else verifier()).verify(token)
    except InvalidToken as exc:
        log.info("token refused: %s", exc)
        raise Unauthorized from None
    return allow(method_arn, principal)


def allow(method_arn: str, principal: Principal | None) -> dict[str, Any]:
    context: dict[str, str] = {"principal": ANONYMOUS}
    if principal is not None:
        context = {"principal": "user", "sub": principal.sub}
        if principal.email:
            context["email"] = principal.email
    return {
        "principalId": principal.sub if principal else ANONYMOUS,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": method_arn}],
        },
        "context": context,
    }


def header(event: Mapping[str, Any], name: str) -> str | None:
    """A header of the request, case-insensitively; several values for one name (multiValueHeaders) count as
    a malformed header rather than letting one of them win."""
    multi = event.get("multiValueHeaders")
    if isinstance(multi, Mapping):
        values = [v for k, vs in multi.items() if isinstance(k, str) and k.lower() == name for v in (vs or [])]
        if len(values) > 1:
            raise InvalidToken(f"{len(values)} {name} headers")
    headers = event.get("headers")
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name:
            return value if isinstance(value, str) else None
    return None
