"""OpenAICompatGenerator over httpx's in-memory transport (no sockets); real HTTP is in tests/integration."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from campusbot.llm.base import GenerationRequest, GeneratorRejected, GeneratorUnavailable
from campusbot.llm.openai_compat import OpenAICompatGenerator, completions_url
from campusbot.llm.retry import RetryPolicy


class FakeServer:
    """Answers /v1/chat/completions with queued responses and records the requests."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.responses.pop(0)

    def body(self, index: int = 0) -> Any:
        return json.loads(self.requests[index].content)


def completion(text: str = "Hello [1].", finish: str = "stop") -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "model": "llama3.2:3b",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
            "usage": {"prompt_tokens": 31, "completion_tokens": 4, "total_tokens": 35},
        },
    )


def generator(server: FakeServer, **kwargs: Any) -> tuple[OpenAICompatGenerator, list[float]]:
    pauses: list[float] = []
    gen = OpenAICompatGenerator(
        "http://llm.test:11434",
        "llama3.2",
        transport=httpx.MockTransport(server),
        retry=RetryPolicy(max_attempts=3),
        sleep=pauses.append,
        **kwargs,
    )
    return gen, pauses


@pytest.mark.parametrize(
    "base",
    ["http://h:11434", "http://h:11434/", "http://h:11434/v1", "http://h:11434/v1/chat/completions"],
)
def test_any_form_of_the_base_url_reaches_chat_completions(base: str) -> None:
    assert completions_url(base) == "http://h:11434/v1/chat/completions"


def test_request_and_response_mapping() -> None:
    server = FakeServer(completion())
    gen, _ = generator(server, max_tokens=300, temperature=0.1, api_key="sk-local")

    result = gen.generate(GenerationRequest.from_text("<question>hi</question>", "Be brief."))

    assert str(server.requests[0].url) == "http://llm.test:11434/v1/chat/completions"
    assert server.requests[0].headers["authorization"] == "Bearer sk-local"
    assert server.body() == {
        "model": "llama3.2",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "<question>hi</question>"},
        ],
        "max_tokens": 300,
        "temperature": 0.1,
        "stream": False,
    }
    assert (result.text, result.model_id, result.stop_reason) == ("Hello [1].", "llama3.2:3b", "end_turn")
    assert (result.input_tokens, result.output_tokens, result.attempts) == (31, 4, 1)


def test_length_finish_is_max_tokens() -> None:
    gen, _ = generator(FakeServer(completion(finish="length")))
    assert gen.generate(GenerationRequest.from_text("q")).stop_reason == "max_tokens"


def test_busy_server_is_retried() -> None:
    server = FakeServer(httpx.Response(429, text="busy"), httpx.Response(503), completion())
    gen, pauses = generator(server)
    assert gen.generate(GenerationRequest.from_text("q")).attempts == 3
    assert len(pauses) == 2


def test_a_server_down_for_good_is_unavailable() -> None:
    server = FakeServer(*[httpx.Response(500, text="boom")] * 3)
    gen, _ = generator(server)
    with pytest.raises(GeneratorUnavailable, match=r"HTTP 500: boom \(after 3 attempts\)"):
        gen.generate(GenerationRequest.from_text("q"))


def test_unreachable_server_is_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    gen = OpenAICompatGenerator(
        "http://llm.test",
        "m",
        transport=httpx.MockTransport(refuse),
        retry=RetryPolicy(max_attempts=2),
        sleep=lambda _: None,
    )
    with pytest.raises(GeneratorUnavailable, match="ConnectError"):
        gen.generate(GenerationRequest.from_text("q"))


def test_unknown_model_is_rejected_without_retry() -> None:
    server = FakeServer(
        httpx.Response(404, json={"error": {"message": 'model "nope" not found, try pulling it first'}})
    )
    gen, pauses = generator(server)
    with pytest.raises(GeneratorRejected, match="not found"):
        gen.generate(GenerationRequest.from_text("q"))
    assert pauses == []


def test_a_server_that_is_not_openai_compatible_is_rejected() -> None:
    gen, _ = generator(FakeServer(httpx.Response(200, text="<html>hello</html>")))
    with pytest.raises(GeneratorRejected, match="OpenAI-compatible"):
        gen.generate(GenerationRequest.from_text("q"))
