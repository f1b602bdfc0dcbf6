#!/usr/bin/env python3
"""Independent float64 numpy reference forward pass for BERT sentence encoders
(written for sentence-transformers/all-MiniLM-L6-v2).

Implemented from the published BERT equations (Devlin et al. 2018) as laid out
in the HuggingFace ``BertModel`` definition, followed by sentence-transformers
mean pooling and L2 normalisation. It shares no code with the C++ runtime and
depends only on numpy (no torch, no transformers, no safetensors package).

    embeddings = LayerNorm(word[ids] + position[0..T) + token_type[0])
    per layer:
        Q, K, V   = x Wq^T + bq, x Wk^T + bk, x Wv^T + bv      (weights [out, in])
        scores    = Q_h K_h^T / sqrt(d_head) + mask            (mask: 0 or -inf on padded keys)
        ctx       = softmax(scores) V_h, heads concatenated
        x         = LayerNorm(x + ctx Wo^T + bo)
        h         = gelu_erf(x Wi^T + bi)                       (exact erf GELU)
        x         = LayerNorm(x + h Wout^T + bout)
    pooling   = mean of final hidden states over non-padding tokens (1_Pooling/config.json)
    normalize = x / ||x||_2                                      (modules.json: 2_Normalize)

Usage as a script:
    python bert_reference.py MODEL_DIR 101 7592 2088 102
prints the 384-d embedding for the given token ids.
"""
import json
import math
import os
import struct
import sys

import numpy as np

from safetensors_np import load_safetensors  # noqa: E402  (same folder)


def _erf(x):
    """Vectorised exact erf (math.erf is correctly rounded-ish in float64)."""
    return np.vectorize(math.erf, otypes=[np.float64])(x)


def gelu_erf(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def layer_norm(x, w, b, eps):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)  # biased variance, as in torch
    return (x - mu) / np.sqrt(var + eps) * w + b


def linear(x, w, b):
    return x @ w.T + b


def softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=axis, keepdims=True)


class BertReference:
    def __init__(self, model_dir):
        self.model_dir = model_dir
        with open(os.path.join(model_dir, "config.json")) as f:
            self.config = json.load(f)
        c = self.config
        assert c.get("hidden_act", "gelu") == "gelu", "only exact erf GELU implemented"
        assert c.get("position_embedding_type", "absolute") == "absolute"
        self.hidden = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.layers = c["num_hidden_layers"]
        self.eps = float(c["layer_norm_eps"])
        self.d_head = self.hidden // self.heads

        pool_cfg_path = os.path.join(model_dir, "1_Pooling", "config.json")
        with open(pool_cfg_path) as f:
            pool = json.load(f)
        assert pool["pooling_mode_mean_tokens"] and not pool["pooling_mode_cls_token"] \
            and not pool["pooling_mode_max_tokens"] and not pool["pooling_mode_mean_sqrt_len_tokens"], \
            "only mean pooling implemented"
        self.normalize = False
        modules_path = os.path.join(model_dir, "modules.json")
        if os.path.exists(modules_path):
            with open(modules_path) as f:
                self.normalize = any(m["type"].endswith("Normalize") for m in json.load(f))

        raw = load_safetensors(os.path.join(model_dir, "model.safetensors"))
        # Some checkpoints prefix names with "bert."; strip it.
        self.w = {}
        for k, v in raw.items():
            key = k[5:] if k.startswith("bert.") else k
            self.w[key] = v.astype(np.float64) if v.dtype.kind == "f" else v

    def _p(self, name):
        return self.w[name]

    def hidden_states(self, ids, attention_mask=None):
        """ids: int array [B, T]; attention_mask: {0,1} array [B, T] (default all ones).
        Returns final-layer hidden states [B, T, H] in float64."""
        ids = np.atleast_2d(np.asarray(ids, dtype=np.int64))
        B, T = ids.shape
        if attention_mask is None:
            attention_mask = np.ones((B, T), dtype=np.int64)
        attention_mask = np.asarray(attention_mask)
        p = self._p
        x = (p("embeddings.word_embeddings.weight")[ids]
             + p("embeddings.position_embeddings.weight")[np.arange(T)][None, :, :]
             + p("embeddings.token_type_embeddings.weight")[0][None, None, :])
        x = layer_norm(x, p("embeddings.LayerNorm.weight"), p("embeddings.LayerNorm.bias"), self.eps)

        # additive key mask [B, 1, 1, T]: 0 for real tokens, -inf for padding keys
        add_mask = np.where(attention_mask[:, None, None, :] > 0, 0.0, -np.inf)
        H, nh, dh = self.hidden, self.heads, self.d_head
        for l in range(self.layers):
            pre = f"encoder.layer.{l}."

            def split(t):  # [B, T, H] -> [B, nh, T, dh]
                return t.reshape(B, T, nh, dh).transpose(0, 2, 1, 3)

            q = split(linear(x, p(pre + "attention.self.query.weight"), p(pre + "attention.self.query.bias")))
            k = split(linear(x, p(pre + "attention.self.key.weight"), p(pre + "attention.self.key.bias")))
            v = split(linear(x, p(pre + "attention.self.value.weight"), p(pre + "attention.self.value.bias")))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(dh) + add_mask
            probs = softmax(scores, axis=-1)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(B, T, H)
            attn_out = linear(ctx, p(pre + "attention.output.dense.weight"), p(pre + "attention.output.dense.bias"))
            x = layer_norm(x + attn_out, p(pre + "attention.output.LayerNorm.weight"),
                           p(pre + "attention.output.LayerNorm.bias"), self.eps)
            inter = gelu_erf(linear(x, p(pre + "intermediate.dense.weight"), p(pre + "intermediate.dense.bias")))
            ffn = linear(inter, p(pre + "output.dense.weight"), p(pre + "output.dense.bias"))
            x = layer_norm(x + ffn, p(pre + "output.LayerNorm.weight"), p(pre + "output.LayerNorm.bias"), self.eps)
        return x

    def pool(self, hidden, attention_mask):
        m = np.asarray(attention_mask, dtype=np.float64)[:, :, None]
        summed = (hidden * m).sum(axis=1)
        counts = np.clip(m.sum(axis=1), 1e-9, None)  # sentence-transformers clamps at 1e-9
        emb = summed / counts
        if self.normalize:
            emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        return emb

    def encode(self, ids, attention_mask=None):
        """Returns (embeddings [B, H], hidden_states [B, T, H])."""
        ids = np.atleast_2d(np.asarray(ids, dtype=np.int64))
        if attention_mask is None:
            attention_mask = np.ones(ids.shape, dtype=np.int64)
        hs = self.hidden_states(ids, attention_mask)
        return self.pool(hs, attention_mask), hs

    def encode_batch(self, id_lists, pad_id=0):
        """Right-pads a list of id sequences into one batch and encodes it."""
        T = max(len(s) for s in id_lists)
        ids = np.full((len(id_lists), T), pad_id, dtype=np.int64)
        mask = np.zeros((len(id_lists), T), dtype=np.int64)
        for i, s in enumerate(id_lists):
            ids[i, :len(s)] = s
            mask[i, :len(s)] = 1
        return self.encode(ids, mask)


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    ref = BertReference(argv[1])
    emb, _ = ref.encode([int(t) for t in argv[2:]])
    print(" ".join(repr(float(f"{v:.9g}")) for v in emb[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
