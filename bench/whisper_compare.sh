#!/usr/bin/env bash
# Whisper tiny.en, edgeattn against CTranslate2, side by side in one run
# (issue #14 item 5; the "Whisper tiny.en" section of docs/benchmarks.md):
#
#   bench/whisper_compare.sh [--rounds 5] [--runs 2] [--threads 1,2] [--int8-kv int8]
#
# 1. builds edgeattn-convert and edgeattn-bench in $EDGEATTN_BENCH_BUILD
#    (default build-bench, Release);
# 2. converts $EDGEATTN_WHISPER_CT2 (default ~/.cache/edgeattn/models/
#    whisper-tiny.en-ct2, scripts/fetch-models.sh) to fp32 and int8 .eatn
#    files in $EDGEATTN_CACHE/bench/whisper (again whenever the converter is newer);
# 3. runs bench/whisper_compare.py with the python bench/peer_python.sh
#    picks ($EDGEATTN_PYTHON, else $EDGEATTN_CACHE/bench-venv, else python3;
#    it needs ctranslate2 and numpy): edgeattn-bench and bench/peers/whisper_ct2.py alternately on
#    beckett.wav x 3 (29.9 s), then the per-op profile. Prints the markdown
#    section and writes it into docs/benchmarks.md (between the
#    whisper-compare markers, which bench/run_all.sh keeps); raw results in
#    $EDGEATTN_CACHE/bench/whisper/results.json.
# Run it on an otherwise idle machine: it measures latency.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EDGEATTN_BENCH_BUILD:-$root/build-bench}"
cache="${EDGEATTN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn}"
ct2="${EDGEATTN_WHISPER_CT2:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models/whisper-tiny.en-ct2}"
models="${EDGEATTN_MODELS:-$root/../shared/models}"
wav="$models/whisper/beckett.wav"
source "$root/bench/peer_python.sh"
python="$(peer_python numpy ctranslate2)" || exit 1
work="$cache/bench/whisper"
mkdir -p "$work"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release > "$work/cmake-configure.log"
cmake --build "$build" -j"$(nproc)" --target edgeattn-convert edgeattn-bench > "$work/cmake-build.log" 2>&1 || {
  tail -40 "$work/cmake-build.log" >&2
  echo "whisper_compare: build failed (log: $work/cmake-build.log)" >&2
  exit 1
}
# int8 without SmoothQuant: its calibration does not run the Whisper
# methods yet ("smoothing: calibration invoke failed"); per-row int8 weights
# and per-token activations as CTranslate2's int8.
for dtype in fp32 int8; do
  out="$work/whisper-$dtype.eatn"
  extra=()
  if [ "$dtype" = int8 ]; then extra=(--no-smooth); fi
  if [ ! -f "$out" ] || [ "$build/bin/edgeattn-convert" -nt "$out" ]; then
    "$build/bin/edgeattn-convert" "$ct2" -o "$out" --dtype "$dtype" "${extra[@]}" --quiet
  fi
done
echo "whisper_compare: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$python" "$root/bench/whisper_compare.py" --bench "$build/bin/edgeattn-bench" --models "$work" --ct2 "$ct2" \
  --wav "$wav" --out "$work/results.json" --doc "$root/docs/benchmarks.md" "$@"
