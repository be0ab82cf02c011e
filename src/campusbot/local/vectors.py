"""A local database made before the stacks' embedding size reached the local runtime: document_chunk.embedding
is vector(384) (all-MiniLM-L6-v2's own size), while Terraform gives every component 1024 (Titan V2).

The local Bedrock emulator now answers Titan's `dimensions` by zero-padding MiniLM's normalized vector, so the
384-d vectors already stored become exactly what the emulator returns today once padded the same way (cosine
similarities unchanged). `align_local_dimensions` does that in place, in one transaction, and rebuilds the HNSW
index; any other mismatch is an error that says what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text

from campusbot.knowledge.store import table_dimensions

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

MINILM_DIMENSIONS = 384


class DimensionMigrationError(RuntimeError):
    """The local table's vectors cannot be turned into the wanted size; the message says what to do."""


@dataclass(frozen=True)
class DimensionChange:
    before: int
    after: int
    chunks: int

    def describe(self) -> str:
        return (
            f"document_chunk.embedding vector({self.before}) → vector({self.after}) (the stacks' "
            f"CAMPUSBOT_EMBEDDING_DIMENSIONS): {self.chunks} local MiniLM vector(s) padded with zeros, "
            "cosine similarities unchanged"
        )


async def align_local_dimensions(url: str, wanted: int) -> DimensionChange | None:
    """Make document_chunk.embedding vector(`wanted`) in the local database at `url`; None when it already is."""
    from campusbot.db.connect import DatabaseTarget

    engine = DatabaseTarget(url).create_engine(null_pool=True)
    try:
        async with engine.begin() as connection:
            return await align_dimensions(connection, wanted)
    finally:
        await engine.dispose()


async def align_dimensions(connection: AsyncConnection, wanted: int) -> DimensionChange | None:
    """`align_local_dimensions` in the caller's transaction (the local runtime's one start-up engine)."""
    declared = await table_dimensions(connection)
    if declared == wanted:
        return None
    if declared != MINILM_DIMENSIONS or wanted < MINILM_DIMENSIONS:
        raise DimensionMigrationError(
            f"document_chunk.embedding is vector({declared}) but the components get "
            f"CAMPUSBOT_EMBEDDING_DIMENSIONS={wanted} from terraform/environments: only the local MiniLM's "
            f"vector({MINILM_DIMENSIONS}) can be padded in place. Stop the runtime and delete "
            ".campusbot/pg (documents are re-indexed from the bucket copy in .campusbot/s3), or set "
            f"embedding_dimensions = {declared} in the tfvars"
        )
    chunks = int(await connection.scalar(text("SELECT count(*) FROM document_chunk")) or 0)
    await connection.execute(text("DROP INDEX IF EXISTS ix_document_chunk_embedding_hnsw"))
    padding = f"array_fill(0::real, ARRAY[{int(wanted) - declared}])"
    await connection.execute(
        text(
            f"ALTER TABLE document_chunk ALTER COLUMN embedding TYPE vector({int(wanted)}) "
            f"USING (embedding::real[] || {padding})::vector({int(wanted)})"
        )
    )
    await connection.execute(
        text(
            "CREATE INDEX ix_document_chunk_embedding_hnsw ON document_chunk "
            "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"
        )
    )
    return DimensionChange(declared, wanted, chunks)
