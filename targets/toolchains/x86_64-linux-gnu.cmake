# The host build (x86-64 Debian 12), the default: using this file is the same
# as using no toolchain file. It exists so scripts can treat every target
# alike (targets/cross-test.sh host). Baseline x86-64; the AVX2+FMA+F16C
# kernels are chosen at run time.
set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
