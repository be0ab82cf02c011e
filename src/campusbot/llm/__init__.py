"""Text generation behind one port (`Generator`): Bedrock Converse, any OpenAI-compatible server, or extractive."""

from campusbot.llm.base import (
    Generation,
    GenerationRequest,
    Generator,
    GeneratorError,
    GeneratorRejected,
    GeneratorUnavailable,
    Message,
)

__all__ = [
    "Generation",
    "GenerationRequest",
    "Generator",
    "GeneratorError",
    "GeneratorRejected",
    "GeneratorUnavailable",
    "Message",
]
