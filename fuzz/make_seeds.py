#!/usr/bin/env python3
"""Writes the committed seed corpora fuzz/seeds/<target>/ from real files.

Run from the repository root after scripts/fetch-models.sh (needs
all-MiniLM-L6-v2 and ../shared/models/stories260K); stdlib only:

    python3 fuzz/make_seeds.py

Every seed is small (< 64 KB) and cut from a real file, so the fuzzers start
from real structure: the tokenizer fixture texts, safetensors files holding
MiniLM's and gpt2_tiny's real header entries and bytes, a GGUF with
stories260K's hyper-parameters, tok512 vocabulary and weights, and llama2.c
files (tok512.bin; a tiny checkpoint of stories260K's floats). The
CTranslate2 seeds are synthetic (the real model.bin is 75 MB); write only
some targets with `python3 fuzz/make_seeds.py ct2_fuzzer ...`. The model
loader's seeds are generated at build time instead (fuzz_seeds target).
"""
import hashlib
import json
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "seeds")


def model(rel):
    for base in [os.environ.get("EDGEATTN_MODELS", ""), os.path.join(ROOT, "..", "shared", "models"),
                 os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "edgeattn", "models")]:
        p = os.path.join(base, rel)
        if base and os.path.exists(p):
            return p
    sys.exit(f"make_seeds: {rel} not found (run scripts/fetch-models.sh)")


def read(p):
    with open(p, "rb") as f:
        return f.read()


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    assert len(data) < 64 * 1024, (target, name, len(data))
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- tokenizers: byte 0 = EncodeOptions flags (0 = defaults), then text ----
def tokenizer_seeds(target, fixture, extra=()):
    cases = json.load(open(os.path.join(ROOT, "tests", "fixtures", fixture)))["cases"]
    texts = [bytes.fromhex(c["hex"]) if "hex" in c else c["text"].encode("utf-8") for c in cases] + list(extra)
    for i, t in enumerate(texts):
        flags = [0, 0, 0, 2, 1, 4 | (8 << 3)][i % 6]  # mostly defaults; EOS, no specials, max_tokens 8
        write(target, f"{i:03d}", bytes([flags]) + t)


# ---- safetensors -------------------------------------------------------------
def safetensors_header(path):
    b = read(path)
    n = struct.unpack("<Q", b[:8])[0]
    return b, n, json.loads(b[8:8 + n])


def pack_safetensors(entries, metadata=None):
    """entries: [(name, dtype, shape, bytes)] -> a valid .safetensors."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data


def safetensors_seeds():
    for label, path, keep in [("minilm", model("all-MiniLM-L6-v2/model.safetensors"), 6),
                              ("gpt2_tiny", os.path.join(ROOT, "tests/fixtures/gpt2_tiny/model.safetensors"), 12)]:
        b, n, h = safetensors_header(path)
        data = b[8 + n:] if len(b) < 1 << 20 else None
        # The real header with no data: rejected at the first range check,
        # but the JSON parser sees the whole real header.
        write("safetensors_fuzzer", f"{label}_header_only", b[:8 + n])
        small = []
        for name, e in sorted(h.items()):
            if name == "__metadata__" or e["data_offsets"][1] - e["data_offsets"][0] > 1536:
                continue
            lo, hi = e["data_offsets"]
            if data is None:
                with open(path, "rb") as f:
                    f.seek(8 + n + lo)
                    raw = f.read(hi - lo)
            else:
                raw = data[lo:hi]
            small.append((name, e["dtype"], e["shape"], raw))
            if len(small) == keep:
                break
        write("safetensors_fuzzer", f"{label}_small", pack_safetensors(small, h.get("__metadata__", {"format": "pt"})))
        # Same values as F16, BF16 and F64, so to_f32 sees every float dtype.
        name, _, shape, raw = small[0]
        vals = struct.unpack(f"<{len(raw) // 4}f", raw)
        f16 = struct.pack(f"<{len(vals)}e", *vals)
        bf16 = b"".join(raw[i + 2:i + 4] for i in range(0, len(raw), 4))
        f64 = struct.pack(f"<{len(vals)}d", *vals)
        write("safetensors_fuzzer", f"{label}_dtypes", pack_safetensors(
            [(name + ".f16", "F16", shape, f16), (name + ".bf16", "BF16", shape, bf16),
             (name + ".f64", "F64", shape, f64), ("ids", "I64", [2], struct.pack("<2q", 7, -1)),
             ("scalar", "F32", [], raw[:4])]))


# ---- GGUF --------------------------------------------------------------------
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)


def gguf_str(s):
    s = s if isinstance(s, bytes) else s.encode()
    return struct.pack("<Q", len(s)) + s


def gguf_scalar(t, v):
    return struct.pack("<" + {U8: "B", I8: "b", U16: "H", I16: "h", U32: "I", I32: "i", F32: "f", BOOL: "?",
                              U64: "Q", I64: "q", F64: "d"}[t], v)


def gguf_value(t, v):
    if t == STR:
        return gguf_str(v)
    if t == ARR:
        et, items = v
        return struct.pack("<IQ", et, len(items)) + b"".join(gguf_value(et, x) for x in items)
    return gguf_scalar(t, v)


def pack_gguf(kvs, tensors, version=3, alignment=32):
    """kvs: [(key, type, value)]; tensors: [(name, dims fastest-first, ggml type, bytes)]."""
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += gguf_str(k) + struct.pack("<I", t) + gguf_value(t, v)
    offset, data = 0, b""
    for name, dims, gtype, raw in tensors:
        out += gguf_str(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
        out += struct.pack("<IQ", gtype, len(data))
        data += raw + b"\0" * (-len(raw) % alignment)
    out += b"\0" * (-len(out) % alignment)
    return out + data


def llama2c_tokenizer(path):
    b = read(path)
    pieces, scores, off = [], [], 4
    while off < len(b):
        score, n = struct.unpack_from("<fi", b, off)
        pieces.append(b[off + 8:off + 8 + n])
        scores.append(score)
        off += 8 + n
    return pieces, scores


def gguf_seeds():
    bin_path = model("stories260K/stories260K.bin")
    dim, hidden, layers, heads, kv_heads, vocab, seq = struct.unpack("<7i", read(bin_path)[:28])
    floats = read(bin_path)[28:28 + 4 * 4096]  # token_embd's first rows: real values
    pieces, scores = llama2c_tokenizer(model("stories260K/tok512.bin"))
    marked = [p.replace(b" ", "\u2581".encode()) for p in pieces]
    kvs = [("general.architecture", STR, "llama"), ("general.alignment", U32, 32),
           ("general.name", STR, "stories260K"),
           ("llama.context_length", U32, seq), ("llama.embedding_length", U32, dim),
           ("llama.feed_forward_length", U32, hidden), ("llama.block_count", U32, layers),
           ("llama.attention.head_count", U32, heads), ("llama.attention.head_count_kv", U32, kv_heads),
           ("llama.rope.freq_base", F32, 10000.0), ("llama.attention.layer_norm_rms_epsilon", F64, 1e-5),
           ("tokenizer.ggml.model", STR, "llama"), ("tokenizer.ggml.tokens", ARR, (STR, marked)),
           ("tokenizer.ggml.scores", ARR, (F32, scores)),
           ("tokenizer.ggml.token_type", ARR, (I32, [2] + [1] * (len(pieces) - 1))),
           ("tokenizer.ggml.unknown_token_id", U32, 0), ("tokenizer.ggml.bos_token_id", U32, 1),
           ("tokenizer.ggml.eos_token_id", I64, 2), ("tokenizer.ggml.add_space_prefix", BOOL, True),
           ("test.nested", ARR, (ARR, [(U8, [1, 2]), (STR, ["a"])])), ("test.i8", I8, -3),
           ("test.u16", U16, 65535), ("test.i16", I16, -2), ("test.u64", U64, 1 << 40),
           ("test.f64s", ARR, (F64, [0.5, -1e300]))]
    v = struct.unpack(f"<{dim}f", floats[:4 * dim])
    tensors = [("output_norm.weight", [dim], 0, floats[:4 * dim]),
               ("token_embd.weight", [dim, 4], 0, floats[:16 * dim]),
               ("blk.0.attn_norm.weight", [dim], 1, struct.pack(f"<{dim}e", *v)),
               ("blk.0.ffn_norm.weight", [dim], 30, b"".join(floats[i + 2:i + 4] for i in range(0, 4 * dim, 4))),
               ("blk.0.attn_q.weight", [32, 2], 8, bytes(34 * 2)),  # Q8_0: recorded, unsupported
               ("ids", [3], 26, struct.pack("<3i", 1, -1, 7))]
    write("gguf_fuzzer", "stories260K_tok512", pack_gguf(kvs, tensors))
    v2 = [kvs[0], ("general.alignment", U32, 64)] + kvs[2:11]
    write("gguf_fuzzer", "v2_align64", pack_gguf(v2, tensors[:3], version=2, alignment=64))
    write("gguf_fuzzer", "header_only", pack_gguf([], []))


# ---- llama2.c: byte 0 even = checkpoint, odd = u16 vocab + tokenizer.bin ------
def llama2c_seeds():
    tok = read(model("stories260K/tok512.bin"))
    write("llama2c_fuzzer", "tok512", b"\x01" + struct.pack("<H", 512) + tok)
    real = read(model("stories260K/stories260K.bin"))
    write("llama2c_fuzzer", "stories260K_truncated", b"\x00" + real[:28 + 4096])
    dim, hidden, layers, heads, kv, vocab, seq = 8, 16, 1, 2, 1, 16, 4
    hs = dim // heads
    n = (vocab * dim + layers * (dim + 2 * dim * dim + 2 * kv * hs * dim + dim + 3 * hidden * dim) + dim +
         2 * seq * hs // 2)
    body = real[28:28 + 4 * n]
    for shared, extra in [(True, b""), (False, real[28:28 + 4 * vocab * dim])]:
        header = struct.pack("<7i", dim, hidden, layers, heads, kv, vocab if shared else -vocab, seq)
        write("llama2c_fuzzer", "tiny_" + ("shared" if shared else "unshared"), b"\x00" + header + body + extra)


# ---- CTranslate2 model.bin (binary version 6, model_spec.py _serialize) --------
def pack_ct2(spec, revision, variables, aliases, version=6):
    """variables: [(name, dims, dtype_id, bytes)]; aliases: [(alias, variable)]."""
    def s(x):
        return struct.pack("<H", len(x) + 1) + x.encode() + b"\0"
    out = struct.pack("<I", version) + s(spec) + struct.pack("<II", revision, len(variables))
    for name, dims, dtype, raw in variables:
        out += s(name) + struct.pack(f"<B{len(dims)}IBI", len(dims), *dims, dtype, len(raw)) + raw
    out += struct.pack("<I", len(aliases))
    for alias, target in aliases:
        out += s(alias) + s(target)
    return out


def ct2_seeds():
    # Synthetic, shaped like a tiny WhisperSpec: every dtype id (0 float32,
    # 1 int8, 2 int16, 3 int32, 4 float16, 5 bfloat16), rank-0 flags, and the
    # LM-head alias. The real model.bin is 75 MB, far past -max_len.
    f16 = struct.pack("<24e", *[i / 8 - 1 for i in range(24)])
    whisper = [("decoder/activation", [], 1, b"\x02"), ("decoder/alignment_heads", [], 2, struct.pack("<h", 1)),
               ("decoder/embeddings/weight", [6, 4], 4, f16),
               ("encoder/conv1/weight", [4, 2, 3], 0, struct.pack("<24f", *range(24))),
               ("encoder/layer_norm/gamma", [4], 5, b"\x80\x3f" * 4),
               ("encoder/num_heads", [], 2, struct.pack("<h", 2)),
               ("ids", [2], 3, struct.pack("<2i", 7, -1))]
    write("ct2_fuzzer", "tiny_whisper", pack_ct2("WhisperSpec", 3, whisper,
                                                 [("decoder/projection/weight", "decoder/embeddings/weight")]))
    write("ct2_fuzzer", "header_only", pack_ct2("TransformerSpec", 1, [], []))
    write("ct2_fuzzer", "scalars_rank4", pack_ct2("X", 0, [("a", [], 1, b"\x01"), ("b", [1, 2, 1, 2], 4, bytes(8))],
                                                  [("c", "a"), ("d", "b")]))


TARGETS = {
    "wordpiece_fuzzer": lambda: tokenizer_seeds("wordpiece_fuzzer", "tokenizer_wordpiece_minilm.json"),
    "spm_bpe_fuzzer": lambda: tokenizer_seeds("spm_bpe_fuzzer", "tokenizer_spm_tok512.json",
                                              [read(model("stories260K/greedy_t0_256steps.txt"))]),
    "byte_level_bpe_fuzzer": lambda: tokenizer_seeds("byte_level_bpe_fuzzer", "tokenizer_gpt2_tiny.json"),
    "safetensors_fuzzer": safetensors_seeds,
    "gguf_fuzzer": gguf_seeds,
    "llama2c_fuzzer": llama2c_seeds,
    "ct2_fuzzer": ct2_seeds,
}


def main():
    # python3 fuzz/make_seeds.py [TARGET...]   (default: every target)
    for t in sys.argv[1:] or TARGETS:
        if t not in TARGETS:
            sys.exit(f"make_seeds: unknown target {t} (known: {' '.join(TARGETS)})")
        TARGETS[t]()
    for t in sorted(os.listdir(OUT)):
        files = os.listdir(os.path.join(OUT, t))
        size = sum(os.path.getsize(os.path.join(OUT, t, f)) for f in files)
        print(f"{t}: {len(files)} seeds, {size} bytes")


if __name__ == "__main__":
    main()
