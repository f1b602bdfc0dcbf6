// Winograd F(2x2, 2x2) phases of ConvTranspose2D (conv_transpose_winograd.h).
#include "runtime/ops/conv_transpose_winograd.h"

#include <cstring>

namespace edgeattn {
namespace winograd {
namespace {

// Four floats in one register (SSE, NEON) through GCC / Clang's vector
// extension; the transforms below run on Vec4 over channels and on float for
// the tail, their bodies written once.
using Vec4 = float __attribute__((vector_size(16)));

template <typename V>
V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename V>
void store(float* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// V = Bᵀ d B at channel c: d [3][3] input pixels (rows of the tile, then
// columns), v [9] its points. Rows first: t0 = d0 - d1, t1 = d1, t2 = d2 - d1,
// then the same over columns.
template <typename V>
void input_step(const float* const* d, size_t c, float* const* v) {
  const V d10 = load<V>(d[3] + c), d11 = load<V>(d[4] + c), d12 = load<V>(d[5] + c);
  const V t00 = load<V>(d[0] + c) - d10, t01 = load<V>(d[1] + c) - d11, t02 = load<V>(d[2] + c) - d12;
  const V t20 = load<V>(d[6] + c) - d10, t21 = load<V>(d[7] + c) - d11, t22 = load<V>(d[8] + c) - d12;
  store(v[0] + c, t00 - t01), store(v[1] + c, t01), store(v[2] + c, t02 - t01);
  store(v[3] + c, d10 - d11), store(v[4] + c, d11), store(v[5] + c, d12 - d11);
  store(v[6] + c, t20 - t21), store(v[7] + c, t21), store(v[8] + c, t22 - t21);
}

void input_tile(const float* const* d, size_t n, float* const* v) {
  size_t c = 0;
  for (; c + 4 <= n; c += 4) input_step<Vec4>(d, c, v);
  for (; c < n; ++c) input_step<float>(d, c, v);
}

// Y = Aᵀ M A at channel c: m [9] the tile's points, y [2][2] its outputs
// (rows, then columns): y_rs = sum over i in {r, r + 1}, j in {s, s + 1} of
// m_ij, columns first.
template <typename V>
void output_step(const float* const* m, size_t c, float* const* y) {
  const V m1 = load<V>(m[1] + c), m4 = load<V>(m[4] + c), m7 = load<V>(m[7] + c);
  const V t00 = load<V>(m[0] + c) + m1, t01 = m1 + load<V>(m[2] + c);
  const V t10 = load<V>(m[3] + c) + m4, t11 = m4 + load<V>(m[5] + c);
  const V t20 = load<V>(m[6] + c) + m7, t21 = m7 + load<V>(m[8] + c);
  store(y[0] + c, t00 + t10), store(y[1] + c, t01 + t11);
  store(y[2] + c, t10 + t20), store(y[3] + c, t11 + t21);
}

void output_tile(const float* const* m, size_t n, float* const* y) {
  size_t c = 0;
  for (; c + 4 <= n; c += 4) output_step<Vec4>(m, c, y);
  for (; c < n; ++c) output_step<float>(m, c, y);
}

// Floats between consecutive points of V or M: a tile's 9 rows then sit in
// 9 different L1 sets instead of one (a multiple of 4 KiB apart they would
// evict each other in an 8-way cache).
size_t point_stride(size_t tiles, size_t channels) { return tiles * channels + 16; }

}  // namespace

size_t phase_floats(size_t cout, size_t cin) { return kPoints * f32_gemm_packed_floats(cout, cin); }

size_t band_floats(size_t tiles, size_t cin, size_t cout) {
  return kPoints * (point_stride(tiles, cin) + point_stride(tiles, cout)) + 4 * cout;
}

void pack_phase(const PhaseWindow& w, size_t cout, size_t cin, const float* bias, float* packed) {
  // S_i: the taps u that point i sums (first, count).
  constexpr size_t first[3] = {0, 0, 1}, count[3] = {1, 2, 1};
  for (size_t i = 0; i < 3; ++i) {
    for (size_t j = 0; j < 3; ++j) {
      const float* terms[4];
      size_t n = 0;
      for (size_t u = first[i]; u < first[i] + count[i]; ++u) {
        for (size_t v = first[j]; v < first[j] + count[j]; ++v) terms[n++] = w.g[u][v];
      }
      const float* b = i == 1 && j == 1 ? bias : nullptr;
      f32_gemm_pack_sum(cout, cin, n, terms, cin, b, packed + (i * 3 + j) * f32_gemm_packed_floats(cout, cin));
    }
  }
}

void run_phase(const Band& band, const PhaseWindow& w, size_t py, size_t px, const float* packed) {
  const size_t h = band.in_h, wd = band.in_w, cin = band.cin, cout = band.cout;
  const size_t th = (h + 1) / 2, tw = (wd + 1) / 2, tiles = band.rows * tw;
  const size_t out_h = band.stride_h * h, out_w = band.stride_w * wd;
  const size_t vs = point_stride(tiles, cin), ms = point_stride(tiles, cout);
  float* const v = band.scratch;          // [9, tiles, Cin], points vs floats apart
  float* const m = v + kPoints * vs;      // [9, tiles, Cout], points ms floats apart
  float* const sink = m + kPoints * ms;   // [4, Cout]: outputs past an odd border, one row each
  for (size_t r = 0; r < band.rows; ++r) {
    const size_t row = band.row0 + r, b = row / th, ty = row % th;
    const float* image = band.x + b * h * wd * cin;  // [H, W, Cin]
    for (size_t tx = 0; tx < tw; ++tx) {
      const float* d[kPoints];
      float* vt[kPoints];
      for (size_t i = 0; i < 3; ++i) {
        for (size_t j = 0; j < 3; ++j) {
          // Wraps below zero, so one compare per axis tests both borders.
          const size_t iy = 2 * ty + static_cast<size_t>(w.di0) + i, ix = 2 * tx + static_cast<size_t>(w.dj0) + j;
          d[i * 3 + j] = iy < h && ix < wd ? image + (iy * wd + ix) * cin : band.zero;
          vt[i * 3 + j] = v + (i * 3 + j) * vs + (r * tw + tx) * cin;
        }
      }
      input_tile(d, cin, vt);
    }
  }
  const size_t panel = f32_gemm_packed_floats(cout, cin);
  for (size_t p = 0; p < kPoints; ++p) {
    band.kernels->f32_gemm_packed(tiles, cout, cin, v + p * vs, cin, packed + p * panel, m + p * ms, cout);
  }
  for (size_t r = 0; r < band.rows; ++r) {
    const size_t row = band.row0 + r, b = row / th, ty = row % th;
    float* image = band.y + b * out_h * out_w * cout;  // [Ho, Wo, Cout]
    for (size_t tx = 0; tx < tw; ++tx) {
      const float* mt[kPoints];
      for (size_t p = 0; p < kPoints; ++p) mt[p] = m + p * ms + (r * tw + tx) * cout;
      float* yt[4];
      for (size_t i = 0; i < 2; ++i) {
        for (size_t j = 0; j < 2; ++j) {
          const size_t oy = 2 * ty + i, ox = 2 * tx + j;  // phase grid
          yt[i * 2 + j] = oy < h && ox < wd
                              ? image + ((band.stride_h * oy + py) * out_w + band.stride_w * ox + px) * cout
                              : sink + (i * 2 + j) * cout;  // rows apart: y's pointers never alias
        }
      }
      output_tile(mt, cout, yt);
    }
  }
}

}  // namespace winograd
}  // namespace edgeattn
