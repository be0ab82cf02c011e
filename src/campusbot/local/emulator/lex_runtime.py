"""Lex V2 runtime emulator: RecognizeText, GetSession, DeleteSession and PutSession on their REST paths.

The paths, request and response shapes and errors are those of botocore's `lexv2-runtime` service model, so
the unchanged `boto3.client("lexv2-runtime")` talks to it when `AWS_ENDPOINT_URL_LEX_RUNTIME_V2` points here:

    POST   /bots/{botId}/botAliases/{botAliasId}/botLocales/{localeId}/sessions/{sessionId}/text   RecognizeText
    GET    /bots/{botId}/botAliases/{botAliasId}/botLocales/{localeId}/sessions/{sessionId}        GetSession
    DELETE /bots/{botId}/botAliases/{botAliasId}/botLocales/{localeId}/sessions/{sessionId}        DeleteSession
    POST   /bots/{botId}/botAliases/{botAliasId}/botLocales/{localeId}/sessions/{sessionId}        PutSession

Errors carry `X-Amzn-ErrorType` and a JSON `message`, which botocore raises as `client.exceptions.<Code>`:
ValidationException (400: wrong locale, empty or too long text, malformed session id or state),
ResourceNotFoundException (404: unknown bot or alias, no such session), ConflictException (409: a turn is
already running on the session), DependencyFailedException (424: the fulfillment Lambda raised, timed out
or answered what Lex would reject).

The bot is the CloudFormation template Terraform deploys (`bot/bot.template.json`, rendered from
`bot/definition.yaml`, loaded by `bot.cloudformation.load_bot`); the dialog is `dialog.Dialog`, intents
come from `nlu.IntentRecognizer` and slots from `slots.SlotResolver`. Turns run in worker threads, so the
server's event loop never waits on the model or the Lambda.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Request, Response

from campusbot.assistant.text import is_unicode_text
from campusbot.bot.cloudformation import load_bot
from campusbot.bot.model import BotDefinition
from campusbot.local.emulator.dialog import (
    BotIdentity,
    ConflictException,
    Dialog,
    Fulfillment,
    LexError,
    Recognizer,
    ResourceNotFoundException,
    ValidationException,
)
from campusbot.local.emulator.sessions import SessionBusy, SessionKey, SessionStore
from campusbot.local.emulator.slots import SlotResolver

log = logging.getLogger("campusbot.lex")

SESSION_PATH = "/bots/{botId}/botAliases/{botAliasId}/botLocales/{localeId}/sessions/{sessionId}"
# Local only (beside /_campusbot/health): the runtime has the UniversityName values read once the API serves them
READ_NAMES_PATH = "/_campusbot/lex/read-names"
SESSION_ID = re.compile(r"^[0-9a-zA-Z._:-]{2,100}$")
TEST_ALIAS_ID = "TSTALIASID"
MAX_TEXT = 1024


class LexEmulator:
    """The Lex V2 runtime for one bot (default: the deployed template's), invoking the fulfillment Lambda (code hook).

    `fulfillment` has the Lambda handler's signature `(event, context) -> response`: a `LambdaInvoker` of the
    fulfillment execution environment on the local runtime, the handler itself in tests; `university_names`
    supplies the values of the database-filled slot type (UniversityName), re-read after `names_ttl_seconds`.
    Building the emulator loads the sentence encoder and trains the intent classifier (a few seconds, see
    `load_seconds`); pass `recognizer` to share one between emulators (tests do).
    """

    name = "lex"

    def __init__(
        self,
        definition: BotDefinition | None,
        fulfillment: Fulfillment,
        university_names: Callable[[], Sequence[str]] | None = None,
        bot_id: str = "CAMPUSBOT0",
        *,
        bot_alias_id: str = TEST_ALIAS_ID,
        bot_alias_name: str = "TestBotAlias",
        bot_version: str = "DRAFT",
        recognizer: Recognizer | None = None,
        lambda_timeout: float = 30.0,
        names_ttl_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        started = time.perf_counter()
        self.definition = definition or load_bot()
        self.bot = BotIdentity(
            id=bot_id,
            name=self.definition.bot.name,
            alias_id=bot_alias_id,
            alias_name=bot_alias_name,
            locale_id=self.definition.locale.id,
            version=bot_version,
        )
        if recognizer is None:
            from campusbot.local.emulator.nlu import IntentRecognizer

            recognizer = IntentRecognizer(self.definition)
        self.recognizer = recognizer
        self.resolver = SlotResolver(
            self.definition, university_names, known_words=_known_words(), names_ttl_seconds=names_ttl_seconds
        )
        self.sessions = SessionStore(self.definition.bot.idle_session_ttl_seconds, clock)
        self._lambdas = ThreadPoolExecutor(max_workers=8, thread_name_prefix="lex-lambda")
        self.dialog = Dialog(
            self.definition,
            recognizer,
            self.resolver,
            fulfillment,
            self.bot,
            self._lambdas,
            lambda_timeout=lambda_timeout,
            clock=clock,
        )
        self.load_seconds = time.perf_counter() - started
        log.info("lex emulator ready for bot %s (%s) in %.2f s", self.bot.name, self.bot.id, self.load_seconds)

    def close(self) -> None:
        """Stop the Lambda worker threads (a Lambda still running finishes on its own)."""
        self._lambdas.shutdown(wait=False, cancel_futures=True)

    # -- operations (also callable without HTTP) -------------------------------------------------------------

    def recognize_text(self, bot_id: str, alias_id: str, locale_id: str, session_id: str, body: Any) -> dict[str, Any]:
        key = self._key(bot_id, alias_id, locale_id, session_id)
        if not isinstance(body, dict):
            raise ValidationException("The request body must be a JSON object")
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise ValidationException("1 validation error detected: Value at 'text' failed to satisfy constraint: "
                                      "Member must have length greater than or equal to 1")  # fmt: skip
        if len(text) > MAX_TEXT:
            raise ValidationException(
                f"1 validation error detected: Value at 'text' failed to satisfy constraint: Member must have length "
                f"less than or equal to {MAX_TEXT}"
            )
        state = _optional_dict(body, "sessionState")
        attributes = _optional_string_map(body, "requestAttributes")
        try:
            with self.sessions.turn(key) as session:
                return self.dialog.recognize_text(session, text, session_state=state, request_attributes=attributes)
        except SessionBusy:
            raise ConflictException(f"Another request is in progress for session {session_id}") from None

    def get_session(self, bot_id: str, alias_id: str, locale_id: str, session_id: str) -> dict[str, Any]:
        key = self._key(bot_id, alias_id, locale_id, session_id)
        session = self.sessions.get(key)
        if session is None:
            raise ResourceNotFoundException(f"Session {session_id} not found")
        self.dialog.expire_contexts(session, self.dialog.clock())
        return {
            "sessionId": session_id,
            "messages": session.messages,
            "interpretations": session.interpretations,
            "sessionState": session.session_state(),
        }

    def delete_session(self, bot_id: str, alias_id: str, locale_id: str, session_id: str) -> dict[str, Any]:
        key = self._key(bot_id, alias_id, locale_id, session_id)
        if self.sessions.delete(key) is None:
            raise ResourceNotFoundException(f"Session {session_id} not found")
        return {"botId": bot_id, "botAliasId": alias_id, "localeId": locale_id, "sessionId": session_id}

    def put_session(self, bot_id: str, alias_id: str, locale_id: str, session_id: str, body: Any) -> dict[str, Any]:
        key = self._key(bot_id, alias_id, locale_id, session_id)
        if not isinstance(body, dict) or not isinstance(body.get("sessionState"), dict):
            raise ValidationException("1 validation error detected: Value null at 'sessionState' failed to satisfy "
                                      "constraint: Member must not be null")  # fmt: skip
        messages = body.get("messages")
        if messages is not None and not isinstance(messages, list):
            raise ValidationException("messages must be a list")
        attributes = _optional_string_map(body, "requestAttributes")
        try:
            with self.sessions.turn(key) as session:
                return self.dialog.put_session(session, body["sessionState"], messages, attributes)
        except SessionBusy:
            raise ConflictException(f"Another request is in progress for session {session_id}") from None

    def _key(self, bot_id: str, alias_id: str, locale_id: str, session_id: str) -> SessionKey:
        if bot_id != self.bot.id:
            raise ResourceNotFoundException(f"Could not find bot {bot_id}")
        if alias_id not in (self.bot.alias_id, TEST_ALIAS_ID):
            raise ResourceNotFoundException(f"Could not find alias {alias_id} of bot {bot_id}")
        if locale_id != self.bot.locale_id:
            raise ValidationException(f"Locale {locale_id} is not built for bot {bot_id}; it has {self.bot.locale_id}")
        if not SESSION_ID.fullmatch(session_id):
            raise ValidationException(
                "1 validation error detected: Value at 'sessionId' failed to satisfy constraint: Member must satisfy "
                "regular expression pattern: [0-9a-zA-Z._:-]+ and have length between 2 and 100"
            )
        return SessionKey(bot_id, alias_id, locale_id, session_id)

    # -- HTTP ----------------------------------------------------------------------------------------------

    def router(self) -> APIRouter:
        router = APIRouter(tags=["lexv2-runtime"])

        @router.post(READ_NAMES_PATH, status_code=202)
        async def read_names() -> dict[str, bool]:
            """The local runtime's call once the database is seeded and the API answers (Lex's build step reads the
            UniversityName values before any turn): the first read starts now, in the background, so the first
            turn finds them read or waits only for what is left of the read."""
            threading.Thread(target=self.resolver.refresh, name="lex-slot-values", daemon=True).start()
            return {"reading": True}

        @router.post(SESSION_PATH + "/text")
        async def recognize_text(
            botId: str, botAliasId: str, localeId: str, sessionId: str, request: Request
        ) -> Response:
            body = await _json_body(request)
            return await _call(self.recognize_text, botId, botAliasId, localeId, sessionId, body)

        @router.get(SESSION_PATH)
        async def get_session(botId: str, botAliasId: str, localeId: str, sessionId: str) -> Response:
            return await _call(self.get_session, botId, botAliasId, localeId, sessionId)

        @router.delete(SESSION_PATH)
        async def delete_session(botId: str, botAliasId: str, localeId: str, sessionId: str) -> Response:
            return await _call(self.delete_session, botId, botAliasId, localeId, sessionId)

        @router.post(SESSION_PATH)
        async def put_session(botId: str, botAliasId: str, localeId: str, sessionId: str, request: Request) -> Response:
            body = await _json_body(request)
            if isinstance(body, LexError):
                return _error(body)
            try:
                result = await asyncio.to_thread(self.put_session, botId, botAliasId, localeId, sessionId, body)
            except LexError as exc:
                return _error(exc)
            return _put_session_response(result, request.headers.get("ResponseContentType"))

        return router


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        return ValidationException("The request body is not valid JSON")
    if not is_unicode_text(body):  # a lone surrogate escape (\ud800): no UTF-8 form, Lex cannot take it
        return ValidationException("The request body holds a string that is not valid Unicode text")
    return body


async def _call(operation: Callable[..., dict[str, Any]], *args: Any) -> Response:
    if any(isinstance(a, LexError) for a in args):
        return _error(next(a for a in args if isinstance(a, LexError)))
    try:
        result = await asyncio.to_thread(operation, *args)
    except LexError as exc:
        return _error(exc)
    except Exception as exc:  # a bug in the emulator: an AWS-shaped 500, never a bare traceback
        log.exception("lex emulator: internal error")
        return _error(LexError(f"Internal error: {type(exc).__name__}: {exc}"))
    return Response(json.dumps(result), media_type="application/json", headers={"x-amzn-RequestId": str(uuid.uuid4())})


def _error(exc: LexError) -> Response:
    return Response(
        json.dumps({"message": exc.message}),
        status_code=exc.status,
        media_type="application/json",
        headers={"x-amzn-ErrorType": exc.code, "x-amzn-RequestId": str(uuid.uuid4())},
    )


def _put_session_response(result: dict[str, Any], content_type: str | None) -> Response:
    """PutSession answers in headers: JSON, gzipped and base64-encoded, as Lex sends them."""
    headers = {
        "x-amz-lex-session-id": result["sessionId"],
        "x-amz-lex-session-state": _packed(result["sessionState"]),
        "x-amzn-RequestId": str(uuid.uuid4()),
    }
    if result.get("messages"):
        headers["x-amz-lex-messages"] = _packed(result["messages"])
    if result.get("requestAttributes"):
        headers["x-amz-lex-request-attributes"] = _packed(result["requestAttributes"])
    return Response(b"", media_type=content_type or "text/plain; charset=utf-8", headers=headers)


def _packed(value: Any) -> str:
    return base64.b64encode(gzip.compress(json.dumps(value).encode())).decode()


def unpack_header(value: str) -> Any:
    """Decode a gzipped, base64-encoded Lex header (PutSession, RecognizeUtterance)."""
    return json.loads(gzip.decompress(base64.b64decode(value)))


def _optional_dict(body: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationException(f"{key} must be an object")
    return value


def _optional_string_map(body: dict[str, Any], key: str) -> dict[str, str] | None:
    value = _optional_dict(body, key)
    if value is not None and not all(isinstance(v, str) for v in value.values()):
        raise ValidationException(f"{key} must map strings to strings")
    return value


def _known_words() -> frozenset[str]:
    """English words the slot spell checker must not 'correct' (the encoder's vocabulary), when installed."""
    try:
        from campusbot.local.emulator.nlu import english_words

        return english_words()
    except (ImportError, OSError):
        return frozenset()
