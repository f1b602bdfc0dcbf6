#!/usr/bin/env python3
"""Whisper tiny.en: edgeattn's Transcriber against CTranslate2, side by side.

    whisper_compare.py --bench BIN --models DIR --ct2 CT2_MODEL_DIR --wav WAV
                       [--repeat 3] [--rounds 5] [--runs 2] [--threads 1,2] [--out results.json]

Pairs: edgeattn fp32 vs CTranslate2 float32, edgeattn int8 vs CTranslate2
int8 (DIR/whisper-fp32.eatn, DIR/whisper-int8.eatn). For each of --rounds
rounds, for each thread count and pair, one edgeattn-bench process then one
bench/peers/whisper_ct2.py process (A B A B ...), each 1 warm-up + --runs
timed transcriptions of the same clip; the timed rounds of all processes of
a configuration are pooled, so every configuration gets rounds x runs
samples spread over the whole run. After the timing, one edgeattn-bench
--profile run per dtype (1 thread) gives the per-op encoder/decoder times.

Prints the markdown section for docs/benchmarks.md on stdout (medians,
ratios edgeattn / CTranslate2 of the median latency, below 1 = edgeattn
faster) and writes every raw result to --out.
"""
import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "peers", "whisper_ct2.py")
PAIRS = (("fp32", "float32"), ("int8", "int8"))
STAGES = ("frontend", "encoder", "decoder", "model", "total")


def run_json(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"whisper_compare: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1]), p.stderr


def kv_of(a, dtype):
    """edgeattn's KV storage (self-attention cache and cross-attention K/V) per weight dtype."""
    return a.int8_kv if dtype == "int8" else "fp32"


def edgeattn_cmd(a, dtype, threads, runs, profile=False):
    cmd = [a.bench, os.path.join(a.models, f"whisper-{dtype}.eatn"), "--wav", a.wav, "--repeat", str(a.repeat),
           "--threads", str(threads), "--runs", str(runs), "--kv-dtype", kv_of(a, dtype), "--json"]
    return cmd + (["--profile"] if profile else [])


def peer_cmd(a, compute_type, threads):
    return [sys.executable, PEER, a.ct2, a.wav, "--repeat", str(a.repeat), "--compute-type", compute_type,
            "--threads", str(threads), "--runs", str(a.runs), "--warmups", "1"]


def measure(a, threads_list):
    """ABAB over rounds; returns {(engine, dtype, threads): [process results]}."""
    results = {}
    for rnd in range(a.rounds):
        for threads in threads_list:
            for dtype, ctype in PAIRS:
                for key, cmd in ((("edgeattn", dtype, threads), edgeattn_cmd(a, dtype, threads, a.runs)),
                                 (("ctranslate2", ctype, threads), peer_cmd(a, ctype, threads))):
                    out, _ = run_json(cmd)
                    results.setdefault(key, []).append(out)
                    tr = out["transcribe"]
                    print(f"round {rnd + 1}/{a.rounds} {key[0]:11s} {key[1]:7s} x{threads}: "
                          f"encoder {tr['encoder']['median_ms']:8.1f} ms, decoder {tr['decoder']['median_ms']:8.1f} "
                          f"ms (load {out.get('loadavg_1m', -1):.2f})", file=sys.stderr)
    return results


def pooled(procs):
    """Medians and minima over every timed round of every process of one configuration."""
    rounds = [r for p in procs for r in p["transcribe"]["rounds"]]
    for r in rounds:
        r["model_ms"] = r["encoder_ms"] + r["decoder_ms"]
    last = procs[-1]["transcribe"]
    s = {stage: {"median": statistics.median(r[stage + "_ms"] for r in rounds),
                 "min": min(r[stage + "_ms"] for r in rounds)} for stage in STAGES}
    s["samples"] = len(rounds)
    s["decoder_tokens"] = last["decoder_tokens"]
    s["tokens_per_s"] = 1e3 * last["decoder_tokens"] / s["decoder"]["median"]
    s["rtf"] = s["total"]["median"] / 1e3 / last["audio_seconds"]
    s["audio_seconds"] = last["audio_seconds"]
    s["texts"] = sorted({p["transcribe"]["text"] for p in procs})
    return s


def cpu_description():
    info = {}
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        k, _, v = line.partition(":")
        info[k.strip()] = v.strip()
    flags = set(info.get("Flags", "").split())
    wanted = ["avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8"]
    return (info.get("Model name", platform.processor()), info.get("CPU(s)", "?"),
            ", ".join(f for f in wanted if f in flags), ", ".join(f for f in wanted if f not in flags) or "-")


def fmt_ms(stage):
    return f"{stage['median']:.1f} ({stage['min']:.1f})"


def table(summary, threads_list):
    """Per-token decoder ratio beside the totals: the int8 engines may stop after different token counts."""
    lines = ["| threads | edgeattn / CT2 | engine | frontend ms | encoder ms | decoder ms | decoder tokens | "
             "decoder tok/s | enc+dec ms | total ms | RTF | **encoder ratio** | **decoder ratio** | "
             "**decoder ms/token ratio** | **enc+dec ratio** |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for threads in threads_list:
        for dtype, ctype in PAIRS:
            e, c = summary[("edgeattn", dtype, threads)], summary[("ctranslate2", ctype, threads)]
            ratio = {st: e[st]["median"] / c[st]["median"] for st in ("encoder", "decoder", "model")}
            ratio["token"] = c["tokens_per_s"] / e["tokens_per_s"]
            for name, s, rt in (("edgeattn", e, ratio), ("CTranslate2", c, None)):
                cells = [str(threads), f"{dtype} / {ctype}", name, fmt_ms(s["frontend"]), fmt_ms(s["encoder"]),
                         fmt_ms(s["decoder"]), str(s["decoder_tokens"]), f"{s['tokens_per_s']:.1f}",
                         fmt_ms(s["model"]), fmt_ms(s["total"]), f"{s['rtf']:.4f}"]
                keys = ("encoder", "decoder", "token", "model")
                cells += [f"**{rt[k]:.2f}**" for k in keys] if rt else [""] * len(keys)
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_profile(a, dtype):
    return run_json(edgeattn_cmd(a, dtype, 1, a.runs, profile=True))[0]


def profile_lines(out, dtype):
    prof = out.get("profile_ms", {})
    lines = []
    for method in ("encode", "decode"):
        items = sorted(((k.split("/", 1)[1], v) for k, v in prof.items() if k.startswith(method + "/")),
                       key=lambda kv: -kv[1])
        total = sum(v for _, v in items) or math.nan
        top = ", ".join(f"{k} {v:.1f} ms ({100 * v / total:.0f} %)" for k, v in items[:6])
        ops = sorted(((k.split("@", 1)[1], v) for k, v in prof.items() if k.startswith(method + "@")),
                     key=lambda kv: -kv[1])
        slow = ", ".join(f"`{k}` {v:.1f} ms" for k, v in ops[:4])
        lines.append(f"- {dtype} {method} ({total:.1f} ms in ops per window): {top}; slowest ops: {slow}")
    return lines


def main():
    ap = argparse.ArgumentParser()
    for flag in ("--bench", "--models", "--ct2", "--wav"):
        ap.add_argument(flag, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--int8-kv", default="int8", choices=("fp32", "fp16", "int8"),
                    help="edgeattn int8's --kv-dtype (fp32 always uses fp32)")
    ap.add_argument("--out", default="whisper_compare.json")
    ap.add_argument("--doc", help="replace (or append) the Whisper section of this markdown file")
    ap.add_argument("--render-only", action="store_true", help="no runs: the section from --out's results")
    a = ap.parse_args()
    # The options a user gave whisper_compare.sh, for the "one command" line.
    a.passthrough = [f"--{k.replace('_', '-')} {getattr(a, k)}" for k in ("rounds", "runs", "threads", "int8_kv")]
    threads_list = [int(t) for t in a.threads.split(",")]
    if a.render_only:
        data = json.load(open(a.out))
        results = {(e, d, int(t)): v for (e, d, t), v in
                   ((k.split("|"), v) for k, v in data["results"].items())}
        profiles, run = data["profiles"], data["run"]
    else:
        start, load_start = time.time(), os.getloadavg()[0]
        results = measure(a, threads_list)
        run = [load_start, os.getloadavg()[0], time.time() - start, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())]
        profiles = [run_profile(a, dtype) for dtype, _ in PAIRS]
        json.dump({"results": {"|".join(map(str, k)): v for k, v in results.items()}, "profiles": profiles,
                   "run": run}, open(a.out, "w"), indent=1)
    summary = {k: pooled(v) for k, v in results.items()}
    prof = [profile_lines(out, dtype) for out, (dtype, _) in zip(profiles, PAIRS)]
    lines = section(a, summary, threads_list, prof, run)
    print("\n".join(lines))
    if a.doc:
        write_doc(a.doc, lines)


BEGIN, END = "<!-- whisper-compare:begin -->", "<!-- whisper-compare:end -->"


def section(a, summary, threads_list, prof, run):
    """The markdown section, between BEGIN and END (report_markdown.py keeps it when it re-renders)."""
    model, cpus, have, lack = cpu_description()
    first = summary[next(iter(summary))]
    L = [BEGIN, "## Whisper tiny.en: edgeattn vs CTranslate2", "",
         f"Generated {run[3]} by one command, in "
         f"{run[2] / 60:.1f} min:", "", "```sh", "bench/whisper_compare.sh " + " ".join(a.passthrough), "```", "",
         f"CPU: {model} ({cpus} logical CPUs); flags present: {have}; absent: {lack}. "
         f"Load average (1 min) {run[0]:.2f} at start, {run[1]:.2f} at end.", "",
         f"Clip: `{os.path.basename(a.wav)}` tiled {a.repeat} times = {first['audio_seconds']:.2f} s, one 30-s "
         "window, greedy, no timestamps. Both engines start from the same CTranslate2 `model.bin` (fp16 weights): "
         "edgeattn converted offline (`--dtype fp32`, `--dtype int8 --no-smooth`), CTranslate2 converting at load "
         f"(`compute_type` float32 / int8). edgeattn int8 runs with `--kv-dtype {a.int8_kv}` (its self-attention "
         "KV cache and the cross-attention K/V copy of each layer in that type; CTranslate2 int8 keeps them "
         "float32), fp32 with `--kv-dtype fp32`. edgeattn: `edgeattn-bench --wav` (the Transcriber task); CTranslate2: "
         "`bench/peers/whisper_ct2.py` (`Whisper.encode`, then `Whisper.generate` on the encoder output: "
         "beam 1, prompt `<|startoftranscript|><|notimestamps|>`, suppress_blank, suppress_tokens [-1]). "
         f"{a.rounds} rounds, each one process per configuration in turn (edgeattn, CTranslate2, edgeattn, ...), "
         f"each process 1 warm-up + {a.runs} timed transcriptions; the {a.rounds * a.runs} timed rounds of a "
         "configuration are pooled. Cells: median (min) ms. **Ratios: edgeattn / CTranslate2 median latency** "
         "(below 1 = edgeattn faster); enc+dec = encoder + decoder of the same round. frontend is edgeattn's "
         "C++ log-mel vs the float64 numpy reference (`tests/reference/whisper_mel.py`; CTranslate2 has no "
         "frontend), so it is left out of the ratios; total and RTF include it.", "",
         table(summary, threads_list), ""] + plain_words(summary, threads_list) + [
         "", "Transcripts (every process of a configuration):", ""]
    for threads in threads_list:
        for dtype, ctype in PAIRS:
            e, c = summary[("edgeattn", dtype, threads)]["texts"], summary[("ctranslate2", ctype, threads)]["texts"]
            verdict = "identical" if e == c and len(e) == 1 else f"DIFFER: edgeattn {e!r} vs CTranslate2 {c!r}"
            L.append(f"- {dtype} / {ctype}, {threads} thread(s): {verdict}")
    L += ["", f"Text (fp32): {summary[('edgeattn', PAIRS[0][0], threads_list[0])]['texts'][0]!r}", "",
          "Where edgeattn's time goes: `edgeattn-bench --wav ... --profile` (1 thread, ms per window, "
          "op kinds and the slowest single ops; profiled sessions outside the timed rounds):", ""]
    for lines in prof:
        L += lines
    L.append(END)
    return L


def plain_words(summary, threads_list):
    """One line per pair against issue #14's target: edgeattn <= 0.8x CTranslate2's latency."""
    L = ["In plain words (edgeattn / CTranslate2 median latency; the issue's target is <= 0.80):", ""]
    for threads in threads_list:
        for dtype, ctype in PAIRS:
            e, c = summary[("edgeattn", dtype, threads)], summary[("ctranslate2", ctype, threads)]
            r = {st: e[st]["median"] / c[st]["median"] for st in ("encoder", "decoder", "model")}
            tok = c["tokens_per_s"] / e["tokens_per_s"]
            verdict = "meets" if r["model"] <= 0.8 else "misses"
            L.append(f"- {dtype} vs {ctype}, {threads} thread(s): encoder + decoder **{r['model']:.2f}x** "
                     f"({verdict} the target); encoder {r['encoder']:.2f}x, decoder {r['decoder']:.2f}x "
                     f"({e['decoder_tokens']} vs {c['decoder_tokens']} tokens; per token {tok:.2f}x).")
    return L


def write_doc(path, lines):
    text = open(path).read() if os.path.exists(path) else ""
    block = "\n".join(lines)
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
