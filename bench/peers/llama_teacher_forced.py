#!/usr/bin/env python3
"""llama.cpp (pip llama-cpp-python) teacher-forced on a text: the peer side
of `edgeattn-eval --peer` (issue #19, item 1).

    llama_teacher_forced.py MODEL.gguf TEXT_FILE OUT.txt [--context N] [--max-tokens N] [--threads T]

The text is tokenized by llama.cpp (llama_tokenize, BOS only if the
vocabulary adds one) and cut into windows of --context tokens (default 512);
each window is evaluated from an empty KV cache with the logits of every
position (logits_all), and every position but the last of a window is
scored against the next token. OUT (text: edgeattn-eval has no JSON parser)
holds what edgeattn-eval needs to score the same positions of its own model:
    edgeattn-peer 1
    peer <one line naming the peer>
    context <N>
    ids <count> <id> <id> ...
    windows <count> <start> <length> ...
    positions <count>
then per scored position, in window order, one line of 11 numbers:
llama.cpp's 5 best ids, their logits, and the negative log-likelihood of the
true next token (nats, float64 log-softmax).
"""

import argparse
import sys

import numpy as np
from llama_cpp import Llama


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("text")
    p.add_argument("out")
    p.add_argument("--context", type=int, default=512)
    p.add_argument("--max-tokens", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=0,
                   help="tokens per llama_decode call (default: the context); 1 runs llama.cpp's decode "
                        "path (vec_dot on Q8_1 activations) at every position")
    a = p.parse_args(argv)
    batch = a.batch if a.batch > 0 else a.context
    llm = Llama(a.model, n_ctx=a.context, n_batch=batch, n_ubatch=batch, n_threads=a.threads,
                n_threads_batch=a.threads, logits_all=True, verbose=False)
    with open(a.text, "rb") as f:
        ids = llm.tokenize(f.read(), add_bos=True, special=False)
    if a.max_tokens > 0:
        ids = ids[:a.max_tokens]
    windows, top_ids, top_logits, nll = [], [], [], []
    for start in range(0, len(ids), a.context):
        window = ids[start:start + a.context]
        if len(window) < 2:
            break
        llm.reset()
        llm.eval(window)
        logits = np.array(llm.scores[:len(window) - 1], dtype=np.float64)  # [n - 1, vocab]
        best = np.argsort(-logits, axis=1, kind="stable")[:, :5]
        lse = np.log(np.exp(logits - logits.max(axis=1, keepdims=True)).sum(axis=1)) + logits.max(axis=1)
        targets = np.array(window[1:])
        nll.extend((lse - logits[np.arange(len(targets)), targets]).tolist())
        top_ids.extend(best.tolist())
        top_logits.extend(np.take_along_axis(logits, best, axis=1).astype(np.float32).tolist())
        windows.append([start, len(window)])
    import llama_cpp
    with open(a.out, "w") as f:
        f.write("edgeattn-peer 1\n")
        f.write("peer llama.cpp (llama-cpp-python %s) on %s\n" % (llama_cpp.__version__, a.model))
        f.write("context %d\n" % a.context)
        f.write("ids %d %s\n" % (len(ids), " ".join(map(str, ids))))
        f.write("windows %d %s\n" % (len(windows), " ".join("%d %d" % (s, n) for s, n in windows)))
        f.write("positions %d\n" % len(nll))
        for t, l, x in zip(top_ids, top_logits, nll):
            f.write("%s %s %.9g\n" % (" ".join(map(str, t)), " ".join("%.9g" % v for v in l), x))
    print("%d tokens, %d windows, %d scored positions -> %s" % (len(ids), len(windows), len(nll), a.out))


if __name__ == "__main__":
    main(sys.argv[1:])
