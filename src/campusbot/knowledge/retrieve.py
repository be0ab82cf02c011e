"""Retrieval for `/search` and `/assist`: embed the query, search the store, cut a snippet per hit.

While the embedding model is unavailable (throttled or unreachable after its retries), search degrades to
full-text only (`mode="text"`, scores from ts_rank_cd instead of cosine similarity) and stops calling the model
for `BREAKER_SECONDS`, so an outage costs one slow request, not every request (Lex allows 30 s per turn).
A model that rejects requests (wrong id, no access, wrong dimension) is a configuration error and is raised.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from campusbot.knowledge import store
from campusbot.knowledge.embeddings import Embedder, EmbeddingUnavailable

log = logging.getLogger(__name__)

SNIPPET_CHARS = 280
BREAKER_SECONDS = 30.0
Mode = Literal["hybrid", "vector", "text"]
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_STOP_WORDS = """a an and are as at be by can do does for from how i in is it me my of on or the to what when where
    which who why will with you your"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with what a prompt, a citation and a search result need."""

    hit: store.Hit
    snippet: str

    @property
    def text(self) -> str:
        """The chunk under its heading path, marked as a markdown heading (context for the model, not a fact)."""
        return f"# {self.hit.heading}\n{self.hit.content}" if self.hit.heading else self.hit.content

    @property
    def title(self) -> str:
        return self.hit.title

    @property
    def source(self) -> str:
        return f"s3://{self.hit.bucket}/{self.hit.key}"

    @property
    def score(self) -> float:
        return self.hit.score


class Breaker:
    """Open for `cooldown` seconds after a failure: callers skip the failing dependency meanwhile."""

    def __init__(self, cooldown: float = BREAKER_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown = cooldown
        self._clock = clock
        self._until = 0.0

    def trip(self) -> None:
        self._until = self._clock() + self.cooldown

    @property
    def open(self) -> bool:
        return self._clock() < self._until


@dataclass(frozen=True)
class Retrieval:
    passages: list[Passage]
    mode: Mode

    @property
    def semantic(self) -> bool:
        """Scores are cosine similarities (comparable with CAMPUSBOT_ASSIST_MIN_SCORE)."""
        return self.mode != "text"


class Retriever:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        embedder: Embedder,
        *,
        hybrid: bool = True,
        ef_search: int = 80,
        breaker: Breaker | None = None,
        text_weight: float = store.TEXT_WEIGHT,
    ) -> None:
        self.sessions = sessions
        self.embedder = embedder
        self.hybrid = hybrid
        self.ef_search = ef_search
        self.breaker = breaker or Breaker()
        self.text_weight = text_weight

    async def search(
        self,
        query: str,
        *,
        k: int = 5,
        min_score: float = 0.0,
        document_id: int | None = None,
        tag: str | None = None,
    ) -> Retrieval:
        vector: list[float] | None = None
        if not self.breaker.open:
            try:
                vector = await asyncio.to_thread(self.embedder.embed_query, query)
            except EmbeddingUnavailable as exc:
                log.warning("embedding model unavailable, full-text search for %.0f s: %s", self.breaker.cooldown, exc)
                self.breaker.trip()
        async with self.sessions() as session:
            if vector is None:
                hits = await store.search_text(session, query, k=k, document_id=document_id, tag=tag)
                hits = [hit for hit in hits if hit.score >= min_score]
                mode: Mode = "text"
            else:
                hits = await store.search(
                    session,
                    vector,
                    query,
                    k=k,
                    min_score=min_score,
                    document_id=document_id,
                    tag=tag,
                    hybrid=self.hybrid,
                    ef_search=self.ef_search,
                    text_weight=self.text_weight,
                )
                mode = "hybrid" if self.hybrid else "vector"
        return Retrieval([Passage(hit, snippet(hit.content, query)) for hit in hits], mode)

    async def similarities(self, texts: Sequence[str], chunk_ids: Sequence[int]) -> list[dict[int, float]]:
        """The cosine similarity of each text (embedded as a query, concurrently) to each of the given chunks.

        Raises `EmbeddingUnavailable` while the model is down (the breaker is open or the call failed)."""
        if not texts:
            return []
        if self.breaker.open:
            raise EmbeddingUnavailable("the embedding model failed moments ago")
        try:
            vectors = await asyncio.gather(*(asyncio.to_thread(self.embedder.embed_query, text) for text in texts))
        except EmbeddingUnavailable:
            self.breaker.trip()
            raise
        async with self.sessions() as session:
            return await store.similarities(session, vectors, chunk_ids)


def snippet(content: str, query: str, max_chars: int = SNIPPET_CHARS) -> str:
    """The window of `content` (whole sentences where they fit) that shares the most words with the query."""
    text = " ".join(content.split())
    if len(text) <= max_chars:
        return text
    wanted = {_stem(word) for word in _WORD.findall(query.lower()) if word not in _STOP}
    sentences = [part.strip() for part in _SENTENCE.split(content) if part.strip()]
    best, best_score = 0, -1.0
    for index, sentence in enumerate(sentences):
        words = {_stem(word) for word in _WORD.findall(sentence.lower())}
        score = len(words & wanted) - index * 1e-3  # earlier wins ties
        if score > best_score:
            best, best_score = index, score
    window = [sentences[best]]
    for extra in sentences[best + 1 :]:
        if len(" ".join([*window, extra])) > max_chars:
            break
        window.append(extra)
    out = " ".join(" ".join(window).split())
    if len(out) > max_chars:
        out = out[: max_chars - 1].rsplit(" ", 1)[0] + "…"
    prefix = "…" if best > 0 else ""
    suffix = "…" if not out.endswith("…") and best + len(window) < len(sentences) else ""
    return prefix + out + suffix


def _stem(word: str) -> str:
    return word[:6]


def citations(text: str, count: int) -> set[int]:
    """The passage numbers an answer cites as [n] (only 1..count)."""
    return {int(number) for number in re.findall(r"\[(\d{1,3})\]", text) if 1 <= int(number) <= count}


def strongest(passages: Sequence[Passage]) -> float:
    return max((passage.score for passage in passages), default=0.0)
