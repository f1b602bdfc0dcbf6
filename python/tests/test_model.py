"""Model: load, ModelInfo, tokenizer, errors."""

import shutil
import struct

import pytest

import edgeattn
import models


@pytest.mark.models("stories260K")
def test_info_matches_the_llama2c_header(stories260k):
    # Oracle: the llama2.c checkpoint's own header (7 int32: dim, hidden_dim,
    # n_layers, n_heads, n_kv_heads, vocab_size, seq_len).
    header = models.require("stories260K/stories260K.bin").read_bytes()[:28]
    dim, hidden, layers, heads, kv_heads, vocab, seq_len = struct.unpack("<7i", header)
    info = stories260k.info
    assert info.architecture == "LlamaDecoder"
    assert info.task == "text-generation"
    assert (info.hidden_size, info.intermediate_size, info.n_layers) == (dim, hidden, layers)
    assert (info.n_heads, info.n_kv_heads, info.vocab_size) == (heads, kv_heads, abs(vocab))
    assert info.max_positions == seq_len
    assert info.head_dim == dim // heads
    assert info.has_tokenizer and info.producer == "edgeattn-convert"
    forward = info.method("forward")
    assert forward is info.methods[0]
    assert forward.inputs[0].dtype == "i32" and forward.inputs[0].shape == ("batch", "seq")
    assert forward.outputs[0].shape[-1] == abs(vocab)
    assert info.file_size > info.weight_bytes > 0
    with pytest.raises(KeyError):
        info.method("encode")


@pytest.mark.models("stories260K")
def test_tokenizer_round_trip(stories260k):
    # llama2.c's tok512 vocabulary: BOS = 1, bytes <0x00>.. at 3..258.
    ids = stories260k.tokenize("Once upon a time, Lily")
    assert ids[0] == 1
    assert stories260k.detokenize(ids) == "Once upon a time, Lily"
    assert stories260k.tokenize("Hi", add_special_tokens=False)[0] != 1


@pytest.mark.models("all-MiniLM-L6-v2")
def test_minilm_info(minilm):
    info = minilm.info
    assert (info.architecture, info.task, info.pooling) == ("BertEncoder", "embedding", "mean")
    assert info.normalize_embeddings
    assert (info.hidden_size, info.n_layers, info.n_heads, info.vocab_size) == (384, 6, 12, 30522)
    assert minilm.tokenize("hello world") == [101, 7592, 2088, 102]  # bert-base-uncased ids


def test_missing_file_raises_io_error(tmp_path):
    with pytest.raises(edgeattn.Error) as e:
        edgeattn.Model(tmp_path / "absent.eatn")
    assert e.value.code == "io_error"
    assert "absent.eatn" in str(e.value)


@pytest.mark.models("stories260K")
def test_corrupt_file_raises_invalid_model(stories260k, tmp_path):
    # A truncated copy: the verifier refuses it; no crash, one exception type.
    data = open(stories260k.path, "rb").read()
    bad = tmp_path / "truncated.eatn"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(edgeattn.Error) as e:
        edgeattn.Model(bad)
    assert e.value.code == "invalid_model"


def test_kernel_tables_start_with_reference():
    tables = edgeattn.kernel_tables()
    assert tables[0] == "reference" and len(tables) >= 1
