"""API Gateway's own answers (gateway responses) as terraform/modules/api_gateway configures them, for the local
gateway: status code, body template and headers of each `aws_api_gateway_gateway_response`, read with python-hcl2
through `local.terraform_eval` (no Terraform, no hand-kept copy), and rendered as API Gateway renders them.

What stays here is AWS's behaviour, not the module's settings: each response type's default status code and
the message API Gateway puts in `$context.error.message`, and the fallback of an unconfigured type to
DEFAULT_4XX/DEFAULT_5XX (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campusbot.local.terraform_eval import Block, NoStandIns, Scope, configuration, force, to_string

MODULE = "api_gateway"  # terraform/modules/<MODULE>
RESOURCE = "aws_api_gateway_gateway_response"
HEADER_PREFIX = "gatewayresponse.header."

# AWS: the default status of each type the local gateway can produce, the message it carries, its x-amzn-ErrorType
AWS_DEFAULTS: Mapping[str, tuple[int, str, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token", "MissingAuthenticationTokenException"),
    "UNAUTHORIZED": (401, "Unauthorized", "UnauthorizedException"),
    "ACCESS_DENIED": (
        403,
        "User is not authorized to access this resource with an explicit deny",
        "AccessDeniedException",
    ),
    "AUTHORIZER_FAILURE": (500, "Internal server error", "AuthorizerFailureException"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out", "InternalServerErrorException"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long", "RequestTooLargeException"),
    "DEFAULT_5XX": (502, "Internal server error", "InternalServerErrorException"),  # a failed/malformed Lambda answer
}
_CONTEXT = re.compile(r"\$context\.([A-Za-z.]+[A-Za-z])")


class GatewayResponseError(RuntimeError):
    """The module's gateway responses cannot be read; the message says which and why."""


@dataclass(frozen=True)
class GatewayResponse:
    response_type: str
    status: int | None  # None: the type's own status (AWS's default, or what DEFAULT_4XX/5XX sets)
    template: str | None  # the application/json template
    headers: Mapping[str, str]  # static header values (quotes removed)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str]


def module_folder() -> Path:
    from campusbot.local.aws_environment import terraform_root

    return terraform_root() / "modules" / MODULE


def read_gateway_responses(cors_allow_origin: str, module: Path | None = None) -> dict[str, GatewayResponse]:
    """Every gateway response the module creates (with `create` and an authorizer), for this CORS origin."""
    module = module or module_folder()
    variables = {"create": True, "cors_allow_origin": cors_allow_origin, "authorizer_function_name": "local"}
    scope = Scope(configuration(module), f"module {module.name}", NoStandIns(), variables)
    found: dict[str, GatewayResponse] = {}
    for block in scope.config.of_kind("resource"):
        if block.labels[0] != RESOURCE:
            continue
        name = block.labels[1]
        for_each = block.attribute("for_each")
        instances: list[Scope]
        if for_each is not None:
            items = force(scope.evaluate(for_each, block.source))
            pairs = items.items() if isinstance(items, dict) else [(k, k) for k in items]
            instances = [scope.with_bound({"each": {"key": k, "value": v}}) for k, v in pairs]
        elif block.attribute("count") is not None:
            total = int(scope.evaluate(block.attribute("count"), block.source))  # type: ignore[arg-type]
            instances = [scope.with_bound({"count": {"index": i}}) for i in range(total)]
        else:
            instances = [scope]

        for instance in instances:
            try:
                kind = to_string(_argument(block, instance, "response_type"))
                status = _argument(block, instance, "status_code")
                templates = _argument(block, instance, "response_templates") or {}
                parameters = _argument(block, instance, "response_parameters") or {}
            except Exception as exc:
                raise GatewayResponseError(f"{module}: {RESOURCE}.{name}: {exc}") from exc
            headers = {}
            for key, value in parameters.items():
                if not key.startswith(HEADER_PREFIX) or not (value.startswith("'") and value.endswith("'")):
                    raise GatewayResponseError(f"{RESOURCE}.{name}[{kind}]: {key} = {value} is not a static header")
                headers[key.removeprefix(HEADER_PREFIX)] = value[1:-1]
            if kind in found:
                raise GatewayResponseError(f"{RESOURCE}.{name}: {kind} is configured twice")
            found[kind] = GatewayResponse(
                kind,
                None if status is None else int(status),
                templates.get("application/json"),
                headers,
            )
    return found


def _argument(block: Block, instance: Scope, name: str) -> Any:
    tree = block.attribute(name)
    return None if tree is None else force(instance.evaluate(tree, block.source))


def render(template: str, message: str) -> str:
    """The template with the `$context` variables a gateway response has locally (no other VTL)."""
    values = {"error.message": message, "error.messageString": json.dumps(message)}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise GatewayResponseError(f"$context.{name} in a gateway response template is not rendered locally")
        return values[name]

    return _CONTEXT.sub(value, template)


class GatewayResponses:
    """The answers of the local gateway for API Gateway's own errors, as the module configures them."""

    def __init__(self, responses: Mapping[str, GatewayResponse]) -> None:
        self.responses = dict(responses)

    @classmethod
    def from_module(cls, cors_allow_origin: str, module: Path | None = None) -> GatewayResponses:
        return cls(read_gateway_responses(cors_allow_origin, module))

    def answer(self, kind: str) -> Answer:
        """API Gateway's answer of type `kind`: its own response if configured, else DEFAULT_4XX/5XX's, else AWS's."""
        default_status, message, error_type = AWS_DEFAULTS[kind]
        fallback = self.responses.get("DEFAULT_4XX" if default_status < 500 else "DEFAULT_5XX")
        own = self.responses.get(kind)
        chosen = own or fallback
        status = default_status
        if own is not None and own.status is not None:
            status = own.status
        elif fallback is not None and fallback.status is not None:  # DEFAULT_*'s status changes all unset ones
            status = fallback.status
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": error_type}
        if chosen is None or chosen.template is None:
            return Answer(status, json.dumps({"message": message}).encode(), headers)
        return Answer(status, render(chosen.template, message).encode(), {**headers, **chosen.headers})
