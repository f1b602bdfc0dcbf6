#!/usr/bin/env bash
# The synthetic 110 M Llama (scripts/make_synthetic_llama.py): edgeattn fp32 /
# fp16 / int8 / int4 decode and prefill against llama.cpp on GGUF F32 / Q8_0 /
# Q4_1 of the same weights (int4: converted from that Q4_1 file, its blocks
# kept: the same weights bit for bit), 1 and 2 threads, side by side in one run, with each decode as
# a share of the machine's read bandwidth (issue #18 item 2; docs/decode.md):
#
#   bench/decode_compare.sh [--threads 1,2] [--runs 3] [--rounds 3]
#
# Builds the tools in $EDGEATTN_BENCH_BUILD (default build-bench, Release);
# makes the model, its .eatn conversions and GGUF files (bench/peers/
# llama_gguf.py) once in $EDGEATTN_CACHE/bench/decode; runs
# bench/decode_compare.py with $EDGEATTN_PYTHON (default: bench/run_all.sh's
# venv $EDGEATTN_CACHE/bench-venv, which has numpy, gguf and
# llama-cpp-python; run bench/run_all.sh once to make it). Run it on an
# otherwise idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EDGEATTN_BENCH_BUILD:-$root/build-bench}"
cache="${EDGEATTN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn}"
python="${EDGEATTN_PYTHON:-$cache/bench-venv/bin/python}"
if ! "$python" -c "import llama_cpp, numpy, gguf" 2>/dev/null; then
  echo "decode_compare: $python lacks llama_cpp, numpy or gguf (bench/run_all.sh makes that venv)" >&2
  exit 2
fi
work="$cache/bench/decode"
mkdir -p "$work"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release > "$work/cmake-configure.log"
cmake --build "$build" -j"$(nproc)" --target edgeattn-convert edgeattn-bench edgeattn-machine-limits \
  > "$work/cmake-build.log" 2>&1 || {
  tail -40 "$work/cmake-build.log" >&2
  echo "decode_compare: build failed (log: $work/cmake-build.log)" >&2
  exit 1
}
synth="$work/synth"
[ -f "$synth/model.safetensors" ] || "$python" "$root/scripts/make_synthetic_llama.py" "$synth" > /dev/null
for dtype in fp32 fp16 int8; do
  out="$work/synth-$dtype.eatn"
  if [ ! -f "$out" ] || [ "$build/bin/edgeattn-convert" -nt "$out" ]; then
    "$build/bin/edgeattn-convert" "$synth" --tokenizer "$synth/tokenizer.bin" --dtype "$dtype" -o "$out" --quiet
  fi
done
for g in f32 q8_0 q4_1; do
  [ -f "$work/synth-$g.gguf" ] || "$python" "$root/bench/peers/llama_gguf.py" hf "$synth" "$synth/tokenizer.bin" \
    "$work/synth-$g.gguf" "$g" > /dev/null
done
if [ ! -f "$work/synth-int4.eatn" ] || [ "$build/bin/edgeattn-convert" -nt "$work/synth-int4.eatn" ]; then
  "$build/bin/edgeattn-convert" "$work/synth-q4_1.gguf" --dtype int4 -o "$work/synth-int4.eatn" --quiet
fi
"$python" "$root/bench/decode_compare.py" --build "$build" --work "$work" "$@"
