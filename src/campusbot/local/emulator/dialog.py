"""The Lex V2 dialog engine behind the emulator's RecognizeText: one turn of a conversation.

A turn reads the session's pending dialog action. After ElicitSlot the text answers that slot; after
ConfirmIntent it is a yes or a no; otherwise the classifier picks a new intent and the slots are taken from
the text. Then the intent moves on as Lex moves it:

- with `dialog_code_hook`, the fulfillment Lambda gets a `DialogCodeHook` event (with `proposedNextState`)
  on every turn and its dialog action is honoured: Close, ConfirmIntent, ElicitIntent, ElicitSlot, or
  Delegate, which hands the next step back to the engine;
- the engine's own next step elicits the first missing required slot with the definition's prompt, then
  asks the confirmation prompt if the intent has one (a "no" ends it with the declination, state Failed),
  then fulfils: a `FulfillmentCodeHook` event, whose answer closes the intent.

The Lambda is the handler `(event, context)` itself, run in a worker thread with Lex's 30 s limit. When it
raises, times out or answers something Lex would reject, the turn fails with DependencyFailedException and
the session is left as it was before the turn. Session attributes are whatever the last Lambda answer (or
the request) set, string to string, passed through untouched.

Contexts work as in Lex V2 (`activeContexts` of the session state):

- an intent's output contexts are activated when it is fulfilled, with the intent's filled slots as their
  `contextAttributes` (merged under whatever attributes the fulfillment Lambda gave the same context);
- an intent with input contexts is a candidate only while all of them are active: the classifier's ranking
  is filtered before the turn picks an intent (FallbackIntent when nothing left clears the threshold);
- a slot's default values (`#context.param`, `[sessionAttribute]`, a literal) fill it when an intent starts
  and the text did not;
- a context lives `turnsToLive` further turns and `timeToLiveInSeconds` from its activation, whichever ends
  first; the Lambda (its response's `activeContexts`) and the client (RecognizeText / PutSession
  `sessionState.activeContexts`) may set the list, which replaces the stored one (an empty list clears it).
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, Protocol

from campusbot.bot.model import CONTEXT_DEFAULT, CONTEXT_NAME, DEFAULT_MAX_RETRIES, BotDefinition, Intent, Slot
from campusbot.local.emulator.nlu import IntentScore
from campusbot.local.emulator.sessions import Session, clone
from campusbot.local.emulator.slots import FREE_TYPES, SlotResolver, SlotValue, parse_confirmation

log = logging.getLogger("campusbot.lex")

Fulfillment = Callable[[dict[str, Any], Any], dict[str, Any]]

DIALOG_ACTIONS = frozenset({"Close", "ConfirmIntent", "Delegate", "ElicitIntent", "ElicitSlot"})
INTENT_STATES = frozenset(
    {"Failed", "Fulfilled", "FulfillmentInProgress", "InProgress", "ReadyForFulfillment", "Waiting"}
)
CONFIRMATION_STATES = frozenset({"Confirmed", "Denied", "None"})
CONTENT_TYPES = frozenset({"PlainText", "SSML", "CustomPayload", "ImageResponseCard"})
SWITCH_CONFIDENCE = 0.6  # an unresolvable answer this sure to be another intent starts that intent
PLACEHOLDER = re.compile(r"\{([0-9a-zA-Z_-]+)\}")


class LexError(Exception):
    """An error Lex returns: botocore raises it as `client.exceptions.<code>`."""

    code = "InternalServerException"
    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationException(LexError):
    code, status = "ValidationException", 400


class ResourceNotFoundException(LexError):
    code, status = "ResourceNotFoundException", 404


class ConflictException(LexError):
    code, status = "ConflictException", 409


class DependencyFailedException(LexError):
    code, status = "DependencyFailedException", 424


class Recognizer(Protocol):
    def recognize(self, text: str) -> list[IntentScore]: ...


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """The `bot` block of code hook events."""

    id: str
    name: str
    alias_id: str
    alias_name: str
    locale_id: str
    version: str = "DRAFT"

    def to_event(self) -> dict[str, str]:
        return {
            "id": self.id,
            "name": self.name,
            "aliasId": self.alias_id,
            "aliasName": self.alias_name,
            "localeId": self.locale_id,
            "version": self.version,
        }


class LambdaContext:
    """The context object a Lambda handler receives (the fields handlers commonly read)."""

    def __init__(self, function_name: str, timeout_seconds: float) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
        self.memory_limit_in_mb = 256
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class Turn:
    """One RecognizeText call in progress."""

    session: Session
    text: str
    request_id: str
    request_attributes: dict[str, str] | None
    ranking: list[IntentScore]
    messages: list[dict[str, Any]] = field(default_factory=list)
    returned_request_attributes: dict[str, str] = field(default_factory=dict)
    resolved: dict[str, SlotValue] = field(default_factory=dict)  # slots this turn's text filled
    continued: bool = False  # the text answered the active intent's prompt
    now: float = 0.0  # the clock at the start of the turn (context deadlines)
    activated: set[str] = field(default_factory=set)  # contexts set during this turn (not counted down)


class Dialog:
    """Runs turns against a bot definition, an intent recognizer, a slot resolver and a fulfillment Lambda."""

    def __init__(
        self,
        definition: BotDefinition,
        recognizer: Recognizer,
        resolver: SlotResolver,
        fulfillment: Fulfillment,
        bot: BotIdentity,
        executor: Executor,
        *,
        lambda_timeout: float = 30.0,
        function_name: str = "campusbot-fulfillment",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.definition = definition
        self.recognizer = recognizer
        self.resolver = resolver
        self.fulfillment = fulfillment
        self.bot = bot
        self.executor = executor
        self.lambda_timeout = lambda_timeout
        self.function_name = function_name
        self.threshold = definition.locale.nlu_confidence_threshold

    # -- RecognizeText --------------------------------------------------------------------------------------

    def recognize_text(
        self,
        session: Session,
        text: str,
        *,
        session_state: Mapping[str, Any] | None = None,
        request_attributes: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Process one user text; returns the RecognizeText response. The session changes only on success."""
        working = _session_copy(session)
        now = self.clock()
        self.expire_contexts(working, now)
        if session_state is not None:
            self.apply_session_state(working, session_state)
        ranking = self._gate(self.recognizer.recognize(self.resolver.nlu_text(text)), working)
        turn = Turn(
            session=working,
            text=text,
            request_id=str(uuid.uuid4()),
            request_attributes=dict(request_attributes) if request_attributes is not None else None,
            ranking=ranking,
            now=now,
        )
        working.originating_request_id = turn.request_id
        action = (working.dialog_action or {}).get("type")
        state = (working.intent or {}).get("state")
        active = working.intent is not None and state not in ("Fulfilled", "Failed")
        if active and action == "ElicitSlot":
            self._answer_slot(turn)
        elif active and action == "ConfirmIntent":
            self._answer_confirmation(turn)
        else:
            self._start_intent(turn, ranking[0].name if ranking else self.definition.fallback.name)
        self._activate_output_contexts(turn)
        self._count_turn(turn)
        response = self._response(turn)
        working.messages = clone(turn.messages)
        working.interpretations = clone(response["interpretations"])
        _copy_into(session, working)
        log.info(
            "lex turn session=%s intent=%s state=%s action=%s",
            session.key.session_id,
            (working.intent or {}).get("name"),
            (working.intent or {}).get("state"),
            (working.dialog_action or {}).get("type"),
        )
        return response

    def put_session(
        self,
        session: Session,
        session_state: Mapping[str, Any],
        messages: Sequence[Mapping[str, Any]] | None,
        request_attributes: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        """PutSession: set the state; Delegate lets the engine take the next step, as in Lex."""
        working = _session_copy(session)
        self.apply_session_state(working, session_state, replace=True)
        turn = Turn(working, "", str(uuid.uuid4()), dict(request_attributes or {}) or None, [], now=self.clock())
        working.originating_request_id = turn.request_id
        turn.messages = [dict(m) for m in messages or []]
        action = (working.dialog_action or {}).get("type")
        intent = self._intent_def(working)
        if action == "Delegate" and intent is not None:
            self._delegate(turn)
        elif action == "ElicitSlot" and intent is not None and not turn.messages:
            slot = intent.slot(str((working.dialog_action or {}).get("slotToElicit")))
            if slot is not None:
                turn.messages = [_plain(self._fill(slot.prompt, working))]
        elif action == "ConfirmIntent" and intent is not None and intent.confirmation and not turn.messages:
            turn.messages = [_plain(self._fill(intent.confirmation.prompt, working))]
        self._activate_output_contexts(turn)
        working.messages = clone(turn.messages)
        _copy_into(session, working)
        result: dict[str, Any] = {
            "messages": turn.messages,
            "sessionState": working.session_state(),
            "sessionId": session.key.session_id,
        }
        if turn.request_attributes or turn.returned_request_attributes:
            result["requestAttributes"] = {**(turn.request_attributes or {}), **turn.returned_request_attributes}
        return result

    def apply_session_state(self, session: Session, state: Mapping[str, Any], *, replace: bool = False) -> None:
        """A client's sessionState (RecognizeText, PutSession): each field given replaces the stored one."""
        if "sessionAttributes" in state or replace:
            session.session_attributes = _string_map(state.get("sessionAttributes") or {}, "sessionAttributes")
        if "activeContexts" in state or replace:
            contexts = state.get("activeContexts") or []
            problem = context_problem(contexts)
            if problem:
                raise ValidationException(f"Invalid activeContexts: {problem}")
            self._set_contexts(session, contexts, self.clock())
        if "runtimeHints" in state:
            session.runtime_hints = dict(state["runtimeHints"] or {})
        if "dialogAction" in state or replace:
            action = state.get("dialogAction")
            if action is not None and action.get("type") not in DIALOG_ACTIONS | {"None"}:
                raise ValidationException(f"Invalid dialogAction type {action.get('type')!r}")
            session.dialog_action = dict(action) if action else None
        if "intent" in state or replace:
            intent = state.get("intent")
            if intent is None:
                session.intent = None
            else:
                definition = self.definition.intent(str(intent.get("name")))
                if definition is None:
                    raise ValidationException(f"Intent {intent.get('name')!r} does not exist in bot {self.bot.name}")
                session.intent = self._normalize_intent(definition, intent)
        if "intent" in state or "dialogAction" in state or replace:
            session.attempts = 0

    # -- contexts -------------------------------------------------------------------------------------------

    def expire_contexts(self, session: Session, now: float) -> None:
        """Drop the contexts whose timeToLiveInSeconds has run out."""
        live = [c for c in session.active_contexts if session.context_deadlines.get(str(c.get("name")), now) >= now]
        if len(live) != len(session.active_contexts):
            session.active_contexts = live
            names = {str(c.get("name")) for c in live}
            session.context_deadlines = {k: v for k, v in session.context_deadlines.items() if k in names}

    def _set_contexts(self, session: Session, contexts: Sequence[Mapping[str, Any]], now: float) -> None:
        """Replace the active contexts (as a client or the Lambda gives them); their clocks start now."""
        session.active_contexts = [clone(dict(c)) for c in contexts]
        session.context_deadlines = {
            str(c["name"]): now + float((c.get("timeToLive") or {}).get("timeToLiveInSeconds", 0)) for c in contexts
        }

    def _gate(self, ranking: list[IntentScore], session: Session) -> list[IntentScore]:
        """The ranking without the intents whose input contexts are not all active (Lex never considers them)."""
        active = {str(c.get("name")) for c in session.active_contexts}

        def available(name: str) -> bool:
            intent = self.definition.intent(name)
            return intent is None or set(intent.input_contexts) <= active

        allowed = [score for score in ranking if available(score.name)]
        if len(allowed) == len(ranking):
            return ranking
        fallback = self.definition.fallback.name
        others = [s for s in allowed if s.name != fallback]
        best = others[0] if others else None
        if ranking[0].name != fallback and best is not None and best.score is not None and best.score >= self.threshold:
            return [best, IntentScore(fallback, None), *others[1:]]
        return [IntentScore(fallback, None), *others]

    def _default(self, slot: Slot, session: Session) -> str | None:
        """The first of the slot's default values that resolves now (Lex's DefaultValueSpecification)."""
        for default in slot.defaults:
            match = CONTEXT_DEFAULT.match(default)
            if match:
                context = next((c for c in session.active_contexts if c.get("name") == match.group(1)), None)
                value = ((context or {}).get("contextAttributes") or {}).get(match.group(2))
            elif default.startswith("[") and default.endswith("]"):
                value = session.session_attributes.get(default[1:-1])
            else:
                value = default
            if isinstance(value, str) and value.strip():
                return value
        return None

    def _activate_output_contexts(self, turn: Turn) -> None:
        """A fulfilled intent activates its output contexts, carrying its slot values as parameters."""
        session = turn.session
        intent = self._intent_def(session)
        if intent is None or not intent.output_contexts or (session.intent or {}).get("state") != "Fulfilled":
            return
        values = {
            name: str(slot["value"]["interpretedValue"]) for name, slot in _slots_of(session).items() if _filled(slot)
        }
        contexts = {str(c.get("name")): c for c in session.active_contexts}
        for output in intent.output_contexts:
            given = contexts.get(output.name) if output.name in turn.activated else None
            attributes = {**values, **((given or {}).get("contextAttributes") or {})}
            contexts[output.name] = {
                "name": output.name,
                "contextAttributes": attributes,
                "timeToLive": {"timeToLiveInSeconds": output.ttl_seconds, "turnsToLive": output.ttl_turns},
            }
            session.context_deadlines[output.name] = turn.now + output.ttl_seconds
            turn.activated.add(output.name)
        session.active_contexts = list(contexts.values())

    def _count_turn(self, turn: Turn) -> None:
        """One turn less for every context this turn did not set; those at zero end."""
        session = turn.session
        kept = []
        for context in session.active_contexts:
            name = str(context.get("name"))
            if name not in turn.activated:
                ttl = dict(context.get("timeToLive") or {})
                ttl["turnsToLive"] = int(ttl.get("turnsToLive", 1)) - 1
                if ttl["turnsToLive"] <= 0:
                    session.context_deadlines.pop(name, None)
                    continue
                context = {**context, "timeToLive": ttl}
            kept.append(context)
        session.active_contexts = kept

    # -- what the text does ---------------------------------------------------------------------------------

    def _start_intent(self, turn: Turn, name: str) -> None:
        session = turn.session
        intent = self.definition.intent(name) or self.definition.fallback
        slots: dict[str, Any] = {slot.name: None for slot in intent.slots}
        found = self.resolver.extract(intent, turn.text) if intent.slots else {}
        for slot_name, value in found.items():
            slots[slot_name] = value.to_lex()
        for slot in intent.slots:
            if slots.get(slot.name) is None and slot.defaults:
                default = self._default(slot, session)
                if default is not None:
                    slots[slot.name] = {
                        "shape": "Scalar",
                        "value": {"originalValue": default, "interpretedValue": default, "resolvedValues": [default]},
                    }
        turn.resolved = found
        session.intent = {"name": intent.name, "slots": slots, "state": "InProgress", "confirmationState": "None"}
        session.dialog_action = None
        session.attempts = 0
        self._advance(turn)

    def _answer_slot(self, turn: Turn) -> None:
        session = turn.session
        intent = self._intent_def(session)
        slot_name = str((session.dialog_action or {}).get("slotToElicit", ""))
        slot = intent.slot(slot_name) if intent else None
        if intent is None or slot is None:
            self._start_intent(turn, turn.ranking[0].name)
            return
        if slot.type in FREE_TYPES and len(turn.text.split()) >= 3 and self._switches(turn, intent):
            # A name or a city can be almost anything: a clear request for another intent wins.
            self._start_intent(turn, turn.ranking[0].name)
            return
        values = self.resolver.resolve_reply(intent, slot, turn.text)
        if values:
            slots = _slots_of(session)
            for name, value in values.items():
                if name == slot_name or slots.get(name) is None:
                    slots[name] = value.to_lex()
                    turn.resolved[name] = value
            session.attempts = 0
            turn.continued = True
            self._advance(turn)
            return
        if self._switches(turn, intent):
            self._start_intent(turn, turn.ranking[0].name)
            return
        session.attempts += 1
        if session.attempts > slot.max_retries:
            log.info("lex: no value for slot %s after %d attempts, falling back", slot_name, session.attempts)
            self._start_intent(turn, self.definition.fallback.name)
            return
        turn.continued = True
        turn.messages.append(_plain(self._fill(slot.prompt, session)))

    def _answer_confirmation(self, turn: Turn) -> None:
        session = turn.session
        intent = self._intent_def(session)
        answer = parse_confirmation(turn.text)
        if intent is None:
            self._start_intent(turn, turn.ranking[0].name)
            return
        if answer is None:
            if self._switches(turn, intent):
                self._start_intent(turn, turn.ranking[0].name)
                return
            session.attempts += 1
            retries = intent.confirmation.max_retries if intent.confirmation else DEFAULT_MAX_RETRIES
            if session.attempts > retries:
                self._start_intent(turn, self.definition.fallback.name)
                return
            turn.continued = True
            prompt = intent.confirmation.prompt if intent.confirmation else _text_of(session.messages)
            turn.messages.append(_plain(self._fill(prompt, session)))
            return
        assert session.intent is not None
        session.intent["confirmationState"] = answer
        session.attempts = 0
        turn.continued = True
        self._advance(turn)

    def _switches(self, turn: Turn, current: Intent) -> bool:
        """The text is not an answer but clearly asks for another intent ("actually, show me jobs")."""
        top = turn.ranking[0] if turn.ranking else None
        return (
            top is not None
            and top.score is not None
            and top.name not in (current.name, self.definition.fallback.name)
            and top.score >= max(SWITCH_CONFIDENCE, self.threshold)
        )

    # -- moving the intent on -------------------------------------------------------------------------------

    def _advance(self, turn: Turn) -> None:
        intent = self._intent_def(turn.session)
        assert intent is not None
        if intent.dialog_code_hook and not intent.is_fallback:
            event = self._event(turn, "DialogCodeHook", self._proposed(turn.session, intent))
            self._apply(turn, self._invoke(event), source="DialogCodeHook")
        else:
            self._delegate(turn)

    def _next_step(self, session: Session, intent: Intent) -> tuple[str, Slot | None]:
        slots = _slots_of(session)
        missing = next((slot for slot in intent.required_slots if not _filled(slots.get(slot.name))), None)
        if missing is not None:
            return "ElicitSlot", missing
        confirmation_state = (session.intent or {}).get("confirmationState", "None")
        if intent.confirmation is not None and confirmation_state == "None":
            return "ConfirmIntent", None
        if confirmation_state == "Denied":
            return "Decline", None
        return "Fulfill", None

    def _proposed(self, session: Session, intent: Intent) -> dict[str, Any] | None:
        """`proposedNextState` of a dialog event: what Lex would do next, when it is a prompt."""
        step, slot = self._next_step(session, intent)
        if step == "ElicitSlot" and slot is not None:
            action: dict[str, Any] = {"type": "ElicitSlot", "slotToElicit": slot.name}
        elif step == "ConfirmIntent":
            action = {"type": "ConfirmIntent"}
        else:
            return None
        attempt = "Initial" if session.attempts == 0 else f"Retry{session.attempts}"
        return {"dialogAction": action, "intent": clone(session.intent), "prompt": {"attempt": attempt}}

    def _delegate(self, turn: Turn) -> None:
        """Lex's own next step."""
        session = turn.session
        intent = self._intent_def(session)
        assert intent is not None and session.intent is not None
        step, slot = self._next_step(session, intent)
        if step == "ElicitSlot" and slot is not None:
            session.intent["state"] = "InProgress"
            session.dialog_action = {"type": "ElicitSlot", "slotToElicit": slot.name}
            turn.messages.append(_plain(self._fill(slot.prompt, session)))
        elif step == "ConfirmIntent" and intent.confirmation is not None:
            session.intent["state"] = "InProgress"
            session.dialog_action = {"type": "ConfirmIntent"}
            turn.messages.append(_plain(self._fill(intent.confirmation.prompt, session)))
        elif step == "Decline":
            session.intent["state"] = "Failed"
            session.dialog_action = {"type": "Close"}
            if intent.confirmation is not None:
                turn.messages.append(_plain(self._fill(intent.confirmation.declination, session)))
        else:
            self._fulfill(turn, intent)

    def _fulfill(self, turn: Turn, intent: Intent) -> None:
        session = turn.session
        assert session.intent is not None
        session.intent["state"] = "ReadyForFulfillment"
        if intent.fulfillment_code_hook:
            event = self._event(turn, "FulfillmentCodeHook", None)
            self._apply(turn, self._invoke(event), source="FulfillmentCodeHook")
        else:
            session.dialog_action = {"type": "Close"}

    # -- the Lambda -----------------------------------------------------------------------------------------

    def _event(self, turn: Turn, source: str, proposed: dict[str, Any] | None) -> dict[str, Any]:
        """A Lex V2 code hook event (messageVersion 1.0), as Lex sends it to the Lambda."""
        session = turn.session
        intent = clone(session.intent) or {}
        state: dict[str, Any] = {
            "sessionAttributes": dict(session.session_attributes),
            "activeContexts": clone(session.active_contexts),
            "intent": intent,
            "originatingRequestId": turn.request_id,
        }
        previous = turn.session.dialog_action
        if previous is not None and turn.continued and source == "DialogCodeHook":
            state["dialogAction"] = clone(previous)
        if session.runtime_hints:
            state["runtimeHints"] = clone(session.runtime_hints)
        event: dict[str, Any] = {
            "messageVersion": "1.0",
            "invocationSource": source,
            "inputMode": "Text",
            "responseContentType": "text/plain; charset=utf-8",
            "sessionId": session.key.session_id,
            "inputTranscript": turn.text,
            "bot": self.bot.to_event(),
            "interpretations": self._interpretations(turn, event_form=True),
            "sessionState": state,
            "transcriptions": [
                {
                    "transcription": turn.text,
                    "transcriptionConfidence": 1,
                    "resolvedContext": {"intent": intent.get("name")},
                    "resolvedSlots": {
                        name: {
                            "shape": "Scalar",
                            "value": {"originalValue": v.original, "resolvedValues": list(v.resolved)},
                        }
                        for name, v in turn.resolved.items()
                    },
                }
            ],
        }
        if proposed is not None:
            event["proposedNextState"] = proposed
        if turn.request_attributes is not None:
            event["requestAttributes"] = dict(turn.request_attributes)
        return event

    def _invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        context = LambdaContext(self.function_name, self.lambda_timeout)
        started = time.perf_counter()
        future = self.executor.submit(self.fulfillment, clone(event), context)
        try:
            result = future.result(timeout=self.lambda_timeout)
        except FutureTimeout:
            future.cancel()
            raise DependencyFailedException(
                f"Invalid Lambda Response: Lambda function {self.function_name} timed out after "
                f"{self.lambda_timeout:g} seconds"
            ) from None
        except Exception as exc:
            log.exception("lex: the %s Lambda raised", event["invocationSource"])
            raise DependencyFailedException(
                f"Invalid Lambda Response: Received error response from Lambda: Unhandled ({type(exc).__name__}: {exc})"
            ) from exc
        log.debug(
            "lex: %s Lambda answered in %.1f ms", event["invocationSource"], (time.perf_counter() - started) * 1000
        )
        try:
            # What a real Lambda returns crosses the wire as JSON.
            decoded: Any = json.loads(json.dumps(result))
        except (TypeError, ValueError) as exc:
            raise DependencyFailedException(
                f"Invalid Lambda Response: Received invalid response from Lambda: not JSON serializable ({exc})"
            ) from exc
        return self._validated(decoded)

    def _validated(self, response: Any) -> dict[str, Any]:
        """The Lambda's answer, checked the way Lex checks it; anything off is DependencyFailedException."""

        def invalid(reason: str) -> DependencyFailedException:
            return DependencyFailedException(
                f"Invalid Lambda Response: Received invalid response from Lambda: {reason}"
            )

        if not isinstance(response, dict):
            raise invalid(f"expected a JSON object, got {type(response).__name__}")
        state = response.get("sessionState")
        if not isinstance(state, dict):
            raise invalid("sessionState is required")
        action = state.get("dialogAction")
        if not isinstance(action, dict) or action.get("type") not in DIALOG_ACTIONS:
            raise invalid(f"sessionState.dialogAction.type must be one of {sorted(DIALOG_ACTIONS)}")
        attributes = state.get("sessionAttributes")
        if attributes is not None and (
            not isinstance(attributes, dict) or not all(isinstance(v, str) for v in attributes.values())
        ):
            raise invalid("sessionAttributes must map strings to strings")
        intent = state.get("intent")
        if intent is not None:
            if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
                raise invalid("sessionState.intent.name is required")
            definition = self.definition.intent(intent["name"])
            if definition is None:
                raise invalid(f"intent {intent['name']!r} does not exist")
            if intent.get("state") is not None and intent["state"] not in INTENT_STATES:
                raise invalid(f"intent state {intent['state']!r} is not valid")
            if intent.get("confirmationState") is not None and intent["confirmationState"] not in CONFIRMATION_STATES:
                raise invalid(f"confirmationState {intent['confirmationState']!r} is not valid")
            slots = intent.get("slots") or {}
            if not isinstance(slots, dict):
                raise invalid("intent slots must be an object")
            for name, slot in slots.items():
                if definition.slot(name) is None:
                    raise invalid(f"slot {name!r} does not exist in intent {definition.name}")
                if slot is not None and not _valid_slot(slot):
                    raise invalid(f"slot {name!r} needs value.interpretedValue")
        messages = response.get("messages")
        if messages is not None:
            if not isinstance(messages, list):
                raise invalid("messages must be a list")
            for message in messages:
                if not isinstance(message, dict) or message.get("contentType") not in CONTENT_TYPES:
                    raise invalid(f"message contentType must be one of {sorted(CONTENT_TYPES)}")
                if message["contentType"] == "ImageResponseCard":
                    if not isinstance((message.get("imageResponseCard") or {}).get("title"), str):
                        raise invalid("an ImageResponseCard message needs imageResponseCard.title")
                elif not isinstance(message.get("content"), str) or not message["content"]:
                    raise invalid("a message needs non-empty content")
        if action["type"] == "ElicitSlot" and not isinstance(action.get("slotToElicit"), str):
            raise invalid("ElicitSlot needs slotToElicit")
        if action["type"] == "ElicitIntent" and not messages:
            raise invalid("ElicitIntent needs messages")
        request_attributes = response.get("requestAttributes")
        if request_attributes is not None and not isinstance(request_attributes, dict):
            raise invalid("requestAttributes must be an object")
        contexts = state.get("activeContexts")
        if contexts is not None:
            problem = context_problem(contexts)
            if problem:
                raise invalid(f"activeContexts: {problem}")
        return response

    def _apply(self, turn: Turn, response: dict[str, Any], *, source: str) -> None:
        session = turn.session
        state = response["sessionState"]
        if "sessionAttributes" in state and state["sessionAttributes"] is not None:
            session.session_attributes = dict(state["sessionAttributes"])
        if "activeContexts" in state and state["activeContexts"] is not None:
            self._set_contexts(session, state["activeContexts"], turn.now)
            turn.activated = {str(c["name"]) for c in state["activeContexts"]}
        if state.get("runtimeHints") is not None:
            session.runtime_hints = dict(state["runtimeHints"])
        turn.returned_request_attributes.update(
            {str(k): str(v) for k, v in (response.get("requestAttributes") or {}).items()}
        )
        if state.get("intent"):
            returned = state["intent"]
            definition = self.definition.intent(returned["name"])
            assert definition is not None
            current = session.intent if session.intent and session.intent.get("name") == returned["name"] else None
            merged = self._normalize_intent(definition, returned, current)
            session.intent = merged
        intent = self._intent_def(session)
        messages = [dict(m) for m in response.get("messages") or []]
        action = state["dialogAction"]
        kind = action["type"]
        if kind == "Close":
            if session.intent is not None and not (state.get("intent") or {}).get("state"):
                session.intent["state"] = "Fulfilled"
            session.dialog_action = {"type": "Close"}
            turn.messages.extend(messages)
        elif kind == "ElicitSlot":
            slot = intent.slot(action["slotToElicit"]) if intent else None
            if intent is None or slot is None or session.intent is None:
                raise DependencyFailedException(
                    "Invalid Lambda Response: Received invalid response from Lambda: "
                    f"slot {action['slotToElicit']!r} does not exist in the intent"
                )
            if not (state.get("intent") or {}).get("state"):
                session.intent["state"] = "InProgress"
            session.dialog_action = {
                k: v
                for k, v in action.items()
                if k in ("type", "slotToElicit", "slotElicitationStyle", "subSlotToElicit")
            }
            session.attempts = 0
            turn.messages.extend(messages or [_plain(self._fill(slot.prompt, session))])
        elif kind == "ConfirmIntent":
            if intent is None or session.intent is None or not (messages or intent.confirmation):
                raise DependencyFailedException(
                    "Invalid Lambda Response: Received invalid response from Lambda: ConfirmIntent needs messages"
                )
            if not (state.get("intent") or {}).get("state"):
                session.intent["state"] = "InProgress"
            session.intent["confirmationState"] = "None"
            session.dialog_action = {"type": "ConfirmIntent"}
            session.attempts = 0
            prompt = intent.confirmation.prompt if intent.confirmation else ""
            turn.messages.extend(messages or [_plain(self._fill(prompt, session))])
        elif kind == "ElicitIntent":
            session.dialog_action = {"type": "ElicitIntent"}
            turn.messages.extend(messages)
        else:  # Delegate
            turn.messages.extend(messages)
            if session.intent is None or intent is None:
                raise DependencyFailedException(
                    "Invalid Lambda Response: Received invalid response from Lambda: Delegate needs an intent"
                )
            if source == "DialogCodeHook":
                self._delegate(turn)
            else:
                if session.intent.get("state") not in ("Failed", "Fulfilled"):
                    session.intent["state"] = "Fulfilled"
                session.dialog_action = {"type": "Close"}

    # -- shapes ---------------------------------------------------------------------------------------------

    def _normalize_intent(
        self, definition: Intent, raw: Mapping[str, Any], current: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """An Intent structure with every slot of the definition present (null when unfilled)."""
        slots: dict[str, Any] = {slot.name: None for slot in definition.slots}
        if current is not None:
            slots.update(clone(current.get("slots") or {}))
        if "slots" in raw:
            slots.update(dict.fromkeys(slots))
            for name, slot in (raw.get("slots") or {}).items():
                if definition.slot(name) is None:
                    raise ValidationException(f"Slot {name!r} does not exist in intent {definition.name}")
                slots[name] = _normalize_slot(slot) if slot is not None else None
        state = raw.get("state") or (current or {}).get("state") or "InProgress"
        confirmation = raw.get("confirmationState") or (current or {}).get("confirmationState") or "None"
        return {"name": definition.name, "slots": slots, "state": state, "confirmationState": confirmation}

    def _interpretations(self, turn: Turn, *, event_form: bool) -> list[dict[str, Any]]:
        """The active intent first, then the classifier's alternatives (FallbackIntent without a score)."""
        session = turn.session
        fallback = self.definition.fallback.name
        current = clone(session.intent) if session.intent else None
        scores = {s.name: s.score for s in turn.ranking}
        state = (current or {}).get("state", "InProgress")
        out: list[dict[str, Any]] = []
        names: list[str] = []
        if current is not None:
            score = 1.0 if turn.continued else scores.get(current["name"])
            out.append(_interpretation(current, None if current["name"] == fallback else score, event_form))
            names.append(current["name"])
        for candidate in turn.ranking:
            if candidate.name in names or len(out) >= 5:
                continue
            definition = self.definition.intent(candidate.name) or self.definition.fallback
            alternative = {
                "name": candidate.name,
                "slots": {slot.name: None for slot in definition.slots},
                "state": state,
                "confirmationState": "None",
            }
            score = None if candidate.name == fallback else candidate.score
            out.append(_interpretation(alternative, score, event_form))
            names.append(candidate.name)
        return out

    def _response(self, turn: Turn) -> dict[str, Any]:
        session = turn.session
        response: dict[str, Any] = {
            "messages": clone(turn.messages),
            "sessionState": session.session_state(),
            "interpretations": self._interpretations(turn, event_form=False),
            "sessionId": session.key.session_id,
        }
        attributes = {**(turn.request_attributes or {}), **turn.returned_request_attributes}
        if turn.request_attributes is not None or attributes:
            response["requestAttributes"] = attributes
        return response

    def _intent_def(self, session: Session) -> Intent | None:
        name = (session.intent or {}).get("name")
        return self.definition.intent(name) if isinstance(name, str) else None

    def _fill(self, template: str, session: Session) -> str:
        """A prompt with its `{slotName}` references replaced by the slots' interpreted values."""
        slots = _slots_of(session)

        def value(match: re.Match[str]) -> str:
            slot = slots.get(match.group(1))
            interpreted = ((slot or {}).get("value") or {}).get("interpretedValue")
            return str(interpreted) if interpreted else match.group(0)

        return PLACEHOLDER.sub(value, template)


def context_problem(contexts: Any) -> str | None:
    """What is wrong with an `activeContexts` list under Lex V2's ActiveContext shape, or None."""
    if not isinstance(contexts, list):
        return "must be a list"
    if len(contexts) > 20:
        return "at most 20 contexts"
    for context in contexts:
        if not isinstance(context, dict):
            return "every context must be an object"
        name = context.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100 or not CONTEXT_NAME.match(name):
            return f"name {name!r} must match {CONTEXT_NAME.pattern}"
        ttl = context.get("timeToLive")
        if not isinstance(ttl, dict):
            return f"context {name}: timeToLive is required"
        seconds, turns = ttl.get("timeToLiveInSeconds"), ttl.get("turnsToLive")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or not 5 <= seconds <= 86400:
            return f"context {name}: timeToLiveInSeconds must be 5..86400"
        if not isinstance(turns, int) or isinstance(turns, bool) or not 1 <= turns <= 20:
            return f"context {name}: turnsToLive must be 1..20"
        attributes = context.get("contextAttributes")
        if not isinstance(attributes, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in attributes.items()
        ):
            return f"context {name}: contextAttributes must map strings to strings"
    names = [c["name"] for c in contexts]
    if len(set(names)) != len(names):
        return "a context is named twice"
    return None


def _interpretation(intent: dict[str, Any], score: float | None, event_form: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"intent": intent}
    if score is not None:
        item["nluConfidence"] = score if event_form else {"score": score}
    item["interpretationSource"] = "Lex"
    return item


def _slots_of(session: Session) -> dict[str, Any]:
    if session.intent is None:
        return {}
    slots = session.intent.setdefault("slots", {})
    assert isinstance(slots, dict)
    return slots


def _filled(slot: Any) -> bool:
    return isinstance(slot, dict) and bool((slot.get("value") or {}).get("interpretedValue"))


def _valid_slot(slot: Any) -> bool:
    if not isinstance(slot, dict):
        return False
    if slot.get("shape") == "List":
        return all(_valid_slot(v) for v in slot.get("values") or [])
    if slot.get("shape") == "Composite" or "subSlots" in slot:
        return isinstance(slot.get("subSlots"), dict)
    value = slot.get("value")
    return isinstance(value, dict) and isinstance(value.get("interpretedValue"), str)


def _normalize_slot(slot: Mapping[str, Any]) -> dict[str, Any]:
    """A slot as the Lambda set it, with the fields Lex adds when it stores one ({"value": {...}} → Scalar)."""
    normalized: dict[str, Any] = clone(dict(slot))
    normalized.setdefault("shape", "List" if "values" in normalized else "Scalar")
    value = normalized.get("value")
    if isinstance(value, dict) and "interpretedValue" in value:
        value.setdefault("originalValue", value["interpretedValue"])
        value.setdefault("resolvedValues", [value["interpretedValue"]])
    return normalized


def _string_map(value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValidationException(f"{what} must map strings to strings")
    return dict(value)


def _plain(text: str) -> dict[str, Any]:
    return {"contentType": "PlainText", "content": text}


def _text_of(messages: Sequence[Mapping[str, Any]]) -> str:
    return " ".join(str(m.get("content", "")) for m in messages if m.get("content")) or "Shall I go ahead?"


def _session_copy(session: Session) -> Session:
    return Session(
        key=session.key,
        session_attributes=dict(session.session_attributes),
        intent=clone(session.intent),
        dialog_action=clone(session.dialog_action),
        active_contexts=clone(session.active_contexts),
        runtime_hints=clone(session.runtime_hints),
        originating_request_id=session.originating_request_id,
        messages=clone(session.messages),
        interpretations=clone(session.interpretations),
        attempts=session.attempts,
        last_seen=session.last_seen,
        context_deadlines=dict(session.context_deadlines),
    )


def _copy_into(target: Session, source: Session) -> None:
    for name in (
        "session_attributes",
        "intent",
        "dialog_action",
        "active_contexts",
        "runtime_hints",
        "originating_request_id",
        "messages",
        "interpretations",
        "attempts",
        "context_deadlines",
    ):
        setattr(target, name, getattr(source, name))
