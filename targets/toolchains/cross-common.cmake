# Shared part of the Debian cross toolchain files (included by
# aarch64-linux-gnu.cmake and arm-linux-gnueabihf.cmake, which set
# EDGEATTN_TRIPLE, EDGEATTN_QEMU and CMAKE_SYSTEM_PROCESSOR first).
#
# Two roots:
#   /usr/<triple>       the Debian cross toolchain's own libc/libstdc++
#                       (libc6-dev-<arch>-cross); gcc finds it by itself, and
#                       qemu-user's -L loads the dynamic linker from it.
#   EDGEATTN_SYSROOT    Debian 12's <arch> builds of XNNPACK, pthreadpool,
#                       cpuinfo and the headers the build needs, made by
#                       targets/sysroot.sh (default build-sysroots/<arch>).
# Everything the build looks up (find_path/find_library/find_package) is
# searched in these two roots only, never in the host's /usr; programs
# (flatc) come from the host.
set(CMAKE_SYSTEM_NAME Linux)

if(NOT EDGEATTN_SYSROOT)
  if(DEFINED ENV{EDGEATTN_SYSROOT})
    set(EDGEATTN_SYSROOT "$ENV{EDGEATTN_SYSROOT}")
  else()
    get_filename_component(EDGEATTN_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../../build-sysroots/${EDGEATTN_TARGET_NAME}" ABSOLUTE)
  endif()
endif()
set(EDGEATTN_SYSROOT "${EDGEATTN_SYSROOT}" CACHE PATH "Debian sysroot from targets/sysroot.sh")
# try_compile() projects re-read this file: hand them the same value.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES EDGEATTN_SYSROOT)
if(NOT EXISTS "${EDGEATTN_SYSROOT}/usr/include/xnnpack.h")
  message(FATAL_ERROR "No sysroot at ${EDGEATTN_SYSROOT}: run targets/sysroot.sh ${EDGEATTN_TARGET_NAME}")
endif()

set(CMAKE_C_COMPILER ${EDGEATTN_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${EDGEATTN_TRIPLE}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${EDGEATTN_TRIPLE})
set(CMAKE_FIND_ROOT_PATH "${EDGEATTN_SYSROOT}" /usr/${EDGEATTN_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# libXNNPACK.so.0 needs libcpuinfo.so.0 and libpthreadpool.so.0: tell the
# linker where those are (they are not linked directly by everything).
set(_edgeattn_libdir "${EDGEATTN_SYSROOT}/usr/lib/${EDGEATTN_TRIPLE}")
foreach(kind EXE SHARED MODULE)
  set(CMAKE_${kind}_LINKER_FLAGS_INIT "-Wl,-rpath-link,${_edgeattn_libdir}")
endforeach()

# flatc generates C++ source on the build machine: always the host's.
set(FLATC /usr/bin/flatc CACHE FILEPATH "flatc (host tool)")

# ctest and add_custom_command run target binaries through qemu-user. -L
# gives it the cross toolchain's dynamic linker and libc; the sysroot's
# libraries are found through LD_LIBRARY_PATH set for the guest (-E). The
# CPU model is taken from QEMU_CPU in the environment (qemu-user reads it),
# so one build can be tested as several CPUs: QEMU_CPU=cortex-a53 ctest ...
find_program(EDGEATTN_QEMU_PROGRAM ${EDGEATTN_QEMU} NO_CMAKE_FIND_ROOT_PATH)
if(EDGEATTN_QEMU_PROGRAM)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      ${EDGEATTN_QEMU_PROGRAM} -L /usr/${EDGEATTN_TRIPLE} -E LD_LIBRARY_PATH=${_edgeattn_libdir})
endif()
