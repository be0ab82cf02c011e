"""One typed Settings for every entry point (API, Lambdas, CLI), read from CAMPUSBOT_* variables.

Each entry point states what it uses that has no default valid in AWS (`Requirements`: LEX_PROXY,
FULFILLMENT, VECTORIZER, API below) and checks it at its cold start with `require(...)`: in the `aws`
target a value it needs that Terraform did not set, or set to a placeholder, stops it with a message
naming the variable ("lex_proxy needs CAMPUSBOT_BOT_ID"), instead of failing later on the first request.
A component asks only for what it uses: lex_proxy needs no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from pydantic import AliasChoices, Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from campusbot.lambda_settings import (
    API,
    AUTHORIZER,
    COMPONENTS,
    FULFILLMENT,
    LEX_PROXY,
    PLACEHOLDERS,
    VARS,
    VECTORIZER,
    Requirements,
    SettingsError,
    Target,
    env_names,
)
from campusbot.lambda_settings import placeholder as _placeholder

__all__ = [
    "API", "AUTHORIZER", "COMPONENTS", "FULFILLMENT", "LEX_PROXY", "PLACEHOLDERS", "VECTORIZER", "Requirements",
    "Settings", "SettingsError", "Target", "env_name", "get_settings", "require",
]  # fmt: skip


def shared(name: str) -> Any:
    """The field `name` as campusbot.lambda_settings.VARS defines it (the Lambdas' reader): one definition of its
    default, bounds, aliases and description for both readers."""
    var = VARS[name]
    alias = AliasChoices(*var.aliases) if var.aliases else None
    return Field(var.default, description=var.description, validation_alias=alias, ge=var.ge, gt=var.gt, le=var.le)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CAMPUSBOT_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    target: Target = shared("target")
    env: str = shared("env")
    region: str = shared("region")
    data_dir: Path = Field(Path(".campusbot"), description="local state: embedded PostgreSQL data, pid files")

    # Database: a full URL, or its parts (ECS gets the password from Secrets Manager), or a secret ARN.
    database_url: str | None = Field(None, description="SQLAlchemy URL; unset = embedded PostgreSQL")
    db_host: str | None = None
    db_port: int = 5432
    db_name: str = "campusbot"
    db_user: str | None = None
    db_password: str | None = None
    db_secret_arn: str | None = Field(
        None, description="Secrets Manager secret with username/password (read per new connection, cached)"
    )
    db_secret_ttl_seconds: float = Field(
        900, gt=0, description="how long the secret's credentials are reused; an authentication failure re-reads it"
    )
    db_sslmode: Literal["verify-full", "disable"] = Field(
        "verify-full",
        description="TLS of connections made from CAMPUSBOT_DB_HOST: verify-full (the server certificate against "
        "CAMPUSBOT_DB_CA_BUNDLE and its host name) or disable; a CAMPUSBOT_DATABASE_URL says its own",
    )
    db_ca_bundle: Path | None = Field(
        None, description="CA bundle that signs the database's certificate (the RDS bundle shipped in the image/zip)"
    )
    db_pool_size: int = Field(10, ge=1, le=100)
    embedded_db_name: str = "campusbot"

    # API service
    api_host: str = "127.0.0.1"
    api_port: int = Field(8000, ge=1, le=65535)
    api_url: str = shared("api_url")
    page_size_max: int = Field(100, ge=1, le=1000)

    # Local runtime (`platform up`): where each stand-in listens
    gateway_port: int = Field(3000, ge=1, le=65535, description="API Gateway emulator (POST /chat)")
    emulator_port: int = Field(4567, ge=1, le=65535, description="AWS emulator: Lex V2 and Bedrock runtime")
    s3_port: int = Field(4566, ge=1, le=65535, description="moto's S3 server, or LocalStack when it answers there")
    chat_url: str = Field("http://127.0.0.1:3000/chat", description="default endpoint of `platform chat`")
    chat_api_key: str | None = Field(None, description="x-api-key for a deployed API Gateway chat endpoint")

    # Deploy (`platform deploy/plan/destroy/bootstrap`, src/campusbot/deploy/)
    localstack_url: str = Field("http://localhost:4566", description="edge endpoint of the localstack target")
    state_bucket: str | None = Field(
        None, description="Terraform state bucket; unset: campusbot-tfstate-<acct>-<region>"
    )
    terraform_bin: str = Field("terraform", description="terraform (>= 1.10, S3 lockfile) or tofu binary of deploys")

    # Conversation (Lex)
    bot_id: str = shared("bot_id")
    bot_alias_id: str = shared("bot_alias_id")
    locale_id: str = shared("locale_id")
    cors_allow_origin: str = shared("cors_allow_origin")
    chat_max_chars: int = shared("chat_max_chars")
    api_timeout_seconds: float = shared("api_timeout_seconds")

    # Sign-in (Cognito user pool; src/campusbot/auth/): the authorizer verifies ID tokens of this pool and client
    cognito_issuer: str | None = shared("cognito_issuer")
    cognito_client_id: str | None = shared("cognito_client_id")
    cognito_jwks_cache_seconds: int = shared("cognito_jwks_cache_seconds")
    assist_timeout_seconds: float = shared("assist_timeout_seconds")

    # Knowledge (S3, embeddings, chat model)
    docs_bucket: str = "campusbot-docs"
    lake_bucket: str = shared("lake_bucket")
    chat_events: Literal["log", "s3", "none"] = shared("chat_events")
    embedding_model: str = "amazon.titan-embed-text-v2:0"
    embedding_dimensions: int = shared("embedding_dimensions")
    chat_model: str = "us.anthropic.claude-sonnet-4-20250514-v1:0"

    # Embeddings and generation (src/campusbot/knowledge/embeddings.py, src/campusbot/llm/): budgets inside Lex's 30 s
    embedding_batch_concurrency: int = Field(8, ge=1, le=64, description="parallel InvokeModel calls (Titan: 1 text)")
    embedding_max_attempts: int = Field(5, ge=1, le=20, description="attempts per text on throttling/5xx")
    chat_max_tokens: int = Field(400, ge=1, le=8192, description="Converse maxTokens of an answer")
    chat_temperature: float = Field(0.2, ge=0, le=1, description="Converse temperature (topP is never sent)")
    chat_deadline_seconds: float = Field(15.0, gt=0, le=28, description="one answer, retries included")
    bedrock_connect_timeout_seconds: float = Field(3.0, gt=0, le=30, description="bedrock-runtime connect timeout")
    bedrock_read_timeout_seconds: float = Field(12.0, gt=0, le=120, description="bedrock-runtime read timeout")
    bedrock_max_attempts: int = Field(3, ge=1, le=10, description="attempts per Converse call (throttling, 5xx)")
    bedrock_guardrail_id: str | None = Field(None, description="guardrail every Converse call applies (prod)")
    bedrock_guardrail_version: str | None = Field(None, description="its published version, with the id")
    local_llm_url: str | None = Field(None, description="OpenAI-compatible server for local Converse (e.g. Ollama)")
    local_llm_model: str = Field("llama3.2", description="model name sent to CAMPUSBOT_LOCAL_LLM_URL")
    local_embedding_threads: int = Field(0, ge=0, le=64, description="cores the local MiniLM uses (0: all cores)")
    local_embedding_passes: int = Field(
        0, ge=0, le=64, description="local MiniLM forward passes side by side, sharing its cores (0: one per core)"
    )
    local_embedding_precision: Literal["auto", "fp32", "bf16"] = Field(
        "auto",
        description="local MiniLM forward passes: fp32, or bf16 autocast (within 1e-4 cosine of fp32; CPUs with native "
        "bf16); auto: bf16 where the CPU has it, else fp32",
    )

    # Knowledge pipeline: extraction, chunking, retrieval, /assist (src/campusbot/knowledge/)
    docs_max_bytes: int = Field(20 * 1024 * 1024, ge=1, description="largest document the vectorizer reads")
    docs_max_chars: int = Field(2_000_000, ge=1000, description="most extracted characters kept per document")
    chunk_tokens: int = Field(200, ge=32, le=8000, description="chunk size in WordPiece tokens (MiniLM reads 256)")
    chunk_overlap: int = Field(40, ge=0, description="tokens a chunk repeats from the previous one in its section")
    embed_batch_size: int = Field(32, ge=1, le=512, description="chunks per embed_documents call")
    search_ef_search: int = Field(80, ge=1, le=1000, description="hnsw.ef_search of /search and /assist")
    search_hybrid: bool = Field(True, description="blend full-text rank into the cosine ranking (knowledge.store)")
    assist_min_score: float = Field(0.40, ge=0, le=1, description="cosine similarity that grounds an /assist answer")
    assist_answerability: bool = Field(
        True,
        description="ground an /assist answer only on passages that answer the question (knowledge.answerability)",
    )
    assist_top_k: int = Field(4, ge=1, le=20, description="passages /assist retrieves and cites")
    assist_fallback_order: str = Field("documents,general", description="comma list of: documents, general")
    notifier_interval_seconds: float = Field(1.0, gt=0, le=300, description="local S3 notifier polling interval")
    local_vectorizer_environments: int = Field(
        4,
        ge=1,
        le=32,
        description="local runtime: vectorizer execution environments at most, started as uploads arrive together "
        "(S3 invokes it once per object, and Lambda runs those invocations side by side); a reserved concurrency in "
        "the stacks caps it",
    )
    dms_interval_seconds: float = Field(5.0, gt=0, le=3600, description="local DMS stand-in: seconds between passes")
    firehose_interval_seconds: float | None = Field(
        None,
        gt=0,
        le=900,
        description="local runtime: deliver chat events to the lake after at most this many seconds; unset = the "
        "stream's buffering interval from Terraform (300 s)",
    )

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int, info: ValidationInfo) -> int:
        if value >= info.data.get("chunk_tokens", 200) // 2:
            raise ValueError("chunk_overlap must be less than half of chunk_tokens")
        return value

    @field_validator("assist_fallback_order")
    @classmethod
    def _fallback_order(cls, value: str) -> str:
        steps = [step.strip().lower() for step in value.split(",") if step.strip()]
        unknown = sorted(set(steps) - {"documents", "general"})
        if unknown or len(set(steps)) != len(steps):
            raise ValueError("assist_fallback_order lists each of 'documents', 'general' at most once")
        return ",".join(steps)

    @property
    def assist_fallback(self) -> tuple[str, ...]:
        """The /assist steps in order; an empty order answers every question with "I don't know"."""
        return tuple(step for step in self.assist_fallback_order.split(",") if step)

    # Seed
    seed_random: int = Field(20261125, description="seed of the deterministic data generator")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        """Accept postgres:// and postgresql:// URLs and use the asyncpg driver for them."""
        if value is None:
            return None
        for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
            if value.startswith(prefix):
                return "postgresql+asyncpg://" + value[len(prefix) :]
        return value

    @field_validator("embedding_dimensions")
    @classmethod
    def _dimensions(cls, value: int, info: ValidationInfo) -> int:
        if not 8 <= value <= 4096:
            raise ValueError("embedding_dimensions must be between 8 and 4096")
        return value

    def is_set(self, name: str) -> bool:
        """Whether `name` was given a value (by the environment, `.env` or the constructor), not defaulted."""
        return name in self.model_fields_set

    @property
    def uses_embedded_database(self) -> bool:
        """True when no database is configured and the local runtime provides one."""
        return self.database_url is None and self.db_host is None and self.db_secret_arn is None

    def database_url_from_parts(self, user: str | None = None, password: str | None = None) -> str:
        """Build the asyncpg URL from CAMPUSBOT_DB_* parts (or the credentials of a secret)."""
        if self.database_url is not None:
            return self.database_url
        if not self.db_host:
            raise SettingsError("no database configured: CAMPUSBOT_DATABASE_URL or CAMPUSBOT_DB_HOST")
        user = user or self.db_user or "postgres"
        password = password if password is not None else self.db_password
        auth = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
        return f"postgresql+asyncpg://{auth}@{self.db_host}:{self.db_port}/{self.db_name}"

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "pg"

    def database_gaps(self) -> list[str]:
        """What reaching the database in the aws target still needs (empty: nothing), as variables to set."""
        if self.database_url is not None:
            if _placeholder(_url_password(self.database_url)):
                return ["CAMPUSBOT_DATABASE_URL with a real password (it has none, or a placeholder)"]
            return []
        if not self.db_host:
            return ["a database: CAMPUSBOT_DB_HOST with CAMPUSBOT_DB_SECRET_ARN (as Terraform sets them), or "
                    "CAMPUSBOT_DATABASE_URL"]  # fmt: skip
        gaps = []
        if self.db_secret_arn is None and (not self.db_user or _placeholder(self.db_password)):
            gaps.append("CAMPUSBOT_DB_SECRET_ARN (the RDS-managed secret; or CAMPUSBOT_DB_USER and a real "
                        "CAMPUSBOT_DB_PASSWORD)")  # fmt: skip
        if self.db_sslmode == "verify-full" and self.db_ca_bundle is None:
            gaps.append("CAMPUSBOT_DB_CA_BUNDLE (the CA bundle that verifies the database's certificate)")
        return gaps

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Settings:
        """Settings read from `environ` alone (no os.environ, no .env): what a process started with exactly that
        environment would get, e.g. a Lambda with the variables Terraform gives it."""
        token = _ENVIRON.set(dict(environ))
        try:
            return _isolated(cls)()
        finally:
            _ENVIRON.reset(token)


_ENVIRON: ContextVar[Mapping[str, str]] = ContextVar("campusbot_settings_environ")


@cache
def _isolated(cls: type[Settings]) -> type[Settings]:
    """`cls` reading the mapping `from_environment` was given instead of the environment: created once per class
    (creating a settings class costs 5-70 ms of CPU; the runtime's start did it on its critical path)."""

    class _Isolated(cls):  # type: ignore[valid-type,misc]
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return init_settings, _MappingSource(settings_cls, _ENVIRON.get())

    return _Isolated


def _url_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    return make_url(url).password


class _MappingSource(EnvSettingsSource):
    """The environment source of pydantic-settings over a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {key.lower(): value for key, value in self._environ.items()}


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests and the CLI call get_settings.cache_clear() after changing env."""
    return Settings()


def env_name(field: str) -> str:
    """The variable that sets `field` (its first alias, else CAMPUSBOT_<FIELD>)."""
    if field in VARS:
        return env_names(field)[0]
    info = Settings.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return f"CAMPUSBOT_{field.upper()}"


# Every shared setting (hence every requirement: lambda_settings checks they are among VARS) is a field here.
_unknown = sorted(set(VARS) - set(Settings.model_fields))
if _unknown:
    raise RuntimeError(f"campusbot.lambda_settings.VARS defines settings Settings lacks: {_unknown}")


def require(requirements: Requirements) -> Settings:
    """The process settings, checked for one entry point (its cold start): SettingsError names what is missing.
    The light Lambdas (no database) read theirs with campusbot.lambda_settings.require instead."""
    return requirements.check(get_settings())
