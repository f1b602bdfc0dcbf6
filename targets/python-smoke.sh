#!/usr/bin/env bash
# targets/python-smoke.sh [aarch64]
#
# The Python package on ARM, under qemu-user (issue #20): cross-builds the
# extension module against Debian 12 arm64's python3.11 headers, then runs
# Debian's arm64 python3.11 (with its numpy) under qemu-aarch64 -cpu max on
# python/tests/smoke_arm.py: import, ModelInfo, stories260K's published
# greedy text from the x86-64-converted file, MiniLM embeddings against the
# x86-64 package's rows, and an edgeattn.Error.
#
# Uses its own sysroot (build-sysroots/aarch64-python: the usual libraries
# plus python3.11, its stdlib and headers, numpy, pybind11; targets/sysroot.sh
# with EDGEATTN_SYSROOT_EXTRA) and build tree (build-aarch64-python: only the
# module and what it links). The x86-64 side (converted models, reference
# rows) comes from build/python (scripts/test.sh's build, EDGEATTN_BUILD_PYTHON=ON).
# ~5 min on 2 cores the first time (the runtime cross-compiled once), then
# seconds. Not part of .ci/run (time budget); run by hand or in a full run.
set -euo pipefail
cd "$(dirname "$0")/.."
arch="${1:-aarch64}"
[ "$arch" = aarch64 ] || { echo "python-smoke: only aarch64 for now" >&2; exit 2; }
triple=aarch64-linux-gnu
sysroot="$PWD/build-sysroots/aarch64-python"
build="$PWD/build-aarch64-python"
jobs="$(nproc)"
[ -f build/python/edgeattn/__init__.py ] || {
  echo "python-smoke: build/python (x86-64 package) missing: cmake -B build -DEDGEATTN_BUILD_PYTHON=ON && ninja -C build _edgeattn" >&2
  exit 1
}

EDGEATTN_SYSROOT_EXTRA="python3.11-minimal libpython3.11-minimal libpython3.11-stdlib libpython3.11-dev \
python3-numpy libblas3 liblapack3 libgfortran5 libffi8 zlib1g libexpat1 pybind11-dev" \
  targets/sysroot.sh aarch64 "$sysroot" | tail -1
libdir="$sysroot/usr/lib/$triple"
# Debian's python3.11 for arm64 from the sysroot, under qemu: libc from the
# cross toolchain, BLAS / LAPACK where update-alternatives would link them,
# the standard library from the sysroot (PYTHONHOME), so sysconfig names the
# sysroot's headers. CMake (FindPython, pybind11) runs it at configure time
# for the module suffix; the include dir is given outright (the cross build
# re-roots the path the interpreter reports under the sysroot again).
mkdir -p "$build"
python="$build/python3.11-$arch"
cat > "$python" <<WRAPPER
#!/bin/sh
exec qemu-aarch64 -cpu max -L /usr/$triple \\
  -E LD_LIBRARY_PATH="$libdir:$sysroot/lib/$triple:$libdir/blas:$libdir/lapack" -E PYTHONHOME="$sysroot/usr" \\
  -E PYTHONPATH="\${PYTHONPATH:-}:$sysroot/usr/lib/python3/dist-packages" -E PYTHONDONTWRITEBYTECODE=1 \\
  "$sysroot/usr/bin/python3.11" "\$@"
WRAPPER
chmod +x "$python"
cmake --no-warn-unused-cli -S . -B "$build" --toolchain targets/toolchains/aarch64-linux-gnu.cmake \
  -DCMAKE_BUILD_TYPE=Release -DEDGEATTN_SYSROOT="$sysroot" -DEDGEATTN_BUILD_BENCH=OFF -DEDGEATTN_BUILD_TESTS=OFF \
  -DEDGEATTN_BUILD_PYTHON=ON -DPython_EXECUTABLE="$python" -DPython_INCLUDE_DIR="$sysroot/usr/include/python3.11" \
  >/dev/null
cmake --build "$build" -j"$jobs" --target _edgeattn | tail -1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The models converted on x86-64, and the x86-64 package's MiniLM rows.
PYTHONPATH="build/python:$PWD/python/tests" /usr/bin/python3 python/tests/smoke_arm.py prepare "$work"
PYTHONPATH="$build/python:$PWD/python/tests" "$python" python/tests/smoke_arm.py check "$work"
