#!/usr/bin/env python3
"""Greedy continuations, llama.cpp vs edgeattn, on the same GGUF (issue #19,
item 1): for each prompt, 32 greedy tokens from llama.cpp (pip
llama-cpp-python; the prompt in one llama_decode, then one token per call:
its decode path) and edgeattn-demo's greedy text from the converted .eatn.

    greedy_compare.py MODEL.gguf MODEL.eatn [--demo build/bin/edgeattn-demo]
                      [--tokens 32] [--kv-dtype fp32|fp16] [--kernels NAME]

Prints per prompt whether the two texts are identical; where they are not,
the token at which llama.cpp's text and edgeattn's part, and llama.cpp's own
margin there (its best logit minus the logit of the token edgeattn chose,
when that is among its 5 best): a divergence at a margin of a few
hundredths is a near tie, which any difference in rounding may flip.
Exit 0 always (a report, not a test).
"""
import argparse
import subprocess
import sys

import numpy as np
from llama_cpp import Llama

PROMPTS = [
    "The capital of France is",
    "Here is a short poem about the sea:\n",
    "def fibonacci(n):\n",
    "Water boils at 100 degrees Celsius because",
    "Once upon a time, in a small village,",
    "The three primary colors are",
]


def llama_greedy(llm, prompt, n):
    llm.reset()
    ids = llm.tokenize(prompt.encode(), add_bos=True, special=False)
    llm.eval(ids)
    out, tops = [], []
    for _ in range(n):
        logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float64)
        best = np.argsort(-logits, kind="stable")[:5]
        tok = int(best[0])
        out.append(tok)
        tops.append([(int(t), float(logits[t])) for t in best])
        llm.eval([tok])
    return out, tops


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("gguf")
    p.add_argument("eatn")
    p.add_argument("--demo", default="build/bin/edgeattn-demo")
    p.add_argument("--tokens", type=int, default=32)
    p.add_argument("--kv-dtype", default="fp32")
    p.add_argument("--kernels", default="")
    a = p.parse_args(argv)
    llm = Llama(a.gguf, n_ctx=256, n_batch=256, n_threads=1, logits_all=True, verbose=False)
    same = 0
    for prompt in PROMPTS:
        ids, tops = llama_greedy(llm, prompt, a.tokens)
        want = llm.detokenize(ids).decode("utf-8", errors="replace")
        cmd = [a.demo, a.eatn, "generate", "--prompt", prompt, "--max-tokens", str(a.tokens),
               "--kv-dtype", a.kv_dtype]
        if a.kernels:
            cmd += ["--kernels", a.kernels]
        got = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        got = got[:-1] if got.endswith("\n") else got
        # edgeattn-demo echoes the prompt, then streams the continuation.
        got = got[len(prompt):] if got.startswith(prompt) else got
        if got == want:
            same += 1
            print("IDENTICAL %r -> %r" % (prompt, want))
            continue
        # The first llama.cpp token whose text is not a prefix of edgeattn's.
        text = ""
        for i, t in enumerate(ids):
            piece = llm.detokenize(ids[:i + 1]).decode("utf-8", errors="replace")
            if not got.startswith(piece):
                break
            text = piece
        rest = got[len(text):]
        margin = "not among its 5 best"
        for t, logit in tops[i][1:]:
            cand = llm.detokenize(ids[:i] + [t]).decode("utf-8", errors="replace")
            if got.startswith(cand) and len(cand) > len(text):
                margin = "%.4f" % (tops[i][0][1] - logit)
        print("DIFFERS  %r: same for %d tokens, then llama.cpp %r / edgeattn %r; llama.cpp's margin %s"
              % (prompt, i, llm.detokenize([ids[i]]).decode("utf-8", errors="replace"), rest[:12], margin))
    print("%d of %d prompts identical for %d tokens" % (same, len(PROMPTS), a.tokens))


if __name__ == "__main__":
    main(sys.argv[1:])
