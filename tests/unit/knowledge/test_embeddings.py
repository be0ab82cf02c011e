"""TitanEmbedder against a real bedrock-runtime client with botocore's Stubber (params validated by the service
model), and against a fake client where concurrency matters. No network."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import ANY, Stubber
from tests.fixtures.bedrock_stub import stubbed_bedrock_runtime

from campusbot.knowledge.embeddings import (
    TITAN_V2,
    EmbeddingDimensionError,
    EmbeddingRejected,
    EmbeddingUnavailable,
    TitanEmbedder,
)
from campusbot.llm.retry import RetryPolicy


@pytest.fixture
def client() -> Any:
    return stubbed_bedrock_runtime()


@pytest.fixture
def sent(client: Any) -> list[dict[str, Any]]:
    """Every InvokeModel's parameters as the caller passed them (recorded before the Stubber answers)."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    client.meta.events.register("provide-client-params.bedrock-runtime.InvokeModel", record)
    return calls


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def titan_response(vector: list[float], tokens: int = 3) -> dict[str, Any]:
    body = json.dumps({"embedding": vector, "inputTextTokenCount": tokens, "embeddingsByType": {"float": vector}})
    return {"body": io.BytesIO(body.encode()), "contentType": "application/json"}


EXPECTED = {"modelId": TITAN_V2, "body": ANY, "contentType": "application/json", "accept": "application/json"}


def embedder(client: Any, dimensions: int, **kwargs: Any) -> tuple[TitanEmbedder, list[float]]:
    pauses: list[float] = []
    kwargs.setdefault("retry", RetryPolicy(max_attempts=3))
    return TitanEmbedder(client, dimensions=dimensions, sleep=pauses.append, **kwargs), pauses


def test_request_has_titan_v2_shape_and_the_dimension_titan_accepts(client: Any, stubber: Stubber, sent: list) -> None:
    stubber.add_response("invoke_model", titan_response([0.5] * 1024), EXPECTED)
    emb, _ = embedder(client, 1024)

    vector = emb.embed_query("What does a master's cost?")

    assert len(vector) == 1024
    assert json.loads(sent[0]["body"]) == {
        "inputText": "What does a master's cost?",
        "dimensions": 1024,
        "normalize": True,
    }


@pytest.mark.parametrize("dimensions", [256, 512])
def test_smaller_titan_dimensions_are_requested(client: Any, stubber: Stubber, sent: list, dimensions: int) -> None:
    stubber.add_response("invoke_model", titan_response([0.1] * dimensions), EXPECTED)
    embedder(client, dimensions)[0].embed_query("visa")
    assert json.loads(sent[0]["body"])["dimensions"] == dimensions


def test_a_dimension_titan_does_not_offer_is_not_sent(client: Any, stubber: Stubber, sent: list) -> None:
    """384 (the emulator's MiniLM) is not a Titan option: the model's native size is used, then checked."""
    stubber.add_response("invoke_model", titan_response([0.1] * 384), EXPECTED)
    assert len(embedder(client, 384)[0].embed_query("visa")) == 384
    assert "dimensions" not in json.loads(sent[0]["body"])


def test_a_vector_of_another_size_is_a_clear_error(client: Any, stubber: Stubber) -> None:
    stubber.add_response("invoke_model", titan_response([0.1] * 1024), EXPECTED)

    with pytest.raises(EmbeddingDimensionError) as caught:
        embedder(client, 384)[0].embed_query("visa")

    assert (caught.value.expected, caught.value.got, caught.value.model_id) == (384, 1024, TITAN_V2)
    assert TITAN_V2 in str(caught.value) and "1024" in str(caught.value) and "384" in str(caught.value)
    assert "CAMPUSBOT_EMBEDDING_DIMENSIONS" in str(caught.value)


def test_throttling_is_retried_with_backoff(client: Any, stubber: Stubber) -> None:
    stubber.add_client_error("invoke_model", "ThrottlingException", "Too many requests", http_status_code=429)
    stubber.add_response("invoke_model", titan_response([0.2] * 256), EXPECTED)
    emb, pauses = embedder(client, 256)

    assert emb.embed_query("scholarships") == [0.2] * 256
    assert len(pauses) == 1 and pauses[0] > 0


def test_repeated_throttling_gives_up_after_the_bounded_attempts(client: Any, stubber: Stubber) -> None:
    for _ in range(3):
        stubber.add_client_error("invoke_model", "ThrottlingException", "Too many requests", http_status_code=429)
    emb, pauses = embedder(client, 256)

    with pytest.raises(EmbeddingUnavailable) as caught:
        emb.embed_query("scholarships")

    assert caught.value.code == "ThrottlingException"
    assert "after 3 attempts" in str(caught.value)
    assert len(pauses) == 2


@pytest.mark.parametrize(
    ("code", "status"),
    [("AccessDeniedException", 403), ("ValidationException", 400), ("ResourceNotFoundException", 404)],
)
def test_access_and_validation_errors_are_not_retried(client: Any, stubber: Stubber, code: str, status: int) -> None:
    stubber.add_client_error("invoke_model", code, "no", http_status_code=status)
    emb, pauses = embedder(client, 256)

    with pytest.raises(EmbeddingRejected) as caught:
        emb.embed_query("scholarships")

    assert caught.value.code == code and pauses == []


def test_text_over_the_token_limit_is_halved_and_resent(client: Any, stubber: Stubber, sent: list) -> None:
    too_many = "400 Bad Request: Too many input tokens. Max input tokens: 8192, request input token count: 9000"
    stubber.add_client_error("invoke_model", "ValidationException", too_many, http_status_code=400)
    stubber.add_response("invoke_model", titan_response([0.3] * 256), EXPECTED)
    text = "word " * 8000

    embedder(client, 256)[0].embed_query(text)

    first, second = (json.loads(call["body"])["inputText"] for call in sent)
    assert first == text and second == text[: len(text) // 2]


def test_text_over_titans_character_limit_is_cut(client: Any, stubber: Stubber, sent: list) -> None:
    stubber.add_response("invoke_model", titan_response([0.3] * 256), EXPECTED)
    embedder(client, 256)[0].embed_query("x" * 60_000)
    assert len(json.loads(sent[0]["body"])["inputText"]) == 50_000


def test_empty_text_is_refused_before_any_call(client: Any) -> None:
    with pytest.raises(ValueError, match="empty"):
        embedder(client, 256)[0].embed_query("  \n")


def test_a_non_embedding_answer_is_rejected(client: Any, stubber: Stubber) -> None:
    body = io.BytesIO(json.dumps({"completion": "hi"}).encode())
    stubber.add_response("invoke_model", {"body": body, "contentType": "application/json"}, EXPECTED)
    with pytest.raises(EmbeddingRejected, match="without an 'embedding'"):
        embedder(client, 256)[0].embed_query("hi")


class FakeTitan:
    """Answers like Titan: a vector derived from the text; later texts answer faster, to scramble completion order."""

    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.threads: set[str] = set()
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def invoke_model(self, **params: Any) -> dict[str, Any]:
        text = json.loads(params["body"])["inputText"]
        number = int(text.split()[-1])
        with self._lock:
            self.threads.add(threading.current_thread().name)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(0.002 * (20 - number % 20))
        with self._lock:
            self.in_flight -= 1
        return titan_response([float(number)] * self.dimensions)


def test_documents_are_embedded_concurrently_in_order() -> None:
    fake = FakeTitan(256)
    emb = TitanEmbedder(fake, dimensions=256, concurrency=4)  # type: ignore[arg-type]

    vectors = emb.embed_documents([f"chunk {i}" for i in range(40)])

    assert [vector[0] for vector in vectors] == [float(i) for i in range(40)]
    assert 1 < fake.most_in_flight <= 4


def test_concurrency_one_stays_on_the_calling_thread() -> None:
    fake = FakeTitan(256)
    TitanEmbedder(fake, dimensions=256, concurrency=1).embed_documents(["a 1", "b 2"])  # type: ignore[arg-type]
    assert fake.threads == {threading.current_thread().name}


def test_no_texts_no_calls() -> None:
    fake = FakeTitan(256)
    assert TitanEmbedder(fake, dimensions=256).embed_documents([]) == []  # type: ignore[arg-type]
    assert fake.threads == set()
