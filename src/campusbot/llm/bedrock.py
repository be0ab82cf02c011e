"""`Generator` over Bedrock's Converse API (Claude or any Converse model; model id, inference profile id or ARN).

The model id is free text from settings (`CAMPUSBOT_CHAT_MODEL`), sent as is: Claude 3.5 v2 and later need an
inference profile (`us.anthropic.claude-…`, `global.…`) or its ARN. Only `temperature` is sent, never `topP`
(Claude 4.5+ rejects both in one request). Latency is kept inside Lex's 30 s: the client's read timeout bounds
one attempt, `maxTokens` bounds the generation, and retries stop when another attempt could overrun the
deadline (`campusbot.llm.retry`). With a `Guardrail` (prod: the bedrock module's guardrail, through
`CAMPUSBOT_BEDROCK_GUARDRAIL_ID` / `_VERSION`) every Converse call carries its `guardrailConfig`; without one
(locally, dev) none is sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from campusbot.llm.base import Generation, GenerationRequest, GeneratorRejected, GeneratorUnavailable
from campusbot.llm.retry import RetriesFailed, RetryPolicy, call_with_retries

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
    from mypy_boto3_bedrock_runtime.type_defs import ConverseRequestTypeDef, ConverseResponseTypeDef


@dataclass(frozen=True)
class Guardrail:
    """A Bedrock guardrail Converse applies to the input and the answer: its id (or ARN) and a version."""

    identifier: str
    version: str


class BedrockGenerator:
    def __init__(
        self,
        client: BedrockRuntimeClient,
        model_id: str,
        *,
        max_tokens: int = 400,
        temperature: float = 0.2,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        guardrail: Guardrail | None = None,
    ) -> None:
        if not model_id.strip():
            raise ValueError("a Bedrock chat model id (CAMPUSBOT_CHAT_MODEL) is required")
        self._client = client
        self._model_id = model_id.strip()
        self._max_tokens = max_tokens
        self._temperature = temperature
        self._retry = retry or RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=2.0)
        self._sleep = sleep
        self._guardrail = guardrail

    @property
    def model_id(self) -> str:
        return self._model_id

    def converse_params(self, request: GenerationRequest) -> ConverseRequestTypeDef:
        """The `converse` keyword arguments for `request` (exposed for tests and logging)."""
        params: ConverseRequestTypeDef = {
            "modelId": self._model_id,
            "messages": [{"role": message.role, "content": [{"text": message.text}]} for message in request.messages],
            "inferenceConfig": {
                "maxTokens": request.max_tokens or self._max_tokens,
                "temperature": self._temperature if request.temperature is None else request.temperature,
            },
        }
        if request.system:
            params["system"] = [{"text": request.system}]
        if self._guardrail is not None:
            params["guardrailConfig"] = {
                "guardrailIdentifier": self._guardrail.identifier,
                "guardrailVersion": self._guardrail.version,
            }
        return params

    def generate(self, request: GenerationRequest) -> Generation:
        params = self.converse_params(request)
        started = time.perf_counter()
        try:
            attempted = call_with_retries(lambda: self._client.converse(**params), self._retry, sleep=self._sleep)
        except RetriesFailed as failed:
            kind = GeneratorRejected if failed.verdict == "rejected" else GeneratorUnavailable
            raise kind(
                f"Bedrock Converse with {self._model_id!r} failed: {failed}", model_id=self._model_id, code=failed.code
            ) from failed.cause
        return _generation(attempted.value, self._model_id, started, attempted.attempts)


def _generation(response: ConverseResponseTypeDef, model_id: str, started: float, attempts: int) -> Generation:
    message: Any = response.get("output", {}).get("message", {})
    # Join every text block: content[0] may be reasoningContent or toolUse.
    text = "".join(block["text"] for block in message.get("content", []) if "text" in block)
    usage: Any = response.get("usage", {})
    return Generation(
        text=text.strip(),
        model_id=model_id,
        stop_reason=str(response.get("stopReason", "end_turn")),
        input_tokens=int(usage.get("inputTokens", 0)),
        output_tokens=int(usage.get("outputTokens", 0)),
        latency_ms=(time.perf_counter() - started) * 1000,  # what the caller waited, retries included
        attempts=attempts,
    )
