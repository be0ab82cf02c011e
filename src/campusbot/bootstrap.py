"""The composition root: the only place that picks adapters from Settings.

Entry points (API, Lambdas, CLI) ask bootstrap for what they need; nothing else looks at the target or
decides between the embedded runtime and AWS. The Lambdas' light builders (Lex runtime client, ChatProxy,
HttpApiClient, TokenVerifier, chat-event sink) live in `lambda_bootstrap.py`, re-exported here: a Lambda zip
carries every module its handler imports, so lex_proxy, fulfillment and the authorizer import that module only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from campusbot.lambda_bootstrap import build_api_client as build_api_client
from campusbot.lambda_bootstrap import build_chat_event_sink as build_chat_event_sink
from campusbot.lambda_bootstrap import build_chat_proxy as build_chat_proxy
from campusbot.lambda_bootstrap import build_lex_runtime_client as build_lex_runtime_client
from campusbot.lambda_bootstrap import build_token_verifier as build_token_verifier

if TYPE_CHECKING:  # bootstrap stays light to import: the Lambdas use it without pydantic, SQLAlchemy or torch
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
    from mypy_boto3_s3 import S3Client

    from campusbot.db.connect import DatabaseTarget
    from campusbot.db.database import Database
    from campusbot.knowledge.answer import Assistant
    from campusbot.knowledge.embeddings import Embedder
    from campusbot.knowledge.indexing import IndexingService
    from campusbot.knowledge.ingest import Ingestor
    from campusbot.knowledge.retrieve import Retriever
    from campusbot.llm.base import Generator
    from campusbot.local.emulator.bedrock import BedrockEmulator
    from campusbot.settings import Settings


def resolve_database(settings: Settings) -> DatabaseTarget:
    """Where the database is and how to log in: CAMPUSBOT_DATABASE_URL as it says; else CAMPUSBOT_DB_HOST (+ _PORT,
    _NAME) over TLS (CAMPUSBOT_DB_SSLMODE, default verify-full against CAMPUSBOT_DB_CA_BUNDLE) with the credentials
    of CAMPUSBOT_DB_SECRET_ARN read per new connection (or CAMPUSBOT_DB_USER/_PASSWORD); else embedded PostgreSQL."""
    from campusbot.db.connect import DatabaseTarget

    if settings.database_url is not None:
        return DatabaseTarget(settings.database_url)
    if settings.db_host is not None:
        from campusbot.db.tls import verify_full_context

        context = verify_full_context(settings.db_ca_bundle) if settings.db_sslmode == "verify-full" else None
        if settings.db_secret_arn is None:
            return DatabaseTarget(settings.database_url_from_parts(), ssl=context)
        from campusbot.db.credentials import SecretCredentials

        credentials = SecretCredentials(
            _secretsmanager(settings), settings.db_secret_arn, ttl_seconds=settings.db_secret_ttl_seconds
        )
        # the URL names the server; the username and password come from the secret at each new connection
        return DatabaseTarget(settings.database_url_from_parts(), ssl=context, credentials=credentials)
    return DatabaseTarget(resolve_database_url(settings))


def resolve_database_url(settings: Settings) -> str:
    """A URL with everything in it: CAMPUSBOT_DATABASE_URL, else the embedded PostgreSQL's unix socket (started or
    joined). A server reached by CAMPUSBOT_DB_HOST needs `resolve_database` (TLS, a secret per connection)."""
    if settings.database_url is not None:
        return settings.database_url
    if settings.db_host is not None:
        raise ValueError("CAMPUSBOT_DB_HOST is set: use bootstrap.resolve_database (TLS, credentials per connection)")
    from campusbot.local import postgres

    return postgres.start(settings.pg_dir, settings.embedded_db_name)


def build_database(settings: Settings, target: DatabaseTarget | str | None = None) -> Database:
    from campusbot.db.connect import target_of
    from campusbot.db.database import Database
    from campusbot.db.session import create_sessionmaker

    resolved = target_of(target) if target is not None else resolve_database(settings)
    engine = resolved.create_engine(pool_size=settings.db_pool_size)
    return Database(url=resolved.url, engine=engine, sessions=create_sessionmaker(engine))


def build_s3_client(settings: Settings) -> S3Client:
    """An `s3` client. Its endpoint is AWS_ENDPOINT_URL_S3 when set; in the local and localstack targets,
    without it, the local S3 on CAMPUSBOT_S3_PORT (moto or LocalStack), with dummy credentials if none are set."""
    import os

    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=60)
    if settings.target == "aws" or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"):
        return boto3.client("s3", region_name=settings.region, config=config)
    dummy = not os.environ.get("AWS_ACCESS_KEY_ID") and not os.environ.get("AWS_PROFILE")
    return boto3.client(
        "s3", region_name=settings.region, endpoint_url=f"http://127.0.0.1:{settings.s3_port}", config=config,
        aws_access_key_id="test" if dummy else None, aws_secret_access_key="test" if dummy else None,
    )  # fmt: skip


def s3_endpoint_for_readers(settings: Settings) -> str | None:
    """The S3 endpoint another reader (DuckDB's httpfs) must be given to reach what build_s3_client reaches: None
    for AWS's own S3 in the aws target (the reader's default), else the endpoint URL (the local S3, LocalStack)."""
    endpoint: str = build_s3_client(settings).meta.endpoint_url
    return None if settings.target == "aws" and endpoint.endswith(".amazonaws.com") else endpoint


def lake_needs_local_runtime(settings: Settings) -> bool:
    """Whether the lake lives in the local runtime's S3 (the local target, no AWS_ENDPOINT_URL(_S3) elsewhere)."""
    import os

    return settings.target == "local" and not (
        os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    )


def creates_missing_buckets(settings: Settings) -> bool:
    """Whether a command may create the docs bucket it misses: only on the local runtime (never in AWS)."""
    return settings.target != "aws"


def _secretsmanager(settings: Settings) -> Any:
    """A `secretsmanager` client (endpoint from AWS_ENDPOINT_URL_SECRETS_MANAGER on the local runtime)."""
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=3, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    return boto3.client("secretsmanager", region_name=settings.region, config=config)


def bedrock_runtime_client(settings: Settings) -> BedrockRuntimeClient:
    """A `bedrock-runtime` client; its endpoint comes from AWS_ENDPOINT_URL_BEDROCK_RUNTIME when set (local runtime).

    Retries are counted by the adapters (`campusbot.llm.retry`: exact bound, deadline-aware, visible to
    botocore's Stubber), so botocore makes one attempt per call; its adaptive mode still rate-limits the
    client after throttling, which slows every embedding worker sharing it.
    """
    import boto3
    from botocore.config import Config

    from campusbot.knowledge.embeddings import FANOUT_CALLS

    config = Config(
        connect_timeout=settings.bedrock_connect_timeout_seconds,
        read_timeout=settings.bedrock_read_timeout_seconds,
        retries={"mode": "adaptive", "total_max_attempts": 1},
        # an ingestion's fan-out: FANOUT_CALLS embed_documents calls at once, each with its own parallel calls
        max_pool_connections=max(10, FANOUT_CALLS * settings.embedding_batch_concurrency),
    )
    return boto3.client("bedrock-runtime", region_name=settings.region, config=config)


def build_embedder(settings: Settings, client: BedrockRuntimeClient | None = None) -> Embedder:
    """Titan Text Embeddings V2 everywhere (Bedrock in AWS, the emulator's MiniLM locally)."""
    from campusbot.knowledge.embeddings import TitanEmbedder
    from campusbot.llm.retry import RetryPolicy

    return TitanEmbedder(
        client or bedrock_runtime_client(settings),
        model_id=settings.embedding_model,
        dimensions=settings.embedding_dimensions,
        concurrency=settings.embedding_batch_concurrency,
        retry=RetryPolicy(max_attempts=settings.embedding_max_attempts, base_delay=0.25, max_delay=8.0),
    )


def build_generator(settings: Settings, client: BedrockRuntimeClient | None = None) -> Generator:
    """Bedrock Converse with CAMPUSBOT_CHAT_MODEL (locally the emulator answers it with the local generator)."""
    from campusbot.llm.bedrock import BedrockGenerator, Guardrail
    from campusbot.llm.retry import RetryPolicy

    guardrail = None
    if settings.bedrock_guardrail_id:
        if not settings.bedrock_guardrail_version:
            raise ValueError("CAMPUSBOT_BEDROCK_GUARDRAIL_ID is set without CAMPUSBOT_BEDROCK_GUARDRAIL_VERSION")
        guardrail = Guardrail(settings.bedrock_guardrail_id, settings.bedrock_guardrail_version)
    return BedrockGenerator(
        client or bedrock_runtime_client(settings),
        settings.chat_model,
        max_tokens=settings.chat_max_tokens,
        temperature=settings.chat_temperature,
        guardrail=guardrail,
        retry=RetryPolicy(
            max_attempts=settings.bedrock_max_attempts,
            base_delay=0.5,
            max_delay=2.0,
            deadline_seconds=settings.chat_deadline_seconds,
            attempt_seconds=settings.bedrock_read_timeout_seconds,
        ),
    )


def build_retriever(settings: Settings, database: Database, embedder: Embedder) -> Retriever:
    """The knowledge base's search (vector, or hybrid with full text: CAMPUSBOT_SEARCH_HYBRID)."""
    from campusbot.knowledge.retrieve import Retriever

    return Retriever(database.sessions, embedder, hybrid=settings.search_hybrid, ef_search=settings.search_ef_search)


def build_assistant(settings: Settings, retriever: Retriever, generator: Generator) -> Assistant:
    """`/assist`: retrieval, then the generator, with the score floor and the fallback order of Settings."""
    from campusbot.knowledge.answer import Assistant
    from campusbot.knowledge.answerability import Thresholds
    from campusbot.llm.rewrite import rewriter_for

    return Assistant(
        retriever,
        generator,
        min_score=settings.assist_min_score,
        answerability=Thresholds() if settings.assist_answerability else None,
        rewriter=rewriter_for(generator),
        top_k=settings.assist_top_k,
        fallback_order=settings.assist_fallback,
    )


def build_ingestor(settings: Settings, database: Database, embedder: Embedder) -> Ingestor:
    """The vectorizer's service: S3 object → extract, chunk, embed, store (limits from Settings)."""
    from campusbot.knowledge.ingest import IngestLimits, Ingestor

    limits = IngestLimits(
        max_bytes=settings.docs_max_bytes,
        max_chars=settings.docs_max_chars,
        chunk_tokens=settings.chunk_tokens,
        chunk_overlap=settings.chunk_overlap,
        batch_size=settings.embed_batch_size,
    )
    return Ingestor(database.sessions, build_s3_client(settings), embedder, limits)


def build_indexing_service(settings: Settings) -> IndexingService:
    """The vectorizer's service, once per cold start: its own event loop, the database, the embedder (the table's
    vector dimension checked against it: a mismatch stops here, naming the fix) and the ingestor."""
    import asyncio

    from campusbot.knowledge.indexing import IndexingService
    from campusbot.knowledge.store import check_dimensions

    runner = asyncio.Runner()
    database = build_database(settings)
    try:
        embedder = build_embedder(settings)
        runner.run(check_dimensions(database.engine, embedder.dimensions, embedder.model_id))
    except BaseException:
        runner.run(database.dispose())
        runner.close()
        raise
    return IndexingService(runner, database, build_ingestor(settings, database, embedder))


def build_local_generator(settings: Settings) -> Generator:
    """What the local Bedrock emulator answers Converse with: CAMPUSBOT_LOCAL_LLM_URL's server, else extractive."""
    from campusbot.llm.retry import RetryPolicy

    if settings.local_llm_url:
        from campusbot.llm.openai_compat import OpenAICompatGenerator

        return OpenAICompatGenerator(
            settings.local_llm_url,
            settings.local_llm_model,
            max_tokens=settings.chat_max_tokens,
            temperature=settings.chat_temperature,
            connect_timeout=settings.bedrock_connect_timeout_seconds,
            read_timeout=settings.bedrock_read_timeout_seconds,
            retry=RetryPolicy(max_attempts=2, base_delay=0.5, max_delay=1.0),
        )
    from campusbot.llm.extractive import ExtractiveGenerator
    from campusbot.local.emulator import minilm

    return ExtractiveGenerator(encoder=minilm.shared().encode_normalized)


def build_bedrock_emulator(settings: Settings) -> BedrockEmulator:
    """The local runtime's Bedrock runtime emulator (serve it with `local.emulator.app.create_app`)."""
    from campusbot.local.emulator import minilm
    from campusbot.local.emulator.bedrock import BedrockEmulator

    minilm.shared().set_threads(settings.local_embedding_threads, settings.local_embedding_passes)
    minilm.shared().set_precision(settings.local_embedding_precision)
    # MiniLM (torch) loads 15 s after the start: the first chat turns do not need it, and on 2 cores its import would
    # slow every other process of a starting runtime
    return BedrockEmulator(build_local_generator(settings), warm_on_start=True, warm_delay_seconds=15.0)
