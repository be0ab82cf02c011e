"""Retrieval quality over the campusbot corpus: recall@k and MRR, vector-only vs hybrid, and the threshold.

Ingests bench/data/corpus/ (18 documents: md, html, txt, pdf, docx) through the real pipeline (extract → chunk →
Titan client → Bedrock emulator's all-MiniLM-L6-v2 → pgvector on an embedded PostgreSQL), then asks every
question of bench/data/questions.yaml. A question is answered at k when a chunk of its document is among the
first k chunks returned (document-level recall@k); MRR uses the rank of that first chunk (0 beyond 10).
The unanswerable questions calibrate CAMPUSBOT_ASSIST_MIN_SCORE: the best cosine score of each question is
compared with thresholds, answerable ones should clear it, unanswerable ones should not.

    .venv/bin/python bench/retrieval_quality.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _knowledge import CORPUS, QUESTIONS, MemoryObjects, created, scratch_database, start_emulator

BUCKET = "bench-corpus"


async def main() -> None:
    from campusbot.bootstrap import build_database, build_embedder
    from campusbot.knowledge.ingest import Ingestor
    from campusbot.knowledge.retrieve import Retriever
    from campusbot.knowledge.store import TEXT_WEIGHT
    from campusbot.settings import Settings

    questions = yaml.safe_load(QUESTIONS.read_text())
    answerable: list[dict[str, str]] = questions["answerable"]
    unanswerable: list[str] = questions["unanswerable"]
    url, data_dir = scratch_database("quality")
    start_emulator()
    settings = Settings(data_dir=data_dir)
    database = build_database(settings, url)
    embedder = build_embedder(settings)

    objects = MemoryObjects()
    files = sorted(CORPUS.iterdir())
    for file in files:
        objects.put(BUCKET, file.name, file.read_bytes())
    ingestor = Ingestor(database.sessions, objects, embedder)
    began = time.perf_counter()
    chunks = 0
    for file in files:
        report = await ingestor.handle_event(created(BUCKET, file.name))
        assert report.count("indexed") == 1, report.to_dict()
        chunks += report.chunks
    print(f"corpus: {len(files)} documents ({_formats(files)}), {chunks} chunks, "
          f"ingested in {time.perf_counter() - began:.1f} s; {len(answerable)} questions, "
          f"{len(unanswerable)} unanswerable; {embedder.model_id} via the emulator (all-MiniLM-L6-v2)")  # fmt: skip
    missing = {q["document"] for q in answerable} - {file.name for file in files}
    assert not missing, f"questions name documents not in the corpus: {missing}"

    print("\n(p50 ms: embedding the question through the emulator, plus the search)")
    print(f"{'mode':<24} {'recall@1':>9} {'recall@3':>9} {'recall@5':>9} {'MRR@10':>8} {'p50 ms':>8}  misses@3")
    best_scores: dict[str, list[float]] = {}
    for hybrid, weight in ((False, 0.0), (True, 0.1), (True, 0.2), (True, 0.3), (True, 0.5)):
        retriever = Retriever(
            database.sessions, embedder, hybrid=hybrid, ef_search=settings.search_ef_search, text_weight=weight
        )
        ranks: list[int | None] = []
        latencies: list[float] = []
        misses: list[str] = []
        for item in answerable:
            started = time.perf_counter()
            retrieval = await retriever.search(item["question"], k=10)
            latencies.append(time.perf_counter() - started)
            keys = [passage.hit.key for passage in retrieval.passages]
            rank = keys.index(item["document"]) + 1 if item["document"] in keys else None
            ranks.append(rank)
            if rank is None or rank > 3:
                misses.append(f"{item['question']!r} → {keys[:3]}")
            if not hybrid:
                best_scores.setdefault("answerable", []).append(retrieval.passages[0].score)
        if not hybrid:
            for question in unanswerable:
                retrieval = await retriever.search(question, k=1)
                best_scores.setdefault("unanswerable", []).append(retrieval.passages[0].score)
        n = len(ranks)
        recall = {k: sum(1 for r in ranks if r is not None and r <= k) / n for k in (1, 3, 5)}
        mrr = sum(1 / r for r in ranks if r is not None) / n
        p50 = statistics.median(latencies) * 1000
        label = f"hybrid, text weight {weight}" if hybrid else "vector only"
        if hybrid and weight == TEXT_WEIGHT:
            label += " *"
        print(f"{label:<24} {recall[1]:>9.3f} {recall[3]:>9.3f} {recall[5]:>9.3f} "
              f"{mrr:>8.3f} {p50:>8.1f}  {len(misses)}")  # fmt: skip
        for miss in misses:
            print(f"           miss: {miss}")

    yes, no = best_scores["answerable"], best_scores["unanswerable"]
    print("\nbest cosine score per question (all-MiniLM-L6-v2):")
    print(f"  answerable   min {min(yes):.3f}  p10 {_quantile(yes, 0.1):.3f}  median {statistics.median(yes):.3f}")
    print(f"  unanswerable max {max(no):.3f}  p90 {_quantile(no, 0.9):.3f}  median {statistics.median(no):.3f}")
    print(f"\n{'threshold':>9} {'answerable grounded':>20} {'unanswerable refused':>21}")
    for threshold in (0.30, 0.35, 0.40, 0.45, 0.50, 0.55):
        grounded = sum(1 for s in yes if s >= threshold) / len(yes)
        refused = sum(1 for s in no if s < threshold) / len(no)
        print(f"{threshold:>9.2f} {grounded:>20.3f} {refused:>21.3f}")
    print(f"(* = the default text weight; CAMPUSBOT_ASSIST_MIN_SCORE default: {settings.assist_min_score})")
    await database.dispose()


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _formats(files: list[Path]) -> str:
    counts: dict[str, int] = {}
    for file in files:
        counts[file.suffix.lstrip(".")] = counts.get(file.suffix.lstrip("."), 0) + 1
    return ", ".join(f"{count} {suffix}" for suffix, count in sorted(counts.items()))


if __name__ == "__main__":
    asyncio.run(main())
