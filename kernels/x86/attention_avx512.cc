// AVX-512F tiled attention for the avx512vnni table (whose CPUs all have
// AVX512F; dispatch.cc hands it out only then): attention_tiled.h with 16
// lanes, a tile of 32 queries and 12-row register blocks (24 zmm
// accumulators + 2 operand loads + a broadcast of the 32 registers). Each
// broadcast k/v element feeds 2 FMAs over 32 queries, half the loads per FMA
// of the AVX2 tile. Fewer than kTiledMinQueries queries (most of a 32-lane
// tile would be padding) go to the AVX2 kernel, which tiles by 16 or runs one
// query at a time.
#include <immintrin.h>

#include <cmath>

#include "kernels/attention_tiled.h"
#include "kernels/x86/avx2.h"
#include "kernels/x86/avx2_math.h"
#include "kernels/x86/vnni.h"

namespace edgeattn {

namespace {

// avx2_exp (x86/avx2_math.h) on 16 lanes, same constants and steps, so the
// two tables' softmax weights agree to the bit: Cephes expf, x clamped to
// [-126 ln2, 88], below the range (and -inf) exactly 0.
__m512 avx512_exp(__m512 x) {
  const __m512 kLo = _mm512_set1_ps(-87.336544750553f);  // -126 ln 2
  const __m512 kHi = _mm512_set1_ps(88.0f);
  const __mmask16 underflow = _mm512_cmp_ps_mask(x, kLo, _CMP_LT_OQ);
  x = _mm512_min_ps(_mm512_max_ps(x, kLo), kHi);
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r);
  p = _mm512_add_ps(p, _mm512_set1_ps(1.0f));
  const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
  return _mm512_maskz_mul_ps(static_cast<__mmask16>(~underflow), p, _mm512_castsi512_ps(e));
}

struct Avx512Vec {
  using V = __m512;
  static constexpr size_t kLanes = 16;
  static constexpr size_t kRows = 12;
  static constexpr size_t kTransposeBlock = 8;  // AVX2 8x8 blocks
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_load_ps(p); }
  static void store(float* p, V x) { _mm512_store_ps(p, x); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V exp(V x) { return avx512_exp(x); }
  static void transpose_block(const float* src, size_t ss, float* dst, size_t ds) {
    avx2_transpose_8x8(src, ss, dst, ds);
  }
  // Interleaving the four exps (as avx2_exp_n) measured no faster here.
  static void exp4(V (&x)[4]) { for (V& v : x) v = avx512_exp(v); }
  // x where j < lim, else -inf.
  static V mask_from(V x, V j, V lim) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(j, lim, _CMP_LT_OQ), _mm512_set1_ps(-INFINITY), x);
  }
};

// Below this, a 32-query tile is mostly padding: the AVX2 kernel's 16-query
// tile (or one query at a time) does less work.
constexpr size_t kTiledMinQueries = 24;

}  // namespace

void f32_attention_ukernel_32x12__avx512f(const AttentionArgs& a) { attention_tiled<Avx512Vec>(a); }

// Whole 32-query tiles here; a last partial tile of fewer than
// kTiledMinQueries queries goes to the AVX2 tiled kernel's 16-query tiles (a
// ViT's 257 tokens are 8 tiles and one query: a ninth 32-query tile would be
// 31/32 padding, 11 % of the op; one 16-query tile is half that). Each lane
// runs the same arithmetic in both tiled kernels, so the split changes no
// bit (attention_test: "the AVX2 and AVX-512 tiled kernels give the same
// bits"); the one-query kernel would not.
void f32_attention_ukernel__avx512f(const AttentionArgs& a) {
  if (a.n_queries < kTiledMinQueries || !tiled_attention_fits(a)) return f32_attention_ukernel__avx2(a);
  constexpr size_t kTile = 2 * Avx512Vec::kLanes;
  const size_t rest = a.n_queries % kTile;
  const size_t tiled = rest < kTiledMinQueries ? a.n_queries - rest : a.n_queries;
  AttentionArgs head = a;
  head.n_queries = tiled;
  f32_attention_ukernel_32x12__avx512f(head);
  if (tiled == a.n_queries) return;
  AttentionArgs tail = a;  // queries [tiled, n_queries): causal ones see tiled * causal_step more keys
  tail.q += tiled * a.q_stride;
  tail.out += tiled * a.out_stride;
  tail.n_queries = rest;
  tail.n_keys += tiled * a.causal_step;
  f32_attention_ukernel_16x6__avx2(tail);
}

}  // namespace edgeattn
