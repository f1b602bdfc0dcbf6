#!/usr/bin/env python3
"""Write a tiny random-weight GPT-2 checkpoint (HF GPT2LMHeadModel format) and its
float64 numpy reference logits.

Outputs (paths relative to the repo root):
    tests/fixtures/gpt2_tiny/config.json        HF GPT2Config keys
    tests/fixtures/gpt2_tiny/model.safetensors  F32, "transformer."-prefixed names, no lm_head
                                                (tied), no attn.bias / attn.masked_bias buffers
    tests/fixtures/gpt2_logits.json             ids, logits at every position, greedy ids

Only numpy is needed (the safetensors writer is below). The weights depend only on SEED
and the shapes; bos/eos in config.json is the id of "<|endoftext|>" in
tests/fixtures/gpt2_tiny/vocab.json if that file exists, else 0. It does not affect the
weights or the logits, since greedy decoding here never stops at eos.

Usage: python make_gpt2_fixtures.py [REPO_ROOT]
"""
import hashlib
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gpt2_reference as ref  # noqa: E402

# SEED was picked from 20240611..20240630 as the first whose greedy continuation is
# varied (15 distinct ids) and whose smallest greedy top1-top2 logit gap is > 0.1.
SEED = 20240613
IDS_SEED = 7
VOCAB, POSITIONS, EMBD, LAYERS, HEADS = 512, 128, 64, 2, 4
INNER = 4 * EMBD
SEQ_LEN, PROMPT_LEN, GREEDY_STEPS = 64, 8, 24

# Standard deviations. HF initialises matrices with normal(0, 0.02), which gives a
# near-uniform attention pattern and logits of std ~0.15 at this width, so the
# matrices are scaled up to make attention, the MLP and the logits non-trivial.
STD = {
    "wte": 0.25,          # tied LM head: logits std ~ 0.25 * sqrt(64) * |ln_f| ~ 2
    "wpe": 0.1,
    "c_attn": 0.2,        # q.k/sqrt(16) has std ~1-2: peaked but not one-hot attention
    "attn_proj": 0.3,     # block outputs large enough that the residual stream is not
    "c_fc": 0.15,         # dominated by the token's own (tied) embedding, which would
    "mlp_proj": 0.3,      # make greedy decoding repeat one token
    "bias": 0.1,          # all linear biases and LayerNorm biases
    "ln_weight": 0.1,     # LayerNorm weights are 1 + normal(0, 0.1)
}


def config_dict(eos_id):
    return {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.1,
        "bos_token_id": eos_id,
        "embd_pdrop": 0.1,
        "eos_token_id": eos_id,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05,
        "model_type": "gpt2",
        "n_ctx": POSITIONS,
        "n_embd": EMBD,
        "n_head": HEADS,
        "n_inner": None,
        "n_layer": LAYERS,
        "n_positions": POSITIONS,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.1,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "summary_activation": None,
        "summary_first_dropout": 0.1,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": VOCAB,
    }


def make_weights():
    """Ordered dict name -> float32 array, generated in a fixed order from SEED."""
    rng = np.random.default_rng(SEED)
    w = {}

    def normal(std, *shape):
        return (rng.standard_normal(shape) * std).astype(np.float32)

    def ln(name):
        w[name + ".weight"] = (1.0 + normal(STD["ln_weight"], EMBD)).astype(np.float32)
        w[name + ".bias"] = normal(STD["bias"], EMBD)

    D = EMBD
    w["transformer.wte.weight"] = normal(STD["wte"], VOCAB, D)
    w["transformer.wpe.weight"] = normal(STD["wpe"], POSITIONS, D)
    for i in range(LAYERS):
        p = f"transformer.h.{i}."
        ln(p + "ln_1")
        w[p + "attn.c_attn.weight"] = normal(STD["c_attn"], D, 3 * D)     # Conv1D [in, out]
        w[p + "attn.c_attn.bias"] = normal(STD["bias"], 3 * D)
        w[p + "attn.c_proj.weight"] = normal(STD["attn_proj"], D, D)
        w[p + "attn.c_proj.bias"] = normal(STD["bias"], D)
        ln(p + "ln_2")
        w[p + "mlp.c_fc.weight"] = normal(STD["c_fc"], D, INNER)
        w[p + "mlp.c_fc.bias"] = normal(STD["bias"], INNER)
        w[p + "mlp.c_proj.weight"] = normal(STD["mlp_proj"], INNER, D)
        w[p + "mlp.c_proj.bias"] = normal(STD["bias"], D)
    ln("transformer.ln_f")
    return w


def write_safetensors(path, tensors, metadata=None):
    """safetensors: u64 LE header length, JSON header (padded with spaces to a multiple
    of 8), then the raw little-endian data, tensors in sorted name order."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    names = sorted(tensors)
    for name in names:
        a = tensors[name]
        assert a.dtype == np.float32 and a.flags.c_contiguous
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((-len(hb)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for name in names:
            f.write(tensors[name].astype("<f4").tobytes())


def eos_from_vocab(vocab_path):
    if not os.path.exists(vocab_path):
        return 0, "no vocab.json"
    with open(vocab_path, encoding="utf-8") as f:
        vocab = json.load(f)
    if "<|endoftext|>" in vocab:
        return int(vocab["<|endoftext|>"]), "vocab.json"
    return 0, "vocab.json without <|endoftext|>"


def fmt(x):
    s = format(float(x), ".7g")
    assert s not in ("nan", "inf", "-inf"), s
    return s


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.normpath(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    model_dir = os.path.join(root, "tests", "fixtures", "gpt2_tiny")
    os.makedirs(model_dir, exist_ok=True)

    eos_id, eos_src = eos_from_vocab(os.path.join(model_dir, "vocab.json"))
    cfg = config_dict(eos_id)
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")

    weights = make_weights()
    st_path = os.path.join(model_dir, "model.safetensors")
    write_safetensors(st_path, weights, {"format": "pt"})
    with open(st_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()

    # Self-check 1: the file reads back bit-exactly with the reference's reader.
    loaded = ref.load_safetensors(st_path)
    assert sorted(loaded) == sorted(weights)
    for k, a in weights.items():
        assert loaded[k].shape == a.shape and np.array_equal(loaded[k], a), k

    model = ref.GPT2.from_dir(model_dir)
    ids = [int(x) for x in np.random.default_rng(IDS_SEED).integers(0, VOCAB, SEQ_LEN)]
    full = model.forward(ids)                                   # [64, 512]

    # Self-check 2: every prefix, recomputed from scratch, gives the same last logits.
    prefix_diff = 0.0
    for t in range(1, SEQ_LEN + 1):
        last = model.forward(ids[:t])[-1]
        prefix_diff = max(prefix_diff, float(np.max(np.abs(last - full[t - 1]))))
    assert prefix_diff < 1e-9, prefix_diff

    # Self-check 3: KV-cache decoding (prompt of 8, then one token at a time) matches.
    cache = []
    inc = [model.forward(ids[:PROMPT_LEN], cache)]
    for t in range(PROMPT_LEN, SEQ_LEN):
        inc.append(model.forward([ids[t]], cache))
    inc = np.concatenate(inc)
    cache_diff = float(np.max(np.abs(inc - full)))
    assert cache_diff < 1e-9, cache_diff

    # Greedy continuation; KV cache and full recompute must agree.
    prompt = ids[:PROMPT_LEN]
    greedy, margins = model.greedy(prompt, GREEDY_STEPS)
    seq = list(prompt)
    for _ in range(GREEDY_STEPS):
        seq.append(int(np.argmax(model.forward(seq)[-1])))
    assert seq[PROMPT_LEN:] == greedy, (seq[PROMPT_LEN:], greedy)
    # The top-1/top-2 gaps must be wide enough for a float32 runtime to reproduce.
    assert min(margins) > 0.05, min(margins)

    # Float32 version of the same reference, to size the tolerance for float32 runtimes.
    model32 = ref.GPT2.from_dir(model_dir, dtype=np.float32)
    f32_diff = float(np.max(np.abs(model32.forward(ids).astype(np.float64) - full)))
    greedy32, _ = model32.greedy(prompt, GREEDY_STEPS)
    assert greedy32 == greedy

    probs = ref.softmax(full)
    entropy = -(probs * np.log(probs)).sum(-1)
    top1 = probs.max(-1)
    stats = {
        "logit_std": float(full.std()),
        "logit_absmax": float(np.abs(full).max()),
        "mean_entropy_nats": float(entropy.mean()),
        "mean_top1_prob": float(top1.mean()),
        "max_abs_diff_prefix_recompute": prefix_diff,
        "max_abs_diff_kv_cache": cache_diff,
        "max_abs_diff_float32_reference": f32_diff,
        "min_greedy_top1_top2_margin": min(margins),
    }

    out_path = os.path.join(root, "tests", "fixtures", "gpt2_logits.json")
    lines = ["{"]
    lines.append(f'"generated_by": "tests/reference/make_gpt2_fixtures.py (float64 numpy, tests/reference/gpt2_reference.py)",')
    lines.append(f'"model_dir": "tests/fixtures/gpt2_tiny",')
    lines.append(f'"model_sha256": "{sha}",')
    lines.append(f'"seed": {SEED}, "ids_seed": {IDS_SEED},')
    lines.append('"stats": ' + json.dumps(stats) + ",")
    lines.append('"ids": ' + json.dumps(ids) + ",")
    lines.append('"greedy_from": ' + json.dumps({"prompt_ids": prompt, "greedy_ids": greedy}) + ",")
    lines.append('"logits": [')
    rows = ["[" + ",".join(fmt(x) for x in row) + "]" for row in full]
    lines.append(",\n".join(rows))
    lines.append("]")
    lines.append("}")
    with open(out_path, "w") as f:
        f.write("\n".join(lines) + "\n")

    # Self-check 4: the JSON parses and the 7-digit rounding is within 5e-7 relative.
    with open(out_path) as f:
        back = json.load(f)
    arr = np.array(back["logits"])
    assert arr.shape == (SEQ_LEN, VOCAB)
    assert np.all(np.abs(arr - full) <= 5e-7 * np.abs(full) + 1e-300)

    print(f"eos/bos id {eos_id} ({eos_src})")
    print(f"model.safetensors sha256 {sha}, {os.path.getsize(st_path)} bytes")
    print(f"gpt2_logits.json {os.path.getsize(out_path)} bytes")
    for k, v in stats.items():
        print(f"{k}: {v:.4g}")
    print("ids:", ids)
    print("prompt:", prompt)
    print("greedy:", greedy)
    print("greedy margins:", " ".join(f"{m:.3f}" for m in margins))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
