#!/usr/bin/env bash
# RapidOCR's PP-OCR pipeline, edgeattn's TextReader against RapidOCR 1.4.4's
# own (Python + onnxruntime), side by side in one run (issue #16 item 5;
# docs/benchmarks.md):
#
#   bench/ocr_compare.sh [--threads 1,2] [--runs 5]
#
# Builds edgeattn-convert and edgeattn-bench in $EDGEATTN_BENCH_BUILD
# (default build-bench, Release), converts ~/.cache/edgeattn/models/rapidocr
# (scripts/fetch-models.sh) to fp32 in $EDGEATTN_CACHE/bench/ocr, then runs
# bench/ocr_compare.py with the python bench/peer_python.sh picks
# ($EDGEATTN_PYTHON, else $EDGEATTN_CACHE/bench-venv, else python3; it needs
# numpy, Pillow, onnxruntime,
# opencv-python-headless, pyclipper, shapely, pyyaml, six). Run it on an
# otherwise idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EDGEATTN_BENCH_BUILD:-$root/build-bench}"
cache="${EDGEATTN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn}"
models="${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models"
source "$root/bench/peer_python.sh"
python="$(peer_python numpy PIL onnxruntime cv2 pyclipper shapely yaml six)" || exit 1
work="$cache/bench/ocr"
mkdir -p "$work"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release > "$work/cmake-configure.log"
cmake --build "$build" -j"$(nproc)" --target edgeattn-convert edgeattn-bench > "$work/cmake-build.log" 2>&1 || {
  tail -40 "$work/cmake-build.log" >&2
  echo "ocr_compare: build failed (log: $work/cmake-build.log)" >&2
  exit 1
}
"$build/bin/edgeattn-convert" "$models/rapidocr/models" -o "$work/ocr-fp32.eatn" --quiet
"$python" "$root/bench/ocr_compare.py" --bench "$build/bin/edgeattn-bench" --model "$work/ocr-fp32.eatn" \
  --peer "$models/rapidocr" --work "$work" "$@"
