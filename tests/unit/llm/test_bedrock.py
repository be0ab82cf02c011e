"""BedrockGenerator against a real bedrock-runtime client with botocore's Stubber: the Converse request is
validated against the service model and compared field by field. No network."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from tests.fixtures.bedrock_stub import stubbed_bedrock_runtime

from campusbot.llm.base import GenerationRequest, GeneratorRejected, GeneratorUnavailable, Message
from campusbot.llm.bedrock import BedrockGenerator, Guardrail
from campusbot.llm.retry import RetryPolicy

PROFILE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
PROFILE_ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0"


@pytest.fixture
def client() -> Any:
    return stubbed_bedrock_runtime()


@pytest.fixture
def stubber(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stub:
        yield stub
        stub.assert_no_pending_responses()


def converse_response(*content: dict[str, Any], stop: str = "end_turn") -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": list(content) or [{"text": "Tuition is 12k [1]."}]}},
        "stopReason": stop,
        "usage": {"inputTokens": 120, "outputTokens": 9, "totalTokens": 129},
        "metrics": {"latencyMs": 640},
    }


def generator(client: Any, model_id: str = PROFILE, attempts: int = 3) -> tuple[BedrockGenerator, list[float]]:
    pauses: list[float] = []
    gen = BedrockGenerator(
        client, model_id, max_tokens=400, temperature=0.2, retry=RetryPolicy(max_attempts=attempts), sleep=pauses.append
    )
    return gen, pauses


def test_converse_request_shape(client: Any, stubber: Stubber) -> None:
    expected = {
        "modelId": PROFILE,
        "messages": [{"role": "user", "content": [{"text": "<question>fees?</question>"}]}],
        "system": [{"text": "Answer from the documents."}],
        "inferenceConfig": {"maxTokens": 400, "temperature": 0.2},
    }
    stubber.add_response("converse", converse_response(), expected)

    result = generator(client)[0].generate(
        GenerationRequest.from_text("<question>fees?</question>", "Answer from the documents.")
    )

    assert result.text == "Tuition is 12k [1]."
    assert (result.model_id, result.stop_reason, result.input_tokens, result.output_tokens) == (
        PROFILE,
        "end_turn",
        120,
        9,
    )
    assert result.attempts == 1 and result.latency_ms >= 0


def test_request_overrides_and_multi_turn_without_system(client: Any, stubber: Stubber) -> None:
    expected = {
        "modelId": PROFILE_ARN,
        "messages": [
            {"role": "user", "content": [{"text": "hi"}]},
            {"role": "assistant", "content": [{"text": "hello"}]},
            {"role": "user", "content": [{"text": "fees?"}]},
        ],
        "inferenceConfig": {"maxTokens": 50, "temperature": 0.0},
    }
    stubber.add_response("converse", converse_response(), expected)
    request = GenerationRequest(
        (Message("user", "hi"), Message("assistant", "hello"), Message("user", "fees?")), max_tokens=50, temperature=0.0
    )
    generator(client, PROFILE_ARN)[0].generate(request)


def test_top_p_is_never_sent(client: Any) -> None:
    params = generator(client)[0].converse_params(GenerationRequest.from_text("q"))
    assert set(params["inferenceConfig"]) == {"maxTokens", "temperature"}


def test_every_text_block_is_joined_and_others_skipped(client: Any, stubber: Stubber) -> None:
    reasoning = {"reasoningContent": {"reasoningText": {"text": "thinking...", "signature": "s"}}}
    stubber.add_response("converse", converse_response(reasoning, {"text": "Part one. "}, {"text": "Part two."}))
    assert generator(client)[0].generate(GenerationRequest.from_text("q")).text == "Part one. Part two."


def test_max_tokens_stop_reason_is_reported(client: Any, stubber: Stubber) -> None:
    stubber.add_response("converse", converse_response(stop="max_tokens"))
    assert generator(client)[0].generate(GenerationRequest.from_text("q")).stop_reason == "max_tokens"


def test_throttling_then_success_is_retried(client: Any, stubber: Stubber) -> None:
    stubber.add_client_error("converse", "ThrottlingException", "Too many requests", http_status_code=429)
    stubber.add_response("converse", converse_response())
    gen, pauses = generator(client)

    result = gen.generate(GenerationRequest.from_text("q"))

    assert result.attempts == 2 and len(pauses) == 1


@pytest.mark.parametrize(
    ("code", "status"),
    [("ThrottlingException", 429), ("ServiceUnavailableException", 503), ("ModelNotReadyException", 429)],
)
def test_repeated_transient_errors_raise_unavailable_after_the_bounded_attempts(
    client: Any, stubber: Stubber, code: str, status: int
) -> None:
    for _ in range(3):
        stubber.add_client_error("converse", code, "busy", http_status_code=status)
    gen, pauses = generator(client, attempts=3)

    with pytest.raises(GeneratorUnavailable) as caught:
        gen.generate(GenerationRequest.from_text("q"))

    assert (caught.value.code, caught.value.model_id) == (code, PROFILE)
    assert "after 3 attempts" in str(caught.value) and len(pauses) == 2


def test_model_timeout_is_unavailable_without_retry(client: Any, stubber: Stubber) -> None:
    stubber.add_client_error("converse", "ModelTimeoutException", "took too long", http_status_code=408)
    gen, pauses = generator(client)
    with pytest.raises(GeneratorUnavailable):
        gen.generate(GenerationRequest.from_text("q"))
    assert pauses == []


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("ValidationException", 400, "Invocation of model ID with on-demand throughput isn't supported."),
        ("AccessDeniedException", 403, "You don't have access to the model with the specified model ID."),
        ("ResourceNotFoundException", 404, "Model not found"),
    ],
)
def test_configuration_errors_are_rejected_at_once(
    client: Any, stubber: Stubber, code: str, status: int, message: str
) -> None:
    stubber.add_client_error("converse", code, message, http_status_code=status)
    gen, pauses = generator(client)

    with pytest.raises(GeneratorRejected) as caught:
        gen.generate(GenerationRequest.from_text("q"))

    assert caught.value.code == code and message in str(caught.value) and PROFILE in str(caught.value)
    assert pauses == []


def test_model_id_is_required(client: Any) -> None:
    with pytest.raises(ValueError, match="CAMPUSBOT_CHAT_MODEL"):
        BedrockGenerator(client, "  ")


def test_requests_are_checked_before_sending() -> None:
    with pytest.raises(ValueError):
        GenerationRequest(())
    with pytest.raises(ValueError):
        GenerationRequest((Message("assistant", "hi"),))
    with pytest.raises(ValueError):
        GenerationRequest.from_text("q", temperature=1.5)


# -- the guardrail (issue 11: prod created one that Converse never applied) -------------------------------


GUARDRAIL = Guardrail("gr7x2k9q1abc", "3")


def test_the_guardrail_goes_with_every_converse_call(client: Any, stubber: Stubber) -> None:
    expected = {
        "modelId": PROFILE,
        "messages": [{"role": "user", "content": [{"text": "fees?"}]}],
        "inferenceConfig": {"maxTokens": 400, "temperature": 0.2},
        "guardrailConfig": {"guardrailIdentifier": "gr7x2k9q1abc", "guardrailVersion": "3"},
    }
    blocked = converse_response({"text": "Sorry, I can't help with that."}, stop="guardrail_intervened")
    stubber.add_response("converse", blocked, expected)  # the request is validated against the service model
    gen = BedrockGenerator(client, PROFILE, max_tokens=400, temperature=0.2, guardrail=GUARDRAIL)

    result = gen.generate(GenerationRequest.from_text("fees?"))

    assert (result.text, result.stop_reason) == ("Sorry, I can't help with that.", "guardrail_intervened")


def test_without_a_guardrail_none_is_sent(client: Any, stubber: Stubber) -> None:
    expected = {
        "modelId": PROFILE,
        "messages": [{"role": "user", "content": [{"text": "fees?"}]}],
        "inferenceConfig": {"maxTokens": 400, "temperature": 0.2},
    }
    stubber.add_response("converse", converse_response(), expected)
    generator(client)[0].generate(GenerationRequest.from_text("fees?"))
