"""Greeting and Help: fixed answers, no data needed."""

from __future__ import annotations

from campusbot.assistant import messages
from campusbot.assistant.api_client import DataApi
from campusbot.assistant.lex_events import LexEvent, LexResponse, close


def greeting(event: LexEvent, _api: DataApi) -> LexResponse:
    return close(event, "Fulfilled", messages.GREETING)


def help_(event: LexEvent, _api: DataApi) -> LexResponse:
    return close(event, "Fulfilled", messages.HELP)
