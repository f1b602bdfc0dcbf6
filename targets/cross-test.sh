#!/usr/bin/env bash
# targets/cross-test.sh aarch64|armv7 [--full]
# targets/cross-test.sh sizes [host aarch64 armv7]
#
# Cross-builds edgeattn with the Debian cross toolchain and runs the tests
# under qemu-user (see targets/README.md):
#
#   aarch64  build-aarch64: every target. ctest under qemu twice, as
#            -cpu cortex-a53 (ARMv8.0: no fp16 arithmetic, no dot product)
#            and -cpu max (both), with kernels_variant_test checking which
#            kernel table the dispatcher picks on each; then the
#            cross-architecture check below. By default (CI) the two MiniLM
#            tests are left out (runtime_minilm_test, runtime_zero_alloc_test:
#            > 10 min each under qemu); --full runs them too.
#   armv7    build-armv7 (ARMv7-A + NEON + VFPv4): a fast subset, built and
#            run as -cpu cortex-a7 (no fp16, no dot product):
#              kernels_test kernels_variant_test runtime_stories260k_test
#            plus the cross-architecture check. --full builds everything and
#            runs the same tests as aarch64 --full.
#   sizes    stripped sizes of edgeattn-demo and of the runtime libraries,
#            Release (-O3) vs -DEDGEATTN_SIZE_OPT=ON, per target. Release
#            sizes come from build/, build-aarch64/, build-armv7/ (built when
#            missing); the size-optimized ones from build-<target>-size/.
#
# Cross-architecture check: stories260K is converted once by the x86-64
# edgeattn-convert (build/, built here when missing) and the same .eatn is
# run by the x86-64 and the ARM edgeattn-demo (greedy, 256 tokens); the
# outputs must be byte-identical to each other and to llama2.c's published
# text.
#
# Never run under qemu: tests/tools (tools_cli_test, tools_eval_test). They
# start edgeattn-convert/-demo/-eval with std::system(), i.e. through the
# host's /bin/sh, which cannot exec an ARM binary unless qemu's binfmt_misc
# handler is registered (it is not in CI containers). The cross-architecture
# check runs the demo through qemu explicitly instead.
#
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
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

# The x86-64 converter and demo: from build/ (scripts/test.sh builds it),
# else built here in build-host-tools/.
host_tools() {
  if [ -x build/bin/edgeattn-convert ] && [ -x build/bin/edgeattn-demo ]; then
    cmake --build build -j"$jobs" --target edgeattn-convert edgeattn-demo >/dev/null
    echo "$root/build/bin"
  else
    configure build-host-tools host -DEDGEATTN_BUILD_TESTS=OFF
    cmake --build build-host-tools -j"$jobs" --target edgeattn-convert edgeattn-demo >/dev/null
    echo "$root/build-host-tools/bin"
  fi
}

models="${EDGEATTN_MODELS:-$root/../shared/models}"

# cross_arch_check TARGET BUILD_DIR QEMU_CPU EXPECTED_KERNELS
cross_arch_check() {
  local t="$1" dir="$2" cpu="$3" kernels="$4"
  local bin="$models/stories260K/stories260K.bin" tok="$models/stories260K/tok512.bin"
  local want="$models/stories260K/greedy_t0_256steps.txt"
  if [ ! -f "$bin" ] || [ ! -f "$tok" ] || [ ! -f "$want" ]; then
    echo "cross-test: SKIPPED cross-architecture check: stories260K not in $models" >&2
    return 0
  fi
  local hostbin out
  hostbin="$(host_tools)"
  out="$dir/cross-arch"
  mkdir -p "$out"
  "$hostbin/edgeattn-convert" "$bin" --tokenizer "$tok" -o "$out/stories260K.eatn" --quiet >/dev/null
  "$hostbin/edgeattn-demo" "$out/stories260K.eatn" generate --max-tokens 256 --temperature 0 \
    >"$out/x86.txt" 2>"$out/x86.err"
  QEMU_CPU="$cpu" "$(qemu_of "$t")" -L "/usr/$(triple_of "$t")" \
    -E "LD_LIBRARY_PATH=$root/build-sysroots/$t/usr/lib/$(triple_of "$t")" \
    "$dir/bin/edgeattn-demo" "$out/stories260K.eatn" generate --max-tokens 256 --temperature 0 \
    >"$out/$t.txt" 2>"$out/$t.err"
  local ok=1
  cmp -s "$out/x86.txt" "$out/$t.txt" || { echo "cross-test: FAIL $t output differs from x86-64" >&2; ok=0; }
  cmp -s "$want" "$out/$t.txt" || { echo "cross-test: FAIL $t output differs from $want" >&2; ok=0; }
  grep -q "kernels $kernels " "$out/$t.err" || {
    echo "cross-test: FAIL $t demo did not report 'kernels $kernels':" >&2; cat "$out/$t.err" >&2; ok=0; }
  [ "$ok" = 1 ] || exit 1
  echo "cross-test: PASS stories260K converted on x86-64, greedy 256 tokens on $t (qemu -cpu $cpu," \
       "kernels $kernels) == x86-64 output == llama2.c text ($(wc -c <"$out/$t.txt") bytes)"
}

# run_ctest TARGET BUILD_DIR QEMU_CPU KERNELS FEATURES TABLES [ctest args...]
run_ctest() {
  local t="$1" dir="$2" cpu="$3" kernels="$4" features="$5" tables="$6"
  shift 6
  local t0
  t0="$(now)"
  echo "cross-test: ctest $t under qemu -cpu $cpu (expect kernels $kernels, features $features)"
  # EDGEATTN_TEST_QUICK=1: the heavy real-model tests sample less under
  # emulation (tests/support/model_paths.h quick_mode()).
  QEMU_CPU="$cpu" EDGEATTN_EXPECT_KERNELS="$kernels" EDGEATTN_EXPECT_CPU_FEATURES="$features" \
    EDGEATTN_EXPECT_TABLES="$tables" EDGEATTN_TEST_QUICK=1 \
    ctest --test-dir "$dir" --output-on-failure -j"$jobs" "$@"
  # Show the variant line from the variant test (proves which table ran).
  QEMU_CPU="$cpu" EDGEATTN_EXPECT_KERNELS="$kernels" EDGEATTN_EXPECT_CPU_FEATURES="$features" \
    EDGEATTN_EXPECT_TABLES="$tables" \
    ctest --test-dir "$dir" -R '^kernels_variant_test$' -V 2>/dev/null | grep -o 'edgeattn kernel variant:.*' || true
  echo "cross-test: ctest $t -cpu $cpu took $(elapsed "$t0")"
}

# ---- Expected dispatch per emulated CPU -------------------------------------
# kernels/dispatch.cc: "neon" (ARMv8.0 / ARMv7 NEON) and "neon_dotprod" (the
# NEON table with the SDOT int8 GEMM, AArch64 with HWCAP_ASIMDDP). There is
# no table using fp16 arithmetic yet; when one is added, name it here.
A53_KERNELS=neon;  A53_FEATURES="neon,!neon_fp16,!neon_dotprod"; A53_TABLES="reference,neon"
MAX_KERNELS=neon_dotprod; MAX_FEATURES="neon,neon_fp16,neon_dotprod"; MAX_TABLES="reference,neon,neon_dotprod"
A7_KERNELS=neon;   A7_FEATURES="neon,!neon_fp16,!neon_dotprod";  A7_TABLES="reference,neon"
ARMV7_SUBSET="kernels_test kernels_variant_test runtime_stories260k_test"
QEMU_EXCLUDE="tools_.*"
SLOW_UNDER_QEMU="runtime_minilm_test|runtime_zero_alloc_test|runtime_quantized_test"
if [ "$full" = 1 ]; then exclude="^($QEMU_EXCLUDE)\$"; else exclude="^($QEMU_EXCLUDE|$SLOW_UNDER_QEMU)\$"; fi

case "$target" in
  aarch64)
    need_tools aarch64
    t0="$(now)"
    targets/sysroot.sh aarch64
    configure build-aarch64 aarch64
    cmake --build build-aarch64 -j"$jobs"
    echo "cross-test: aarch64 build took $(elapsed "$t0")"
    run_ctest aarch64 build-aarch64 cortex-a53 "$A53_KERNELS" "$A53_FEATURES" "$A53_TABLES" -E "$exclude"
    # The heavy real-model tests (quick mode) run under -cpu max in CI too,
    # which covers every aarch64 kernel table; cortex-a53 runs the rest.
    run_ctest aarch64 build-aarch64 max "$MAX_KERNELS" "$MAX_FEATURES" "$MAX_TABLES" -E "^($QEMU_EXCLUDE)\$"
    cross_arch_check aarch64 build-aarch64 cortex-a53 "$A53_KERNELS"
    cross_arch_check aarch64 build-aarch64 max "$MAX_KERNELS"
    echo "cross-test: aarch64 total $(elapsed "$t0")"
    ;;
  armv7)
    need_tools armv7
    t0="$(now)"
    targets/sysroot.sh armv7
    configure build-armv7 armv7
    if [ "$full" = 1 ]; then
      cmake --build build-armv7 -j"$jobs"
      filter=(-E "$exclude")
    else
      # shellcheck disable=SC2086
      cmake --build build-armv7 -j"$jobs" --target $ARMV7_SUBSET edgeattn-demo
      filter=(-R "^(${ARMV7_SUBSET// /|})\$")
    fi
    echo "cross-test: armv7 build took $(elapsed "$t0")"
    run_ctest armv7 build-armv7 cortex-a7 "$A7_KERNELS" "$A7_FEATURES" "$A7_TABLES" "${filter[@]}"
    cross_arch_check armv7 build-armv7 cortex-a7 "$A7_KERNELS"
    echo "cross-test: armv7 total $(elapsed "$t0")"
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
    echo "usage: $0 aarch64|armv7 [--full] | sizes [host aarch64 armv7]" >&2
    exit 2
    ;;
esac
