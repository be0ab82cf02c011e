"""Retrieval quality over the campusbot corpus: recall@k and MRR, vector-only vs hybrid, and the threshold.

Ingests bench/data/corpus/ (18 documents: md, html, txt, pdf, docx) through the real pipeline (extract → chunk →
Titan client → Bedrock emulator's all-MiniLM-L6-v2 → pgvector on an embedded PostgreSQL), then asks every
question of bench/data/questions.yaml. A question is answered at k when a chunk of its document is among the
first k chunks returned (document-level recall@k); MRR uses the rank of that first chunk (0 beyond 10).
The unanswerable questions calibrate CAMPUSBOT_ASSIST_MIN_SCORE: the best cosine score of each question is
compared with thresholds, answerable ones should clear it, unanswerable ones should not.

Answerability (`knowledge.answerability`): every question goes through `/assist`'s `Assistant` (the emulator's
generator) with the check on and off; "grounded" = answered from the documents. Printed: how many answerable
questions are grounded (recall) and how many unanswerable ones are (the goal is none), for the unrelated
questions and for those whose words overlap a document that does not answer them (`overlapping`), and what the
check costs per question.

    .venv/bin/python bench/retrieval_quality.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

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
    await answerability(database, embedder, settings, questions)
    await database.dispose()


async def answerability(database: Any, embedder: Any, settings: Any, questions: dict[str, Any]) -> None:
    from campusbot.bootstrap import build_generator
    from campusbot.knowledge.answer import Assistant
    from campusbot.knowledge.answerability import Thresholds
    from campusbot.knowledge.retrieve import Retriever

    groups = {
        "answerable": [item["question"] for item in questions["answerable"]],
        "unrelated": list(questions["unanswerable"]),
        "overlapping": [item["question"] for item in questions["overlapping"]],
    }
    retriever = Retriever(database.sessions, embedder, ef_search=settings.search_ef_search)
    generator = build_generator(settings)
    print(f"\nanswerability: grounded answers from /assist's Assistant ({generator.model_id} via the emulator), "
          f"min score {settings.assist_min_score}")  # fmt: skip
    print(f"{'check':<40} {'answerable':>11} {'unrelated':>10} {'overlapping':>12} {'precision':>10} "
          f"{'recall':>7} {'p50 ms':>7}")  # fmt: skip
    for label, thresholds in (("off (min score only)", None), (_describe(Thresholds()), Thresholds())):
        assistant = Assistant(
            retriever, generator, min_score=settings.assist_min_score, top_k=settings.assist_top_k,
            fallback_order=("documents",), answerability=thresholds,
        )  # fmt: skip
        grounded: dict[str, list[str]] = {}
        latencies: list[float] = []
        for group, texts in groups.items():
            for text in texts:
                started = time.perf_counter()
                answer = await assistant.answer(text)
                latencies.append(time.perf_counter() - started)
                if answer.answer_source == "documents":
                    grounded.setdefault(group, []).append(text)
        yes = len(grounded.get("answerable", []))
        wrong = len(grounded.get("unrelated", [])) + len(grounded.get("overlapping", []))
        precision = yes / (yes + wrong) if yes + wrong else 1.0
        recall = yes / len(groups["answerable"])
        counts = {group: f"{len(grounded.get(group, []))}/{len(texts)}" for group, texts in groups.items()}
        print(f"{label[:40]:<40} {counts['answerable']:>11} {counts['unrelated']:>10} {counts['overlapping']:>12} "
              f"{precision:>10.3f} {recall:>7.3f} {statistics.median(latencies) * 1000:>7.1f}")  # fmt: skip
        if thresholds is not None:
            for text in grounded.get("unrelated", []) + grounded.get("overlapping", []):
                print(f"           unanswerable grounded: {text!r}")
    print("(precision = grounded answerable / all grounded; recall = grounded answerable / answerable)")


def _describe(thresholds: Any) -> str:
    return f"on (cov {thresholds.min_coverage}, alone {thresholds.min_alone}, drop {thresholds.min_drop})"


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
