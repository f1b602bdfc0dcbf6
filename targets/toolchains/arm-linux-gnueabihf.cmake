# Cross build for 32-bit ARM Linux, hard float (Raspberry Pi 2/3/4 with a
# 32-bit OS, Debian armhf), Debian 12 cross toolchain g++-arm-linux-gnueabihf.
#   targets/sysroot.sh armv7
#   cmake -S . -B build-armv7 --toolchain targets/toolchains/arm-linux-gnueabihf.cmake
# ARMv7-A with NEON and VFPv4 (Cortex-A7/A15/A53/A72 in 32-bit mode). No fp16
# arithmetic, no dot product. Debian's own armhf libraries (XNNPACK...) are
# built for plain ARMv7 + VFPv3-D16 and detect NEON themselves. -Wno-psabi
# silences GCC 7.1 ABI-change notes for std::vector<fpos> and sorted
# std::pair<double, int> (not a problem: nothing crosses a GCC 7 boundary).
set(CMAKE_SYSTEM_PROCESSOR armv7-a)
set(EDGEATTN_TARGET_NAME armv7)
set(EDGEATTN_TRIPLE arm-linux-gnueabihf)
set(EDGEATTN_QEMU qemu-arm)
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard -Wno-psabi")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfpu=neon-vfpv4 -mfloat-abi=hard -Wno-psabi")
# With LTO (EDGEATTN_SIZE_OPT) code is generated at link time: same note.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wno-psabi")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-Wno-psabi")
include(${CMAKE_CURRENT_LIST_DIR}/cross-common.cmake)
