"""The lex_proxy Lambda over real HTTP: the stock boto3 `lexv2-runtime` client, pointed by
AWS_ENDPOINT_URL_LEX_RUNTIME_V2 at a stand-in runtime on RecognizeText's real REST path, and chat events
written to a real S3 API (moto's server) through AWS_ENDPOINT_URL_S3.

The stand-in is not the Lex emulator: it maps a few fixed texts to event fixtures, invokes the fulfillment
Lambda with them (against the real data API) and answers with what it returned, as Lex does. It checks
the wire: request serialization, error parsing (x-amzn-ErrorType), JSON nulls, request attributes. It serves
RecognizeText only: lex_proxy makes one Lex call per turn (no GetSession).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tests.fixtures.api_server import ThreadedServer
from tests.fixtures.lambda_events import load_event
from tests.unit.assistant.fakes import FakeApi

from campusbot.assistant.dispatch import dispatch
from campusbot.lambdas import fulfillment, lex_proxy
from campusbot.settings import get_settings

PATH = "/bots/{botId}/botAliases/{botAliasId}/botLocales/{localeId}/sessions/{sessionId}/text"
TEXTS = {
    "hello": "lex_greeting_fulfillment",
    "recommend a university for medicine in Germany": "lex_recommend_fulfillment",
    "register me": "lex_register_dialog_start",
}
ERRORS = {"busy": (429, "ThrottlingException"), "crash": (424, "DependencyFailedException")}
LAKE = "campusbot-lake-it"

Fulfill = Callable[[dict[str, Any]], dict[str, Any]]


class StandInLex:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fulfill: Fulfill = lambda event: fulfillment.handler(event, None)

    async def recognize_text(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append({**request.path_params, **body})
        text = body["text"]
        if text in ERRORS:
            status, code = ERRORS[text]
            return JSONResponse({"message": code}, status_code=status, headers={"x-amzn-ErrorType": code})
        event = load_event(TEXTS.get(text, "lex_fallback_fulfillment"))
        event.update(sessionId=request.path_params["sessionId"], inputTranscript=text)
        sent = body.get("requestAttributes")
        if sent is not None:  # what lex_proxy sets (the principal), as Lex passes it to the code hook
            event["requestAttributes"] = sent
        if "dialogAction" in event["sessionState"]:
            del event["sessionState"]["dialogAction"]
        answer = await run_in_threadpool(self.fulfill, event)
        intent = answer["sessionState"].get("intent")
        if answer["sessionState"]["dialogAction"]["type"] == "Delegate":  # Lex would elicit the next slot
            answer["sessionState"]["dialogAction"] = {"type": "ElicitSlot", "slotToElicit": "firstName"}
            answer["messages"] = [{"contentType": "PlainText", "content": "What is your first name?"}]
        return JSONResponse(
            {
                "sessionId": request.path_params["sessionId"],
                "messages": answer.get("messages", []),
                "sessionState": answer["sessionState"],
                "interpretations": [{"intent": intent, "nluConfidence": {"score": 0.91}}] if intent else [],
            }
        )


@pytest.fixture(scope="module")
def stand_in_lex() -> Iterator[tuple[StandInLex, str]]:
    lex = StandInLex()
    app = Starlette(
        routes=[
            Route(PATH, lex.recognize_text, methods=["POST"]),
        ]
    )
    server = ThreadedServer(app, name="stand-in-lex").start()
    yield lex, server.url
    server.stop()


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def chat(
    stand_in_lex: tuple[StandInLex, str], s3_server: str, fulfillment_api: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[StandInLex, Any]]:
    lex, url = stand_in_lex
    lex.requests.clear()
    lex.fulfill = lambda event: fulfillment.handler(event, None)
    monkeypatch.setenv("AWS_ENDPOINT_URL_LEX_RUNTIME_V2", url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_server)
    monkeypatch.setenv("CAMPUSBOT_LAKE_BUCKET", LAKE)
    monkeypatch.setenv("CAMPUSBOT_ENV", "it")
    get_settings.cache_clear()
    lex_proxy.proxy.cache_clear()
    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=s3_server)
    if LAKE not in [b["Name"] for b in s3.list_buckets().get("Buckets", [])]:
        s3.create_bucket(Bucket=LAKE)
    yield lex, s3
    lex_proxy.proxy().events.close()  # type: ignore[attr-defined]  # write before moto goes away
    lex_proxy.proxy.cache_clear()


def post(message: str, session_id: str | None = None, *, signed_in: bool = False) -> dict[str, Any]:
    event = load_event("apigw_chat_post_signed_in" if signed_in else "apigw_chat_post")
    event["body"] = json.dumps({"message": message, **({"session_id": session_id} if session_id else {})})
    response = lex_proxy.handler(event, None)
    assert isinstance(response["body"], str)
    return response


def lake_records(s3: Any, session_id: str) -> list[dict[str, Any]]:
    """The session's chat events in the lake, after the background writer has written what it queued."""
    lex_proxy.proxy().events.flush()  # type: ignore[attr-defined]
    records = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=LAKE, Prefix="chat-events/"):
        for item in page.get("Contents", []):
            for line in s3.get_object(Bucket=LAKE, Key=item["Key"])["Body"].read().decode().splitlines():
                record = json.loads(line)
                if record["session_id"] == session_id:
                    records.append({**record, "key": item["Key"]})
    return records


def test_a_turn_through_lex_fulfillment_and_the_api(chat: tuple[StandInLex, Any], unique: str) -> None:
    lex, s3 = chat
    session_id = f"it-{unique}"
    response = post("recommend a university for medicine in Germany", session_id)
    assert response["statusCode"] == 200, response["body"]
    body = json.loads(response["body"])
    assert body["session_id"] == session_id
    assert body["intent"] == "RecommendUniversity" and body["state"] == "Fulfilled"
    assert body["slots"] == {"fieldOfStudy": "Medicine", "country": "Germany", "maxTuition": None, "studentId": None}
    assert "Heidelberg University" in body["messages"][0]
    # the recommended universities are the answer's sources, in the order the answer lists them
    titles = [source["title"] for source in body["sources"]]
    assert len(titles) == 3 and {s["kind"] for s in body["sources"]} == {"university"}
    assert [line.split(". ", 1)[1].split(" (")[0] for line in body["messages"][0].splitlines()[1:]] == titles
    [request] = lex.requests
    assert (request["botId"], request["botAliasId"], request["localeId"]) == ("CAMPUSBOT0", "TSTALIASID", "en_US")
    assert (request["sessionId"], request["text"]) == (session_id, "recommend a university for medicine in Germany")

    [record] = lake_records(s3, session_id)
    assert record["key"].startswith(f"chat-events/dt={record['occurred_at'][:10]}/")
    assert (record["env"], record["intent"], record["answer_source"], record["error"]) == (
        "it",
        "RecommendUniversity",
        "database",
        "",
    )
    assert record["nlu_confidence"] == pytest.approx(0.91)


def test_fallback_sources_travel_back_in_session_attributes(chat: tuple[StandInLex, Any], unique: str) -> None:
    lex, s3 = chat
    lex.fulfill = lambda event: dispatch(event, FakeApi())  # /assist answering from documents
    session_id = f"it-fb-{unique}"
    body = json.loads(post("how do I apply for a student visa in Germany", session_id)["body"])
    assert body["intent"] == "FallbackIntent"
    assert body["messages"] == ["Apply for a national visa at the German consulate."]
    assert body["sources"][0]["s3_key"] == "docs/visa.pdf"
    assert lake_records(s3, session_id)[0]["answer_source"] == "documents"


def test_a_real_fallback_turn_is_honest(chat: tuple[StandInLex, Any]) -> None:
    body = json.loads(post("what is the meaning of life")["body"])
    assert body["intent"] == "FallbackIntent"
    assert body["messages"]


def test_an_elicitation_turn(chat: tuple[StandInLex, Any]) -> None:
    body = json.loads(post("register me", signed_in=True)["body"])  # issue 12: registering needs sign-in
    assert (body["intent"], body["state"]) == ("RegisterStudent", "ElicitSlot")
    assert body["messages"] == ["What is your first name?"]
    assert all(value is None for slot, value in body["slots"].items() if slot != "email")
    assert body["slots"]["email"] == "maria.lopez@example.edu"  # from the token, via the request attributes
    anonymous = json.loads(post("register me")["body"])
    assert anonymous["state"] == "Failed" and "sign in first" in anonymous["messages"][0]


@pytest.mark.parametrize(
    ("text", "status", "code"), [("busy", 429, "ThrottlingException"), ("crash", 502, "DependencyFailedException")]
)
def test_lex_errors_over_the_wire(chat: tuple[StandInLex, Any], unique: str, text: str, status: int, code: str) -> None:
    _, s3 = chat
    session_id = f"it-err-{unique}"
    response = post(text, session_id)
    assert response["statusCode"] == status
    assert json.loads(response["body"])["error"]
    assert lake_records(s3, session_id)[0]["error"] == code


def test_an_unreachable_lex_is_502_and_a_missing_lake_is_harmless(
    chat: tuple[StandInLex, Any], unreachable_api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPUSBOT_LAKE_BUCKET", "no-such-bucket")
    get_settings.cache_clear()
    lex_proxy.proxy.cache_clear()
    assert post("hello")["statusCode"] == 200  # the put fails (NoSuchBucket), the chat does not
    monkeypatch.setenv("AWS_ENDPOINT_URL_LEX_RUNTIME_V2", unreachable_api_url)
    lex_proxy.proxy.cache_clear()
    response = post("hello")
    assert response["statusCode"] == 502
    assert response["headers"]["Access-Control-Allow-Origin"] == "*"
