"""Pass rate of the dialogue evaluation set (tests/e2e/dialogues): multi-turn conversations as students write
them (follow-ups, corrections, ordinals, switches, cancels, typos), each turn checked for intent, slots and
text, through the full local chain (`platform up --detach` on free ports in a temp dir), or against a running
chat endpoint (`--url`, e.g. a deployed stack's). Prints the pass rate per category (the file name without its
number: `followup_country_03.yaml` is in `followup_country`) and overall; the goal is >= 95 % of conversations.

    .venv/bin/python bench/dialogue_eval.py [--url https://.../chat] [--only followup] [--failures]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PLATFORM, runtime_environment
from campusbot.chat.client import ChatClient
from campusbot.chat.smoke import ConversationResult, load_conversations, run_conversation

DIALOGUES = Path(__file__).resolve().parents[1] / "tests" / "e2e" / "dialogues"
GOAL = 0.95


def category(path: Path) -> str:
    return re.sub(r"_\d+$", "", path.stem)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running chat endpoint (default: start a local runtime)")
    parser.add_argument("--scripts", type=Path, default=DIALOGUES)
    parser.add_argument("--only", help="only conversations whose name or file contains this")
    parser.add_argument("--failures", action="store_true", help="list every failed turn")
    args = parser.parse_args()

    conversations = load_conversations(args.scripts, args.only)
    env: dict[str, str] = {}
    data_dir: Path | None = None
    platform_cli = PLATFORM
    url = args.url
    if url is None:
        data_dir = Path(tempfile.mkdtemp(prefix="campusbot-dialogue-bench-"))
        runtime = runtime_environment(data_dir)
        env = runtime.env
        subprocess.run([*platform_cli, "up", "--detach"], env=env, check=True, capture_output=True)
        url = runtime.chat_url
    results: list[ConversationResult] = []
    started = time.perf_counter()
    try:
        client = ChatClient(url)
        results = [run_conversation(client, conversation) for conversation in conversations]
    finally:
        if data_dir is not None:
            subprocess.run([*platform_cli, "down"], env=env, check=False, capture_output=True)
            shutil.rmtree(data_dir, ignore_errors=True)
    seconds = time.perf_counter() - started

    by_category: dict[str, list[ConversationResult]] = defaultdict(list)
    for result in results:
        by_category[category(result.conversation.path)].append(result)
    turns = sum(len(r.conversation.turns) for r in results)
    turns_passed = sum(1 for r in results for t in r.turns if not t.failures)
    print(f"dialogue evaluation against {url}: {len(results)} conversations, {turns} turns, {seconds:.1f} s")
    print(f"{'category':<28} {'conversations':>13} {'passed':>7} {'rate':>7}")
    for name in sorted(by_category):
        group = by_category[name]
        passed = sum(r.passed for r in group)
        print(f"{name:<28} {len(group):>13} {passed:>7} {passed / len(group):>7.0%}")
    passed = sum(r.passed for r in results)
    rate = passed / len(results) if results else 0.0
    print(f"{'all':<28} {len(results):>13} {passed:>7} {rate:>7.1%}")
    print(f"turns passed: {turns_passed}/{turns} = {turns_passed / max(turns, 1):.1%}")
    print(f"goal >= {GOAL:.0%} of conversations: {'met' if rate >= GOAL else 'MISSED'}")
    if args.failures:
        for result in results:
            for failure in result.failures:
                print(f"  {result.conversation.path.name}: {failure}")


if __name__ == "__main__":
    main()
