"""The Embedder port and its one adapter, Titan Text Embeddings V2 over a `bedrock-runtime` client.

The same `TitanEmbedder` runs everywhere: against Bedrock in AWS, and against the local AWS emulator (which
answers `InvokeModel` for the Titan model id with all-MiniLM-L6-v2) when `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`
points at it. No torch here: the vectorizer Lambda ships this module as it is.

Dimensions. Titan V2 returns 1024 (default), 512 or 256 dimensions; the emulator's MiniLM returns 384.
The embedder sends `dimensions` only when the configured value is one Titan accepts (256/512/1024) and
otherwise lets the model use its native size; either way every returned vector is checked against the
configured `dimensions` (`CAMPUSBOT_EMBEDDING_DIMENSIONS`, 384 locally, 1024 in AWS), and a mismatch raises
`EmbeddingDimensionError` naming model, expected and got, before anything reaches the `vector(N)` column.

Limits. Titan V2 takes one text per call (8,192 tokens, 50,000 characters): `embed_documents` fans out over
a bounded thread pool and keeps the input order; texts are cut to 50,000 characters, and a text the model
still finds too long (too many tokens) is halved and re-sent, a bounded number of times. Throttling and 5xx
are retried with jittered backoff (`campusbot.llm.retry`); the client itself should use botocore's adaptive
mode so concurrent workers slow down together after a throttle.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import ClientError

from campusbot.llm.retry import RetriesFailed, RetryPolicy, call_with_retries

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

TITAN_V2 = "amazon.titan-embed-text-v2:0"
TITAN_V2_DIMENSIONS = (256, 512, 1024)
TITAN_MAX_CHARS = 50_000
MAX_SHRINKS = 4
# embed_documents calls an ingestion keeps in flight at once (`IngestLimits.embed_calls`), each fanning out over
# `CAMPUSBOT_EMBEDDING_BATCH_CONCURRENCY` InvokeModel calls: the bedrock-runtime client's pool holds that many
FANOUT_CALLS = 8


class Embedder(Protocol):
    """Turns text into vectors of `dimensions` floats (normalized, so cosine = dot product)."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in the order given."""
        ...

    def embed_query(self, text: str) -> list[float]: ...


class EmbeddingError(Exception):
    """Embedding failed; the message names the model and what to do."""

    def __init__(self, message: str, *, model_id: str = "", code: str = "") -> None:
        super().__init__(message)
        self.model_id = model_id
        self.code = code


class EmbeddingUnavailable(EmbeddingError):
    """Throttled, timed out or unreachable after the bounded retries. Transient: try the batch again later."""


class EmbeddingRejected(EmbeddingError):
    """The model refused the request (unknown model id, no access, validation). Retrying will not help."""


class EmbeddingDimensionError(EmbeddingError):
    """The model returned vectors of another size than the configured one (and the table's `vector(N)`)."""

    def __init__(self, model_id: str, expected: int, got: int) -> None:
        hint = (
            f"Titan V2 returns {'/'.join(map(str, TITAN_V2_DIMENSIONS))} dimensions and the local emulator "
            "(all-MiniLM-L6-v2) 384"
        )
        super().__init__(
            f"embedding model {model_id!r} returned {got}-dimensional vectors but {expected} are configured "
            f"(CAMPUSBOT_EMBEDDING_DIMENSIONS); {hint}. Set the dimensions to the model's and rebuild "
            "document_chunk's vector column to match.",
            model_id=model_id,
            code="DimensionMismatch",
        )
        self.expected = expected
        self.got = got


class TitanEmbedder:
    """`Embedder` over Bedrock `InvokeModel` with the Titan Text Embeddings V2 request/response format."""

    def __init__(
        self,
        client: BedrockRuntimeClient,
        *,
        model_id: str = TITAN_V2,
        dimensions: int = 1024,
        normalize: bool = True,
        concurrency: int = 8,
        retry: RetryPolicy | None = None,
        max_chars: int = TITAN_MAX_CHARS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._client = client
        self._model_id = model_id
        self._dimensions = dimensions
        self._normalize = normalize
        self._concurrency = concurrency
        self._retry = retry or RetryPolicy(max_attempts=5, base_delay=0.25, max_delay=8.0)
        self._max_chars = max_chars
        self._sleep = sleep

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def embed_query(self, text: str) -> list[float]:
        return self._embed_one(text)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if len(texts) <= 1 or self._concurrency == 1:
            return [self._embed_one(text) for text in texts]
        with ThreadPoolExecutor(max_workers=min(self._concurrency, len(texts)), thread_name_prefix="embed") as pool:
            futures = [pool.submit(self._embed_one, text) for text in texts]
            try:
                return [future.result() for future in futures]
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

    def request_body(self, text: str) -> dict[str, Any]:
        """The InvokeModel body for `text` (Titan V2 format)."""
        body: dict[str, Any] = {"inputText": text, "normalize": self._normalize}
        if self._dimensions in TITAN_V2_DIMENSIONS:
            body["dimensions"] = self._dimensions
        return body

    def _embed_one(self, text: str) -> list[float]:
        if not text.strip():
            raise ValueError("cannot embed empty text")
        text = text[: self._max_chars]
        shrinks = 0
        while True:
            try:
                return self._invoke(text)
            except RetriesFailed as failed:
                if not _too_long(failed.cause) or shrinks >= MAX_SHRINKS or len(text) < 2:
                    raise self._error(failed) from failed.cause
                text = text[: len(text) // 2]  # over the token limit: halve and re-send
                shrinks += 1

    def _invoke(self, text: str) -> list[float]:
        body = json.dumps(self.request_body(text))

        def call() -> dict[str, Any]:
            response = self._client.invoke_model(
                modelId=self._model_id, body=body, contentType="application/json", accept="application/json"
            )
            payload: dict[str, Any] = json.loads(response["body"].read())
            return payload

        payload = call_with_retries(call, self._retry, sleep=self._sleep).value
        embedding = payload.get("embedding")
        if embedding is None:
            embedding = payload.get("embeddingsByType", {}).get("float")
        if not isinstance(embedding, list):
            raise EmbeddingRejected(
                f"embedding model {self._model_id!r} answered without an 'embedding' (is it a Titan embedding model?)",
                model_id=self._model_id,
                code="MalformedResponse",
            )
        if len(embedding) != self._dimensions:
            raise EmbeddingDimensionError(self._model_id, self._dimensions, len(embedding))
        return [float(value) for value in embedding]

    def _error(self, failed: RetriesFailed) -> EmbeddingError:
        kind = EmbeddingRejected if failed.verdict == "rejected" else EmbeddingUnavailable
        return kind(f"embedding with {self._model_id!r} failed: {failed}", model_id=self._model_id, code=failed.code)


def _too_long(exc: BaseException) -> bool:
    """Titan's ValidationException for an input over its token or character limit."""
    if not isinstance(exc, ClientError) or exc.response.get("Error", {}).get("Code") != "ValidationException":
        return False
    message = str(exc.response.get("Error", {}).get("Message", "")).lower()
    return "token" in message or "maxlength" in message or "too long" in message
