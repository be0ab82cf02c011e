"""The intent classifier's parts without the model: training data from the definition, the softmax
classifier, the GELU approximation, and how a ranking turns into FallbackIntent (with a fake encoder)."""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from campusbot.bot.cloudformation import load_bot
from campusbot.local.emulator.nlu import (
    OUT_OF_SCOPE,
    OUT_OF_SCOPE_EXAMPLES,
    IntentRecognizer,
    SoftmaxClassifier,
    _gelu,
    training_examples,
)


class BagOfWords:
    """A stand-in encoder: hashed, normalized word counts (deterministic, no model)."""

    size = 512

    def _vector(self, text: str) -> npt.NDArray[np.float32]:
        vector = np.zeros(self.size, dtype=np.float32)
        for word in text.lower().split():
            vector[zlib.crc32(word.strip("?!.,").encode()) % self.size] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def encode(self, text: str) -> npt.NDArray[np.float32]:
        return self._vector(text)

    def encode_batch(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.stack([self._vector(t) for t in texts])


def test_training_examples_fill_every_slot_reference() -> None:
    definition = load_bot()
    examples = training_examples(definition)
    assert not [e.text for e in examples if "{" in e.text or "}" in e.text]
    labels = {e.label for e in examples}
    assert labels == {i.name for i in definition.custom_intents()} | {OUT_OF_SCOPE}
    assert sum(e.label == OUT_OF_SCOPE for e in examples) == len(OUT_OF_SCOPE_EXAMPLES)
    filled = [e for e in examples if e.utterance == "recommend a university for {fieldOfStudy} in {country}"]
    assert len(filled) >= 3 and len({e.text for e in filled}) == len(filled)
    assert training_examples(definition) == examples, "deterministic"


def test_softmax_classifier_learns_separable_classes() -> None:
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(3, 16))
    x = np.concatenate([c + 0.1 * rng.normal(size=(20, 16)) for c in centers]).astype(np.float32)
    y = [label for label in "abc" for _ in range(20)]
    classifier = SoftmaxClassifier(list("abc")).fit(x, y)
    for center, label in zip(centers, "abc", strict=True):
        p = classifier.probabilities(center.astype(np.float32))
        assert classifier.labels[int(p.argmax())] == label and p.max() > 0.8
        assert math.isclose(float(p.sum()), 1.0, rel_tol=1e-6)


def test_gelu_matches_the_erf_definition() -> None:
    x = np.linspace(-6, 6, 241, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.astype(np.float64)])
    assert np.abs(_gelu(x) - exact).max() < 1e-5
    assert _gelu(x).dtype == np.float32


@pytest.fixture(scope="module")
def recognizer() -> IntentRecognizer:
    return IntentRecognizer(load_bot(), BagOfWords())


def test_every_intent_is_ranked_and_fallback_has_no_score(recognizer: IntentRecognizer) -> None:
    ranking = recognizer.recognize("recommend a university for medicine in germany")
    assert ranking[0].name == "RecommendUniversity" and ranking[0].score is not None
    assert ranking[0].score >= recognizer.threshold
    assert ranking[1].name == "FallbackIntent" and ranking[1].score is None
    assert {r.name for r in ranking} == {i.name for i in load_bot().intents}


def test_out_of_scope_text_ranks_fallback_first(recognizer: IntentRecognizer) -> None:
    assert recognizer.recognize("will it rain tomorrow")[0].name == "FallbackIntent"


def test_below_the_locale_threshold_is_fallback() -> None:
    definition = load_bot()
    strict = dataclasses.replace(
        definition, locale=dataclasses.replace(definition.locale, nlu_confidence_threshold=0.999)
    )
    recognizer = IntentRecognizer(strict, BagOfWords())
    ranking = recognizer.recognize("recommend a university for medicine in germany")
    assert ranking[0].name == "FallbackIntent"
    assert ranking[1].name == "RecommendUniversity"
