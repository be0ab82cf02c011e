"""`Generator` over any OpenAI-compatible `/v1/chat/completions` server (Ollama, llama.cpp, vLLM, LM Studio).

`base_url` may be the server root (`http://127.0.0.1:11434`), its `/v1` prefix or the full completions URL.
Throttling (429), 5xx, timeouts and connection failures are retried within the deadline, then raise
`GeneratorUnavailable`; other 4xx (unknown model, bad request) and non-OpenAI answers raise `GeneratorRejected`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from campusbot.llm.base import (
    END_TURN,
    MAX_TOKENS,
    STOP_SEQUENCE,
    Generation,
    GenerationRequest,
    GeneratorRejected,
    GeneratorUnavailable,
)
from campusbot.llm.retry import RetriesFailed, RetryPolicy, Verdict, call_with_retries

_FINISH_REASONS = {"stop": END_TURN, "length": MAX_TOKENS, "content_filter": "content_filtered", "eos": END_TURN}


def completions_url(base_url: str) -> str:
    url = base_url.strip().rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    if url.endswith("/v1"):
        return url + "/chat/completions"
    return url + "/v1/chat/completions"


class OpenAICompatGenerator:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        max_tokens: int = 400,
        temperature: float = 0.2,
        connect_timeout: float = 3.0,
        read_timeout: float = 12.0,
        api_key: str | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = completions_url(base_url)
        self._model = model
        self._max_tokens = max_tokens
        self._temperature = temperature
        self._retry = retry or RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=2.0)
        self._sleep = sleep
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout), headers=headers, transport=transport
        )

    @property
    def model_id(self) -> str:
        return self._model

    @property
    def url(self) -> str:
        return self._url

    def close(self) -> None:
        self._http.close()

    def payload(self, request: GenerationRequest) -> dict[str, Any]:
        messages = [{"role": "system", "content": request.system}] if request.system else []
        messages += [{"role": message.role, "content": message.text} for message in request.messages]
        return {
            "model": self._model,
            "messages": messages,
            "max_tokens": request.max_tokens or self._max_tokens,
            "temperature": self._temperature if request.temperature is None else request.temperature,
            "stream": False,
        }

    def generate(self, request: GenerationRequest) -> Generation:
        payload = self.payload(request)
        started = time.perf_counter()

        def call() -> httpx.Response:
            response = self._http.post(self._url, json=payload)
            response.raise_for_status()
            return response

        try:
            attempted = call_with_retries(call, self._retry, classify=_classify, sleep=self._sleep)
        except RetriesFailed as failed:
            kind = GeneratorRejected if failed.verdict == "rejected" else GeneratorUnavailable
            raise kind(
                f"local LLM {self._model!r} at {self._url} failed: {_describe(failed.cause)} "
                f"(after {failed.attempts} attempt{'s' if failed.attempts != 1 else ''})",
                model_id=self._model,
                code=failed.code,
            ) from failed.cause
        try:
            body = attempted.value.json()
            choice = body["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise GeneratorRejected(
                f"{self._url} did not answer like an OpenAI-compatible chat completions server",
                model_id=self._model,
                code="MalformedResponse",
            ) from exc
        usage = body.get("usage") or {}
        finish = str(choice.get("finish_reason") or "stop")
        return Generation(
            text=str(text).strip(),
            model_id=str(body.get("model") or self._model),
            stop_reason=_FINISH_REASONS.get(finish, STOP_SEQUENCE if finish == "stop_sequence" else finish),
            input_tokens=int(usage.get("prompt_tokens") or 0),
            output_tokens=int(usage.get("completion_tokens") or 0),
            latency_ms=(time.perf_counter() - started) * 1000,
            attempts=attempted.attempts,
        )


def _classify(exc: Exception) -> Verdict | None:
    if isinstance(exc, httpx.HTTPStatusError):
        status = exc.response.status_code
        return "retry" if status == 429 or status >= 500 else "rejected"
    if isinstance(exc, httpx.TransportError):  # connect/read timeouts, refused connections, protocol errors
        return "retry"
    return None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        detail = exc.response.text[:200].strip()
        return f"HTTP {exc.response.status_code}" + (f": {detail}" if detail else "")
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
