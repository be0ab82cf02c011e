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
from campusbot.knowledge.embeddings import EmbeddingRejected
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


@dataclass
class GatheringEmbedder(HashingEmbedder):
    """The hashing embedder; each call waits (up to 10 s) until `expected` calls are in flight, so `most` is how
    many records' chunks were embedded together, whatever the machine's load. Texts naming `poison` are refused."""

    expected: int = 1
    poison: str = "\x00"
    active: int = 0
    most: int = 0
    texts: int = 0
    lock: threading.Condition = field(default_factory=threading.Condition)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        with self.lock:
            self.active += 1
            self.texts += len(texts)
            self.most = max(self.most, self.active)
            self.lock.notify_all()
            self.lock.wait_for(lambda: self.most >= self.expected, timeout=10)
        try:
            if any(self.poison in text for text in texts):
                raise EmbeddingRejected("embedding with 'fake' failed: ValidationException: refused", code="x")
            return super().embed_documents(texts)
        finally:
            with self.lock:
                self.active -= 1


async def test_a_wave_embeds_every_records_chunks_in_one_fan_out(knowledge_db: Database, unique: str) -> None:
    s3 = MemoryS3()
    keys = [f"{unique}/{topic}.md" for topic in ("parking", "dining", "clubs", "health")]
    for key in keys:
        s3.put(BUCKET, key, _body(key.split("/")[1].removesuffix(".md")))
    embedder = GatheringEmbedder(expected=len(keys))
    # two records read/extract/chunk at a time, but all four documents' chunks are embedded together
    limits = IngestLimits(record_concurrency=2, embed_together=True)
    ingestor = Ingestor(knowledge_db.sessions, s3, embedder, limits)
    records = [_record("ObjectCreated:Put", key, n) for n, key in enumerate(keys, start=1)]

    report = await ingestor.handle_event({"Records": records})

    assert [(r.key, r.outcome) for r in report.results] == [(key, "indexed") for key in keys]
    assert embedder.most == len(keys)
    assert embedder.texts == report.chunks


async def test_without_embed_together_records_embed_only_with_those_in_flight(
    knowledge_db: Database, unique: str
) -> None:
    s3 = MemoryS3()
    keys = [f"{unique}/{topic}.md" for topic in ("parking", "dining", "clubs", "health")]
    for key in keys:
        s3.put(BUCKET, key, _body(key.split("/")[1].removesuffix(".md")))
    embedder = GatheringEmbedder(expected=2)  # the most that can be in flight with 2 records at a time
    ingestor = Ingestor(knowledge_db.sessions, s3, embedder, IngestLimits(record_concurrency=2, embed_together=False))
    records = [_record("ObjectCreated:Put", key, n) for n, key in enumerate(keys, start=1)]

    report = await ingestor.handle_event({"Records": records})

    assert [(r.key, r.outcome) for r in report.results] == [(key, "indexed") for key in keys]
    assert embedder.most == 2


async def test_in_a_wave_a_record_whose_embedding_fails_fails_alone(knowledge_db: Database, unique: str) -> None:
    s3 = MemoryS3()
    keys = [f"{unique}/{topic}.md" for topic in ("rooms", "poisoned", "loans", "junk")]
    for key in keys[:3]:
        s3.put(BUCKET, key, _body(key.split("/")[1].removesuffix(".md")))
    s3.put(BUCKET, keys[3], bytes(range(256)) * 40)  # binary junk: fails at extraction, before the fan-out
    embedder = GatheringEmbedder(expected=3, poison="poisoned")
    limits = IngestLimits(record_concurrency=4, embed_together=True)
    ingestor = Ingestor(knowledge_db.sessions, s3, embedder, limits)
    records = [_record("ObjectCreated:Put", key, n) for n, key in enumerate(keys, start=1)]

    report = await ingestor.handle_event({"Records": records})

    outcomes = [(r.key, r.outcome) for r in report.results]
    assert outcomes == [(keys[0], "indexed"), (keys[1], "failed"), (keys[2], "indexed"), (keys[3], "failed")]
    assert report.results[1].reason is not None and report.results[1].reason.startswith("embedding failed:")
    assert embedder.most == 3  # the three extracted documents were embedded together
    async with knowledge_db.sessions() as session:
        states = [await store.document_state(session, BUCKET, key) for key in keys]
    assert [state.status if state else None for state in states] == ["indexed", "failed", "indexed", "failed"]
    assert states[0] is not None and states[0].chunk_count == report.results[0].chunks > 0
