"""An event of several documents through the real pipeline: the Titan client over HTTP to the Bedrock emulator's
all-MiniLM-L6-v2, into PostgreSQL with pgvector. The chunks of a wave reach MiniLM together (few forward passes),
the stored vectors are the model's own, and a record whose embedding is refused fails alone."""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import select
from tests.fixtures.bedrock_emulator import BedrockEmulatorServer
from tests.fixtures.knowledge import MemoryS3

from campusbot import bootstrap
from campusbot.db.database import Database
from campusbot.db.models import DocumentChunk
from campusbot.knowledge import store
from campusbot.knowledge.ingest import IngestLimits, Ingestor
from campusbot.local.emulator.bedrock import Faults
from campusbot.local.notifier import event_record
from campusbot.settings import Settings

BUCKET = "real-embeddings"
TOPICS = ("housing", "visas", "careers", "library", "sports", "dining")


def _body(topic: str) -> bytes:
    paragraphs = [
        f"The {topic} office helps students with {topic} questions every weekday from nine to five.",
        f"Appointments for {topic} advice are booked online; walk-in hours are on Tuesday afternoons.",
        f"International students can ask the {topic} team about deadlines, forms and fees at any time.",
    ]
    return (f"# {topic.title()}\n\n" + "\n\n".join(paragraphs * 3) + "\n").encode()


def _event(keys: list[str]) -> dict[str, Any]:
    records = [event_record("ObjectCreated:Put", BUCKET, key, sequencer=f"{n:020X}") for n, key in enumerate(keys, 1)]
    return {"Records": records}


async def test_a_wave_of_documents_is_embedded_together_by_the_real_model(
    knowledge_db: Database, bedrock_emulator: BedrockEmulatorServer, unique: str, one_minilm_pass: None
) -> None:
    s3 = MemoryS3()
    keys = [f"{unique}/{topic}.md" for topic in TOPICS]
    for key in keys:
        s3.put(BUCKET, key, _body(key.split("/")[1].removesuffix(".md")))
    embedder = bootstrap.build_embedder(Settings(embedding_dimensions=1024))
    ingestor = Ingestor(knowledge_db.sessions, s3, embedder, IngestLimits(record_concurrency=2, embed_together=True))
    model = bedrock_emulator.emulator._minilm
    passes, texts = model.batches, model.batched_texts

    report = await ingestor.handle_event(_event(keys))

    assert [r.outcome for r in report.results] == ["indexed"] * len(keys)
    assert model.batched_texts - texts == report.chunks >= len(keys)
    assert model.batches - passes <= report.chunks // 3  # one text per InvokeModel, yet several per forward pass
    async with knowledge_db.sessions() as session:
        rows = (await session.execute(select(DocumentChunk.content, DocumentChunk.heading, DocumentChunk.embedding)
                                      .where(DocumentChunk.document_id == report.results[0].document_id)
                                      .order_by(DocumentChunk.ordinal))).all()  # fmt: skip
    assert len(rows) == report.results[0].chunks
    stored = np.asarray(rows[0].embedding, dtype=np.float32)
    # the same chunk embedded alone: equal within 1e-4 cosine, whatever batch it shared
    from campusbot.knowledge.chunking import Chunk

    text = Chunk(ordinal=0, heading=rows[0].heading, text=rows[0].content, token_count=0).embedding_text
    alone = np.asarray(embedder.embed_query(text), dtype=np.float32)
    assert float(stored @ alone / np.linalg.norm(stored) / np.linalg.norm(alone)) >= 1 - 1e-4


async def test_a_record_the_model_refuses_fails_alone_and_the_others_are_indexed(
    knowledge_db: Database, bedrock_faults: Faults, unique: str
) -> None:
    s3 = MemoryS3()
    keys = [f"{unique}/{topic}.md" for topic in TOPICS[:4]]
    for key in keys:
        s3.put(BUCKET, key, _body(key.split("/")[1].removesuffix(".md")))
    settings = Settings(embedding_dimensions=1024, embedding_max_attempts=1)
    ingestor = Ingestor(knowledge_db.sessions, s3, bootstrap.build_embedder(settings),
                        IngestLimits(record_concurrency=4, embed_together=True))  # fmt: skip
    # the first InvokeModel of the wave's fan-out is refused (whichever document's chunk it carries)
    bedrock_faults.fail_next("invoke", "AccessDeniedException")

    report = await ingestor.handle_event(_event(keys))

    assert sorted(r.outcome for r in report.results) == ["failed", "indexed", "indexed", "indexed"]
    failed = next(r for r in report.results if r.outcome == "failed")
    assert failed.reason is not None and failed.reason.startswith("embedding failed:")
    assert "AccessDenied" in failed.reason
    async with knowledge_db.sessions() as session:
        states = {key: await store.document_state(session, BUCKET, key) for key in keys}
    assert {key: state.status if state else None for key, state in states.items()} == {
        r.key: r.outcome for r in report.results
    }
