#!/usr/bin/env bash
# Installs the Debian 12 packages edgeattn needs to build, test and benchmark.
# apt only; idempotent. Run as root (or with sudo available).
#   --cross   also the ARM cross toolchains and qemu-user (targets/README.md):
#             g++-aarch64-linux-gnu g++-arm-linux-gnueabihf (with their
#             binutils and libc6-dev-*-cross) qemu-user.
#             The ARM libraries themselves are not apt-installed: they go
#             into a private sysroot (targets/sysroot.sh).
set -euo pipefail
cross=0
for arg in "$@"; do
  case "$arg" in
    --cross) cross=1 ;;
    *) echo "usage: $0 [--cross]" >&2; exit 2 ;;
  esac
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
packages=(
  build-essential cmake pkg-config ninja-build
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev
  libflatbuffers-dev flatbuffers-compiler
  libkissfft-dev  # runtime/audio FFT (pulls libkissfft-float131); espeak-ng + sox only for scripts/make_speech_clips.sh
  libstb-dev  # image decoding in the demo and the image-model tests (stb_image)
  doctest-dev nlohmann-json3-dev libbenchmark-dev
  libonnx-dev libprotobuf-dev  # converter/onnx only (the ONNX importer); never linked into the runtime
  dataset-fashion-mnist  # the trained vision models' test images (scripts/fetch-models.sh unpacks the test split)
  python3 python3-pip unzip
  python3-dev pybind11-dev python3-numpy python3-pytest  # python/: the bindings (pybind11) and their pytest suite
  clang libclang-rt-14-dev  # fuzz/ (libFuzzer)
)
if [ "$cross" = 1 ]; then
  packages+=(
    g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
    g++-arm-linux-gnueabihf binutils-arm-linux-gnueabihf
    qemu-user
  )
fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "install-deps: all packages present"
