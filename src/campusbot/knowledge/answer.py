"""`/assist`: a grounded answer with citations, else a labelled general answer, else an honest "I don't know".

The order is deterministic and configured (`CAMPUSBOT_ASSIST_FALLBACK_ORDER`, default `documents,general`):
- `documents`: when the best retrieved passage's cosine similarity clears `CAMPUSBOT_ASSIST_MIN_SCORE`, the
  passages that clear it and answer the question (`knowledge.answerability`: the names it asks about, the kind of
  answer it wants, its terms word for word or on the embedding model; `CAMPUSBOT_ASSIST_ANSWERABILITY`) are
  numbered into `prompts.grounded_prompt` (retrieved text is data, never instructions)
  and the generator answers from them. An answer that cites none of them ([n]) is not counted as grounded, and
  the next step runs.
- `general`: `prompts.general_prompt`, and the answer starts with a label saying it is not from campusbot's data.
- no step answered (nothing cleared the threshold and `general` is off, or the generator is unavailable after
  its own retries): "I don't know", with the closest documents listed as sources.
With history, a follow-up is first made a standalone question: by the model when it can rewrite (`llm.rewrite`,
Bedrock, bounded in time), else, or when the rewrite fails, by `contextual_question`'s rule.
A generator that is unavailable (throttled, timed out, after its own retries) ends the chain at once, since the
next step would call the same model, and is not called again for `retrieve.BREAKER_SECONDS`. A generator that
rejects the request lets the next step try. While the embedding model is down, retrieval is full-text only: its
scores are not cosine similarities, so nothing is grounded on them, but they are listed as the closest documents.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from campusbot.knowledge.answerability import (
    Evidence,
    Judgement,
    Lexical,
    Question,
    Thresholds,
    decide,
    lexical,
)
from campusbot.knowledge.embeddings import EmbeddingUnavailable
from campusbot.knowledge.retrieve import Breaker, Passage, Retriever, citations, strongest
from campusbot.llm.base import Generation, GenerationRequest, Generator, GeneratorRejected, GeneratorUnavailable
from campusbot.llm.prompts import general_prompt, grounded_prompt
from campusbot.llm.rewrite import QuestionRewriter

log = logging.getLogger(__name__)

AnswerSource = Literal["documents", "general", "none"]
GENERAL_LABEL = "Not from campusbot's documents (general knowledge):"
CLOSEST = 3


@dataclass(frozen=True)
class Source:
    n: int
    document_id: int
    title: str
    s3_key: str
    score: float
    snippet: str
    heading: str | None = None


@dataclass(frozen=True)
class Answer:
    answer: str
    answer_source: AnswerSource
    sources: list[Source] = field(default_factory=list)
    model_id: str | None = None
    best_score: float = 0.0
    notes: list[str] = field(default_factory=list)  # why earlier steps did not answer, for logs and debugging


class Assistant:
    def __init__(
        self,
        retriever: Retriever,
        generator: Generator,
        *,
        min_score: float = 0.45,
        top_k: int = 4,
        fallback_order: Sequence[str] = ("documents", "general"),
        breaker: Breaker | None = None,
        answerability: Thresholds | None = None,
        rewriter: QuestionRewriter | None = None,
    ) -> None:
        self.retriever = retriever
        self.generator = generator
        self.breaker = breaker or Breaker()
        self.min_score = min_score
        self.top_k = top_k
        self.fallback_order = tuple(fallback_order)
        self.answerability = answerability
        self.rewriter = rewriter

    async def answer(self, question: str, history: Sequence[str] = ()) -> Answer:
        rewritten = None
        if self.rewriter is not None and not self.breaker.open:
            rewritten = await self.rewriter.rewrite(question, history)
        question = rewritten or contextual_question(question, history)
        retrieval = await self.retriever.search(question, k=self.top_k)
        passages = retrieval.passages
        best = strongest(passages) if retrieval.semantic else 0.0
        grounding = [passage for passage in passages if retrieval.semantic and passage.score >= self.min_score]
        notes: list[str] = []
        if grounding and self.answerability is not None:
            judgements = await self.judge(question, grounding, self.answerability)
            refused = [f"{p.title} ({j.reason})" for p, j in zip(grounding, judgements, strict=True) if not j.answers]
            grounding = [p for p, j in zip(grounding, judgements, strict=True) if j.answers]
            if refused and not grounding:
                notes.append("documents: no passage answers the question: " + "; ".join(refused))
        if self.breaker.open:
            notes.append("the model failed moments ago; not calling it again yet")
            return self._dont_know(passages, best, notes, unavailable=True)
        for step in self.fallback_order:
            if step == "documents":
                if not retrieval.semantic:
                    notes.append("documents: semantic search is unavailable (the embedding model is down)")
                    continue
                if not grounding:
                    if notes:
                        continue
                    notes.append(f"documents: best score {best:.3f} is below the threshold {self.min_score:.2f}")
                    continue
                prompt = grounded_prompt(question, grounding)
                try:
                    generation = await self._generate(GenerationRequest.from_prompt(prompt))
                except GeneratorUnavailable as exc:
                    notes.append(f"documents: the model is unavailable ({exc})")
                    self.breaker.trip()
                    return self._dont_know(passages, best, notes, unavailable=True)
                except GeneratorRejected as exc:
                    notes.append(f"documents: the model rejected the request ({exc})")
                    continue
                cited = citations(generation.text, len(grounding))
                if not cited:
                    notes.append("documents: the answer cites no document")
                    continue
                return Answer(
                    answer=generation.text.strip(),
                    answer_source="documents",
                    sources=_sources(grounding),
                    model_id=generation.model_id,
                    best_score=best,
                    notes=notes,
                )
            if step == "general":
                try:
                    generation = await self._generate(GenerationRequest.from_prompt(general_prompt(question)))
                except GeneratorUnavailable as exc:
                    notes.append(f"general: the model is unavailable ({exc})")
                    self.breaker.trip()
                    return self._dont_know(passages, best, notes, unavailable=True)
                except GeneratorRejected as exc:
                    notes.append(f"general: the model rejected the request ({exc})")
                    continue
                return Answer(
                    answer=f"{GENERAL_LABEL} {generation.text.strip()}",
                    answer_source="general",
                    sources=[],
                    model_id=generation.model_id,
                    best_score=best,
                    notes=notes,
                )
        return self._dont_know(passages, best, notes, unavailable=False)

    async def judge(self, question: str, passages: Sequence[Passage], thresholds: Thresholds) -> list[Judgement]:
        """Whether each passage answers `question` (`knowledge.answerability`). The terms a passage lacks word for
        word are checked on the embedding model in one concurrent round: each term alone, and the question
        without it, against the passage's stored vector. While the model is down they stay unchecked, and the
        passage is not grounded on."""
        asked = Question.parse(question)
        found = [lexical(asked, f"{p.title}\n{p.text}") for p in passages]
        wanted = sorted({term for f in found if _worth_checking(f, thresholds) for term in f.missing_terms})
        alone: dict[str, dict[int, float]] = {}
        without: dict[str, dict[int, float]] = {}
        if wanted:
            try:
                scores = await self.retriever.similarities(
                    [*wanted, *(asked.without(term) for term in wanted)], [p.hit.chunk_id for p in passages]
                )
            except EmbeddingUnavailable as exc:
                log.warning("answerability: the embedding model is unavailable, terms stay unchecked: %s", exc)
            else:
                alone = dict(zip(wanted, scores[: len(wanted)], strict=True))
                without = dict(zip(wanted, scores[len(wanted) :], strict=True))
        judgements = []
        for passage, words in zip(passages, found, strict=True):
            chunk = passage.hit.chunk_id
            evidence = [
                Evidence(term, alone[term][chunk], passage.score - without[term][chunk])
                for term in words.missing_terms
                if term in alone and chunk in alone[term] and chunk in without[term]
            ]
            judgements.append(decide(words, evidence, thresholds))
        return judgements

    async def _generate(self, request: GenerationRequest) -> Generation:
        return await asyncio.to_thread(self.generator.generate, request)

    def _dont_know(self, passages: list[Passage], best: float, notes: list[str], *, unavailable: bool) -> Answer:
        closest = passages[:CLOSEST]
        reason = (
            "the language model is unavailable right now"
            if unavailable
            else "campusbot's documents do not answer this question"
        )
        text = f"I don't know: {reason}."
        if closest:
            listing = "; ".join(f"[{n}] {p.title} ({p.hit.key})" for n, p in enumerate(closest, start=1))
            text += f" The closest documents are: {listing}."
        log.info("assist answered 'I don't know': %s", " | ".join(notes))
        return Answer(text, "none", _sources(closest), None, best, notes)


REFERRING = frozenset({"it", "there", "that", "this", "they", "them", "those", "these", "its", "their", "one"})
BE = frozenset({"is", "are", "was", "were", "isn't", "aren't", "wasn't", "weren't", "be"})
MAX_CONTEXTUAL_WORDS = 10


def contextual_question(question: str, history: Sequence[str]) -> str:
    """The question as retrieval and the generator should read it, by rule (the path when no model rewrites it,
    `llm.rewrite`): a short follow-up that refers back ("what about the visa there?") is joined to the user's
    previous message; a question that stands alone is left as it is."""
    words = [w.strip("?!.,;:'\"").casefold() for w in question.split()]
    previous = next((m.strip() for m in reversed(history) if m and m.strip()), "")
    if not previous or len(words) > MAX_CONTEXTUAL_WORDS or not _refers_back(words):
        return question
    return f"{previous[:300]} — {question}"


def _refers_back(words: Sequence[str]) -> bool:
    """A referring word, but not an existential "there" ("is there a quiet hours rule", "there are fees"), which
    points at nothing said before; "how many students are there" still refers back (it ends the question)."""
    for index, word in enumerate(words):
        if word not in REFERRING:
            continue
        before = words[index - 1] if index > 0 else ""
        after = words[index + 1] if index + 1 < len(words) else ""
        if word == "there" and after and (before in BE or after in BE):
            continue
        return True
    return False


def _worth_checking(found: Lexical, thresholds: Thresholds) -> bool:
    """Only passages that pass the word-level checks need the embedding model's opinion on their missing terms."""
    return not found.missing_entities and found.type_found and found.coverage >= thresholds.min_coverage


def _sources(passages: Sequence[Passage]) -> list[Source]:
    return [
        Source(
            n=n,
            document_id=passage.hit.document_id,
            title=passage.title,
            s3_key=passage.hit.key,
            score=passage.score,
            snippet=passage.snippet,
            heading=passage.hit.heading,
        )
        for n, passage in enumerate(passages, start=1)
    ]
