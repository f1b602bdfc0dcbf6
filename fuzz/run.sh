#!/usr/bin/env bash
# Runs libFuzzer targets one after another, each for SECONDS, from its seeds
# and kept regressions, and prints each one's execution count.
#
#   fuzz/run.sh BUILD_DIR SECONDS [TARGET...]      (default: every target)
#
# CI (scripts/test.sh) runs every target for a short time; long campaigns
# use the same command with a larger SECONDS (fuzz/README.md). New coverage
# goes to BUILD_DIR/fuzz/corpus/<target>/ (kept between runs, so campaigns
# resume); the committed seeds fuzz/seeds/<target>/, the build-time seeds
# BUILD_DIR/fuzz/seeds/<target>/ and fuzz/regressions/<target>/ are read.
# A crash, leak, timeout or sanitizer report stops the run with a non-zero
# exit and leaves the input as BUILD_DIR/fuzz/artifacts/<target>/crash-*.
# A target whose real vocabulary is missing exits 77 at start: reported as
# skipped (like the tests), not failed.
# Options for every run can be added with FUZZ_ARGS (e.g. FUZZ_ARGS=-runs=1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}"
seconds="${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]}"
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(model_load_fuzzer wordpiece_fuzzer spm_bpe_fuzzer byte_level_bpe_fuzzer safetensors_fuzzer
           gguf_fuzzer llama2c_fuzzer)
fi

# The model loader mutates whole model files: larger inputs, slower runs.
declare -A max_len=([model_load_fuzzer]=65536 [safetensors_fuzzer]=65536 [gguf_fuzzer]=65536
                    [llama2c_fuzzer]=65536)
status=0
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  [ -x "$bin" ] || { echo "fuzz/run.sh: $bin not built (cmake --build $build --target fuzzers)"; exit 1; }
  corpus="$build/fuzz/corpus/$t"
  artifacts="$build/fuzz/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  dirs=("$corpus")
  for d in "fuzz/seeds/$t" "$build/fuzz/seeds/$t" "fuzz/regressions/$t"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  log="$build/fuzz/$t.log"
  echo "== $t: ${seconds}s from ${dirs[*]}"
  set +e
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}" \
    "$bin" "${dirs[@]}" -max_total_time="$seconds" -max_len="${max_len[$t]:-4096}" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    ${FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  set -e
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  if [ "$rc" = 77 ]; then
    echo "   SKIPPED (vocabulary not found; see $log)"
  elif [ "$rc" != 0 ]; then
    echo "   FAILED (exit $rc) after ${execs:-?} executions; log: $log"
    grep -E "ERROR|SUMMARY|fuzz check failed|Test unit written" "$log" | head -20 || true
    status=1
  else
    echo "   ok: ${execs} executions, no crash, leak or timeout"
  fi
done
exit "$status"
