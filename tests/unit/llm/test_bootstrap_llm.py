"""bootstrap picks the embedding and generation adapters from Settings (no calls are made here)."""

from __future__ import annotations

import pytest

from campusbot import bootstrap
from campusbot.knowledge.embeddings import TitanEmbedder
from campusbot.llm.base import GenerationRequest
from campusbot.llm.bedrock import BedrockGenerator
from campusbot.llm.extractive import ExtractiveGenerator
from campusbot.llm.openai_compat import OpenAICompatGenerator
from campusbot.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings(chat_model="global.anthropic.claude-haiku-4-5-20251001-v1:0", embedding_dimensions=1024)


def test_embedder_is_titan_with_the_configured_model_and_dimensions(settings: Settings) -> None:
    embedder = bootstrap.build_embedder(settings)
    assert isinstance(embedder, TitanEmbedder)
    assert (embedder.model_id, embedder.dimensions) == ("amazon.titan-embed-text-v2:0", 1024)


def test_generator_is_bedrock_with_the_free_text_model_id(settings: Settings) -> None:
    generator = bootstrap.build_generator(settings)
    assert isinstance(generator, BedrockGenerator)
    assert generator.model_id == "global.anthropic.claude-haiku-4-5-20251001-v1:0"


def test_client_keeps_one_attempt_per_call_and_the_lex_budget(settings: Settings) -> None:
    client = bootstrap.bedrock_runtime_client(settings)
    config = client.meta.config
    assert config.retries == {"mode": "adaptive", "total_max_attempts": 1}
    assert (config.connect_timeout, config.read_timeout) == (3.0, 12.0)
    assert settings.chat_deadline_seconds < settings.assist_timeout_seconds < 30


def test_client_endpoint_comes_from_the_standard_variable(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:4567")
    assert bootstrap.bedrock_runtime_client(settings).meta.endpoint_url == "http://127.0.0.1:4567"


def test_local_generator_is_extractive_without_a_local_llm(settings: Settings) -> None:
    assert isinstance(bootstrap.build_local_generator(settings), ExtractiveGenerator)


def test_local_generator_is_openai_compatible_when_a_url_is_set() -> None:
    generator = bootstrap.build_local_generator(
        Settings(local_llm_url="http://127.0.0.1:11434", local_llm_model="qwen2.5:3b")
    )
    assert isinstance(generator, OpenAICompatGenerator)
    assert (generator.url, generator.model_id) == ("http://127.0.0.1:11434/v1/chat/completions", "qwen2.5:3b")


def test_the_guardrail_of_the_settings_reaches_converse(settings: Settings) -> None:
    guarded = settings.model_copy(update={"bedrock_guardrail_id": "gr7x2k9q1abc", "bedrock_guardrail_version": "3"})
    generator = bootstrap.build_generator(guarded)
    assert isinstance(generator, BedrockGenerator)
    params = generator.converse_params(GenerationRequest.from_text("fees?"))
    assert params.get("guardrailConfig") == {"guardrailIdentifier": "gr7x2k9q1abc", "guardrailVersion": "3"}
    local = bootstrap.build_generator(settings)
    assert isinstance(local, BedrockGenerator)
    assert "guardrailConfig" not in local.converse_params(GenerationRequest.from_text("fees?"))


def test_a_guardrail_id_without_its_version_is_refused(settings: Settings) -> None:
    with pytest.raises(ValueError, match="CAMPUSBOT_BEDROCK_GUARDRAIL_VERSION"):
        bootstrap.build_generator(settings.model_copy(update={"bedrock_guardrail_id": "gr7x2k9q1abc"}))
