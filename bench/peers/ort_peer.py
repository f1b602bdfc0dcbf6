#!/usr/bin/env python3
"""ONNX Runtime side of the MiniLM comparison.

    ort_peer.py quantize IN.onnx OUT.onnx
        onnxruntime.quantization.quantize_dynamic, weights int8 (QInt8,
        per-tensor; activations quantized per call, uint8), the MatMuls only.
    ort_peer.py check IN.onnx EATN DEMO_BIN MODEL_DIR
        Embeds fixed sentences with ORT (ids from the checkpoint's
        tokenizer.json, no padding, one sentence per call) and with
        `DEMO_BIN EATN embed TEXT...` (edgeattn's own tokenizer, batched and
        right-padded with masks); prints JSON with the cosine of every pair.
    ort_peer.py time IN.onnx --threads T --batch B --seq S --runs N [--warmups W]
        In this process (run one process per configuration, so peak RSS is
        that configuration's): load time (InferenceSession creation), then
        W warm-up and N timed runs of [B, S] pseudo-random ids in [1000,
        30522), mask all ones; prints one JSON line with p50/p90/min ms,
        peak RSS (ru_maxrss) and RSS before the session was made (python +
        numpy + onnxruntime imported).
    ort_peer.py profile IN.onnx --threads T --batch B --seq S --runs N [--warmups W]
        The same runs with ORT's profiler on; prints one JSON line with the
        kernel time per part of the model (ms per run, warm-ups included in
        the sum and the count), grouped as edgeattn-bench --profile groups
        its ops: linear, attention, norm, gelu, embedding, pool, other.
Threads: intra_op_num_threads = T, inter_op_num_threads = 1, sequential
execution, graph optimizations ORT_ENABLE_ALL (ORT's defaults otherwise).
"""

import json
import resource
import subprocess
import sys
import time

import numpy as np

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "A man is playing a guitar on the street corner.",
    "Sentence embeddings map text to vectors so that similar meanings land close together.",
    "Edge devices have little memory, so models are quantized to eight-bit integers.",
    "It rained all day in the small mountain village, and the river rose over its banks.",
    "hello",
    "What is the capital of France? Paris has been the capital for centuries.",
    "Transformers use self-attention to relate every token of a sequence to every other token, "
    "which costs time quadratic in the sequence length.",
]


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def make_session(path, threads):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, sess_options=so, providers=["CPUExecutionProvider"])


def cmd_quantize(src, dst):
    from onnxruntime.quantization import QuantType, quantize_dynamic
    quantize_dynamic(src, dst, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"])
    print(json.dumps({"quantized": dst}))


def cmd_check(onnx_path, eatn, demo, model_dir):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    tok.no_padding()
    tok.no_truncation()
    sess = make_session(onnx_path, 1)
    ort_rows = []
    for s in SENTENCES:
        ids = np.array([tok.encode(s).ids], np.int64)
        ort_rows.append(sess.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0])
    out = subprocess.run([demo, eatn, "embed", *SENTENCES], check=True, capture_output=True, text=True).stdout
    ea_rows = [np.array([float(v) for v in line.split()], np.float64) for line in out.strip().splitlines()]
    if len(ea_rows) != len(SENTENCES):
        sys.exit(f"edgeattn-demo printed {len(ea_rows)} embeddings for {len(SENTENCES)} sentences")
    cos = [float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))) for a, b in zip(ort_rows, ea_rows)]
    print(json.dumps({"sentences": len(SENTENCES), "cosine": cos, "min_cosine": min(cos),
                      "max_abs_diff": float(max(np.max(np.abs(a - b)) for a, b in zip(ort_rows, ea_rows)))}))


def group_of(node_name, op_name):
    """The model part of one ORT node: from minilm_onnx.py's name prefix,
    else (nodes that ORT fused or renamed) from its op type."""
    prefix = node_name.split("/", 1)[0]
    if prefix in ("embedding", "linear", "attention", "norm", "gelu", "pool"):
        return prefix
    op = op_name.lower()
    if "layernorm" in op or "layernormalization" in op:
        return "norm"
    if "gelu" in op or op == "erf":
        return "gelu"
    if "attention" in op or op in ("softmax", "transpose", "reshape"):
        return "attention"
    if "matmul" in op or op in ("gemm", "dynamicquantizelinear"):
        return "linear"
    if "embed" in op or op == "gather":
        return "embedding"
    return "other"


def cmd_profile(path, threads, batch, seq, runs, warmups):
    import os
    import tempfile
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.enable_profiling = True
    so.profile_file_prefix = os.path.join(tempfile.mkdtemp(), "ort")
    sess = ort.InferenceSession(path, sess_options=so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0x5EED2024)
    feed = {"input_ids": rng.integers(1000, 30522, size=(batch, seq), dtype=np.int64),
            "attention_mask": np.ones((batch, seq), np.int64)}
    for _ in range(warmups + runs):
        sess.run(None, feed)
    trace = sess.end_profiling()
    groups, ops = {}, {}
    for ev in json.load(open(trace)):
        if ev.get("cat") != "Node" or not ev.get("name", "").endswith("_kernel_time"):
            continue
        op = ev.get("args", {}).get("op_name", "?")
        g = group_of(ev["name"][:-len("_kernel_time")], op)
        groups[g] = groups.get(g, 0.0) + ev["dur"] / 1e3
        ops[op] = ops.get(op, 0.0) + ev["dur"] / 1e3
    n = warmups + runs
    print(json.dumps({"engine": "onnxruntime", "threads": threads, "batch": batch, "seq": seq, "invokes": n,
                      "group_ms_per_run": {k: v / n for k, v in groups.items()},
                      "op_ms_per_run": {k: v / n for k, v in ops.items()}}))


def cmd_time(path, threads, batch, seq, runs, warmups):
    rss_before = peak_rss_bytes()
    t0 = time.perf_counter()
    sess = make_session(path, threads)
    load_ms = (time.perf_counter() - t0) * 1e3
    rng = np.random.default_rng(0x5EED2024)
    feed = {"input_ids": rng.integers(1000, 30522, size=(batch, seq), dtype=np.int64),
            "attention_mask": np.ones((batch, seq), np.int64)}
    samples = []
    for i in range(warmups + runs):
        t = time.perf_counter()
        sess.run(None, feed)
        if i >= warmups:
            samples.append((time.perf_counter() - t) * 1e3)
    s = np.sort(np.array(samples))
    p90 = float(s[min(len(s), int(np.ceil(0.9 * len(s)))) - 1])
    print(json.dumps({"engine": "onnxruntime", "threads": threads, "batch": batch, "seq": seq, "runs": runs,
                      "load_ms": load_ms, "p50_ms": float(np.median(s)), "p90_ms": p90, "min_ms": float(s[0]),
                      "peak_rss_bytes": peak_rss_bytes(), "rss_before_session_bytes": rss_before}))


def main(argv):
    if len(argv) >= 3 and argv[0] == "quantize":
        return cmd_quantize(argv[1], argv[2])
    if len(argv) == 5 and argv[0] == "check":
        return cmd_check(*argv[1:])
    if len(argv) >= 2 and argv[0] in ("time", "profile"):
        opts = {"--threads": 1, "--batch": 1, "--seq": 16, "--runs": 20, "--warmups": 2}
        rest = argv[2:]
        for i in range(0, len(rest), 2):
            if rest[i] not in opts or i + 1 >= len(rest):
                sys.exit(__doc__)
            opts[rest[i]] = int(rest[i + 1])
        fn = cmd_time if argv[0] == "time" else cmd_profile
        return fn(argv[1], opts["--threads"], opts["--batch"], opts["--seq"], opts["--runs"], opts["--warmups"])
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
