"""Smoke conversation scripts: loading with clear errors, checking replies, running against a fake endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from campusbot.chat.client import ChatClient, ChatReply
from campusbot.chat.smoke import (
    ScriptError,
    Turn,
    check,
    load_conversation,
    load_conversations,
    run_conversation,
    with_run_token,
)


def reply(**kwargs: object) -> ChatReply:
    values: dict[str, object] = {
        "session_id": "s",
        "intent": "Greeting",
        "slots": {},
        "state": "Fulfilled",
        "messages": ["Hello! I'm campusbot."],
    }
    values.update(kwargs)
    return ChatReply(**values)  # type: ignore[arg-type]


def test_check_passes_a_matching_reply() -> None:
    turn = Turn(say="hi", intent="Greeting", state="Fulfilled", expect=["hello"], expect_not=["error"])
    assert check(turn, reply()) == []


def test_check_names_every_difference() -> None:
    turn = Turn(
        say="x",
        intent="Help",
        state="Failed",
        slots={"country": "Germany", "city": None},
        expect=["tuition"],
        expect_not=["campusbot"],
    )
    failures = check(turn, reply(slots={"country": "France", "city": "Paris"}))
    assert "intent 'Greeting', expected 'Help'" in failures
    assert "state 'Fulfilled', expected 'Failed'" in failures
    assert "slot country = 'France', expected 'Germany'" in failures
    assert "slot city = 'Paris', expected None" in failures
    assert "reply lacks 'tuition'" in failures and "reply contains 'campusbot'" in failures


def test_slot_values_compare_case_insensitively() -> None:
    assert check(Turn(say="x", slots={"country": "germany"}), reply(slots={"country": "Germany"})) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("turns: []", "non-empty `turns`"),
        ("turns: [{intent: Help}]", "turn 1 needs `say"),
        ("turns: [{say: hi, colour: red}]", "unknown keys ['colour']"),
        ("turns: [say: [", "not valid YAML"),
    ],
)
def test_malformed_scripts_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScriptError) as raised:
        load_conversation(path)
    assert message in str(raised.value) and "bad.yaml" in str(raised.value)


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ScriptError):
        load_conversations(tmp_path)


def test_run_keeps_one_session_and_stops_when_the_endpoint_fails(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("name: two turns\nturns:\n  - say: hi\n    intent: Greeting\n  - say: boom\n  - say: never sent\n")
    seen: list[dict[str, str]] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        if body["message"] == "boom":
            return httpx.Response(502, json={"error": "lex is down"})
        return httpx.Response(
            200,
            json={
                "session_id": body["session_id"],
                "intent": "Greeting",
                "slots": {},
                "state": "Fulfilled",
                "messages": ["hello"],
                "sources": [],
            },
        )

    client = ChatClient("http://chat.test/chat")
    client._http = httpx.Client(transport=httpx.MockTransport(endpoint))
    result = run_conversation(client, load_conversation(path))
    assert not result.passed
    assert len(seen) == 2 and seen[0]["session_id"] == seen[1]["session_id"]
    assert result.failures == ["turn 2: http://chat.test/chat answered 502: lex is down"]


def test_run_token_fills_every_field() -> None:
    turn = Turn(
        say="me.{run}@example.org",
        slots={"email": "me.{run}@example.org", "city": None},
        expect=["{run}"],
        expect_not=["x{run}"],
    )
    filled = with_run_token(turn, "ab12")
    assert filled.say == "me.ab12@example.org" and filled.slots == {"email": "me.ab12@example.org", "city": None}
    assert filled.expect == ["ab12"] and filled.expect_not == ["xab12"]


def test_a_signed_in_script_sends_the_accounts_token_on_every_turn(tmp_path: Path) -> None:
    path = tmp_path / "signed.yaml"
    path.write_text("name: signed\nsign_in: me.{run}@example.org\nturns:\n  - say: show my profile\n  - say: again\n")
    seen: list[str | None] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        body = json.loads(request.content)
        reply = {"session_id": body["session_id"], "intent": "GetStudentProfile", "slots": {}, "state": "Fulfilled"}
        return httpx.Response(200, json={**reply, "messages": ["ok"], "sources": []})

    client = ChatClient("http://chat.test/chat")
    client._http = httpx.Client(transport=httpx.MockTransport(endpoint))
    emails: list[str] = []
    result = run_conversation(client, load_conversation(path), sign_in=lambda email: emails.append(email) or "tok")
    assert result.passed
    assert seen == ["Bearer tok", "Bearer tok"]
    assert len(emails) == 1 and emails[0].startswith("me.") and "{run}" not in emails[0]
    unsigned = run_conversation(client, load_conversation(path))
    assert not unsigned.passed and "cannot sign in" in unsigned.failures[0]
