"""The chat turn behind `POST /chat` (the lex_proxy Lambda's logic).

API Gateway REST proxy event (payload 1.0) → validated `{"message", "session_id"?}` → Lex V2
`RecognizeText` → the chat contract `{"session_id", "intent", "slots", "state", "messages", "sources"}`,
then one chat event to the lake (best effort). Who is asking comes only from the API Gateway authorizer's context
(`requestContext.authorizer`: a verified Cognito principal, or anonymous), never from the body: every turn sends it
as the turn's request attributes `campusbot.principal.sub`/`.email` (none for an anonymous turn), which Lex hands to
the code hooks of that turn only and never stores; the fulfillment reads identity from there and nowhere else. So a
turn costs one Lex call (RecognizeText), with nothing to read back from the session first. Every outcome is a
well-formed proxy response with CORS headers: 204 for the preflight, 4xx for requests that cannot be a chat turn,
429/502/504 when Lex throttles, fails or is too slow, 500 for anything unexpected (logged).
Formats: aws_formats.md §2, §3.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from campusbot.analytics.events import ChatEvent, ChatEventSink, NullSink
from campusbot.assistant import attributes, feedback, identity
from campusbot.assistant.text import InvalidText, clean_text
from campusbot.auth.principal import Principal

if TYPE_CHECKING:  # botocore is imported when the client is built (the first turn), not with this module
    from mypy_boto3_lexv2_runtime import LexRuntimeV2Client
    from mypy_boto3_lexv2_runtime.type_defs import RecognizeTextResponseTypeDef


log = logging.getLogger(__name__)

SESSION_ID = re.compile(r"^[0-9a-zA-Z._:-]{2,100}$")
CHANNEL = re.compile(r"^[a-z0-9_-]{1,20}$")
MAX_BODY_BYTES = 16 * 1024
MAX_BUTTONS = 25
JSON_TYPES = ("application/json", "text/plain", "application/x-www-form-urlencoded")
ALLOWED_HEADERS = "Content-Type,Authorization,X-Api-Key,X-Campusbot-Channel"
LEX_STATUS = {"ThrottlingException": 429, "ConflictException": 409}
LEX_ERRORS = {
    429: "the assistant is busy; try again in a moment",
    409: "this session is busy with another message; try again",
}


class Rejected(Exception):
    """A request that cannot be a chat turn: its HTTP status and the message for the client."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class ChatRequest:
    message: str
    session_id: str
    channel: str
    origin: str | None = None
    principal: Principal | None = None


@dataclass(frozen=True)
class ChatReply:
    """The chat contract (ARCHITECTURE.md §4) plus what the analytics record needs."""

    session_id: str
    intent: str | None
    slots: dict[str, str | None]
    state: str | None
    messages: list[str]
    sources: list[dict[str, Any]]
    answer_source: str
    nlu_confidence: float | None
    buttons: list[dict[str, str]] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "intent": self.intent,
            "slots": self.slots,
            "state": self.state,
            "messages": self.messages,
            "sources": self.sources,
            "answer_source": self.answer_source,
            "buttons": self.buttons,
        }


class ChatProxy:
    def __init__(
        self,
        lex: LexRuntimeV2Client,
        *,
        bot_id: str,
        bot_alias_id: str,
        locale_id: str,
        env: str = "dev",
        cors_allow_origin: str = "*",
        max_chars: int = 1024,
        events: ChatEventSink | None = None,
    ) -> None:
        self.lex = lex
        self.bot_id, self.bot_alias_id, self.locale_id = bot_id, bot_alias_id, locale_id
        self.env = env
        self.origins = [o.strip() for o in cors_allow_origin.split(",") if o.strip()] or ["*"]
        self.max_chars = max_chars
        self.events = events or NullSink()

    def handle(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """One API Gateway invocation → one proxy response; never raises."""
        origin = _header(event, "origin")
        try:
            method = _method(event)
            if method == "OPTIONS":
                return self._respond(204, None, origin, preflight=True)
            if method != "POST":
                raise Rejected(405, f"method {method or '?'} not allowed; use POST", {"Allow": "POST, OPTIONS"})
            if _resource(event) == feedback.PATH:
                return self._feedback(event, origin)
            request = parse_request(event, self.max_chars)
        except Rejected as exc:
            return self._respond(exc.status, {"error": exc.message}, origin, exc.headers)
        except Exception:
            log.exception("could not read the request")
            return self._respond(400, {"error": "the request could not be read"}, origin)
        try:
            return self._turn(request)
        except Exception:
            log.exception("chat turn failed")
            return self._respond(500, {"error": "internal error; please try again"}, origin)

    def _feedback(self, event: Mapping[str, Any], origin: str | None) -> dict[str, Any]:
        """A thumbs up or down on an earlier turn → one `feedback` chat event (202; Rejected for a bad body)."""
        try:
            rated = feedback.parse_feedback(json_object(event))
        except ValueError as exc:
            raise Rejected(400, str(exc)) from None
        channel = (_header(event, "x-campusbot-channel") or "web").strip().lower()
        record = ChatEvent.feedback(
            rated_event_id=rated.turn_id,
            rating=rated.rating,
            session_id=rated.session_id,
            env=self.env,
            channel=channel if CHANNEL.match(channel) else "web",
        )
        try:
            self.events.record(record)
        except Exception:  # analytics is best effort, as for turns
            log.exception("feedback event not recorded")
        return self._respond(202, {"event_id": record.event_id, "rated_turn_id": rated.turn_id}, origin)

    def _turn(self, request: ChatRequest) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

        started = time.perf_counter()
        principal = identity.principal_attributes(request.principal)
        extra: dict[str, Any] = {"requestAttributes": principal} if principal else {}
        try:
            response = self.lex.recognize_text(
                botId=self.bot_id,
                botAliasId=self.bot_alias_id,
                localeId=self.locale_id,
                sessionId=request.session_id,
                text=request.message,
                **extra,
            )
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", "ClientError"))
            status = LEX_STATUS.get(code, 502)
            log.warning("RecognizeText failed: %s", code)
            return self._failed(
                request, started, code, status, LEX_ERRORS.get(status, "the assistant failed to answer")
            )
        except (ReadTimeoutError, ConnectTimeoutError):
            log.warning("RecognizeText timed out")
            return self._failed(request, started, "Timeout", 504, "the assistant took too long to answer")
        except BotoCoreError as exc:
            log.warning("RecognizeText could not be sent: %s", exc)
            return self._failed(request, started, type(exc).__name__, 502, "the assistant is unavailable")
        reply = to_reply(response, request.session_id)
        turn_id = uuid.uuid4().hex  # the chat event's id: the client names it to rate the turn (feedback)
        self._record(request, started, reply=reply, turn_id=turn_id)
        return self._respond(200, {**reply.body(), "turn_id": turn_id}, request.origin)

    def _failed(self, request: ChatRequest, started: float, code: str, status: int, message: str) -> dict[str, Any]:
        self._record(request, started, error=code)
        headers = {"Retry-After": "1"} if status == 429 else {}
        return self._respond(status, {"error": message, "session_id": request.session_id}, request.origin, headers)

    def _record(
        self,
        request: ChatRequest,
        started: float,
        *,
        reply: ChatReply | None = None,
        error: str = "",
        turn_id: str | None = None,
    ) -> None:
        try:
            event = ChatEvent.create(
                session_id=request.session_id,
                env=self.env,
                channel=request.channel,
                intent=reply.intent if reply else None,
                nlu_confidence=reply.nlu_confidence if reply else None,
                state=reply.state if reply else None,
                answer_source=reply.answer_source if reply else "none",
                slots=reply.slots if reply else {},
                message_chars=len(request.message),
                latency_ms=(time.perf_counter() - started) * 1000,
                error=error,
                message=request.message,
                sources=reply.sources if reply else (),
                event_id=turn_id,
            )
            self.events.record(event)
        except Exception:  # analytics never fails a chat turn
            log.exception("chat event not recorded")

    def _respond(
        self,
        status: int,
        body: dict[str, Any] | None,
        origin: str | None,
        extra: Mapping[str, str] | None = None,
        *,
        preflight: bool = False,
    ) -> dict[str, Any]:
        headers = {"Access-Control-Allow-Origin": self._allow_origin(origin), "Cache-Control": "no-store"}
        if headers["Access-Control-Allow-Origin"] != "*":
            headers["Vary"] = "Origin"
        if preflight:
            headers["Access-Control-Allow-Methods"] = "POST,OPTIONS"
            headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            headers["Access-Control-Max-Age"] = "600"
        if body is not None:
            headers["Content-Type"] = "application/json"
        headers.update(extra or {})
        text = "" if body is None else json.dumps(body, ensure_ascii=False)
        return {"statusCode": status, "headers": headers, "body": text, "isBase64Encoded": False}

    def _allow_origin(self, origin: str | None) -> str:
        """`*`, the single configured origin, or (for a list) the request's origin when it is listed."""
        if "*" in self.origins:
            return "*"
        return origin if origin in self.origins else self.origins[0]


class UnavailableProxy(ChatProxy):
    """What answers `/chat` when the proxy cannot start (its configuration is broken; the cause is in the cold-start
    log): the CORS preflight still succeeds, every other request is a JSON 500 with CORS headers."""

    MESSAGE = "the chat service is misconfigured"

    def __init__(self, cors_allow_origin: str = "*") -> None:
        super().__init__(None, bot_id="", bot_alias_id="", locale_id="", cors_allow_origin=cors_allow_origin)  # type: ignore[arg-type]

    def handle(self, event: Mapping[str, Any]) -> dict[str, Any]:
        origin = _header(event, "origin")
        try:
            preflight = _method(event) == "OPTIONS"
        except Exception:
            preflight = False
        if preflight:
            return self._respond(204, None, origin, preflight=True)
        return self._respond(500, {"error": self.MESSAGE}, origin)


# Request --------------------------------------------------------------------------------------------------


def parse_request(event: Mapping[str, Any], max_chars: int) -> ChatRequest:
    """The chat request in a POST event, or `Rejected` with the status and a message that says what to fix."""
    body = json_object(event)
    message = body.get("message")
    if not isinstance(message, str):
        raise Rejected(400, '"message" is required and must be a string')
    try:
        message = clean_text(message)
    except InvalidText as exc:
        raise Rejected(400, str(exc)) from None
    if not message:
        raise Rejected(400, '"message" is empty')
    if len(message) > max_chars:
        raise Rejected(413, f'"message" is too long: {len(message)} characters, at most {max_chars}')
    session_id = body.get("session_id")
    if session_id is None:
        session_id = uuid.uuid4().hex
    elif not isinstance(session_id, str) or not SESSION_ID.fullmatch(session_id):
        raise Rejected(400, '"session_id" must be 2-100 characters of letters, digits and . _ : -')
    channel = (_header(event, "x-campusbot-channel") or "web").strip().lower()
    return ChatRequest(
        message=message,
        session_id=session_id,
        channel=channel if CHANNEL.match(channel) else "web",
        origin=_header(event, "origin"),
        principal=authorized_principal(event),
    )


def authorized_principal(event: Mapping[str, Any]) -> Principal | None:
    """The principal the authorizer verified (`requestContext.authorizer`), else None (anonymous). Nothing in the
    body or the headers counts: API Gateway alone writes the request context."""
    context = _mapping(_mapping(event.get("requestContext")).get("authorizer"))
    sub = context.get("sub")
    if context.get("principal") != "user" or not isinstance(sub, str) or not 1 <= len(sub) <= 128:
        return None
    email = context.get("email")
    return Principal(sub=sub, email=email if isinstance(email, str) and 0 < len(email) <= 254 else None)


def json_object(event: Mapping[str, Any]) -> dict[str, Any]:
    """The POST body as a JSON object, or `Rejected` (415, 400, 413) saying what is wrong with it."""
    content_type = (_header(event, "content-type") or "").split(";")[0].strip().lower()
    if content_type and not (content_type in JSON_TYPES or content_type.endswith("+json")):
        raise Rejected(415, "send the message as JSON (Content-Type: application/json)")
    raw = event.get("body")
    if raw is None or raw == "":
        raise Rejected(400, 'the body must be a JSON object like {"message": "hello"}')
    if not isinstance(raw, str):
        raise Rejected(400, "the body must be a JSON string")
    data = _decode_body(raw, bool(event.get("isBase64Encoded")))
    try:
        body = json.loads(data)
    except ValueError:
        raise Rejected(400, 'the body is not valid JSON; send {"message": "...", "session_id": "..."}') from None
    if not isinstance(body, dict):
        raise Rejected(400, 'the body must be a JSON object like {"message": "hello"}')
    return body


def _decode_body(raw: str, is_base64: bool) -> str:
    if len(raw) > (MAX_BODY_BYTES * 4) // 3 + 4:
        raise Rejected(413, f"the body is too large (at most {MAX_BODY_BYTES // 1024} KB)")
    if is_base64:
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise Rejected(400, "the body is marked base64 but is not valid base64") from None
    else:
        data = raw.encode("utf-8", "surrogatepass")
    if len(data) > MAX_BODY_BYTES:
        raise Rejected(413, f"the body is too large (at most {MAX_BODY_BYTES // 1024} KB)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(400, "the body is not UTF-8 text") from None


def _resource(event: Mapping[str, Any]) -> str:
    """The API resource the request is for (`/chat`, `/feedback`): API Gateway's `resource`, else the path."""
    resource = event.get("resource")
    if not isinstance(resource, str) or "{" in resource or not resource:
        resource = event.get("path") if isinstance(event.get("path"), str) else ""
    return str(resource).rstrip("/") or "/"


def _method(event: Mapping[str, Any]) -> str:
    method = event.get("httpMethod")
    if not isinstance(method, str):
        context = event.get("requestContext")
        method = context.get("httpMethod") if isinstance(context, Mapping) else None
    return method.upper() if isinstance(method, str) else ""


def _header(event: Mapping[str, Any], name: str) -> str | None:
    """A request header, case-insensitively (headers may be null, and keep the case the client sent)."""
    headers = event.get("headers")
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name and isinstance(value, str):
            return value
    return None


# Response ---------------------------------------------------------------------------------------------------


def to_reply(response: RecognizeTextResponseTypeDef | Mapping[str, Any], session_id: str) -> ChatReply:
    """RecognizeText's answer as the chat contract; campusbot's attributes count only on a closing turn."""
    state = _mapping(response.get("sessionState"))
    intent = _mapping(state.get("intent"))
    name = intent.get("name") if isinstance(intent.get("name"), str) else None
    action = _mapping(state.get("dialogAction")).get("type")
    intent_state = intent.get("state")
    closed = action == "Close" or (action is None and intent_state in ("Fulfilled", "Failed"))
    session_attributes = _mapping(state.get("sessionAttributes"))
    return ChatReply(
        session_id=session_id,
        intent=name,
        slots=_slots(intent.get("slots")),
        state=_state(closed, action, intent_state),
        messages=_messages(response.get("messages")),
        sources=attributes.decode_sources(session_attributes.get(attributes.SOURCES)) if closed else [],
        answer_source=attributes.answer_source(session_attributes.get(attributes.ANSWER_SOURCE)) if closed else "none",
        nlu_confidence=_confidence(response.get("interpretations"), name),
        buttons=_buttons(response.get("messages")),
    )


def _state(closed: bool, action: object, intent_state: object) -> str | None:
    """Fulfilled/Failed once the intent closes; while the dialog is open, what the bot waits for
    (ElicitSlot, ConfirmIntent, ElicitIntent) — more useful to a client than Lex's InProgress."""
    if not closed and isinstance(action, str) and action != "Delegate":
        return action
    if isinstance(intent_state, str):
        return intent_state
    return action if isinstance(action, str) else None


def _slots(slots: object) -> dict[str, str | None]:
    result: dict[str, str | None] = {}
    for name, slot in _mapping(slots).items():
        value = _mapping(_mapping(slot).get("value")).get("interpretedValue")
        result[str(name)] = value if isinstance(value, str) else None
    return result


def _messages(messages: object) -> list[str]:
    texts: list[str] = []
    for message in messages if isinstance(messages, list) else []:
        message = _mapping(message)
        if isinstance(message.get("content"), str) and message["content"]:
            texts.append(message["content"])
        elif isinstance(_mapping(message.get("imageResponseCard")).get("title"), str):
            texts.append(message["imageResponseCard"]["title"])
    return texts


def _buttons(messages: object) -> list[dict[str, str]]:
    """The quick replies of the turn's ImageResponseCards ({"text", "value"}), for clients that show buttons."""
    found: list[dict[str, str]] = []
    for message in messages if isinstance(messages, list) else []:
        for button in _mapping(_mapping(message).get("imageResponseCard")).get("buttons") or []:
            text, value = _mapping(button).get("text"), _mapping(button).get("value")
            if isinstance(text, str) and isinstance(value, str) and text and value:
                found.append({"text": text[:50], "value": value[:50]})
    return found[:MAX_BUTTONS]


def _confidence(interpretations: object, name: str | None) -> float | None:
    for interpretation in interpretations if isinstance(interpretations, list) else []:
        interpretation = _mapping(interpretation)
        if _mapping(interpretation.get("intent")).get("name") != name:
            continue
        score = interpretation.get("nluConfidence")
        score = _mapping(score).get("score") if isinstance(score, Mapping) else score
        if isinstance(score, int | float) and not isinstance(score, bool):
            return float(score)
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
