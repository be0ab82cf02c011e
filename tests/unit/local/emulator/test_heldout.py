"""The held-out paraphrases of bench/intent_accuracy.py are held out: none is a sample utterance of the
definition (as written, or with its slots filled by the expected values), nor an out-of-scope training
sentence, and the set is large and balanced enough to measure anything."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from campusbot.bot.cloudformation import load_bot
from campusbot.local.emulator.nlu import OUT_OF_SCOPE_EXAMPLES, training_examples
from campusbot.local.emulator.slots import normalize

HELDOUT = Path(__file__).resolve().parents[4] / "bench" / "data" / "intent_heldout.yaml"


@pytest.fixture(scope="module")
def heldout() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    return cases


def as_pattern(utterance: str) -> re.Pattern[str]:
    """A sample utterance with one to four words allowed where each of its slots stands."""
    parts = []
    for word in utterance.split():
        if re.fullmatch(r"\{[0-9a-zA-Z_-]+\}", word):
            parts.append(r"(?:\S+ ){0,3}\S+")
        elif normalize(word):
            parts.append(re.escape(normalize(word)))
    return re.compile("^" + " ".join(parts) + "$")


def test_no_heldout_text_is_a_definition_utterance(heldout: list[dict[str, Any]]) -> None:
    definition = load_bot()
    utterances = [u for intent in definition.intents for u in intent.utterances]
    patterns = [as_pattern(u) for u in utterances]
    copied = [
        case["text"]
        for case in heldout
        if normalize(case["text"]) in {normalize(u) for u in utterances}
        or any(p.match(normalize(case["text"])) for p in patterns)
    ]
    assert copied == []


def test_no_heldout_text_is_a_training_sentence(heldout: list[dict[str, Any]]) -> None:
    training = {normalize(e.text) for e in training_examples(load_bot())}
    training |= {normalize(t) for t in OUT_OF_SCOPE_EXAMPLES}
    assert [c["text"] for c in heldout if normalize(c["text"]) in training] == []


def test_the_heldout_set_covers_every_intent(heldout: list[dict[str, Any]]) -> None:
    definition = load_bot()
    counts = Counter(case["intent"] for case in heldout)
    assert len(heldout) >= 60
    assert set(counts) == {intent.name for intent in definition.intents}
    assert min(counts.values()) >= 6
    assert counts["FallbackIntent"] >= 8
    assert len({normalize(c["text"]) for c in heldout}) == len(heldout), "duplicates"
    for case in heldout:
        declared = definition.intent(case["intent"])
        assert declared is not None
        assert set(case.get("slots") or {}) <= set(declared.slot_names), case


def test_the_copy_check_bites() -> None:
    assert as_pattern("tell me about {universityName}").match(normalize("Tell me about ETH Zurich!"))
    assert not as_pattern("show me {universityName}").match(normalize("show me the account registered under mei"))
