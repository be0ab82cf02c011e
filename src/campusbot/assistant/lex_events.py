"""Lex V2 code hooks: the event typed at the edge, the responses built from it, and the rules they obey.

Formats: Lex V2 Lambda input (messageVersion 1.0) and response, see ../shared/reference/aws_formats.md §1.
Every field of the event is read with defaults (Lex adds fields without a version bump and leaves some out
from one turn to the next); every response keeps the intent's name and slots and sets campusbot's session
attributes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from campusbot.assistant import attributes

LexResponse = dict[str, Any]
CloseState = Literal["Fulfilled", "Failed"]

DIALOG_HOOK = "DialogCodeHook"
FULFILLMENT_HOOK = "FulfillmentCodeHook"
DIALOG_ACTIONS = ("Close", "ConfirmIntent", "Delegate", "ElicitIntent", "ElicitSlot")
INTENT_STATES = ("Failed", "Fulfilled", "InProgress", "ReadyForFulfillment", "Waiting", "FulfillmentInProgress")
CONFIRMATION_STATES = ("Confirmed", "Denied", "None")
CONTENT_TYPES = ("PlainText", "SSML", "CustomPayload", "ImageResponseCard")
MAX_MESSAGES = 10
MAX_MESSAGE_CHARS = 1000  # Lex V2's documented limit of a message's content
MAX_SLOT_CHARS = 200
MAX_TRANSCRIPT_CHARS = 1024
MAX_BUTTONS = 5  # Lex V2's limit per ImageResponseCard; button text and value at most 50 characters
MAX_BUTTON_CHARS = 50
MAX_CARD_TITLE_CHARS = 250
# Lex V2's ActiveContext limits: TTL 5..86400 s and 1..20 turns; campusbot keeps few, short parameters.
MAX_CONTEXTS = 5
MAX_CONTEXT_ATTRIBUTES = 12
MAX_CONTEXT_VALUE_CHARS = 500
CONTEXT_TTL_SECONDS = 600
CONTEXT_TTL_TURNS = 5


@dataclass(frozen=True)
class SlotValue:
    """A filled slot: what Lex interpreted, what the user typed, and the candidate resolutions."""

    interpreted: str | None
    original: str | None
    resolved: tuple[str, ...] = ()

    @property
    def text(self) -> str | None:
        """The interpreted value, else the original one, trimmed and bounded; None when blank."""
        for candidate in (self.interpreted, self.original):
            if candidate and candidate.strip():
                return candidate.strip()[:MAX_SLOT_CHARS]
        return None


@dataclass(frozen=True)
class LexEvent:
    """The parts of a Lex V2 code-hook event campusbot uses."""

    invocation_source: str
    session_id: str
    input_transcript: str
    intent_name: str
    intent_state: str
    confirmation_state: str
    slots: Mapping[str, Any] = field(default_factory=dict)
    session_attributes: Mapping[str, str] = field(default_factory=dict)
    request_attributes: Mapping[str, str] = field(default_factory=dict)  # this turn's only (who asks: identity.py)
    nlu_confidence: float | None = None
    active_contexts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    history: tuple[str, ...] = ()  # the user's earlier messages (campusbot.history), oldest first

    @classmethod
    def parse(cls, raw: object) -> LexEvent:
        """Read an event without ever failing: missing or mistyped parts get neutral defaults."""
        event = raw if isinstance(raw, Mapping) else {}
        state = _mapping(event.get("sessionState"))
        intent = _mapping(state.get("intent"))
        name = _text(intent.get("name"))[:100]
        confirmation = _text(intent.get("confirmationState"))
        slots = intent.get("slots")
        return cls(
            invocation_source=_text(event.get("invocationSource")),
            session_id=_text(event.get("sessionId"))[:100],
            input_transcript=_text(event.get("inputTranscript"))[:MAX_TRANSCRIPT_CHARS],
            intent_name=name,
            intent_state=_text(intent.get("state")) or "InProgress",
            confirmation_state=confirmation if confirmation in CONFIRMATION_STATES else "None",
            slots=dict(slots) if isinstance(slots, Mapping) else {},
            session_attributes=attributes.carried(state.get("sessionAttributes")),
            request_attributes=_strings(event.get("requestAttributes")),
            nlu_confidence=_confidence(event.get("interpretations"), name),
            active_contexts=_contexts(state.get("activeContexts")),
            history=attributes.decode_history(_mapping(state.get("sessionAttributes")).get(attributes.HISTORY)),
        )

    @property
    def is_dialog(self) -> bool:
        return self.invocation_source == DIALOG_HOOK

    def slot(self, name: str) -> SlotValue | None:
        raw = self.slots.get(name)
        if not isinstance(raw, Mapping):
            return None
        value = _mapping(raw.get("value"))
        if not value and isinstance(raw.get("values"), list):  # a List slot: its first value
            first = next((v for v in raw["values"] if isinstance(v, Mapping)), {})
            value = _mapping(first.get("value"))
        resolved = value.get("resolvedValues")
        return SlotValue(
            interpreted=_optional_text(value.get("interpretedValue")),
            original=_optional_text(value.get("originalValue")),
            resolved=tuple(str(v)[:MAX_SLOT_CHARS] for v in resolved[:5] if isinstance(v, str))
            if isinstance(resolved, list)
            else (),
        )

    def value(self, name: str) -> str | None:
        """The slot's text (interpreted, else original), or None when unfilled."""
        slot = self.slot(name)
        return slot.text if slot else None

    def with_slot(self, name: str, value: str) -> LexEvent:
        """This event with `name` filled with `value` (what the responses built from it then send back to Lex)."""
        filled = {
            "shape": "Scalar",
            "value": {"originalValue": value, "interpretedValue": value, "resolvedValues": [value]},
        }
        return replace(self, slots={**self.slots, name: filled})

    def context(self, name: str) -> Mapping[str, str]:
        """The parameters of the active context `name` ({} when it is not active): data, never identity."""
        return self.active_contexts.get(name, {})


def context(name: str, attributes: Mapping[str, str | None]) -> dict[str, Any]:
    """An ActiveContext for a response: bounded string parameters (blank ones left out), campusbot's TTL."""
    kept = {
        str(k)[:100]: str(v)[:MAX_CONTEXT_VALUE_CHARS]
        for k, v in attributes.items()
        if v is not None and str(v).strip()
    }
    return {
        "name": name,
        "contextAttributes": dict(list(kept.items())[:MAX_CONTEXT_ATTRIBUTES]),
        "timeToLive": {"timeToLiveInSeconds": CONTEXT_TTL_SECONDS, "turnsToLive": CONTEXT_TTL_TURNS},
    }


# Responses ---------------------------------------------------------------------------------------------


def close(
    event: LexEvent,
    state: CloseState,
    *texts: str,
    source: str = "none",
    sources: Iterable[object] = (),
    contexts: list[dict[str, Any]] | None = None,
) -> LexResponse:
    """End the intent (Fulfilled or Failed) with these messages; `contexts` (when given) replace the active ones."""
    response = _response(event, {"type": "Close"}, state, texts, source=source, sources=sources)
    if contexts is not None:
        response["sessionState"]["activeContexts"] = contexts[:MAX_CONTEXTS]
    return response


def elicit_slot(
    event: LexEvent,
    slot: str,
    *texts: str,
    clear: Iterable[str] | None = None,
    confirmation_state: str | None = None,
    buttons: Sequence[str] = (),
) -> LexResponse:
    """Ask for `slot` (by default emptying it first, since its value was not accepted). With `buttons` (known
    values), the last text becomes an ImageResponseCard's title with those values as quick replies."""
    slots = _slots_without(event, [slot] if clear is None else clear)
    action = {"type": "ElicitSlot", "slotToElicit": slot}
    response = _response(event, action, "InProgress", texts, slots=slots, confirmation_state=confirmation_state)
    messages = response.get("messages") or []
    if buttons and messages and len(messages[-1]["content"]) <= MAX_CARD_TITLE_CHARS:
        messages[-1] = card(messages[-1]["content"], buttons)
    return response


def card(title: str, buttons: Sequence[str]) -> dict[str, Any]:
    """An ImageResponseCard message: `title` and up to five quick-reply buttons (text = value)."""
    values = [b.strip()[:MAX_BUTTON_CHARS] for b in buttons if b.strip()][:MAX_BUTTONS]
    return {
        "contentType": "ImageResponseCard",
        "imageResponseCard": {
            "title": title[:MAX_CARD_TITLE_CHARS],
            "buttons": [{"text": value, "value": value} for value in values],
        },
    }


def confirm_intent(event: LexEvent, *texts: str) -> LexResponse:
    """Ask the user to confirm the intent (yes/no) before it is fulfilled."""
    return _response(event, {"type": "ConfirmIntent"}, "InProgress", texts, confirmation_state="None")


def elicit_intent(event: LexEvent, *texts: str) -> LexResponse:
    """Ask what the user wants (the one response that needs no intent: for events that name none)."""
    response = _response(event, {"type": "ElicitIntent"}, "InProgress", texts)
    response["sessionState"].pop("intent", None)
    return response


def delegate(event: LexEvent) -> LexResponse:
    """Let Lex choose the next step (elicit the next slot, confirm, fulfill) as the bot defines it."""
    state = event.intent_state if event.intent_state in ("InProgress", "ReadyForFulfillment") else "InProgress"
    return _response(event, {"type": "Delegate"}, state, ())


def plain_messages(*texts: str) -> list[dict[str, str]]:
    """PlainText messages within Lex's limits: blanks dropped, long texts split at spaces, at most 10."""
    messages: list[dict[str, str]] = []
    for text in texts:
        for chunk in _chunks(text.strip()):
            messages.append({"contentType": "PlainText", "content": chunk})
    return messages[:MAX_MESSAGES]


def _response(
    event: LexEvent,
    action: dict[str, str],
    intent_state: str,
    texts: Iterable[str],
    *,
    slots: dict[str, Any] | None = None,
    confirmation_state: str | None = None,
    source: str = "none",
    sources: Iterable[object] = (),
) -> LexResponse:
    session_state: dict[str, Any] = {
        "dialogAction": action,
        "sessionAttributes": attributes.session_attributes(
            event.session_attributes, source, sources, (*event.history, event.input_transcript)
        ),
    }
    if event.intent_name:
        session_state["intent"] = {
            "name": event.intent_name,
            "slots": dict(event.slots) if slots is None else slots,
            "state": intent_state,
            "confirmationState": confirmation_state or event.confirmation_state,
        }
    response: LexResponse = {"sessionState": session_state}
    messages = plain_messages(*texts)
    if messages:
        response["messages"] = messages
    return response


def _slots_without(event: LexEvent, names: Iterable[str]) -> dict[str, Any]:
    slots = dict(event.slots)
    for name in names:
        slots[name] = None
    return slots


def _chunks(text: str) -> list[str]:
    chunks: list[str] = []
    while len(text) > MAX_MESSAGE_CHARS:
        cut = text.rfind(" ", 0, MAX_MESSAGE_CHARS + 1)
        cut = cut if cut > MAX_MESSAGE_CHARS // 2 else MAX_MESSAGE_CHARS
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


# The rules every response must follow ------------------------------------------------------------------


def response_problems(response: object) -> list[str]:
    """What is wrong with a code-hook response under Lex V2's rules (an empty list: Lex accepts it)."""
    if not isinstance(response, Mapping):
        return ["the response is not a JSON object"]
    problems: list[str] = []
    state = response.get("sessionState")
    if not isinstance(state, Mapping):
        return ["sessionState is required"]
    action = _mapping(state.get("dialogAction"))
    kind = action.get("type")
    if kind not in DIALOG_ACTIONS:
        problems.append(f"dialogAction.type {kind!r} is not one of {DIALOG_ACTIONS}")
    intent = state.get("intent")
    if intent is not None:
        problems += _intent_problems(intent)
    elif kind in ("Close", "ConfirmIntent", "Delegate", "ElicitSlot"):
        problems.append(f"{kind} needs sessionState.intent")
    if kind == "ElicitSlot":
        slot = action.get("slotToElicit")
        if not isinstance(slot, str) or not slot:
            problems.append("ElicitSlot needs dialogAction.slotToElicit")
        elif isinstance(intent, Mapping) and isinstance(intent.get("slots"), Mapping) and slot not in intent["slots"]:
            problems.append(f"slotToElicit {slot!r} is not a slot of the intent")
    if kind == "Close" and isinstance(intent, Mapping) and intent.get("state") not in ("Fulfilled", "Failed"):
        problems.append(f"Close should set intent.state Fulfilled or Failed, not {intent.get('state')!r}")
    messages = response.get("messages")
    if kind in ("ElicitIntent", "ConfirmIntent") and not messages:
        problems.append(f"{kind} needs messages")
    if messages is not None:
        problems += _message_problems(messages)
    session_attributes = state.get("sessionAttributes")
    if session_attributes is not None and not (
        isinstance(session_attributes, Mapping)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in session_attributes.items())
    ):
        problems.append("sessionAttributes must map strings to strings")
    return problems


def _intent_problems(intent: object) -> list[str]:
    if not isinstance(intent, Mapping):
        return ["sessionState.intent must be an object"]
    problems: list[str] = []
    if not isinstance(intent.get("name"), str) or not intent["name"]:
        problems.append("intent.name is required")
    if "state" in intent and intent["state"] not in INTENT_STATES:
        problems.append(f"intent.state {intent['state']!r} is not valid")
    if "confirmationState" in intent and intent["confirmationState"] not in CONFIRMATION_STATES:
        problems.append(f"intent.confirmationState {intent['confirmationState']!r} is not valid")
    slots = intent.get("slots", {})
    if not isinstance(slots, Mapping):
        return [*problems, "intent.slots must be an object"]
    for name, slot in slots.items():
        if slot is None:
            continue
        value = _mapping(_mapping(slot).get("value"))
        if not isinstance(value.get("interpretedValue"), str) and "values" not in _mapping(slot):
            problems.append(f"slot {name!r} needs value.interpretedValue")
    return problems


def _message_problems(messages: object) -> list[str]:
    if not isinstance(messages, list):
        return ["messages must be a list"]
    problems = [f"at most {MAX_MESSAGES} messages"] if len(messages) > MAX_MESSAGES else []
    for index, message in enumerate(messages):
        message = _mapping(message)
        kind = message.get("contentType")
        if kind not in CONTENT_TYPES:
            problems.append(f"messages[{index}].contentType {kind!r} is not valid")
        elif kind == "ImageResponseCard":
            if not _mapping(message.get("imageResponseCard")).get("title"):
                problems.append(f"messages[{index}] needs imageResponseCard.title")
        else:
            content = message.get("content")
            if not isinstance(content, str) or not 1 <= len(content) <= MAX_MESSAGE_CHARS:
                problems.append(f"messages[{index}].content must be 1-{MAX_MESSAGE_CHARS} characters")
    return problems


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _contexts(raw: object) -> dict[str, dict[str, str]]:
    """The active contexts' parameters by name, bounded; malformed entries are skipped."""
    contexts: dict[str, dict[str, str]] = {}
    if not isinstance(raw, list):
        return contexts
    for item in raw[:20]:
        item = _mapping(item)
        name = _text(item.get("name"))[:100]
        if not name:
            continue
        attributes = _mapping(item.get("contextAttributes"))
        contexts[name] = {
            str(k)[:100]: v[:MAX_CONTEXT_VALUE_CHARS]
            for k, v in list(attributes.items())[:MAX_CONTEXT_ATTRIBUTES]
            if isinstance(v, str)
        }
    return contexts


def _confidence(interpretations: object, intent_name: str) -> float | None:
    """nluConfidence of the interpretation naming this intent (a bare number in code-hook events)."""
    if not isinstance(interpretations, list):
        return None
    for interpretation in interpretations:
        interpretation = _mapping(interpretation)
        if _mapping(interpretation.get("intent")).get("name") != intent_name:
            continue
        score = interpretation.get("nluConfidence")
        if isinstance(score, Mapping):  # the runtime API's {"score": x}, should an emulator send that
            score = score.get("score")
        if isinstance(score, int | float) and not isinstance(score, bool):
            return float(score)
    return None


def _strings(value: object) -> dict[str, str]:
    """A string→string map (Lex's requestAttributes), its other entries dropped."""
    return {k: v for k, v in _mapping(value).items() if isinstance(k, str) and isinstance(v, str)}
