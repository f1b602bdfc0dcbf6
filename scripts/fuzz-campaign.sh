#!/usr/bin/env bash
# A long fuzz campaign, reproducibly, and its record.
#
#   scripts/fuzz-campaign.sh [--runs N | --seconds S] [--max-seconds S] [--resume]
#                            [--record FILE] [TARGET...]
#
# Default: every target, 1,000,000 executions each (fuzz/run.sh --runs), one
# after another, each from its seeds and kept regressions only (a fresh corpus
# in build-fuzz/fuzz/campaign/; --resume keeps the previous campaign's corpus).
# --max-seconds S caps each target; a target cut off by it is recorded as
# "short" with the executions it did run (and the campaign as failed).
# Models are required (EDGEATTN_REQUIRE_MODELS=1): a target whose vocabulary
# is missing fails instead of being skipped.
#
# Steps: builds build-fuzz (clang, ASan+UBSan; configured like scripts/test.sh)
# if needed; writes the model loader's seeds with fuzz/make_model_seeds.sh from
# the normal build `build` (its runtime_bad_model_test and edgeattn-convert:
# waits up to EDGEATTN_CAMPAIGN_WAIT seconds, default 600, for another build to
# produce them, then builds only those two with -j1); runs fuzz/run.sh; writes
# the record (default fuzz/CAMPAIGN.md) from run.sh's own summary: commit and
# uncommitted files, dates, machine, per target executions, wall time,
# exec/s, coverage, corpus, result. Exit status: run.sh's.
#
# On a shared machine run it as `nice -n 19 scripts/fuzz-campaign.sh`.
# A crash input is left in build-fuzz/fuzz/campaign/artifacts/<target>/: after
# fixing the bug, keep it in fuzz/regressions/<target>/ (fuzz/README.md).
# One { } block: bash reads the whole file before running any of it, so the
# file can be edited while a long run is under way.
{
set -euo pipefail
cd "$(dirname "$0")/.."
usage() {
  echo "usage: scripts/fuzz-campaign.sh [--runs N | --seconds S] [--max-seconds S] [--resume] [--record FILE] [TARGET...]" >&2
  exit 2
}
runs=1000000
seconds=""
max_seconds=""
resume=0
record="fuzz/CAMPAIGN.md"
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) [ -n "${2:-}" ] || usage; runs="$2"; seconds=""; shift 2 ;;
    --seconds) [ -n "${2:-}" ] || usage; seconds="$2"; runs=""; shift 2 ;;
    --max-seconds) [ -n "${2:-}" ] || usage; max_seconds="$2"; shift 2 ;;
    --resume) resume=1; shift ;;
    --record) [ -n "${2:-}" ] || usage; record="$2"; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "fuzz-campaign: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
targets=("$@")
fuzz_build=build-fuzz
normal_build=build
work="$fuzz_build/fuzz/campaign"
export EDGEATTN_REQUIRE_MODELS=1
log() { echo "== fuzz-campaign: $*"; }

# 1. The normal build's seed writers (another engineer may be building there).
need=("$normal_build/tests/runtime_bad_model_test" "$normal_build/bin/edgeattn-convert")
have_tools() { [ -x "${need[0]}" ] && [ -x "${need[1]}" ]; }
if ! have_tools; then
  wait_s="${EDGEATTN_CAMPAIGN_WAIT:-600}"
  log "waiting up to ${wait_s}s for ${need[*]}"
  waited=0
  while ! have_tools && [ "$waited" -lt "$wait_s" ]; do
    sleep 10
    waited=$((waited + 10))
  done
fi
if ! have_tools; then
  [ -f "$normal_build/CMakeCache.txt" ] || cmake -S . -B "$normal_build" -DCMAKE_BUILD_TYPE=Release
  log "building runtime_bad_model_test edgeattn-convert in $normal_build (-j1)"
  cmake --build "$normal_build" -j1 --target runtime_bad_model_test edgeattn-convert
fi

# 2. The fuzz build (configured exactly like scripts/test.sh's fuzz stage).
if [ ! -f "$fuzz_build/CMakeCache.txt" ]; then
  cmake -S . -B "$fuzz_build" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DEDGEATTN_FUZZ=ON \
    -DEDGEATTN_SANITIZE=ON -DEDGEATTN_BUILD_BENCH=OFF -DEDGEATTN_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
log "building the fuzzers in $fuzz_build"
cmake --build "$fuzz_build" -j"${JOBS:-$(nproc)}" --target fuzzers
# What the binaries were built from.
commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
# Tracked files that differ from the commit: those the fuzzers are built from
# by name, the rest (tests, docs, scripts) counted.
changed="$(git status --porcelain --untracked-files=no 2>/dev/null | awk '{print $NF}' | grep -vxF "$record" || true)"
dirty_code="$(grep -E '^(runtime|kernels|converter|schema|fuzz|cmake)/|^CMakeLists.txt$|^tests/support/model_paths' \
  <<<"$changed" | tr '\n' ' ' || true)"
dirty_other="$(grep -cvE '^(runtime|kernels|converter|schema|fuzz|cmake)/|^CMakeLists.txt$|^tests/support/model_paths|^$' \
  <<<"$changed" || true)"

# 3. Seeds, then the campaign.
fuzz/make_model_seeds.sh "$fuzz_build" "$normal_build"
if [ "$resume" = 0 ]; then rm -rf "$work"; fi
mkdir -p "$work"
if [ -n "$runs" ]; then how=(--runs "$runs"); else how=(--seconds "$seconds"); fi
[ -n "$max_seconds" ] && how+=(--max-seconds "$max_seconds")
start_utc="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
t0="$(date +%s)"
log "fuzz/run.sh $fuzz_build ${how[*]} --work $work ${targets[*]:-} (log: $work/run.log)"
rc=0
fuzz/run.sh "$fuzz_build" "${how[@]}" --work "$work" "${targets[@]}" 2>&1 | tee "$work/run.log" || rc=$?
wall=$(($(date +%s) - t0))
end_utc="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# 4. The record, from run.sh's summary.
cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
[ -n "$cpu" ] || cpu="$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1)"
clang_version="$(clang --version | head -1)"
verdict="$(tail -1 "$work/run.log")"
fmt() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }   # 1000000 -> 1,000,000
tmp="$(mktemp)"
{
  echo "# Last long fuzz campaign"
  echo
  echo "Written by \`scripts/fuzz-campaign.sh\` from its own run (fuzz/run.sh's summary);"
  echo "not edited by hand. Rerun it to replace this file."
  echo
  if [ -z "$changed" ]; then
    echo "- commit: \`$commit\` (clean working tree)"
  else
    echo "- commit: \`$commit\` plus uncommitted changes when the fuzzers were built:" \
         "${dirty_code:+code: \`${dirty_code% }\`; }${dirty_other:-0} other files (tests, docs, scripts)"
  fi
  echo "- ran: $start_utc to $end_utc ($((wall / 60)) min $((wall % 60)) s)"
  echo "- command: \`scripts/fuzz-campaign.sh${args[*]:+ ${args[*]}}\`, niceness $(nice), each target from its seeds and regressions$([ "$resume" = 1 ] && echo ", resuming the previous campaign's corpus" || echo " (fresh corpus)")"
  if [ -n "$runs" ]; then echo "- asked: $(fmt "$runs") executions per target${max_seconds:+, at most $max_seconds s each}"
  else echo "- asked: $seconds s per target"; fi
  echo "- machine: $cpu, $(nproc) CPUs, load average $load_start at the start, $load_end at the end (shared with other jobs)"
  echo "- build: $fuzz_build, $clang_version, libFuzzer + ASan + UBSan, RelWithDebInfo"
  echo "- result: ${verdict#fuzz/run.sh: }"
  echo
  echo "| target | executions | wall time | exec/s | coverage (edges) | corpus at the end | result |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  while IFS=$'\t' read -r t result execs _asked wall_ms rate cov corp _log; do
    echo "| $t | $(fmt "$execs") | $((wall_ms / 1000)).$((wall_ms % 1000 / 100)) s | $(fmt "$rate") | $cov | $corp | $result |"
  done <"$work/summary.tsv"
  echo
  echo "Result \`ok\`: ran every execution asked, no crash, leak, timeout, sanitizer"
  echo "report or failed check. Others: \`crash\` (input in \`$work/artifacts/<target>/\`),"
  echo "\`short\` (fewer executions than asked), \`model-missing\`, \`not-built\`."
} >"$tmp"
mv "$tmp" "$record"
log "record written to $record"
cat "$record"
exit "$rc"
}
