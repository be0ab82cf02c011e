"""Document ingestion end to end, and the ceiling this machine puts on it.

1. Ceiling. Tokens per chunk (what MiniLM reads: WordPiece tokens of the embedding text + [CLS]/[SEP], at most
   256) on samples/documents and on the bench corpus; the FLOPs of one all-MiniLM-L6-v2 forward pass at that
   length (6 layers: QKV/output projections 8·L·H², feed-forward 16·L·H², attention scores and mix 4·L²·H; H=384);
   this machine's sustained fp32 matmul GFLOPS on the model's own shapes (torch, 1 and 2 threads). The ceiling is
   GFLOPS / FLOPs per chunk: no fp32 runtime can embed faster than the matrix products alone allow.
2. Ingestion. The corpus (bench/data/corpus, --copies times under other keys) through the real pipeline:
   Ingestor (read → extract → chunk → embed → one transaction per document into PostgreSQL with pgvector), its
   embeddings through the unchanged Titan client over HTTP to the Bedrock emulator's MiniLM, events of --batch
   records (an SQS batch). Runs alternate before/after (--rounds times, so both see the same machine load):
   - before: each record embeds its own chunks as soon as they are chunked (--record-concurrency records overlap),
     MiniLM's merge window one 4 ms window, forward passes of up to 64 texts;
   - alone: the same with forward passes of at most 16 length-sorted texts (the defaults until issue 18's end);
   - after: the records of a wave are read, extracted and chunked first and all their chunks
     embedded in one fan-out (`embed_together=True`);
   - waves: after with MiniLM waiting while its queue keeps growing (4 ms after each arrival, 8 at most); grow: that
     window alone, each record on its own; concurrent: grow with all the event's records at once;
     waves-all: waves with all the event's records at once;
   - bf16, waves-bf16: after and waves with MiniLM's forward passes in bf16 (`precision="bf16"`,
     `CAMPUSBOT_LOCAL_EMBEDDING_PRECISION`; vectors within 1e-4 cosine of fp32, tested; fp32 on CPUs without
     native bf16, and the run's line says which precision was in effect).
   Every mode above runs one forward pass at a time on every core (the layout until issue 18's end);
   - passes (the defaults now): bf16 as above with one single-threaded forward pass per core side by side
     (`CAMPUSBOT_LOCAL_EMBEDDING_PASSES`, 0 = one per core); passes-fp32: the same in fp32; passes-waves: with
     the growing merge window of waves.
   --modes picks which of them alternate.
   Each prints chunks/s, the mean texts per forward pass, the CPU time per chunk of this process (all its threads:
   the ingestor, the Titan client, the emulator and MiniLM; PostgreSQL is another process), which depends much less
   on the machine's load than the wall time, the per-record time split (embedding, database,
   extraction, chunking, read) and the load average.

OMP_WAIT_POLICY=PASSIVE is set for the whole process (OpenMP reads it once, at torch's import), as the local
runtime sets it; torch gets every core in every run.
The S3 server and the notifier are not in the loop (objects are served from memory): they add a HEAD and a GET
per document, not per chunk.

    .venv/bin/python bench/ingest_bench.py [--copies 3] [--rounds 2] [--batch 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _knowledge import CORPUS, REPO, MemoryObjects, created, ingest_in_events, scratch_database, start_emulator

HIDDEN, FFN, LAYERS, HEADS_DIM = 384, 1536, 6, 32
SAMPLES = REPO / "samples" / "documents"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def chunk_lengths(folder: Path) -> list[int]:
    """Tokens MiniLM reads per chunk of every document in `folder`, as the ingestor chunks them."""
    from campusbot.knowledge.chunking import chunk_sections, default_tokenizer
    from campusbot.knowledge.extract import extract

    tokenizer = default_tokenizer()
    lengths: list[int] = []
    for file in sorted(folder.iterdir()):
        extracted = extract(file.read_bytes(), file.name, None)
        for chunk in chunk_sections(extracted.sections(), size=200, overlap=40, tokenizer=tokenizer):
            lengths.append(min(256, tokenizer.count(chunk.embedding_text) + 2))
    return lengths


def flops_per_chunk(tokens: float) -> float:
    """FLOPs (2 per multiply-add) of one forward pass over `tokens` tokens (embeddings, norms, GELU: <2 %)."""
    per_layer = 24 * tokens * HIDDEN * HIDDEN + 4 * tokens * tokens * HIDDEN
    return LAYERS * per_layer


def gflops(threads: int, tokens: int, batch: int = 32, seconds: float = 3.0) -> float:
    """Sustained fp32 GFLOPS of the model's four matrix products at `tokens` * `batch` rows."""
    import torch

    torch.set_num_threads(threads)
    rows = batch * tokens
    x = torch.randn(rows, HIDDEN)
    qkv, out, up, down = (torch.randn(HIDDEN, 3 * HIDDEN), torch.randn(HIDDEN, HIDDEN),
                          torch.randn(HIDDEN, FFN), torch.randn(FFN, HIDDEN))  # fmt: skip
    work = 2 * rows * (HIDDEN * 3 * HIDDEN + HIDDEN * HIDDEN + 2 * HIDDEN * FFN)
    with torch.inference_mode():
        for _ in range(3):
            (x @ up) @ down
        count, began = 0, time.perf_counter()
        while time.perf_counter() - began < seconds:
            x @ qkv
            x @ out
            (x @ up) @ down
            count += 1
        elapsed = time.perf_counter() - began
    return count * work / elapsed / 1e9


def ceiling() -> None:
    print(f"ceiling ({load()}; every figure here is under that load)")
    lengths = {"samples/documents": chunk_lengths(SAMPLES), "bench corpus": chunk_lengths(CORPUS)}
    for name, values in lengths.items():
        print(f"  {name}: {len(values)} chunks, tokens per chunk mean {statistics.mean(values):.1f}, "
              f"median {statistics.median(values):.0f}, max {max(values)}")  # fmt: skip
    corpus_mean = statistics.mean(lengths["bench corpus"])
    at = {"bench corpus mean": corpus_mean, "full 200-token chunks": 202.0}
    for label, tokens in at.items():
        print(f"  MiniLM-L6 forward pass at {tokens:.0f} tokens ({label}): {flops_per_chunk(tokens) / 1e9:.2f} GFLOP")
    for threads in (1, 2):
        rate = gflops(threads, round(corpus_mean))
        print(f"  fp32 matmul, model shapes, {threads} thread(s): {rate:.1f} GFLOPS ({load()})")
        for label, tokens in at.items():
            print(f"    ceiling {rate * 1e9 / flops_per_chunk(tokens):.0f} chunks/s at this chunk length "
                  f"({label}, {tokens:.0f} tokens)")  # fmt: skip


async def ingestion(
    url: str, data_dir: Path, copies: int, rounds: int, batch: int, records: int, modes: list[str]
) -> None:
    from campusbot.bootstrap import build_database, build_embedder
    from campusbot.knowledge.ingest import IngestLimits, Ingestor
    from campusbot.local.emulator import minilm
    from campusbot.settings import Settings

    start_emulator()
    model = minilm.shared()
    settings = Settings(data_dir=data_dir)
    database = build_database(settings, url)
    embedder = build_embedder(settings)
    objects = MemoryObjects()
    files = sorted(CORPUS.iterdir())

    def corpus(label: str) -> list[str]:
        keys = []
        for copy in range(copies):
            for file in files:
                key = f"{label}-{copy}/{file.name}"
                body = file.read_bytes()
                if file.suffix not in (".pdf", ".docx"):  # a marker line: a new hash, nothing skipped as unchanged
                    body += f"\n\n{key}\n".encode()
                objects.put("bench", key, body)
                keys.append(key)
        return keys

    await Ingestor(database.sessions, objects, embedder).handle_event(created("bench", corpus("warm")[0]))
    threads = settings.local_embedding_threads or os.cpu_count() or 1
    model.set_threads(threads, 0)  # every pass's encoder is made by the warm-up below
    fp32: minilm.Precision = "fp32"
    bf16: minilm.Precision = "bf16"
    # label: merge window, windows at most, texts per forward pass at most, limits, precision, passes side by side
    # (0: one per core, the default now; 1: one pass on every core, the default until issue 18's end)
    runs = {
        "before": (0.004, 1, 64, IngestLimits(record_concurrency=records, embed_together=False), fp32, 1),
        "alone": (0.004, 1, 16, IngestLimits(record_concurrency=records, embed_together=False), fp32, 1),
        "after": (0.004, 1, 16, IngestLimits(record_concurrency=records), fp32, 1),
        "grow": (0.004, 8, 16, IngestLimits(record_concurrency=records, embed_together=False), fp32, 1),
        "waves": (0.004, 8, 16, IngestLimits(record_concurrency=records, embed_together=True), fp32, 1),
        "concurrent": (0.004, 8, 16, IngestLimits(record_concurrency=batch, embed_together=False), fp32, 1),
        "waves-all": (0.004, 8, 16, IngestLimits(record_concurrency=batch, embed_together=True), fp32, 1),
        "bf16": (0.004, 1, 16, IngestLimits(record_concurrency=records), bf16, 1),
        "waves-bf16": (0.004, 8, 16, IngestLimits(record_concurrency=records, embed_together=True), bf16, 1),
        "passes": (0.004, 1, 16, IngestLimits(record_concurrency=records), bf16, 0),  # the defaults now
        "passes-fp32": (0.004, 1, 16, IngestLimits(record_concurrency=records), fp32, 0),
        "passes-waves": (0.004, 8, 16, IngestLimits(record_concurrency=records), bf16, 0),
    }
    runs = {label: run for label, run in runs.items() if label in modes}
    for precision in dict.fromkeys(run[4] for run in runs.values()):  # each precision's first forward passes
        model.set_precision(precision)  # (its kernels for each batch shape, the bf16 weights) outside the timings
        await ingest_in_events(Ingestor(database.sessions, objects, embedder), corpus(f"warm-{precision}"), batch)
    print(f"\ningestion: {copies} copies of {len(files)} documents per run, {rounds} round(s); {load()}")
    figures: dict[str, list[float]] = {label: [] for label in runs}
    for round_ in range(rounds):
        for label, (window, windows, per_pass_max, limits, precision, passes) in runs.items():
            model.set_precision(precision)
            model.set_threads(threads, passes)
            model.set_window(window, windows)
            model.set_encode_batch(per_pass_max)
            ingestor = Ingestor(database.sessions, objects, embedder, limits)
            keys = corpus(f"{label}{round_}")
            batches, texts = model.batches, model.batched_texts
            cpu = time.process_time()
            total, wall = await ingest_in_events(ingestor, keys, batch)
            cpu = time.process_time() - cpu
            chunks = total.chunks
            passes = model.batches - batches
            per_pass = (model.batched_texts - texts) / max(1, passes)
            figures[label].append(chunks / wall)
            how = "one fan-out per wave of records" if limits.embed_together else "each record on its own"
            describe = (f"{label}: {model.precision}, {model.passes} pass(es) of {model.threads_per_pass} thread(s), "
                        f"window {window * 1000:.0f} ms (at most {windows}), "
                        f"forward passes of at most {per_pass_max}, "
                        f"{batch} records per event, {limits.record_concurrency} at once, {how}")  # fmt: skip
            print(f"  {describe}: {chunks} chunks of {len(keys)} documents in {wall:.1f} s = "
                  f"{chunks / wall:.1f} chunks/s; {per_pass:.1f} texts per forward pass; "
                  f"{cpu / chunks * 1000:.1f} ms CPU per chunk; {load()}")  # fmt: skip
            t = total.timings
            parts = {"embedding": t.embed, "database": t.database, "extraction": t.extract, "chunking": t.chunk,
                     "read": t.read}  # fmt: skip
            summed = sum(parts.values()) or 1.0
            shares = ", ".join(f"{name} {value:.2f} s ({value / summed:.0%})" for name, value in parts.items())
            print(f"    split (per-record sums; concurrent records overlap): {shares}")
    print("  median chunks/s: " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in figures.items()))
    await database.dispose()


async def main() -> None:
    from campusbot.knowledge.ingest import IngestLimits

    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=3, help="copies of the corpus per run")
    parser.add_argument("--rounds", type=int, default=2, help="before/after pairs, alternated")
    parser.add_argument("--batch", type=int, default=10, help="records per event (SQS: 10)")
    parser.add_argument("--record-concurrency", type=int, default=IngestLimits().record_concurrency,
                        help="records of one event indexed at once")  # fmt: skip
    parser.add_argument("--modes", default="alone,bf16,passes", help="runs to alternate, comma-separated")
    parser.add_argument("--skip-ingestion", action="store_true", help="the ceiling only")
    parser.add_argument("--skip-ceiling", action="store_true", help="the ingestion runs only")
    args = parser.parse_args()
    if not args.skip_ceiling:
        ceiling()
    if not args.skip_ingestion:
        url, data_dir = scratch_database("ingest")
        modes = args.modes.split(",")
        await ingestion(url, data_dir, args.copies, args.rounds, args.batch, args.record_concurrency, modes)


if __name__ == "__main__":
    asyncio.run(main())
