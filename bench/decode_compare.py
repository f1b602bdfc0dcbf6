"""edgeattn vs llama.cpp decoding the synthetic 110 M Llama (issue #18 item 2),
side by side in one run (bench/decode_compare.sh makes the models and runs
this).

Per round, per thread count, per dtype: edgeattn-bench (fp32, fp16, int8,
int4 .eatn; --runs repetitions of a 64-token prefill then 128 greedy decode steps,
its median) then bench/peers/llama_peer.py on the GGUF of the same weights
(F32 beside fp32, Q8_0 beside int8, Q4_1 beside int4 (converted from that
file: the same weights); the same prompt length and steps).
Rounds alternate so drifting machine load hits both alike; the table shows
the median over rounds. "% of read bound" = tokens/s x weight bytes one
decode step reads (every constant but the token embedding table, which has a
separate output head here: report.py's decode_bytes_per_token) / the read
bandwidth edgeattn-machine-limits measures with the same thread count.
Prints a markdown table and writes it to WORK/decode_compare.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cpu_info import cpu_line  # noqa: E402
from report import decode_bytes_per_token, eatn_tensors, gguf_tensor_bytes  # noqa: E402

PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", "llama_peer.py")
GGUF_OF = {"fp32": "f32", "int8": "q8_0", "int4": "q4_1"}
DTYPES = ("fp32", "fp16", "int8", "int4")


def last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    bench = os.path.join(a.build, "bin", "edgeattn-bench")
    convert = os.path.join(a.build, "bin", "edgeattn-convert")
    threads = [int(t) for t in a.threads.split(",")]
    per_token = {dt: decode_bytes_per_token(eatn_tensors(convert, f"{a.work}/synth-{dt}.eatn")[0])
                 for dt in DTYPES}
    for dt, g in GGUF_OF.items():
        per_token[f"llama.cpp {dt}"] = decode_bytes_per_token(gguf_tensor_bytes(f"{a.work}/synth-{g}.gguf"))
    res: dict = {}
    reads: dict = {1: [], 0: []}  # GB/s with 1 thread / all threads, once per round
    for _ in range(a.rounds):
        lim = last_json(subprocess.run([os.path.join(a.build, "bin", "edgeattn-machine-limits"), "--json",
                                        "--seconds", "1"], capture_output=True, text=True, check=True).stdout)
        reads[1].append(lim["read_gbs_1t"])
        reads[0].append(lim["read_gbs_all"])
        for t in threads:
            for dt in DTYPES:
                r = last_json(subprocess.run([bench, f"{a.work}/synth-{dt}.eatn", "--json", "--threads", str(t),
                                              "--runs", str(a.runs)], capture_output=True, text=True,
                                             check=True).stdout)["decoder"]
                res.setdefault(("edgeattn", dt, t), []).append(r)
                if dt in GGUF_OF:
                    p = last_json(subprocess.run(
                        [sys.executable, PEER, f"{a.work}/synth-{GGUF_OF[dt]}.gguf", "--threads", str(t),
                         "--prompt", str(r["prompt_tokens"]), "--steps", str(r["decode_steps"]), "--runs",
                         str(a.runs)], capture_output=True, text=True, check=True).stdout)
                    res.setdefault(("llama.cpp", dt, t), []).append(p)

    def med(key, field):
        return statistics.median(x[field] for x in res[key])

    read_1t, read_all = statistics.median(reads[1]), statistics.median(reads[0])
    lines = [f"CPU: {cpu_line()}; read bandwidth (edgeattn-machine-limits, once per round: "
             f"{', '.join(f'{v:.1f}' for v in reads[1])} GB/s) median {read_1t:.1f} GB/s 1 thread, "
             f"{read_all:.1f} GB/s all threads. Median of {a.rounds} alternating rounds, each the median of "
             f"{a.runs} runs (64-token prefill, 128 decode steps).", "",
             "| dtype | threads | edgeattn decode tok/s | llama.cpp | ratio | edgeattn % of read bound | "
             "llama.cpp % | edgeattn prefill tok/s | llama.cpp | ratio |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for dt in DTYPES:
        for t in threads:
            bound = read_1t if t == 1 else read_all
            e_dec, e_pre = med(("edgeattn", dt, t), "decode_tokens_per_s"), med(("edgeattn", dt, t),
                                                                                 "prefill_tokens_per_s")
            e_pct = 100 * e_dec * per_token[dt] / (bound * 1e9)
            if ("llama.cpp", dt, t) in res:
                l_dec = med(("llama.cpp", dt, t), "decode_tokens_per_s")
                l_pre = med(("llama.cpp", dt, t), "prefill_tokens_per_s")
                l_pct = 100 * l_dec * per_token[f"llama.cpp {dt}"] / (bound * 1e9)
                peer = f"{l_dec:.1f} | {e_dec / l_dec:.2f}x | {e_pct:.0f} % | {l_pct:.0f} % | {e_pre:.0f} | " \
                       f"{l_pre:.0f} | {e_pre / l_pre:.2f}x"
            else:
                peer = f"- | - | {e_pct:.0f} % | - | {e_pre:.0f} | - | -"
            lines.append(f"| {dt} | {t} | {e_dec:.1f} | {peer} |")
    fp = {t: med(("edgeattn", "fp16", t), "decode_tokens_per_s") / med(("edgeattn", "fp32", t),
                                                                       "decode_tokens_per_s") for t in threads}
    lines += ["", "fp16 / fp32 decode: " + ", ".join(f"{v:.2f}x ({t} thread{'s' if t > 1 else ''})"
                                                      for t, v in fp.items()),
              "Weight bytes per decode step: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in per_token.items())]
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(a.work, "decode_compare.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
