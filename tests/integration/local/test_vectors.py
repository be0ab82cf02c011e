"""An old local database (document_chunk vector(384)) moved to the stacks' 1024 dimensions in place, on the real
embedded PostgreSQL: the padded vectors rank and score exactly as before, and the HNSW index is back."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from campusbot.db import migrate
from campusbot.db.connect import DatabaseTarget
from campusbot.knowledge.store import table_dimensions
from campusbot.local.vectors import DimensionMigrationError, align_local_dimensions
from campusbot.settings import Settings

pytestmark = pytest.mark.slow


def _vector(values: np.ndarray) -> str:
    return "[" + ",".join(f"{v:.7f}" for v in values) + "]"


async def _distances(url: str, query: str) -> list[tuple[int, float]]:
    engine = DatabaseTarget(url).create_engine(null_pool=True)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT ordinal, embedding <=> CAST(:q AS vector) FROM document_chunk ORDER BY 2, 1"), {"q": query}
            )
            return [(int(ordinal), float(distance)) for ordinal, distance in rows]
    finally:
        await engine.dispose()


async def test_a_384_dimension_table_is_padded_to_1024_with_the_same_similarities(settings: Settings) -> None:
    from tests.conftest import scratch_database

    url = scratch_database(settings, "vectors_384")
    await migrate.upgrade_async(url, embedding_dimensions=384)
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(5, 384))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    engine = DatabaseTarget(url).create_engine(null_pool=True)
    async with engine.begin() as connection:
        document = await connection.scalar(
            text(
                "INSERT INTO document (s3_bucket, s3_key, title, status) VALUES ('b', 'k', 't', 'indexed') RETURNING id"
            )
        )
        for ordinal, vector in enumerate(vectors):
            await connection.execute(
                text("INSERT INTO document_chunk (document_id, ordinal, content, embedding) VALUES (:d, :o, 'c', :e)"),
                {"d": document, "o": ordinal, "e": _vector(vector)},
            )
    await engine.dispose()
    query = vectors[0] * 0.6 + vectors[3] * 0.4
    before = await _distances(url, _vector(query))

    change = await align_local_dimensions(url, 1024)

    assert change is not None and (change.before, change.after, change.chunks) == (384, 1024, 5)
    after = await _distances(url, _vector(np.concatenate([query, np.zeros(640)])))
    assert [o for o, _ in after] == [o for o, _ in before]
    assert np.allclose([d for _, d in after], [d for _, d in before], atol=1e-6)
    engine = DatabaseTarget(url).create_engine(null_pool=True)
    async with engine.connect() as connection:
        assert await table_dimensions(connection) == 1024
        index = await connection.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_document_chunk_embedding_hnsw'")
        )
    await engine.dispose()
    assert "hnsw" in index and "vector_cosine_ops" in index
    assert await align_local_dimensions(url, 1024) is None  # nothing to do the second time


async def test_a_mismatch_that_padding_cannot_fix_says_what_to_do(settings: Settings) -> None:
    from tests.conftest import scratch_database

    url = scratch_database(settings, "vectors_1024")
    await migrate.upgrade_async(url, embedding_dimensions=1024)
    with pytest.raises(DimensionMigrationError, match=r"vector\(1024\).*CAMPUSBOT_EMBEDDING_DIMENSIONS=512.*delete"):
        await align_local_dimensions(url, 512)
