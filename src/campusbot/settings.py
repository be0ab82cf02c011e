"""One typed Settings for every entry point (API, Lambdas, CLI), read from CAMPUSBOT_* variables.

Settings fail fast: in the `aws` target a missing or placeholder secret stops the process at start with a
message that names the variable, instead of failing later on the first request.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Target = Literal["local", "localstack", "aws"]

PLACEHOLDERS = {"", "changeme", "changethis", "change-me", "placeholder", "todo", "xxx", "secret", "password"}


class SettingsError(ValueError):
    """The configuration cannot work; the message says which variable to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CAMPUSBOT_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
    )

    target: Target = Field("local", description="local (embedded runtime) | localstack | aws")
    env: str = Field("dev", description="deployment environment name (dev, prod, ...)")
    region: str = Field("us-east-1", description="AWS region of every client")
    data_dir: Path = Field(Path(".campusbot"), description="local state: embedded PostgreSQL data, pid files")

    # Database: a full URL, or its parts (ECS gets the password from Secrets Manager), or a secret ARN.
    database_url: str | None = Field(None, description="SQLAlchemy URL; unset = embedded PostgreSQL")
    db_host: str | None = None
    db_port: int = 5432
    db_name: str = "campusbot"
    db_user: str | None = None
    db_password: str | None = None
    db_secret_arn: str | None = Field(None, description="Secrets Manager secret with username/password")
    db_pool_size: int = Field(10, ge=1, le=100)
    embedded_db_name: str = "campusbot"

    # API service
    api_host: str = "127.0.0.1"
    api_port: int = Field(8000, ge=1, le=65535)
    api_url: str = Field("http://127.0.0.1:8000", description="where Lambdas and the CLI reach the API")
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
    bot_id: str = Field(
        "CAMPUSBOT0",
        description="Lex V2 bot id: exactly 10 characters [0-9a-zA-Z] (botocore rejects others before sending)",
    )
    bot_alias_id: str = "TSTALIASID"
    locale_id: str = "en_US"
    cors_allow_origin: str = Field("*", description="Access-Control-Allow-Origin of every /chat response")
    chat_max_chars: int = Field(1024, ge=1, le=1024, description="longest chat message (Lex RecognizeText: 1024)")
    api_timeout_seconds: float = Field(8.0, gt=0, le=25, description="fulfillment → API read timeout (Lex: 30 s)")
    assist_timeout_seconds: float = Field(20.0, gt=0, le=25, description="fulfillment → POST /assist read timeout")

    # Knowledge (S3, embeddings, chat model)
    docs_bucket: str = "campusbot-docs"
    lake_bucket: str = "campusbot-lake"
    chat_events: Literal["log", "s3", "none"] = Field(
        "s3",
        description="where lex_proxy sends chat events: log (stdout → CloudWatch → Firehose → lake, the AWS "
        "target), s3 (batched in the background into the lake bucket, the local runtime), none",
    )
    embedding_model: str = "amazon.titan-embed-text-v2:0"
    embedding_dimensions: int = Field(384, description="vector(N) of document_chunk; 256/512/1024 for Titan V2")
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

    # Knowledge pipeline: extraction, chunking, retrieval, /assist (src/campusbot/knowledge/)
    docs_max_bytes: int = Field(20 * 1024 * 1024, ge=1, description="largest document the vectorizer reads")
    docs_max_chars: int = Field(2_000_000, ge=1000, description="most extracted characters kept per document")
    chunk_tokens: int = Field(200, ge=32, le=8000, description="chunk size in WordPiece tokens (MiniLM reads 256)")
    chunk_overlap: int = Field(40, ge=0, description="tokens a chunk repeats from the previous one in its section")
    embed_batch_size: int = Field(32, ge=1, le=512, description="chunks per embed_documents call")
    search_ef_search: int = Field(80, ge=1, le=1000, description="hnsw.ef_search of /search and /assist")
    search_hybrid: bool = Field(True, description="blend full-text rank into the cosine ranking (knowledge.store)")
    assist_min_score: float = Field(0.40, ge=0, le=1, description="cosine similarity that grounds an /assist answer")
    assist_top_k: int = Field(4, ge=1, le=20, description="passages /assist retrieves and cites")
    assist_fallback_order: str = Field("documents,general", description="comma list of: documents, general")
    notifier_interval_seconds: float = Field(1.0, gt=0, le=300, description="local S3 notifier polling interval")
    dms_interval_seconds: float = Field(5.0, gt=0, le=3600, description="local DMS stand-in: seconds between passes")

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

    @model_validator(mode="after")
    def _secrets_are_real_in_aws(self) -> Settings:
        if self.target != "aws":
            return self
        if self.database_url is None and self.db_secret_arn is None:
            if not self.db_host:
                raise SettingsError(
                    "CAMPUSBOT_TARGET=aws needs a database: set CAMPUSBOT_DATABASE_URL, or CAMPUSBOT_DB_HOST "
                    "with CAMPUSBOT_DB_USER/CAMPUSBOT_DB_PASSWORD, or CAMPUSBOT_DB_SECRET_ARN"
                )
            if self.db_secret_arn is None and _placeholder(self.db_password):
                raise SettingsError(
                    "CAMPUSBOT_DB_PASSWORD is missing or a placeholder; in the aws target it comes from "
                    "the RDS-managed secret (ECS task secrets) or set CAMPUSBOT_DB_SECRET_ARN"
                )
        if self.database_url is not None and _placeholder(_url_password(self.database_url)):
            raise SettingsError("CAMPUSBOT_DATABASE_URL has a missing or placeholder password in the aws target")
        return self

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


def _placeholder(secret: str | None) -> bool:
    return secret is None or secret.strip().lower() in PLACEHOLDERS


def _url_password(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    return make_url(url).password


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests and the CLI call get_settings.cache_clear() after changing env."""
    return Settings()
