// The int8 GEMM (qd8_qc8w_gemm, kernels.h) on x86 CPUs with VNNI, shared by
// two instantiations that differ only in their vector type:
//   gemm_avxvnni.cc     256-bit, AVX-VNNI (VEX VPDPBUSD: Alder Lake, Zen 5, ...)
//   gemm_avx512vnni.cc  512-bit, AVX512-VNNI + BW (Ice Lake, Sapphire Rapids, Zen 4)
// Include only from those files (each is compiled with its ISA flags).
//
// VPDPBUSD multiplies UNSIGNED bytes by SIGNED bytes, four per int32 lane,
// and adds to the lane without saturation. Activations and weights are both
// signed here, so the weights are made unsigned on load, w + 128 (xor 0x80),
// and the excess is removed once per row:
//   sum_k x[k] (w[k] + 128) = acc + 128 * sum_k x[k]
// so acc = dot - 128 * rowsum(x). Every term stays exact in int32 for
// K <= kQd8MaxK: |dot| <= 127 * 255 * K < 2^32 wraps at most into the range
// that the subtraction brings back (int32 arithmetic is modular, and the true
// acc fits), so the result is the reference's exact integer.
//
// Each output is the dot product of one x row and one weight row (W used in
// place, row-major [N, K]), kept as a vector of partial sums over k and
// reduced at the end; the epilogue float(acc) * (x_scale * w_scale) + bias is
// computed 4 channels at a time with the same single float operations as the
// reference (no FMA: built with -ffp-contract=off), so results are
// bit-identical to every other table.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/kernels.h"
#include "kernels/x86/stream_prefetch.h"

namespace edgeattn {
namespace vnni {

// Sums of 4 vectors of int32 lanes: {sum(a), sum(b), sum(c), sum(d)}.
inline __m128i reduce4(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i ab = _mm256_hadd_epi32(a, b);   // a01 a23 b01 b23 | a45 a67 b45 b67
  const __m256i cd = _mm256_hadd_epi32(c, d);
  const __m256i abcd = _mm256_hadd_epi32(ab, cd);  // a0-3 b0-3 c0-3 d0-3 | a4-7 ...
  return _mm_add_epi32(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
}

// Epilogue for 4 channels c0..c0+3 of one row: acc is the raw VPDPBUSD sum
// (weights + 128); rowsum the row's sum of x.
inline void store4(__m128i acc, int32_t rowsum, float x_scale, const float* w_scales,
                   const float* bias, float* y) {
  const __m128i exact = _mm_sub_epi32(acc, _mm_set1_epi32(static_cast<int32_t>(static_cast<uint32_t>(rowsum) * 128u)));
  __m128 v = _mm_mul_ps(_mm_cvtepi32_ps(exact), _mm_mul_ps(_mm_set1_ps(x_scale), _mm_loadu_ps(w_scales)));
  if (bias != nullptr) v = _mm_add_ps(v, _mm_loadu_ps(bias));
  _mm_storeu_ps(y, v);
}

inline void store1(int32_t acc, int32_t rowsum, float x_scale, float w_scale, const float* bias,
                   float* y) {
  // Through uint32 so the wrap-around the header describes is defined.
  const int32_t exact = static_cast<int32_t>(static_cast<uint32_t>(acc) - static_cast<uint32_t>(rowsum) * 128u);
  float v = static_cast<float>(exact) * (x_scale * w_scale);
  if (bias != nullptr) v = v + *bias;
  *y = v;
}

// V provides, for its vector type V::Vec of V::kBytes bytes:
//   zero(), add(a, b), dpbusd(acc, u8, s8),
//   load_x(p, i, k)   bytes [i, i + kBytes) of an x row, zero at >= k
//   load_w(p, i, k)   bytes [i, i + kBytes) of a weight row + 128 (xor 0x80),
//                     any value at >= k is allowed only if x is zero there
//   to256(v)          a 256-bit vector with the same lane sum
template <class V>
struct Gemm {
  using Vec = typename V::Vec;

  // sum_k x[k] over [0, k), exactly.
  static int32_t row_sum(const int8_t* x, size_t k) {
    const Vec ones = V::ones_u8();
    Vec acc = V::zero();
    for (size_t i = 0; i < k; i += V::kBytes) acc = V::dpbusd(acc, ones, V::load_x(x, i, k));
    const __m256i s = V::to256(acc);
    const __m128i s4 = reduce4(s, _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256());
    return _mm_cvtsi128_si32(s4);
  }

  // MR rows x NR channels (NR a multiple of 4) starting at channel n0.
  template <size_t MR, size_t NR>
  static void block(size_t n0, size_t k, const int8_t* x, size_t row_bytes, const int32_t* rowsum,
                    const float* x_scales, const int8_t* w, const float* w_scales, const float* bias,
                    float* y, size_t y_stride) {
    Vec acc[MR][NR];
    for (size_t r = 0; r < MR; ++r)
      for (size_t c = 0; c < NR; ++c) acc[r][c] = V::zero();
    const int8_t* wb = w + n0 * k;
    BlockPrefetch prefetch(wb, NR * k);  // decode streams W from DRAM: stream_prefetch.h
    for (size_t i = 0; i < k; i += V::kBytes) {
      prefetch.step(NR * V::kBytes);
      Vec wv[NR];
      for (size_t c = 0; c < NR; ++c) wv[c] = V::load_w(wb + c * k, i, k);
      for (size_t r = 0; r < MR; ++r) {
        const Vec xv = V::load_x(x + r * row_bytes, i, k);
        for (size_t c = 0; c < NR; ++c) acc[r][c] = V::dpbusd(acc[r][c], wv[c], xv);
      }
    }
    for (size_t r = 0; r < MR; ++r) {
      for (size_t c = 0; c < NR; c += 4) {
        const __m128i s = reduce4(V::to256(acc[r][c]), V::to256(acc[r][c + 1]), V::to256(acc[r][c + 2]),
                                  V::to256(acc[r][c + 3]));
        store4(s, rowsum[r], x_scales[r], w_scales + n0 + c, bias != nullptr ? bias + n0 + c : nullptr,
               y + r * y_stride + n0 + c);
      }
    }
  }

  // MR rows x 1 channel (the channels left over after the 4-wide blocks).
  template <size_t MR>
  static void column(size_t c, size_t k, const int8_t* x, size_t row_bytes, const int32_t* rowsum,
                     const float* x_scales, const int8_t* w, const float* w_scales, const float* bias,
                     float* y, size_t y_stride) {
    Vec acc[MR];
    for (size_t r = 0; r < MR; ++r) acc[r] = V::zero();
    for (size_t i = 0; i < k; i += V::kBytes) {
      const Vec wv = V::load_w(w + c * k, i, k);
      for (size_t r = 0; r < MR; ++r) acc[r] = V::dpbusd(acc[r], wv, V::load_x(x + r * row_bytes, i, k));
    }
    for (size_t r = 0; r < MR; ++r) {
      const __m256i z = _mm256_setzero_si256();
      const int32_t s = _mm_cvtsi128_si32(reduce4(V::to256(acc[r]), z, z, z));
      store1(s, rowsum[r], x_scales[r], w_scales[c], bias != nullptr ? bias + c : nullptr, y + r * y_stride + c);
    }
  }

  template <size_t MR, size_t NR>
  static void rows(size_t n, size_t k, const int8_t* x, size_t row_bytes, const float* x_scales,
                   const int8_t* w, const float* w_scales, const float* bias, float* y, size_t y_stride) {
    int32_t rowsum[MR];
    for (size_t r = 0; r < MR; ++r) rowsum[r] = row_sum(x + r * row_bytes, k);
    size_t c = 0;
    for (; c + NR <= n; c += NR)
      block<MR, NR>(c, k, x, row_bytes, rowsum, x_scales, w, w_scales, bias, y, y_stride);
    for (; c + 4 <= n; c += 4)
      block<MR, 4>(c, k, x, row_bytes, rowsum, x_scales, w, w_scales, bias, y, y_stride);
    for (; c < n; ++c) column<MR>(c, k, x, row_bytes, rowsum, x_scales, w, w_scales, bias, y, y_stride);
  }

  // ---- Blocked path (M >= kPackMinRows): W transposed per 16-channel block ----
  // For 16 channels c0..c0+15 the weight rows are interleaved on the stack
  // into [ceil(k/4)][16] dwords (4 consecutive k of one channel per dword),
  // so one vector load holds 4 k of every channel and one broadcast dword of
  // x feeds all of them: no horizontal sums, and each output lane is one
  // channel. The copy costs 16 k bytes per block, shared by all M rows.
  static constexpr size_t kBlockN = 16;
  static constexpr size_t kPackMaxK = 4096;   // 64 KiB of stack per block
  static constexpr size_t kPackMinRows = 4;

  // dst[g][c] = bytes 4g..4g+3 of weight row c (+128 each, i.e. xor 0x80),
  // zero bytes past k, for c < cols (<= 16); channels >= cols are 0x80 bytes
  // (they meet real x but their lanes are never stored).
  // A whole block's leading groups go V::kPackGroups at a time through
  // V::pack_groups (a register transpose) where V has one: this copy is per
  // invoke, and done a dword at a time it cost more than the VPDPBUSDs of a
  // 16-row GEMM.
  static void pack_block(const int8_t* w, size_t k, size_t cols, uint32_t* dst) {
    const size_t groups = (k + 3) / 4, full = k / 4;
    size_t done = 0;  // groups of every channel already packed
    if constexpr (V::kPackGroups != 0) {
      if (cols == kBlockN) {
        // The next block's rows (contiguous after these) into L2 meanwhile:
        // 16 rows k bytes apart are 16 streams the hardware follows poorly.
        BlockPrefetch prefetch(w, kBlockN * k);
        for (; done + V::kPackGroups <= full; done += V::kPackGroups) {
          prefetch.step(kBlockN * 4 * V::kPackGroups);
          V::pack_groups(w + 4 * done, k, dst + done * kBlockN);
        }
      }
    }
    for (size_t c = 0; c < kBlockN; ++c) {
      if (c >= cols) {
        for (size_t g = 0; g < groups; ++g) dst[g * kBlockN + c] = 0x80808080u;
        continue;
      }
      const int8_t* row = w + c * k;
      for (size_t g = done; g < full; ++g) {
        uint32_t v;
        std::memcpy(&v, row + 4 * g, 4);
        dst[g * kBlockN + c] = v ^ 0x80808080u;
      }
      if (full < groups) {
        uint32_t v = 0;
        std::memcpy(&v, row + 4 * full, k - 4 * full);
        // Bytes past k: +128 like the rest, multiplied by x bytes that the
        // x loads zero (see V::bcast_x).
        dst[full * kBlockN + c] = v ^ 0x80808080u;
      }
    }
  }

  // MR rows x NB blocks of 16 channels over NB packed blocks (block b at
  // packed + b * block_stride, cols[b] of its channels stored): one
  // broadcast dword of x feeds NB VPDPBUSDs, and each row's sum is taken once.
  template <size_t MR, size_t NB>
  static void packed_rows(size_t k, const int8_t* x, size_t row_bytes, const float* x_scales,
                          const uint32_t* packed, size_t block_stride, size_t n0, const size_t (&cols)[NB],
                          const float* w_scales, const float* bias, float* y, size_t y_stride) {
    typename V::Acc16 acc[MR][NB];
    for (size_t r = 0; r < MR; ++r)
      for (size_t b = 0; b < NB; ++b) acc[r][b] = V::zero16();
    const size_t groups = (k + 3) / 4, full = k / 4;
    for (size_t g = 0; g < full; ++g) {
      typename V::Acc16 wv[NB];
      for (size_t b = 0; b < NB; ++b) wv[b] = V::load16(packed + b * block_stride + g * kBlockN);
      for (size_t r = 0; r < MR; ++r) {
        const typename V::Acc16 xv = V::bcast(x + r * row_bytes + 4 * g);
        for (size_t b = 0; b < NB; ++b) acc[r][b] = V::dpbusd16(acc[r][b], wv[b], xv);
      }
    }
    if (full < groups) {
      for (size_t r = 0; r < MR; ++r) {
        uint32_t xv = 0;
        std::memcpy(&xv, x + r * row_bytes + 4 * full, k - 4 * full);
        const typename V::Acc16 xb = V::bcast(reinterpret_cast<const int8_t*>(&xv));
        for (size_t b = 0; b < NB; ++b) {
          acc[r][b] = V::dpbusd16(acc[r][b], V::load16(packed + b * block_stride + full * kBlockN), xb);
        }
      }
    }
    for (size_t r = 0; r < MR; ++r) {
      const int32_t excess = static_cast<int32_t>(static_cast<uint32_t>(row_sum(x + r * row_bytes, k)) * 128u);
      for (size_t b = 0; b < NB; ++b) {
        const size_t c0 = n0 + b * kBlockN;
        V::store16(acc[r][b], excess, x_scales[r], w_scales + c0, bias != nullptr ? bias + c0 : nullptr,
                   y + r * y_stride + c0, cols[b]);
      }
    }
  }

  // The rows of x against NB packed blocks (channels n0 ..): kMr-row tiles,
  // then single rows.
  template <size_t NB>
  static void packed_blocks(size_t m, size_t k, const int8_t* xq, size_t rb, const float* x_scales,
                            const uint32_t* packed, size_t block_stride, size_t n0, const size_t (&cols)[NB],
                            const float* w_scales, const float* bias, float* y, size_t y_stride) {
    constexpr size_t kMr = V::kPackMr;
    size_t r = 0;
    for (; r + kMr <= m; r += kMr) {
      packed_rows<kMr, NB>(k, xq + r * rb, rb, x_scales + r, packed, block_stride, n0, cols, w_scales, bias,
                           y + r * y_stride, y_stride);
    }
    for (; r < m; ++r) {
      packed_rows<1, NB>(k, xq + r * rb, rb, x_scales + r, packed, block_stride, n0, cols, w_scales, bias,
                         y + r * y_stride, y_stride);
    }
  }

  // V::kPackBlocks blocks of 16 channels at a time while they fit the
  // stack buffer (K <= kPackMaxK / kPackBlocks), else one.
  static void packed_gemm(size_t m, size_t n, size_t k, const int8_t* xq, const float* x_scales,
                          const int8_t* w, const float* w_scales, const float* bias, float* y,
                          size_t y_stride) {
    constexpr size_t kNb = V::kPackBlocks;
    alignas(64) uint32_t packed[kPackMaxK / 4 * kBlockN];  // [kNb][ceil(k/4)][16] or [ceil(k/4)][16]
    const size_t rb = qd8_row_bytes(k), block_stride = (k + 3) / 4 * kBlockN;
    size_t n0 = 0;
    if (kNb > 1 && k * kNb <= kPackMaxK) {
      for (; n0 + kNb * kBlockN <= n; n0 += kNb * kBlockN) {
        size_t cols[kNb];
        for (size_t b = 0; b < kNb; ++b) {
          cols[b] = kBlockN;
          pack_block(w + (n0 + b * kBlockN) * k, k, kBlockN, packed + b * block_stride);
        }
        packed_blocks<kNb>(m, k, xq, rb, x_scales, packed, block_stride, n0, cols, w_scales, bias, y, y_stride);
      }
    }
    for (; n0 < n; n0 += kBlockN) {
      const size_t cols[1] = {n - n0 < kBlockN ? n - n0 : kBlockN};
      pack_block(w + n0 * k, k, cols[0], packed);
      packed_blocks<1>(m, k, xq, rb, x_scales, packed, block_stride, n0, cols, w_scales, bias, y, y_stride);
    }
  }

  // The kernel: MR-row blocks (MR = V::kMr), then the 1..MR-1 rows left.
  static void gemm(size_t m, size_t n, size_t k, const int8_t* xq, const float* x_scales, const int8_t* w,
                   const float* w_scales, const float* bias, float* y, size_t y_stride) {
    if (m >= kPackMinRows && k <= kPackMaxK) {
      packed_gemm(m, n, k, xq, x_scales, w, w_scales, bias, y, y_stride);
      return;
    }
    constexpr size_t kMr = V::kMr, kNr = V::kNr;
    const size_t rb = qd8_row_bytes(k);
    size_t r = 0;
    for (; r + kMr <= m; r += kMr)
      rows<kMr, kNr>(n, k, xq + r * rb, rb, x_scales + r, w, w_scales, bias, y + r * y_stride, y_stride);
    const int8_t* xr = xq + r * rb;
    float* yr = y + r * y_stride;
    static_assert(kMr <= 4, "row tails below handle up to 3 rows");
    switch (m - r) {
      case 3: rows<3, kNr>(n, k, xr, rb, x_scales + r, w, w_scales, bias, yr, y_stride); break;
      case 2: rows<2, kNr>(n, k, xr, rb, x_scales + r, w, w_scales, bias, yr, y_stride); break;
      // One row (decode) is bound by reading W: more channels per block.
      case 1: rows<1, V::kNr1>(n, k, xr, rb, x_scales + r, w, w_scales, bias, yr, y_stride); break;
      default: break;
    }
  }
};

}  // namespace vnni
}  // namespace edgeattn
