"""A client of the chat HTTP API (ARCHITECTURE.md §4): the same for the local gateway and API Gateway."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx


class ChatError(RuntimeError):
    """The chat endpoint could not be reached or answered with an error; the message says which."""


@dataclass(frozen=True)
class ChatReply:
    session_id: str
    intent: str | None
    slots: dict[str, str | None]
    state: str | None
    messages: list[str]
    sources: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float = 0.0
    turn_id: str | None = None  # names this turn in feedback (a thumbs up or down)
    answer_source: str = "none"  # database | documents | general | none
    buttons: list[dict[str, str]] = field(default_factory=list)  # quick replies: {"text", "value"}

    @property
    def text(self) -> str:
        return "\n".join(self.messages)


class ChatClient:
    def __init__(
        self, url: str, *, api_key: str | None = None, timeout: float = 35.0, id_token: str | None = None
    ) -> None:
        headers = {"content-type": "application/json", "user-agent": "campusbot-cli"}
        if api_key:
            headers["x-api-key"] = api_key
        self.url = url
        self.id_token = id_token  # a Cognito ID token: sent as `Authorization: Bearer` (signed in)
        self._http = httpx.Client(headers=headers, timeout=timeout)

    def send(self, message: str, session_id: str | None = None, *, id_token: str | None = None) -> ChatReply:
        """One turn; signed in when this client (or this call) has an ID token, anonymous otherwise."""
        body: dict[str, str] = {"message": message}
        if session_id:
            body["session_id"] = session_id
        token = id_token or self.id_token
        headers = {"authorization": f"Bearer {token}"} if token else None
        started = time.perf_counter()
        try:
            response = self._http.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ChatError(f"cannot reach {self.url}: {exc}") from exc
        latency = (time.perf_counter() - started) * 1000
        try:
            payload = response.json()
        except ValueError:
            payload = {}
        if response.status_code != 200:
            detail = payload.get("error") or payload.get("message") or response.text[:200]
            raise ChatError(f"{self.url} answered {response.status_code}: {detail}")
        return _reply(payload, latency)

    def feedback(self, reply: ChatReply, rating: int) -> str:
        """Rate an answer (1 thumbs up, -1 thumbs down) at the API's /feedback; the recorded event's id."""
        if not reply.turn_id:
            raise ChatError("this answer has no turn_id to rate")
        url = self.url.rsplit("/", 1)[0] + "/feedback"
        body = {"turn_id": reply.turn_id, "session_id": reply.session_id, "rating": rating}
        try:
            response = self._http.post(url, json=body)
        except httpx.HTTPError as exc:
            raise ChatError(f"cannot reach {url}: {exc}") from exc
        if response.status_code != 202:
            raise ChatError(f"{url} answered {response.status_code}: {response.text[:200]}")
        return str(response.json().get("event_id", ""))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _reply(payload: dict[str, Any], latency_ms: float) -> ChatReply:
    if not isinstance(payload.get("session_id"), str) or not isinstance(payload.get("messages"), list):
        raise ChatError(f"unexpected chat response: {str(payload)[:200]}")
    slots = payload.get("slots") or {}
    return ChatReply(
        session_id=payload["session_id"],
        intent=payload.get("intent"),
        slots={str(k): (None if v is None else str(v)) for k, v in slots.items()},
        state=payload.get("state"),
        messages=[str(m) for m in payload["messages"]],
        sources=[s for s in payload.get("sources") or [] if isinstance(s, dict)],
        latency_ms=latency_ms,
        turn_id=payload["turn_id"] if isinstance(payload.get("turn_id"), str) else None,
        answer_source=str(payload.get("answer_source") or "none"),
        buttons=[
            {"text": str(b["text"]), "value": str(b["value"])}
            for b in payload.get("buttons") or []
            if isinstance(b, dict) and b.get("text") and b.get("value")
        ],
    )
