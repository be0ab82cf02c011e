"""Start fast: the Lex emulator's intent recognizer without re-encoding its training set at every start.

Training the recognizer (`nlu.IntentRecognizer`) encodes every training example with MiniLM (hundreds of
sentences: most of the emulator's start) and fits the softmax classifier. The encodings depend only on the text,
the encoder's weights and depth, and the encoder's code: `CachedEncoder` keeps them in
`<data dir>/cache/nlu-encodings-<hash>.npz`, the hash taken over those inputs (the nlu module's source, the
model file's identity, the depth, numpy's version), and reads them back at the next start; texts it has not seen
(an edited bot definition) are encoded and added. Another model or encoder code gives another file; older files
are removed.

The fitted classifier (weights, bias, labels) is kept too, by `CachedFit`, in `nlu-classifier-<hash>.npz`: the
hash is taken over the encodings' key, the labels, the training features themselves and their targets, the
hyper-parameters (l2, epochs, rate), the nlu module's source and numpy's version, so anything a fit depends on
gives another file and a stale classifier is never read. A second start reads it back instead of fitting (0.6 s of
CPU). A fit that does run has BLAS held to one thread: a fit of ~0.1 GFLOP takes a fraction of a second on one
core, where multithreaded BLAS on two busy cores spins for seconds. Both files are written to a temporary name and
renamed, and a file that does not read back whole (torn, foreign, another shape) is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from campusbot.bot.model import BotDefinition
from campusbot.files import replacing
from campusbot.local.emulator import nlu

log = logging.getLogger(__name__)

PREFIX = "nlu-encodings-"
CLASSIFIER_PREFIX = "nlu-classifier-"


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
        texts = list(self._vectors)
        with replacing(self.path) as temporary:
            np.savez(temporary, texts=np.array(texts, dtype=str), vectors=np.stack([self._vectors[t] for t in texts]))
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


def classifier_key(
    encodings_key: str,
    classifier: nlu.SoftmaxClassifier,
    features: npt.NDArray[np.float32],
    targets: Sequence[str],
) -> str:
    """A hash of everything a fit depends on: the features and targets, the labels, the hyper-parameters, the
    code (the nlu module's source, numpy's version) and the encodings' key (the model and the encoder)."""
    digest = hashlib.sha256()
    digest.update(Path(nlu.__file__).read_bytes())
    header = {
        "encodings": encodings_key,
        "labels": classifier.labels,
        "targets": list(targets),
        "hyper": [classifier.l2, classifier.epochs, classifier.rate],
        "numpy": np.__version__,
        "features": [list(features.shape), str(features.dtype)],
    }
    digest.update(json.dumps(header, sort_keys=True).encode())
    digest.update(np.ascontiguousarray(features).tobytes())
    return digest.hexdigest()[:20]


class CachedFit:
    """An `nlu.Fit` that reads the fitted classifier from `<cache_dir>/nlu-classifier-<hash>.npz` when one was
    kept for exactly these inputs, else fits (BLAS on one thread) and keeps it."""

    def __init__(self, cache_dir: Path, encodings_key: str) -> None:
        self.cache_dir = cache_dir
        self.encodings_key = encodings_key
        self.loaded = False
        self.path: Path | None = None

    def __call__(
        self, labels: Sequence[str], features: npt.NDArray[np.float32], targets: Sequence[str], l2: float
    ) -> nlu.SoftmaxClassifier:
        classifier = nlu.SoftmaxClassifier(labels, l2=l2)
        key = classifier_key(self.encodings_key, classifier, features, targets)
        self.path = self.cache_dir / f"{CLASSIFIER_PREFIX}{key}.npz"
        if self._read(classifier, key, features.shape[1]):
            self.loaded = True
            return classifier
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        with threadpool_limits(limits=1, user_api="blas"):
            classifier.fit(features, targets)
        try:
            self._write(classifier, key)
        except OSError as exc:  # a read-only data dir costs the next start a fit, nothing else
            log.warning("cannot write the NLU classifier cache %s: %s", self.path, exc)
        return classifier

    def _read(self, classifier: nlu.SoftmaxClassifier, key: str, hidden: int) -> bool:
        assert self.path is not None
        if not self.path.is_file():
            return False
        try:
            with np.load(self.path, allow_pickle=False) as data:
                stored_key = str(data["key"])
                labels = [str(label) for label in data["labels"]]
                weights = np.asarray(data["weights"], dtype=np.float32)
                bias = np.asarray(data["bias"], dtype=np.float32)
            if stored_key != key or labels != classifier.labels:
                raise ValueError("another classifier's file")
            if weights.shape != (hidden, len(labels)) or bias.shape != (len(labels),):
                raise ValueError(f"shapes {weights.shape} and {bias.shape} for {len(labels)} labels")
            if not (np.isfinite(weights).all() and np.isfinite(bias).all()):
                raise ValueError("non-finite weights")
        except Exception as exc:  # a torn or foreign file: fit again and overwrite it
            log.warning("ignoring the NLU classifier cache %s: %s", self.path, exc)
            return False
        classifier.weights, classifier.bias = weights, bias
        return True

    def _write(self, classifier: nlu.SoftmaxClassifier, key: str) -> None:
        assert self.path is not None
        with replacing(self.path) as temporary:
            np.savez(
                temporary,
                key=np.array(key),
                labels=np.array(classifier.labels, dtype=str),
                weights=classifier.weights,
                bias=classifier.bias,
            )
        for stale in self.path.parent.glob(f"{CLASSIFIER_PREFIX}*.npz"):
            if stale != self.path:
                stale.unlink(missing_ok=True)


def recognizer(definition: BotDefinition, cache_dir: Path) -> nlu.IntentRecognizer:
    """The emulator's recognizer for `definition`, its training encodings and its fitted classifier read from
    (and kept in) `cache_dir`."""
    started = time.perf_counter()
    directory = nlu.model_dir()
    encoder = nlu.Encoder(directory, layers=nlu.INTENT_LAYERS)
    key = cache_key(directory, nlu.INTENT_LAYERS)
    cached = CachedEncoder(encoder, cache_dir / f"{PREFIX}{key}.npz")
    fit = CachedFit(cache_dir, key)
    result = nlu.IntentRecognizer(definition, encoder=cached, fit=fit)
    log.info("intent recognizer ready in %.2f s (training encodings: %d cached, %d encoded; classifier %s)",
             time.perf_counter() - started, cached.hits, cached.misses,
             "read back" if fit.loaded else "fitted")  # fmt: skip
    return result
