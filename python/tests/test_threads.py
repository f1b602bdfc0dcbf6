"""The GIL is released inside every call that computes, so two threads with
their own tasks or sessions on ONE shared Model run at the same time, and
each gets the result it gets alone.

How the release is observed (deterministically, on any number of cores): a
witness thread wakes every 0.1 ms and, holding the GIL for a moment, counts.
The main thread reads the count, makes the call, reads it again, holding
the GIL all along except where the call lets go of it; with the switch
interval raised to 5 s, no forced switch can hand the GIL over either. So
the count moves during the call only if the call released the GIL. A call
holding it gives exactly 0 (checked by building the module with the release
removed: each *_release_the_gil test then fails).
"""

import sys
import threading
import time

import numpy as np
import pytest

import edgeattn
import models


def witness_count(call):
    """Increments a witness thread made while call() ran; the call's result."""
    counter = [0]
    running = [True]

    def tick():
        while running[0]:
            counter[0] += 1
            time.sleep(0.0001)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(5.0)
    witness = threading.Thread(target=tick)
    try:
        witness.start()
        while counter[0] == 0:
            time.sleep(0.001)  # the witness is ticking
        before = counter[0]
        result = call()
        during = counter[0] - before
    finally:
        running[0] = False
        witness.join()
        sys.setswitchinterval(interval)
    return during, result


def run_pair(make, call):
    """call(make()) on two threads started together; the two results."""
    workers = [make(), make()]
    barrier = threading.Barrier(2)
    results = [None, None]

    def work(i):
        barrier.wait()
        results[i] = call(workers[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# Each measured call runs for tens of milliseconds or more, so that the
# witness gets a core even while ctest runs another test beside this one.


@pytest.mark.models("all-MiniLM-L6-v2")
def test_embed_and_invoke_release_the_gil(minilm):
    texts = ["bread, dough and ovens at the morning market " * 4] * 32
    e = edgeattn.Embedder(minilm)
    during, rows = witness_count(lambda: e.embed(texts))
    assert during > 0
    np.testing.assert_array_equal(rows, e.embed(texts))
    s = edgeattn.Session(minilm, max_batch=8, max_seq=64)
    ids = np.array([minilm.tokenize(texts[0])[:64]] * 8, dtype=np.int32)
    during, _ = witness_count(lambda: [s.invoke(ids) for _ in range(8)])
    assert during > 0


@pytest.mark.models("stories260K", "all-MiniLM-L6-v2")
def test_generate_and_convert_release_the_gil(stories260k, published_story, tmp_path):
    g = edgeattn.Generator(stories260k)
    during, texts = witness_count(lambda: [g.generate("", max_tokens=256) for _ in range(10)])
    assert during > 0 and texts == [published_story] * 10
    source = models.require("all-MiniLM-L6-v2")
    during, _ = witness_count(lambda: edgeattn.convert(source, tmp_path / "m.eatn"))
    assert during > 0


@pytest.mark.models("whisper-tiny.en-ct2", "whisper")
def test_transcribe_releases_the_gil(whisper):
    t = edgeattn.Transcriber(whisper)
    wav = models.require("whisper/beckett.wav").read_bytes()  # file reads release the GIL: not in the call
    during, text = witness_count(lambda: t.transcribe(wav))
    assert during > 0 and text == models.BECKETT_TRANSCRIPT


@pytest.mark.models("all-MiniLM-L6-v2")
def test_two_embedders_on_one_model(minilm):
    texts = [f"sentence number {i} about bread, dough, ovens and the morning market" * 3 for i in range(16)]
    alone = edgeattn.Embedder(minilm).embed(texts)
    for rows in run_pair(lambda: edgeattn.Embedder(minilm), lambda e: e.embed(texts)):
        np.testing.assert_array_equal(rows, alone)


@pytest.mark.models("stories260K")
def test_two_generators_on_one_model(stories260k, published_story):
    for text in run_pair(lambda: edgeattn.Generator(stories260k), lambda g: g.generate("", max_tokens=256)):
        assert text == published_story


@pytest.mark.models("all-MiniLM-L6-v2")
def test_two_sessions_on_one_model(minilm):
    ids = np.array([minilm.tokenize("the quick brown fox jumps over the lazy dog " * 12)[:120]] * 8, dtype=np.int32)

    def invoke(s):
        return [np.array(s.invoke(ids)[0]) for _ in range(3)]

    alone = invoke(edgeattn.Session(minilm, max_batch=8, max_seq=128))[0]
    for outs in run_pair(lambda: edgeattn.Session(minilm, max_batch=8, max_seq=128), invoke):
        for out in outs:
            np.testing.assert_array_equal(out, alone)


@pytest.mark.models("all-MiniLM-L6-v2")
def test_one_object_serializes_its_calls(minilm):
    # Two threads sharing ONE Embedder: its lock runs the calls one after the
    # other (the C++ object is not re-entrant), and both get the right rows.
    e = edgeattn.Embedder(minilm)
    texts = ["one shared embedder", "called from two threads"] * 4
    alone = e.embed(texts)
    for rows in run_pair(lambda: e, lambda shared: shared.embed(texts)):
        np.testing.assert_array_equal(rows, alone)
