"""The local runtime's user pool: the pool and app client of terraform/modules/cognito, created in moto's
cognito-idp (the moto server the runtime already runs) with the settings the conversation stack gives the module
(read with python-hcl2 through `local.terraform_eval`, not kept by hand).

moto signs its tokens with one fixed key and publishes it at `<moto>/<pool id>/.well-known/jwks.json`; the `iss` it
writes is AWS's, `https://cognito-idp.<region>.amazonaws.com/<pool id>`, so the authorizer checks the same issuer
as in AWS and only reads the keys from the endpoint AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campusbot.local.terraform_eval import EvaluationError, NoStandIns, StackSet, Unresolvable, literal, read_tfvars
from campusbot.local.terraform_eval import to_string as _to_string

STACK = "conversation"
MODULE_SOURCE = "cognito"


class PoolDerivationError(RuntimeError):
    """The cognito module call cannot be read; the message says where."""


@dataclass(frozen=True)
class PoolSettings:
    name: str
    password_minimum_length: int
    temporary_password_validity_days: int
    id_token_validity_minutes: int
    access_token_validity_minutes: int
    refresh_token_validity_days: int
    allow_password_auth: bool
    self_sign_up: bool

    @property
    def client_name(self) -> str:
        return f"{self.name}-public"  # as modules/cognito names it

    @property
    def auth_flows(self) -> list[str]:
        flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        return flows + (["ALLOW_USER_PASSWORD_AUTH"] if self.allow_password_auth else [])


@dataclass(frozen=True)
class LocalPool:
    pool_id: str
    client_id: str
    region: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"


def pool_settings(terraform: Path, env: str) -> PoolSettings:
    """The variables the conversation stack passes to modules/cognito in `env` (module defaults for the rest)."""
    stacks = StackSet(terraform, read_tfvars(terraform / "environments" / f"{env}.tfvars"), NoStandIns())
    scope = stacks.scope(STACK)
    names = []
    for name, call in scope.config.modules.items():
        source = call.attribute("source")
        if source is not None and Path(_to_string(literal(source))).name == MODULE_SOURCE:
            names.append(name)
    if len(names) != 1:
        raise PoolDerivationError(f"stack {STACK} calls modules/{MODULE_SOURCE} {len(names)} times (expected once)")
    module = scope.module(names[0])

    def var(name: str) -> Any:
        try:
            return module.var(name)
        except (EvaluationError, Unresolvable) as exc:
            raise PoolDerivationError(f"stack {STACK}, module {names[0]}, {name}: {exc}") from exc

    return PoolSettings(
        name=str(var("name")),
        password_minimum_length=int(var("password_minimum_length")),
        temporary_password_validity_days=int(var("temporary_password_validity_days")),
        id_token_validity_minutes=int(var("id_token_validity_minutes")),
        access_token_validity_minutes=int(var("access_token_validity_minutes")),
        refresh_token_validity_days=int(var("refresh_token_validity_days")),
        allow_password_auth=bool(var("allow_password_auth")),
        self_sign_up=bool(var("self_sign_up")),
    )


def ensure_pool(client: Any, settings: PoolSettings, region: str) -> LocalPool:
    """The pool and its public client in cognito-idp (moto), created when missing (found by name otherwise)."""
    pools = client.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p["Name"] == settings.name), None)
    if pool_id is None:
        pool_id = client.create_user_pool(
            PoolName=settings.name,
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            UsernameConfiguration={"CaseSensitive": False},
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": settings.password_minimum_length,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "TemporaryPasswordValidityDays": settings.temporary_password_validity_days,
                }
            },
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": not settings.self_sign_up},
            AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        )["UserPool"]["Id"]
    clients = client.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == settings.client_name), None)
    if client_id is None:
        client_id = client.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=settings.client_name,
            GenerateSecret=False,
            ExplicitAuthFlows=settings.auth_flows,
            PreventUserExistenceErrors="ENABLED",
            EnableTokenRevocation=True,
            IdTokenValidity=settings.id_token_validity_minutes,
            AccessTokenValidity=settings.access_token_validity_minutes,
            RefreshTokenValidity=settings.refresh_token_validity_days,
            TokenValidityUnits={"IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "days"},
        )["UserPoolClient"]["ClientId"]
    return LocalPool(pool_id=pool_id, client_id=client_id, region=region)
