// AVX2 GEMMs for linear layers with weights used in place, W row-major [N, K]:
//   qd8_qc8w_gemm_ukernel_4x2__avx2: int8 x int8 -> int32, no VNNI;
//   f32_f16w_gemm_ukernel_4x3__avx2: fp16 weights (F16C), fp32 FMA.
// Both tile MR rows x NR output channels so each weight vector loaded serves
// MR rows and each x vector NR channels; rows left over (m % 4) use 1..3-row
// tiles, channels left over use 1-channel tiles. f32_f16w at M = 1 (decode)
// runs f16_gemv instead: 8 weight rows per block. Decode tiles prefetch W
// ahead in address order (stream_prefetch.h).
//
// int8 dot product, 32 k per step: maddubs multiplies unsigned by signed
// bytes, so the sign of x is moved onto w:
//   p = maddubs(|x|, sign(w, x))      int16: |x0| w0' + |x1| w1'
//   acc += madd(p, 1)                 int32
// With x, w in [-127, 127] (never -128) every int16 pair is at most
// 2 * 127 * 127 = 32258 < 32767, so maddubs never saturates, and the int32
// accumulator is exact for K <= kQd8MaxK. The epilogue is the reference's
// float(acc) * (x_scale * w_scale) [+ bias] in scalar float ops (this file is
// built with -ffp-contract=off), so the result is bit-identical.
#include <cstring>

#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"
#include "kernels/x86/stream_prefetch.h"

namespace edgeattn {

namespace {

inline int32_t hsum_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 1));
  return _mm_cvtsi128_si32(s);
}

// Integer dot products of MR x rows (row_bytes apart, readable up to
// round_up(k, 32)) with NR weight rows (k apart, read only within [0, k)).
// acc[r][c] += dot32(x row r at byte i, wv[c]).
template <size_t MR, size_t NR>
inline void qd8_step(__m256i (&acc)[MR][NR], const int8_t* x, size_t row_bytes, size_t i,
                     const __m256i (&wv)[NR]) {
  const __m256i ones = _mm256_set1_epi16(1);
  for (size_t r = 0; r < MR; ++r) {
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + r * row_bytes + i));
    const __m256i ax = _mm256_abs_epi8(xv);
    for (size_t c = 0; c < NR; ++c) {
      const __m256i p = _mm256_maddubs_epi16(ax, _mm256_sign_epi8(wv[c], xv));
      acc[r][c] = _mm256_add_epi32(acc[r][c], _mm256_madd_epi16(p, ones));
    }
  }
}

// Integer dot products of MR x rows (row_bytes apart, readable up to
// round_up(k, 32)) with NR weight rows (k apart, read only within [0, k)).
template <size_t MR, size_t NR>
inline void qd8_tile(size_t k, const int8_t* x, size_t row_bytes, const int8_t* w,
                     int32_t (&out)[MR][NR]) {
  __m256i acc[MR][NR];
  for (size_t r = 0; r < MR; ++r)
    for (size_t c = 0; c < NR; ++c) acc[r][c] = _mm256_setzero_si256();
  const size_t k32 = k & ~static_cast<size_t>(31);
  __m256i wv[NR];
  BlockPrefetch prefetch(w, NR * k);  // decode streams W from DRAM: stream_prefetch.h
  for (size_t i = 0; i < k32; i += 32) {
    if (MR < 4) prefetch.step(NR * 32);  // 4-row tiles are prefill: W is reused from cache
    for (size_t c = 0; c < NR; ++c)
      wv[c] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + c * k + i));
    qd8_step<MR, NR>(acc, x, row_bytes, i, wv);
  }
  if (k32 < k) {
    // K tail: the last k - k32 weight bytes go into a zeroed block, so nothing
    // past a weight row is read and the padding of x (any value) meets 0.
    for (size_t c = 0; c < NR; ++c) {
      alignas(32) int8_t buf[32] = {};
      std::memcpy(buf, w + c * k + k32, k - k32);
      wv[c] = _mm256_load_si256(reinterpret_cast<const __m256i*>(buf));
    }
    qd8_step<MR, NR>(acc, x, row_bytes, k32, wv);
  }
  for (size_t r = 0; r < MR; ++r)
    for (size_t c = 0; c < NR; ++c) out[r][c] = hsum_epi32(acc[r][c]);
}

template <size_t MR, size_t NR>
inline void qd8_block(size_t n0, size_t k, const int8_t* xq, size_t row_bytes,
                      const float* x_scales, const int8_t* w, const float* w_scales,
                      const float* bias, float* y, size_t y_stride) {
  int32_t acc[MR][NR];
  qd8_tile<MR, NR>(k, xq, row_bytes, w + n0 * k, acc);
  for (size_t r = 0; r < MR; ++r) {
    for (size_t c = 0; c < NR; ++c) {
      float v = static_cast<float>(acc[r][c]) * (x_scales[r] * w_scales[n0 + c]);
      if (bias != nullptr) v = v + bias[n0 + c];
      y[r * y_stride + n0 + c] = v;
    }
  }
}

// All n channels for MR rows: NR-channel tiles, then 1-channel tiles.
template <size_t MR, size_t NR>
inline void qd8_rows(size_t n, size_t k, const int8_t* xq, size_t row_bytes,
                     const float* x_scales, const int8_t* w, const float* w_scales,
                     const float* bias, float* y, size_t y_stride) {
  size_t c = 0;
  for (; c + NR <= n; c += NR)
    qd8_block<MR, NR>(c, k, xq, row_bytes, x_scales, w, w_scales, bias, y, y_stride);
  for (; c < n; ++c)
    qd8_block<MR, 1>(c, k, xq, row_bytes, x_scales, w, w_scales, bias, y, y_stride);
}

template <size_t MR, size_t NR>
inline void f16_tile(size_t k, const float* x, size_t x_stride, const uint16_t* w,
                     float (&out)[MR][NR]) {
  __m256 acc[MR][NR];
  for (size_t r = 0; r < MR; ++r)
    for (size_t c = 0; c < NR; ++c) acc[r][c] = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= k; i += 8) {
    __m256 wv[NR];
    for (size_t c = 0; c < NR; ++c)
      wv[c] = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + c * k + i)));
    for (size_t r = 0; r < MR; ++r) {
      const __m256 xv = _mm256_loadu_ps(x + r * x_stride + i);
      for (size_t c = 0; c < NR; ++c) acc[r][c] = _mm256_fmadd_ps(xv, wv[c], acc[r][c]);
    }
  }
  if (i < k) {
    // K tail: x lanes past k masked to 0, weights copied into a zeroed block.
    const __m256i mask = avx2_tail_mask(k - i);
    __m256 wv[NR];
    for (size_t c = 0; c < NR; ++c) {
      alignas(16) uint16_t buf[8] = {};
      std::memcpy(buf, w + c * k + i, (k - i) * sizeof(uint16_t));
      wv[c] = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(buf)));
    }
    for (size_t r = 0; r < MR; ++r) {
      const __m256 xv = _mm256_maskload_ps(x + r * x_stride + i, mask);
      for (size_t c = 0; c < NR; ++c) acc[r][c] = _mm256_fmadd_ps(xv, wv[c], acc[r][c]);
    }
  }
  for (size_t r = 0; r < MR; ++r) {
    size_t c = 0;
    for (; c + 4 <= NR; c += 4) {
      float s[4];
      _mm_storeu_ps(s, avx2_hsum4(acc[r][c], acc[r][c + 1], acc[r][c + 2], acc[r][c + 3]));
      for (size_t j = 0; j < 4; ++j) out[r][c + j] = s[j];
    }
    for (; c < NR; ++c) out[r][c] = avx2_hsum(acc[r][c]);
  }
}

template <size_t MR, size_t NR>
inline void f16_block(size_t n0, size_t k, const float* x, size_t x_stride, const uint16_t* w,
                      const float* bias, float* y, size_t y_stride) {
  float acc[MR][NR];
  f16_tile<MR, NR>(k, x, x_stride, w + n0 * k, acc);
  for (size_t r = 0; r < MR; ++r) {
    for (size_t c = 0; c < NR; ++c) {
      float v = acc[r][c];
      if (bias != nullptr) v = v + bias[n0 + c];
      y[r * y_stride + n0 + c] = v;
    }
  }
}

template <size_t MR, size_t NR>
inline void f16_rows(size_t n, size_t k, const float* x, size_t x_stride, const uint16_t* w,
                     const float* bias, float* y, size_t y_stride) {
  size_t c = 0;
  for (; c + NR <= n; c += NR) f16_block<MR, NR>(c, k, x, x_stride, w, bias, y, y_stride);
  for (; c < n; ++c) f16_block<MR, 1>(c, k, x, x_stride, w, bias, y, y_stride);
}

// M = 1 (decode): y[c] = x . W[c] for NR rows of W at a time, each row its
// own sequential stream. 2 accumulators per row and 32 k per step keep
// 2 * NR independent load + convert + FMA chains in flight. At decode W
// streams from DRAM (a 110 M model is 256 MB of fp16 per token), and the
// hardware prefetchers do not keep NR short row streams fed (K = 768 rows are
// only 24 lines): BlockPrefetch (stream_prefetch.h) requests W in address
// order ahead of the block being summed.
template <size_t NR>
inline void f16_gemv_block(size_t k, const float* x, const uint16_t* w, __m256 (&acc)[NR]) {
  __m256 acc0[NR], acc1[NR];
  for (size_t c = 0; c < NR; ++c) acc0[c] = acc1[c] = _mm256_setzero_ps();
  size_t i = 0;
  BlockPrefetch prefetch(w, NR * k * sizeof(uint16_t));
  for (; i + 32 <= k; i += 32) {
    prefetch.step(NR * 32 * sizeof(uint16_t));
    const __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + i + 8);
    const __m256 x2 = _mm256_loadu_ps(x + i + 16), x3 = _mm256_loadu_ps(x + i + 24);
    for (size_t c = 0; c < NR; ++c) {
      const uint16_t* wc = w + c * k + i;
      const __m256 w0 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wc)));
      const __m256 w1 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wc + 8)));
      acc0[c] = _mm256_fmadd_ps(x0, w0, acc0[c]);
      acc1[c] = _mm256_fmadd_ps(x1, w1, acc1[c]);
      const __m256 w2 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wc + 16)));
      const __m256 w3 = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(wc + 24)));
      acc0[c] = _mm256_fmadd_ps(x2, w2, acc0[c]);
      acc1[c] = _mm256_fmadd_ps(x3, w3, acc1[c]);
    }
  }
  for (; i + 8 <= k; i += 8) {
    const __m256 xv = _mm256_loadu_ps(x + i);
    for (size_t c = 0; c < NR; ++c) {
      const __m256 wv =
          _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + c * k + i)));
      acc0[c] = _mm256_fmadd_ps(xv, wv, acc0[c]);
    }
  }
  if (i < k) {
    // K tail: x lanes past k masked to 0, weights copied into a zeroed block.
    const __m256 xv = _mm256_maskload_ps(x + i, avx2_tail_mask(k - i));
    for (size_t c = 0; c < NR; ++c) {
      alignas(16) uint16_t buf[8] = {};
      std::memcpy(buf, w + c * k + i, (k - i) * sizeof(uint16_t));
      const __m256 wv = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(buf)));
      acc1[c] = _mm256_fmadd_ps(xv, wv, acc1[c]);
    }
  }
  for (size_t c = 0; c < NR; ++c) acc[c] = _mm256_add_ps(acc0[c], acc1[c]);
}

// NR rows (a multiple of 4) from c on: y = hsum(acc) (+ bias), 4 rows per store.
template <size_t NR>
inline void f16_gemv_rows(size_t c, size_t k, const float* x, const uint16_t* w,
                          const float* bias, float* y) {
  __m256 acc[NR];
  f16_gemv_block<NR>(k, x, w + c * k, acc);
  for (size_t j = 0; j < NR; j += 4) {
    __m128 v = avx2_hsum4(acc[j], acc[j + 1], acc[j + 2], acc[j + 3]);
    if (bias != nullptr) v = _mm_add_ps(v, _mm_loadu_ps(bias + c + j));
    _mm_storeu_ps(y + c + j, v);
  }
}

// Rows per M = 1 block: 8 streamed K = 2048 rows from DRAM ~5% faster than 4
// (13.4 vs 12.7 GB/s), equal at K = 768.
constexpr size_t kF16GemvNr = 8;

inline void f16_gemv(size_t n, size_t k, const float* x, const uint16_t* w, const float* bias,
                     float* y) {
  size_t c = 0;
  for (; c + kF16GemvNr <= n; c += kF16GemvNr) f16_gemv_rows<kF16GemvNr>(c, k, x, w, bias, y);
  for (; c + 4 <= n; c += 4) f16_gemv_rows<4>(c, k, x, w, bias, y);
  for (; c < n; ++c) {
    __m256 acc[1];
    f16_gemv_block<1>(k, x, w + c * k, acc);
    float v = avx2_hsum(acc[0]);
    if (bias != nullptr) v = v + bias[c];
    y[c] = v;
  }
}

}  // namespace

// Channels per tile for each row count (register budget: 16 ymm; the int8
// tiles also hold x and |x| per row).
constexpr size_t kQ8Nr4 = 2, kQ8Nr3 = 2, kQ8Nr2 = 3, kQ8Nr1 = 4;
constexpr size_t kF16Nr4 = 3, kF16Nr3 = 4, kF16Nr2 = 4;  // M = 1: f16_gemv

void qd8_qc8w_gemm_ukernel_4x2__avx2(size_t m, size_t n, size_t k, const int8_t* xq,
                                     const float* x_scales, const int8_t* w,
                                     const float* w_scales, const float* bias, float* y,
                                     size_t y_stride) {
  const size_t rb = qd8_row_bytes(k);
  size_t r = 0;
  for (; r + 4 <= m; r += 4) {
    qd8_rows<4, kQ8Nr4>(n, k, xq + r * rb, rb, x_scales + r, w, w_scales, bias,
                                    y + r * y_stride, y_stride);
  }
  const int8_t* xr = xq + r * rb;
  float* yr = y + r * y_stride;
  switch (m - r) {
    case 3: qd8_rows<3, kQ8Nr3>(n, k, xr, rb, x_scales + r, w, w_scales, bias, yr, y_stride); break;
    case 2: qd8_rows<2, kQ8Nr2>(n, k, xr, rb, x_scales + r, w, w_scales, bias, yr, y_stride); break;
    case 1:
      qd8_rows<1, kQ8Nr1>(n, k, xr, rb, x_scales + r, w, w_scales, bias, yr,
                                      y_stride);
      break;
    default: break;
  }
}

void f32_f16w_gemm_ukernel_4x3__avx2(size_t m, size_t n, size_t k, const float* x,
                                     size_t x_stride, const uint16_t* w, const float* bias,
                                     float* y, size_t y_stride) {
  size_t r = 0;
  for (; r + 4 <= m; r += 4) {
    f16_rows<4, kF16Nr4>(n, k, x + r * x_stride, x_stride, w, bias,
                                     y + r * y_stride, y_stride);
  }
  const float* xr = x + r * x_stride;
  float* yr = y + r * y_stride;
  switch (m - r) {
    case 3: f16_rows<3, kF16Nr3>(n, k, xr, x_stride, w, bias, yr, y_stride); break;
    case 2: f16_rows<2, kF16Nr2>(n, k, xr, x_stride, w, bias, yr, y_stride); break;
    case 1: f16_gemv(n, k, xr, w, bias, yr); break;
    default: break;
  }
}

}  // namespace edgeattn
