"""Token-aware chunking: sections of a document → overlapping chunks that each carry their heading path.

Sizes are counted in WordPiece tokens of the all-MiniLM-L6-v2 vocabulary (BERT uncased), with the `tokenizers`
package: a Rust wheel of a few MB that does not import torch, so the vectorizer Lambda counts exactly what the
local embedder reads. MiniLM reads at most 256 tokens (the rest is silently cut), so the default chunk is 200
tokens *including* its heading path, leaving room for [CLS]/[SEP]; Titan V2 reads 8,192 tokens, so these chunks
fit it too (its own tokenizer counts differently, which does not matter this far below its limit).

Rules, in order: a chunk never crosses a section (heading) boundary; it ends at the last paragraph break, else
sentence break, else word break in the second half of its budget (never inside a word); the next chunk of the same
section starts `overlap` tokens earlier, moved forward to a sentence or word start. Same text, same settings →
same chunks (ordinals, boundaries, counts), which makes re-ingestion idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from campusbot.knowledge.extract import Section

VOCAB = Path(__file__).resolve().parent / "data" / "wordpiece-uncased-vocab.txt"
# Sections are tokenized in pieces of at most this many characters (bounded memory for huge plain-text files).
PIECE_CHARS = 50_000


class Tokenizer(Protocol):
    def offsets(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the tokens of `text`, in order (no special tokens)."""
        ...


class WordPieceTokenizer:
    """The BERT-uncased WordPiece tokenizer of all-MiniLM-L6-v2 (lowercases, strips accents)."""

    def __init__(self, vocab: Path = VOCAB) -> None:
        from tokenizers import BertWordPieceTokenizer

        self._tokenizer = BertWordPieceTokenizer(str(vocab), lowercase=True)

    def offsets(self, text: str) -> list[tuple[int, int]]:
        return list(self._tokenizer.encode(text, add_special_tokens=False).offsets)

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)


@lru_cache(maxsize=1)
def default_tokenizer() -> WordPieceTokenizer:
    return WordPieceTokenizer()


@dataclass(frozen=True)
class Chunk:
    ordinal: int
    heading: str | None
    text: str
    token_count: int

    @property
    def embedding_text(self) -> str:
        """What gets embedded: the heading path gives a chunk the context its text may lack."""
        return f"{self.heading}\n\n{self.text}" if self.heading else self.text


def chunk_sections(
    sections: Iterable[Section], *, size: int = 200, overlap: int = 40, tokenizer: Tokenizer | None = None
) -> list[Chunk]:
    """Chunks of at most `size` tokens (heading included) overlapping by about `overlap` tokens per section."""
    if size < 16:
        raise ValueError("chunk size must be at least 16 tokens")
    if not 0 <= overlap < size // 2:
        raise ValueError("chunk overlap must be between 0 and half the chunk size")
    tokenizer = tokenizer or default_tokenizer()
    chunks: list[Chunk] = []
    for section in sections:
        heading = section.heading
        heading_tokens = len(tokenizer.offsets(heading)) + 2 if heading else 0  # +2: the blank line between
        budget = max(size - heading_tokens, size // 2)
        for piece in _pieces(section.paragraphs):
            for text, count in _split(piece, tokenizer, budget, overlap):
                chunks.append(Chunk(len(chunks), heading, text, count))
    return chunks


def _pieces(paragraphs: Iterable[str]) -> Iterator[str]:
    """Paragraphs joined by blank lines, cut at paragraph boundaries into pieces of about PIECE_CHARS."""
    buffer: list[str] = []
    length = 0
    for paragraph in paragraphs:
        while len(paragraph) > PIECE_CHARS:  # one giant paragraph: cut at the last space before the limit
            cut = paragraph.rfind(" ", 0, PIECE_CHARS)
            cut = cut if cut > PIECE_CHARS // 2 else PIECE_CHARS
            if buffer:
                yield "\n\n".join(buffer)
                buffer, length = [], 0
            yield paragraph[:cut]
            paragraph = paragraph[cut:].lstrip()
        if buffer and length + len(paragraph) > PIECE_CHARS:
            yield "\n\n".join(buffer)
            buffer, length = [], 0
        if paragraph:
            buffer.append(paragraph)
            length += len(paragraph) + 2
    if buffer:
        yield "\n\n".join(buffer)


def _split(text: str, tokenizer: Tokenizer, budget: int, overlap: int) -> Iterator[tuple[str, int]]:
    spans = tokenizer.offsets(text)
    n = len(spans)
    if n == 0:
        return
    strength = _break_strengths(text, spans)
    start = 0
    while start < n:
        end = n if start + budget >= n else _best_end(strength, start, budget)
        yield text[spans[start][0] : spans[end - 1][1]].strip(), end - start
        if end >= n:
            return
        start = _next_start(strength, start, end, overlap)


def _break_strengths(text: str, spans: list[tuple[int, int]]) -> list[int]:
    """How good a place the start of token i is to cut: 3 paragraph, 2 sentence or line, 1 word, 0 inside a word."""
    strengths = [3]
    for index in range(1, len(spans)):
        gap = text[spans[index - 1][1] : spans[index][0]]
        if not gap:
            strengths.append(0)
        elif "\n\n" in gap:
            strengths.append(3)
        elif "\n" in gap or text[spans[index - 1][0] : spans[index - 1][1]] in (".", "!", "?", ":", ";"):
            strengths.append(2)
        else:
            strengths.append(1)
    return strengths


def _best_end(strength: list[int], start: int, budget: int) -> int:
    """The end (exclusive) of a chunk starting at `start`: the strongest break in the second half of the budget."""
    limit = start + budget
    floor = start + max(1, budget // 2)
    for wanted in (3, 2, 1):
        for end in range(limit, floor - 1, -1):
            if strength[end] >= wanted:
                return end
    return limit


def _next_start(strength: list[int], start: int, end: int, overlap: int) -> int:
    if overlap == 0:
        return end
    back = max(start + 1, end - overlap)
    for wanted in (2, 1):
        for candidate in range(back, end):
            if strength[candidate] >= wanted:
                return candidate
    return end if strength[back] == 0 else back
