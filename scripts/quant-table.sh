#!/usr/bin/env bash
# scripts/quant-table.sh [WORK_DIR]
#
# The fp32 / fp16 / int8 table of docs/quantization.md (issue #4), from one
# run: converts stories260K, all-MiniLM-L6-v2 and a synthetic ~110 M Llama
# (scripts/make_synthetic_llama.py, needs numpy) into each dtype, measures
# fidelity with edgeattn-eval against fp32 and speed with edgeattn-bench
# (one thread), side by side, and prints markdown tables with the ratios.
# int8 speed is measured twice when the CPU has a VNNI table: with the table
# the dispatcher picks and with --kernels avx2, so both kinds of x86 host
# are represented.
#
# Needs build/bin/{edgeattn-convert,edgeattn-eval,edgeattn-bench}. Converted
# files are cached in WORK_DIR (default ~/.cache/edgeattn/quant-table);
# delete it to reconvert. Takes ~10 min on 2 cores, most of it the 110 M model.
# Run it on an otherwise idle machine: the figures are wall-clock medians.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin
work="${1:-$HOME/.cache/edgeattn/quant-table}"
mkdir -p "$work"
py="${PYTHON:-python3}"

stories="${EDGEATTN_MODELS:-../shared/models}/stories260K"
minilm="${EDGEATTN_MINILM:-$HOME/.cache/edgeattn/models/all-MiniLM-L6-v2}"
[ -f "$stories/stories260K.bin" ] || { echo "quant-table: $stories/stories260K.bin missing" >&2; exit 1; }
[ -f "$minilm/config.json" ] || scripts/fetch-models.sh
for t in edgeattn-convert edgeattn-eval edgeattn-bench; do
  [ -x "$bin/$t" ] || { echo "quant-table: build $bin/$t first (cmake --build build)" >&2; exit 1; }
done

convert() {  # SRC OUT DTYPE [extra args]
  local src="$1" out="$2" dtype="$3"; shift 3
  [ -f "$out" ] || "$bin/edgeattn-convert" "$src" -o "$out" --dtype "$dtype" --quiet "$@"
}

for d in fp32 fp16 int8; do
  convert "$stories/stories260K.bin" "$work/stories_$d.eatn" "$d" --tokenizer "$stories/tok512.bin"
  convert "$minilm" "$work/minilm_$d.eatn" "$d"
done
if [ ! -f "$work/synth_fp32.eatn" ] || [ ! -f "$work/synth_int8.eatn" ] || [ ! -f "$work/synth_fp16.eatn" ]; then
  [ -f "$work/synth/config.json" ] || "$py" scripts/make_synthetic_llama.py "$work/synth"
  for d in fp32 fp16 int8; do
    convert "$work/synth" "$work/synth_$d.eatn" "$d" --tokenizer "$work/synth/tokenizer.bin"
  done
  rm -rf "$work/synth"  # 537 MB of safetensors; the .eatn files are what is measured
fi

json="$work/json"
mkdir -p "$json"
for m in stories minilm; do
  for d in fp16 int8; do
    "$bin/edgeattn-eval" "$work/${m}_fp32.eatn" "$work/${m}_$d.eatn" --json > "$json/eval_${m}_$d.json"
  done
done
vnni=""
for k in avx512vnni avxvnni; do
  if "$bin/edgeattn-bench" "$work/stories_fp32.eatn" --runs 1 --kernels "$k" > /dev/null 2>&1; then vnni="$k"; break; fi
done
for m in minilm synth; do
  for d in fp32 fp16 int8; do
    "$bin/edgeattn-bench" "$work/${m}_$d.eatn" --json --runs 5 > "$json/bench_${m}_$d.json"
  done
  if [ -n "$vnni" ]; then
    "$bin/edgeattn-bench" "$work/${m}_int8.eatn" --json --runs 5 --kernels avx2 > "$json/bench_${m}_int8_avx2.json"
  fi
done

"$py" - "$work" "$json" <<'EOF'
import json, os, sys
work, jd = sys.argv[1], sys.argv[2]
def load(name):
    p = os.path.join(jd, name + ".json")
    return json.load(open(p)) if os.path.exists(p) else None
def size(m, d): return os.path.getsize(os.path.join(work, f"{m}_{d}.eatn"))
print("### Fidelity and size (edgeattn-eval against fp32)\n")
print("| model | dtype | file bytes (ratio) | fidelity |\n|---|---|---|---|")
for m, label in (("minilm", "all-MiniLM-L6-v2"), ("stories", "stories260K")):
    print(f"| {label} | fp32 | {size(m, 'fp32'):,} (1) | - |")
    for d in ("fp16", "int8"):
        e = load(f"eval_{m}_{d}")
        r = size(m, d) / size(m, "fp32")
        if e["kind"] == "encoder":
            fid = f"cosine mean {e['cosine_mean']:.7f}, min {e['cosine_min']:.7f} ({e['sentences']} sentences)"
        else:
            fid = (f"top-1 agreement {e['top1_agreement']:.4f} over {e['tokens']} tokens, "
                   f"perplexity {e['ppl_candidate']:.4f} vs {e['ppl_reference']:.4f} (x{e['ppl_ratio']:.4f})")
        print(f"| | {d} | {size(m, d):,} ({r:.3f}) | {fid} |")
print()
kern = {}
def enc_ms(b, seq, batch):
    for row in b["encoder"]:
        if row["seq"] == seq and row["batch"] == batch: return row["latency"]["median_ms"]
    return None
print("### Speed, one thread (edgeattn-bench medians, one run)\n")
cols = ["fp32", "fp16", "int8"]
has_avx2 = load("bench_minilm_int8_avx2") is not None
hdr = "| | fp32 | fp16 | int8 |" + (" int8 (avx2 table) |" if has_avx2 else "") + " int8 / fp32 | fp16 / fp32 |" + (" int8 avx2 / fp32 |" if has_avx2 else "")
print(hdr); print("|" + "---|" * (hdr.count("|") - 1))
def line(label, vals, higher_better):
    f32 = vals["fp32"]
    cells = [f"{vals[c]:.2f}" for c in cols] + ([f"{vals['int8_avx2']:.2f}"] if has_avx2 else [])
    ratio = (lambda v: v / f32) if higher_better else (lambda v: f32 / v)
    cells += [f"{ratio(vals['int8']):.2f}x", f"{ratio(vals['fp16']):.2f}x"] + ([f"{ratio(vals['int8_avx2']):.2f}x"] if has_avx2 else [])
    print(f"| {label} | " + " | ".join(cells) + " |")
names = cols + (["int8_avx2"] if has_avx2 else [])
b = {c: load(f"bench_minilm_{c}") for c in names}
kern = b["int8"]["kernels"]
for seq, batch in ((16, 1), (128, 1), (128, 8)):
    line(f"MiniLM batch {batch} x seq {seq} (ms)", {c: enc_ms(b[c], seq, batch) for c in names}, False)
s = {c: load(f"bench_synth_{c}") for c in names}
line("Llama 110 M decode (tok/s)", {c: s[c]["decoder"]["decode_tokens_per_s"] for c in names}, True)
line(f"Llama 110 M prefill {s['fp32']['decoder']['prompt_tokens']} (tok/s)", {c: s[c]["decoder"]["prefill_tokens_per_s"] for c in names}, True)
print()
print("| peak RSS (MiB) | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
for m, bb in (("MiniLM", b), ("Llama 110 M", s)):
    print(f"| {m} | " + " | ".join(f"{bb[c]['peak_rss_bytes'] / 2**20:.0f}" for c in names) + " |")
print(f"\nkernels: {kern} (int8 default table); host load before the runs {b['fp32'].get('loadavg_1m', '?')}")
EOF
