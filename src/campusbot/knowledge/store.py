"""pgvector storage of documents and their chunks: idempotent upserts, and hybrid search.

Rules the vectorizer relies on (one document per S3 bucket + key):
- a document and its chunks change in ONE transaction: readers see the old chunks or the new ones, never a mix;
- the chunks are those of the document's *served* version (`served_etag`, `served_content_hash`: the last one
  indexed); search never needs to look at the status. A new version that fails to index leaves the document
  `failed` with its reason in `error` while the served version's chunks keep answering (knowledge is never lost
  to a bad upload); a later good version replaces them; a `deleted` document (a tombstone: the row stays) has none;
- every write carries the S3 event `sequencer` and is skipped when the document was last changed by a newer
  event of the same key (S3 delivers at least once and unordered); events without a sequencer always apply.

Search takes the nearest candidates from the HNSW index (cosine distance, `hnsw.ef_search` set per transaction)
and re-ranks them by a blend: 0.7 x cosine similarity + 0.3 x ts_rank_cd of the question's terms OR-ed (scaled
to [0, 1)), so chunks sharing the question's words move up. bench/retrieval_quality.py chose this over vector
only and over reciprocal rank fusion with separate full-text candidates (no better there, and at 100k chunks a
question of frequent words made the full-text side cost tens of milliseconds: bench/knowledge_bench.py).
Each hit's `score` is its cosine similarity, clamped to [0, 1]; `min_score` filters on it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from campusbot.db.models import Document, DocumentChunk
from campusbot.knowledge.chunking import Chunk

# Weight of the full-text rank in hybrid search: rank = (1 - w) * cosine + w * ts_rank_cd / (1 + ts_rank_cd).
# bench/retrieval_quality.py sweeps it (and compares reciprocal rank fusion, which did no better).
TEXT_WEIGHT = 0.3
TEXT_SCAN = 1000  # most full-text matches ranked by the keyword-only fallback


class DimensionMismatchError(RuntimeError):
    """The embedder's vectors do not fit `document_chunk.embedding`: a configuration error, said plainly."""


class SchemaMissingError(RuntimeError):
    """The database has no `document_chunk` table: it was never migrated."""


@dataclass(frozen=True)
class ObjectVersion:
    """One version of one S3 object, as the vectorizer saw it."""

    bucket: str
    key: str
    etag: str | None
    size: int
    sequencer: str | None = None
    content_hash: str | None = None
    content_type: str | None = None
    title: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentState:
    id: int
    bucket: str
    key: str
    title: str
    status: str
    etag: str | None
    content_hash: str | None
    sequencer: str | None
    chunk_count: int  # chunks of the served version (0 when none is served)
    size_bytes: int
    error: str | None
    tags: tuple[str, ...]
    indexed_at: datetime | None  # when the served version was indexed
    updated_at: datetime | None
    served_etag: str | None = None
    served_content_hash: str | None = None

    @property
    def serving_older_version(self) -> bool:
        """A failed newer version while an older one's chunks still answer."""
        return self.status == "failed" and self.chunk_count > 0


@dataclass(frozen=True)
class Hit:
    chunk_id: int
    document_id: int
    ordinal: int
    heading: str | None
    content: str
    score: float  # cosine similarity, clamped to [0, 1]
    rank: float  # what the results are ordered by: RRF score (hybrid) or the cosine similarity
    title: str
    bucket: str
    key: str
    tags: tuple[str, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------------------------------- schema checks


async def table_dimensions(connection: AsyncConnection) -> int:
    """N of `document_chunk.embedding vector(N)`, read from the catalog (format_type)."""
    declared = await connection.scalar(
        text(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = to_regclass('document_chunk') AND attname = 'embedding' AND NOT attisdropped"
        )
    )
    if declared is None:
        raise SchemaMissingError(
            "the database has no document_chunk table: migrate it first (`platform seed` or `alembic upgrade head`)"
        )
    match = re.fullmatch(r"vector\((\d+)\)", str(declared))
    if match is None:
        raise DimensionMismatchError(f"document_chunk.embedding is {declared}, not a vector(N) column")
    return int(match.group(1))


async def check_dimensions(engine: AsyncEngine, dimensions: int, model_id: str) -> int:
    """Fail fast, with the fix, when the embedder's dimension differs from the table's."""
    async with engine.connect() as connection:
        declared = await table_dimensions(connection)
    if declared != dimensions:
        raise DimensionMismatchError(
            f"embedding model {model_id} makes {dimensions}-dimensional vectors but document_chunk.embedding is "
            f"vector({declared}): set CAMPUSBOT_EMBEDDING_DIMENSIONS={declared} (and a model that makes them), "
            f"or migrate a fresh database with CAMPUSBOT_EMBEDDING_DIMENSIONS={dimensions}"
            + (
                "; a local database made before the stacks' 1024 reached the local runtime is padded in place by "
                "`platform up`"
                if declared == 384
                else ""
            )
        )
    return declared


# ------------------------------------------------------------------------------------------- reads


def _state(document: Document) -> DocumentState:
    return DocumentState(
        id=document.id,
        bucket=document.s3_bucket,
        key=document.s3_key,
        title=document.title,
        status=document.status,
        etag=document.etag,
        content_hash=document.content_hash,
        sequencer=document.s3_sequencer,
        chunk_count=document.chunk_count,
        size_bytes=document.size_bytes,
        error=document.error,
        tags=tuple(document.tags or ()),
        indexed_at=document.indexed_at,
        updated_at=document.updated_at,
        served_etag=document.served_etag,
        served_content_hash=document.served_content_hash,
    )


async def document_state(session: AsyncSession, bucket: str, key: str) -> DocumentState | None:
    document = await session.scalar(select(Document).where(Document.s3_bucket == bucket, Document.s3_key == key))
    return _state(document) if document is not None else None


async def list_documents(
    session: AsyncSession,
    *,
    bucket: str | None = None,
    keys: Sequence[str] | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[DocumentState], int]:
    """Documents (tombstones included when `status` asks for them), newest change first, and their count."""
    query = select(Document)
    if bucket is not None:
        query = query.where(Document.s3_bucket == bucket)
    if keys is not None:
        query = query.where(Document.s3_key.in_(list(keys)))
    query = query.where(Document.status == status if status is not None else Document.status != "deleted")
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(query.order_by(Document.updated_at.desc(), Document.id).limit(limit).offset(offset))
    return [_state(document) for document in rows], int(total)


async def known_etags(session: AsyncSession, bucket: str) -> dict[str, str]:
    """{key: etag} of the bucket's documents that are not deleted (the local notifier's start-up baseline)."""
    rows = await session.execute(
        select(Document.s3_key, Document.etag).where(
            Document.s3_bucket == bucket, Document.status != "deleted", Document.etag.is_not(None)
        )
    )
    return {key: etag for key, etag in rows if etag}


async def get_document(session: AsyncSession, document_id: int) -> DocumentState | None:
    document = await session.get(Document, document_id)
    return _state(document) if document is not None else None


# ------------------------------------------------------------------------------------------- writes

_NEWER_OR_SAME = (
    "EXCLUDED.s3_sequencer IS NULL OR document.s3_sequencer IS NULL OR "
    "rpad(upper(document.s3_sequencer), 64, '0') <= rpad(upper(EXCLUDED.s3_sequencer), 64, '0')"
)


async def _upsert(
    session: AsyncSession, version: ObjectVersion, values: dict[str, object], *, keep: tuple[str, ...] = ()
) -> int | None:
    """Insert or update the document row unless a newer event changed it (an update leaves the `keep` columns
    as they are); its id, or None when stale."""
    row = {
        "s3_bucket": version.bucket,
        "s3_key": version.key,
        "title": (version.title or version.key)[:300],
        "content_type": version.content_type,
        "etag": version.etag,
        "content_hash": version.content_hash,
        "size_bytes": version.size,
        "tags": list(version.tags),
        "s3_sequencer": version.sequencer,
        **values,
    }
    statement = pg_insert(Document).values(**row)
    upsert = statement.on_conflict_do_update(
        constraint="uq_document_s3_bucket_key",
        set_={
            **{name: statement.excluded[name] for name in row if name not in ("s3_bucket", "s3_key", *keep)},
            "updated_at": func.now(),
        },
        where=text(_NEWER_OR_SAME),
    ).returning(Document.id)
    document_id = await session.scalar(upsert)
    return int(document_id) if document_id is not None else None


async def save_indexed(
    session: AsyncSession,
    version: ObjectVersion,
    chunks: Sequence[Chunk],
    vectors: Sequence[Sequence[float]],
    *,
    note: str | None = None,
) -> int | None:
    """Replace the document's chunks with these (one transaction); its id, or None when a newer event won."""
    if len(chunks) != len(vectors):
        raise ValueError(f"{len(chunks)} chunks but {len(vectors)} vectors")
    async with _transaction(session):
        document_id = await _upsert(
            session,
            version,
            {
                "status": "indexed",
                "error": note,
                "chunk_count": len(chunks),
                "indexed_at": func.now(),
                "served_etag": version.etag,
                "served_content_hash": version.content_hash,
            },
        )
        if document_id is None:
            return None
        await session.execute(delete(DocumentChunk).where(DocumentChunk.document_id == document_id))
        if chunks:
            await session.execute(
                insert(DocumentChunk),
                [
                    {
                        "document_id": document_id,
                        "ordinal": chunk.ordinal,
                        "heading": chunk.heading,
                        "content": chunk.text,
                        "token_count": chunk.token_count,
                        "embedding": list(vector),
                    }
                    for chunk, vector in zip(chunks, vectors, strict=True)
                ],
            )
    return document_id


async def save_failed(session: AsyncSession, version: ObjectVersion, reason: str) -> int | None:
    """Record why this version could not be indexed; the chunks of the served (older) version stay and keep
    answering, with `chunk_count`, `indexed_at` and `served_*` unchanged. Its id, or None when a newer event won."""
    async with _transaction(session):
        keep = () if version.title else ("title",)  # the served version's title until a new one is known
        document_id = await _upsert(session, version, {"status": "failed", "error": reason[:2000]}, keep=keep)
    return document_id


async def save_restored(session: AsyncSession, document_id: int, version: ObjectVersion) -> bool:
    """The served version uploaded again after a failed one: the document is `indexed` again, its chunks
    untouched (nothing to embed). False when a newer event changed the document meanwhile."""
    async with _transaction(session):
        document = await session.get(Document, document_id, with_for_update=True)
        if document is None or document.status == "deleted":
            return False
        if document.served_content_hash != version.content_hash or document.chunk_count == 0:
            return False
        if not sequencer_applies(document.s3_sequencer, version.sequencer):
            return False
        document.status = "indexed"
        document.error = None
        document.etag = version.etag
        document.content_hash = version.content_hash
        document.served_etag = version.etag
        document.title = (version.title or document.title)[:300]
        document.tags = list(version.tags)
        document.size_bytes = version.size
        if version.sequencer is not None:
            document.s3_sequencer = version.sequencer
    return True


async def save_metadata(session: AsyncSession, document_id: int, version: ObjectVersion) -> None:
    """Same content under a new etag (a copy, a re-upload): new etag, title, tags and sequencer; chunks stay."""
    async with _transaction(session):
        document = await session.get(Document, document_id, with_for_update=True)
        if document is None:
            return
        document.etag = version.etag
        document.title = (version.title or document.title)[:300]
        document.tags = list(version.tags)
        document.size_bytes = version.size
        if document.status == "indexed":
            document.served_etag = version.etag
        if version.sequencer is not None:
            document.s3_sequencer = version.sequencer


async def save_deleted(session: AsyncSession, bucket: str, key: str, sequencer: str | None) -> bool:
    """Tombstone the document (status `deleted`, no chunks); False when unknown or a newer event won."""
    async with _transaction(session):
        document = await session.scalar(
            select(Document).where(Document.s3_bucket == bucket, Document.s3_key == key).with_for_update()
        )
        if document is None or document.status == "deleted":
            return False
        if not sequencer_applies(document.s3_sequencer, sequencer):
            return False
        await session.execute(delete(DocumentChunk).where(DocumentChunk.document_id == document.id))
        document.status = "deleted"
        document.chunk_count = 0
        document.error = None
        document.indexed_at = None
        document.served_etag = None
        document.served_content_hash = None
        if sequencer is not None:
            document.s3_sequencer = sequencer
    return True


def sequencer_applies(stored: str | None, incoming: str | None) -> bool:
    """True when an event with `incoming` is not older than the one that wrote `stored` (S3's padding rule)."""
    if stored is None or incoming is None:
        return True
    width = max(len(stored), len(incoming))
    return incoming.upper().ljust(width, "0") >= stored.upper().ljust(width, "0")


class _transaction:
    """The session's transaction: begun here unless the caller already began one (then theirs decides)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.owned = not session.in_transaction()

    async def __aenter__(self) -> None:
        if self.owned:
            await self.session.begin()

    async def __aexit__(self, kind: object, error: object, traceback: object) -> None:
        if not self.owned:
            return
        if error is None:
            await self.session.commit()
        else:
            await self.session.rollback()


# ------------------------------------------------------------------------------------------- search


def vector_literal(values: Sequence[float]) -> str:
    return "[" + ",".join(f"{float(value):.7g}" for value in values) + "]"


_TSQUERY = "regexp_replace(websearch_to_tsquery('english', :q)::text, ' & (?!!)', ' | ', 'g')::tsquery"


async def search(
    session: AsyncSession,
    vector: Sequence[float],
    query: str,
    *,
    k: int = 5,
    min_score: float = 0.0,
    document_id: int | None = None,
    tag: str | None = None,
    hybrid: bool = True,
    ef_search: int = 80,
    candidates: int | None = None,
    text_weight: float = TEXT_WEIGHT,
) -> list[Hit]:
    """The k best chunks for a query (its embedding and its text), best first.

    The HNSW index gives the `candidates` nearest chunks (default max(5k, 40)); with `hybrid` they are re-ranked
    by (1 - text_weight) * cosine + text_weight * ts_rank_cd(tsv, any of the question's terms) / (1 + rank).
    """
    k = max(1, min(int(k), 100))
    pool = max(int(candidates or 0), k * 5, 40)
    filters = []
    params: dict[str, object] = {"v": vector_literal(vector), "min_score": float(min_score)}
    if document_id is not None:
        filters.append("c.document_id = :document_id")
        params["document_id"] = int(document_id)
    if tag is not None:
        filters.append("c.document_id IN (SELECT id FROM document WHERE tags @> ARRAY[CAST(:tag AS varchar)])")
        params["tag"] = tag
    where = ("WHERE " + " AND ".join(filters)) if filters else ""
    cosine = "(1 - nearest.distance)"
    rank = cosine
    text_join = ""
    if hybrid and query.strip():
        params["q"] = query
        params["tw"] = float(text_weight)
        text_join = f", (SELECT {_TSQUERY} AS any_term) AS tq"
        rank = f"((1 - CAST(:tw AS float8)) * {cosine} + CAST(:tw AS float8) * ts_rank_cd(c.tsv, tq.any_term, 32))"
    # The LIMIT is an inlined integer: with a bound LIMIT a generic plan may not choose the HNSW index.
    sql = (
        "SELECT c.id, c.document_id, c.ordinal, c.heading, c.content, "
        f"greatest(0.0, least(1.0, {cosine})) AS score, {rank} AS rank, d.title, d.s3_bucket, d.s3_key, d.tags "
        "FROM (SELECT c.id, c.embedding <=> CAST(:v AS vector) AS distance FROM document_chunk c "
        f"{where} ORDER BY c.embedding <=> CAST(:v AS vector) LIMIT {pool}) AS nearest "
        f"JOIN document_chunk c ON c.id = nearest.id JOIN document d ON d.id = c.document_id{text_join} "
        f"WHERE {cosine} >= :min_score ORDER BY rank DESC, score DESC, c.id LIMIT {k}"
    )
    async with _transaction(session):
        await session.execute(
            text("SELECT set_config('hnsw.ef_search', :ef, true), set_config('hnsw.iterative_scan', :mode, true)"),
            {"ef": str(max(int(ef_search), pool)), "mode": "relaxed_order" if filters else "off"},
        )
        rows = (await session.execute(text(sql), params)).all()
    return [
        Hit(
            chunk_id=row.id,
            document_id=row.document_id,
            ordinal=row.ordinal,
            heading=row.heading,
            content=row.content,
            score=round(float(row.score), 4),
            rank=float(row.rank),
            title=row.title,
            bucket=row.s3_bucket,
            key=row.s3_key,
            tags=tuple(row.tags or ()),
        )
        for row in rows
    ]


async def search_text(
    session: AsyncSession,
    query: str,
    *,
    k: int = 5,
    document_id: int | None = None,
    tag: str | None = None,
) -> list[Hit]:
    """Full-text only (while the embedding model is unavailable); `score` is ts_rank_cd scaled to [0, 1)."""
    k = max(1, min(int(k), 100))
    filters = []
    params: dict[str, object] = {"q": query}
    if document_id is not None:
        filters.append("c.document_id = :document_id")
        params["document_id"] = int(document_id)
    if tag is not None:
        filters.append("d.tags @> ARRAY[CAST(:tag AS varchar)]")
        params["tag"] = tag
    and_filters = (" AND " + " AND ".join(filters)) if filters else ""
    sql = (
        f"WITH tq AS (SELECT {_TSQUERY} AS q) "
        "SELECT c.id, c.document_id, c.ordinal, c.heading, c.content, ts_rank_cd(c.tsv, tq.q, 32) AS score, "
        "c.title, c.s3_bucket, c.s3_key, c.tags FROM tq, ("
        "SELECT c.id, c.document_id, c.ordinal, c.heading, c.content, c.tsv, d.title, d.s3_bucket, d.s3_key, d.tags "
        f"FROM document_chunk c JOIN document d ON d.id = c.document_id, tq WHERE c.tsv @@ tq.q{and_filters} "
        f"LIMIT {TEXT_SCAN}) AS c ORDER BY score DESC, c.id LIMIT {k}"
    )
    rows = (await session.execute(text(sql), params)).all()
    return [
        Hit(
            chunk_id=row.id,
            document_id=row.document_id,
            ordinal=row.ordinal,
            heading=row.heading,
            content=row.content,
            score=round(float(row.score), 4),
            rank=float(row.score),
            title=row.title,
            bucket=row.s3_bucket,
            key=row.s3_key,
            tags=tuple(row.tags or ()),
        )
        for row in rows
    ]


async def explain_search(session: AsyncSession, vector: Sequence[float], k: int = 10) -> str:
    """The plan of the vector part of a search (tests check that it uses the HNSW index)."""
    rows = await session.execute(
        text(
            "EXPLAIN SELECT c.id FROM document_chunk c "
            f"ORDER BY c.embedding <=> CAST(:v AS vector) LIMIT {max(1, min(int(k), 1000))}"
        ),
        {"v": vector_literal(vector)},
    )
    return "\n".join(str(row[0]) for row in rows)


async def similarities(
    session: AsyncSession, vectors: Sequence[Sequence[float]], chunk_ids: Sequence[int]
) -> list[dict[int, float]]:
    """Cosine similarity of each vector to each given chunk (exact, no index): one {chunk_id: score} per vector."""
    if not vectors or not chunk_ids:
        return [{} for _ in vectors]
    params: dict[str, object] = {f"v{n}": vector_literal(vector) for n, vector in enumerate(vectors)}
    params["ids"] = [int(chunk_id) for chunk_id in chunk_ids]
    columns = ", ".join(f"1 - (c.embedding <=> CAST(:v{n} AS vector)) AS s{n}" for n in range(len(vectors)))
    sql = f"SELECT c.id, {columns} FROM document_chunk c WHERE c.id = ANY(:ids)"
    async with _transaction(session):
        rows = (await session.execute(text(sql), params)).all()
    return [{row.id: float(row[n + 1]) for row in rows} for n in range(len(vectors))]
