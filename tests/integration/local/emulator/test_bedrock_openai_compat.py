"""OpenAICompatGenerator against a tiny OpenAI-compatible HTTP server started here (real sockets), directly and
behind the Bedrock emulator's Converse (what `platform up` does when CAMPUSBOT_LOCAL_LLM_URL is set)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from tests.fixtures.bedrock_emulator import emulator_server

from campusbot import bootstrap
from campusbot.llm.base import GenerationRequest, GeneratorRejected, GeneratorUnavailable
from campusbot.llm.openai_compat import OpenAICompatGenerator
from campusbot.llm.prompts import Passage, grounded_prompt
from campusbot.llm.retry import RetryPolicy
from campusbot.local.emulator.bedrock import BedrockEmulator
from campusbot.settings import Settings


class FakeOpenAI(ThreadingHTTPServer):
    """POST /v1/chat/completions: answers `reply`, or the queued statuses first; records request bodies."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        self.reply = "The residence costs 450 EUR per month [1]."

    def reset(self) -> None:
        self.requests.clear()
        self.statuses.clear()
        self.delay = 0.0


class _Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append({"path": self.path, **body})
        if self.server.delay:
            time.sleep(self.server.delay)
        if self.path != "/v1/chat/completions":
            return self._send(404, {"error": {"message": "not found"}})
        if body.get("model") == "missing":
            return self._send(404, {"error": {"message": 'model "missing" not found, try pulling it first'}})
        if self.server.statuses:
            return self._send(self.server.statuses.pop(0), {"error": {"message": "busy"}})
        return self._send(
            200,
            {
                "id": "chatcmpl-7",
                "object": "chat.completion",
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": self.server.reply},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 42, "completion_tokens": 11, "total_tokens": 53},
            },
        )

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI()
    thread = threading.Thread(target=server.serve_forever, name="fake-openai", daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def llm(fake_llm: FakeOpenAI) -> Iterator[FakeOpenAI]:
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


PASSAGES = [Passage("The university residence costs 450 EUR per month.", "Housing", "housing.md")]


def test_generates_over_real_http(llm: FakeOpenAI) -> None:
    generator = OpenAICompatGenerator(llm.url, "llama3.2", max_tokens=128, temperature=0.0)
    result = generator.generate(GenerationRequest.from_prompt(grounded_prompt("Residence cost?", PASSAGES)))

    assert result.text == llm.reply and result.model_id == "llama3.2"
    assert (result.input_tokens, result.output_tokens) == (42, 11)
    sent = llm.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["max_tokens"] == 128 and sent["stream"] is False
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert "<question>Residence cost?</question>" in sent["messages"][1]["content"]


def test_busy_server_is_retried_over_http(llm: FakeOpenAI) -> None:
    llm.statuses[:] = [503, 429]
    generator = OpenAICompatGenerator(llm.url, "llama3.2", retry=RetryPolicy(max_attempts=3, base_delay=0.01))
    assert generator.generate(GenerationRequest.from_text("hi")).attempts == 3
    assert len(llm.requests) == 3


def test_missing_model_is_rejected(llm: FakeOpenAI) -> None:
    generator = OpenAICompatGenerator(llm.url, "missing")
    with pytest.raises(GeneratorRejected, match="try pulling it first"):
        generator.generate(GenerationRequest.from_text("hi"))
    assert len(llm.requests) == 1


def test_a_server_slower_than_the_read_timeout_is_unavailable(llm: FakeOpenAI) -> None:
    llm.delay = 1.0
    generator = OpenAICompatGenerator(
        llm.url, "llama3.2", read_timeout=0.2, retry=RetryPolicy(max_attempts=2, base_delay=0.01)
    )
    with pytest.raises(GeneratorUnavailable, match="ReadTimeout"):
        generator.generate(GenerationRequest.from_text("hi"))


def test_nobody_listening_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    generator = OpenAICompatGenerator(
        f"http://127.0.0.1:{port}", "m", retry=RetryPolicy(max_attempts=2, base_delay=0.01)
    )
    with pytest.raises(GeneratorUnavailable, match="ConnectError"):
        generator.generate(GenerationRequest.from_text("hi"))


def test_the_emulator_answers_converse_from_the_local_llm_when_configured(
    llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        local_llm_url=llm.url + "/v1", local_llm_model="qwen2.5:3b", chat_max_tokens=99, chat_temperature=0.1
    )
    server = emulator_server(BedrockEmulator(bootstrap.build_local_generator(settings)))
    server.start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url)
        generator = bootstrap.build_generator(settings)
        result = generator.generate(GenerationRequest.from_prompt(grounded_prompt("Residence cost?", PASSAGES)))
    finally:
        server.stop()

    assert result.text == llm.reply and result.model_id == settings.chat_model
    assert (result.input_tokens, result.output_tokens) == (42, 11)
    sent = llm.requests[0]
    assert sent["model"] == "qwen2.5:3b" and sent["max_tokens"] == 99 and sent["temperature"] == 0.1
    assert sent["messages"][0]["role"] == "system" and "only the numbered documents" in sent["messages"][0]["content"]
