// Winograd F(2x2, 2x2) for the output phases of a transposed convolution
// whose phases each see 2 x 2 taps: kernel twice the stride, dilation 1
// (k4 s2 pad 1, the up-sampling of saliency and segmentation decoders such as
// DINOv2-S's; k2 s1). ConvTranspose2D's subpixel path computes phase
// (py, px) as one GEMM over its output pixels with K = 4 Cin; here each 2 x 2
// block of a phase's outputs is
//
//   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A      (Lavin & Gray 2016, F(2x2, 2x2))
//
// over the 3 x 3 input pixels d under the block, with
//   Bᵀ = [1 -1 0; 0 1 0; 0 -1 1],  G = [1 0; 1 1; 0 1],  Aᵀ = [1 1 0; 0 1 1]
// (every coefficient 0 or +-1: the transforms are exact additions, so the
// error stays that of a short sum). The 9 points are 9 GEMMs of [tiles, Cin]
// by Uᵀ [Cin, Cout]: 9 products per 4 outputs instead of 16, 1.78x fewer
// multiply-adds, on the table's packed f32 GEMM.
//
//   winograd::PhaseWindow w = ...;                 // from the phase's taps
//   winograd::pack_phase(w, cout, cin, bias, packed);   // at bind, per phase
//   winograd::run_phase(kernels, band, w, py, px, packed);  // per band of tile rows
#pragma once

#include <cstddef>

#include "kernels/kernels.h"

namespace edgeattn {
namespace winograd {

constexpr size_t kPoints = 9;  // the 3 x 3 transform points of a tile

// One phase's taps as a 2 x 2 correlation: its output (Y, X) (phase grid,
// output pixel (sh Y + py, sw X + px)) is
//   sum_{u, v < 2} x[Y + di0 + u, X + dj0 + v] · g[u][v]ᵀ   (zero past the border)
struct PhaseWindow {
  ptrdiff_t di0 = 0, dj0 = 0;
  const float* g[2][2] = {};  // [Cout, Cin] each: the weight's tap blocks (in the model)
};

// Floats of one phase's packed weights: kPoints packed panels of U [Cout, Cin].
size_t phase_floats(size_t cout, size_t cin);

// U_ij = (G g Gᵀ)_ij = sum_{u in S_i, v in S_j} g[u][v] (S_0 = {0}, S_1 =
// {0, 1}, S_2 = {1}) packed for f32_gemm_packed, point after point; the bias
// goes with point (1, 1), which every output of a tile sums exactly once.
void pack_phase(const PhaseWindow& w, size_t cout, size_t cin, const float* bias, float* packed);

// Scratch floats of a band of `tiles` tiles: V [9, tiles, Cin], M [9,
// tiles, Cout], and 4 rows of Cout floats for outputs past an odd border.
size_t band_floats(size_t tiles, size_t cin, size_t cout);

// A band of tile rows of one invoke: tiles of 2 x 2 phase outputs, in rows
// of ceil(W / 2) over the flattened [B, ceil(H / 2)].
struct Band {
  const KernelTable* kernels;
  const float* x;     // [B, H, W, Cin]
  const float* zero;  // [Cin] zeros: the input past the border
  float* y;           // [B, Ho, Wo, Cout], Ho = sh H, Wo = sw W
  size_t in_h, in_w, cin, cout, stride_h, stride_w;
  size_t row0, rows;  // tile rows [row0, row0 + rows)
  float* scratch;     // band_floats(rows ceil(W / 2), Cin, Cout)
};

// Phase (py, px) of a band: its tiles' inputs transformed into V, the 9
// GEMMs into M (bias included), M transformed into the phase's outputs.
void run_phase(const Band& band, const PhaseWindow& w, size_t py, size_t px, const float* packed);

}  // namespace winograd
}  // namespace edgeattn
