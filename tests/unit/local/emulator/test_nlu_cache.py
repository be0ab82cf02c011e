"""The recognizer's training encodings persist under the data dir: a second start encodes nothing and recognizes
as the first did; a torn cache file is ignored and rewritten; another model or encoder code is another file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from campusbot.bot.cloudformation import load_bot
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
