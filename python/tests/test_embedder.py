"""Embedder and the low-level Session on MiniLM."""

import subprocess

import numpy as np
import pytest

import edgeattn
import models

pytestmark = pytest.mark.models("all-MiniLM-L6-v2")

TEXTS = ["How do I bake bread?", "Knead the dough and let it rise.", "The stock market fell sharply today.",
         "a", "Ünïcödé text, with punctuation: 3.14 — and emoji 🍞"]


def demo_rows(model_path, texts):
    """edgeattn-demo embed's rows (printed with 9 significant digits: every
    float32 parses back exactly)."""
    demo = models.build_dir() / "bin" / "edgeattn-demo"
    out = subprocess.run([str(demo), str(model_path), "embed", *texts], capture_output=True, text=True, check=True)
    return np.array([[float(v) for v in line.split()] for line in out.stdout.splitlines()], dtype=np.float32)


def test_embeddings_equal_the_demo_bit_for_bit(minilm, minilm_path):
    rows = edgeattn.Embedder(minilm).embed(TEXTS)
    assert rows.dtype == np.float32 and rows.shape == (len(TEXTS), 384)
    want = demo_rows(minilm_path, TEXTS)
    assert np.max(np.abs(rows - want)) == 0.0


def test_rows_are_normalized_and_semantic(minilm):
    e = edgeattn.Embedder(minilm, max_batch=2)  # 5 texts: three invokes
    rows = e.embed(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-6)
    assert e.last_stats["invokes"] == 3 and e.last_stats["texts"] == len(TEXTS)
    assert rows[0] @ rows[1] > rows[0] @ rows[2]  # bread is nearer to dough than to stocks
    single = e.embed(TEXTS[0])
    assert single.shape == (384,)
    np.testing.assert_array_equal(single, rows[0])


def test_embed_tokens_equals_embed(minilm):
    e = edgeattn.Embedder(minilm)
    ids = [minilm.tokenize(t) for t in TEXTS]
    np.testing.assert_array_equal(e.embed_tokens(ids), e.embed(TEXTS))


def test_session_outputs_view_the_arena(minilm):
    # The graph's pooled output [batch, 384], from a Session fed the
    # tokenizer's ids with padding masked by lengths; Embedder normalizes it.
    ids = [minilm.tokenize(t) for t in TEXTS[:3]]
    seq = max(len(r) for r in ids)
    batch = np.zeros((3, seq), dtype=np.int32)
    for i, r in enumerate(ids):
        batch[i, : len(r)] = r
    lengths = np.array([len(r) for r in ids], dtype=np.int32)
    s = edgeattn.Session(minilm, max_batch=4, max_seq=seq)
    (out,) = s.invoke(batch, lengths=lengths)
    assert out.shape == (3, 384) and not out.flags.writeable
    want = edgeattn.Embedder(minilm).embed(TEXTS[:3])
    np.testing.assert_allclose(out / np.linalg.norm(out, axis=1, keepdims=True), want, atol=1e-6)
    kept = np.array(out)
    del s  # the view keeps the session (and its arena) alive
    assert np.array_equal(out, kept)
    s2 = edgeattn.Session(minilm, max_batch=4, max_seq=seq)
    first = s2.invoke(batch[:1], lengths=lengths[:1])[0]
    before = np.array(first)
    s2.invoke(batch[1:2], lengths=lengths[1:2])
    assert not np.array_equal(first, before)  # the next invoke overwrote the view
    assert s2.memory["arena_bytes"] > 0 and s2.kernel_table in edgeattn.kernel_tables()


def test_session_argument_errors(minilm):
    s = edgeattn.Session(minilm, max_batch=1, max_seq=8)
    with pytest.raises(edgeattn.Error) as e:
        s.invoke(np.zeros((2, 4), dtype=np.int32))  # batch over max_batch
    assert e.value.code in ("invalid_argument", "out_of_range")
    with pytest.raises(edgeattn.Error):
        s.invoke(np.zeros(4, dtype=np.int32))  # not [batch, seq]
    with pytest.raises(edgeattn.Error):
        s.invoke(np.full((1, 4), 10**6, dtype=np.int32))  # ids outside the vocabulary
    with pytest.raises(edgeattn.Error) as e:
        edgeattn.Session(minilm, kernels="no-such-table")
    assert "no-such-table" in str(e.value)
