"""The recognizer's training encodings persist under the data dir: a second start encodes nothing and recognizes
as the first did; a torn cache file is ignored and rewritten; another model or encoder code is another file."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from campusbot.bot.cloudformation import load_bot
from campusbot.bot.model import BotDefinition
from campusbot.local.emulator import nlu, nlu_cache

SENTENCES = ("hi there", "I want to register as a student", "which universities are in Germany", "tell me a joke")


def _cached(recognizer: nlu.IntentRecognizer) -> nlu_cache.CachedEncoder:
    assert isinstance(recognizer.encoder, nlu_cache.CachedEncoder)
    return recognizer.encoder


def test_a_second_start_reads_the_encodings_and_recognizes_the_same(tmp_path: Path) -> None:
    definition = load_bot()
    first = nlu_cache.recognizer(definition, tmp_path)
    files = list(tmp_path.glob("nlu-encodings-*.npz"))
    assert len(files) == 1
    assert _cached(first).hits == 0 and _cached(first).misses == len({e.text for e in first.examples})

    second = nlu_cache.recognizer(definition, tmp_path)
    assert _cached(second).misses == 0 and _cached(second).hits == len(second.examples)
    for sentence in SENTENCES:
        assert second.recognize(sentence)[0].name == first.recognize(sentence)[0].name
    np.testing.assert_allclose(second.classifier.weights, first.classifier.weights, atol=1e-5)


def test_a_torn_cache_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    definition = load_bot()
    key = nlu_cache.cache_key(nlu.model_dir(), nlu.INTENT_LAYERS)
    path = tmp_path / f"nlu-encodings-{key}.npz"
    path.write_bytes(b"not a numpy file")
    (tmp_path / "nlu-encodings-0123456789abcdef0123.npz").write_bytes(b"an older model's")
    recognizer = nlu_cache.recognizer(definition, tmp_path)
    assert _cached(recognizer).hits == 0
    assert [p.name for p in tmp_path.glob("nlu-encodings-*.npz")] == [path.name]
    with np.load(path, allow_pickle=False) as data:
        assert len(data["texts"]) == data["vectors"].shape[0] == len({e.text for e in recognizer.examples})


def test_the_key_follows_the_model_file(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"weights one")
    first = nlu_cache.cache_key(model, 4)
    assert nlu_cache.cache_key(model, 6) != first
    (model / "model.safetensors").write_bytes(b"weights number two")
    assert nlu_cache.cache_key(model, 4) != first


@lru_cache(maxsize=1)
def _encoder() -> nlu.Encoder:
    return nlu.Encoder(nlu.model_dir(), layers=nlu.INTENT_LAYERS)


def _recognizer(
    definition: BotDefinition, cache: Path, *, l2: float = 1e-4
) -> tuple[nlu.IntentRecognizer, nlu_cache.CachedFit]:
    """A recognizer on the real encoder, its encodings and its classifier kept in `cache` (what a start builds)."""
    key = nlu_cache.cache_key(nlu.model_dir(), nlu.INTENT_LAYERS)
    encoder = nlu_cache.CachedEncoder(_encoder(), cache / f"nlu-encodings-{key}.npz")
    fit = nlu_cache.CachedFit(cache, key)
    return nlu.IntentRecognizer(definition, encoder=encoder, l2=l2, fit=fit), fit


def _probabilities(recognizer: nlu.IntentRecognizer) -> npt.NDArray[np.float64]:
    return np.stack([recognizer.classifier.probabilities(recognizer.encoder.encode(s)) for s in SENTENCES])


def test_a_second_start_reads_the_classifier_and_scores_as_a_fresh_fit(tmp_path: Path) -> None:
    definition = load_bot()
    _, first_fit = _recognizer(definition, tmp_path)
    assert not first_fit.loaded and first_fit.path is not None and first_fit.path.is_file()
    second, second_fit = _recognizer(definition, tmp_path)
    assert second_fit.loaded and second_fit.path == first_fit.path
    assert [p.name for p in tmp_path.glob("nlu-classifier-*.npz")] == [first_fit.path.name]

    with threadpool_limits(limits=1, user_api="blas"):  # as a start fits: BLAS on one thread
        fresh = nlu.IntentRecognizer(definition, encoder=_encoder())
    assert second.classifier.labels == fresh.classifier.labels
    np.testing.assert_allclose(second.classifier.weights, fresh.classifier.weights, atol=1e-6)
    np.testing.assert_allclose(_probabilities(second), _probabilities(fresh), atol=1e-6)
    for sentence in SENTENCES:
        assert second.recognize(sentence) == fresh.recognize(sentence)


def test_a_changed_input_refits_and_replaces_the_kept_classifier(tmp_path: Path) -> None:
    definition = load_bot()
    _, kept = _recognizer(definition, tmp_path)
    other_l2, fit = _recognizer(definition, tmp_path, l2=1e-3)  # another hyper-parameter
    assert not fit.loaded and fit.path != kept.path
    assert fit.path is not None and [p.name for p in tmp_path.glob("nlu-classifier-*.npz")] == [fit.path.name]

    intent = next(definition.custom_intents())  # an edited bot definition: one sample utterance fewer
    edited_intent = replace(intent, utterances=intent.utterances[1:])
    edited = replace(definition, intents=tuple(edited_intent if i is intent else i for i in definition.intents))
    refit, fit = _recognizer(edited, tmp_path, l2=1e-3)
    assert not fit.loaded and len(refit.examples) < len(other_l2.examples)
    _, again = _recognizer(edited, tmp_path, l2=1e-3)
    assert again.loaded and again.path == fit.path


def test_a_torn_classifier_file_is_ignored_and_rewritten(tmp_path: Path) -> None:
    definition = load_bot()
    first, fit = _recognizer(definition, tmp_path)
    assert fit.path is not None
    whole = fit.path.read_bytes()
    fit.path.write_bytes(whole[: len(whole) // 2])  # a write cut short
    second, torn = _recognizer(definition, tmp_path)
    assert not torn.loaded
    np.testing.assert_allclose(_probabilities(second), _probabilities(first), atol=1e-6)
    third, read = _recognizer(definition, tmp_path)
    assert read.loaded
    np.testing.assert_allclose(_probabilities(third), _probabilities(first), atol=1e-6)
