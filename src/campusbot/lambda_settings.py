"""The settings the light Lambdas read (lex_proxy, fulfillment, authorizer), without pydantic: a cold start imports
only the standard library for them.

`VARS` is the one definition of these settings: `settings.Settings` builds each of these fields from it
(`settings.shared`), so a name, a default, a bound or an alias cannot differ between the two readers.
`LambdaSettings.from_environ` reads them as pydantic-settings reads `Settings`: CAMPUSBOT_<NAME> (or the aliases,
in order), case-insensitive, an empty value counting as unset; a value that does not parse or breaks a bound is a
`SettingsError` naming the variable. `Requirements` (what each entry point needs in the aws target) lives here too,
and `require(...)` is the Lambdas' cold-start check: the same errors as `settings.require`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Protocol, TypeVar

Target = Literal["local", "localstack", "aws"]
PREFIX = "CAMPUSBOT_"
PLACEHOLDERS = {
    "", "changeme", "changethis", "change-me", "placeholder", "todo", "xxx", "secret", "password", "none",
}  # fmt: skip


class SettingsError(ValueError):
    """The configuration cannot work; the message says which variable to fix."""


@dataclass(frozen=True)
class Var:
    """One setting: its default and what a value must satisfy (pydantic's ge/gt/le, a Literal's choices)."""

    default: Any
    description: str = ""
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # the variables that set it, in order (default: CAMPUSBOT_<NAME>)


VARS: Mapping[str, Var] = {
    "target": Var("local", "local (embedded runtime) | localstack | aws", choices=("local", "localstack", "aws")),
    "env": Var("dev", "deployment environment name (dev, prod, ...)"),
    "region": Var(
        "us-east-1",
        "AWS region of every client: CAMPUSBOT_REGION, else AWS_REGION (set by Lambda and by the ECS task "
        "definition), else AWS_DEFAULT_REGION",
        aliases=("CAMPUSBOT_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
    ),
    "api_url": Var("http://127.0.0.1:8000", "where Lambdas and the CLI reach the API"),
    "bot_id": Var(
        "CAMPUSBOT0", "Lex V2 bot id: exactly 10 characters [0-9a-zA-Z] (botocore rejects others before sending)"
    ),
    "bot_alias_id": Var("TSTALIASID"),
    "locale_id": Var("en_US"),
    "cors_allow_origin": Var("*", "Access-Control-Allow-Origin of every /chat response"),
    "chat_max_chars": Var(1024, "longest chat message (Lex RecognizeText: 1024)", ge=1, le=1024),
    "api_timeout_seconds": Var(8.0, "fulfillment → API read timeout (Lex: 30 s)", gt=0, le=25),
    "assist_timeout_seconds": Var(20.0, "fulfillment → POST /assist read timeout", gt=0, le=25),
    "cognito_issuer": Var(
        None,
        "the user pool's issuer, https://cognito-idp.<region>.amazonaws.com/<pool id> (the `iss` of its tokens); the "
        "JWKS is read from <issuer>/.well-known/jwks.json, or from "
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER/<pool id>/.well-known/jwks.json when that endpoint is set (moto)",
    ),
    "cognito_client_id": Var(None, "the app client whose ID tokens are accepted (aud)"),
    "cognito_jwks_cache_seconds": Var(
        3600, "how long the authorizer keeps the pool's signing keys (JWKS)", ge=0, le=86400
    ),
    "lake_bucket": Var("campusbot-lake"),
    "chat_events": Var(
        "s3",
        "where lex_proxy sends chat events: log (stdout → CloudWatch → Firehose → lake, the AWS target and the local "
        "runtime, which both get it from the stack), s3 (batched in the background into the lake bucket: lex_proxy "
        "run on its own), none",
        choices=("log", "s3", "none"),
    ),
    # its range (8..4096) is checked by Settings, the only reader of the components that use it
    "embedding_dimensions": Var(
        1024, "vector(N) of document_chunk: 256, 512 or 1024 (Titan V2; the local emulator pads MiniLM)"
    ),
}


def env_names(name: str) -> tuple[str, ...]:
    """The variables that set `name`, in the order they are read."""
    var = VARS.get(name)
    return var.aliases if var is not None and var.aliases else (PREFIX + name.upper(),)


@dataclass(frozen=True)
class LambdaSettings:
    """`VARS` read from an environment (field names, types and defaults are those of `settings.Settings`)."""

    target: Target = VARS["target"].default
    env: str = VARS["env"].default
    region: str = VARS["region"].default
    api_url: str = VARS["api_url"].default
    bot_id: str = VARS["bot_id"].default
    bot_alias_id: str = VARS["bot_alias_id"].default
    locale_id: str = VARS["locale_id"].default
    cors_allow_origin: str = VARS["cors_allow_origin"].default
    chat_max_chars: int = VARS["chat_max_chars"].default
    api_timeout_seconds: float = VARS["api_timeout_seconds"].default
    assist_timeout_seconds: float = VARS["assist_timeout_seconds"].default
    cognito_issuer: str | None = VARS["cognito_issuer"].default
    cognito_client_id: str | None = VARS["cognito_client_id"].default
    cognito_jwks_cache_seconds: int = VARS["cognito_jwks_cache_seconds"].default
    lake_bucket: str = VARS["lake_bucket"].default
    chat_events: Literal["log", "s3", "none"] = VARS["chat_events"].default
    embedding_dimensions: int = VARS["embedding_dimensions"].default
    fields_set: frozenset[str] = field(default=frozenset(), compare=False)

    def is_set(self, name: str) -> bool:
        """Whether the environment gave `name` a value (pydantic's model_fields_set)."""
        return name in self.fields_set

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> LambdaSettings:
        """The settings of a process with this environment (os.environ by default); no `.env` file is read."""
        lowered = {key.lower(): value for key, value in (os.environ if environ is None else environ).items()}
        values: dict[str, Any] = {}
        for name in VARS:
            raw = next((lowered[n.lower()] for n in env_names(name) if lowered.get(n.lower())), None)
            if raw is not None:
                values[name] = _parse(name, raw)
        return cls(**values, fields_set=frozenset(values))


_KINDS = {f.name: str(f.type) for f in fields(LambdaSettings)}


def _parse(name: str, raw: str) -> Any:
    var, kind, variable = VARS[name], _KINDS[name], env_names(name)[0]
    if var.choices:
        if raw not in var.choices:
            raise SettingsError(f"{variable}={raw!r}: expected one of {', '.join(var.choices)}")
        return raw
    if kind not in ("int", "float"):
        return raw
    try:
        value: float = int(raw) if kind == "int" else float(raw)
    except ValueError:
        raise SettingsError(f"{variable}={raw!r}: not a valid {'integer' if kind == 'int' else 'number'}") from None
    if var.ge is not None and value < var.ge:
        raise SettingsError(f"{variable}={raw!r}: must be >= {var.ge:g}")
    if var.gt is not None and value <= var.gt:
        raise SettingsError(f"{variable}={raw!r}: must be > {var.gt:g}")
    if var.le is not None and value > var.le:
        raise SettingsError(f"{variable}={raw!r}: must be <= {var.le:g}")
    return value


class _Readable(Protocol):
    @property
    def target(self) -> str: ...

    def is_set(self, name: str) -> bool: ...


SettingsT = TypeVar("SettingsT", bound=_Readable)


@dataclass(frozen=True)
class Requirements:
    """What one entry point uses that has no default valid in AWS. In the aws target each of `fields` must be set
    explicitly (Terraform sets it) to a real value, and with `database` the database must be reachable (host,
    secret, CA bundle, or a URL). Other targets have local defaults for all of them: nothing is checked there.
    Every required field is one of `VARS`, so the light reader can check it too."""

    component: str
    fields: tuple[str, ...] = ()
    database: bool = False

    def __post_init__(self) -> None:
        unknown = [name for name in self.fields if name not in VARS]
        if unknown:
            raise ValueError(f"{self.component} requires unknown settings {unknown}")

    @property
    def variables(self) -> tuple[str, ...]:
        """The variables behind `fields`, e.g. CAMPUSBOT_BOT_ID."""
        return tuple(env_names(name)[0] for name in self.fields)

    def missing(self, settings: _Readable) -> list[str]:
        """What `settings` lacks for this component (empty when it has everything, or outside the aws target)."""
        if settings.target != "aws":
            return []
        gaps = [
            env_names(name)[0]
            for name in self.fields
            if not settings.is_set(name) or placeholder(_text(getattr(settings, name)))
        ]
        if self.database:
            database_gaps = getattr(settings, "database_gaps", None)
            gaps += database_gaps() if database_gaps is not None else ["a database (the full Settings reads it)"]
        return gaps

    def check(self, settings: SettingsT) -> SettingsT:
        """`settings`, or a SettingsError naming every variable this component still needs."""
        missing = self.missing(settings)
        if missing:
            raise SettingsError(
                f"{self.component} needs {', '.join(missing)}: unset or a placeholder in the aws target, where "
                "Terraform's environment of the component must provide it"
            )
        return settings


# What each entry point requires (terraform/stacks give exactly these; tests/unit/local/test_aws_environment.py
# checks the environment derived from the stacks against them).
LEX_PROXY = Requirements("lex_proxy", ("env", "bot_id", "bot_alias_id", "locale_id", "chat_events"))
FULFILLMENT = Requirements("fulfillment", ("api_url",))
AUTHORIZER = Requirements("authorizer", ("cognito_issuer", "cognito_client_id"))
# Both write or read document_chunk.embedding vector(N): they must agree with each other and with the table.
VECTORIZER = Requirements("vectorizer", ("embedding_dimensions",), database=True)
API = Requirements("api", ("embedding_dimensions",), database=True)
COMPONENTS: Mapping[str, Requirements] = {r.component: r for r in (LEX_PROXY, FULFILLMENT, AUTHORIZER, VECTORIZER, API)}


def require(requirements: Requirements) -> LambdaSettings:
    """This process's settings, read now, checked for one light entry point (its cold start)."""
    if requirements.database:
        raise ValueError(f"{requirements.component} reads a database: use campusbot.settings.require")
    return requirements.check(LambdaSettings.from_environ())


def placeholder(secret: str | None) -> bool:
    return secret is None or secret.strip().lower() in PLACEHOLDERS


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
