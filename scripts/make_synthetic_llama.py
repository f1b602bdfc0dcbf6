#!/usr/bin/env python3
"""Writes a synthetic Hugging Face LlamaForCausalLM folder with random weights.

For benchmarks and accuracy tooling at a realistic size (no trained Llama of
that size ships with the project). Only numpy is needed: model.safetensors is
written by the small writer below, not by the safetensors package.

    python3 scripts/make_synthetic_llama.py OUT_DIR [--dim 768] [--layers 12]
        [--heads 12] [--kv-heads 12] [--hidden 2048] [--vocab 32000]
        [--max-positions 512] [--seed 0]
    edgeattn-convert OUT_DIR --tokenizer OUT_DIR/tokenizer.bin -o model.eatn

OUT_DIR receives:
  config.json        LlamaForCausalLM config: rms_norm_eps 1e-5, rope_theta
                     10000, tie_word_embeddings false, bos 1, eos 2, float32.
  model.safetensors  every weight ~ normal(0, 0.02) (--std), every RMSNorm
                     weight 1, all float32, HF tensor names
                     (model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight,
                     ..., model.norm.weight, lm_head.weight).
  tokenizer.bin      a llama2.c-format tokenizer with --vocab pieces: ids 0, 1, 2
                     = <unk>, <s>, </s>; 3..258 = <0x00>..<0xFF>; then printable
                     ASCII characters, a few hundred common English words with
                     every prefix (so BPE merges can build them), and filler
                     pieces " tok<N>"; scores decrease with the id.

The defaults (dim 768, 12 layers, 12 heads, hidden 2048, vocab 32000) are
about 110 M parameters without the untied lm_head (134 M with it): a
~537 MB float32 safetensors file. Weights are random, so the model's text is
nonsense; it is for speed and memory measurements, and for comparing
conversions of the same weights (edgeattn-eval). Never commit its output.
"""

import argparse
import json
import os
import struct
import sys

import numpy as np

WORDS = """the a an and or but of to in on at for with from by as is was are were be been
have has had do did does not no yes it he she they we you i me him her them us my your his
their our this that these those there here then than so if when where what who why how
once upon time little girl boy named lily tim sue ben mom dad day one big small red blue
green happy sad play played park ball dog cat bird tree sun moon sky water house friend
friends said saw wanted went go come came see look looked like liked love loved want
very too up down out over under into all some many more most other new old good bad
nice fun run ran walk walked help helped find found make made take took give gave
""".split()


def build_pieces(vocab):
    """Pieces (bytes) and scores for a llama2.c tokenizer of `vocab` entries."""
    pieces = [b"<unk>", b"<s>", b"</s>"] + [b"<0x%02X>" % i for i in range(256)]
    seen = set(pieces)

    def add(p):
        if len(pieces) < vocab and p not in seen:
            seen.add(p)
            pieces.append(p)

    for c in range(0x20, 0x7F):
        add(bytes([c]))
    for w in WORDS:
        word = (" " + w).encode()
        for end in range(2, len(word) + 1):
            add(word[:end])
    for p in (b" t", b" to", b" tok"):
        add(p)
    n = 0
    while len(pieces) < vocab:
        add(b" tok%d" % n)
        n += 1
    # Strictly decreasing scores: BPE merges the earlier piece first, so
    # encoding is deterministic.
    scores = [0.0] * 3 + [0.0] * 256 + [-float(i) for i in range(vocab - 259)]
    return pieces, scores


def write_tokenizer(path, vocab):
    pieces, scores = build_pieces(vocab)
    with open(path, "wb") as f:
        f.write(struct.pack("<i", max(len(p) for p in pieces)))
        for p, s in zip(pieces, scores):
            f.write(struct.pack("<fi", s, len(p)))
            f.write(p)


def tensor_specs(a):
    """(name, shape, kind) in file order; kind 'norm' is all ones."""
    head_dim = a.dim // a.heads
    kv_dim = a.kv_heads * head_dim
    specs = [("model.embed_tokens.weight", (a.vocab, a.dim), "w")]
    for i in range(a.layers):
        p = "model.layers.%d." % i
        specs += [
            (p + "input_layernorm.weight", (a.dim,), "norm"),
            (p + "self_attn.q_proj.weight", (a.dim, a.dim), "w"),
            (p + "self_attn.k_proj.weight", (kv_dim, a.dim), "w"),
            (p + "self_attn.v_proj.weight", (kv_dim, a.dim), "w"),
            (p + "self_attn.o_proj.weight", (a.dim, a.dim), "w"),
            (p + "post_attention_layernorm.weight", (a.dim,), "norm"),
            (p + "mlp.gate_proj.weight", (a.hidden, a.dim), "w"),
            (p + "mlp.up_proj.weight", (a.hidden, a.dim), "w"),
            (p + "mlp.down_proj.weight", (a.dim, a.hidden), "w"),
        ]
    specs += [("model.norm.weight", (a.dim,), "norm"), ("lm_head.weight", (a.vocab, a.dim), "w")]
    return specs


def write_safetensors(path, specs, std, seed):
    """A float32 safetensors file, tensors generated and written one by one."""
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape, _ in specs:
        nbytes = 4 * int(np.prod(shape))
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)  # data starts 8-byte aligned
    rng = np.random.default_rng(seed)
    params = 0
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for name, shape, kind in specs:
            if kind == "norm":
                t = np.ones(shape, dtype="<f4")
            else:
                t = rng.standard_normal(shape, dtype=np.float32)
                t *= np.float32(std)
            f.write(t.astype("<f4", copy=False).tobytes())
            params += t.size
    return params


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--dim", type=int, default=768)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--heads", type=int, default=12)
    ap.add_argument("--kv-heads", type=int, default=None, help="default: --heads")
    ap.add_argument("--hidden", type=int, default=2048)
    ap.add_argument("--vocab", type=int, default=32000)
    ap.add_argument("--max-positions", type=int, default=512)
    ap.add_argument("--std", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.kv_heads is None:
        a.kv_heads = a.heads
    if a.dim % a.heads or a.heads % a.kv_heads or (a.dim // a.heads) % 2:
        ap.error("dim must split into heads of an even size, and heads into kv-heads")
    if a.vocab < 259 + 95:
        ap.error("vocab must be at least 354 (specials, 256 bytes, printable ASCII)")
    os.makedirs(a.out_dir, exist_ok=True)

    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": a.dim,
        "intermediate_size": a.hidden,
        "num_hidden_layers": a.layers,
        "num_attention_heads": a.heads,
        "num_key_value_heads": a.kv_heads,
        "vocab_size": a.vocab,
        "max_position_embeddings": a.max_positions,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "hidden_act": "silu",
        "tie_word_embeddings": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "torch_dtype": "float32",
    }
    with open(os.path.join(a.out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    write_tokenizer(os.path.join(a.out_dir, "tokenizer.bin"), a.vocab)
    params = write_safetensors(os.path.join(a.out_dir, "model.safetensors"), tensor_specs(a), a.std, a.seed)
    size = os.path.getsize(os.path.join(a.out_dir, "model.safetensors"))
    print("%s: %d parameters (%.1f M; %.1f M without lm_head), model.safetensors %d bytes"
          % (a.out_dir, params, params / 1e6, (params - a.vocab * a.dim) / 1e6, size), file=sys.stderr)


if __name__ == "__main__":
    main()
