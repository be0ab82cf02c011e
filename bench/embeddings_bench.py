"""Embeddings and local generation through the Bedrock emulator, as the local runtime serves them.

Prints: all-MiniLM-L6-v2 load time (imports + weights, in this process), the emulator's cold first
InvokeModel, embedding throughput (texts/s) through `TitanEmbedder` over real HTTP at several concurrencies
next to a direct in-process batch encode (the ceiling), and Converse latency of the extractive generator on
grounded prompts of 4 chunk-sized passages.

    .venv/bin/python bench/embeddings_bench.py [--texts 256] [--prompts 40]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import HEADER, free_port, start_server, stats

SERVER = """
import uvicorn
from campusbot.bootstrap import build_bedrock_emulator
from campusbot.local.emulator.app import create_app
from campusbot.settings import Settings
uvicorn.run(create_app(build_bedrock_emulator(Settings())), host="127.0.0.1", port={port}, log_level="warning")
"""

_VOCABULARY = (
    "admission tuition scholarship deadline visa housing internship semester credit program master bachelor "
    "application transcript language requirement english german exam interview campus library residence fee "
    "grant loan stipend research thesis supervisor company engineering medicine business law design"
)
WORDS = _VOCABULARY.split()


def chunk(rng: random.Random, words: int = 150) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--prompts", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    rng = random.Random(7)
    texts = [chunk(rng) for _ in range(args.texts)]

    from campusbot.local.emulator.minilm import MiniLM

    started = time.perf_counter()
    model = MiniLM()
    model.load()
    load_s = time.perf_counter() - started
    model.encode(texts[:8])
    started = time.perf_counter()
    model.encode(texts)
    direct_tps = len(texts) / (time.perf_counter() - started)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(["-c", SERVER.format(port=port)], f"{url}/_campusbot/health", {})
    try:
        os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = url
        from campusbot import bootstrap
        from campusbot.llm.base import GenerationRequest
        from campusbot.llm.prompts import Passage, grounded_prompt
        from campusbot.settings import Settings

        settings = Settings(embedding_dimensions=1024)  # Titan V2's size, MiniLM zero-padded by the emulator
        started = time.perf_counter()
        bootstrap.build_embedder(settings).embed_query("cold start")
        cold_s = time.perf_counter() - started

        print(f"MiniLM load (imports + weights, in-process): {load_s:6.2f} s")
        print(f"emulator cold first InvokeModel:             {cold_s:6.2f} s")
        print(f"direct batch encode (ceiling):               {direct_tps:6.1f} texts/s  ({len(texts)} x ~150 words)")
        for concurrency in (1, 4, 8, 16):
            embedder = bootstrap.build_embedder(
                settings.model_copy(update={"embedding_batch_concurrency": concurrency})
            )
            embedder.embed_documents(texts[:16])
            started = time.perf_counter()
            embedder.embed_documents(texts)
            tps = len(texts) / (time.perf_counter() - started)
            print(f"TitanEmbedder via emulator, concurrency {concurrency:>2}:  {tps:6.1f} texts/s")

        generator = bootstrap.build_generator(settings)
        latencies = []
        wall = time.perf_counter()
        for i in range(args.prompts):
            passages = [Passage(chunk(rng), f"Doc {i}-{n}", f"docs/{i}-{n}.md") for n in range(4)]
            question = f"What is the {rng.choice(WORDS)} {rng.choice(WORDS)} requirement?"
            started = time.perf_counter()
            generator.generate(GenerationRequest.from_prompt(grounded_prompt(question, passages)))
            latencies.append(time.perf_counter() - started)
        print()
        print(HEADER)
        print(stats("Converse, extractive (4 passages x 150 words)", latencies, time.perf_counter() - wall).row())
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
