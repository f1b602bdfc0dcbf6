#!/usr/bin/env python3
"""llama.cpp (pip llama-cpp-python) side of the decoder comparison.

    llama_peer.py MODEL.gguf --threads T [--prompt 64] [--steps 128] [--runs 5]
                  [--extra-bufts 0]

--extra-bufts 0 loads the model with llama_model_params.use_extra_bufts =
false: no repacked / AMX weight buffers (report.py retries with it when the
default crashes: llama.cpp's AMX Q8_0 matmul segfaulted on a Sapphire Rapids
VM in testing).

Mirrors edgeattn-bench's decoder run: a context of prompt + steps tokens; per
repetition (1 warm-up, then --runs): reset the KV cache, one prefill call
(Llama.eval) of the prompt, then --steps single-token calls, each fed the
argmax of the previous logits (greedy; EOS does not stop it). The prompt is
BOS + the ids of the same English sentence edgeattn-bench uses, repeated and
cut to length (llama.cpp's tokenizer of the GGUF's vocabulary). Wall-clock
times around Llama.eval (the argmax over the logits, read in place, is
outside the timed region, as in edgeattn-bench); llama.cpp's own
counters (llama_perf_context) are reported beside them. n_threads =
n_threads_batch = T, n_batch = n_ubatch = prompt, mmap on. One JSON line on
stdout: load ms, prefill/decode medians, tokens/s, peak RSS (ru_maxrss of
this process, which has python and numpy too: rss_before_load_bytes).
"""

import json
import resource
import sys
import time

import numpy as np

PROMPT_TEXT = ("Once upon a time, there was a little girl named Lily. She loved to play outside in the park "
               "with her friends. ")


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def clear_cache(llm):
    """Forgets every cached position, so the next eval starts at position 0
    (llama.cpp rejects positions already in its KV cache)."""
    llm.reset()
    ctx = llm._ctx
    for name in ("memory_clear", "kv_cache_clear"):
        if hasattr(ctx, name):
            fn = getattr(ctx, name)
            try:
                fn(True)
            except TypeError:
                fn()
            return
    ctx.kv_cache_seq_rm(-1, 0, -1)


def main(argv):
    if not argv or argv[0].startswith("-"):
        sys.exit(__doc__)
    opts = {"--threads": 1, "--prompt": 64, "--steps": 128, "--runs": 5, "--extra-bufts": 1}
    rest = argv[1:]
    for i in range(0, len(rest), 2):
        if rest[i] not in opts or i + 1 >= len(rest):
            sys.exit(__doc__)
        opts[rest[i]] = int(rest[i + 1])
    threads, prompt_len, steps, runs = opts["--threads"], opts["--prompt"], opts["--steps"], opts["--runs"]

    rss_before = peak_rss_bytes()
    import llama_cpp
    import llama_cpp.llama_cpp as lc
    from llama_cpp import Llama
    if not opts["--extra-bufts"]:
        default_params = lc.llama_model_default_params

        def no_extra_bufts():
            p = default_params()
            p.use_extra_bufts = False
            return p
        lc.llama_model_default_params = no_extra_bufts
    t0 = time.perf_counter()
    llm = Llama(model_path=argv[0], n_ctx=prompt_len + steps, n_batch=prompt_len, n_ubatch=prompt_len,
                n_threads=threads, n_threads_batch=threads, logits_all=False, use_mmap=True, verbose=False)
    load_ms = (time.perf_counter() - t0) * 1e3

    text_ids = llm.tokenize(PROMPT_TEXT.encode(), add_bos=False, special=False)
    prompt = [llm.token_bos()]
    while len(prompt) < prompt_len and text_ids:
        prompt.extend(text_ids[:prompt_len - len(prompt)])
    prompt_source = "BOS + ids of a fixed English sentence, repeated"
    if len(prompt) < prompt_len:
        rng = np.random.default_rng(0x5EED2024)
        prompt = [int(v) for v in rng.integers(0, llm.n_vocab(), prompt_len)]
        prompt_source = "pseudo-random ids"

    n_vocab = llm.n_vocab()

    def last_logits():
        # The last evaluated token's logits, read in place (Llama.eval keeps
        # no copy unless logits_all).
        return np.ctypeslib.as_array(llm._ctx.get_logits_ith(-1), shape=(n_vocab,))

    prefill_ms, decode_ms = [], []
    perf = None
    for rep in range(1 + runs):
        clear_cache(llm)
        if rep == 1 and hasattr(llama_cpp, "llama_perf_context_reset"):
            llama_cpp.llama_perf_context_reset(llm._ctx.ctx)
        t = time.perf_counter()
        llm.eval(prompt)
        pre = (time.perf_counter() - t) * 1e3
        nxt = int(np.argmax(last_logits()))
        dec = 0.0
        for _ in range(steps):
            t = time.perf_counter()
            llm.eval([nxt])
            dec += (time.perf_counter() - t) * 1e3
            nxt = int(np.argmax(last_logits()))
        if rep >= 1:
            prefill_ms.append(pre)
            decode_ms.append(dec)
    if hasattr(llama_cpp, "llama_perf_context"):
        d = llama_cpp.llama_perf_context(llm._ctx.ctx)
        perf = {"t_p_eval_ms": d.t_p_eval_ms, "n_p_eval": d.n_p_eval, "t_eval_ms": d.t_eval_ms, "n_eval": d.n_eval}
    pre_med, dec_med = float(np.median(prefill_ms)), float(np.median(decode_ms))
    print(json.dumps({
        "engine": "llama.cpp", "llama_cpp_python": getattr(llama_cpp, "__version__", "?"),
        "system_info": llama_cpp.llama_print_system_info().decode(errors="replace").strip(),
        "model": argv[0], "extra_bufts": bool(opts["--extra-bufts"]), "threads": threads, "runs": runs, "prompt_tokens": len(prompt),
        "prompt": prompt_source, "decode_steps": steps, "load_ms": load_ms,
        "prefill_median_ms": pre_med, "prefill_min_ms": float(min(prefill_ms)),
        "decode_total_median_ms": dec_med, "decode_total_min_ms": float(min(decode_ms)),
        "prefill_tokens_per_s": 1e3 * len(prompt) / pre_med, "decode_tokens_per_s": 1e3 * steps / dec_med,
        "llama_perf": perf, "peak_rss_bytes": peak_rss_bytes(), "rss_before_load_bytes": rss_before}))


if __name__ == "__main__":
    main(sys.argv[1:])
