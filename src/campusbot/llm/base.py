"""The Generator port: a typed request in, a typed generation out, two kinds of failure.

Adapters (`bedrock.BedrockGenerator`, `openai_compat.OpenAICompatGenerator`, `extractive.ExtractiveGenerator`)
implement it; `campusbot.bootstrap` is the only place that picks one. Calls are synchronous (boto3 is): an async
caller runs them with `await asyncio.to_thread(generator.generate, request)`.

Failures callers must handle:
- `GeneratorUnavailable`: throttled, timed out, 5xx or unreachable after the adapter's bounded retries.
  Transient; the caller degrades (e.g. an honest "I don't know" with the closest documents).
- `GeneratorRejected`: the request or the configuration is wrong (validation, unknown model id, no access,
  no credentials). Retrying will not help; the message says what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

Role = Literal["user", "assistant"]

# Stop reasons, in Bedrock Converse's vocabulary (adapters translate theirs to these).
END_TURN = "end_turn"
MAX_TOKENS = "max_tokens"
STOP_SEQUENCE = "stop_sequence"


@dataclass(frozen=True)
class Message:
    role: Role
    text: str


@dataclass(frozen=True)
class GenerationRequest:
    """What to generate from. `max_tokens`/`temperature` None = the adapter's configured default."""

    messages: tuple[Message, ...]
    system: str = ""
    max_tokens: int | None = None
    temperature: float | None = None

    def __post_init__(self) -> None:
        if not self.messages:
            raise ValueError("a generation request needs at least one message")
        if self.messages[0].role != "user":
            raise ValueError("the first message of a generation request must be the user's")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError("max_tokens must be at least 1")
        if self.temperature is not None and not 0.0 <= self.temperature <= 1.0:
            raise ValueError("temperature must be between 0 and 1")

    @classmethod
    def from_text(
        cls,
        user_text: str,
        system: str = "",
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> GenerationRequest:
        """A single user turn with an optional system prompt."""
        return cls((Message("user", user_text),), system, max_tokens, temperature)

    @classmethod
    def from_prompt(
        cls,
        prompt: tuple[str, str],
        *,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> GenerationRequest:
        """From a `(system, user_text)` pair as `prompts.grounded_prompt` / `prompts.general_prompt` return it."""
        system, user_text = prompt
        return cls.from_text(user_text, system, max_tokens=max_tokens, temperature=temperature)

    @property
    def last_user_text(self) -> str:
        return next(message.text for message in reversed(self.messages) if message.role == "user")


@dataclass(frozen=True)
class Generation:
    text: str
    model_id: str
    stop_reason: str = END_TURN
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: float = 0.0  # wall time the caller waited, retries included
    attempts: int = field(default=1, compare=False)  # calls made to the backend (1 = no retry)


class Generator(Protocol):
    """Generates text from a request; one implementation per backend, chosen in bootstrap."""

    @property
    def model_id(self) -> str: ...

    def generate(self, request: GenerationRequest) -> Generation: ...


class GeneratorError(Exception):
    """Base of the generator failures; `model_id` names the model that failed."""

    def __init__(self, message: str, *, model_id: str = "", code: str = "") -> None:
        super().__init__(message)
        self.model_id = model_id
        self.code = code


class GeneratorUnavailable(GeneratorError):
    """Throttling, timeouts, 5xx or an unreachable server, after the bounded retries. Transient."""


class GeneratorRejected(GeneratorError):
    """Validation, unknown model id, no model access or no credentials. Retrying will not help."""


def messages_from_pairs(pairs: Sequence[tuple[Role, str]]) -> tuple[Message, ...]:
    """Convenience for multi-turn requests: `[("user", "hi"), ("assistant", "hello"), ("user", "…")]`."""
    return tuple(Message(role, text) for role, text in pairs)
