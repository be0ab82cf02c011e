"""Request and response shapes of the knowledge endpoints: /search, /assist and /documents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints

from campusbot.api.schemas import Public


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Question = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), AfterValidator(_no_nul)
]


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


SessionId = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=256), AfterValidator(_no_nul)] | None,
    BeforeValidator(_blank_is_none),
]
Score = Annotated[float, Field(ge=0, le=1)]


class DocumentRef(BaseModel):
    id: int
    title: str
    s3_key: str


class SearchHit(BaseModel):
    chunk_id: int
    ordinal: int = Field(description="position of the chunk in its document")
    score: Score = Field(description="cosine similarity of chunk and query (full-text rank in text mode)")
    heading: str | None = Field(description="heading path of the chunk, e.g. 'Admissions > Deadlines'")
    snippet: str
    document: DocumentRef


class SearchResults(BaseModel):
    query: str
    mode: Literal["hybrid", "vector", "text"] = Field(
        description="hybrid (vector + full-text fusion), vector, or text (the embedding model is unavailable)"
    )
    model_id: str = Field(description="embedding model of the query vector")
    results: list[SearchHit]


class AssistRequest(BaseModel):
    question: Question
    session_id: SessionId = Field(None, description="the conversation's id (Lex sessionId); blank = none")
    history: list[Annotated[str, StringConstraints(max_length=300)]] = Field(
        default_factory=list,
        max_length=4,
        description="the user's previous messages, oldest first (to resolve 'there', 'it', 'that one')",
    )


class AssistSource(BaseModel):
    n: int = Field(description="the citation number used in the answer, [n]")
    document_id: int
    title: str
    s3_key: str
    score: Score
    snippet: str
    heading: str | None = None


class AssistResponse(BaseModel):
    answer: str
    answer_source: Literal["documents", "general", "none"] = Field(
        description="documents: grounded in campusbot's documents with citations; general: the model's general "
        "knowledge, not campusbot's data; none: no answer (the closest documents are listed)"
    )
    sources: list[AssistSource]
    model_id: str | None = Field(description="the model that wrote the answer; null when none did")
    session_id: str | None = None


class DocumentPublic(Public):
    id: int
    title: str
    s3_bucket: str
    s3_key: str
    status: Literal["pending", "indexed", "failed", "deleted"] = Field(
        description="of the newest version: failed keeps the last indexed version's chunks answering (served_etag)"
    )
    error: str | None = Field(description="why the newest version could not be indexed (or a note on indexing)")
    etag: str | None = Field(None, description="S3 ETag of the newest version seen")
    served_etag: str | None = Field(None, description="S3 ETag of the version whose chunks answer; null when none does")
    chunk_count: int = Field(description="chunks of the served version")
    size_bytes: int
    tags: list[str]
    indexed_at: datetime | None
    updated_at: datetime | None
