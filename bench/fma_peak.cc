#include "bench/fma_peak.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EDGEATTN_FMA_PEAK_X86 1
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#define EDGEATTN_FMA_PEAK_NEON 1
#endif

namespace edgeattn {
namespace bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kChains = 12;
constexpr int64_t kRoundIters = 20'000'000;  // ~60 ms of AVX-512 FMAs at 4 GHz

// The empty asm keeps each accumulator in a register and its FMA in the
// loop (the compiler may not fold the chains into fewer operations).
#define EDGEATTN_CHAIN_STEP(fma, r, b, c) \
  r = fma(r, b, c);                      \
  __asm__ volatile("" : "+x"(r));

// Runs `round` (one timed pass of kRoundIters iterations x kChains FMAs of
// `lanes` floats) until `seconds` have passed; returns the best GFLOP/s.
template <typename Round>
double best_gflops(Round round, int lanes, double seconds) {
  double best = 0.0;
  const Clock::time_point start = Clock::now();
  do {
    const Clock::time_point t0 = Clock::now();
    round();
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, 2.0 * lanes * kChains * static_cast<double>(kRoundIters) / s / 1e9);
  } while (std::chrono::duration<double>(Clock::now() - start).count() < seconds);
  return best;
}

#if defined(EDGEATTN_FMA_PEAK_X86)
__attribute__((target("avx512f"))) float round_avx512() {
  __m512 r0 = _mm512_set1_ps(0.5f), r1 = r0, r2 = r0, r3 = r0, r4 = r0, r5 = r0, r6 = r0, r7 = r0, r8 = r0,
         r9 = r0, r10 = r0, r11 = r0;
  const __m512 b = _mm512_set1_ps(0.99999f), c = _mm512_set1_ps(1e-6f);
  for (int64_t i = 0; i < kRoundIters; ++i) {
    EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r0, b, c) EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r1, b, c)
    EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r2, b, c) EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r3, b, c)
    EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r4, b, c) EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r5, b, c)
    EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r6, b, c) EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r7, b, c)
    EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r8, b, c) EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r9, b, c)
    EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r10, b, c) EDGEATTN_CHAIN_STEP(_mm512_fmadd_ps, r11, b, c)
  }
  const __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(r0, r1), _mm512_add_ps(r2, r3)),
                                 _mm512_add_ps(_mm512_add_ps(r4, r5), _mm512_add_ps(r6, r7)));
  // (Not _mm512_reduce_add_ps: GCC 12's header trips -Wuninitialized.)
  alignas(64) float v[16];
  _mm512_store_ps(v, _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(r8, r9), _mm512_add_ps(r10, r11))));
  return v[0];
}

__attribute__((target("avx2,fma"))) float round_avx2() {
  __m256 r0 = _mm256_set1_ps(0.5f), r1 = r0, r2 = r0, r3 = r0, r4 = r0, r5 = r0, r6 = r0, r7 = r0, r8 = r0,
         r9 = r0, r10 = r0, r11 = r0;
  const __m256 b = _mm256_set1_ps(0.99999f), c = _mm256_set1_ps(1e-6f);
  for (int64_t i = 0; i < kRoundIters; ++i) {
    EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r0, b, c) EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r1, b, c)
    EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r2, b, c) EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r3, b, c)
    EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r4, b, c) EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r5, b, c)
    EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r6, b, c) EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r7, b, c)
    EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r8, b, c) EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r9, b, c)
    EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r10, b, c) EDGEATTN_CHAIN_STEP(_mm256_fmadd_ps, r11, b, c)
  }
  const __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(r0, r1), _mm256_add_ps(r2, r3)),
                                 _mm256_add_ps(_mm256_add_ps(r4, r5), _mm256_add_ps(r6, r7)));
  const __m256 t = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(r8, r9), _mm256_add_ps(r10, r11)));
  alignas(32) float v[8];
  _mm256_store_ps(v, t);
  return v[0];
}
#endif

#if defined(EDGEATTN_FMA_PEAK_NEON)
#undef EDGEATTN_CHAIN_STEP
#define EDGEATTN_CHAIN_STEP(fma, r, b, c) \
  r = fma(r, b, c);                      \
  __asm__ volatile("" : "+w"(r));
// c + acc * b, fused where the core has it (AArch64, ARMv7 with VFPv4).
inline float32x4_t neon_fused(float32x4_t acc, float32x4_t b, float32x4_t c) {
#if defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
  return vfmaq_f32(c, acc, b);
#else
  return vmlaq_f32(c, acc, b);
#endif
}

float round_neon() {
  float32x4_t r0 = vdupq_n_f32(0.5f), r1 = r0, r2 = r0, r3 = r0, r4 = r0, r5 = r0, r6 = r0, r7 = r0, r8 = r0,
              r9 = r0, r10 = r0, r11 = r0;
  const float32x4_t b = vdupq_n_f32(0.99999f), c = vdupq_n_f32(1e-6f);
  for (int64_t i = 0; i < kRoundIters; ++i) {
    EDGEATTN_CHAIN_STEP(neon_fused, r0, b, c) EDGEATTN_CHAIN_STEP(neon_fused, r1, b, c)
    EDGEATTN_CHAIN_STEP(neon_fused, r2, b, c) EDGEATTN_CHAIN_STEP(neon_fused, r3, b, c)
    EDGEATTN_CHAIN_STEP(neon_fused, r4, b, c) EDGEATTN_CHAIN_STEP(neon_fused, r5, b, c)
    EDGEATTN_CHAIN_STEP(neon_fused, r6, b, c) EDGEATTN_CHAIN_STEP(neon_fused, r7, b, c)
    EDGEATTN_CHAIN_STEP(neon_fused, r8, b, c) EDGEATTN_CHAIN_STEP(neon_fused, r9, b, c)
    EDGEATTN_CHAIN_STEP(neon_fused, r10, b, c) EDGEATTN_CHAIN_STEP(neon_fused, r11, b, c)
  }
  const float32x4_t s = vaddq_f32(vaddq_f32(vaddq_f32(r0, r1), vaddq_f32(r2, r3)),
                                  vaddq_f32(vaddq_f32(r4, r5), vaddq_f32(r6, r7)));
  return vgetq_lane_f32(vaddq_f32(s, vaddq_f32(vaddq_f32(r8, r9), vaddq_f32(r10, r11))), 0);
}
#endif

volatile float g_sink;  // the rounds' results, so no round is dead code

}  // namespace

FmaPeak measure_fma_peak(double seconds) {
  FmaPeak p;
#if defined(EDGEATTN_FMA_PEAK_X86)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    p.isa = "avx512f";
    p.lanes = 16;
    p.gflops = best_gflops([] { g_sink = round_avx512(); }, p.lanes, seconds);
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    p.isa = "avx2+fma";
    p.lanes = 8;
    p.gflops = best_gflops([] { g_sink = round_avx2(); }, p.lanes, seconds);
  }
#elif defined(EDGEATTN_FMA_PEAK_NEON)
  p.isa = "neon";
  p.lanes = 4;
  p.gflops = best_gflops([] { g_sink = round_neon(); }, p.lanes, seconds);
#else
  (void)seconds;
#endif
  return p;
}

}  // namespace bench
}  // namespace edgeattn
