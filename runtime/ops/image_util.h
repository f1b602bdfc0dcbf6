// Internal: checks and helpers shared by the image ops (format 1.5, NHWC
// activations [B, H, W, C]): the activation enum onto the kernels' ActKind,
// and the size rules of windowed ops along one spatial axis for every dim
// kind (Fixed, or Height / Width with a divisor).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernels.h"
#include "runtime/core/status.h"
#include "runtime/tensor.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {

class Model;

namespace image_util {

// The kernels' ActKind of a schema activation; kUnsupported for the
// activations the image ops do not take (GeluTanh) or unknown values.
Status act_kind(fb::Activation a, ActKind* out);

// The gate of an attention op (ChannelAttention, SpatialAttention,
// AttentionGate): HardSigmoid or Sigmoid, else kUnsupported naming `op_name`.
Status verify_gate(fb::Activation gate, const char* op_name);

// Largest kernel tap count, stride, dilation and padding per axis of the
// convolutions (Conv2D, ConvTranspose2D).
constexpr int kMaxConvWindow = 64;

// Conv2DOptions shared by Conv2D and ConvTranspose2D: strides and dilations
// in [1, kMaxConvWindow], paddings in [0, kMaxConvWindow], finite epilogue
// parameters, an activation the image ops take.
Status verify_conv_options(const fb::Conv2DOptions& o);

// The fused epilogue of Conv2D / ConvTranspose2D options.
ActivationParams conv_epilogue(const fb::Conv2DOptions* o);
// True when params change nothing (activation None, identity affines).
bool is_identity(const ActivationParams& p);
// Relu / Relu6 with an identity post affine as an XNNPACK output clamp:
// true with *lo / *hi set (the op then needs no epilogue pass); false
// leaves them at -inf / +inf.
bool xnnpack_clamp(const ActivationParams& p, float* lo, float* hi);

// out[r] = bias[r] + w[r, :] · v, float, for the rows of w [rows, cols]
// (bias may be nullptr): the squeezed layers of the attention ops.
void small_gemv(size_t rows, size_t cols, const float* w, const float* bias, const float* v, float* out);

// Two dims are the same symbol (kind and value).
inline bool same_dim(const DimSpec& a, const DimSpec& b) { return a.kind == b.kind && a.value == b.value; }

// x and y are f32 activations [B, H, W, C] whose dim 0 agree, with fixed
// channels (returned in *x_channels, *y_channels).
Status nhwc_pair(const Model& model, int x, int y, int64_t* x_channels, int64_t* y_channels);

// y's dim `axis` is what a window op (convolution, pooling) gives for x's:
//   out = (in + pads - span) / stride + 1,   span = dilation (kernel - 1) + 1.
// Fixed x: y fixed at that size (>= 1). Height / Width with divisor d: y is
// the same kind with divisor d * stride, exact for every image size when
// -stride <= pads - span < 0 (e.g. 3x3 pad 1+1, 2x2 stride 2 pad 0).
Status check_window_dim(const Model& model, int x, int y, int axis, int64_t pads, int64_t span, int64_t stride);
// The transposed rule: out = (in - 1) stride - pads + span. Fixed: exact.
// Height / Width with divisor d: d a multiple of stride, y divisor
// d / stride, and pads == span - stride (so out = in * stride).
Status check_transposed_dim(const Model& model, int x, int y, int axis, int64_t pads, int64_t span, int64_t stride);

}  // namespace image_util
}  // namespace edgeattn
