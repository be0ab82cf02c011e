"""Intent and slot accuracy of the Lex emulator on held-out paraphrases, and its per-turn latency.

The held-out set (bench/data/intent_heldout.yaml) was written apart from the definition's sample utterances
(a unit test checks none is copied). Each text goes through what a RecognizeText turn does before the
Lambda: slot-aware normalization, intent classification (FallbackIntent below the locale threshold), slot
extraction for the predicted intent. Prints accuracy, a confusion table, slot accuracy, and latency:

- intent + slots per turn, caches cleared before every text (the budget: p95 <= 10 ms), wall clock and the
  thread's CPU time (what the turn costs when the machine is not busy with other work);
- RecognizeText through the unchanged boto3 client over HTTP, with a no-op fulfillment Lambda.

    .venv/bin/python bench/intent_accuracy.py [--rounds 5] [--http-turns 200] [--errors]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import HEADER, stats
from campusbot.bot.cloudformation import load_bot
from campusbot.db.seed.data import build_seed
from campusbot.local.emulator.nlu import INTENT_LAYERS, Encoder, IntentRecognizer, english_words
from campusbot.local.emulator.slots import SlotResolver

HELDOUT = Path(__file__).resolve().parent / "data" / "intent_heldout.yaml"
SHORT = {
    "Greeting": "Greet",
    "Help": "Help",
    "GetStudentProfile": "Prof",
    "RecommendUniversity": "Recom",
    "GetUniversityInfo": "UInfo",
    "FindOpportunities": "Opps",
    "RegisterStudent": "Regis",
    "RefineRecommendation": "RefRc",
    "ChooseResult": "Choos",
    "RefineOpportunities": "RefOp",
    "StartOver": "Start",
    "Thanks": "Thank",
    "FallbackIntent": "Fallb",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over the held-out set for the latency figures")
    parser.add_argument("--http-turns", type=int, default=200, help="RecognizeText calls through boto3 (0: skip)")
    parser.add_argument("--errors", action="store_true", help="list every miss")
    parser.add_argument("--layers", type=int, default=INTENT_LAYERS, help="MiniLM layers the classifier reads (1-6)")
    args = parser.parse_args()

    definition = load_bot()
    cases: list[dict[str, Any]] = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    names = [u.name for u in build_seed().universities]
    load_before = os.getloadavg()

    started = time.perf_counter()
    encoder = Encoder(layers=args.layers)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    recognizer = IntentRecognizer(definition, encoder)
    train_s = time.perf_counter() - started
    resolver = SlotResolver(definition, lambda: names, known_words=english_words())
    resolver.refresh()
    print(f"machine: {os.cpu_count()} CPUs, load average {load_before[0]:.2f} at start")
    print(f"model load {load_s:.2f} s, training {train_s:.2f} s ({len(recognizer.examples)} examples)")
    print(f"classifier over the first {args.layers} of MiniLM's 6 layers")
    print(f"held-out set: {len(cases)} texts, threshold {definition.locale.nlu_confidence_threshold}\n")

    predictions: list[tuple[dict[str, Any], str, dict[str, str]]] = []
    for case in cases:
        predicted = recognizer.recognize(resolver.nlu_text(case["text"]))[0].name
        intent = definition.intent(predicted) or definition.fallback
        found = {k: v.interpreted for k, v in resolver.extract(intent, case["text"]).items()}
        predictions.append((case, predicted, found))

    report_accuracy(predictions, show_errors=args.errors)
    report_latency(cases, encoder, recognizer, resolver, definition, args.rounds)
    if args.http_turns:
        report_http(cases, recognizer, names, args.http_turns)
    load_after = os.getloadavg()
    print(f"\nload average {load_after[0]:.2f} at the end (2-core machine shared with other work: figures vary)")


def report_accuracy(predictions: list[tuple[dict[str, Any], str, dict[str, str]]], *, show_errors: bool) -> None:
    labels = list(SHORT)
    correct = sum(case["intent"] == predicted for case, predicted, _ in predictions)
    print(f"intent accuracy: {correct}/{len(predictions)} = {correct / len(predictions):.1%}")
    confusion = Counter((case["intent"], predicted) for case, predicted, _ in predictions)
    print("\nconfusion (rows: expected, columns: predicted)")
    print(f"{'':<8}" + "".join(f"{SHORT[p]:>7}" for p in labels) + f"{'recall':>8}")
    for expected in labels:
        row = [confusion[(expected, predicted)] for predicted in labels]
        total = sum(row)
        recall = confusion[(expected, expected)] / total if total else 0.0
        print(f"{SHORT[expected]:<8}" + "".join(f"{n or '.':>7}" for n in row) + f"{recall:>8.0%}")
    precision = []
    for predicted in labels:
        column = sum(confusion[(e, predicted)] for e in labels)
        precision.append(f"{(confusion[(predicted, predicted)] / column if column else 0):>7.0%}")
    print(f"{'precis.':<8}" + "".join(precision))

    slot_total = slot_right = 0
    misses: list[str] = []
    for case, predicted, found in predictions:
        for slot, expected in (case.get("slots") or {}).items():
            slot_total += 1
            if predicted == case["intent"] and found.get(slot) == str(expected):
                slot_right += 1
            else:
                misses.append(f"  slot  {case['text']!r}: {slot}={found.get(slot)!r}, expected {expected!r}")
    share = slot_right / slot_total
    print(f"\nslot accuracy (turn-level, right intent and value): {slot_right}/{slot_total} = {share:.1%}")
    if show_errors:
        print("\nmisses:")
        for case, predicted, _ in predictions:
            if predicted != case["intent"]:
                print(f"  intent {case['text']!r}: {predicted}, expected {case['intent']}")
        print("\n".join(misses))


def report_latency(
    cases: list[dict[str, Any]],
    encoder: Encoder,
    recognizer: IntentRecognizer,
    resolver: SlotResolver,
    definition: Any,
    rounds: int,
) -> None:
    texts = [case["text"] for case in cases]
    turn: list[float] = []
    turn_cpu: list[float] = []
    encode: list[float] = []
    slots: list[float] = []
    began = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            encoder._cache.clear()  # every text is new to the model and the slot analyzer
            resolver._cache.clear()
            c0 = time.thread_time()
            t0 = time.perf_counter()
            ranking = recognizer.recognize(resolver.nlu_text(text))
            t1 = time.perf_counter()
            intent = definition.intent(ranking[0].name) or definition.fallback
            resolver.extract(intent, text)
            t2 = time.perf_counter()
            turn_cpu.append(time.thread_time() - c0)
            turn.append(t2 - t0)
            slots.append(t2 - t1)
            encoder._cache.clear()
            t3 = time.perf_counter()
            encoder.encode(text)
            encode.append(time.perf_counter() - t3)
    wall = time.perf_counter() - began
    print(f"\nlatency per turn, {len(turn)} turns, caches cleared before each (budget: intent + slots p95 <= 10 ms)")
    print(HEADER)
    print(stats("intent + slots (normalize, classify, extract)", turn, wall).row())
    print(stats("  the same, CPU time of the thread", turn_cpu, wall).row())
    print(stats("  sentence encoder alone (MiniLM, numpy)", encode, wall).row())
    print(stats("  slot extraction for the predicted intent", slots, wall).row())


def report_http(cases: list[dict[str, Any]], recognizer: IntentRecognizer, names: list[str], turns: int) -> None:
    """RecognizeText through boto3 and uvicorn, fulfillment a no-op: the emulator's share of a chat turn."""
    import asyncio
    import socket
    import threading

    import boto3
    import uvicorn

    from campusbot.local.emulator.app import create_app
    from campusbot.local.emulator.lex_runtime import LexEmulator

    def no_op(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        intent = dict(event["sessionState"]["intent"], state="Fulfilled")
        kind = "Delegate" if event["invocationSource"] == "DialogCodeHook" else "Close"
        return {"sessionState": {"dialogAction": {"type": kind}, "intent": intent}}

    emulator = LexEmulator(load_bot(), no_op, lambda: names, "CAMPUSBOT0", recognizer=recognizer)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto TCP: asyncio sets NODELAY
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(create_app(emulator), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[sock]),), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ["AWS_ENDPOINT_URL_LEX_RUNTIME_V2"] = url
    client = boto3.client("lexv2-runtime", region_name="us-east-1")
    texts = [case["text"] for case in cases]
    cold: list[float] = []
    warm: list[float] = []
    began = time.perf_counter()
    try:
        for i in range(turns):
            text = texts[i % len(texts)]
            for latencies, clear in ((cold, True), (warm, False)):
                if clear:
                    recognizer.encoder._cache.clear()  # type: ignore[attr-defined]
                    emulator.resolver._cache.clear()
                t0 = time.perf_counter()
                client.recognize_text(
                    botId="CAMPUSBOT0", botAliasId="TSTALIASID", localeId="en_US", sessionId=f"bench-{i}", text=text
                )
                latencies.append(time.perf_counter() - t0)
    finally:
        server.should_exit = True
        thread.join(10)
        emulator.close()
    wall = time.perf_counter() - began
    print(f"\nRecognizeText through boto3 + HTTP, no-op fulfillment Lambda, {turns} turns each")
    print(HEADER)
    print(stats("RecognizeText, new text (caches cleared)", cold, wall).row())
    print(stats("RecognizeText, repeated text (cached)", warm, wall).row())


if __name__ == "__main__":
    main()
