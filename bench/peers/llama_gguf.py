#!/usr/bin/env python3
"""Writes a Llama model as GGUF (F32, Q8_0 or Q4_1) for llama.cpp, from the
same weights edgeattn-convert reads, with the `gguf` package (llama.cpp's
own GGUF writer and quantizers).

    llama_gguf.py hf HF_DIR TOKENIZER.bin OUT.gguf {f32,q8_0,q4_1}
        A Hugging Face LlamaForCausalLM folder (config.json +
        model.safetensors, e.g. scripts/make_synthetic_llama.py's output).
        q_proj / k_proj rows are permuted from HF's half-split RoPE layout to
        GGUF's interleaved one, as llama.cpp's convert_hf_to_gguf.py does.
    llama_gguf.py llama2c MODEL.bin TOKENIZER.bin OUT.gguf {f32,q8_0,q4_1}
        A llama2.c checkpoint (stories260K.bin); its RoPE layout is already
        GGUF's.

q8_0 (q4_1) quantizes every 2-D weight whose row length is a multiple of 32
(the block) to Q8_0 (Q4_1), the token embedding and output head included; other tensors (norms, and rows of 172 in stories260K's
ffn_down) stay F32. The vocabulary comes from the llama2.c tokenizer file
(pieces, scores; <0xNN> byte pieces typed BYTE, ids 0-2 UNKNOWN/CONTROL).
"""

import json
import os
import struct
import sys

import numpy as np

import gguf


def read_llama2c_tokenizer(path, vocab):
    with open(path, "rb") as f:
        data = f.read()
    off = 4  # max_token_length
    pieces, scores = [], []
    for _ in range(vocab):
        score, n = struct.unpack_from("<fi", data, off)
        off += 8
        pieces.append(data[off:off + n])
        off += n
        scores.append(score)
    return pieces, scores


def hf_weights(hf_dir):
    from safetensors.numpy import load_file
    with open(os.path.join(hf_dir, "config.json")) as f:
        cfg = json.load(f)
    w = load_file(os.path.join(hf_dir, "model.safetensors"))
    dim, n_layers = cfg["hidden_size"], cfg["num_hidden_layers"]
    n_heads = cfg["num_attention_heads"]
    n_kv = cfg.get("num_key_value_heads", n_heads)

    def permute(t, heads):
        return t.reshape(heads, 2, t.shape[0] // heads // 2, *t.shape[1:]).swapaxes(1, 2).reshape(t.shape)

    out = {"token_embd.weight": w["model.embed_tokens.weight"], "output_norm.weight": w["model.norm.weight"],
           "output.weight": w.get("lm_head.weight", w["model.embed_tokens.weight"])}
    for i in range(n_layers):
        p = f"model.layers.{i}."
        out[f"blk.{i}.attn_norm.weight"] = w[p + "input_layernorm.weight"]
        out[f"blk.{i}.attn_q.weight"] = permute(w[p + "self_attn.q_proj.weight"], n_heads)
        out[f"blk.{i}.attn_k.weight"] = permute(w[p + "self_attn.k_proj.weight"], n_kv)
        out[f"blk.{i}.attn_v.weight"] = w[p + "self_attn.v_proj.weight"]
        out[f"blk.{i}.attn_output.weight"] = w[p + "self_attn.o_proj.weight"]
        out[f"blk.{i}.ffn_norm.weight"] = w[p + "post_attention_layernorm.weight"]
        out[f"blk.{i}.ffn_gate.weight"] = w[p + "mlp.gate_proj.weight"]
        out[f"blk.{i}.ffn_up.weight"] = w[p + "mlp.up_proj.weight"]
        out[f"blk.{i}.ffn_down.weight"] = w[p + "mlp.down_proj.weight"]
    hp = {"dim": dim, "hidden": cfg["intermediate_size"], "layers": n_layers, "heads": n_heads, "kv_heads": n_kv,
          "vocab": cfg["vocab_size"], "ctx": cfg.get("max_position_embeddings", 2048),
          "eps": cfg.get("rms_norm_eps", 1e-5), "theta": cfg.get("rope_theta", 10000.0)}
    return out, hp


def llama2c_weights(path):
    with open(path, "rb") as f:
        data = f.read()
    dim, hidden, layers, heads, kv_heads, vocab, seq = struct.unpack_from("<7i", data, 0)
    shared = vocab > 0
    vocab = abs(vocab)
    head_dim = dim // heads
    arr = np.frombuffer(data, np.float32, offset=28)
    off = 0

    def take(*shape):
        nonlocal off
        n = int(np.prod(shape))
        t = arr[off:off + n].reshape(shape)
        off += n
        return t

    emb = take(vocab, dim)
    rms_att = take(layers, dim)
    wq = take(layers, dim, dim)
    wk = take(layers, kv_heads * head_dim, dim)
    wv = take(layers, kv_heads * head_dim, dim)
    wo = take(layers, dim, dim)
    rms_ffn = take(layers, dim)
    w1 = take(layers, hidden, dim)
    w2 = take(layers, dim, hidden)
    w3 = take(layers, hidden, dim)
    rms_final = take(dim)
    take(seq, head_dim // 2)  # freq_cis_real
    take(seq, head_dim // 2)  # freq_cis_imag
    out = {"token_embd.weight": emb, "output_norm.weight": rms_final,
           "output.weight": emb if shared else take(vocab, dim)}
    for i in range(layers):
        out[f"blk.{i}.attn_norm.weight"] = rms_att[i]
        out[f"blk.{i}.attn_q.weight"] = wq[i]
        out[f"blk.{i}.attn_k.weight"] = wk[i]
        out[f"blk.{i}.attn_v.weight"] = wv[i]
        out[f"blk.{i}.attn_output.weight"] = wo[i]
        out[f"blk.{i}.ffn_norm.weight"] = rms_ffn[i]
        out[f"blk.{i}.ffn_gate.weight"] = w1[i]
        out[f"blk.{i}.ffn_up.weight"] = w3[i]
        out[f"blk.{i}.ffn_down.weight"] = w2[i]
    hp = {"dim": dim, "hidden": hidden, "layers": layers, "heads": heads, "kv_heads": kv_heads, "vocab": vocab,
          "ctx": seq, "eps": 1e-5, "theta": 10000.0}
    return out, hp


def write(weights, hp, tokenizer, out_path, dtype):
    pieces, scores = read_llama2c_tokenizer(tokenizer, hp["vocab"])
    w = gguf.GGUFWriter(out_path + ".tmp", "llama")
    w.add_name(os.path.basename(out_path))
    w.add_context_length(hp["ctx"])
    w.add_embedding_length(hp["dim"])
    w.add_block_count(hp["layers"])
    w.add_feed_forward_length(hp["hidden"])
    w.add_head_count(hp["heads"])
    w.add_head_count_kv(hp["kv_heads"])
    w.add_layer_norm_rms_eps(hp["eps"])
    w.add_rope_dimension_count(hp["dim"] // hp["heads"])
    w.add_rope_freq_base(hp["theta"])
    w.add_vocab_size(hp["vocab"])
    file_types = {"f32": gguf.LlamaFileType.ALL_F32, "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0,
                  "q4_1": gguf.LlamaFileType.MOSTLY_Q4_1}
    w.add_file_type(file_types[dtype])
    tokens, types = [], []
    for i, p in enumerate(pieces):
        if i == 0:
            types.append(gguf.TokenType.UNKNOWN)
        elif i in (1, 2):
            types.append(gguf.TokenType.CONTROL)
        elif len(p) == 6 and p.startswith(b"<0x") and p.endswith(b">"):
            types.append(gguf.TokenType.BYTE)
        else:
            types.append(gguf.TokenType.NORMAL)
        tokens.append(p.replace(b" ", "\u2581".encode()))
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    for name, t in weights.items():
        t = np.ascontiguousarray(t, dtype=np.float32)
        if dtype != "f32" and t.ndim == 2 and t.shape[1] % 32 == 0:
            qtype = gguf.GGMLQuantizationType.Q8_0 if dtype == "q8_0" else gguf.GGMLQuantizationType.Q4_1
            w.add_tensor(name, gguf.quants.quantize(t, qtype), raw_dtype=qtype)
        else:
            w.add_tensor(name, t)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    os.replace(out_path + ".tmp", out_path)
    print(json.dumps({"wrote": out_path, "bytes": os.path.getsize(out_path), "dtype": dtype}))


def main(argv):
    if len(argv) != 5 or argv[0] not in ("hf", "llama2c") or argv[4] not in ("f32", "q8_0", "q4_1"):
        sys.exit(__doc__)
    weights, hp = hf_weights(argv[1]) if argv[0] == "hf" else llama2c_weights(argv[1])
    write(weights, hp, argv[2], argv[3], argv[4])


if __name__ == "__main__":
    main(sys.argv[1:])
