"""Bedrock runtime emulator: `InvokeModel` for Titan Text Embeddings V2 and `Converse`, on botocore's paths.

- `POST /model/{modelId}/invoke`: for Titan text embedding model ids (bare or as foundation-model ARN), the
  Titan V2 request/response format answered by all-MiniLM-L6-v2. `dimensions` is honoured as Titan honours it
  (1024 when absent, 512): MiniLM's 384 values followed by zeros, which keeps every cosine similarity and norm
  exactly; 256 would need truncation, which does not, so the emulator refuses it with a message. Titan's
  validation is kept: `inputText` 1..50,000 characters, at most 8,192 tokens, `dimensions` one of 256/512/1024
  (384 is refused as Titan refuses it). Other model ids fail as Bedrock fails.
- `POST /model/{modelId}/converse`: any model id, inference profile id or (URL-encoded) ARN; answered by the
  local `Generator` it is given (extractive, or an OpenAI-compatible server: bootstrap picks).
- Errors as botocore parses them (rest-json): the status code of the service model, `x-amzn-ErrorType`,
  and a JSON body with `message`.

`faults` lets tests make the next calls fail with any modelled error (e.g. throttling) or answer late (a
timeout for the client), so retries are exercised over real HTTP with unchanged boto3 clients. The same switch is
served to other processes (the fault suite against `platform up`) on the emulator's admin path
`/_campusbot/bedrock/faults`: `POST {"operation": "converse", "error": "ThrottlingException", "delay_seconds": 0,
"times": 1}` queues faults, `GET` shows what is queued and served, `DELETE` clears them.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from campusbot.llm.base import Generation, GenerationRequest, Generator, GeneratorRejected, GeneratorUnavailable
from campusbot.llm.base import Message as ChatMessage
from campusbot.local.emulator.minilm import MiniLM, shared

Operation = Literal["invoke", "converse"]

# Status codes from the bedrock-runtime service model (2023-09-30).
ERROR_STATUS = {
    "AccessDeniedException": 403,
    "InternalServerException": 500,
    "ModelErrorException": 424,
    "ModelNotReadyException": 429,
    "ModelTimeoutException": 408,
    "ResourceNotFoundException": 404,
    "ServiceQuotaExceededException": 400,
    "ServiceUnavailableException": 503,
    "ThrottlingException": 429,
    "ValidationException": 400,
}
DEFAULT_MESSAGES = {
    "ThrottlingException": "Too many requests, please wait before trying again.",
    "ServiceUnavailableException": "Bedrock is unable to process your request.",
    "ModelNotReadyException": "Model is not ready to serve inference requests.",
    "InternalServerException": "The server encountered an internal error.",
}

TITAN_V2 = "amazon.titan-embed-text-v2:0"
TITAN_DIMENSIONS = (256, 512, 1024)
TITAN_MAX_CHARS = 50_000
TITAN_MAX_TOKENS = 8192
_FOUNDATION_ARN = re.compile(r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]*::foundation-model/(?P<id>.+)$")
_PROVIDERS = ("anthropic.", "amazon.", "meta.", "mistral.", "cohere.", "ai21.", "deepseek.", "openai.", "qwen.")
# Claude 4.5 and later reject temperature and topP in the same request (see shared/reference/aws_formats.md §5.1).
_NO_TEMPERATURE_WITH_TOP_P = re.compile(r"anthropic\.claude-(sonnet|haiku|opus)-4-([5-9]|\d{2})")


class BedrockError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = ERROR_STATUS.get(code, 400)


@dataclass(frozen=True)
class _Fault:
    code: str | None  # None: answer normally, after the delay
    message: str
    delay: float = 0.0  # seconds to wait before answering (longer than the client's read timeout: a timeout)


class FaultRequest(BaseModel):
    """The admin switch's body: the next `times` calls of `operation` wait `delay_seconds`, then fail with
    `error` (a bedrock-runtime error code) or, without one, answer normally."""

    operation: Operation
    error: str | None = None
    delay_seconds: float = Field(0.0, ge=0, le=600)
    times: int = Field(1, ge=1, le=10_000)


class Faults:
    """Errors to return instead of answering, per operation, first in first out (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, deque[_Fault]] = {"invoke": deque(), "converse": deque()}
        self.served: dict[str, int] = {"invoke": 0, "converse": 0}

    def fail_next(self, operation: Operation, code: str = "ThrottlingException", *, times: int = 1) -> None:
        self.queue(operation, code, times=times)

    def slow_next(self, operation: Operation, seconds: float, *, times: int = 1, code: str | None = None) -> None:
        """The next calls answer after `seconds` (then fail with `code` when given): Bedrock being slow."""
        self.queue(operation, code, delay=seconds, times=times)

    def queue(self, operation: Operation, code: str | None, *, delay: float = 0.0, times: int = 1) -> None:
        if code is not None and code not in ERROR_STATUS:
            raise ValueError(f"{code} is not a bedrock-runtime error")
        message = DEFAULT_MESSAGES.get(code, code) if code is not None else ""
        with self._lock:
            self._pending[operation].extend(_Fault(code, message, delay) for _ in range(times))

    def pending(self) -> dict[str, int]:
        with self._lock:
            return {operation: len(queued) for operation, queued in self._pending.items()}

    def clear(self) -> None:
        with self._lock:
            for pending in self._pending.values():
                pending.clear()

    def take(self, operation: Operation) -> _Fault | None:
        with self._lock:
            pending = self._pending[operation]
            if not pending:
                return None
            self.served[operation] += 1
            return pending.popleft()


class BedrockEmulator:
    name = "bedrock"

    def __init__(
        self,
        generator: Generator,
        *,
        minilm: MiniLM | None = None,
        faults: Faults | None = None,
        warm_on_start: bool = False,
        warm_delay_seconds: float = 0.0,
    ) -> None:
        self._generator = generator
        self._minilm = minilm or shared()
        self._warm_on_start = warm_on_start
        self._warm_delay = warm_delay_seconds
        self.faults = faults or Faults()

    def warm(self) -> None:
        """Load MiniLM now, blocking (5-20 s on a laptop CPU, imports included); later calls return at once."""
        self._minilm.load()

    def _warm_later(self) -> None:
        time.sleep(self._warm_delay)
        self._minilm.load()

    def router(self) -> APIRouter:
        """The botocore paths; with `warm_on_start`, MiniLM starts loading in the background after
        `warm_delay_seconds`, so the first InvokeModel does not pay the cold start (it waits for the load already under
        way, or starts it), and what a start needs first (the other processes' imports, the first Lex turn: the NLU
        has its own numpy MiniLM) does not share the CPU with torch's import."""
        if self._warm_on_start and not self._minilm.loaded:
            threading.Thread(target=self._warm_later, name="minilm-warm", daemon=True).start()
        router = APIRouter()

        @router.post("/model/{model_id:path}/invoke")
        async def invoke_model(model_id: str, request: Request) -> Response:
            body = await request.body()
            content_type = request.headers.get("content-type", "application/json")
            return await self._call("invoke", lambda: self.invoke(model_id, body, content_type))

        @router.post("/model/{model_id:path}/converse")
        async def converse(model_id: str, request: Request) -> Response:
            body = await request.body()
            return await self._call("converse", lambda: self.converse(model_id, body))

        @router.post("/_campusbot/bedrock/faults", status_code=202)
        async def queue_faults(fault: FaultRequest) -> dict[str, Any]:
            try:
                self.faults.queue(fault.operation, fault.error, delay=fault.delay_seconds, times=fault.times)
            except ValueError as exc:
                raise HTTPException(400, str(exc)) from exc
            return self._fault_state()

        @router.get("/_campusbot/bedrock/faults")
        async def show_faults() -> dict[str, Any]:
            return self._fault_state()

        @router.delete("/_campusbot/bedrock/faults")
        async def clear_faults() -> dict[str, Any]:
            self.faults.clear()
            return self._fault_state()

        return router

    def _fault_state(self) -> dict[str, Any]:
        return {"pending": self.faults.pending(), "served": dict(self.faults.served)}

    async def _call(self, operation: Operation, work: Callable[[], dict[str, Any]]) -> Response:
        request_id = str(uuid.uuid4())
        try:
            fault = self.faults.take(operation)
            if fault is not None and fault.delay:
                await asyncio.sleep(fault.delay)
            if fault is not None and fault.code is not None:
                raise BedrockError(fault.code, fault.message)
            payload = await run_in_threadpool(work)
        except BedrockError as exc:
            return JSONResponse(
                {"message": exc.message},
                status_code=exc.status,
                headers={
                    "x-amzn-ErrorType": f"{exc.code}:http://internal.amazon.com/coral/com.amazon.bedrock/",
                    "x-amzn-RequestId": request_id,
                },
            )
        return JSONResponse(payload, headers={"x-amzn-RequestId": request_id})

    # InvokeModel ---------------------------------------------------------------------------------------------

    def invoke(self, model_id: str, raw: bytes, content_type: str = "application/json") -> dict[str, Any]:
        base_id = _base_model_id(model_id)
        if not base_id.startswith("amazon.titan-embed-text"):
            if base_id.startswith(_PROVIDERS):
                raise BedrockError(
                    "ValidationException",
                    f"The local Bedrock emulator answers InvokeModel only for Titan Text Embeddings V2 ({TITAN_V2}); "
                    f"use Converse for {model_id}.",
                )
            raise BedrockError("ValidationException", "The provided model identifier is invalid.")
        if base_id != TITAN_V2:
            raise BedrockError(
                "ResourceNotFoundException",
                f"Could not resolve the foundation model from the provided model identifier {model_id}; "
                f"the local emulator serves {TITAN_V2}.",
            )
        if "json" not in content_type:
            raise BedrockError("ValidationException", "Malformed input request: the body must be application/json.")
        body = _json_object(raw)
        return self._titan_embedding(body)

    def _titan_embedding(self, body: dict[str, Any]) -> dict[str, Any]:
        text = body.get("inputText")
        if not isinstance(text, str) or not text:
            raise BedrockError(
                "ValidationException", "Malformed input request: #: required key [inputText] not found or empty"
            )
        if len(text) > TITAN_MAX_CHARS:
            raise BedrockError(
                "ValidationException",
                f"Malformed input request: #/inputText: expected maxLength: {TITAN_MAX_CHARS}, actual: {len(text)}, "
                "please reformat your input and try again.",
            )
        dimensions = body.get("dimensions", 1024)
        if dimensions not in TITAN_DIMENSIONS or isinstance(dimensions, bool):
            raise BedrockError(
                "ValidationException", f"Malformed input request: #/dimensions: {dimensions} is not a valid enum value"
            )
        normalize = body.get("normalize", True)
        if not isinstance(normalize, bool):
            raise BedrockError("ValidationException", "Malformed input request: #/normalize: expected type: Boolean")
        types = body.get("embeddingTypes", ["float"])
        if not isinstance(types, list) or not types or not set(types) <= {"float", "binary"}:
            raise BedrockError(
                "ValidationException", "Malformed input request: #/embeddingTypes: expected float and/or binary"
            )
        tokens = self._minilm.count_tokens(text)
        if tokens > TITAN_MAX_TOKENS:
            raise BedrockError(
                "ValidationException",
                f"400 Bad Request: Too many input tokens. Max input tokens: {TITAN_MAX_TOKENS}, "
                f"request input token count: {tokens}",
            )
        vector = _padded(self._minilm.embed(text, normalize=normalize), int(dimensions))
        by_type: dict[str, Any] = {}
        if "float" in types:
            by_type["float"] = vector
        if "binary" in types:
            by_type["binary"] = [1 if value > 0 else 0 for value in vector]
        response: dict[str, Any] = {"inputTextTokenCount": tokens, "embeddingsByType": by_type}
        if "float" in types:
            response["embedding"] = vector
        return response

    # Converse ------------------------------------------------------------------------------------------------

    def converse(self, model_id: str, raw: bytes) -> dict[str, Any]:
        started = time.perf_counter()
        request = _generation_request(model_id, _json_object(raw))
        try:
            generation = self._generator.generate(request)
        except GeneratorUnavailable as exc:
            raise BedrockError("ServiceUnavailableException", f"local generator unavailable: {exc}") from exc
        except GeneratorRejected as exc:
            raise BedrockError("ValidationException", f"local generator rejected the request: {exc}") from exc
        return _converse_response(generation, started)


def _padded(vector: list[float], dimensions: int) -> list[float]:
    """MiniLM's vector in Titan's requested size: zeros appended (dot products and norms are unchanged)."""
    if dimensions < len(vector):
        raise BedrockError(
            "ValidationException",
            f"the local emulator makes Titan's {dimensions}-dimensional embeddings from all-MiniLM-L6-v2's "
            f"{len(vector)} dimensions by zero-padding, which keeps cosine similarity; {dimensions} would need "
            "truncation, which does not: use 512 or 1024 locally",
        )
    return [*vector, *([0.0] * (dimensions - len(vector)))]


def _base_model_id(model_id: str) -> str:
    match = _FOUNDATION_ARN.match(model_id)
    return match.group("id") if match else model_id


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BedrockError("ValidationException", f"Malformed input request: {exc}") from exc
    if not isinstance(body, dict):
        raise BedrockError("ValidationException", "Malformed input request: expected a JSON object")
    return body


def _generation_request(model_id: str, body: dict[str, Any]) -> GenerationRequest:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BedrockError("ValidationException", "The messages field is required and must not be empty.")
    turns: list[ChatMessage] = []
    for number, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in ("user", "assistant"):
            raise BedrockError("ValidationException", f"messages.{number}.role must be user or assistant")
        content = message.get("content")
        if not isinstance(content, list) or not content:
            raise BedrockError("ValidationException", f"messages.{number}.content must be a non-empty list")
        text = "".join(block["text"] for block in content if isinstance(block, dict) and "text" in block)
        turns.append(ChatMessage(role, text))
    if turns[0].role != "user":
        raise BedrockError("ValidationException", "A conversation must start with a user message.")
    system = "\n\n".join(
        block["text"] for block in body.get("system") or [] if isinstance(block, dict) and "text" in block
    )
    config = body.get("inferenceConfig") or {}
    if not isinstance(config, dict):
        raise BedrockError("ValidationException", "inferenceConfig must be an object")
    max_tokens = config.get("maxTokens")
    temperature = config.get("temperature")
    if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
        raise BedrockError("ValidationException", "inferenceConfig.maxTokens must be at least 1")
    if temperature is not None and (not isinstance(temperature, int | float) or not 0 <= temperature <= 1):
        raise BedrockError("ValidationException", "inferenceConfig.temperature must be between 0 and 1")
    if temperature is not None and config.get("topP") is not None and _NO_TEMPERATURE_WITH_TOP_P.search(model_id):
        raise BedrockError("ValidationException", "temperature and top_p cannot both be specified for this model.")
    return GenerationRequest(
        messages=tuple(turns),
        system=system,
        max_tokens=max_tokens,
        temperature=float(temperature) if temperature is not None else None,
    )


def _converse_response(generation: Generation, started: float) -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": generation.text}]}},
        "stopReason": generation.stop_reason,
        "usage": {
            "inputTokens": generation.input_tokens,
            "outputTokens": generation.output_tokens,
            "totalTokens": generation.input_tokens + generation.output_tokens,
        },
        "metrics": {"latencyMs": round((time.perf_counter() - started) * 1000)},
    }
