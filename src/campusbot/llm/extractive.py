"""`Generator` without a model: answers a grounded prompt with the passages' own most relevant sentences.

It reads the prompt `prompts.grounded_prompt` builds (and nothing else), splits the numbered passages into
sentences, scores each against the question and returns the best few, each cited as [n]. Scoring is lexical
(IDF-weighted overlap of content words) and, when a sentence encoder is given (all-MiniLM-L6-v2 in the local
emulator), semantic too; ties break on passage and sentence order, so the same prompt gives the same answer.

It never follows passage text: it only quotes it, and sentences that read like instructions to a model
("ignore previous instructions…", "you are now…") are never quoted. Without passages it says honestly that,
offline, it can only answer from campusbot's documents, and how to plug in a local LLM.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from campusbot.llm.base import END_TURN, MAX_TOKENS, Generation, GenerationRequest
from campusbot.llm.prompts import Passage, parse_grounded_prompt

MODEL_ID = "campusbot.extractive-v1"

SentenceEncoder = Callable[[Sequence[str]], Sequence[Sequence[float]]]
"""Texts → normalized vectors (so a dot product is the cosine similarity)."""

OFFLINE_ANSWER = (
    "I'm running offline without a language model, so I can only answer from campusbot's documents, "
    "and none of them covers this question. Upload a document that does (`platform upload PATH`), or plug in "
    "a local LLM: start any OpenAI-compatible server (for example Ollama) and set CAMPUSBOT_LOCAL_LLM_URL "
    "(and CAMPUSBOT_LOCAL_LLM_MODEL) before `platform up`."
)
NOT_IN_DOCUMENTS = "The documents campusbot found closest to this question do not answer it"

_INSTRUCTION_LIKE = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\b(ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,60}\b(instructions?|prompts?|rules?|guidelines?|"
        r"above|previous|prior|earlier|system)\b",
        r"\byou are (now|no longer)\b",
        r"\b(system|developer) (prompt|message|instructions?)\b",
        r"\b(new|updated|real) instructions?\b",
        r"\b(say|respond|reply|answer|output|print|write)\b[^.!?\n]{0,40}\b(only|exactly|verbatim)\b",
        r"\bact as\b|\bpretend (to be|you)\b|\bjailbreak\b",
    )
]
_STOPWORD_TEXT = """a about above after again all am an and any are as at be because been before being below
    between both but by
    can could did do does doing down during each few for from further had has have having he her here hers him his
    how i if in into is it its itself just me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with would you your yours
    tell know please much many give get need want does"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'“(\[]?[A-Z0-9À-Ý])")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)]|#+)\s+")


@dataclass(frozen=True)
class _Sentence:
    text: str
    passage: int  # citation number
    position: int  # order within all sentences, for deterministic ties


class ExtractiveGenerator:
    """Deterministic extractive answers over the passages of a grounded prompt."""

    def __init__(
        self,
        encoder: SentenceEncoder | None = None,
        *,
        max_sentences: int = 3,
        relative_cutoff: float = 0.6,
        min_semantic: float = 0.35,
    ) -> None:
        self._encoder = encoder
        self._max_sentences = max_sentences
        self._relative_cutoff = relative_cutoff
        self._min_semantic = min_semantic

    @property
    def model_id(self) -> str:
        return MODEL_ID

    def generate(self, request: GenerationRequest) -> Generation:
        started = time.perf_counter()
        parsed = parse_grounded_prompt(request.last_user_text)
        question = parsed.question if parsed else request.last_user_text
        passages = parsed.passages if parsed else ()
        text = self._answer(question, passages) if passages else OFFLINE_ANSWER
        text, stop_reason = _limit(text, request.max_tokens)
        return Generation(
            text=text,
            model_id=MODEL_ID,
            stop_reason=stop_reason,
            input_tokens=count_tokens(request.system) + sum(count_tokens(m.text) for m in request.messages),
            output_tokens=count_tokens(text),
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def _answer(self, question: str, passages: Sequence[Passage]) -> str:
        sentences = [s for s in _sentences(passages) if not looks_like_instruction(s.text)]
        if not sentences:
            return _not_found(passages)
        lexical = _lexical_scores(question, [s.text for s in sentences])
        semantic = self._semantic_scores(question, [s.text for s in sentences])
        if semantic is None:
            scores = lexical
            relevant = max(scores) > 0
        else:
            scores = [0.6 * sem + 0.4 * lex for sem, lex in zip(semantic, lexical, strict=True)]
            relevant = max(lexical) > 0 or max(semantic) >= self._min_semantic
        if not relevant:
            return _not_found(passages)
        ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], sentences[i].position))
        best = scores[ranked[0]]
        chosen = [i for i in ranked[: self._max_sentences] if scores[i] >= best * self._relative_cutoff]
        return " ".join(_cited(sentences[i]) for i in chosen)

    def _semantic_scores(self, question: str, texts: Sequence[str]) -> list[float] | None:
        if self._encoder is None:
            return None
        vectors = self._encoder([question, *texts])
        query = vectors[0]
        return [sum(q * v for q, v in zip(query, vector, strict=True)) for vector in vectors[1:]]


def looks_like_instruction(text: str) -> bool:
    """True for text addressed to a model rather than to a reader (prompt injection)."""
    return any(pattern.search(text) for pattern in _INSTRUCTION_LIKE)


def count_tokens(text: str) -> int:
    """A model-free token estimate: words and punctuation marks."""
    return len(re.findall(r"\w+|[^\w\s]", text))


def _sentences(passages: Sequence[Passage]) -> list[_Sentence]:
    out: list[_Sentence] = []
    for number, passage in enumerate(passages, start=1):
        index = passage.index or number
        for line in passage.text.splitlines():
            if line.lstrip().startswith("#"):  # a heading (path) gives context; it is not an answer
                continue
            line = _BULLET.sub("", line).strip()
            for piece in _SENTENCE_END.split(line):
                piece = piece.strip()
                if len(_WORD.findall(piece)) >= 4:  # headings and fragments are not answers
                    out.append(_Sentence(piece, index, len(out)))
    return out


def _terms(text: str) -> list[str]:
    return [_stem(word) for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _lexical_scores(question: str, texts: Sequence[str]) -> list[float]:
    """Share of the question's IDF weight each text covers (0..1)."""
    query = set(_terms(question))
    if not query:
        return [0.0] * len(texts)
    documents = [set(_terms(text)) for text in texts]
    count = len(documents)
    idf = {term: math.log(1 + count / (1 + sum(term in doc for doc in documents))) + 0.1 for term in query}
    total = sum(idf.values())
    return [sum(idf[term] for term in query & doc) / total for doc in documents]


def _cited(sentence: _Sentence) -> str:
    text = sentence.text
    if text[-1] in ".!?":
        return f"{text[:-1]} [{sentence.passage}]{text[-1]}"
    return f"{text} [{sentence.passage}]."


def _not_found(passages: Sequence[Passage]) -> str:
    """No [n] markers here: a non-answer must not look like a cited, grounded one."""
    titles = list(dict.fromkeys(p.title for p in passages if p.title))
    closest = f" ({'; '.join(titles)})" if titles else ""
    return f"{NOT_IN_DOCUMENTS}{closest}. Try rephrasing, or ask about something they cover."


def _limit(text: str, max_tokens: int | None) -> tuple[str, str]:
    if max_tokens is None or count_tokens(text) <= max_tokens:
        return text, END_TURN
    words = text.split()
    while words and count_tokens(" ".join(words)) > max_tokens:
        words.pop()
    return " ".join(words), MAX_TOKENS
