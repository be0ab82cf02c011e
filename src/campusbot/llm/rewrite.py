"""A follow-up rewritten into a standalone question by the language model, before retrieval (QnABot's
disambiguation): "what about the visa there?" after "I'm going to study in Lagos" becomes "What about the student
visa for Lagos?".

Only a Bedrock generator gets a `QuestionRewriter` (`rewriter_for`, the one place that decides). Locally that is
the Bedrock emulator: with a local LLM behind it (CAMPUSBOT_LOCAL_LLM_URL) the LLM rewrites; its extractive model
cannot (it quotes passages, and is not taught this prompt), its reply is not one question and is dropped. Other
generators, and every dropped rewrite, use `knowledge.answer.contextual_question`'s rule (join a short follow-up
that says "it"/"there" to the previous message).

The rewrite is bounded: at most `timeout` seconds (4 s: with the answer's own deadline, 15 s by default, a turn
stays inside the fulfillment's 20 s wait for /assist, itself inside Lex's 30 s) and `MAX_TOKENS` tokens. A rewrite
that fails, times out, or does not look like one question (empty, several lines, longer than `MAX_CHARS`) is
dropped, and the caller falls back to the rule.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from campusbot.llm.base import GenerationRequest, Generator, GeneratorError
from campusbot.llm.bedrock import BedrockGenerator
from campusbot.llm.prompts import rewrite_prompt

log = logging.getLogger(__name__)

REWRITE_SECONDS = 4.0
MAX_TOKENS = 100
MAX_CHARS = 300
_LABELS = ("standalone question:", "rewritten question:", "question:")


class QuestionRewriter:
    def __init__(self, generator: Generator, *, timeout: float = REWRITE_SECONDS) -> None:
        self.generator = generator
        self.timeout = timeout

    async def rewrite(self, question: str, history: Sequence[str]) -> str | None:
        """The standalone question, or None (no history, or no usable rewrite in time: use the rule)."""
        if not any(message.strip() for message in history):
            return None
        request = GenerationRequest.from_prompt(rewrite_prompt(question, history), max_tokens=MAX_TOKENS, temperature=0)
        try:
            generation = await asyncio.wait_for(asyncio.to_thread(self.generator.generate, request), self.timeout)
        except TimeoutError:
            log.warning("question rewrite took over %.1f s; using the follow-up rule", self.timeout)
            return None
        except GeneratorError as exc:
            log.warning("question rewrite failed (%s); using the follow-up rule", exc)
            return None
        return usable(generation.text)


def usable(text: str) -> str | None:
    """The rewrite as one clean question, or None when the reply is not one."""
    cleaned = text.strip()
    if not cleaned or "\n" in cleaned or len(cleaned) > MAX_CHARS:
        return None
    if cleaned.casefold().startswith(_LABELS):
        cleaned = cleaned.split(":", 1)[1].strip()
    cleaned = cleaned.strip("\"'`\u201c\u201d\u2018\u2019 ").strip()
    return cleaned or None


def rewriter_for(generator: Generator) -> QuestionRewriter | None:
    """A rewriter when the generator is a model that can rewrite (Bedrock), else None (the rule is used)."""
    return QuestionRewriter(generator) if isinstance(generator, BedrockGenerator) else None
