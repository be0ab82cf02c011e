"""API Gateway REQUEST authorizer of `POST /chat`: anonymous → Allow as anonymous; `Authorization: Bearer <Cognito
ID token>` verified → Allow with the principal (sub, email) in the request context; anything else → 401.

Environment (terraform/stacks/conversation, module authorizer): CAMPUSBOT_COGNITO_ISSUER and
CAMPUSBOT_COGNITO_CLIENT_ID are required in the aws target (lambda_settings.AUTHORIZER);
CAMPUSBOT_COGNITO_JWKS_CACHE_SECONDS optional; the JWKS from AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER when set
(moto). Logic: campusbot.auth.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from campusbot.auth.authorizer import Unauthorized, authorize
from campusbot.auth.tokens import TokenVerifier
from campusbot.lambda_settings import AUTHORIZER, require

log = logging.getLogger(__name__)


@cache
def verifier() -> TokenVerifier:
    """Built once per execution environment: the JWKS it fetches stays cached between invocations."""
    from campusbot.lambda_bootstrap import (
        build_token_verifier,  # on the first invocation: importing the handler stays light
    )

    return build_token_verifier(require(AUTHORIZER))


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    try:
        return authorize(event, verifier)
    except Unauthorized:
        raise
    except Exception:  # a broken configuration or an unreachable JWKS: API Gateway answers 500, nothing passes
        log.exception("authorizer failed")
        raise
