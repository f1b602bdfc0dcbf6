#!/usr/bin/env python3
"""Independent float64 numpy reference forward pass for GPT-2 (HF GPT2LMHeadModel layout).

Written from the GPT-2 equations (Radford et al. 2019; pre-LayerNorm variant of the
GPT-1 decoder) as laid out in the HuggingFace ``GPT2LMHeadModel`` definition. It shares
no code with the C++ runtime and depends only on numpy (no torch, no transformers, no
safetensors package).

    h = wte[ids] + wpe[0..T)
    per block (n_layer):
        a      = LayerNorm_1(h)
        qkv    = a @ c_attn.weight + c_attn.bias          (Conv1D: weight is [in, out] = [D, 3D])
        q,k,v  = split(qkv, 3) along the last axis, each split into n_head heads of D/n_head
        att    = softmax(q k^T / sqrt(D/n_head) + causal) v  (causal: -inf where key > query)
        h      = h + merge_heads(att) @ attn.c_proj.weight + attn.c_proj.bias
        m      = LayerNorm_2(h)
        h      = h + gelu_new(m @ c_fc.weight + c_fc.bias) @ mlp.c_proj.weight + mlp.c_proj.bias
    h      = LayerNorm_f(h)
    logits = h @ wte^T                                     (tied LM head, no bias)

    gelu_new(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    LayerNorm uses the biased variance and eps = layer_norm_epsilon (1e-5).

Only what the fixture model uses is supported: activation_function "gelu_new",
scale_attn_weights true, scale_attn_by_inverse_layer_idx false, tied embeddings.
Tensor names: "transformer."-prefixed (GPT2LMHeadModel) or unprefixed (GPT2Model, as in
the hub's gpt2 checkpoint); attn.bias / attn.masked_bias mask buffers are ignored;
lm_head.weight, if present, is used instead of wte for the LM head.

Usage as a script:
    python gpt2_reference.py MODEL_DIR ID [ID ...]            # top-5 next tokens after the ids
    python gpt2_reference.py MODEL_DIR --greedy N ID [ID ...] # N greedy continuation ids
"""
import json
import math
import os
import struct
import sys

import numpy as np

from safetensors_np import load_safetensors  # noqa: E402  (same folder)


def gelu_new(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def layer_norm(x, w, b, eps):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)  # biased variance, as in torch
    return (x - mu) / np.sqrt(var + eps) * w + b


def softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=axis, keepdims=True)


class GPT2:
    """GPT-2 LM with weights held in ``dtype`` (float64 by default)."""

    def __init__(self, config, tensors, dtype=np.float64):
        self.cfg = config
        if config.get("activation_function", "gelu_new") != "gelu_new":
            raise ValueError("only activation_function gelu_new is implemented")
        if not config.get("scale_attn_weights", True) or config.get("scale_attn_by_inverse_layer_idx", False):
            raise ValueError("only the default attention scaling is implemented")
        self.D = config["n_embd"]
        self.H = config["n_head"]
        self.L = config["n_layer"]
        self.P = config["n_positions"]
        self.eps = config.get("layer_norm_epsilon", 1e-5)
        self.dtype = dtype
        prefixed = any(k.startswith("transformer.") for k in tensors)
        pre = "transformer." if prefixed else ""

        def t(name):
            return np.asarray(tensors[pre + name], dtype=dtype)

        self.wte = t("wte.weight")
        self.wpe = t("wpe.weight")
        self.head = np.asarray(tensors["lm_head.weight"], dtype=dtype) if "lm_head.weight" in tensors else self.wte
        self.layers = []
        for i in range(self.L):
            p = f"h.{i}."
            self.layers.append({k: t(p + k) for k in (
                "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias",
                "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias",
                "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias")})
        self.ln_f_w = t("ln_f.weight")
        self.ln_f_b = t("ln_f.bias")
        D, inner = self.D, config.get("n_inner") or 4 * self.D
        assert self.wte.shape == (config["vocab_size"], D), self.wte.shape
        assert self.wpe.shape == (self.P, D), self.wpe.shape
        for lw in self.layers:
            assert lw["attn.c_attn.weight"].shape == (D, 3 * D)
            assert lw["attn.c_proj.weight"].shape == (D, D)
            assert lw["mlp.c_fc.weight"].shape == (D, inner)
            assert lw["mlp.c_proj.weight"].shape == (inner, D)

    @classmethod
    def from_dir(cls, model_dir, dtype=np.float64):
        with open(os.path.join(model_dir, "config.json")) as f:
            config = json.load(f)
        return cls(config, load_safetensors(os.path.join(model_dir, "model.safetensors")), dtype)

    def _heads(self, x):  # [T, D] -> [H, T, d]
        T = x.shape[0]
        return x.reshape(T, self.H, self.D // self.H).transpose(1, 0, 2)

    def forward(self, ids, cache=None):
        """Logits [T, V] for ``ids`` placed at positions len(cache)..len(cache)+T-1.

        ``cache`` (optional) is a list of per-layer [k, v] arrays ([H, S, d]) holding the
        previous positions; it is extended in place. Without it the ids start at position 0.
        """
        ids = np.asarray(ids, dtype=np.int64)
        T = ids.shape[0]
        past = 0 if not cache else cache[0][0].shape[1]
        if past + T > self.P:
            raise ValueError(f"sequence of {past + T} exceeds n_positions {self.P}")
        d = self.D // self.H
        h = self.wte[ids] + self.wpe[past:past + T]
        # causal mask: query at absolute position past+i sees keys 0..past+i
        q_pos = np.arange(past, past + T)[:, None]
        k_pos = np.arange(past + T)[None, :]
        mask = np.where(k_pos <= q_pos, 0.0, -np.inf).astype(self.dtype)
        for i, lw in enumerate(self.layers):
            a = layer_norm(h, lw["ln_1.weight"], lw["ln_1.bias"], self.eps)
            qkv = a @ lw["attn.c_attn.weight"] + lw["attn.c_attn.bias"]
            q, k, v = (self._heads(x) for x in np.split(qkv, 3, axis=-1))
            if cache is not None:
                if len(cache) <= i:
                    cache.append([k[:, :0], v[:, :0]])
                k = np.concatenate([cache[i][0], k], axis=1)
                v = np.concatenate([cache[i][1], v], axis=1)
                cache[i] = [k, v]
            scores = q @ k.transpose(0, 2, 1) / self.dtype(math.sqrt(d)) + mask
            ctx = softmax(scores) @ v                      # [H, T, d]
            ctx = ctx.transpose(1, 0, 2).reshape(T, self.D)
            h = h + ctx @ lw["attn.c_proj.weight"] + lw["attn.c_proj.bias"]
            m = layer_norm(h, lw["ln_2.weight"], lw["ln_2.bias"], self.eps)
            h = h + gelu_new(m @ lw["mlp.c_fc.weight"] + lw["mlp.c_fc.bias"]) @ lw["mlp.c_proj.weight"] \
                + lw["mlp.c_proj.bias"]
        h = layer_norm(h, self.ln_f_w, self.ln_f_b, self.eps)
        return h @ self.head.T

    def greedy(self, prompt_ids, n):
        """n greedy continuation ids (argmax, lowest id on ties), using the KV cache.

        Does not stop at eos. Also returns the top1 - top2 logit margin of each step."""
        cache = []
        logits = self.forward(prompt_ids, cache)[-1]
        out, margins = [], []
        for step in range(n):
            nxt = int(np.argmax(logits))
            top2 = np.sort(logits)[-2:]
            out.append(nxt)
            margins.append(float(top2[1] - top2[0]))
            if step + 1 < n:
                logits = self.forward([nxt], cache)[-1]
        return out, margins


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    model = GPT2.from_dir(argv[1])
    args = argv[2:]
    if args[0] == "--greedy":
        n = int(args[1])
        ids = [int(x) for x in args[2:]]
        out, _ = model.greedy(ids, n)
        print(" ".join(str(x) for x in out))
        return 0
    ids = [int(x) for x in args]
    logits = model.forward(ids)[-1]
    top = np.argsort(-logits, kind="stable")[:5]
    for t in top:
        print(f"{int(t)}\t{logits[t]:.7g}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
