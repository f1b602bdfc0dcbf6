// The f32 FMA roof of one core: the most floating-point work its vector
// units retire, against which every GEMM and whole-network timing here is
// judged (edgeattn-machine-limits, docs/benchmarks.md).
//
//   const FmaPeak p = measure_fma_peak(/*seconds=*/0.5);
//   std::printf("%s: %.1f GFLOP/s\n", p.isa, p.gflops);
//
// Twelve independent FMA chains on the widest vector the CPU runs (AVX-512:
// 16 floats, AVX2+FMA: 8, NEON: 4), enough to cover the FMA latency times the
// issue width of current cores; each FMA counts 2 FLOPs per lane. The best of
// several timed rounds (>= `seconds` in all). One thread; the multi-thread
// roof is this times the number of cores (the loop touches no memory).
#pragma once

namespace edgeattn {
namespace bench {

struct FmaPeak {
  const char* isa = "scalar";  // "avx512f", "avx2+fma", "neon", or "scalar"
  int lanes = 1;               // floats per vector
  double gflops = 0.0;         // 1e9 FLOP/s, FMA = 2 FLOPs per lane
};

FmaPeak measure_fma_peak(double seconds);

}  // namespace bench
}  // namespace edgeattn
