"""S3 ObjectCreated / ObjectRemoved notifications → document chunks in pgvector. Logic: campusbot.knowledge.ingest,
run by campusbot.knowledge.indexing.IndexingService, which bootstrap builds.

Environment (terraform/stacks/app, module vectorizer), required in the aws target (settings.VECTORIZER):
CAMPUSBOT_DB_SECRET_ARN + CAMPUSBOT_DB_HOST (+ _PORT, _NAME) and CAMPUSBOT_DB_CA_BUNDLE (TLS verify-full), or
CAMPUSBOT_DATABASE_URL; CAMPUSBOT_EMBEDDING_DIMENSIONS. Optional: CAMPUSBOT_EMBEDDING_MODEL, CAMPUSBOT_DOCS_MAX_BYTES,
CAMPUSBOT_CHUNK_TOKENS, CAMPUSBOT_CHUNK_OVERLAP, CAMPUSBOT_EMBED_BATCH_SIZE. Endpoints come from AWS_ENDPOINT_URL_*
(the local runtime sets them).

The service (its event loop, the database engine, the embedder, the ingestor) is built on the first invocation and
kept for the life of the execution environment; a configuration that cannot work fails that invocation.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from campusbot.settings import VECTORIZER, require

if TYPE_CHECKING:
    from campusbot.knowledge.indexing import IndexingService

log = logging.getLogger(__name__)

_service: IndexingService | None = None
_lock = threading.Lock()


def service() -> IndexingService:
    """The execution environment's service, built by bootstrap on the first call."""
    global _service
    with _lock:
        if _service is None:
            from campusbot.bootstrap import build_indexing_service

            logging.getLogger("campusbot").setLevel(logging.INFO)
            _service = build_indexing_service(require(VECTORIZER))
            embedder = _service.ingestor.embedder
            log.info("vectorizer ready: %s (%d dimensions)", embedder.model_id, embedder.dimensions)
        return _service


def handler(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    """One S3 notification (or an S3 → SQS batch) → a report of what happened to each object."""
    return service().handle(event)


def known_objects(bucket: str) -> dict[str, str]:
    """{key: etag} of what the index holds for `bucket`: the local notifier's baseline at start-up, so objects
    deleted or changed while the runtime was down are caught up."""
    return service().known(bucket)


def reset() -> None:
    """Forget the cold start (tests, or the local runtime after its settings changed): close engine and loop."""
    global _service
    with _lock:
        if _service is not None:
            try:
                _service.close()
            finally:
                _service = None
