"""Conversation state of the Lex emulator, one `Session` per (bot, alias, locale, session id).

A session lives for the bot's idle TTL (`idle_session_ttl_seconds` of the definition) after its last turn,
as in Lex; an expired one is gone, and the next turn starts afresh. One turn runs at a time per session: a
second request while one is in flight gets Lex's ConflictException.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple


def clone(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, scalars): several times faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


class SessionKey(NamedTuple):
    bot_id: str
    bot_alias_id: str
    locale_id: str
    session_id: str


class SessionBusy(RuntimeError):
    """Another request is processing this session."""


@dataclass
class Session:
    """What Lex remembers between turns: its SessionState, plus the last answer (for GetSession)."""

    key: SessionKey
    session_attributes: dict[str, str] = field(default_factory=dict)
    intent: dict[str, Any] | None = None
    dialog_action: dict[str, Any] | None = None
    active_contexts: list[dict[str, Any]] = field(default_factory=list)
    runtime_hints: dict[str, Any] | None = None
    originating_request_id: str | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    interpretations: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0  # failed answers to the current slot or confirmation prompt
    last_seen: float = 0.0
    # when each active context's timeToLiveInSeconds runs out (the store's clock); not part of the wire state
    context_deadlines: dict[str, float] = field(default_factory=dict)

    def session_state(self) -> dict[str, Any]:
        """The Lex `SessionState` structure (a deep copy: callers may change it)."""
        state: dict[str, Any] = {"sessionAttributes": dict(self.session_attributes)}
        if self.dialog_action is not None:
            state["dialogAction"] = clone(self.dialog_action)
        if self.intent is not None:
            state["intent"] = clone(self.intent)
        if self.active_contexts:
            state["activeContexts"] = clone(self.active_contexts)
        if self.runtime_hints:
            state["runtimeHints"] = clone(self.runtime_hints)
        if self.originating_request_id:
            state["originatingRequestId"] = self.originating_request_id
        return state


class SessionStore:
    """Sessions in memory with an idle TTL; thread-safe (turns run in worker threads)."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        # least recently seen first (creation and touch() move a session to the end): expiring reads only the stale
        # front, not every session at every turn (a long run keeps thousands for the idle TTL)
        self._sessions: OrderedDict[SessionKey, Session] = OrderedDict()
        self._busy: set[SessionKey] = set()
        self._lock = threading.Lock()

    def get(self, key: SessionKey) -> Session | None:
        """The live session, or None when there is none or it has been idle longer than the TTL."""
        with self._lock:
            self._expire()
            return self._sessions.get(key)

    def get_or_create(self, key: SessionKey) -> Session:
        with self._lock:
            self._expire()
            session = self._sessions.get(key)
            if session is None:
                session = self._sessions[key] = Session(key, last_seen=self._clock())
            return session

    def touch(self, session: Session) -> None:
        with self._lock:
            session.last_seen = self._clock()
            self._sessions[session.key] = session
            self._sessions.move_to_end(session.key)

    def delete(self, key: SessionKey) -> Session | None:
        with self._lock:
            self._expire()
            return self._sessions.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._sessions)

    @contextmanager
    def turn(self, key: SessionKey) -> Iterator[Session]:
        """Hold the session for one turn; a concurrent turn on the same session raises SessionBusy."""
        with self._lock:
            if key in self._busy:
                raise SessionBusy(key.session_id)
            self._busy.add(key)
        try:
            session = self.get_or_create(key)
            yield session
            self.touch(session)
        finally:
            with self._lock:
                self._busy.discard(key)

    def _expire(self) -> None:
        now = self._clock()
        stale = []
        for key, session in self._sessions.items():
            if now - session.last_seen <= self.ttl_seconds:
                break  # every later one was seen more recently
            if key not in self._busy:
                stale.append(key)
        for key in stale:
            del self._sessions[key]
