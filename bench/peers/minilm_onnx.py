#!/usr/bin/env python3
"""Writes all-MiniLM-L6-v2 (a BERT encoder) as an ONNX file, from the same
model.safetensors that edgeattn-convert reads, with the `onnx` helper API.

    python3 bench/peers/minilm_onnx.py MODEL_DIR OUT.onnx

The graph is what sentence-transformers runs and what edgeattn's converted
model ends with (edgeattn-convert inspect: ... LayerNorm -> MeanPool ->
L2Normalize):
  inputs  input_ids [batch, seq] int64, attention_mask [batch, seq] int64
          (1 = token, 0 = padding); token type 0 everywhere.
  x = LayerNorm(word_emb[ids] + pos_emb[0:seq] + type_emb[0])
  per layer: x = LayerNorm(x + Wo(MHA(x, mask)));  x = LayerNorm(x + W2(GELU(W1 x)))
             (GELU exact: 0.5 x (1 + erf(x / sqrt 2)); masked keys get -1e9
             before the softmax)
  output  embedding [batch, hidden] = L2-normalized mean of x over the
          tokens whose mask is 1.
Linear weights are stored transposed ([K, N]) as MatMul initializers, so
onnxruntime.quantization.quantize_dynamic turns them into int8 MatMuls.
Opset 17 (LayerNormalization is an ONNX op there). Node names start with
the part of the model they belong to (embedding/, linear/ (with its bias),
attention/, norm/ (with the residual add before it), gelu/, pool/), so ORT's per-node profile can be grouped the way
edgeattn-bench --profile groups its ops.
"""

import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file


def build(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    w = load_file(os.path.join(model_dir, "model.safetensors"))
    # Some checkpoints prefix names with "bert.".
    w = {k[5:] if k.startswith("bert.") else k: v.astype(np.float32) for k, v in w.items()}
    hidden = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    head_dim = hidden // heads
    eps = float(cfg.get("layer_norm_eps", 1e-12))
    layers = cfg["num_hidden_layers"]

    inits, nodes = [], []
    group = ["embedding"]  # prefix of the node names being made

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(op, ins, outs=None, **attrs):
        name = f"{group[0]}/n{len(nodes)}_{op}"
        outs = outs or [name + "_out"]
        nodes.append(helper.make_node(op, ins, outs, name=name, **attrs))
        return outs[0]

    def layer_norm(x, prefix):
        group[0] = "norm"
        g = const(prefix + ".weight", w[prefix + ".weight"])
        b = const(prefix + ".bias", w[prefix + ".bias"])
        return node("LayerNormalization", [x, g, b], axis=-1, epsilon=eps)

    def linear(x, prefix):
        group[0] = "linear"
        wt = const(prefix + ".weight_t", np.ascontiguousarray(w[prefix + ".weight"].T))  # [K, N]
        b = const(prefix + ".bias", w[prefix + ".bias"])
        return node("Add", [node("MatMul", [x, wt]), b])

    # Embeddings.
    seq_len = node("Gather", [node("Shape", ["input_ids"]), const("one_i64", np.array(1, np.int64))], axis=0)
    seq_1d = node("Unsqueeze", [seq_len, const("axes0", np.array([0], np.int64))])
    pos = node("Slice", [const("pos_emb", w["embeddings.position_embeddings.weight"]),
                         const("zero_1d", np.array([0], np.int64)), seq_1d,
                         const("axes0_b", np.array([0], np.int64))])
    word = node("Gather", ["word_emb", "input_ids"], axis=0)
    const("word_emb", w["embeddings.word_embeddings.weight"])
    type0 = const("type0", w["embeddings.token_type_embeddings.weight"][0])
    x = node("Add", [node("Add", [word, pos]), type0])
    x = layer_norm(x, "embeddings.LayerNorm")

    # Additive key mask [batch, 1, 1, seq]: 0 for tokens, -1e9 for padding.
    group[0] = "attention"
    mask_f = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    mask4 = node("Unsqueeze", [mask_f, const("axes12", np.array([1, 2], np.int64))])
    mask_bias = node("Mul", [node("Sub", [const("one_f", np.array(1.0, np.float32)), mask4]),
                             const("neg_big", np.array(-1e9, np.float32))])

    split_shape = const("split_shape", np.array([0, 0, heads, head_dim], np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, hidden], np.int64))
    scale = const("attn_scale", np.array(1.0 / math.sqrt(head_dim), np.float32))
    inv_sqrt2 = const("inv_sqrt2", np.array(1.0 / math.sqrt(2.0), np.float32))
    half = const("half", np.array(0.5, np.float32))
    one = "one_f"

    def heads_of(t, perm):  # [b, s, hidden] -> [b, h, s, d] or [b, h, d, s]
        group[0] = "attention"
        return node("Transpose", [node("Reshape", [t, split_shape])], perm=perm)

    for i in range(layers):
        p = f"encoder.layer.{i}"
        q = heads_of(linear(x, p + ".attention.self.query"), [0, 2, 1, 3])  # [b, h, s, d]
        k = heads_of(linear(x, p + ".attention.self.key"), [0, 2, 3, 1])    # [b, h, d, s]
        v = heads_of(linear(x, p + ".attention.self.value"), [0, 2, 1, 3])  # [b, h, s, d]
        group[0] = "attention"
        scores = node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), mask_bias])  # [b, h, s, s]
        probs = node("Softmax", [scores], axis=-1)
        ctx = node("Reshape", [node("Transpose", [node("MatMul", [probs, v])], perm=[0, 2, 1, 3]), merge_shape])
        attn = linear(ctx, p + ".attention.output.dense")
        group[0] = "norm"  # the residual add, which ORT fuses into SkipLayerNormalization
        x = layer_norm(node("Add", [x, attn]), p + ".attention.output.LayerNorm")
        h = linear(x, p + ".intermediate.dense")  # [b, s, ffn]
        group[0] = "gelu"
        gelu = node("Mul", [node("Mul", [h, half]), node("Add", [node("Erf", [node("Mul", [h, inv_sqrt2])]), one])])
        ffn = linear(gelu, p + ".output.dense")
        group[0] = "norm"
        x = layer_norm(node("Add", [x, ffn]), p + ".output.LayerNorm")

    # Mean pooling over real tokens, then L2 normalization.
    group[0] = "pool"
    mask3 = node("Unsqueeze", [mask_f, const("axes2", np.array([2], np.int64))])  # [b, s, 1]
    summed = node("ReduceSum", [node("Mul", [x, mask3]), const("axes1", np.array([1], np.int64))], keepdims=0)
    count = node("Max", [node("ReduceSum", [mask3, "axes1"], keepdims=0), const("tiny", np.array(1e-9, np.float32))])
    mean = node("Div", [summed, count])  # [b, hidden]
    norm = node("Sqrt", [node("ReduceSum", [node("Mul", [mean, mean]), const("axes_last", np.array([-1], np.int64))],
                              keepdims=1)])
    norm = node("Max", [norm, const("eps_l2", np.array(1e-12, np.float32))])
    node("Div", [mean, norm], ["embedding"])

    graph = helper.make_graph(
        nodes, "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", hidden])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="edgeattn-bench")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model = build(sys.argv[1])
    tmp = sys.argv[2] + ".tmp"
    onnx.save(model, tmp)
    os.replace(tmp, sys.argv[2])
    print(f"wrote {sys.argv[2]} ({os.path.getsize(sys.argv[2])} bytes, {len(model.graph.node)} nodes)")


if __name__ == "__main__":
    main()
