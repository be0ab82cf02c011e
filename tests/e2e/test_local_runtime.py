"""The conversation chain end to end on the local runtime, over HTTP through every hop:
gateway (API Gateway) → lex_proxy → Lex V2 emulator → fulfillment → data API → PostgreSQL, and
documents: S3 (moto) → notifier → vectorizer → pgvector → /assist → Bedrock emulator."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from tests.fixtures.local_runtime import RunningRuntime

from campusbot.chat.client import ChatClient
from campusbot.chat.smoke import load_conversations, run_conversation

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


def test_status_shows_every_component_healthy(local_runtime: RunningRuntime) -> None:
    result = local_runtime.platform("status", "--json")
    state = json.loads(result.stdout)
    assert state["running"] is True
    assert state["health"] == {"api": "ok", "emulator": "ok", "gateway": "ok"}
    assert state["postgres"]["running"] is True


def test_every_smoke_conversation_passes(local_runtime: RunningRuntime) -> None:
    failures = {}
    with ChatClient(local_runtime.chat_url) as client:
        for conversation in load_conversations(REPO / "tests" / "e2e" / "conversations"):
            result = run_conversation(client, conversation)
            if not result.passed:
                failures[conversation.name] = result.failures
    assert not failures, failures


def test_a_registration_ends_with_the_student_in_the_database(local_runtime: RunningRuntime, unique: str) -> None:
    email = f"kofi.mensah.{unique}@example.org"
    turns = ["register me", "Kofi", "Mensah", email, "economics", "Ghana", "yes"]
    with ChatClient(local_runtime.chat_url) as client:
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


def test_a_question_no_document_answers_is_labelled_general_knowledge(local_runtime: RunningRuntime) -> None:
    with ChatClient(local_runtime.chat_url) as client:
        reply = client.send("who painted the ceiling of the sistine chapel?")
    assert reply.intent == "FallbackIntent"
    assert "general knowledge" in reply.text.lower() and reply.sources == []


def test_bad_requests_get_api_gateway_style_errors(local_runtime: RunningRuntime) -> None:
    assert httpx.post(local_runtime.chat_url, content=b"{not json").status_code == 400
    assert httpx.post(local_runtime.chat_url, json={"message": "x" * 1025}).status_code in (400, 413)
    preflight = httpx.options(local_runtime.chat_url)
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert httpx.get(local_runtime.chat_url.replace("/chat", "/admin")).status_code == 403


def test_down_stops_everything(local_runtime: RunningRuntime) -> None:
    local_runtime.platform("down")
    status = local_runtime.platform("status", check=False)
    assert status.returncode == 3
    assert not (local_runtime.data_dir / "pg" / "postmaster.pid").exists()
