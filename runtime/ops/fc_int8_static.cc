#include "runtime/ops/fc_int8_static.h"

#include <xnnpack.h>

#include <cmath>
#include <cstdint>

#include "runtime/core/fallible_vector.h"
#include "runtime/model.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

constexpr float kQMax = 127.0f;  // symmetric: q in [-127, 127], zero point 0

// Scale of output channel c. An all-zero row (scale 0) gets the scale that
// makes its requantization factor 1: XNNPACK rejects non-positive scales,
// and its products are zero anyway.
float channel_scale(const TensorInfo& w, size_t c, float in_scale, float out_scale) {
  const float s = w.scale_count == 1 ? w.scales[0] : w.scales[c];
  return s > 0.0f ? s : out_scale / in_scale;
}

// int32 bias of channel c: round(bias / (in_scale * w_scale)), as a double
// so the range check below sees values beyond int32.
double bias_q(const float* bias, size_t c, float in_scale, float w_scale) {
  return bias != nullptr ? std::nearbyint(static_cast<double>(bias[c]) / (static_cast<double>(in_scale) * w_scale))
                         : 0.0;
}

// Op scratch: [max_rows, k] i8 quantized x (+ XNNPACK's over-read slack,
// docs/xnnpack-debian12.md §6.3), then [max_rows, n] i8 quantized y.
struct StaticScratch {
  size_t xq_at = 0, yq_at = 0, total = 0;
  StaticScratch(size_t max_rows, size_t k, size_t n) {
    yq_at = (max_rows * k + 16 + 63) / 64 * 64;
    total = yq_at + max_rows * n;
  }
};

// Rounds half to even for |v| <= 2^22 (1.5 * 2^23 pushes the fraction out
// of the mantissa), like XNNPACK's convert kernels; vectorizes, unlike
// nearbyintf on baseline x86-64.
// Selects, not branches: clang vectorizes the loops below; GCC does only
// with -fno-trapping-math (not set here: the conversions are a small part
// of the op's time next to the GEMM).
inline int8_t quantize(float v) {
  v = v > -kQMax ? v : -kQMax;  // also maps NaN to -127
  v = v < kQMax ? v : kQMax;
  const float magic = 12582912.0f;
  return static_cast<int8_t>(static_cast<int>((v + magic) - magic));
}

}  // namespace

bool fc_int8_static_enabled(const fb::Op& op) {
  const fb::FullyConnectedOptions* o = op.options_as_FullyConnectedOptions();
  return o != nullptr && (o->input_scale() != 0.0f || o->output_scale() != 0.0f);
}

Status fc_int8_static_verify(const Model& model, const fb::Op& op) {
  if (!fc_int8_static_enabled(op)) return Status::ok();
  const fb::FullyConnectedOptions& o = *op.options_as_FullyConnectedOptions();
  const float in = o.input_scale(), out = o.output_scale();
  const char* name = op.name() != nullptr ? op.name()->c_str() : "FullyConnected";
  EA_ENSURE(std::isfinite(in) && in > 0.0f && std::isnormal(in) && std::isfinite(out) && out > 0.0f &&
                std::isnormal(out),
            StatusCode::kInvalidModel,
            "op '%s': static activation scales must both be finite and > 0 (input_scale %g, output_scale %g)", name,
            static_cast<double>(in), static_cast<double>(out));
  const TensorInfo& w = model.tensor(static_cast<size_t>(input(op, 1)));
  EA_ENSURE(w.dtype == DType::kI8 && w.scales != nullptr, StatusCode::kInvalidModel,
            "op '%s': static activation scales need i8 weights, '%s' is %s", name, w.name, dtype_name(w.dtype));
  const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
  const float* bias =
      input(op, 2) >= 0 ? static_cast<const float*>(model.tensor(static_cast<size_t>(input(op, 2))).data) : nullptr;
  // acc = bias_q + sum of k products of at most 127 * 127 must fit int32.
  const double bias_limit = 2147483647.0 - 127.0 * 127.0 * static_cast<double>(k);
  for (size_t c = 0; c < n; ++c) {
    const float ws = channel_scale(w, c, in, out);
    const float requant = in * ws / out;
    EA_ENSURE(std::isnormal(requant) && requant < 256.0f, StatusCode::kUnsupported,
              "op '%s': channel %zu requantization scale %g (input %g x weight %g / output %g) is outside (0, 256)",
              name, c, static_cast<double>(requant), static_cast<double>(in), static_cast<double>(ws),
              static_cast<double>(out));
    const double b = bias_q(bias, c, in, ws);
    EA_ENSURE(std::fabs(b) <= bias_limit, StatusCode::kUnsupported,
              "op '%s': channel %zu bias %g does not fit int32 at scale %g", name, c,
              static_cast<double>(bias[c]), static_cast<double>(in) * ws);
  }
  return Status::ok();
}

Status fc_int8_static_prepare(PrepareContext& ctx, const fb::Op& op, FullyConnectedState* state, OpRecord* record) {
  const TensorInfo& w = ctx.model->tensor(static_cast<size_t>(input(op, 1)));
  const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
  state->path = FcPath::kStaticQc8;
  record->scratch_bytes = StaticScratch(state->max_rows, k, n).total;
  if (!ctx.create_operators) return Status::ok();
  const fb::FullyConnectedOptions& o = *op.options_as_FullyConnectedOptions();
  const float in = o.input_scale(), out = o.output_scale();
  const float* bias = input(op, 2) >= 0 ? static_cast<const float*>(ctx.model->tensor(input(op, 2)).data) : nullptr;
  // XNNPACK packs weights, scales and bias at create: these may go after.
  Vector<float> scales;    // [n] per-channel weight scales, zero rows fixed up
  Vector<int32_t> bias_i;  // [n]
  EA_RETURN_IF_ERROR(scales.resize(n, "the qc8 weight scales"));
  EA_RETURN_IF_ERROR(bias_i.resize(n, "the qc8 bias"));
  for (size_t c = 0; c < n; ++c) {
    scales[c] = channel_scale(w, c, in, out);
    bias_i[c] = static_cast<int32_t>(bias_q(bias, c, in, scales[c]));  // range checked in verify
  }
  const bool relu = o.activation() == fb::Activation::Relu;
  // W [n, k] is the OHWI kernel [n][1][1][k] of a 1x1 convolution.
  const xnn_status s = xnn_create_convolution2d_nhwc_qc8(
      /*padding*/ 0, 0, 0, 0, /*kernel*/ 1, 1, /*subsampling*/ 1, 1, /*dilation*/ 1, 1, /*groups*/ 1, k, n,
      /*input_channel_stride*/ k, /*output_channel_stride*/ n, /*input_zero_point*/ 0, in, scales.data(),
      static_cast<const int8_t*>(w.data), bias_i.data(), /*output_zero_point*/ 0, out,
      relu ? int8_t{0} : static_cast<int8_t>(-kQMax), static_cast<int8_t>(kQMax), 0, &state->xnn);
  EA_ENSURE(s != xnn_status_out_of_memory, StatusCode::kOutOfMemory,
            "out of memory in xnn_create_convolution2d_nhwc_qc8 for '%s' (%zux%zu)", w.name, n, k);
  EA_ENSURE(s == xnn_status_success, StatusCode::kInternal,
            "xnn_create_convolution2d_nhwc_qc8 for '%s' (%zux%zu) failed: %d", w.name, n, k, static_cast<int>(s));
  return Status::ok();
}

Status fc_int8_static_eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const FullyConnectedState& state = state_of<FullyConnectedState>(record);
  const TensorInfo& w = ctx.model->tensor(static_cast<size_t>(input(op, 1)));
  const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
  const size_t rows = static_cast<size_t>(op_util::rows(*ctx.model, input(op, 0), ctx.dims));
  const fb::FullyConnectedOptions& o = *op.options_as_FullyConnectedOptions();
  const StaticScratch layout(state.max_rows, k, n);
  int8_t* xq = reinterpret_cast<int8_t*>(record.scratch + layout.xq_at);  // [rows, k]
  int8_t* yq = reinterpret_cast<int8_t*>(record.scratch + layout.yq_at);  // [rows, n]
  const float* x = ctx.f32(input(op, 0));                                // [rows, k]
  const float* mult = input(op, 3) >= 0 ? ctx.f32(input(op, 3)) : nullptr;  // [k] SmoothQuant
  const float inv_in = 1.0f / o.input_scale();
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * k;
    int8_t* qr = xq + r * k;
    if (mult != nullptr) {
      for (size_t c = 0; c < k; ++c) qr[c] = quantize((xr[c] * mult[c]) * inv_in);
    } else {
      for (size_t c = 0; c < k; ++c) qr[c] = quantize(xr[c] * inv_in);
    }
  }
  // batch = rows of 1x1 pixels: XNNPACK runs a 1x1 convolution as one GEMM
  // over batch * H * W rows, and a changing batch (unlike a changing H x W)
  // never reallocates at setup (xnnpack-debian12.md §2).
  xnn_status s = xnn_setup_convolution2d_nhwc_qc8(state.xnn, rows, 1, 1, xq, yq, ctx.threadpool);
  if (s == xnn_status_success) s = xnn_run_operator(state.xnn, ctx.threadpool);
  EA_ENSURE(s == xnn_status_success, StatusCode::kInternal, "XNNPACK qc8 convolution for '%s' failed: %d", w.name,
            static_cast<int>(s));
  float* y = ctx.f32(output(op, 0));  // [rows, n]
  const float out = o.output_scale();
  for (size_t i = 0; i < rows * n; ++i) y[i] = static_cast<float>(yq[i]) * out;
  return Status::ok();
}

}  // namespace edgeattn
