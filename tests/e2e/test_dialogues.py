"""The dialogue set (tests/e2e/dialogues, issue 13) on a real local runtime: every conversation played by the same
runner as `platform chat --smoke` (`campusbot.chat.smoke`), each in a fresh session, signed in when its script
says so. Fails listing every failing turn, with the conversation's file."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.fixtures.local_runtime import RunningRuntime

from campusbot.chat.client import ChatClient
from campusbot.chat.smoke import load_conversations, run_conversation

DIALOGUES = Path(__file__).resolve().parent / "dialogues"
CLIENTS = 6  # conversations played at once

# shares_runtime: one local runtime with the other modules so marked (tests/fixtures/local_runtime.py). The dialogues
# only read: fresh sessions, no sign-in, no registration, no upload; they come first among the sharing modules
# (collection order), so they meet the runtime as fresh as their own start gave it.
pytestmark = [pytest.mark.shares_runtime]


def test_every_dialogue_passes_on_the_local_runtime(local_runtime: RunningRuntime) -> None:
    conversations = load_conversations(DIALOGUES)
    assert len(conversations) >= 80, f"the dialogue set shrank to {len(conversations)} conversations"
    # Each conversation plays in its own session, so several play at once against the runtime (a server; issue 18:
    # one at a time left the cores waiting on the hops between its processes). Results keep the set's order.
    with ChatClient(local_runtime.chat_url) as client, ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(lambda c: run_conversation(client, c, sign_in=local_runtime.id_token), conversations))
    failing = [
        f"{result.conversation.path.name} ({result.conversation.name}): {failure}"
        for result in results
        if not result.passed
        for failure in result.failures or ["the conversation stopped early"]
    ]
    passed = sum(result.passed for result in results)
    assert not failing, f"{passed}/{len(results)} conversations pass; failing turns:\n" + "\n".join(failing)
