"""The conversation chain end to end on the local runtime, over HTTP through every hop:
gateway (API Gateway) → lex_proxy → Lex V2 emulator → fulfillment → data API → PostgreSQL, and
documents: S3 (moto) → notifier → vectorizer → pgvector → /assist → Bedrock emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.fixtures.local_runtime import RunningRuntime

from campusbot.chat.client import ChatClient
from campusbot.chat.smoke import load_conversations, run_conversation

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


LAMBDAS = ("lambda-fulfillment", "lambda-lex_proxy", "lambda-vectorizer", "lambda-authorizer")  # authorizer: issue 12


def status(runtime: RunningRuntime) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(runtime.platform("status", "--json").stdout)
    return state


def test_status_shows_every_component_healthy(local_runtime: RunningRuntime) -> None:
    state = status(local_runtime)
    assert state["running"] is True
    scale_out = {name for name in state["health"] if name.startswith("lambda-vectorizer-")}  # started by uploads
    assert state["health"] == dict.fromkeys(("api", "emulator", "gateway", *LAMBDAS, *scale_out), "ok")
    assert state["postgres"]["running"] is True


def test_each_lambda_runs_in_its_own_process_with_the_environment_terraform_gives_it(
    local_runtime: RunningRuntime,
) -> None:
    state = status(local_runtime)
    pids = {name: child["pid"] for name, child in state["children"].items()}
    assert len(set(pids.values())) == len(pids)  # no Lambda inside the gateway or the emulator
    lex_proxy = state["environments"]["lambda-lex_proxy"]
    assert lex_proxy["CAMPUSBOT_TARGET"] == "aws" and lex_proxy["CAMPUSBOT_CHAT_EVENTS"] == "log"
    assert not any(name.startswith("CAMPUSBOT_DB") or name == "CAMPUSBOT_DATABASE_URL" for name in lex_proxy)
    assert lex_proxy["_HANDLER"] == "campusbot.lambdas.lex_proxy.handler"
    assert lex_proxy["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "30" and lex_proxy["AWS_LAMBDA_LOG_FORMAT"] == "JSON"
    vectorizer = state["environments"]["lambda-vectorizer"]
    assert vectorizer["AWS_LAMBDA_FUNCTION_TIMEOUT"] == "300" and vectorizer["CAMPUSBOT_DB_HOST"] == "localhost"
    assert vectorizer["CAMPUSBOT_DB_SECRET_ARN"].startswith("arn:aws:secretsmanager:")
    assert Path(vectorizer["CAMPUSBOT_DB_CA_BUNDLE"]).is_file()
    api = state["environments"]["api"]
    assert api["CAMPUSBOT_TARGET"] == "aws" and "CAMPUSBOT_DB_PASSWORD" not in api
    assert api["CAMPUSBOT_EMBEDDING_DIMENSIONS"] == "1024"
    for environment in state["environments"].values():  # nothing from the shell that started the runtime
        assert "CAMPUSBOT_DATA_DIR" not in environment and "CAMPUSBOT_API_PORT" not in environment


def test_chat_events_reach_the_lake_as_firehose_writes_them(local_runtime: RunningRuntime, unique: str) -> None:
    import gzip
    import re
    import time

    import boto3

    with ChatClient(local_runtime.chat_url) as client:
        session = client.send("hello", f"lake-{unique}").session_id
    s3 = boto3.client("s3", endpoint_url=local_runtime.s3_url, region_name="us-east-1",
                      aws_access_key_id="campusbot-local", aws_secret_access_key="campusbot-local")  # fmt: skip
    found: list[tuple[str, dict[str, Any]]] = []
    deadline = time.monotonic() + 30
    while not found and time.monotonic() < deadline:
        time.sleep(0.5)
        for item in s3.list_objects_v2(Bucket="campusbot-lake", Prefix="chat-events/").get("Contents", []):
            lines = gzip.decompress(s3.get_object(Bucket="campusbot-lake", Key=item["Key"])["Body"].read())
            found += [(item["Key"], e) for e in map(json.loads, lines.splitlines()) if e["session_id"] == session]
    [(key, event)] = found
    day = event["occurred_at"][:10]
    assert re.fullmatch(rf"chat-events/dt={day}/campusbot-dev-chat-events-1-[0-9-]{{19}}-[0-9a-f-]{{36}}\.gz", key)
    assert (event["intent"], event["env"], event["answer_source"]) == ("Greeting", "dev", "none")


def test_every_smoke_conversation_passes(local_runtime: RunningRuntime) -> None:
    failures = {}
    with ChatClient(local_runtime.chat_url) as client:
        for conversation in load_conversations(REPO / "tests" / "e2e" / "conversations"):
            result = run_conversation(client, conversation, sign_in=local_runtime.id_token)  # signed-in scripts
            if not result.passed:
                failures[conversation.name] = result.failures
    assert not failures, failures


def test_a_registration_ends_with_the_student_in_the_database(local_runtime: RunningRuntime, unique: str) -> None:
    email = f"kofi.mensah.{unique}@example.org"
    turns = ["register me", "Kofi", "Mensah", "economics", "Ghana", "yes"]  # signed in: the email is the account's
    with ChatClient(local_runtime.chat_url, id_token=local_runtime.id_token(email)) as client:
        session = None
        for message in turns:
            reply = client.send(message, session)
            session = reply.session_id
    assert reply.intent == "RegisterStudent" and reply.state == "Fulfilled", reply
    students = httpx.get(f"{local_runtime.api_url}/students", params={"email": email}).json()
    assert students["count"] == 1
    student = students["data"][0]
    assert (student["first_name"], student["last_name"], student["field_of_study"], student["country"]) == (
        "Kofi", "Mensah", "Economics", "Ghana",
    )  # fmt: skip
    assert f"student id is {student['id']}" in reply.text


def test_an_uploaded_document_answers_a_question_with_its_citation(local_runtime: RunningRuntime) -> None:
    uploaded = local_runtime.platform(
        "upload", str(REPO / "samples" / "documents" / "admission-rules-2027.md"), "--wait", "--json"
    )
    assert "indexed" in uploaded.stdout, uploaded.stdout + uploaded.stderr
    with ChatClient(local_runtime.chat_url) as client:
        reply = client.send("When does the winter intake application window close?")
    assert reply.intent == "FallbackIntent"
    assert "15 February 2027" in reply.text and "[1]" in reply.text
    assert reply.sources and reply.sources[0]["s3_key"] == "admission-rules-2027.md"


def test_a_folder_uploaded_at_once_is_indexed_by_vectorizer_environments_side_by_side(
    local_runtime: RunningRuntime, tmp_path: Path, unique: str
) -> None:
    """S3 invokes the vectorizer once per object and Lambda runs those invocations in environments of their own:
    the uploads one poll finds start more environments (each in its own process, with the function's environment
    and log group) and all are indexed."""
    folder = tmp_path / "folder"
    folder.mkdir()
    for n in range(8):
        (folder / f"hall-{n}.md").write_text(f"# Hall {n} {unique}\n\nHall {n} opens its doors at {n + 7} o'clock.\n")
    uploaded = local_runtime.platform("upload", str(folder), "--prefix", f"{unique}/", "--wait", "--json")
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    assert [row["status"] for row in json.loads(uploaded.stdout)].count("indexed") == 8, uploaded.stdout
    state = status(local_runtime)
    environments = {name: child for name, child in state["children"].items() if name.startswith("lambda-vectorizer")}
    assert len(environments) >= 2, sorted(state["children"])
    assert len({child["pid"] for child in environments.values()}) == len(environments)
    assert all(state["health"][name] == "ok" for name in environments)
    first = state["environments"]["lambda-vectorizer"]
    for name in environments:
        assert state["environments"][name]["AWS_LAMBDA_LOG_GROUP_NAME"] == first["AWS_LAMBDA_LOG_GROUP_NAME"]
        assert state["environments"][name]["_HANDLER"] == "campusbot.lambdas.vectorizer.handler"


def test_a_question_no_document_answers_is_labelled_general_knowledge(local_runtime: RunningRuntime) -> None:
    with ChatClient(local_runtime.chat_url) as client:
        reply = client.send("who painted the ceiling of the sistine chapel?")
    assert reply.intent == "FallbackIntent"
    assert "general knowledge" in reply.text.lower() and reply.sources == []


def test_bad_requests_get_api_gateway_style_errors(local_runtime: RunningRuntime) -> None:
    assert httpx.post(local_runtime.chat_url, content=b"{not json").status_code == 400
    assert httpx.post(local_runtime.chat_url, json={"message": "x" * 1025}).status_code in (400, 413)
    preflight = httpx.options(local_runtime.chat_url)
    web_origin = local_runtime.chat_url.removesuffix("/chat")  # the stacks' CORS origin: the web chat's (stand-in)
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == web_origin
    assert httpx.get(local_runtime.chat_url.replace("/chat", "/admin")).status_code == 403


@pytest.mark.parametrize(
    ("body", "statuses"),
    [
        (b'{"message": "hi \\ud800 there"}', {400}),  # a lone surrogate escape: not Unicode text
        (b'{"message": "hi", "session_id": "web-1\\n"}', {400}),  # a newline Lex would refuse in the session id
        (b'{"message": "\\u0000\\u0085"}', {400}),  # nothing left once controls are cleaned
        # bytes that are not UTF-8 (a surrogate's bytes, 0xff): the gateway's body is U+FFFD, or the proxy refuses
        (b'{"message": "hi \xed\xa0\x80 there"}', {200, 400}),
        (b'{"message": "hi \xff there"}', {200, 400}),
    ],
)
def test_no_client_text_gets_a_5xx(local_runtime: RunningRuntime, body: bytes, statuses: set[int]) -> None:
    response = httpx.post(local_runtime.chat_url, content=body, headers={"content-type": "application/json"})
    assert response.status_code in statuses, response.text
    assert response.headers["access-control-allow-origin"] == local_runtime.chat_url.removesuffix("/chat")
    assert response.json()


def test_control_characters_are_cleaned_and_the_turn_is_answered(local_runtime: RunningRuntime) -> None:
    response = httpx.post(local_runtime.chat_url, content=b'{"message": "hel\\u0000lo\\u0085 there\\u001b"}')
    assert response.status_code == 200, response.text
    assert response.json()["messages"]


def test_down_stops_everything(local_runtime: RunningRuntime) -> None:
    local_runtime.platform("down")
    stopped = local_runtime.platform("status", check=False)
    assert stopped.returncode == 3
    assert not (local_runtime.data_dir / "pg" / "postmaster.pid").exists()
