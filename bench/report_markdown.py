"""Renders docs/benchmarks.md and the latency chart from report.py's results
(the `res` dict that report.py also saves as results.json). No measuring here.

    write_chart(res, PNG_PATH)
    write_markdown(args, res, MD_PATH, PNG_NAME)
"""

import os

MINILM_SHAPES = [(1, 16), (1, 128), (8, 16), (8, 128)]
COSINE_MIN = 0.9999
# The kernels behind each model part (report.py's grouping of edgeattn op kinds).
GROUP_KERNELS = {
    "linear": {"fp32": "XNNPACK f32 GEMM (fully_connected_nc_f32) in FullyConnected",
               "int8": "qd8_qc8w_gemm + f32_qd8_quantize in FullyConnected"},
    "attention": {"fp32": "f32_attention", "int8": "f32_attention"},
    "norm": {"fp32": "f32_layernorm / f32_rmsnorm + f32_add (residual)", "int8": "f32_layernorm + f32_add"},
    "gelu": {"fp32": "f32_gelu (f32_silu_mul for SwiGLU)", "int8": "f32_gelu"},
    "embedding": {"fp32": "Embedding gather", "int8": "Embedding gather (int8 rows dequantized in the op)"},
    "pool": {"fp32": "MeanPool + f32_l2_normalize", "int8": "MeanPool + f32_l2_normalize"},
}


def fmt_ms(v):
    return f"{v:.2f}" if v < 100 else f"{v:.1f}"


def mib(b):
    return f"{b / 1048576:.1f}"


def ratio(a, b):
    return a / b if b else float("nan")


def kernel_table(res):
    """edgeattn GEMM kernels vs XNNPACK on the same shapes: GFLOPS / GOPS."""
    by = {}
    for k in res["kernels"]:
        parts = k["name"].split("/")
        if len(parts) < 3 or k.get("error_message"):
            continue
        op, table, shape = parts[0], parts[1], "/".join(parts[2:])
        by[(op, table, shape)] = k.get("GOPS") or k.get("GFLOPS") or (k.get("items_per_second") or 0) / 1e9
    return by


def write_chart(res, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    threads = sorted({r["threads"] for r in res["minilm_chart"]})
    fig, axes = plt.subplots(1, len(threads), figsize=(6 * len(threads), 4.5), squeeze=False)
    styles = {("edgeattn", "fp32"): ("tab:blue", "-"), ("edgeattn", "int8"): ("tab:blue", "--"),
              ("onnxruntime", "fp32"): ("tab:orange", "-"), ("onnxruntime", "int8"): ("tab:orange", "--")}
    for ax, t in zip(axes[0], threads):
        for (eng, dt), (color, ls) in styles.items():
            pts = sorted((r["seq"], r["p50_ms"]) for r in res["minilm_chart"]
                         if r["engine"] == eng and r["dtype"] == dt and r["threads"] == t)
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], color=color, ls=ls, marker="o", label=f"{eng} {dt}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("sequence length (tokens), batch 1")
        ax.set_ylabel("median latency (ms)")
        ax.set_title(f"all-MiniLM-L6-v2, {t} thread{'s' if t > 1 else ''}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def write_markdown(a, res, path, chart_name):
    mach, lim = res["machine"], res["limits"]
    L = []
    w = L.append
    w("# Benchmarks: edgeattn against ONNX Runtime, llama.cpp and the machine's limits")
    w("")
    w(f"Generated {res['date']} by one command, in {res['elapsed_min']:.1f} min:")
    w("")
    w("```sh")
    w(a.command)
    w("```")
    w("")
    w("Every number below was measured in that run; nothing is copied from earlier runs. Raw results: "
      f"`{os.path.join(a.cache, 'results.json')}`. Ratios are edgeattn / peer **latency** "
      "(below 1: edgeattn is faster) or edgeattn / peer **throughput** (above 1: edgeattn is faster), as labelled.")
    if a.quick:
        w("")
        w("**Quick run (`--quick`): few repetitions; a check that the pipeline works, not numbers to quote.**")
    # Other work on the machine shows in the load before the runs; the load at
    # the end includes the benchmark's own threads (up to --threads), so it
    # is printed but not judged.
    busy = mach["loadavg_start"] > 0.5 * (mach["cores"] or 1)
    w("")
    w(f"Load average (1 min) at start {mach['loadavg_start']:.2f}, at end {res['loadavg_end']:.2f} on "
      f"{mach['cores']} CPUs" + (": **the machine was busy; latencies are inflated and noisy.**" if busy else "."))
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| CPU | {mach['cpu']} ({mach['cores']} logical CPUs, last-level cache {mach['last_level_cache']}) |")
    w(f"| ISA flags that matter | present: {', '.join(mach['flags']) or '-'}; absent: "
      f"{', '.join(mach['missing_flags']) or '-'} |")
    w(f"| memory | {mach['memory_gib']:.1f} GiB |")
    w(f"| OS | {mach['os']} |")
    w(f"| compiler | {mach['compiler']} ({mach['build_type']}) |")
    w(f"| XNNPACK | Debian libxnnpack-dev {mach['xnnpack']} |")
    w(f"| Google Benchmark | {mach['google_benchmark']} |")
    w(f"| peers | onnxruntime {mach['onnxruntime']} (onnx {mach['onnx']}); llama-cpp-python "
      f"{mach['llama_cpp_python']} |")
    w(f"| edgeattn kernels | {res['minilm'][0].get('kernels', '?')} |")
    w(f"| perf counters | {'available' if mach['perf_counters'] else 'not available (perf stat fails here)'} |")
    w("")
    w("### Physical limits (`edgeattn-machine-limits --json`)")
    w("")
    w(f"Buffers of {mib(lim['buffer_bytes'])} MiB each (last-level cache {mib(lim['llc_bytes'])} MiB). "
      "Copy counts bytes read + bytes written; read counts bytes read (a sum over the buffer). "
      f"GEMM: XNNPACK fully-connected {lim['gemm_shape'][0]}x{lim['gemm_shape'][1]}x{lim['gemm_shape'][2]} "
      "(M x N x K), weights hot, best call.")
    w("")
    w(f"| | 1 thread | {lim['threads']} threads |")
    w("|---|---|---|")
    w(f"| memory copy (GB/s, read + write) | {lim['copy_gbs_1t']:.2f} | {lim['copy_gbs_all']:.2f} |")
    w(f"| memory read (GB/s) | {lim['read_gbs_1t']:.2f} | {lim['read_gbs_all']:.2f} |")
    w(f"| XNNPACK f32 GEMM (GFLOPS) | {lim['xnn_f32_gflops_1t']:.1f} | {lim['xnn_f32_gflops_all']:.1f} |")
    w(f"| XNNPACK qs8 GEMM (GOPS) | {lim['xnn_qs8_gops_1t']:.1f} | {lim['xnn_qs8_gops_all']:.1f} |")
    w("")

    # ---- MiniLM.
    chk = res["minilm_check"]
    ok = chk["min_cosine"] >= COSINE_MIN
    w("## all-MiniLM-L6-v2: edgeattn vs ONNX Runtime")
    w("")
    w("The ONNX file is written from the same `model.safetensors` by `bench/peers/minilm_onnx.py` (BERT graph "
      "with the `onnx` helper API, mean pooling + L2 normalization); int8 is "
      "`onnxruntime.quantization.quantize_dynamic` (QInt8 weights, MatMuls). edgeattn int8 is "
      "`edgeattn-convert --dtype int8` (per-row int8 weights, dynamic per-token activations, SmoothQuant).")
    w("")
    w(f"**Check:** ORT fp32 vs edgeattn fp32 embeddings of {chk['sentences']} sentences: min cosine "
      f"{chk['min_cosine']:.7f}, max |diff| {chk['max_abs_diff']:.2e} — "
      + ("passes (>= 0.9999)." if ok else f"**FAILS the {COSINE_MIN} bar; the timings below compare different "
                                          "computations.**"))
    w("")
    w("Same thread count on both sides (ORT: intra-op threads = N, inter-op 1, sequential, all graph "
      "optimizations). One process per row, so peak RSS is that configuration's (ORT's includes the Python "
      f"interpreter and numpy, about {mib(min(r['rss_before_session_bytes'] for r in res['minilm'] if r['engine'] == 'onnxruntime'))} MiB before the session). "
      f"Load = model load + session creation. {a.enc_runs} timed runs after 2 warm-ups; pseudo-random ids, "
      "full-length rows.")
    w("")
    w("| threads | batch x seq | dtype | edgeattn p50 / p90 ms | ORT p50 / p90 ms | **edgeattn / ORT (p50)** | "
      "edgeattn load ms | ORT load ms | edgeattn peak RSS MiB | ORT peak RSS MiB |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    ratios = {}
    for t in a.threads:
        for b, s in MINILM_SHAPES:
            for dt in ("fp32", "int8"):
                e = next(r for r in res["minilm"] if r["engine"] == "edgeattn" and r["dtype"] == dt and
                         r["threads"] == t and r["batch"] == b and r["seq"] == s)
                o = next(r for r in res["minilm"] if r["engine"] == "onnxruntime" and r["dtype"] == dt and
                         r["threads"] == t and r["batch"] == b and r["seq"] == s)
                rt = ratio(e["p50_ms"], o["p50_ms"])
                ratios[(t, b, s, dt)] = rt
                w(f"| {t} | {b} x {s} | {dt} | {fmt_ms(e['p50_ms'])} / {fmt_ms(e['p90_ms'])} | "
                  f"{fmt_ms(o['p50_ms'])} / {fmt_ms(o['p90_ms'])} | **{rt:.2f}** | {e['load_ms']:.1f} | "
                  f"{o['load_ms']:.1f} | {mib(e['peak_rss_bytes'])} | {mib(o['peak_rss_bytes'])} |")
    w("")
    w("In plain words (batch 1, latency ratio edgeattn / ORT; below 1 = edgeattn faster):")
    w("")
    for t in a.threads:
        for dt in ("fp32", "int8"):
            parts = []
            for s in (16, 128):
                r = ratios[(t, 1, s, dt)]
                parts.append(f"{s} tokens **{r:.2f}x** (" + (f"edgeattn {1 / r:.2f}x faster" if r < 1 else
                                                           f"edgeattn {r:.2f}x slower") + ")")
            w(f"- {dt}, {t} thread{'s' if t > 1 else ''}: " + "; ".join(parts) + ".")
    w("")
    w(f"![MiniLM latency vs sequence length]({chart_name})")
    w("")
    w("Chart: batch 1, median latency; one edgeattn-bench process per dtype and thread count (all lengths on one "
      "session), one ORT process per point.")
    w("")

    # ---- Decoders.
    w("## Llama decoders: edgeattn vs llama.cpp")
    w("")
    if res["llama_error"]:
        w(f"**llama.cpp could not be run:** `{res['llama_error']}` (see `bench/run_all.sh`'s install log under "
          f"`{a.cache}`). Only edgeattn's numbers are shown.")
        w("")
    else:
        info = next((r for r in res["decoders"] if r["engine"] == "llama.cpp"), {})
        w(f"llama.cpp through llama-cpp-python {info.get('version', '?')}, built from source by pip for this CPU "
          f"(`{info.get('system_info', '')[:300]}`).")
        w("")
        if res.get("llama_crashes"):
            w("**llama.cpp crashed** with its default weight buffers in: " + "; ".join(res["llama_crashes"]) +
              ". Those rows were rerun with `use_extra_bufts = false` (no repacked or AMX weight layouts; "
              "marked *no-repack* below), which may make llama.cpp slower than its best on this CPU.")
            w("")
    w("Models: stories260K (dim 64, 5 layers, vocab 512) and a synthetic 100M Llama (`scripts/"
      "make_synthetic_llama.py`: dim 768, 12 layers, FFN 2048, vocab 32000, random weights). GGUF files are "
      "written from the same weights by `bench/peers/llama_gguf.py` (gguf package: F32, and Q8_0 for every "
      "weight matrix whose rows are a multiple of 32); edgeattn's with `edgeattn-convert` (fp32, int8). "
      "Both sides: a 64-token prompt (one prefill call), then 128 greedy single-token decode steps; median "
      f"over {a.dec_runs} repetitions after 1 warm-up; same thread count.")
    w("")
    w("Decode bound = bytes one decode step must read / memory read bandwidth at that thread count "
      "(bytes: every weight except the token-embedding table when the output head is separate; from "
      "`edgeattn-convert inspect` and the GGUF tensor table). Prefill % of peak = (2 x matrix weights x "
      "prompt tokens) / prefill time / XNNPACK GEMM peak at that thread count (f32 GFLOPS for fp32, "
      "qs8 GOPS for int8/Q8_0).")
    w("")
    w("| model | dtype (edgeattn / GGUF) | threads | engine | prefill tok/s | % of GEMM peak | decode tok/s | "
      "bytes/token MB | decode bound tok/s | **% of bound** | load ms | peak RSS MiB |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in res["decoders"]:
        t = r["threads"]
        bw = (lim["read_gbs_1t"] if t == 1 else lim["read_gbs_all"]) * 1e9
        bound = bw / r["bytes_per_token"]
        r["bound_tps"] = bound
        peak = (lim["xnn_f32_gflops_1t" if t == 1 else "xnn_f32_gflops_all"] if r["dtype"] == "fp32" else
                lim["xnn_qs8_gops_1t" if t == 1 else "xnn_qs8_gops_all"]) * 1e9
        flops_tok = 2 * res["matrix_params"][r["model"]]
        r["prefill_pct_peak"] = 100 * flops_tok * r["prefill_tps"] / peak
        gd = "F32" if r["dtype"] == "fp32" else "Q8_0"
        eng = r["engine"] + (" *no-repack*" if r.get("extra_bufts") is False else "")
        w(f"| {r['model']} | {r['dtype']} / {gd} | {t} | {eng} | {r['prefill_tps']:.1f} | "
          f"{r['prefill_pct_peak']:.0f} % | {r['decode_tps']:.1f} | {r['bytes_per_token'] / 1e6:.2f} | {bound:.1f} | "
          f"**{100 * r['decode_tps'] / bound:.0f} %** | {r['load_ms']:.1f} | {mib(r['peak_rss_bytes'])} |")
    w("")
    llc_bytes = lim.get("llc_bytes", 0)
    w(f"The bound uses DRAM bandwidth. A model whose bytes per token fit in the last-level cache "
      f"({mib(llc_bytes)} MiB here) can be served from cache between tokens and exceed it (over 100 %); "
      "stories260K always does.")
    w("")
    dec_ratios = []
    if not res["llama_error"]:
        w("In plain words (throughput ratio edgeattn / llama.cpp; above 1 = edgeattn faster):")
        w("")
        for r in res["decoders"]:
            if r["engine"] != "edgeattn":
                continue
            p = next((x for x in res["decoders"] if x["engine"] == "llama.cpp" and x["model"] == r["model"] and
                      x["dtype"] == r["dtype"] and x["threads"] == r["threads"]), None)
            if p is None:
                continue
            rp, rd = r["prefill_tps"] / p["prefill_tps"], r["decode_tps"] / p["decode_tps"]
            dec_ratios.append((r, p, rp, rd))
            w(f"- {r['model']} {r['dtype']} vs {'F32' if r['dtype'] == 'fp32' else 'Q8_0'}, {r['threads']} "
              f"thread{'s' if r['threads'] > 1 else ''}: prefill **{rp:.2f}x**, decode **{rd:.2f}x**; edgeattn "
              f"decode at {100 * r['decode_tps'] / r['bound_tps']:.0f} % of its bandwidth bound, llama.cpp at "
              f"{100 * p['decode_tps'] / p['bound_tps']:.0f} %.")
        w("")

    # ---- Kernels.
    kt = kernel_table(res)
    w("## Kernel microbenchmarks (`edgeattn-bench-kernels`, 1 thread)")
    w("")
    w("GEMM y[M, N] = x[M, K] W^T, shapes M x N x K. edgeattn's int8 kernel (`qd8_qc8w_gemm`, int8 weights "
      "read in place) and fp16-weight kernel (`f32_f16w_gemm`) per kernel table, beside XNNPACK called "
      "directly: `xnn_f32` (what edgeattn runs for fp32 linear layers), `xnn_qs8` (int8 x int8), `xnn_f16` "
      "(all-fp16). GOPS for int8, GFLOPS otherwise (2 M N K per call over the benchmark thread's CPU time, Google "
      "Benchmark's default, so other processes on the machine inflate them less than wall time); higher is better. "
      "The reference table runs M = 1 only.")
    w("")
    tables = sorted({t for (op, t, s) in kt if op in ("qd8_qc8w_gemm", "f32_f16w_gemm") and t != "reference"})
    shapes = [s for (op, t, s) in kt if op == "xnn_f32_gemm"]
    hdr = ["M x N x K"] + [f"int8 {t}" for t in tables] + ["int8 reference", "xnn qs8"] + \
          [f"f16w {t}" for t in tables] + ["xnn f16", "xnn f32", "best int8 / xnn qs8"]
    w("| " + " | ".join(hdr) + " |")
    w("|" + "---|" * len(hdr))
    losing = []
    for s in shapes:
        def g(op, t):
            v = kt.get((op, t, s))
            return f"{v:.1f}" if v else "-"
        best = max([kt.get(("qd8_qc8w_gemm", t, s), 0) for t in tables] or [0])
        xq = kt.get(("xnn_qs8_gemm", "xnnpack", s), 0)
        if best and xq and best < xq:
            losing.append((s, best, xq))
        cells = [s] + [g("qd8_qc8w_gemm", t) for t in tables] + [g("qd8_qc8w_gemm", "reference"),
                                                                 g("xnn_qs8_gemm", "xnnpack")] + \
                [g("f32_f16w_gemm", t) for t in tables] + [g("xnn_f16_gemm", "xnnpack"), g("xnn_f32_gemm", "xnnpack"),
                                                           f"{ratio(best, xq):.2f}" if xq else "-"]
        w("| " + " | ".join(cells) + " |")
    w("")
    w("Other kernels, optimized table vs reference (speed-up = reference time / table time)"
      + (" — not run with `--quick`, which times the GEMMs only:" if a.quick else ":"))
    w("")
    w("| kernel / shape | table | CPU time | reference CPU time | speed-up |")
    w("|---|---|---|---|---|")
    times = {}
    for k in res["kernels"]:
        parts = k["name"].split("/")
        if len(parts) >= 3 and not k.get("error_message"):
            times[(parts[0], parts[1], "/".join(parts[2:]))] = (k["cpu_time"], k["time_unit"])
    for (op, t, s), (tm, unit) in sorted(times.items()):
        if t in ("reference", "xnnpack") or op.endswith("_gemm"):
            continue
        ref = times.get((op, "reference", s))
        if ref:
            w(f"| {op} / {s} | {t} | {tm:.3g} {unit} | {ref[0]:.3g} {ref[1]} | {ref[0] / tm:.1f}x |")
    w("")

    # ---- Where edgeattn loses.
    w("## Where edgeattn is slower, and which kernel loses")
    w("")
    prof = res["profiles"]
    slower = [(k, v) for k, v in ratios.items() if v > 1.0]
    if slower:
        w("MiniLM configurations where edgeattn's p50 is above ORT's: " + ", ".join(
            f"{dt} {b}x{s} {t}T ({v:.2f}x)" for (t, b, s, dt), v in sorted(slower)) + ".")
    else:
        w("edgeattn's MiniLM p50 latency is at or below ORT's in every configuration measured.")
    w("")
    dec_slow = [(r, p, rp, rd) for r, p, rp, rd in dec_ratios if rp < 1 or rd < 1]
    if dec_slow:
        w("Decoder configurations where llama.cpp is faster: " + ", ".join(
            f"{r['model']} {r['dtype']} {r['threads']}T ({'prefill %.2fx' % rp if rp < 1 else ''}"
            f"{', ' if rp < 1 and rd < 1 else ''}{'decode %.2fx' % rd if rd < 1 else ''})" for r, p, rp, rd in dec_slow)
          + ".")
        w("")
    w("Per-op time from `edgeattn-bench --profile` (1 thread; all invokes of that run, warm-ups included; "
      "share of op time):")
    w("")
    kinds = sorted({k for p in prof.values() for k in p}, key=lambda k: -sum(p.get(k, 0) for p in prof.values()))
    w("| op | " + " | ".join(prof.keys()) + " |")
    w("|---|" + "---|" * len(prof))
    for k in kinds:
        cells = []
        for p in prof.values():
            tot = sum(p.values()) or 1
            cells.append(f"{100 * p.get(k, 0) / tot:.1f} %" if k in p else "-")
        w(f"| {k} | " + " | ".join(cells) + " |")
    w("")
    w("edgeattn vs ORT per model part, MiniLM, 1 thread, ms per invoke (edgeattn-bench --profile against "
      "ORT's own profiler, `ort_peer.py profile`; ORT's nodes are grouped by the part of the graph they came from, "
      "so fused nodes land where their inputs were). Profiling adds overhead on both sides; compare parts, "
      "not totals:")
    w("")
    groups = ["linear", "attention", "norm", "gelu", "embedding", "pool", "other"]
    w("| configuration | " + " | ".join(f"{g} (edgeattn / ORT ms)" for g in groups) + " |")
    w("|---|" + "---|" * len(groups))
    part_verdicts = []
    for key, p in res["parts"].items():
        cells = []
        for g in groups:
            e, o = p["edgeattn"].get(g, 0.0), p["onnxruntime"].get(g, 0.0)
            cells.append(f"{e:.2f} / {o:.2f}" if (e or o) else "-")
        w(f"| {key} | " + " | ".join(cells) + " |")
        excess = sorted(((p["edgeattn"].get(g, 0.0) - p["onnxruntime"].get(g, 0.0), g) for g in groups), reverse=True)
        worse = [(d, g) for d, g in excess if d > 0.05 * max(1e-9, sum(p["onnxruntime"].values()))]
        if worse:
            part_verdicts.append(f"`{key}`: edgeattn loses most in **{worse[0][1]}** (+{worse[0][0]:.2f} ms/invoke; "
                                 f"kernel: {GROUP_KERNELS.get(worse[0][1], {}).get(p['dtype'], worse[0][1])})"
                                 + (", then " + ", ".join(f"{g} (+{d:.2f} ms)" for d, g in worse[1:3])
                                    if len(worse) > 1 else "") + ".")
        else:
            part_verdicts.append(f"`{key}`: no part of edgeattn is more than 5 % of ORT's time behind.")
    w("")
    w("Kernel verdicts (generated from the numbers above):")
    w("")
    verdicts = list(part_verdicts)
    for key, p in prof.items():
        tot = sum(p.values())
        if not tot:
            continue
        top, top_ms = max(p.items(), key=lambda kv: kv[1])
        verdicts.append(f"`{key}`: most time in **{top}** ({100 * top_ms / tot:.0f} % of op time).")
    if losing:
        by_m = {}
        for s_, b, x in losing:
            by_m.setdefault(s_.split("x")[0], []).append(b / x)
        worst = sorted(losing, key=lambda t: t[1] / t[2])[:5]
        verdicts.append(
            f"edgeattn's int8 GEMM (`qd8_qc8w_gemm`, best table) is below XNNPACK's qs8 GEMM on {len(losing)} of "
            f"{len(shapes)} shapes (" + ", ".join(f"M={m_}: {len(v)} shapes, down to {min(v):.2f}x"
                                                  for m_, v in sorted(by_m.items(), key=lambda kv: int(kv[0])))
            + "); worst: " + ", ".join(f"{s_} ({b:.0f} vs {x:.0f} GOPS)" for s_, b, x in worst)
            + ". That is the kernel behind the int8 FullyConnected time above.")
    else:
        verdicts.append("edgeattn's int8 GEMM is at or above XNNPACK's qs8 GEMM on every shape measured.")
    for v in verdicts:
        w(f"- {v}")
    w("")
    if res.get("callgrind"):
        w("Instruction counts (valgrind callgrind, `edgeattn-bench MINILM --runs 1 --shapes 1x16`: load, prepare, "
          "2 warm-ups and 1 run; self cost per function, top 12). Instructions are not time (int8 and SIMD "
          "instructions do more per instruction), but they name the functions:")
        w("")
        for key, top in res["callgrind"].items():
            w(f"`{key}`:")
            w("")
            w("| % of instructions | function |")
            w("|---|---|")
            for pct, fn in top:
                w(f"| {pct:.1f} | `{fn[:140]}` |")
            w("")
    w("fp32 linear layers are XNNPACK's own f32 GEMM in edgeattn, so an fp32 loss to ORT is in the "
      "non-GEMM ops above (attention, LayerNorm, GELU) or in XNNPACK's f32 GEMM against ORT's MLAS. "
      "Profilers: callgrind works here" + (" and so do perf counters." if mach["perf_counters"] else
                                           "; perf counters do not (`perf stat -e instructions true` reports "
                                           "them as not supported in this VM)."))
    w("")
    # bench/whisper_compare.sh writes its own section (another run, other
    # peers) between these markers: keep it.
    begin, end = "<!-- whisper-compare:begin -->", "<!-- whisper-compare:end -->"
    old = open(path).read() if os.path.exists(path) else ""
    if begin in old and end in old:
        w(old[old.index(begin):old.index(end) + len(end)])
        w("")
    with open(path, "w") as f:
        f.write("\n".join(L))
