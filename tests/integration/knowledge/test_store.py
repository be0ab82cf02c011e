"""The pgvector store on the real embedded PostgreSQL: atomic replacement, the sequencer guard, tombstones,
the dimension check against the catalog, and searches that use the HNSW index."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from tests.fixtures.knowledge import HashingEmbedder

from campusbot.db.database import Database
from campusbot.db.models import DocumentChunk
from campusbot.knowledge import store
from campusbot.knowledge.chunking import Chunk

EMBED = HashingEmbedder()


def version(key: str, etag: str = "e1", sequencer: str | None = None, **extra: object) -> store.ObjectVersion:
    fields: dict[str, object] = {"title": key, **extra}
    return store.ObjectVersion(bucket="b", key=key, etag=etag, size=10, sequencer=sequencer, **fields)  # type: ignore[arg-type]


def chunks(*texts: str, heading: str | None = "Guide") -> tuple[list[Chunk], list[list[float]]]:
    items = [Chunk(n, heading, body, len(body.split())) for n, body in enumerate(texts)]
    return items, EMBED.embed_documents([c.embedding_text for c in items])


async def chunk_texts(database: Database, document_id: int) -> list[str]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(DocumentChunk.content)
            .where(DocumentChunk.document_id == document_id)
            .order_by(DocumentChunk.ordinal)
        )
        return list(rows)


async def test_replacement_is_atomic(knowledge_db: Database) -> None:
    async with knowledge_db.sessions() as session:
        document_id = await store.save_indexed(session, version("atomic.md"), *chunks("old one", "old two"))
    assert document_id is not None
    bad_chunks, _ = chunks("new one", "new two")
    with pytest.raises(DBAPIError):  # wrong dimension for vector(1024): the whole transaction rolls back
        async with knowledge_db.sessions() as session:
            await store.save_indexed(session, version("atomic.md", "e2"), bad_chunks, [[0.1] * 3, [0.2] * 3])
    assert await chunk_texts(knowledge_db, document_id) == ["old one", "old two"]
    async with knowledge_db.sessions() as session:
        state = await store.document_state(session, "b", "atomic.md")
    assert state is not None and (state.etag, state.chunk_count) == ("e1", 2)


async def test_a_stale_event_writes_nothing(knowledge_db: Database) -> None:
    async with knowledge_db.sessions() as session:
        newer = await store.save_indexed(session, version("seq.md", "e2", "0000000B"), *chunks("newer"))
        older = await store.save_indexed(session, version("seq.md", "e1", "0000000A"), *chunks("older"))
        failed = await store.save_failed(session, version("seq.md", "e0", "00000009"), "late failure")
        deleted = await store.save_deleted(session, "b", "seq.md", "000000")
    assert newer is not None and older is None and failed is None and deleted is False
    assert await chunk_texts(knowledge_db, newer) == ["newer"]
    async with knowledge_db.sessions() as session:
        assert await store.save_deleted(session, "b", "seq.md", "0000000C") is True
        state = await store.document_state(session, "b", "seq.md")
    assert state is not None and (state.status, state.chunk_count, state.sequencer) == ("deleted", 0, "0000000C")
    assert await chunk_texts(knowledge_db, newer) == []


async def test_a_failed_version_keeps_the_served_chunks_and_the_reason(knowledge_db: Database) -> None:
    """Issue 15: a bad new version never removes good knowledge (this replaced a test that expected the chunks
    to go); a later good version replaces them, a deletion removes them."""
    async with knowledge_db.sessions() as session:
        document_id = await store.save_indexed(
            session, version("fail.md", content_hash="h1", title="Good guide"), *chunks("fine")
        )
        assert document_id is not None
        assert await store.save_failed(session, version("fail.md", "e2", title=None), "broken PDF: bad xref")
        state = await store.document_state(session, "b", "fail.md")
    assert state is not None and (state.status, state.error, state.chunk_count) == ("failed", "broken PDF: bad xref", 1)
    assert (state.etag, state.served_etag, state.served_content_hash) == ("e2", "e1", "h1")
    assert state.title == "Good guide" and state.serving_older_version and state.indexed_at is not None
    assert await chunk_texts(knowledge_db, document_id) == ["fine"]
    async with knowledge_db.sessions() as session:
        hits = await store.search(session, EMBED.embed_query("fine"), "fine", k=3, document_id=document_id)
    assert [hit.content for hit in hits] == ["fine"]
    async with knowledge_db.sessions() as session:
        await store.save_indexed(session, version("fail.md", "e3", content_hash="h3"), *chunks("better"))
        state = await store.document_state(session, "b", "fail.md")
    assert state is not None and (state.status, state.error, state.served_etag) == ("indexed", None, "e3")
    assert await chunk_texts(knowledge_db, document_id) == ["better"]
    async with knowledge_db.sessions() as session:
        await store.save_failed(session, version("fail.md", "e4"), "empty")
        assert await store.save_deleted(session, "b", "fail.md", None)
        state = await store.document_state(session, "b", "fail.md")
    assert state is not None and (state.status, state.chunk_count, state.served_etag) == ("deleted", 0, None)
    assert await chunk_texts(knowledge_db, document_id) == []


async def test_the_served_content_again_restores_the_document_without_new_chunks(knowledge_db: Database) -> None:
    async with knowledge_db.sessions() as session:
        document_id = await store.save_indexed(session, version("back.md", content_hash="h1"), *chunks("good"))
        assert document_id is not None
        await store.save_failed(session, version("back.md", "e2", content_hash="h2"), "broken")
        assert not await store.save_restored(session, document_id, version("back.md", "e3", content_hash="h9"))
        assert await store.save_restored(session, document_id, version("back.md", "e3", content_hash="h1"))
        state = await store.document_state(session, "b", "back.md")
    assert state is not None and (state.status, state.error, state.etag, state.served_etag) == (
        "indexed", None, "e3", "e3"
    )  # fmt: skip
    assert await chunk_texts(knowledge_db, document_id) == ["good"]


async def test_a_first_version_that_fails_serves_nothing(knowledge_db: Database) -> None:
    async with knowledge_db.sessions() as session:
        await store.save_failed(session, version("new.md"), "unknown type")
        state = await store.document_state(session, "b", "new.md")
    assert state is not None and (state.status, state.chunk_count, state.served_etag) == ("failed", 0, None)
    assert not state.serving_older_version


async def test_dimensions_are_read_from_the_catalog(knowledge_db: Database) -> None:
    async with knowledge_db.engine.connect() as connection:
        assert await store.table_dimensions(connection) == 1024
    assert await store.check_dimensions(knowledge_db.engine, 1024, "m") == 1024
    with pytest.raises(store.DimensionMismatchError, match=r"makes 512-dimensional vectors .* vector\(1024\)"):
        await store.check_dimensions(knowledge_db.engine, 512, "amazon.titan-embed-text-v2:0")


async def test_an_unmigrated_database_is_named(settings: object, pg_url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine
    from tests.conftest import scratch_database

    engine = create_async_engine(scratch_database(settings, "kb_unmigrated"))  # type: ignore[arg-type]
    try:
        with pytest.raises(store.SchemaMissingError, match="migrate it first"):
            await store.check_dimensions(engine, 384, "m")
    finally:
        await engine.dispose()


async def test_vector_search_uses_the_hnsw_index(knowledge_db: Database) -> None:
    async with knowledge_db.sessions() as session:
        plan = await store.explain_search(session, EMBED.embed_query("deposit"), k=10)
    assert "ix_document_chunk_embedding_hnsw" in plan, plan


async def test_hybrid_and_vector_search_rank_and_score(knowledge_db: Database) -> None:
    texts = ["The deposit is two months of rent.", "Quiet hours start at ten.", "The gym opens at six."]
    async with knowledge_db.sessions() as session:
        document_id = await store.save_indexed(
            session, version("search.md", tags=("housing",)), *chunks(*texts, heading="Dorm")
        )
        await store.save_indexed(session, version("untagged.md"), *chunks("The deposit is refunded in June."))
        query = "how large is the deposit"
        vector = EMBED.embed_query(query)
        hybrid = await store.search(session, vector, query, k=3, document_id=document_id)
        plain = await store.search(session, vector, query, k=3, document_id=document_id, hybrid=False)
        tagged = await store.search(session, vector, query, k=10, tag="housing")
        strict = await store.search(session, vector, query, k=3, document_id=document_id, min_score=0.99)
        text_only = await store.search_text(session, "deposit rent", k=3, document_id=document_id)
        count = await session.scalar(select(func.count()).select_from(DocumentChunk))
    assert hybrid[0].content == plain[0].content == texts[0]
    assert all(0.0 <= hit.score <= 1.0 for hit in hybrid + plain)
    assert [hit.rank for hit in hybrid] == sorted((hit.rank for hit in hybrid), reverse=True)
    assert {hit.key for hit in tagged} == {"search.md"} and count and count > len(tagged)
    assert strict == []
    assert text_only[0].content == texts[0] and 0 < text_only[0].score < 1


async def test_search_settings_are_local_to_its_transaction(knowledge_db: Database) -> None:
    async with knowledge_db.sessions() as session:
        await store.search(session, EMBED.embed_query("x"), "x", k=3, ef_search=123)
        assert await session.scalar(text("SHOW hnsw.ef_search")) == "40"
