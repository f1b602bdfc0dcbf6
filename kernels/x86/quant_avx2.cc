// AVX2 quantization helpers: dynamic per-row int8 quantization (qd8),
// fp16 -> fp32 rows. All bit-identical to the reference
// (kernels/reference/quant.cc documents the formula): every step is a single
// IEEE operation or an exact one (max, abs, clamp, conversion), and
// _mm256_cvtps_epi32 rounds to nearest even under the default MXCSR.
#include <cmath>
#include <cstring>

#include "runtime/core/half.h"
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"

namespace edgeattn {

namespace {

// The reference expression for one element (used for the < 32 element tail).
inline int8_t quantize_one(float x, float inv) {
  const float v = std::fmin(std::fmax(x * inv, -127.0f), 127.0f);
  return static_cast<int8_t>(_mm_cvtss_si32(_mm_set_ss(v)));  // RNE
}

}  // namespace

void f32_qd8_quantize_ukernel__avx2(size_t rows, size_t k, const float* x, size_t x_stride,
                                    int8_t* xq, float* scales) {
  const size_t row_bytes = qd8_row_bytes(k);
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_stride;
    int8_t* qr = xq + r * row_bytes;
    __m256 m0 = _mm256_setzero_ps(), m1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= k; i += 16) {
      m0 = _mm256_max_ps(m0, _mm256_and_ps(abs_mask, _mm256_loadu_ps(xr + i)));
      m1 = _mm256_max_ps(m1, _mm256_and_ps(abs_mask, _mm256_loadu_ps(xr + i + 8)));
    }
    for (; i < k; i += 8) {
      const size_t left = k - i < 8 ? k - i : 8;
      const __m256 v = _mm256_maskload_ps(xr + i, avx2_tail_mask(left));  // masked lanes = 0
      m0 = _mm256_max_ps(m0, _mm256_and_ps(abs_mask, v));
    }
    const float amax = avx2_hmax(_mm256_max_ps(m0, m1));
    if (!(amax >= kQd8MinAmax)) {
      scales[r] = 0.0f;
      std::memset(qr, 0, row_bytes);
      continue;
    }
    scales[r] = amax / 127.0f;
    const float inv_s = 127.0f / amax;
    const __m256 inv = _mm256_set1_ps(inv_s);
    const __m256 lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
    i = 0;
    for (; i + 32 <= k; i += 32) {
      __m256i q[4];
      for (size_t j = 0; j < 4; ++j) {
        __m256 v = _mm256_mul_ps(_mm256_loadu_ps(xr + i + 8 * j), inv);
        v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
        q[j] = _mm256_cvtps_epi32(v);
      }
      // packs works per 128-bit lane; the permute restores element order.
      const __m256i b = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]),
                                           _mm256_packs_epi32(q[2], q[3]));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(qr + i),
                          _mm256_permutevar8x32_epi32(b, order));
    }
    for (; i < k; ++i) qr[i] = quantize_one(xr[i], inv_s);
    for (; i < row_bytes; ++i) qr[i] = 0;
  }
}

void f16_to_f32_rows_ukernel__avx2(size_t n, const uint16_t* src, float* dst) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i h0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    const __m128i h1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i + 8));
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h0));
    _mm256_storeu_ps(dst + i + 8, _mm256_cvtph_ps(h1));
  }
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(dst + i,
                     _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
  }
  for (; i < n; ++i) dst[i] = half_to_float(src[i]);
}

}  // namespace edgeattn
