"""Start fast: the Lex emulator's intent recognizer without re-encoding its training set at every start.

Training the recognizer (`nlu.IntentRecognizer`) encodes every training example with MiniLM (hundreds of
sentences: most of the emulator's start) and fits the softmax classifier. The encodings depend only on the text,
the encoder's weights and depth, and the encoder's code: `CachedEncoder` keeps them in
`<data dir>/cache/nlu-encodings-<hash>.npz`, the hash taken over those inputs (the nlu module's source, the
model file's identity, the depth, numpy's version), and reads them back at the next start; texts it has not seen
(an edited bot definition) are encoded and added. Another model or encoder code gives another file; older files
are removed. The classifier is fitted at each start from the cached features with BLAS held to one thread: a
fit of ~0.1 GFLOP takes a fraction of a second on one core, where multithreaded BLAS on two busy cores spins for
seconds.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from campusbot.bot.model import BotDefinition
from campusbot.local.emulator import nlu

log = logging.getLogger(__name__)

PREFIX = "nlu-encodings-"


def cache_key(model_dir: Path, layers: int) -> str:
    """A hash of what the encodings depend on: encoder code, model file, depth, numpy."""
    digest = hashlib.sha256()
    digest.update(Path(nlu.__file__).read_bytes())
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    digest.update(f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{layers}|{np.__version__}".encode())
    return digest.hexdigest()[:20]


class CachedEncoder:
    """A `nlu.SentenceEncoder` whose batch encodings persist in one .npz file (single turns go to the encoder)."""

    def __init__(self, encoder: nlu.Encoder, path: Path) -> None:
        self.encoder = encoder
        self.path = path
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._vectors: dict[str, npt.NDArray[np.float32]] = self._read()

    def _read(self) -> dict[str, npt.NDArray[np.float32]]:
        if not self.path.is_file():
            return {}
        try:
            with np.load(self.path, allow_pickle=False) as data:
                texts = [str(text) for text in data["texts"]]
                vectors = np.asarray(data["vectors"], dtype=np.float32)
            if vectors.shape != (len(texts), self.encoder.hidden):
                raise ValueError(f"shape {vectors.shape} for {len(texts)} texts")
        except Exception as exc:  # a torn or foreign file: encode again and overwrite it
            log.warning("ignoring the NLU encodings cache %s: %s", self.path, exc)
            return {}
        return dict(zip(texts, vectors, strict=True))

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._vectors)
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp.npz")
        np.savez(temporary, texts=np.array(texts, dtype=str), vectors=np.stack([self._vectors[t] for t in texts]))
        os.replace(temporary, self.path)
        for stale in self.path.parent.glob(f"{PREFIX}*.npz"):
            if stale != self.path:
                stale.unlink(missing_ok=True)

    def encode(self, text: str) -> nlu.Vector:
        return self.encoder.encode(text)

    def encode_batch(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        with self._lock:
            missing = sorted({text for text in texts if text not in self._vectors})
            self.misses += len(missing)
            self.hits += len(texts) - len(missing)
            if missing:
                for text, vector in zip(missing, self.encoder.encode_batch(missing), strict=True):
                    self._vectors[text] = vector
                try:
                    self._write()
                except OSError as exc:  # a read-only data dir costs the next start time, nothing else
                    log.warning("cannot write the NLU encodings cache %s: %s", self.path, exc)
            if not texts:
                return np.zeros((0, self.encoder.hidden), dtype=np.float32)
            return np.stack([self._vectors[text] for text in texts])


def recognizer(definition: BotDefinition, cache_dir: Path) -> nlu.IntentRecognizer:
    """The emulator's recognizer for `definition`, its training encodings read from (and kept in) `cache_dir`."""
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    started = time.perf_counter()
    directory = nlu.model_dir()
    encoder = nlu.Encoder(directory, layers=nlu.INTENT_LAYERS)
    cached = CachedEncoder(encoder, cache_dir / f"{PREFIX}{cache_key(directory, nlu.INTENT_LAYERS)}.npz")
    with threadpool_limits(limits=1, user_api="blas"):
        result = nlu.IntentRecognizer(definition, encoder=cached)
    log.info("intent recognizer ready in %.2f s (training encodings: %d cached, %d encoded)",
             time.perf_counter() - started, cached.hits, cached.misses)  # fmt: skip
    return result
