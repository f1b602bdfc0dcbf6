// The block-quantized weight GEMMs (q8b_i4bw_gemm / q8b_i8bw_gemm, kernels.h)
// on x86, written once for the tables that differ only in how they form the
// eight int32 lane sums of a block:
//   block_gemm_avx2.cc        maddubs + madd (AVX2)
//   block_gemm_avxvnni.cc     VEX VPDPBUSD on ymm (AVX-VNNI)
//   block_gemm_avx512vnni.cc  EVEX VPDPBUSD on ymm (AVX512-VNNI + VL)
// Include only from those files (each is compiled with its ISA flags). Every
// function here is a static member of BlockGemm<Dot>, and each file's Dot is
// in its anonymous namespace, so an out-of-line copy built with one file's
// flags can never be linked into another file's callers.
//
// Order of the float operations (the contract; kernels/reference/block_gemm.cc):
// for output (r, c) and block b, d = half(w.d) * xd[r, b] is one multiply,
// acc = fmadd(broadcast(d), float(lanes), acc) one fused op per lane, the I4
// offset accm = fma(half(w.m), xs[r, b], accm) one fused op, and at the end
// the fixed tree over the 8 lanes, + accm, + bias. Every vector op below is
// that op done lane by lane (d for 4 or 8 outputs in one multiply, accm for
// 4 or 8 outputs in one FMA), and the lane sums are exact integers however
// they are formed, so the results are the reference's bits. Files including
// this are built with -ffp-contract=off: the epilogue adds must not fuse.
//
// Two paths over the output:
//   rows (m < kPackMinRows: decode): MR = m activation rows x kDecodeNr
//     weight rows per register tile, each output's 8 lanes in one vector;
//     W streams from DRAM once, prefetched ahead (stream_prefetch.h).
//   packed (m >= kPackMinRows: prefill): 8 weight rows at a time decoded and
//     transposed into a stack buffer once, then kPackMr activation rows x 8
//     outputs per tile, lane l of the 8 outputs in one vector (see "Prefill"
//     below). K past the buffer (kPackMaxBlocks) falls back to the rows path
//     with kMr x kNr tiles.
//
// Dot provides, besides those tile sizes:
//   i4_lanes(codes, x)   codes u8 in [0, 15], x s8 -> the 8 int32 lane sums;
//   I8W i8_weights(w), I8X i8_activations(x), i8_lanes(I8W, I8X)
//                        the same for signed weights, each side's per-block
//                        prep done once per tile row / column;
//   I8P i8_pack(w), i8p_lanes(I8P, x4)
//                        the packed path's form: w packed once, x4 the 4
//                        bytes of one lane of x (broadcast to all 8 outputs).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/kernels.h"
#include "kernels/x86/stream_prefetch.h"
#include "runtime/core/weight_blocks.h"

namespace edgeattn {

template <class Dot>
struct BlockGemm {
  using I8W = typename Dot::I8W;
  using I8X = typename Dot::I8X;

  // ---- One block's operands -------------------------------------------------

  // The 32 codes in order: low nibbles of bytes 0..15 are codes 0..15, high
  // nibbles codes 16..31 (ggml's bytes_from_nibbles_32).
  // The 16 bytes are loaded into both halves and the upper half shifted by 4:
  // one shift and one and, no lane-crossing shuffle.
  static __m256i weights(const I4Block& b) {
    const __m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.codes)));
    return _mm256_and_si256(_mm256_srlv_epi64(v, _mm256_setr_epi64x(0, 0, 4, 4)), _mm256_set1_epi8(0x0F));
  }
  static I8W weights(const I8Block& b) {
    return Dot::i8_weights(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.q)));
  }
  static __m256i activations(const int8_t* x, const I4Block*) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
  }
  static I8X activations(const int8_t* x, const I8Block*) {
    return Dot::i8_activations(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x)));
  }
  static __m256i lanes(__m256i codes, __m256i x) { return Dot::i4_lanes(codes, x); }
  static __m256i lanes(const I8W& w, const I8X& x) { return Dot::i8_lanes(w, x); }

  // The scales of blocks w[0], w[blocks], .. w[(n - 1) * blocks] (n <= 4),
  // converted: [d0, d1, d2, d3 | m0, m1, m2, m3] for I4Blocks, [d0 .. d3]
  // (upper half unused) for I8Blocks. Rows past n give zeros.
  template <class Block>
  static __m256 scales4(const Block* w, size_t blocks, size_t n) {
    __m128i h[4];  // [d, m] or [d, q0 q1] of each row
    for (size_t c = 0; c < 4; ++c) {
      int32_t v = 0;
      if (c < n) std::memcpy(&v, &w[c * blocks], sizeof(v));
      h[c] = _mm_cvtsi32_si128(v);
    }
    // [d0 d1 m0 m1], [d2 d3 m2 m3] -> [d0 d1 d2 d3 m0 m1 m2 m3]
    const __m128i u = _mm_unpacklo_epi32(_mm_unpacklo_epi16(h[0], h[1]), _mm_unpacklo_epi16(h[2], h[3]));
    if constexpr (std::is_same<Block, I4Block>::value) return _mm256_cvtph_ps(u);
    return _mm256_castps128_ps256(_mm_cvtph_ps(u));
  }

  // Requests [p, p + kBytes) of W into L2 (stream_prefetch.h's hint and
  // reasons), one prefetch per line plus the last byte's. p is an integer: a
  // prefetch past the end of W never faults, a pointer there would be UB.
  template <size_t kBytes>
  static void prefetch(uintptr_t p) {
    for (size_t o = 0; o < kBytes; o += 64) _mm_prefetch(reinterpret_cast<const char*>(p + o), _MM_HINT_T1);
    _mm_prefetch(reinterpret_cast<const char*>(p + kBytes - 1), _MM_HINT_T1);
  }

  // ---- The register tile: MR activation rows x NR weight rows ----------------

  static constexpr size_t groups(size_t nr) { return (nr + 3) / 4; }

  // The tile's accumulators: 8 lanes per output, and the I4 offset term accm
  // of weight rows 4g .. 4g + 3 in lanes of offset[r][g]. Plain arrays, not
  // a struct: GCC 12 kept a struct of them in memory (a store per update).
  template <size_t MR, size_t NR>
  using Lanes = __m256[MR][NR];
  template <size_t MR, size_t NR>
  using Offsets = __m128[MR][groups(NR)];

  // Block b of the tile's weight rows (w [NR, blocks]) against its x rows
  // (xq [MR, k], xd / xs [MR, blocks]; xs only read for I4Blocks).
  template <class Block, size_t MR, size_t NR>
  static void block_step(Lanes<MR, NR>& acc, Offsets<MR, NR>& accm, const Block* w, size_t blocks, size_t b,
                         const int8_t* xq, size_t k, const float* xd, const float* xs) {
    constexpr bool kI4 = std::is_same<Block, I4Block>::value;
    constexpr size_t kG = groups(NR);
    __m256 f[kG];  // [d | m] of 4 weight rows per vector
    for (size_t g = 0; g < kG; ++g) f[g] = scales4(w + 4 * g * blocks + b, blocks, NR - 4 * g);
    decltype(weights(*w)) wv[NR];
    for (size_t c = 0; c < NR; ++c) wv[c] = weights(w[c * blocks + b]);
    for (size_t r = 0; r < MR; ++r) {
      const auto xv = activations(xq + r * k + b * kWeightBlock, w);
      const __m128 xdv = _mm_set1_ps(xd[r * blocks + b]);
      for (size_t g = 0; g < kG; ++g) {
        // d = half(w.d) * xd for 4 weight rows in one multiply, then one
        // permute per output (measured faster than a store and broadcast
        // loads: GCC turned those into two shuffles, or, with the
        // broadcast intrinsic, stored every accumulator per block).
        const __m128 dx = _mm_mul_ps(_mm256_castps256_ps128(f[g]), xdv);
        for (size_t c = 4 * g; c < NR && c < 4 * g + 4; ++c) {
          const __m256i lane = _mm256_set1_epi32(static_cast<int>(c - 4 * g));
          const __m256 dv = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(dx), lane);
          acc[r][c] = _mm256_fmadd_ps(dv, _mm256_cvtepi32_ps(lanes(wv[c], xv)), acc[r][c]);
        }
        if constexpr (kI4) {
          accm[r][g] = _mm_fmadd_ps(_mm256_extractf128_ps(f[g], 1), _mm_set1_ps(xs[r * blocks + b]), accm[r][g]);
        }
      }
    }
  }

  // ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)): ggml's hsum_float_8.
  static float lane_tree(__m256 a) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));  // a_l + a_l+4
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));                                // s0 + s2, s1 + s3
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
  }

  // {lane_tree(a), lane_tree(b), lane_tree(c), lane_tree(d)}, the same adds.
  static __m128 lane_tree4(__m256 a, __m256 b, __m256 c, __m256 d) {
    const __m256 ab = _mm256_add_ps(_mm256_permute2f128_ps(a, b, 0x20), _mm256_permute2f128_ps(a, b, 0x31));
    const __m256 cd = _mm256_add_ps(_mm256_permute2f128_ps(c, d, 0x20), _mm256_permute2f128_ps(c, d, 0x31));
    // ab = [sa | sb], cd = [sc | sd] with s_l = a_l + a_l+4; pairs (s0, s1) + (s2, s3):
    const __m256 pq = _mm256_add_ps(_mm256_shuffle_ps(ab, cd, _MM_SHUFFLE(1, 0, 1, 0)),
                                    _mm256_shuffle_ps(ab, cd, _MM_SHUFFLE(3, 2, 3, 2)));
    // pq = [pa, qa, pc, qc | pb, qb, pd, qd], p = s0 + s2, q = s1 + s3; y = p + q:
    const __m256 y = _mm256_add_ps(_mm256_shuffle_ps(pq, pq, _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm256_shuffle_ps(pq, pq, _MM_SHUFFLE(3, 1, 3, 1)));
    // y = [ya, yc, ya, yc | yb, yd, yb, yd]
    return _mm_unpacklo_ps(_mm256_castps256_ps128(y), _mm256_extractf128_ps(y, 1));
  }

  // y[r][c] = lane_tree(acc) (+ accm for I4Blocks).
  template <bool kI4, size_t MR, size_t NR>
  static void finish(const Lanes<MR, NR>& acc, const Offsets<MR, NR>& accm4, float (&y)[MR][NR]) {
    for (size_t r = 0; r < MR; ++r) {
      for (size_t g = 0; g < groups(NR); ++g) {
        alignas(16) float v[4], accm[4];
        const size_t c0 = 4 * g, cn = NR - c0 < 4 ? NR - c0 : 4;
        if (cn == 4) {
          _mm_store_ps(v, lane_tree4(acc[r][c0], acc[r][c0 + 1], acc[r][c0 + 2], acc[r][c0 + 3]));
        } else {
          for (size_t c = 0; c < cn; ++c) v[c] = lane_tree(acc[r][c0 + c]);
        }
        _mm_store_ps(accm, accm4[r][g]);
        for (size_t c = 0; c < cn; ++c) y[r][c0 + c] = kI4 ? v[c] + accm[c] : v[c];
      }
    }
  }

  // Outputs of MR x rows (xq [MR, k], xd / xs [MR, k / 32]) and NR weight
  // rows (w [NR, k / 32] blocks). `prefetch`: requests the next NR rows ahead
  // (stream_prefetch.h), for the tile that reads this one from DRAM first.
  template <class Block, size_t MR, size_t NR>
  static void tile(size_t k, const int8_t* xq, const float* xd, const float* xs, const Block* w, bool prefetch,
                   float (&y)[MR][NR]) {
    const size_t blocks = k / kWeightBlock;
    Lanes<MR, NR> acc;
    Offsets<MR, NR> accm;
    for (size_t r = 0; r < MR; ++r) {
      for (size_t c = 0; c < NR; ++c) acc[r][c] = _mm256_setzero_ps();
      for (size_t g = 0; g < groups(NR); ++g) accm[r][g] = _mm_setzero_ps();
    }
    // The tile's NR rows are contiguous and read block by block: request
    // the next tile's bytes at the same pace, kPrefetchAhead further on.
    constexpr size_t kStep = NR * sizeof(Block);
    const uintptr_t ahead = reinterpret_cast<uintptr_t>(w) + blocks * kStep + BlockPrefetch::kPrefetchAhead;
    for (size_t b = 0; b < blocks; ++b) {
      if (prefetch) BlockGemm::prefetch<kStep>(ahead + b * kStep);
      block_step<Block, MR, NR>(acc, accm, w, blocks, b, xq, k, xd, xs);
    }
    finish<std::is_same<Block, I4Block>::value>(acc, accm, y);
  }

  // ---- The loops over the output ----------------------------------------------

  struct Args {
    size_t m, n, k;
    const int8_t* xq;  // [m, k]
    const float* xd;   // [m, k / 32]
    const float* xs;   // [m, k / 32]; I4Blocks only
    const void* w;     // [n, k / 32] blocks
    const float* bias;  // [n] or nullptr
    float* y;          // [m, y_stride]
    size_t y_stride;
  };

  // Rows r0 .. r0 + MR - 1, columns c0 .. c0 + NR - 1.
  template <class Block, size_t MR, size_t NR>
  static void store_tile(const Args& a, size_t r0, size_t c0, bool prefetch) {
    const size_t blocks = a.k / kWeightBlock;
    float v[MR][NR];
    tile<Block, MR, NR>(a.k, a.xq + r0 * a.k, a.xd + r0 * blocks,
                        std::is_same<Block, I4Block>::value ? a.xs + r0 * blocks : nullptr,
                        static_cast<const Block*>(a.w) + c0 * blocks, prefetch, v);
    for (size_t r = 0; r < MR; ++r) {
      float* yr = a.y + (r0 + r) * a.y_stride + c0;
      for (size_t c = 0; c < NR; ++c) yr[c] = a.bias != nullptr ? v[r][c] + a.bias[c0 + c] : v[r][c];
    }
  }

  // All m rows of columns c0 .. c0 + NR - 1: the NR weight rows come from
  // DRAM once (the first row tile, which prefetches the next columns) and
  // from L1 for the other row tiles.
  template <class Block, size_t NR>
  static void column(const Args& a, size_t c0) {
    constexpr size_t kMr = Dot::kMr;
    static_assert(kMr <= 4, "the row tail below handles up to 3 rows");
    size_t r = 0;
    for (; r + kMr <= a.m; r += kMr) store_tile<Block, kMr, NR>(a, r, c0, r == 0);
    switch (a.m - r) {
      case 3: store_tile<Block, 3, NR>(a, r, c0, r == 0); break;
      case 2: store_tile<Block, 2, NR>(a, r, c0, r == 0); break;
      case 1: store_tile<Block, 1, NR>(a, r, c0, r == 0); break;
      default: break;
    }
  }

  template <class Block, size_t NR>
  static void columns(const Args& a) {
    size_t c = 0;
    for (; c + NR <= a.n; c += NR) column<Block, NR>(a, c);
    for (; c < a.n; ++c) column<Block, 1>(a, c);
  }

  // ---- Prefill: weights repacked per 8 columns --------------------------------
  // With m >= kPackMinRows the weights of 8 columns are decoded once into a
  // stack buffer, transposed so that one vector holds the same 4 codes
  // (lane l) of all 8 columns. Then x's 4 bytes of lane l, broadcast, make
  // one dot product give lane l of 8 outputs, d of 8 outputs is one multiply
  // (no permute per output), and the lane tree at the end is plain vector
  // adds. Each output still gets exactly the reference's float operations;
  // only which vector lane holds them changes. The buffer's decode and
  // transpose are paid once per 8 columns and shared by all m rows: 1.5-1.7x
  // the rows path's speed at 64 x 1536 x 576 (Zen 4). From 4 rows on: at 2
  // and 3 the rows path was as fast or faster (avx512vnni I8).

  static constexpr size_t kPackCols = 8;
  static constexpr size_t kPackMinRows = 4;
  static constexpr size_t kPackBufferBytes = 48 * 1024;  // of stack: K <= 4896 (I4), 2880 (I8)

  // One block of 8 columns: lane[l] holds codes 4l .. 4l + 3 of columns
  // 0..7 (dword c), in the form Dot multiplies; d / m the columns' scales.
  struct PackedI4 {
    __m256i lane[8];
    __m256 d, m;
  };
  struct PackedI8 {
    typename Dot::I8P lane[8];
    __m256 d;
  };
  template <class Block>
  using Packed = std::conditional_t<std::is_same<Block, I4Block>::value, PackedI4, PackedI8>;
  template <class Block>
  static constexpr size_t kPackMaxBlocks = kPackBufferBytes / sizeof(Packed<Block>);

  // v[c] dword l -> v[l] dword c.
  static void transpose8(__m256i (&v)[8]) {
    __m256i t[8], u[8];
    for (size_t i = 0; i < 8; i += 2) {
      t[i] = _mm256_unpacklo_epi32(v[i], v[i + 1]);
      t[i + 1] = _mm256_unpackhi_epi32(v[i], v[i + 1]);
    }
    for (size_t i = 0; i < 8; i += 4) {
      u[i] = _mm256_unpacklo_epi64(t[i], t[i + 2]);      // dwords 0 | 4 of 4 rows
      u[i + 1] = _mm256_unpackhi_epi64(t[i], t[i + 2]);  // 1 | 5
      u[i + 2] = _mm256_unpacklo_epi64(t[i + 1], t[i + 3]);  // 2 | 6
      u[i + 3] = _mm256_unpackhi_epi64(t[i + 1], t[i + 3]);  // 3 | 7
    }
    for (size_t l = 0; l < 4; ++l) {
      v[l] = _mm256_permute2x128_si256(u[l], u[l + 4], 0x20);
      v[l + 4] = _mm256_permute2x128_si256(u[l], u[l + 4], 0x31);
    }
  }

  static __m256i raw_weights(const I4Block& b) { return weights(b); }
  static __m256i raw_weights(const I8Block& b) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.q)); }
  static void set_lane(PackedI4& p, size_t l, __m256i v) { p.lane[l] = v; }
  static void set_lane(PackedI8& p, size_t l, __m256i v) { p.lane[l] = Dot::i8_pack(v); }
  static __m256i packed_lanes(__m256i codes, int32_t x4) { return Dot::i4_lanes(codes, _mm256_set1_epi32(x4)); }
  static __m256i packed_lanes(const typename Dot::I8P& w, int32_t x4) { return Dot::i8p_lanes(w, x4); }

  // Columns c0 .. c0 + cols - 1 (cols <= 8; the others get zero codes and
  // scales, never stored) of W, all blocks, into p [blocks].
  template <class Block>
  static void pack(const Block* w, size_t blocks, size_t cols, Packed<Block>* p) {
    constexpr size_t kStep = kPackCols * sizeof(Block);
    const uintptr_t ahead = reinterpret_cast<uintptr_t>(w) + blocks * kStep + BlockPrefetch::kPrefetchAhead;
    for (size_t b = 0; b < blocks; ++b) {
      prefetch<kStep>(ahead + b * kStep);  // W is read once, here: from DRAM
      __m256i v[8];
      for (size_t c = 0; c < 8; ++c) v[c] = c < cols ? raw_weights(w[c * blocks + b]) : _mm256_setzero_si256();
      transpose8(v);
      for (size_t l = 0; l < 8; ++l) set_lane(p[b], l, v[l]);
      const __m256 lo = scales4(w + b, blocks, cols);                                  // [d0..3 | m0..3]
      const __m256 hi = cols > 4 ? scales4(w + 4 * blocks + b, blocks, cols - 4) : _mm256_setzero_ps();
      p[b].d = _mm256_permute2f128_ps(lo, hi, 0x20);
      if constexpr (std::is_same<Block, I4Block>::value) p[b].m = _mm256_permute2f128_ps(lo, hi, 0x31);
    }
  }

  // y[r] (8 columns) for MR x rows against the packed columns.
  template <class Block, size_t MR>
  static void packed_rows(const Packed<Block>* p, size_t blocks, const int8_t* xq, size_t k, const float* xd,
                          const float* xs, __m256 (&y)[MR]) {
    __m256 acc[MR][8], accm[MR];  // acc[r][l]: lane l of the 8 outputs
    for (size_t r = 0; r < MR; ++r) {
      for (size_t l = 0; l < 8; ++l) acc[r][l] = _mm256_setzero_ps();
      accm[r] = _mm256_setzero_ps();
    }
    for (size_t b = 0; b < blocks; ++b) {
      __m256 d[MR];
      for (size_t r = 0; r < MR; ++r) {
        d[r] = _mm256_mul_ps(p[b].d, _mm256_set1_ps(xd[r * blocks + b]));
        if constexpr (std::is_same<Block, I4Block>::value) {
          accm[r] = _mm256_fmadd_ps(p[b].m, _mm256_set1_ps(xs[r * blocks + b]), accm[r]);
        }
      }
      for (size_t l = 0; l < 8; ++l) {
        for (size_t r = 0; r < MR; ++r) {
          int32_t x4;  // x's codes 4l .. 4l + 3, for all 8 columns
          std::memcpy(&x4, xq + r * k + b * kWeightBlock + 4 * l, sizeof(x4));
          acc[r][l] = _mm256_fmadd_ps(d[r], _mm256_cvtepi32_ps(packed_lanes(p[b].lane[l], x4)), acc[r][l]);
        }
      }
    }
    for (size_t r = 0; r < MR; ++r) {
      const __m256(&a)[8] = acc[r];
      y[r] = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a[0], a[4]), _mm256_add_ps(a[2], a[6])),
                           _mm256_add_ps(_mm256_add_ps(a[1], a[5]), _mm256_add_ps(a[3], a[7])));
      if constexpr (std::is_same<Block, I4Block>::value) y[r] = _mm256_add_ps(y[r], accm[r]);
    }
  }

  template <class Block, size_t MR>
  static void store_packed(const Args& a, const Packed<Block>* p, size_t r0, size_t c0, size_t cols) {
    const size_t blocks = a.k / kWeightBlock;
    __m256 v[MR];
    packed_rows<Block, MR>(p, blocks, a.xq + r0 * a.k, a.k, a.xd + r0 * blocks,
                           std::is_same<Block, I4Block>::value ? a.xs + r0 * blocks : nullptr, v);
    for (size_t r = 0; r < MR; ++r) {
      float* yr = a.y + (r0 + r) * a.y_stride + c0;
      if (cols == kPackCols) {
        if (a.bias != nullptr) v[r] = _mm256_add_ps(v[r], _mm256_loadu_ps(a.bias + c0));
        _mm256_storeu_ps(yr, v[r]);
        continue;
      }
      alignas(32) float t[8];
      _mm256_store_ps(t, v[r]);
      for (size_t c = 0; c < cols; ++c) yr[c] = a.bias != nullptr ? t[c] + a.bias[c0 + c] : t[c];
    }
  }

  template <class Block>
  static void packed_gemm(const Args& a) {
    constexpr size_t kMr = Dot::kPackMr;
    const size_t blocks = a.k / kWeightBlock;
    Packed<Block> p[kPackMaxBlocks<Block>];  // [blocks]
    for (size_t c0 = 0; c0 < a.n; c0 += kPackCols) {
      const size_t cols = a.n - c0 < kPackCols ? a.n - c0 : kPackCols;
      pack(static_cast<const Block*>(a.w) + c0 * blocks, blocks, cols, p);
      size_t r = 0;
      for (; r + kMr <= a.m; r += kMr) store_packed<Block, kMr>(a, p, r, c0, cols);
      for (; r < a.m; ++r) store_packed<Block, 1>(a, p, r, c0, cols);
    }
  }

  template <class Block>
  static void gemm(const Args& a) {
    if (a.m >= kPackMinRows && a.k / kWeightBlock <= kPackMaxBlocks<Block>) {
      packed_gemm<Block>(a);
    } else if (a.m < Dot::kMr) {
      columns<Block, Dot::kDecodeNr>(a);
    } else {
      columns<Block, Dot::kNr>(a);
    }
  }
};

}  // namespace edgeattn
