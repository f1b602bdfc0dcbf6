# Cross build for 64-bit ARM Linux (Raspberry Pi 3/4/5 with a 64-bit OS,
# Debian arm64), Debian 12 cross toolchain g++-aarch64-linux-gnu.
#   targets/sysroot.sh aarch64
#   cmake -S . -B build-aarch64 --toolchain targets/toolchains/aarch64-linux-gnu.cmake
# Baseline ARMv8.0-A + Advanced SIMD (what Debian arm64 targets); the kernel
# dispatcher picks extensions (fp16 arithmetic, dot product) at run time.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(EDGEATTN_TARGET_NAME aarch64)
set(EDGEATTN_TRIPLE aarch64-linux-gnu)
set(EDGEATTN_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
