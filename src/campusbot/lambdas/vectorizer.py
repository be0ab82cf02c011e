"""S3 ObjectCreated / ObjectRemoved notifications → document chunks in pgvector. Logic: campusbot.knowledge.ingest.

Environment (terraform/stacks/app, module vectorizer), required in the aws target (settings.VECTORIZER):
CAMPUSBOT_DB_SECRET_ARN + CAMPUSBOT_DB_HOST (+ _PORT, _NAME) and CAMPUSBOT_DB_CA_BUNDLE (TLS verify-full), or
CAMPUSBOT_DATABASE_URL; CAMPUSBOT_EMBEDDING_DIMENSIONS. Optional: CAMPUSBOT_EMBEDDING_MODEL, CAMPUSBOT_DOCS_MAX_BYTES,
CAMPUSBOT_CHUNK_TOKENS, CAMPUSBOT_CHUNK_OVERLAP, CAMPUSBOT_EMBED_BATCH_SIZE. Endpoints come from AWS_ENDPOINT_URL_*
(the local runtime sets them).

Clients, the embedder and the database engine are built once per cold start, and the table's vector dimension is
checked against the embedder's then. asyncpg connections belong to the event loop that opened them, so the
engine lives on one `asyncio.Runner` kept for the life of the execution environment; invocations run on it one
at a time (a lock), which is what Lambda does anyway and what the local notifier's thread needs.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any

from campusbot.bootstrap import build_database, build_embedder, build_ingestor
from campusbot.db.database import Database
from campusbot.knowledge.ingest import Ingestor
from campusbot.knowledge.store import check_dimensions, known_etags
from campusbot.settings import VECTORIZER, Settings, require

log = logging.getLogger(__name__)


@dataclass
class _Runtime:
    runner: asyncio.Runner
    database: Database
    ingestor: Ingestor


_runtime: _Runtime | None = None
_lock = threading.Lock()


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """One S3 notification (or an S3 → SQS batch) → a report of what happened to each object."""
    with _lock:
        runtime = _runtime or _cold_start(require(VECTORIZER))
        report = runtime.runner.run(runtime.ingestor.handle_event(event))
    return report.to_dict()


def known_objects(bucket: str) -> dict[str, str]:
    """{key: etag} of what the index holds for `bucket`: the local notifier's baseline at start-up, so objects
    deleted or changed while the runtime was down are caught up."""
    with _lock:
        runtime = _runtime or _cold_start(require(VECTORIZER))
        return runtime.runner.run(_known(runtime.database, bucket))


async def _known(database: Database, bucket: str) -> dict[str, str]:
    async with database.sessions() as session:
        return await known_etags(session, bucket)


def _cold_start(settings: Settings) -> _Runtime:
    global _runtime
    logging.getLogger("campusbot").setLevel(logging.INFO)
    runner = asyncio.Runner()
    database = build_database(settings)
    embedder = build_embedder(settings)
    try:
        runner.run(check_dimensions(database.engine, embedder.dimensions, embedder.model_id))
    except BaseException:
        runner.run(database.dispose())
        runner.close()
        raise
    ingestor = build_ingestor(settings, database, embedder)
    _runtime = _Runtime(runner, database, ingestor)
    log.info("vectorizer ready: %s (%d dimensions)", embedder.model_id, embedder.dimensions)
    return _runtime


def reset() -> None:
    """Forget the cold start (tests, or the local runtime after its settings changed): close engine and loop."""
    global _runtime
    with _lock:
        if _runtime is not None:
            try:
                _runtime.runner.run(_runtime.database.dispose())
            finally:
                _runtime.runner.close()
            _runtime = None
