"""/assist's decision chain with fakes: threshold, order, citations, unavailable vs rejected models, breaker;
and the snippet and citation helpers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from tests.fixtures.knowledge import FakeGenerator

from campusbot.knowledge.answer import GENERAL_LABEL, Assistant
from campusbot.knowledge.retrieve import Breaker, Passage, Retrieval, citations, snippet
from campusbot.knowledge.store import Hit


def passage(score: float, key: str = "guide.md", text: str = "Rooms cost 410 euros a month.") -> Passage:
    hit = Hit(1, 7, 0, "Housing", text, score, score, "Housing guide", "docs", key)
    return Passage(hit, snippet(text, "rooms"))


@dataclass
class FakeRetriever:
    passages: list[Passage]
    mode: str = "hybrid"
    queries: list[str] = field(default_factory=list)

    async def search(self, query: str, *, k: int = 5, **_: object) -> Retrieval:
        self.queries.append(query)
        return Retrieval(self.passages[:k], self.mode)  # type: ignore[arg-type]


def assistant(passages: list[Passage], generator: FakeGenerator, **options: object) -> Assistant:
    return Assistant(FakeRetriever(passages), generator, **options)  # type: ignore[arg-type]


async def test_grounded_when_the_best_score_clears_the_threshold() -> None:
    generator = FakeGenerator()
    answer = await assistant([passage(0.7), passage(0.3, "other.md")], generator, min_score=0.5).answer("cost?")
    assert answer.answer_source == "documents" and "[1]" in answer.answer
    assert [source.s3_key for source in answer.sources] == ["guide.md"]  # only passages that clear it are cited
    assert answer.model_id == "fake.generator-v1" and answer.best_score == 0.7


async def test_general_below_the_threshold_with_a_label() -> None:
    generator = FakeGenerator(reply="Paris.")
    answer = await assistant([passage(0.2)], generator, min_score=0.5).answer("capital of France?")
    assert (answer.answer_source, answer.answer, answer.sources) == ("general", f"{GENERAL_LABEL} Paris.", [])
    assert "below the threshold" in answer.notes[0]


@pytest.mark.parametrize(
    ("order", "score", "expected"),
    [
        (("documents",), 0.2, "none"),
        (("general",), 0.9, "general"),
        (("general", "documents"), 0.9, "general"),
        ((), 0.9, "none"),
    ],
)
async def test_the_order_is_followed(order: tuple[str, ...], score: float, expected: str) -> None:
    answer = await assistant([passage(score)], FakeGenerator(), min_score=0.5, fallback_order=order).answer("q")
    assert answer.answer_source == expected


async def test_an_uncited_answer_is_not_grounded() -> None:
    generator = FakeGenerator(reply="It is cheap.")
    answer = await assistant([passage(0.9)], generator, min_score=0.5).answer("cost?")
    assert answer.answer_source == "general" and "cites no document" in answer.notes[0]


async def test_unavailable_stops_with_i_dont_know_and_opens_the_breaker() -> None:
    clock = [0.0]
    generator = FakeGenerator(fail="unavailable")
    helper = assistant([passage(0.9)], generator, min_score=0.5, breaker=Breaker(30, clock=lambda: clock[0]))
    answer = await helper.answer("cost?")
    assert answer.answer_source == "none" and answer.model_id is None
    assert answer.answer == (
        "I don't know: the language model is unavailable right now. "
        "The closest documents are: [1] Housing guide (guide.md)."
    )
    assert [s.n for s in answer.sources] == [1] and len(generator.requests) == 1
    await helper.answer("again?")
    assert len(generator.requests) == 1  # breaker open: not called
    clock[0] = 31.0
    await helper.answer("later?")
    assert len(generator.requests) == 2


async def test_rejected_lets_the_next_step_try() -> None:
    generator = FakeGenerator(fail="rejected")
    answer = await assistant([passage(0.9)], generator, min_score=0.5).answer("cost?")
    assert answer.answer_source == "none" and len(generator.requests) == 2
    assert answer.answer.startswith("I don't know: campusbot's documents do not answer this question.")


async def test_text_only_retrieval_is_never_grounded() -> None:
    helper = Assistant(FakeRetriever([passage(0.9)], mode="text"), FakeGenerator(reply="x"), min_score=0.1)  # type: ignore[arg-type]
    answer = await helper.answer("cost?")
    assert answer.answer_source == "general" and "semantic search is unavailable" in answer.notes[0]


def test_citations_only_count_known_numbers() -> None:
    assert citations("A [1]. B [2][3]. C [9] [x]", 3) == {1, 2, 3}
    assert citations("none here", 3) == set()


def test_snippet_picks_the_sentences_about_the_query() -> None:
    text = " ".join(f"Filler sentence number {n} about nothing." for n in range(20))
    text += " The deposit is two months of rent. More filler follows here."
    cut = snippet(text, "how big is the deposit", max_chars=80)
    assert cut.startswith("…The deposit is two months of rent.") and len(cut) <= 82
    assert snippet("Short text.", "x") == "Short text."
