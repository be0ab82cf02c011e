"""The vectorizer's service: S3 notifications → the ingestor, on one event loop kept for the service's life.

asyncpg connections belong to the event loop that opened them, so the database engine lives on one
`asyncio.Runner` owned here; calls run on it one at a time (a lock), which is what Lambda does anyway and what
the local notifier's thread needs. `bootstrap.build_indexing_service` builds it (database, embedder, the table's
vector dimension checked against the embedder's); `lambdas/vectorizer.py` hands it the events.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from campusbot.db.database import Database
    from campusbot.knowledge.ingest import Ingestor


class IndexingService:
    def __init__(self, runner: asyncio.Runner, database: Database, ingestor: Ingestor) -> None:
        self.runner, self.database, self.ingestor = runner, database, ingestor
        self._lock = threading.Lock()

    def handle(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """One S3 notification (or an S3 → SQS batch) → a report of what happened to each object."""
        with self._lock:
            return self.runner.run(self.ingestor.handle_event(event)).to_dict()

    def known(self, bucket: str) -> dict[str, str]:
        """{key: etag} of what the index holds for `bucket` (the local notifier's baseline at start-up)."""
        from campusbot.knowledge.store import known_etags

        async def read() -> dict[str, str]:
            async with self.database.sessions() as session:
                return await known_etags(session, bucket)

        with self._lock:
            return self.runner.run(read())

    def close(self) -> None:
        """Dispose of the engine, then close the loop."""
        with self._lock:
            try:
                self.runner.run(self.database.dispose())
            finally:
                self.runner.close()
