#!/usr/bin/env python3
"""Whisper's encoder in float64, from a CTranslate2 model.bin (issue #14):
the exact values that CTranslate2's float32 encoder and edgeattn's are both
rounded approximations of, to say which is nearer where they disagree.

Written from the architecture (OpenAI's whisper/model.py AudioEncoder):
conv1 (k 3, pad 1) + GELU, conv2 (k 3, stride 2, pad 1) + GELU, + the
sinusoidal positions; pre-LN layers of 6-head self-attention (fused q|k|v
linear_0, output linear_1) and a GELU FFN; a final LayerNorm (eps 1e-5,
exact erf GELU). The model.bin reader is tests/reference/make_ct2_fixture.py's
(struct only, no ctranslate2).

    python tests/reference/whisper_encoder_f64.py [MODEL_DIR]

compares with the fixture written by make_whisper_ct2_fixture.py: it feeds
the mel CTranslate2 was fed (beckett.ct2_mel.f32) and prints the max
|float64 - CTranslate2| and the value at the row/column given by --at.
make_whisper_ct2_fixture.py calls encoder() too: the fixture keeps the
float64 rows where CTranslate2's float32 is more than 1e-4 from them (its
own rounding error there), which the C++ test compares against instead.
"""
import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_ct2_fixture  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "whisper")


_erf = np.frompyfunc(math.erf, 1, 1)  # libm's double erf, element by element (no scipy)


def gelu(x):
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)).astype(np.float64))


def layer_norm(x, w, prefix):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * w[prefix + "/gamma"] + w[prefix + "/beta"]


def conv1d(x, weight, bias, stride):
    """x [in, T], weight [out, in, 3], padding 1 -> [out, T / stride]."""
    padded = np.pad(x, ((0, 0), (1, 1)))
    t_out = (x.shape[1] + 2 - 3) // stride + 1
    cols = np.stack([padded[:, k:k + stride * t_out:stride] for k in range(3)], axis=2)  # [in, T', 3]
    return np.einsum("oik,itk->ot", weight, cols) + bias[:, None]


def encoder(w, mel, n_layers, n_heads):
    x = gelu(conv1d(mel, w["encoder/conv1/weight"], w["encoder/conv1/bias"], 1))
    x = gelu(conv1d(x, w["encoder/conv2/weight"], w["encoder/conv2/bias"], 2))
    x = x.T + w["encoder/position_encodings/encodings"]  # [1500, 384]
    d = x.shape[1]
    dh = d // n_heads
    for i in range(n_layers):
        p = f"encoder/layer_{i}"
        h = layer_norm(x, w, p + "/self_attention/layer_norm")
        qkv = h @ w[p + "/self_attention/linear_0/weight"].T + w[p + "/self_attention/linear_0/bias"]
        q, k, v = (qkv[:, j * d:(j + 1) * d].reshape(-1, n_heads, dh).transpose(1, 0, 2) for j in range(3))
        s = q @ k.transpose(0, 2, 1) / np.sqrt(dh)
        s = np.exp(s - s.max(axis=-1, keepdims=True))
        a = (s / s.sum(axis=-1, keepdims=True)) @ v  # [heads, 1500, dh]
        a = a.transpose(1, 0, 2).reshape(-1, d)
        x = x + a @ w[p + "/self_attention/linear_1/weight"].T + w[p + "/self_attention/linear_1/bias"]
        h = layer_norm(x, w, p + "/ffn/layer_norm")
        h = gelu(h @ w[p + "/ffn/linear_0/weight"].T + w[p + "/ffn/linear_0/bias"])
        x = x + h @ w[p + "/ffn/linear_1/weight"].T + w[p + "/ffn/linear_1/bias"]
    return layer_norm(x, w, "encoder/layer_norm")


def load_weights(model_dir):
    """The float variables of model_dir/model.bin, as float64; and the encoder's layer count."""
    with open(os.path.join(model_dir, "model.bin"), "rb") as f:
        arrays = {}
        make_ct2_fixture.parse(f.read(), arrays)
    w = {k: v.astype(np.float64) for k, v in arrays.items() if v.dtype.kind == "f"}
    n_layers = sum(1 for k in w if k.startswith("encoder/layer_") and k.endswith("ffn/linear_0/weight"))
    return w, n_layers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir", nargs="?", default=os.path.expanduser("~/.cache/edgeattn/models/whisper-tiny.en-ct2"))
    ap.add_argument("--at", default="76,354", help="ROW,COLUMN to print")
    ap.add_argument("--compare", action="append", default=[],
                    help="LABEL=FILE: another engine's [1500, 384] float32 output to measure against float64")
    a = ap.parse_args()
    w, n_layers = load_weights(a.model_dir)
    ref = json.load(open(os.path.join(FIXTURES, "whisper_ct2_reference.json")))
    beckett = ref["clips"][0]
    m = beckett["mel"]
    mel = np.full((3000, 80), m["pad_value"], np.float32)
    mel[:m["frames"]] = np.fromfile(os.path.join(FIXTURES, m["file"]), "<f4").reshape(-1, 80)
    out = encoder(w, mel.astype(np.float64).T, n_layers, 6)
    r, c = (int(t) for t in a.at.split(","))
    print(f"float64 encoder: {out.shape}, value at ({r}, {c}) = {out[r, c]:.6f}")
    others = [("CTranslate2", os.path.join(FIXTURES, beckett["encoder"]["file"]))]
    others += [tuple(x.split("=", 1)) for x in a.compare]
    for label, path in others:
        got = np.fromfile(path, "<f4").reshape(1500, -1).astype(np.float64)
        d = np.abs(got - out)
        rows = d.max(axis=1)
        print(f"{label}: max |diff| vs float64 {d.max():.3e} at {np.unravel_index(d.argmax(), d.shape)}; "
              f"value at ({r}, {c}) = {got[r, c]:.6f} (diff {got[r, c] - out[r, c]:+.2e}); "
              f"rows beyond 1e-4: {int((rows > 1e-4).sum())}")


if __name__ == "__main__":
    main()
