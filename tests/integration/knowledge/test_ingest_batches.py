"""An event of several records (an SQS batch): documents of different keys are indexed at the same time, so their
chunks reach the embedding model together; the records of one key keep their order; results keep event order."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fixtures.knowledge import HashingEmbedder, MemoryS3

from campusbot.db.database import Database
from campusbot.knowledge import store
from campusbot.knowledge.ingest import IngestLimits, Ingestor
from campusbot.local.notifier import event_record

BUCKET = "batch-docs"


@dataclass
class OverlapEmbedder(HashingEmbedder):
    """The hashing embedder, slowed a little, counting how many documents it embeds at the same time."""

    active: int = 0
    most: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        with self.lock:
            self.active += 1
            self.most = max(self.most, self.active)
        try:
            time.sleep(0.05)  # long enough for the other records' calls to arrive (not a timing assert)
            return super().embed_documents(texts)
        finally:
            with self.lock:
                self.active -= 1


def _record(name: str, key: str, sequencer: int) -> dict[str, Any]:
    return event_record(name, BUCKET, key, sequencer=f"{sequencer:020X}")


def _body(topic: str) -> bytes:
    return f"# {topic}\n\nThe {topic} office helps students with {topic} questions every weekday.\n".encode()


async def test_records_of_different_keys_overlap_and_one_keys_records_keep_their_order(
    knowledge_db: Database, unique: str
) -> None:
    s3 = MemoryS3()
    keys = [f"{unique}/{topic}.md" for topic in ("housing", "visa", "careers", "library")]
    for key in keys:
        s3.put(BUCKET, key, _body(key.split("/")[1].removesuffix(".md")))
    embedder = OverlapEmbedder()
    ingestor = Ingestor(knowledge_db.sessions, s3, embedder, IngestLimits(record_concurrency=4))
    records = [_record("ObjectCreated:Put", key, n) for n, key in enumerate(keys, start=1)]
    # the first key is created and then removed within the same event: removal must come after the create
    records.append(_record("ObjectRemoved:Delete", keys[0], 10))

    report = await ingestor.handle_event({"Records": records})

    assert [(r.key, r.outcome) for r in report.results] == [
        (keys[0], "indexed"),  # run first: had the removal (a newer sequencer) run first, this would be skipped
        (keys[1], "indexed"),
        (keys[2], "indexed"),
        (keys[3], "indexed"),
        (keys[0], "deleted"),
    ]
    assert embedder.most > 1  # documents were embedded at the same time
    async with knowledge_db.sessions() as session:
        states = {key: await store.document_state(session, BUCKET, key) for key in keys}
    assert states[keys[0]] is not None and states[keys[0]].status == "deleted"  # type: ignore[union-attr]
    assert all(state is not None and state.status == "indexed" for state in list(states.values())[1:])


async def test_record_concurrency_one_indexes_in_turn(knowledge_db: Database, unique: str) -> None:
    s3 = MemoryS3()
    keys = [f"{unique}/{topic}.md" for topic in ("grants", "exams", "sports")]
    for key in keys:
        s3.put(BUCKET, key, _body(key.split("/")[1].removesuffix(".md")))
    embedder = OverlapEmbedder()
    ingestor = Ingestor(knowledge_db.sessions, s3, embedder, IngestLimits(record_concurrency=1))
    report = await ingestor.handle_event(
        {"Records": [_record("ObjectCreated:Put", key, n) for n, key in enumerate(keys, start=1)]}
    )
    assert [(r.key, r.outcome) for r in report.results] == [(key, "indexed") for key in keys]
    assert embedder.most == 1
