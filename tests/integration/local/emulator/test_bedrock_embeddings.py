"""Titan InvokeModel against the Bedrock emulator over real HTTP: unchanged boto3 clients from bootstrap,
real all-MiniLM-L6-v2 embeddings."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import boto3
import numpy as np
import pytest
from botocore.exceptions import ClientError
from tests.fixtures.bedrock_emulator import BedrockEmulatorServer

from campusbot import bootstrap
from campusbot.knowledge.embeddings import (
    EmbeddingDimensionError,
    EmbeddingRejected,
    EmbeddingUnavailable,
    TitanEmbedder,
)
from campusbot.llm.retry import RetryPolicy
from campusbot.local.emulator.bedrock import Faults
from campusbot.settings import Settings

TITAN = "amazon.titan-embed-text-v2:0"


@pytest.fixture(scope="module")
def local_settings(bedrock_emulator: BedrockEmulatorServer) -> Settings:
    return Settings(embedding_dimensions=1024)


@pytest.fixture(scope="module")
def embedder(local_settings: Settings) -> TitanEmbedder:
    built = bootstrap.build_embedder(local_settings)
    assert isinstance(built, TitanEmbedder)
    return built


@pytest.fixture(scope="module")
def client(local_settings: Settings) -> Any:
    return bootstrap.bedrock_runtime_client(local_settings)


def invoke(client: Any, body: dict[str, Any], model_id: str = TITAN) -> dict[str, Any]:
    response = client.invoke_model(modelId=model_id, body=json.dumps(body), contentType="application/json")
    assert response["contentType"] == "application/json"
    return json.loads(response["body"].read())  # type: ignore[no-any-return]


def test_the_bootstrap_client_reaches_the_emulator(client: Any, bedrock_emulator: BedrockEmulatorServer) -> None:
    assert client.meta.endpoint_url == bedrock_emulator.url


def test_vectors_have_titans_1024_dimensions_and_are_normalized(embedder: TitanEmbedder) -> None:
    vectors = np.array(embedder.embed_documents(["tuition fees", "student visa", "internships in Berlin"]))
    assert vectors.shape == (3, 1024)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert not vectors[:, 384:].any()  # MiniLM's 384 values, then zeros


@pytest.mark.parametrize("dimensions", [512, 1024])
def test_requested_dimensions_keep_minilms_cosine_similarities_exactly(client: Any, dimensions: int) -> None:
    texts = ["tuition fees", "cost of studying", "football"]
    native = [np.array(invoke(client, {"inputText": t, "dimensions": 1024})["embedding"])[:384] for t in texts]
    sized = [np.array(invoke(client, {"inputText": t, "dimensions": dimensions})["embedding"]) for t in texts]
    assert all(len(vector) == dimensions for vector in sized)
    for i in range(3):
        for j in range(3):
            assert sized[i] @ sized[j] == pytest.approx(native[i] @ native[j], abs=1e-6)


def test_256_dimensions_would_need_truncation_and_are_refused_with_why(client: Any) -> None:
    with pytest.raises(ClientError, match="zero-padding, which keeps cosine similarity; 256 would need truncation"):
        invoke(client, {"inputText": "x", "dimensions": 256})


def test_embeddings_are_semantically_sensible(embedder: TitanEmbedder) -> None:
    fees, cost, football = (
        np.array(v) for v in embedder.embed_documents(["tuition fees", "cost of studying", "football"])
    )
    assert fees @ cost > fees @ football + 0.2


def test_query_and_document_embeddings_agree(embedder: TitanEmbedder) -> None:
    query = np.array(embedder.embed_query("scholarship deadlines"))
    document = np.array(embedder.embed_documents(["scholarship deadlines"])[0])
    assert query @ document > 0.999


def test_a_batch_keeps_its_order(embedder: TitanEmbedder) -> None:
    texts = [f"Program number {i}: a master's degree in subject {i}." for i in range(24)]
    batch = np.array(embedder.embed_documents(texts))
    singles = np.array([embedder.embed_query(text) for text in texts[:3]])
    assert np.allclose(batch[:3], singles, atol=1e-4)
    assert all(np.argmax(batch @ batch[i]) == i for i in range(len(texts)))


def test_a_fan_out_of_one_text_calls_reaches_minilm_in_few_forward_passes(
    bedrock_emulator: BedrockEmulatorServer, embedder: TitanEmbedder, one_minilm_pass: None
) -> None:
    """Titan takes one text per InvokeModel: 48 concurrent calls over HTTP, merged by the emulator's MiniLM."""
    texts = [
        f"Scholarship {i}: students of faculty {i % 7} may apply before the deadline of week {i}." for i in range(48)
    ]
    fanned = bootstrap.build_embedder(Settings(embedding_dimensions=1024, embedding_batch_concurrency=48))
    model = bedrock_emulator.emulator._minilm
    before, texts_before = model.batches, model.batched_texts
    vectors = np.array(fanned.embed_documents(texts))
    passes, merged = model.batches - before, model.batched_texts - texts_before
    assert merged == len(texts)
    assert passes <= len(texts) // 6  # 6+ texts per forward pass on average, although each call carries one
    assert np.allclose(vectors[:2], np.array([embedder.embed_query(text) for text in texts[:2]]), atol=1e-4)


def test_response_is_titan_v2_shaped(client: Any) -> None:
    body = invoke(client, {"inputText": "Where do I apply?", "normalize": True, "embeddingTypes": ["float", "binary"]})
    assert body["inputTextTokenCount"] == 5
    assert body["embeddingsByType"]["float"] == body["embedding"]
    assert set(body["embeddingsByType"]["binary"]) <= {0, 1}
    assert len(body["embedding"]) == 1024  # Titan V2's size when `dimensions` is not sent


def test_normalize_false_returns_the_raw_vector(client: Any) -> None:
    raw = np.array(invoke(client, {"inputText": "campus housing", "normalize": False})["embedding"])
    unit = np.array(invoke(client, {"inputText": "campus housing"})["embedding"])
    assert abs(np.linalg.norm(raw) - 1.0) > 0.1
    assert np.allclose(raw / np.linalg.norm(raw), unit, atol=1e-5)


def test_the_foundation_model_arn_works_url_encoded(client: Any) -> None:
    arn = f"arn:aws:bedrock:us-east-1::foundation-model/{TITAN}"
    assert len(invoke(client, {"inputText": "hi"}, model_id=arn)["embedding"]) == 1024
    assert quote(arn, safe="") != arn  # botocore sends it percent-encoded


def test_dimension_mismatch_is_a_clear_error(bedrock_emulator: BedrockEmulatorServer) -> None:
    """384 is not a size Titan offers: the embedder sends no `dimensions`, Titan answers its default 1024."""
    minilm_sized = bootstrap.build_embedder(Settings(embedding_dimensions=384))
    with pytest.raises(EmbeddingDimensionError) as caught:
        minilm_sized.embed_documents(["tuition fees"])
    assert (caught.value.expected, caught.value.got) == (384, 1024)
    assert "amazon.titan-embed-text-v2:0" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"inputText": "x", "dimensions": 384}, "384 is not a valid enum value"),
        ({"inputText": ""}, "inputText"),
        ({"inputText": "x" * 50_001}, "expected maxLength: 50000"),
        ({"inputText": "x", "normalize": "yes"}, "normalize"),
    ],
)
def test_titan_validation_is_kept(client: Any, body: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as caught:
        invoke(client, body)
    error = caught.value.response
    assert error["Error"]["Code"] == "ValidationException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert message in error["Error"]["Message"]


def test_text_over_8192_tokens_is_refused_then_halved_by_the_embedder(client: Any, embedder: TitanEmbedder) -> None:
    text = " ".join(f"x{i}" for i in range(5000))  # ~10k WordPiece tokens in under 50,000 characters
    with pytest.raises(ClientError, match="Too many input tokens"):
        invoke(client, {"inputText": text})
    assert len(embedder.embed_query(text)) == 1024


@pytest.mark.parametrize(
    ("model_id", "code", "status"),
    [
        ("amazon.titan-embed-text-v1", "ResourceNotFoundException", 404),
        ("anthropic.claude-3-haiku-20240307-v1:0", "ValidationException", 400),
        ("not-a-model", "ValidationException", 400),
    ],
)
def test_other_models_fail_as_bedrock_fails(client: Any, model_id: str, code: str, status: int) -> None:
    with pytest.raises(ClientError) as caught:
        invoke(client, {"inputText": "hi"}, model_id=model_id)
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


def test_unknown_model_is_rejected_by_the_embedder(bedrock_emulator: BedrockEmulatorServer) -> None:
    wrong = bootstrap.build_embedder(Settings(embedding_model="amazon.titan-embed-text-v9:0"))
    with pytest.raises(EmbeddingRejected, match="ResourceNotFoundException"):
        wrong.embed_query("hi")


def test_throttling_over_http_is_retried(local_settings: Settings, bedrock_faults: Faults) -> None:
    bedrock_faults.fail_next("invoke", "ThrottlingException", times=2)
    embedder = TitanEmbedder(
        bootstrap.bedrock_runtime_client(local_settings),
        dimensions=1024,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01),
    )
    assert len(embedder.embed_query("hi")) == 1024
    assert bedrock_faults.served["invoke"] >= 2


def test_throttling_that_does_not_stop_is_reported(local_settings: Settings, bedrock_faults: Faults) -> None:
    bedrock_faults.fail_next("invoke", "ThrottlingException", times=3)
    embedder = TitanEmbedder(
        bootstrap.bedrock_runtime_client(local_settings),
        dimensions=1024,
        retry=RetryPolicy(max_attempts=3, base_delay=0.01),
    )
    with pytest.raises(EmbeddingUnavailable, match="ThrottlingException"):
        embedder.embed_query("hi")


def test_error_bodies_parse_with_a_plain_boto3_client(bedrock_emulator: BedrockEmulatorServer) -> None:
    plain = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=bedrock_emulator.url)
    with pytest.raises(plain.exceptions.ValidationException):
        plain.invoke_model(modelId="not-a-model", body=b"{}")
