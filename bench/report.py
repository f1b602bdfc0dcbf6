#!/usr/bin/env python3
"""Regenerates docs/benchmarks.md and docs/benchmarks-latency.png from one run.

Run it through bench/run_all.sh (builds the tools, makes the venv, then calls
this with the venv's python). Directly:

    python3 bench/report.py --build BUILD_DIR --cache CACHE_DIR [--quick]
        [--threads 1,2] [--out docs/benchmarks.md] [--command "..."]

Steps (every number in the document comes from this run):
  1. machine description (/proc/cpuinfo, /proc/meminfo, os-release, compiler,
     package versions) and edgeattn-machine-limits --json;
  2. edgeattn-bench-kernels (Google Benchmark JSON);
  3. models, cached in CACHE_DIR: MiniLM .eatn fp32/int8, ONNX fp32 and ORT
     dynamic int8, stories260K and the synthetic 100M Llama as .eatn
     fp32/int8 and GGUF F32/Q8_0 (remade when their inputs or the converter
     binary change);
  4. MiniLM: ORT vs edgeattn embeddings (cosine >= 0.9999 required), then one
     process per engine x dtype x threads x [batch, seq];
  5. decoders: edgeattn-bench vs llama.cpp (llama-cpp-python) per model,
     dtype and thread count;
  6. edgeattn-bench --profile on the configurations where edgeattn is slower
     than the peer, and the matching microbenchmarks;
  7. the markdown and the chart (report_markdown.py).
Raw results go to CACHE_DIR/results.json.
"""

import argparse
import datetime
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time

from report_markdown import MINILM_SHAPES, write_chart, write_markdown

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PEERS = os.path.join(HERE, "peers")
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "models")
MINILM_DIR = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "edgeattn", "models",
                          "all-MiniLM-L6-v2")
CHART_SEQS = [8, 16, 32, 64, 128, 256]


def log(msg):
    print(f"[report {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd, check=True, **kw):
    log(" ".join(str(c) for c in cmd))
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{cmd[0]} exited {r.returncode}:\n{r.stderr[-3000:]}")
    return r


def last_json_line(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no JSON in output:\n{text[-2000:]}")


def file_key(*paths):
    """A short key over the paths' sizes and modification times (cache validity)."""
    h = hashlib.sha1()
    for p in paths:
        st = os.stat(p)
        h.update(f"{p}:{st.st_size}:{int(st.st_mtime)}".encode())
    return h.hexdigest()[:12]


def cached(out, key, make):
    """Calls make(out) unless out exists with the same key (in out + '.key')."""
    stamp = out + ".key"
    if os.path.exists(out) and os.path.exists(stamp) and open(stamp).read() == key:
        return out
    if os.path.isdir(out):
        shutil.rmtree(out)
    make(out)
    with open(stamp, "w") as f:
        f.write(key)
    return out


# ---------------------------------------------------------------- machine ----

def machine_description(build):
    cpu = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if ":" in line:
                k, v = (s.strip() for s in line.split(":", 1))
                cpu.setdefault(k, v)
    flags = set(cpu.get("flags", "").split())
    wanted = ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni",
              "avx512_bf16", "amx_int8", "asimd", "asimddp"]
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    os_name = platform.platform()
    if os.path.exists("/etc/os-release"):
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip().strip('"') + ", kernel " + platform.release()
    compiler = "?"
    cache = os.path.join(build, "CMakeCache.txt")
    build_type = "?"
    if os.path.exists(cache):
        for line in open(cache):
            if line.startswith("CMAKE_CXX_COMPILER:"):
                cxx = line.split("=", 1)[1].strip()
                compiler = subprocess.run([cxx, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
            if line.startswith("CMAKE_BUILD_TYPE:"):
                build_type = line.split("=", 1)[1].strip()

    def dpkg(pkg):
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
        return r.stdout.strip() or "?"

    def pyver(mod):
        try:
            return __import__(mod).__version__
        except Exception as e:  # not installed / failed to import
            return f"not available ({type(e).__name__})"

    llc = "?"
    for idx in sorted(glob.glob("/sys/devices/system/cpu/cpu0/cache/index*/")):
        try:
            llc = f"L{open(idx + 'level').read().strip()} {open(idx + 'size').read().strip()}"
        except OSError:
            pass
    perf = subprocess.run("perf stat -e instructions true", shell=True, capture_output=True, text=True)
    perf_ok = perf.returncode == 0 and "not supported" not in perf.stderr and "<not" not in perf.stderr
    return {
        "cpu": cpu.get("model name", platform.processor()), "flags": [f for f in wanted if f in flags],
        "missing_flags": [f for f in wanted[:10] if f not in flags], "cores": os.cpu_count(),
        "last_level_cache": llc, "memory_gib": mem_kib / 1024 / 1024, "os": os_name, "compiler": compiler,
        "build_type": build_type, "xnnpack": dpkg("libxnnpack-dev"), "google_benchmark": dpkg("libbenchmark-dev"),
        "python": platform.python_version(), "onnxruntime": pyver("onnxruntime"), "onnx": pyver("onnx"),
        "llama_cpp_python": pyver("llama_cpp"), "numpy": pyver("numpy"), "perf_counters": perf_ok,
        "loadavg_start": os.getloadavg()[0],
    }


# ----------------------------------------------------------------- models ----

def eatn_tensors(convert, eatn):
    """({name: bytes}, {name: elements of 2-D constants}) from edgeattn-convert
    inspect; int8 matrices count one fp32 scale per row on top."""
    out = run([convert, "inspect", eatn]).stdout
    sizes, mats = {}, {}
    for m in re.finditer(r"^\s+(\S+)\s+([\w-]+)\s+([\dx]+)\s+(\d+) bytes @", out, re.M):
        name, dtype, dims, nbytes = m.group(1), m.group(2), m.group(3), int(m.group(4))
        if "x" in dims:
            rows, cols = (int(v) for v in dims.split("x")[:2])
            mats[name] = rows * cols
            if dtype == "i8":
                nbytes += rows * 4
        sizes[name] = nbytes
    if not sizes:
        raise RuntimeError(f"edgeattn-convert inspect {eatn}: no tensor table in its output")
    return sizes, mats


def gguf_tensor_bytes(path):
    import gguf
    r = gguf.GGUFReader(path)
    return {t.name: int(t.n_bytes) for t in r.tensors}


def decode_bytes_per_token(sizes):
    """Weight bytes one decode step reads: every constant except the token
    embedding table when a separate output head exists (then only one row of
    the table is gathered); a tied head reads the whole table."""
    total = sum(sizes.values())
    has_head = any(n in sizes for n in ("output.weight", "lm_head.weight"))
    if has_head and "token_embd.weight" in sizes:
        total -= sizes["token_embd.weight"]
    return total


def prepare_models(a, tools):
    c = a.cache
    os.makedirs(c, exist_ok=True)
    py = sys.executable
    conv = tools["convert"]
    conv_key = file_key(conv)
    m = {}

    def convert(src, out, dtype, extra=()):
        def make(path):
            run([conv, src, *extra, "-o", path, "--dtype", dtype])
        return cached(out, conv_key + dtype + " ".join(extra), make)

    # MiniLM. fp32 with its linear weights packed at convert time (used in
    # place by the x86 tables: no packing at session creation, no copy).
    m["minilm_fp32"] = convert(MINILM_DIR, f"{c}/minilm-fp32.eatn", "fp32", ("--f32-layout", "panels"))
    m["minilm_int8"] = convert(MINILM_DIR, f"{c}/minilm-int8.eatn", "int8")
    onnx_key = file_key(f"{PEERS}/minilm_onnx.py", f"{MINILM_DIR}/model.safetensors")
    m["minilm_onnx_fp32"] = cached(f"{c}/minilm-fp32.onnx", onnx_key, lambda p: run(
        [py, f"{PEERS}/minilm_onnx.py", MINILM_DIR, p]))
    m["minilm_onnx_int8"] = cached(f"{c}/minilm-int8.onnx", onnx_key + file_key(f"{PEERS}/ort_peer.py"), lambda p: run(
        [py, f"{PEERS}/ort_peer.py", "quantize", m["minilm_onnx_fp32"], p]))

    # stories260K (llama2.c checkpoint) and the synthetic 100M Llama.
    s_bin, s_tok = f"{SHARED}/stories260K/stories260K.bin", f"{SHARED}/stories260K/tok512.bin"
    synth = cached(f"{c}/synthetic-llama", file_key(f"{ROOT}/scripts/make_synthetic_llama.py"), lambda p: run(
        [py, f"{ROOT}/scripts/make_synthetic_llama.py", p]))
    synth_tok = f"{synth}/tokenizer.bin"
    gguf_key = file_key(f"{PEERS}/llama_gguf.py")
    for name, kind, src, tok in (("s260k", "llama2c", s_bin, s_tok), ("synth", "hf", synth, synth_tok)):
        for dt in ("fp32", "int8"):
            m[f"{name}_{dt}"] = convert(src, f"{c}/{name}-{dt}.eatn", dt, ("--tokenizer", tok))
        for dt, gdt in (("fp32", "f32"), ("int8", "q8_0")):
            m[f"{name}_gguf_{dt}"] = cached(f"{c}/{name}-{gdt}.gguf", gguf_key + file_key(tok), lambda p, s=src, k=kind,
                                            t=tok, g=gdt: run([py, f"{PEERS}/llama_gguf.py", k, s, t, p, g]))
    return m


# ---------------------------------------------------------------- running ----

def edgeattn_bench(tools, model, threads, runs, shapes=None, profile=False):
    cmd = [tools["bench"], model, "--json", "--threads", threads, "--runs", runs]
    if shapes:
        cmd += ["--shapes", ",".join(f"{b}x{s}" for b, s in shapes)]
    if profile:
        cmd += ["--profile"]
    return last_json_line(run(cmd).stdout)


def run_minilm(a, tools, m, res):
    py = sys.executable
    chk = run([py, f"{PEERS}/ort_peer.py", "check", m["minilm_onnx_fp32"], m["minilm_fp32"], tools["demo"],
               MINILM_DIR])
    res["minilm_check"] = last_json_line(chk.stdout)
    log(f"ORT vs edgeattn fp32 min cosine {res['minilm_check']['min_cosine']:.7f}")
    rows = []
    for threads in a.threads:
        for batch, seq in MINILM_SHAPES:
            for dt in ("fp32", "int8"):
                r = edgeattn_bench(tools, m[f"minilm_{dt}"], threads, a.enc_runs, [(batch, seq)])
                c = r["encoder"][0]
                rows.append({"engine": "edgeattn", "dtype": dt, "threads": threads, "batch": batch, "seq": seq,
                             "p50_ms": c["latency"]["median_ms"], "p90_ms": c["latency"]["p90_ms"],
                             "min_ms": c["latency"]["min_ms"], "load_ms": r["load_ms"] + r["prepare_ms"],
                             "peak_rss_bytes": r["peak_rss_bytes"], "kernels": r["kernels"],
                             "loadavg": r["loadavg_1m"]})
                o = last_json_line(run([py, f"{PEERS}/ort_peer.py", "time", m[f"minilm_onnx_{dt}"], "--threads",
                                        threads, "--batch", batch, "--seq", seq, "--runs", a.enc_runs]).stdout)
                o.update({"engine": "onnxruntime", "dtype": dt, "load_ms": o["load_ms"]})
                rows.append(o)
    res["minilm"] = rows
    # Latency vs sequence length for the chart: batch 1, every thread count.
    chart = []
    for threads in a.threads:
        for dt in ("fp32", "int8"):
            r = edgeattn_bench(tools, m[f"minilm_{dt}"], threads, a.enc_runs, [(1, s) for s in CHART_SEQS])
            for c in r["encoder"]:
                chart.append({"engine": "edgeattn", "dtype": dt, "threads": threads, "seq": c["seq"],
                              "p50_ms": c["latency"]["median_ms"]})
            for s in CHART_SEQS:
                o = last_json_line(run([py, f"{PEERS}/ort_peer.py", "time", m[f"minilm_onnx_{dt}"], "--threads",
                                        threads, "--batch", 1, "--seq", s, "--runs", a.enc_runs]).stdout)
                chart.append({"engine": "onnxruntime", "dtype": dt, "threads": threads, "seq": s,
                              "p50_ms": o["p50_ms"]})
    res["minilm_chart"] = chart


def run_decoders(a, tools, m, res):
    py = sys.executable
    rows = []
    llama_error = None
    for name in ("s260k", "synth"):
        for dt in ("fp32", "int8"):
            sizes, mats = eatn_tensors(tools["convert"], m[f"{name}_{dt}"])
            # Multiply-adds per token: every weight matrix once (the embedding
            # table only when it doubles as the output head).
            res["matrix_params"][name] = decode_bytes_per_token(mats)
            gsizes = gguf_tensor_bytes(m[f"{name}_gguf_{dt}"])
            for threads in a.threads:
                r = edgeattn_bench(tools, m[f"{name}_{dt}"], threads, a.dec_runs)
                d = r["decoder"]
                rows.append({"model": name, "engine": "edgeattn", "dtype": dt, "threads": threads,
                             "prefill_tps": d["prefill_tokens_per_s"], "decode_tps": d["decode_tokens_per_s"],
                             "prompt": d["prompt_tokens"], "steps": d["decode_steps"],
                             "load_ms": r["load_ms"] + r["prepare_ms"], "peak_rss_bytes": r["peak_rss_bytes"],
                             "bytes_per_token": decode_bytes_per_token(sizes), "weight_bytes": r["weight_bytes"],
                             "kernels": r["kernels"]})
                if llama_error is None:
                    cmd = [py, f"{PEERS}/llama_peer.py", m[f"{name}_gguf_{dt}"], "--threads", threads,
                           "--prompt", d["prompt_tokens"], "--steps", d["decode_steps"], "--runs", a.dec_runs]
                    lr = run(cmd, check=False)
                    if lr.returncode < 0:  # killed by a signal: retry without repacked/AMX buffers
                        res.setdefault("llama_crashes", []).append(
                            f"{os.path.basename(m[f'{name}_gguf_{dt}'])}, {threads} thread(s): signal "
                            f"{-lr.returncode} with the default (repacked/AMX) weight buffers")
                        lr = run(cmd + ["--extra-bufts", 0], check=False)
                    if lr.returncode != 0:
                        llama_error = (lr.stderr.strip().splitlines() or ["exit %d" % lr.returncode])[-1]
                        log(f"llama.cpp unavailable: {llama_error}")
                        continue
                    o = last_json_line(lr.stdout)
                    rows.append({"model": name, "engine": "llama.cpp", "dtype": dt, "threads": threads,
                                 "prefill_tps": o["prefill_tokens_per_s"], "decode_tps": o["decode_tokens_per_s"],
                                 "prompt": o["prompt_tokens"], "steps": o["decode_steps"], "load_ms": o["load_ms"],
                                 "peak_rss_bytes": o["peak_rss_bytes"], "bytes_per_token": decode_bytes_per_token(
                                     gsizes), "llama_perf": o["llama_perf"], "system_info": o["system_info"],
                                 "version": o["llama_cpp_python"], "extra_bufts": o["extra_bufts"]})
    res["decoders"] = rows
    res["llama_error"] = llama_error


def run_kernels(a, tools, res):
    out = os.path.join(a.cache, "kernels.json")
    run([tools["kernels"], f"--benchmark_min_time={a.kernel_min_time}", "--benchmark_format=json",
         f"--benchmark_out={out}", "--benchmark_out_format=json"] +
        ([f"--benchmark_filter={a.kernel_filter}"] if a.kernel_filter else []))
    data = json.load(open(out))
    res["kernels_context"] = data.get("context", {})
    res["kernels"] = [{k: b.get(k) for k in ("name", "real_time", "cpu_time", "time_unit", "GFLOPS", "GOPS", "items_per_second",
                                             "bytes_per_second", "error_message")} for b in data["benchmarks"]]


# edgeattn op kinds (edgeattn-bench --profile) -> the model parts ort_peer.py
# profile groups ORT's nodes into (report_markdown.GROUP_KERNELS names the
# kernels behind each part).
EDGEATTN_GROUP = {"FullyConnected": "linear", "Attention": "attention", "Rope": "attention", "LayerNorm": "norm",
                  "RmsNorm": "norm", "Add": "norm", "Gelu": "gelu", "GeluTanh": "gelu", "GatedUnit": "gelu",
                  "Embedding": "embedding", "MeanPool": "pool", "L2Normalize": "pool", "SelectTokens": "pool"}
def run_profiles(a, tools, m, res):
    """edgeattn-bench --profile and ORT's profiler on the MiniLM configurations
    compared (1 thread), and edgeattn's profile of the synthetic Llama.
    Both give ms per invoke per model part (warm-ups counted on both sides)."""
    py = sys.executable
    prof, parts = {}, {}
    for dt in ("fp32", "int8"):
        for batch, seq in ((1, 16), (1, 128)):
            key = f"minilm_{dt}_{batch}x{seq}"
            r = edgeattn_bench(tools, m[f"minilm_{dt}"], 1, a.enc_runs, [(batch, seq)], profile=True)
            prof[key] = r.get("profile_ms", {})
            n = r["runs"] + r["warmups"]
            ea = {}
            for op, ms in prof[key].items():
                g = EDGEATTN_GROUP.get(op, "other")
                ea[g] = ea.get(g, 0.0) + ms / n
            o = last_json_line(run([py, f"{PEERS}/ort_peer.py", "profile", m[f"minilm_onnx_{dt}"], "--threads", 1,
                                    "--batch", batch, "--seq", seq, "--runs", a.enc_runs]).stdout)
            parts[key] = {"dtype": dt, "edgeattn": ea, "onnxruntime": o["group_ms_per_run"],
                          "ort_ops": o["op_ms_per_run"]}
        r = edgeattn_bench(tools, m[f"synth_{dt}"], 1, max(1, a.dec_runs // 2), profile=True)
        prof[f"synth_{dt}"] = r.get("profile_ms", {})
    res["profiles"] = prof
    res["parts"] = parts
    res["callgrind"] = {}
    # Callgrind is slow (about a minute per model at 1 x 16 on an idle core):
    # full runs only.
    if not a.quick and shutil.which("valgrind") and shutil.which("callgrind_annotate"):
        for dt in ("fp32", "int8"):
            out = os.path.join(a.cache, f"callgrind-minilm-{dt}.out")
            r = run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", tools["bench"],
                     m[f"minilm_{dt}"], "--runs", 1, "--shapes", "1x16"], check=False)
            if r.returncode != 0 or not os.path.exists(out):
                continue
            ann = run(["callgrind_annotate", "--inclusive=no", out], check=False).stdout
            top = []
            for line in ann.splitlines():
                mm = re.match(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.+?)\s*$", line)
                if mm and "PROGRAM TOTALS" not in line:
                    top.append((float(mm.group(2)), mm.group(3)))
                if len(top) == 12:
                    break
            res["callgrind"][f"minilm_{dt}_1x16"] = top


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--quick", action="store_true", help="few repetitions: checks the pipeline")
    ap.add_argument("--command", default="bench/run_all.sh")
    ap.add_argument("--render-only", action="store_true",
                    help="rewrite the document and chart from CACHE/results.json without measuring")
    a = ap.parse_args()
    a.threads = [int(t) for t in a.threads.split(",")]
    a.enc_runs, a.dec_runs = (3, 1) if a.quick else (20, 5)
    a.kernel_min_time = 0.01 if a.quick else 0.1
    a.kernel_filter = "gemm" if a.quick else ""
    docs = os.path.dirname(os.path.abspath(a.out))
    chart = "benchmarks-latency.png"
    if a.render_only:
        res = json.load(open(os.path.join(a.cache, "results.json")))
        a.command = res.get("command", a.command)
        for k, v in res.get("settings", {}).items():
            setattr(a, k, v)
        write_chart(res, os.path.join(docs, chart))
        write_markdown(a, res, a.out, chart)
        return
    bin_dir = os.path.join(a.build, "bin")
    tools = {k: os.path.join(bin_dir, v) for k, v in (("convert", "edgeattn-convert"), ("bench", "edgeattn-bench"),
                                                      ("demo", "edgeattn-demo"), ("kernels", "edgeattn-bench-kernels"),
                                                      ("limits", "edgeattn-machine-limits"))}
    for k, p in tools.items():
        if not os.access(p, os.X_OK):
            sys.exit(f"report.py: {p} missing; build it first (bench/run_all.sh does)")
    t0 = time.time()
    res = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "command": a.command,
           "settings": {"quick": a.quick, "threads": a.threads, "enc_runs": a.enc_runs, "dec_runs": a.dec_runs}}
    res["machine"] = machine_description(a.build)
    res["matrix_params"] = {}
    models = prepare_models(a, tools)
    res["limits"] = last_json_line(run([tools["limits"], "--json", "--threads", os.cpu_count() or 1,
                                        "--seconds", 0.3 if a.quick else 1.0]).stdout)
    run_kernels(a, tools, res)
    run_minilm(a, tools, models, res)
    run_decoders(a, tools, models, res)
    run_profiles(a, tools, models, res)
    res["loadavg_end"] = os.getloadavg()[0]
    res["elapsed_min"] = (time.time() - t0) / 60
    with open(os.path.join(a.cache, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    write_chart(res, os.path.join(docs, chart))
    write_markdown(a, res, a.out, chart)
    log(f"wrote {a.out} and {os.path.join(docs, chart)} in {res['elapsed_min']:.1f} min")


if __name__ == "__main__":
    main()
