"""The dialogue set (tests/e2e/dialogues, issue 13) on a real local runtime: every conversation played by the same
runner as `platform chat --smoke` (`campusbot.chat.smoke`), each in a fresh session, signed in when its script
says so. Fails listing every failing turn, with the conversation's file."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.local_runtime import RunningRuntime

from campusbot.chat.client import ChatClient
from campusbot.chat.smoke import load_conversations, run_conversation

DIALOGUES = Path(__file__).resolve().parent / "dialogues"


def test_every_dialogue_passes_on_the_local_runtime(local_runtime: RunningRuntime) -> None:
    conversations = load_conversations(DIALOGUES)
    assert len(conversations) >= 80, f"the dialogue set shrank to {len(conversations)} conversations"
    with ChatClient(local_runtime.chat_url) as client:
        results = [run_conversation(client, c, sign_in=local_runtime.id_token) for c in conversations]
    failing = [
        f"{result.conversation.path.name} ({result.conversation.name}): {failure}"
        for result in results
        if not result.passed
        for failure in result.failures or ["the conversation stopped early"]
    ]
    passed = sum(result.passed for result in results)
    assert not failing, f"{passed}/{len(results)} conversations pass; failing turns:\n" + "\n".join(failing)
