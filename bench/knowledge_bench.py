"""Knowledge pipeline benchmark: ingestion throughput, and vector search latency/recall at 10k and 100k chunks.

1. Ingestion: the corpus (bench/data/corpus, copied --copies times under other keys) through the real pipeline
   (Ingestor: read → extract → chunk → embed through the Titan client and the Bedrock emulator's MiniLM → one
   transaction per document into pgvector). Prints chunks/s and where the time went, before/after in one run:
   one record per event, documents in turn; then events of --batch records (an SQS batch) indexed concurrently.
2. Scale: synthetic 1024-d chunks in the real `document_chunk` table (migrated schema, its HNSW index
   `m=16, ef_construction=64` rebuilt after the bulk load, and the generated tsvector), at 10k then 100k rows.
   Vectors are normalized points around 1 centre per 100 chunks (same-topic cosine ≈ 0.74, like MiniLM's
   neighbours); each chunk's text has 40 words of a Zipf-distributed 5,000-word vocabulary. Queries come from the
   same distribution. In the same run: exact scan (index scans off) vs HNSW at several ef_search, recall@10 of
   HNSW against the exact top 10, and the production search (`store.search`, vector-only and hybrid) end to end
   through SQLAlchemy (embedding time excluded).

    .venv/bin/python bench/knowledge_bench.py [--copies 5] [--queries 200] [--sizes 10000 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _knowledge import CORPUS, MemoryObjects, created, ingest_in_events, scratch_database, start_emulator

DIMENSIONS = 1024  # CAMPUSBOT_EMBEDDING_DIMENSIONS: Titan V2's size, as the stacks set it
NOISE = 0.6
VOCABULARY = 5000
WORDS_PER_CHUNK = 40


async def ingestion(url: str, data_dir: Path, copies: int, batch: int) -> None:
    """Before/after in one run, each on its own copies of the corpus (nothing is skipped as unchanged):
    before, one S3 record per event, documents one after another; after, events of `batch` records (an SQS
    batch), their documents indexed concurrently so their chunks reach MiniLM together."""
    from campusbot.bootstrap import build_database, build_embedder
    from campusbot.knowledge.ingest import IngestLimits, Ingestor
    from campusbot.settings import Settings

    start_emulator()
    settings = Settings(data_dir=data_dir)
    database = build_database(settings, url)
    embedder = build_embedder(settings)
    objects = MemoryObjects()

    def corpus(label: str) -> list[str]:
        keys = []
        for copy in range(copies):
            for file in sorted(CORPUS.iterdir()):
                key = f"{label}-{copy}/{file.name}"
                # a marker line makes every copy's content (and hash) different, so nothing is skipped as unchanged
                body = file.read_bytes()
                if file.suffix not in (".pdf", ".docx"):
                    body += f"\n\n{key}\n".encode()
                objects.put("bench", key, body)
                keys.append(key)
        return keys

    warm = Ingestor(database.sessions, objects, embedder)
    await warm.handle_event(created("bench", corpus("warm")[0]))  # model, pools, tokenizer
    print(f"ingestion: {copies} copies of {len(list(CORPUS.iterdir()))} documents per run; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    runs = (
        ("before: 1 record per event, sequential", IngestLimits(record_concurrency=1), 1),
        (f"after: {batch} records per event, concurrent", IngestLimits(), batch),
    )
    for label, limits, per_event in runs:
        ingestor = Ingestor(database.sessions, objects, embedder, limits)
        keys = corpus(label.split(":")[0])
        total, wall = await ingest_in_events(ingestor, keys, per_event)
        t = total.timings
        chunks = total.chunks
        outcomes = {k: v for k, v in total.to_dict().items() if k not in ("results", "timings")}
        print(f"  {label}: {len(keys)} documents, {chunks} chunks in {wall:.1f} s = {chunks / wall:.1f} chunks/s "
              f"({len(keys) / wall:.1f} documents/s); outcomes {outcomes}")  # fmt: skip
        parts = {"embedding": t.embed, "database": t.database, "extract": t.extract, "chunk": t.chunk, "read": t.read}
        summed = sum(parts.values()) or 1.0
        # concurrent records overlap: shares of the summed per-record time, not of the wall time
        print("    time split (per-record sums): "
              + ", ".join(f"{name} {value:.2f} s ({value / summed:.0%})" for name, value in parts.items()))  # fmt: skip
    await database.dispose()


def synthetic(count: int, rng: np.random.Generator, centers: np.ndarray, noise: float = NOISE) -> np.ndarray:
    index = rng.integers(0, len(centers), count)
    vectors = centers[index] + noise * rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def texts(count: int, rng: np.random.Generator) -> list[str]:
    ranks = np.minimum(rng.zipf(1.3, (count, WORDS_PER_CHUNK)), VOCABULARY) - 1
    return [" ".join(f"w{r:04d}x" for r in row) for row in ranks]


async def scale(url: str, sizes: list[int], queries: int, noise: float = NOISE) -> None:
    import asyncpg
    from pgvector.asyncpg import register_vector
    from sqlalchemy.engine import make_url

    from campusbot.bootstrap import build_database
    from campusbot.knowledge import store
    from campusbot.settings import Settings

    parts = make_url(url)
    connection = await asyncpg.connect(
        host=parts.query.get("host") or parts.host, port=parts.port, user=parts.username, database=parts.database
    )
    await register_vector(connection)
    await connection.execute("SET maintenance_work_mem = '1GB'")
    indexdef = await connection.fetchval(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_document_chunk_embedding_hnsw'"
    )
    rng = np.random.default_rng(20261125)
    centers = rng.standard_normal((max(sizes) // 100, DIMENSIONS)).astype(np.float32)
    await connection.execute("TRUNCATE document CASCADE")
    document_ids = [
        await connection.fetchval(
            "INSERT INTO document (s3_bucket, s3_key, title, status) VALUES ('bench', $1, $1, 'indexed') RETURNING id",
            f"synthetic-{n}.txt",
        )
        for n in range(100)
    ]
    query_vectors = synthetic(queries, rng, centers, noise)
    query_texts = [" ".join(text.split()[:5]) for text in texts(queries, rng)]
    settings = Settings()
    database = build_database(settings, url)
    loaded = 0
    print(f"\nscale: {DIMENSIONS}-d, noise {noise} (same-centre cosine ≈ {1 / (1 + noise**2):.2f}), "
          f"{queries} queries, index `{indexdef.split('USING ', 1)[1]}`; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    header = f"{'chunks':>7} {'search':<34} {'p50 ms':>7} {'p95 ms':>7} {'recall@10':>10}"
    for size in sizes:
        await connection.execute("DROP INDEX IF EXISTS ix_document_chunk_embedding_hnsw")
        began = time.perf_counter()
        vectors = synthetic(size - loaded, rng, centers, noise)
        bodies = texts(size - loaded, rng)
        records = [
            (document_ids[(loaded + n) % 100], loaded + n, "Synthetic section", bodies[n], WORDS_PER_CHUNK, vectors[n])
            for n in range(size - loaded)
        ]
        await connection.copy_records_to_table(
            "document_chunk",
            records=records,
            columns=["document_id", "ordinal", "heading", "content", "token_count", "embedding"],
        )
        load_s = time.perf_counter() - began
        began = time.perf_counter()
        await connection.execute(indexdef)
        build_s = time.perf_counter() - began
        await connection.execute("VACUUM ANALYZE document_chunk")
        loaded = size
        print(f"\n{size:,} chunks: bulk load {load_s:.1f} s, HNSW build {build_s:.1f} s, "
              f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        print(header)

        exact_ids: list[set[int]] = []
        exact_lat: list[float] = []
        await connection.execute("SET enable_indexscan = off")
        for vector in query_vectors:
            started = time.perf_counter()
            # distinct statement text: asyncpg caches prepared plans, and a plan made with index scans off
            # would stay exact after they are switched back on
            rows = await connection.fetch(
                "SELECT id FROM document_chunk ORDER BY embedding <=> $1 LIMIT 10 -- exact", vector
            )
            exact_lat.append(time.perf_counter() - started)
            exact_ids.append({row["id"] for row in rows})
        await connection.execute("RESET enable_indexscan")
        print(_row(size, "exact scan (seq scan + sort)", exact_lat, 1.0))

        for ef in (40, 80, 120):
            await connection.execute(f"SET hnsw.ef_search = {ef}")
            latencies: list[float] = []
            recalls: list[float] = []
            for vector, truth in zip(query_vectors, exact_ids, strict=True):
                started = time.perf_counter()
                rows = await connection.fetch(
                    f"SELECT id FROM document_chunk ORDER BY embedding <=> $1 LIMIT 10 -- hnsw {ef}", vector
                )
                latencies.append(time.perf_counter() - started)
                recalls.append(len(truth & {row["id"] for row in rows}) / 10)
            print(_row(size, f"HNSW ef_search={ef} (SQL)", latencies, statistics.mean(recalls)))

        for label, hybrid in (("store.search vector-only", False), ("store.search hybrid", True)):
            latencies = []
            recalls = []
            async with database.sessions() as session:
                for vector, query, truth in zip(query_vectors, query_texts, exact_ids, strict=True):
                    started = time.perf_counter()
                    hits = await store.search(
                        session, vector.tolist(), query, k=10, hybrid=hybrid, ef_search=settings.search_ef_search
                    )
                    latencies.append(time.perf_counter() - started)
                    recalls.append(len(truth & {hit.chunk_id for hit in hits}) / 10)
            suffix = f" ef={settings.search_ef_search}"
            print(_row(size, label + suffix, latencies, statistics.mean(recalls) if not hybrid else None))
    await database.dispose()
    await connection.close()


def _row(size: int, label: str, latencies: list[float], recall: float | None) -> str:
    q = statistics.quantiles(sorted(latencies), n=100, method="inclusive")
    shown = f"{recall:>10.3f}" if recall is not None else f"{'(fused)':>10}"
    return f"{size:>7,} {label:<34} {q[49] * 1000:>7.2f} {q[94] * 1000:>7.2f} {shown}"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=5, help="copies of the corpus to ingest")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch", type=int, default=10, help="records per event in the 'after' run (SQS: 10)")
    parser.add_argument("--skip-ingestion", action="store_true")
    parser.add_argument("--noise", type=float, default=NOISE, help="spread around each centre (1.0: cosine ≈ 0.5)")
    args = parser.parse_args()
    url, data_dir = scratch_database("knowledge")
    if not args.skip_ingestion:
        await ingestion(url, data_dir, args.copies, args.batch)
    await scale(url, sorted(args.sizes), args.queries, args.noise)


if __name__ == "__main__":
    asyncio.run(main())
