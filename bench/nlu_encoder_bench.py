"""The Lex emulator's numpy MiniLM (`local/emulator/nlu.py` `Encoder`): what a chat turn and a cold start spend on it.

Prints the CPU time of
- one text at a time (`encode`, what every new chat text costs the emulator; the cache is cleared first), on texts of
  a turn's length (the bot's own training utterances);
- the whole training set in padded batches (`encode_batch`, what a start without the cached encodings computes
  before the recognizer is fitted), at several batch sizes;
and the largest difference between the two (the same vectors either way), each run --rounds times (median).

    .venv/bin/python bench/nlu_encoder_bench.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np


def main() -> None:
    from campusbot.bot.cloudformation import load_bot
    from campusbot.local.emulator.nlu import Encoder, training_examples

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="runs of each measurement (the median is printed)")
    args = parser.parse_args()
    texts = [example.text for example in training_examples(load_bot())]
    encoder = Encoder()
    encoder.encode_batch(texts[:64])  # BLAS and numpy's first calls outside the timings

    def cpu(run: Callable[[], object]) -> float:
        times = []
        for _ in range(args.rounds):
            encoder._cache.clear()
            began = time.process_time()
            run()
            times.append(time.process_time() - began)
        return statistics.median(times)

    print(f"{len(texts)} training utterances of the bot; median of {args.rounds} round(s), CPU time")
    single = cpu(lambda: [encoder.encode(text) for text in texts])
    print(f"  one at a time (a chat turn's text): {single / len(texts) * 1000:.2f} ms per text")
    for size in (16, 64, 128):
        batched = cpu(partial(encoder.encode_batch, texts, batch_size=size))
        print(f"  batches of {size:3d} (a start's training encodings): {batched:.2f} s for the set, "
              f"{batched / len(texts) * 1000:.2f} ms per text")  # fmt: skip
    encoder._cache.clear()
    one = np.stack([encoder.encode(text) for text in texts])
    difference = float(np.abs(one - encoder.encode_batch(texts)).max())
    print(f"  largest difference between the two: {difference:.1e}")


if __name__ == "__main__":
    main()
