"""Chunking: token budgets (heading included), boundaries at paragraphs/sentences/words, overlap, determinism."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from campusbot.knowledge.chunking import chunk_sections, default_tokenizer
from campusbot.knowledge.extract import Section, extract

SENTENCES = [f"Sentence {n} says that campus fact {n} matters for the application." for n in range(80)]


def section(*paragraphs: str, headings: tuple[str, ...] = ("Guide", "Deadlines")) -> Section:
    return Section(headings, paragraphs)


def test_chunks_fit_the_budget_with_their_heading() -> None:
    tokenizer = default_tokenizer()
    chunks = chunk_sections([section(" ".join(SENTENCES))], size=64, overlap=12)
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.heading == "Guide > Deadlines"
        assert tokenizer.count(chunk.embedding_text) <= 64
        assert chunk.token_count == tokenizer.count(chunk.text)


def test_chunks_end_at_sentence_ends_and_never_inside_a_word() -> None:
    chunks = chunk_sections([section(" ".join(SENTENCES))], size=64, overlap=12)
    for chunk in chunks[:-1]:
        assert chunk.text.endswith("application."), chunk.text[-40:]
    for chunk in chunks:
        assert chunk.text.split()[0] in {"Sentence", *SENTENCES[0].split()}


def test_consecutive_chunks_overlap() -> None:
    chunks = chunk_sections([section(" ".join(SENTENCES))], size=64, overlap=20)
    for before, after in itertools.pairwise(chunks):
        first_sentence = after.text.split(". ")[0]
        assert first_sentence in before.text


def test_no_overlap_covers_the_text_exactly_once() -> None:
    text = " ".join(SENTENCES)
    chunks = chunk_sections([section(text)], size=64, overlap=0)
    assert " ".join(chunk.text for chunk in chunks) == text


def test_paragraph_breaks_are_preferred() -> None:
    paragraphs = [" ".join(SENTENCES[i : i + 3]) for i in range(0, 30, 3)]  # ~45 tokens each
    chunks = chunk_sections([section(*paragraphs)], size=120, overlap=0)
    for chunk in chunks:
        assert chunk.text.startswith("Sentence") and chunk.text.endswith("application.")
        assert all(part in paragraphs for part in chunk.text.split("\n\n"))


def test_chunks_never_cross_sections_and_ordinals_run_on() -> None:
    sections = [
        Section(("Admissions",), ("Apply online before March.",)),
        Section(("Admissions", "Fees"), ("The fee is 75 euros.",)),
        Section((), ("Text before any heading.",)),
    ]
    chunks = chunk_sections(sections, size=64, overlap=8)
    assert [(c.ordinal, c.heading, c.text) for c in chunks] == [
        (0, "Admissions", "Apply online before March."),
        (1, "Admissions > Fees", "The fee is 75 euros."),
        (2, None, "Text before any heading."),
    ]


def test_a_word_longer_than_the_budget_is_still_cut() -> None:
    chunks = chunk_sections([section("x" * 3000, headings=())], size=32, overlap=4)
    assert all(chunk.token_count <= 32 for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks).count("x") >= 3000


def test_same_input_same_chunks() -> None:
    text = Path(__file__).read_text(encoding="utf-8")
    sections = extract(text.encode(), "code.txt").sections()
    assert chunk_sections(sections, size=80, overlap=16) == chunk_sections(sections, size=80, overlap=16)


@pytest.mark.parametrize(("size", "overlap"), [(8, 0), (100, 50), (100, -1)])
def test_bad_sizes_are_refused(size: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        chunk_sections([section("text")], size=size, overlap=overlap)
