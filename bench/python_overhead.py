#!/usr/bin/env python3
"""What the Python bindings cost over the C++ tools, side by side in one run
(issue #20, item 2):

  1. MiniLM 1x16: edgeattn-bench's p50 invoke latency (--shapes 1x16) vs
     Python's p50 wall time of Embedder.embed([one text of 16 tokens])
     (tokenize + invoke + pool + normalize + the binding) and of
     Session.invoke (the same [1, 16] ids as the bench);
  2. stories260K greedy, 256 tokens: edgeattn-demo generate's decode tok/s
     (as it prints it: one run per process, so a cold start) vs Python's
     generate(): tokens / wall time of the whole call (prefill, decode and
     the binding; a conservative figure) and stream(); and, to isolate the
     binding, that wall figure against the runtime's own decode tok/s of the
     same calls (GenerationStats, the demo's metric).

Rounds alternate C++ and Python so drift hits both.

    PYTHONPATH=build/python python3 bench/python_overhead.py [--build build] [--rounds 5] [--threads 1]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import edgeattn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python", "tests"))
import models  # noqa: E402  (the tests' model finder)

TEXT16 = "the quick brown fox jumps over the lazy dog near the river bank today"


def bench_p50(bench, model, runs, threads):
    out = subprocess.run([bench, model, "--json", "--shapes", "1x16", "--runs", str(runs), "--threads", str(threads)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["encoder"][0]["latency"]["median_ms"]


def p50_ms(call, runs, warmups=20):
    for _ in range(warmups):
        call()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(samples)


def demo_decode_tok_s(demo, model, threads):
    err = subprocess.run([demo, model, "generate", "--max-tokens", "256", "--temperature", "0", "--threads",
                          str(threads)], capture_output=True, text=True, check=True).stderr
    return float(re.search(r"decode \d+ tok ([0-9.]+) tok/s", err).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    bench = os.path.join(a.build, "bin", "edgeattn-bench")
    demo = os.path.join(a.build, "bin", "edgeattn-demo")
    tmp = tempfile.mkdtemp(prefix="edgeattn-pyoverhead-")
    minilm_path = os.path.join(tmp, "minilm.eatn")
    stories_path = os.path.join(tmp, "stories260K.eatn")
    edgeattn.convert(models.require("all-MiniLM-L6-v2"), minilm_path)
    edgeattn.convert(models.require("stories260K/stories260K.bin"), stories_path,
                     tokenizer=models.require("stories260K/tok512.bin"))
    minilm = edgeattn.Model(minilm_path)
    ids = minilm.tokenize(TEXT16)
    assert len(ids) == 16, f"the text is {len(ids)} tokens, not 16"
    embedder = edgeattn.Embedder(minilm, max_batch=1, max_tokens=16, threads=a.threads)
    session = edgeattn.Session(minilm, max_batch=1, max_seq=16, threads=a.threads)
    ids_array = np.array([ids], dtype=np.int32)
    generator = edgeattn.Generator(edgeattn.Model(stories_path), threads=a.threads)

    rows = []
    for r in range(a.rounds):
        cpp = bench_p50(bench, minilm_path, a.runs, a.threads)
        embed = p50_ms(lambda: embedder.embed([TEXT16]), a.runs)
        invoke = p50_ms(lambda: session.invoke(ids_array), a.runs)
        demo_tok_s = statistics.median(demo_decode_tok_s(demo, stories_path, a.threads) for _ in range(5))
        walls, inside = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            generator.generate("", max_tokens=256)
            walls.append(generator.last_stats["generated"] / (time.perf_counter() - t0))
            st = generator.last_stats
            inside.append(1000.0 * st["decode_steps"] / st["decode_ms"])
        streams = []
        for _ in range(5):
            t0 = time.perf_counter()
            n = sum(1 for _ in generator.stream("", max_tokens=256))
            streams.append(generator.last_stats["generated"] / (time.perf_counter() - t0))
            assert n > 0
        rows.append((cpp, embed, invoke, demo_tok_s, statistics.median(walls), statistics.median(streams),
                     statistics.median(inside)))
        print(f"round {r + 1}: MiniLM 1x16 p50 ms: edgeattn-bench {cpp:.3f}, Python embed {embed:.3f} "
              f"({embed / cpp:.3f}x), Session.invoke {invoke:.3f} ({invoke / cpp:.3f}x) | stories260K tok/s: "
              f"demo decode {demo_tok_s:.0f}, Python generate (wall) {rows[-1][4]:.0f} "
              f"({rows[-1][4] / demo_tok_s:.3f}x), stream {rows[-1][5]:.0f} ({rows[-1][5] / demo_tok_s:.3f}x); "
              f"runtime's own decode tok/s in those calls {rows[-1][6]:.0f} (wall / own {rows[-1][4] / rows[-1][6]:.3f})",
              flush=True)
    med = [statistics.median(col) for col in zip(*rows)]
    print(f"median of {a.rounds} rounds, {a.threads} thread(s), kernels {session.kernel_table}: "
          f"embed / bench {med[1] / med[0]:.3f}, invoke / bench {med[2] / med[0]:.3f}, "
          f"generate / demo {med[4] / med[3]:.3f}, stream / demo {med[5] / med[3]:.3f}, "
          f"generate wall / runtime's own decode rate {med[4] / med[6]:.3f}")


if __name__ == "__main__":
    main()
