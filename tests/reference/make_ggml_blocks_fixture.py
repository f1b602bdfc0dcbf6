#!/usr/bin/env python3
"""ggml block dequantization by gguf-py (llama.cpp's own Python package):
the oracle for converter/source/ggml_blocks (issue #19).

  tests/fixtures/ggml_blocks.json
      "synthetic": for Q4_0, Q4_1 and Q8_0, 12 blocks of seeded random bytes
      whose fp16 scales cover normal, subnormal, negative, zero and large
      values, as hex, and gguf.quants.dequantize's float32 values (as the
      hex of their bits: exact).
      "smollm2": for three tensors of SmolLM2-135M-Instruct.Q4_1.gguf (the
      Q8_0 token embedding and two Q4_1 weights), the shape, 2,048 seeded
      sample positions with their dequantized values (hex bits) and the
      float64 sum of the whole dequantized tensor.
      "synthetic_more": the same for Q5_0 and Q5_1 (12 blocks, the scales
      above) and for the K-quants Q4_K, Q5_K and Q6_K (3 super-blocks of
      256 values: random bytes, fp16 d / dmin set to 1.0, 0.0123, a
      subnormal and -3.5).
      "quantize_q4_1": 10 blocks of float32 values (hex bits: constant,
      wide, narrow, all-negative, huge and tiny ranges, ties) and
      gguf.quants.quantize's Q4_1 bytes for them (ggml's
      quantize_row_q4_1_ref): the oracle for edgeattn-convert --dtype int4.

Dev-time only. Usage (the bench venv has gguf-py and numpy):
  ~/.cache/edgeattn/bench-venv/bin/python tests/reference/make_ggml_blocks_fixture.py \
      ~/.cache/edgeattn/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
"""
import json
import os
import sys

import numpy as np
import gguf
from gguf import quants

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "fixtures", "ggml_blocks.json"))

TYPES = {"Q4_0": (gguf.GGMLQuantizationType.Q4_0, 18), "Q4_1": (gguf.GGMLQuantizationType.Q4_1, 20),
         "Q8_0": (gguf.GGMLQuantizationType.Q8_0, 34)}
# fp16 bit patterns for d (and m): 1.0, -0.5, a subnormal, 0, -0, 2^-10, 1000, 65504, 0.0123, -3.5, 2^-24, 0.25
SCALES = [0x3C00, 0xB800, 0x0201, 0x0000, 0x8000, 0x1400, 0x63D0, 0x7BFF, 0x224F, 0xC300, 0x0001, 0x3400]


def hex_f32(values):
    return np.asarray(values, dtype="<f4").tobytes().hex()


def synthetic(rng):
    out = {}
    for name, (qtype, block_bytes) in TYPES.items():
        raw = bytearray(rng.integers(0, 256, size=12 * block_bytes, dtype=np.uint8).tobytes())
        for b, s in enumerate(SCALES):
            raw[b * block_bytes:b * block_bytes + 2] = s.to_bytes(2, "little")
            if name == "Q4_1":
                m = SCALES[(b + 5) % len(SCALES)]
                raw[b * block_bytes + 2:b * block_bytes + 4] = m.to_bytes(2, "little")
        values = quants.dequantize(np.frombuffer(bytes(raw), dtype=np.uint8), qtype)
        out[name] = {"bytes": bytes(raw).hex(), "values": hex_f32(values.astype(np.float32))}
    return out


def real(path, rng):
    reader = gguf.GGUFReader(path)
    wanted = {"token_embd.weight", "blk.0.attn_q.weight", "blk.29.ffn_down.weight"}
    out = []
    for t in reader.tensors:
        if t.name not in wanted:
            continue
        values = quants.dequantize(t.data, t.tensor_type).astype(np.float32).reshape(-1)
        shape = [int(d) for d in reversed(t.shape)]  # row-major, slowest first
        idx = np.sort(rng.choice(values.size, size=512, replace=False))
        out.append({"name": t.name, "type": t.tensor_type.name, "shape": shape,
                    "indices": [int(i) for i in idx], "values": hex_f32(values[idx]),
                    "sum": float(values.astype(np.float64).sum())})
    return out


MORE = {"Q5_0": (gguf.GGMLQuantizationType.Q5_0, 22, [0]), "Q5_1": (gguf.GGMLQuantizationType.Q5_1, 24, [0, 2]),
        "Q4_K": (gguf.GGMLQuantizationType.Q4_K, 144, [0, 2]), "Q5_K": (gguf.GGMLQuantizationType.Q5_K, 176, [0, 2]),
        "Q6_K": (gguf.GGMLQuantizationType.Q6_K, 210, [208])}
K_SCALES = [0x3C00, 0x224F, 0x0201, 0xC300]


def synthetic_more():
    rng = np.random.default_rng(56)
    out = {}
    for name, (qtype, block_bytes, scale_offsets) in MORE.items():
        n = 3 if name.endswith("_K") else 12
        raw = bytearray(rng.integers(0, 256, size=n * block_bytes, dtype=np.uint8).tobytes())
        scales = K_SCALES if name.endswith("_K") else SCALES
        for b in range(n):
            for k, off in enumerate(scale_offsets):
                s = scales[(b + 3 * k) % len(scales)]
                raw[b * block_bytes + off:b * block_bytes + off + 2] = s.to_bytes(2, "little")
        values = quants.dequantize(np.frombuffer(bytes(raw), dtype=np.uint8), qtype)
        out[name] = {"bytes": bytes(raw).hex(), "values": hex_f32(values.astype(np.float32))}
    return out


def quantize_q4_1():
    rng = np.random.default_rng(41)
    blocks = [np.full(32, 0.75), rng.normal(0, 0.02, 32), rng.uniform(-3, 5, 32), rng.uniform(-2, -1, 32),
              rng.uniform(0.1, 0.1001, 32), rng.normal(0, 1e4, 32), rng.normal(0, 1e-6, 32),
              np.arange(32) / 2.0, np.linspace(-1, 1, 32), rng.standard_cauchy(32)]
    values = np.concatenate(blocks).astype(np.float32)
    q = quants.quantize(values.reshape(1, -1), gguf.GGMLQuantizationType.Q4_1)
    return {"values": hex_f32(values), "bytes": np.asarray(q, dtype=np.uint8).tobytes().hex()}


def main():
    rng = np.random.default_rng(19)
    fixture = {"gguf_py": getattr(gguf, "__version__", "?"), "synthetic": synthetic(rng),
               "smollm2": real(sys.argv[1], rng), "quantize_q4_1": quantize_q4_1(),
               "synthetic_more": synthetic_more()}
    with open(OUT, "w") as f:
        json.dump(fixture, f)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
