"""Helpers of the knowledge benchmarks: a throwaway embedded PostgreSQL, the Bedrock emulator over HTTP (real
all-MiniLM-L6-v2 behind the unchanged Titan client), and an in-memory S3 reader for the ingest pipeline."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "bench" / "data" / "corpus"
QUESTIONS = REPO / "bench" / "data" / "questions.yaml"
sys.path.insert(0, str(REPO))

for name in [n for n in os.environ if n.startswith("CAMPUSBOT_")]:
    del os.environ[name]
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def scratch_database(name: str = "bench") -> tuple[str, Path]:
    """An embedded PostgreSQL in a temp dir, migrated to the latest schema: (url, data dir)."""
    from campusbot.db import migrate
    from campusbot.local import postgres

    data_dir = Path(tempfile.mkdtemp(prefix="campusbot-bench-"))
    url = postgres.start(data_dir / "pg", name)
    migrate.upgrade(url)
    return url, data_dir


def start_emulator() -> str:
    """The Bedrock runtime emulator on a free port, in a thread; AWS_ENDPOINT_URL_BEDROCK_RUNTIME points at it."""
    import uvicorn

    from campusbot.bootstrap import build_bedrock_emulator
    from campusbot.local.emulator.app import create_app
    from campusbot.settings import Settings

    emulator = build_bedrock_emulator(Settings())
    emulator.warm()
    # proto spelled out: asyncio sets TCP_NODELAY only on sockets whose proto says TCP; with socket.socket()'s
    # proto 0 every response's body waited for the client's delayed ACK (~40 ms per InvokeModel call)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(emulator), log_level="warning", lifespan="off"))
    threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    os.environ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = url
    return url


class MemoryObjects:
    """head_object/get_object over files kept in memory (no S3 server in the measurement)."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.objects[(bucket, key)] = body

    def head_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        body = self.objects[(Bucket, Key)]
        return {"ETag": f'"{hashlib.md5(body).hexdigest()}"', "ContentLength": len(body), "Metadata": {}}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        return {**self.head_object(Bucket=Bucket, Key=Key), "Body": io.BytesIO(self.objects[(Bucket, Key)])}


def created(bucket: str, key: str) -> dict[str, Any]:
    from campusbot.local.notifier import event_record

    return {"Records": [event_record("ObjectCreated:Put", bucket, key, sequencer="0" * 20)]}


async def ingest_in_events(ingestor: Any, keys: list[str], per_event: int, bucket: str = "bench") -> tuple[Any, float]:
    """Feed `keys` to `ingestor` as S3 events of `per_event` records each (an SQS batch, as the vectorizer gets them);
    the summed IngestReport and the wall time."""
    from campusbot.knowledge.ingest import IngestReport

    total = IngestReport()
    began = time.perf_counter()
    for start in range(0, len(keys), per_event):
        records = [created(bucket, key)["Records"][0] for key in keys[start : start + per_event]]
        report = await ingestor.handle_event({"Records": records})
        total.results.extend(report.results)
        total.timings.add(report.timings)
    return total, time.perf_counter() - began
