"""Semantic search over uploaded documents, grounded answers (`/assist`, the FallbackIntent's backend), and the
indexing status of documents. The embedder and the generator come from bootstrap, once per app."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from campusbot.api.deps import DatabaseDep, PageDep, SessionDep
from campusbot.api.knowledge_schemas import (
    AssistRequest,
    AssistResponse,
    AssistSource,
    DocumentPublic,
    DocumentRef,
    SearchHit,
    SearchResults,
)
from campusbot.api.problems import problem
from campusbot.api.schemas import Page
from campusbot.knowledge import store
from campusbot.knowledge.answer import Assistant
from campusbot.knowledge.answerability import Thresholds
from campusbot.knowledge.embeddings import Embedder, EmbeddingError
from campusbot.knowledge.retrieve import Retriever
from campusbot.llm.base import Generator
from campusbot.llm.rewrite import rewriter_for
from campusbot.settings import Settings

log = logging.getLogger(__name__)
router = APIRouter(tags=["knowledge"])

UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"description": "the embedding model is misconfigured or unavailable"}
}


def get_embedder(request: Request) -> Embedder:
    """The app's embedder: app.state.embedder if set (tests), else bootstrap's, built on first use."""
    state = request.app.state
    embedder: Embedder | None = getattr(state, "embedder", None)
    if embedder is None:
        from campusbot.bootstrap import build_embedder

        embedder = state.embedder = build_embedder(state.settings)
    return embedder


def get_generator(request: Request) -> Generator:
    state = request.app.state
    generator: Generator | None = getattr(state, "generator", None)
    if generator is None:
        from campusbot.bootstrap import build_generator

        generator = state.generator = build_generator(state.settings)
    return generator


def get_retriever(
    request: Request, database: DatabaseDep, embedder: Annotated[Embedder, Depends(get_embedder)]
) -> Retriever:
    """One retriever per app (it remembers an embedding outage for the whole app)."""
    state = request.app.state
    retriever: Retriever | None = getattr(state, "retriever", None)
    if retriever is None or retriever.embedder is not embedder:
        settings: Settings = state.settings
        retriever = state.retriever = Retriever(
            database.sessions, embedder, hybrid=settings.search_hybrid, ef_search=settings.search_ef_search
        )
    return retriever


def get_assistant(
    request: Request,
    retriever: Annotated[Retriever, Depends(get_retriever)],
    generator: Annotated[Generator, Depends(get_generator)],
) -> Assistant:
    state = request.app.state
    assistant: Assistant | None = getattr(state, "assistant", None)
    if assistant is None or assistant.retriever is not retriever or assistant.generator is not generator:
        settings: Settings = state.settings
        assistant = state.assistant = Assistant(
            retriever,
            generator,
            min_score=settings.assist_min_score,
            answerability=Thresholds() if settings.assist_answerability else None,
            rewriter=rewriter_for(generator),
            top_k=settings.assist_top_k,
            fallback_order=settings.assist_fallback,
        )
    return assistant


RetrieverDep = Annotated[Retriever, Depends(get_retriever)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def _embedding_problem(exc: EmbeddingError) -> JSONResponse:
    log.error("embedding failed: %s", exc)
    return problem(503, "Embedding model unavailable", str(exc))


@router.get("/search", response_model=SearchResults, responses=UNAVAILABLE)
async def search(
    retriever: RetrieverDep,
    q: Annotated[str, Query(min_length=1, max_length=1000, pattern=r"\S", description="what to look for")],
    k: Annotated[int, Query(ge=1, le=50, description="how many chunks")] = 5,
    min_score: Annotated[float, Query(ge=0, le=1, description="lowest cosine similarity returned")] = 0.0,
    document_id: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="only this document")] = None,
    tag: Annotated[str | None, Query(min_length=1, max_length=60, description="only documents with this tag")] = None,
) -> SearchResults | JSONResponse:
    """The chunks of uploaded documents closest to `q`, best first, with their document."""
    if "\x00" in q or (tag is not None and "\x00" in tag):
        return problem(422, "Invalid request", "query: must not contain NUL characters")
    try:
        retrieval = await retriever.search(q, k=k, min_score=min_score, document_id=document_id, tag=tag)
    except EmbeddingError as exc:
        return _embedding_problem(exc)
    return SearchResults(
        query=q,
        mode=retrieval.mode,
        model_id=retriever.embedder.model_id,
        results=[
            SearchHit(
                chunk_id=passage.hit.chunk_id,
                ordinal=passage.hit.ordinal,
                score=passage.score,
                heading=passage.hit.heading,
                snippet=passage.snippet,
                document=DocumentRef(id=passage.hit.document_id, title=passage.title, s3_key=passage.hit.key),
            )
            for passage in retrieval.passages
        ],
    )


@router.post("/assist", response_model=AssistResponse, responses=UNAVAILABLE)
async def assist(body: AssistRequest, assistant: AssistantDep) -> AssistResponse | JSONResponse:
    """Answer from campusbot's documents (with citations), else from general knowledge (labelled), else
    "I don't know" with the closest documents: in the order CAMPUSBOT_ASSIST_FALLBACK_ORDER sets."""
    try:
        answer = await assistant.answer(body.question, history=body.history)
    except EmbeddingError as exc:
        return _embedding_problem(exc)
    return AssistResponse(
        answer=answer.answer,
        answer_source=answer.answer_source,
        sources=[
            AssistSource(
                n=source.n,
                document_id=source.document_id,
                title=source.title,
                s3_key=source.s3_key,
                score=source.score,
                snippet=source.snippet,
                heading=source.heading,
            )
            for source in answer.sources
        ],
        model_id=answer.model_id,
        session_id=body.session_id,
    )


def _public(state: store.DocumentState) -> DocumentPublic:
    return DocumentPublic(
        id=state.id,
        title=state.title,
        s3_bucket=state.bucket,
        s3_key=state.key,
        status=state.status,
        error=state.error,
        etag=state.etag,
        served_etag=state.served_etag if state.chunk_count else None,
        chunk_count=state.chunk_count,
        size_bytes=state.size_bytes,
        tags=list(state.tags),
        indexed_at=state.indexed_at,
        updated_at=state.updated_at,
    )


@router.get("/documents", response_model=Page[DocumentPublic])
async def list_documents(
    session: SessionDep,
    page: PageDep,
    status: Annotated[
        Literal["pending", "indexed", "failed", "deleted"] | None,
        Query(description="only documents in this state (default: all but deleted)"),
    ] = None,
) -> Page[DocumentPublic]:
    """Uploaded documents and their indexing status, most recently changed first."""
    states, total = await store.list_documents(session, status=status, limit=page.limit, offset=page.offset)
    return Page(data=[_public(state) for state in states], count=total, limit=page.limit, offset=page.offset)


@router.get("/documents/{document_id}", response_model=DocumentPublic, responses={404: {"description": "unknown"}})
async def get_document(
    session: SessionDep, document_id: Annotated[int, Path(ge=1, le=2_147_483_647)]
) -> DocumentPublic | JSONResponse:
    """One document and its indexing status (the reason when it failed)."""
    state = await store.get_document(session, document_id)
    if state is None:
        return problem(404, "Not Found", f"document {document_id} does not exist")
    return _public(state)
