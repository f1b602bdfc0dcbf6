#!/usr/bin/env bash
# The one command that regenerates docs/benchmarks.md and docs/benchmarks-latency.png:
#
#   bench/run_all.sh [--quick] [--threads 1,2]
#
# 1. configures and builds the benchmark tools (Release, benchmarks on, tests
#    off) in $EDGEATTN_BENCH_BUILD (default: build-bench);
# 2. makes the Python venv $EDGEATTN_CACHE/bench-venv once (onnx, onnxruntime,
#    numpy, matplotlib, safetensors, tokenizers, gguf from PyPI, and
#    llama-cpp-python compiled from source for this CPU; if that install
#    fails, the log is kept and the report says llama.cpp could not be run;
#    EDGEATTN_RETRY_LLAMA=1 builds and installs it again);
# 3. fetches MiniLM if missing (scripts/fetch-models.sh);
# 4. runs bench/report.py, which converts/caches the models under
#    $EDGEATTN_CACHE/bench and measures everything (see its docstring).
# Run it on an otherwise idle machine: it measures latency.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${EDGEATTN_BENCH_BUILD:-$root/build-bench}"
cache="${EDGEATTN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn}"
venv="$cache/bench-venv"
work="$cache/bench"
mkdir -p "$work"

echo "run_all: building tools in $build" >&2
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DEDGEATTN_BUILD_BENCH=ON -DEDGEATTN_BUILD_TESTS=OFF \
  > "$work/cmake-configure.log"
cmake --build "$build" -j"$(nproc)" --target edgeattn-convert edgeattn-demo edgeattn-bench \
  edgeattn-bench-kernels edgeattn-machine-limits > "$work/cmake-build.log" 2>&1 || {
  tail -40 "$work/cmake-build.log" >&2
  echo "run_all: build failed (log: $work/cmake-build.log)" >&2
  exit 1
}

# llama.cpp for this CPU. -march=native, except on CPUs with AMX: llama.cpp's
# AMX int8 matmul (ggml_backend_amx_mul_mat) segfaulted on Q8_0 models on a
# Sapphire Rapids VM, so there the build names the ISA extensions the CPU has
# (AVX-512, VNNI, ...) one by one and leaves AMX out.
llama_cmake_args() {
  local args="-DGGML_BLAS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_TESTS=OFF"
  local flags
  flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
  if [[ "$flags" != *" amx_int8 "* ]]; then
    echo "$args -DGGML_NATIVE=ON"
    return
  fi
  args="$args -DGGML_NATIVE=OFF"
  local pair
  for pair in avx:AVX avx2:AVX2 fma:FMA f16c:F16C bmi2:BMI2 avx_vnni:AVX_VNNI avx512f:AVX512 \
      avx512vbmi:AVX512_VBMI avx512_vnni:AVX512_VNNI avx512_bf16:AVX512_BF16; do
    if [[ "$flags" == *" ${pair%%:*} "* ]]; then args="$args -DGGML_${pair##*:}=ON"; fi
  done
  echo "$args"
}

packages="onnx onnxruntime numpy matplotlib safetensors tokenizers gguf"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.edgeattn-packages" 2>/dev/null)" != "$packages" ]; then
  echo "run_all: making $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check $packages
  echo "$packages" > "$venv/.edgeattn-packages"
fi
# Installed once (the CMake arguments used are kept in the venv); again only
# with EDGEATTN_RETRY_LLAMA=1.
llama_args="$(llama_cmake_args)"
if ! "$venv/bin/python" -c "import llama_cpp" 2>/dev/null || [ "${EDGEATTN_RETRY_LLAMA:-0}" = 1 ]; then
  if [ ! -f "$work/llama-cpp-install.failed" ] || [ "${EDGEATTN_RETRY_LLAMA:-0}" = 1 ]; then
    echo "run_all: installing llama-cpp-python (compiles llama.cpp; ~15-30 min on 2 cores)" >&2
    rm -f "$work/llama-cpp-install.failed"
    if CMAKE_ARGS="$llama_args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" timeout 3600 \
        "$venv/bin/pip" install --disable-pip-version-check --force-reinstall --no-deps --no-cache-dir -v \
        llama-cpp-python > "$work/llama-cpp-install.log" 2>&1 &&
        "$venv/bin/pip" install --quiet --disable-pip-version-check llama-cpp-python; then
      echo "$llama_args" > "$venv/.edgeattn-llama-args"
    else
      tail -5 "$work/llama-cpp-install.log" > "$work/llama-cpp-install.failed"
      echo "run_all: llama-cpp-python did not install (log: $work/llama-cpp-install.log)" >&2
    fi
  fi
fi

"$root/scripts/fetch-models.sh" >&2

cd "$root"
exec "$venv/bin/python" "$root/bench/report.py" --build "$build" --cache "$work" \
  --command "bench/run_all.sh${*:+ $*}" "$@"
