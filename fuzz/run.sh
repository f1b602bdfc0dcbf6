#!/usr/bin/env bash
# Runs libFuzzer targets one after another from their seeds and kept
# regressions, for a fixed number of executions (or a time), prints each
# target's execution count and one summary line.
#
#   fuzz/run.sh BUILD_DIR --runs N [--max-seconds S] [--work DIR] [TARGET...]
#   fuzz/run.sh BUILD_DIR --seconds S [--work DIR] [TARGET...]
#                                                (default TARGET: every target)
#
# --runs N     each target runs exactly N executions (libFuzzer -runs=N; the
#              count includes the seed inputs). A target that ends with fewer
#              (its stat::number_of_executed_units < N, e.g. cut off by
#              --max-seconds or a FUZZ_ARGS flag) FAILS. CI uses this form.
# --max-seconds S  with --runs: stop a target after S seconds anyway (then it
#              fails, having run fewer than N).
# --seconds S  each target runs for S seconds, whatever it reaches (campaigns).
# --work DIR   corpus DIR/corpus/<target>/, logs DIR/<target>.log, crash inputs
#              DIR/artifacts/<target>/, summary DIR/summary.tsv (default
#              BUILD_DIR/fuzz: the corpus is kept between runs, so runs resume).
#
# Read: the committed seeds fuzz/seeds/<target>/, the generated seeds
# BUILD_DIR/fuzz/seeds/<target>/ (fuzz/make_model_seeds.sh) and the kept
# crash inputs fuzz/regressions/<target>/.
#
# Failures (exit 1; the other targets still run): a crash, leak, timeout,
# sanitizer report or failed check (the input is left in DIR/artifacts/<target>/);
# fewer executions than --runs; a target that could not start.
# A target whose real vocabulary is missing stops at start and lists where it
# looked (fuzz_support.cc): with CI=true or EDGEATTN_REQUIRE_MODELS=1 that is
# a FAILURE (the target exits 1); otherwise a loud SKIP (it exits 77; run.sh
# exits 0, but its summary line names the targets that were NOT fuzzed).
#
# Extra libFuzzer flags for every target go in FUZZ_ARGS (after ours, so
# they override them). The summary DIR/summary.tsv has one line per target:
# target result executions asked_runs wall_ms exec_per_s coverage corpus_units log
# One { } block: bash reads the whole file before running any of it, so the
# file can be edited while a long run is under way.
{
set -euo pipefail
cd "$(dirname "$0")/.."
all_targets=(model_load_fuzzer wordpiece_fuzzer spm_bpe_fuzzer byte_level_bpe_fuzzer safetensors_fuzzer
             gguf_fuzzer llama2c_fuzzer ct2_fuzzer wav_fuzzer onnx_import_fuzzer)
usage() {
  echo "usage: fuzz/run.sh BUILD_DIR --runs N [--max-seconds S] [--work DIR] [TARGET...]" >&2
  echo "       fuzz/run.sh BUILD_DIR --seconds S [--work DIR] [TARGET...]" >&2
  echo "targets: ${all_targets[*]}" >&2
  exit 2
}
is_count() { [[ "${1:-}" =~ ^[1-9][0-9]*$ ]]; }

[ $# -ge 1 ] || usage
build="$1"
shift
runs=""
seconds=""
max_seconds=""
work="$build/fuzz"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) is_count "${2:-}" || usage; runs="$2"; shift 2 ;;
    --seconds) is_count "${2:-}" || usage; seconds="$2"; shift 2 ;;
    --max-seconds) is_count "${2:-}" || usage; max_seconds="$2"; shift 2 ;;
    --work) [ -n "${2:-}" ] || usage; work="$2"; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "fuzz/run.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
if [ -n "$runs" ] && [ -n "$seconds" ]; then echo "fuzz/run.sh: --runs and --seconds exclude each other" >&2; usage; fi
if [ -z "$runs" ] && [ -z "$seconds" ]; then
  echo "fuzz/run.sh: say how long: --runs N (executions per target) or --seconds S" >&2
  usage
fi
if [ -n "$max_seconds" ] && [ -z "$runs" ]; then echo "fuzz/run.sh: --max-seconds goes with --runs" >&2; usage; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz/run.sh: unknown target $t" >&2; usage; }
done

# Models required: CI=true (any value but "", "0", "false") or
# EDGEATTN_REQUIRE_MODELS=1 (scripts/models-required.sh; the fuzzers ask
# testing::models_required(), the same rule, and then exit 1 instead of 77).
require_models=0
scripts/models-required.sh && require_models=1

# Files are mutated up to 64 KB, text up to 4 KB.
declare -A max_len=([model_load_fuzzer]=65536 [safetensors_fuzzer]=65536 [gguf_fuzzer]=65536
                    [llama2c_fuzzer]=65536 [ct2_fuzzer]=65536 [onnx_import_fuzzer]=65536)
mkdir -p "$work"
summary="$work/summary.tsv"
: >"$summary"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
n_ok=0
failed=()
skipped=()
total_execs=0
start_all="$(now_ms)"
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  corpus="$work/corpus/$t"
  artifacts="$work/artifacts/$t"
  log="$work/$t.log"
  mkdir -p "$corpus" "$artifacts"
  dirs=("$corpus")
  for d in "fuzz/seeds/$t" "$build/fuzz/seeds/$t" "fuzz/regressions/$t"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  if [ -n "$runs" ]; then
    limit=(-runs="$runs")
    [ -n "$max_seconds" ] && limit+=(-max_total_time="$max_seconds")
    echo "== $t: $runs executions from ${dirs[*]}"
  else
    limit=(-max_total_time="$seconds")
    echo "== $t: ${seconds}s from ${dirs[*]}"
  fi
  rc=0
  execs=""
  t0="$(now_ms)"
  if [ ! -x "$bin" ]; then
    echo "fuzz/run.sh: $bin not built (cmake --build $build --target fuzzers)" >"$log"
    rc=127
  else
    # -error_exitcode=1: libFuzzer's default (77) is ctest's "skipped" code,
    # and would make an abort() (failed check, uncaught exception) look like
    # a missing model.
    # shellcheck disable=SC2086  # FUZZ_ARGS holds several flags
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}" \
      "$bin" "${dirs[@]}" "${limit[@]}" -max_len="${max_len[$t]:-4096}" \
      -rss_limit_mb=2048 -timeout=10 -error_exitcode=1 -print_final_stats=1 -artifact_prefix="$artifacts/" \
      ${FUZZ_ARGS:-} >"$log" 2>&1 || rc=$?
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  fi
  wall_ms=$(($(now_ms) - t0))
  [ "$wall_ms" -gt 0 ] || wall_ms=1
  execs="${execs:-0}"
  total_execs=$((total_execs + execs))
  rate=$((execs * 1000 / wall_ms))
  # Coverage (edges) and corpus size from libFuzzer's last status line.
  status_line="$(grep -E '^#[0-9]+[[:space:]]+(INITED|NEW|REDUCE|pulse|DONE|RELOAD)' "$log" | tail -1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status_line")"
  corp="$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$status_line")"
  secs="$((wall_ms / 1000)).$(printf '%01d' $((wall_ms % 1000 / 100)))"
  counts="$execs executions in ${secs} s ($rate exec/s), coverage ${cov:-?} edges, corpus ${corp:-?}"
  model_missing=0
  if [ "$rc" = 77 ] || [ "$rc" = 1 ]; then
    grep -qE '^\*\*\* (SKIPPED|FAILED): model' "$log" && model_missing=1
  fi
  if [ "$model_missing" = 1 ]; then
    grep '^\*\*\*' "$log" | sed 's/^/   /'
    if [ "$require_models" = 1 ]; then
      result=model-missing
      echo "   FAILED: model missing, and models are required here (CI=${CI:-} EDGEATTN_REQUIRE_MODELS=${EDGEATTN_REQUIRE_MODELS:-}); log: $log"
      failed+=("$t(model missing)")
    else
      result=skipped
      echo "   SKIPPED: model missing: $t was NOT fuzzed (with CI=true or EDGEATTN_REQUIRE_MODELS=1 this fails); log: $log"
      skipped+=("$t")
    fi
  elif [ "$rc" = 127 ] && [ ! -x "$bin" ]; then
    result=not-built
    echo "   FAILED: $bin not built (cmake --build $build --target fuzzers)"
    failed+=("$t(not built)")
  elif [ "$rc" != 0 ]; then
    result=crash
    echo "   FAILED (exit $rc) after $counts; log: $log"
    grep -E "ERROR|SUMMARY|fuzz check failed|deadly signal|Test unit written|not built" "$log" | head -20 | sed 's/^/   /' || true
    failed+=("$t")
  elif [ -n "$runs" ] && [ "$execs" -lt "$runs" ]; then
    result=short
    echo "   FAILED: only $counts; $runs were asked; log: $log"
    failed+=("$t(short)")
  else
    result=ok
    echo "   ok: $counts; no crash, leak or timeout"
    n_ok=$((n_ok + 1))
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$result" "$execs" "${runs:--}" "$wall_ms" "$rate" \
    "${cov:--}" "${corp:--}" "$log" >>"$summary"
done
total_s=$((($(now_ms) - start_all) / 1000))
if [ -n "$runs" ]; then what="$runs executions per target"; else what="${seconds} s per target"; fi
line="${#targets[@]} targets, $what: $n_ok ok, ${#failed[@]} failed${failed:+ (${failed[*]})}, ${#skipped[@]} skipped${skipped:+ (${skipped[*]}: NOT fuzzed)}; $total_execs executions in ${total_s} s"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz/run.sh: FAIL: $line"
  exit 1
fi
echo "fuzz/run.sh: PASS: $line"
exit
}
