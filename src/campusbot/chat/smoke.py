"""Smoke conversations: YAML scripts of turns (message, expected intent, slots, state, text fragments) run
against any chat endpoint — the same suite for the local runtime and a deployed stack.

    name: register a student
    turns:
      - say: I want to register
        intent: RegisterStudent
        state: ElicitSlot            # the intent state or dialog action the reply reports
        expect: ["first name"]       # fragments the reply must contain (case-insensitive)
      - say: Ana
        slots: {firstName: Ana}      # null = the slot must be empty
        expect_not: ["error"]

`{run}` anywhere in a turn is replaced by a token unique to each run, so scripts that write (a registration
with an email) can run again and again against the same stack.

`sign_in: <email>` (at the top, `{run}` allowed) plays the whole conversation signed in as that student: the
runner's `sign_in` callback creates the account when needed and returns its ID token, sent as a Bearer token.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from campusbot.chat.client import ChatClient, ChatError, ChatReply


class ScriptError(ValueError):
    """A conversation script is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Turn:
    say: str
    intent: str | None = None
    slots: dict[str, str | None] = field(default_factory=dict)
    state: str | None = None
    expect: list[str] = field(default_factory=list)
    expect_not: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Conversation:
    name: str
    path: Path
    turns: list[Turn]
    sign_in: str | None = None  # play every turn signed in as this email


SignIn = Callable[[str], str]  # email → a Cognito ID token of that (created if new) user


@dataclass
class TurnResult:
    turn: Turn
    reply: ChatReply | None
    failures: list[str]


@dataclass
class ConversationResult:
    conversation: Conversation
    turns: list[TurnResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(not t.failures for t in self.turns) and len(self.turns) == len(self.conversation.turns)

    @property
    def failures(self) -> list[str]:
        return [f"turn {i}: {f}" for i, t in enumerate(self.turns, 1) for f in t.failures]


TURN_KEYS = {"say", "intent", "slots", "state", "expect", "expect_not"}


def load_conversations(folder: Path, only: str | None = None) -> list[Conversation]:
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        raise ScriptError(f"no conversation scripts (*.yaml) in {folder}")
    conversations = [load_conversation(path) for path in files]
    if only:
        conversations = [c for c in conversations if only.lower() in (c.name.lower() + " " + c.path.stem)]
    return conversations


def load_conversation(path: Path) -> Conversation:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScriptError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("turns"), list) or not document["turns"]:
        raise ScriptError(f"{path}: needs a non-empty `turns` list")
    turns = []
    for number, raw in enumerate(document["turns"], 1):
        if not isinstance(raw, dict) or not isinstance(raw.get("say"), str):
            raise ScriptError(f"{path}: turn {number} needs `say: <message>`")
        unknown = set(raw) - TURN_KEYS
        if unknown:
            raise ScriptError(f"{path}: turn {number} has unknown keys {sorted(unknown)}")
        turns.append(
            Turn(
                say=raw["say"],
                intent=raw.get("intent"),
                slots={str(k): (None if v is None else str(v)) for k, v in (raw.get("slots") or {}).items()},
                state=raw.get("state"),
                expect=[str(e) for e in raw.get("expect") or []],
                expect_not=[str(e) for e in raw.get("expect_not") or []],
            )
        )
    sign_in = document.get("sign_in")
    if sign_in is not None and not isinstance(sign_in, str):
        raise ScriptError(f"{path}: `sign_in` must be an email")
    return Conversation(name=str(document.get("name") or path.stem), path=path, turns=turns, sign_in=sign_in)


def check(turn: Turn, reply: ChatReply) -> list[str]:
    """What in the reply differs from what the turn expects (empty: the turn passed)."""
    failures = []
    if turn.intent is not None and reply.intent != turn.intent:
        failures.append(f"intent {reply.intent!r}, expected {turn.intent!r}")
    if turn.state is not None and reply.state != turn.state:
        failures.append(f"state {reply.state!r}, expected {turn.state!r}")
    for name, expected in turn.slots.items():
        actual = reply.slots.get(name)
        if (expected is None) != (actual is None) or (
            expected is not None and actual is not None and actual.casefold() != expected.casefold()
        ):
            failures.append(f"slot {name} = {actual!r}, expected {expected!r}")
    text = reply.text.casefold()
    failures += [f"reply lacks {fragment!r}" for fragment in turn.expect if fragment.casefold() not in text]
    failures += [f"reply contains {fragment!r}" for fragment in turn.expect_not if fragment.casefold() in text]
    return failures


def with_run_token(turn: Turn, token: str) -> Turn:
    """The turn with every `{run}` replaced by `token`."""

    def fill(text: str) -> str:
        return text.replace("{run}", token)

    return Turn(
        say=fill(turn.say),
        intent=turn.intent,
        slots={name: None if value is None else fill(value) for name, value in turn.slots.items()},
        state=turn.state,
        expect=[fill(e) for e in turn.expect],
        expect_not=[fill(e) for e in turn.expect_not],
    )


def run_conversation(
    client: ChatClient,
    conversation: Conversation,
    on_turn: Callable[[Turn, ChatReply | None], None] | None = None,
    sign_in: SignIn | None = None,
) -> ConversationResult:
    """Play every turn in one fresh session (signed in when the script says so); stop at the first turn the
    endpoint fails to answer."""
    result = ConversationResult(conversation)
    token = uuid.uuid4().hex[:8]
    session_id = f"smoke-{token}"
    id_token = None
    if conversation.sign_in is not None:
        email = conversation.sign_in.replace("{run}", token)
        try:
            if sign_in is None:
                raise ChatError(f"the script signs in as {email}, and this run cannot sign in")
            id_token = sign_in(email)
        except Exception as exc:
            result.turns.append(TurnResult(with_run_token(conversation.turns[0], token), None, [f"sign-in: {exc}"]))
            return result
    for scripted in conversation.turns:
        turn = with_run_token(scripted, token)
        try:
            reply = client.send(turn.say, session_id, id_token=id_token)
        except ChatError as exc:
            result.turns.append(TurnResult(turn, None, [str(exc)]))
            if on_turn:
                on_turn(turn, None)
            break
        result.turns.append(TurnResult(turn, reply, check(turn, reply)))
        if on_turn:
            on_turn(turn, reply)
    return result
