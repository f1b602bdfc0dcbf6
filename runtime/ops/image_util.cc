#include "runtime/ops/image_util.h"

#include <cmath>
#include <limits>

#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"

namespace edgeattn {
namespace image_util {

Status verify_conv_options(const fb::Conv2DOptions& o) {
  for (int v : {o.stride_h(), o.stride_w(), o.dilation_h(), o.dilation_w()}) {
    EA_ENSURE(v >= 1 && v <= kMaxConvWindow, StatusCode::kInvalidModel, "stride / dilation %d not in [1, %d]", v,
              kMaxConvWindow);
  }
  for (int v : {o.pad_top(), o.pad_left(), o.pad_bottom(), o.pad_right()}) {
    EA_ENSURE(v >= 0 && v <= kMaxConvWindow, StatusCode::kInvalidModel, "padding %d not in [0, %d]", v,
              kMaxConvWindow);
  }
  EA_ENSURE(std::isfinite(o.act_alpha()) && std::isfinite(o.act_beta()) && std::isfinite(o.post_scale()) &&
                std::isfinite(o.post_shift()),
            StatusCode::kInvalidModel, "activation parameters and post affine must be finite");
  ActKind kind;
  return act_kind(o.activation(), &kind);
}

Status act_kind(fb::Activation a, ActKind* out) {
  switch (a) {
    case fb::Activation::None: *out = ActKind::kNone; return Status::ok();
    case fb::Activation::Relu: *out = ActKind::kRelu; return Status::ok();
    case fb::Activation::Relu6: *out = ActKind::kRelu6; return Status::ok();
    case fb::Activation::Sigmoid: *out = ActKind::kSigmoid; return Status::ok();
    case fb::Activation::HardSigmoid: *out = ActKind::kHardSigmoid; return Status::ok();
    case fb::Activation::HardSwish: *out = ActKind::kHardSwish; return Status::ok();
    case fb::Activation::Silu: *out = ActKind::kSilu; return Status::ok();
    case fb::Activation::Gelu: *out = ActKind::kGelu; return Status::ok();
    case fb::Activation::GeluTanh: break;
  }
  return Status::error(StatusCode::kUnsupported, "activation %d is not supported here", static_cast<int>(a));
}

Status verify_gate(fb::Activation gate, const char* op_name) {
  EA_ENSURE(gate == fb::Activation::HardSigmoid || gate == fb::Activation::Sigmoid, StatusCode::kUnsupported,
            "%s gate %d (HardSigmoid or Sigmoid)", op_name, static_cast<int>(gate));
  return Status::ok();
}

ActivationParams conv_epilogue(const fb::Conv2DOptions* o) {
  ActivationParams p;
  if (o == nullptr) return p;
  (void)act_kind(o->activation(), &p.kind);  // verified
  p.alpha = o->act_alpha();
  p.beta = o->act_beta();
  p.post_scale = o->post_scale();
  p.post_shift = o->post_shift();
  return p;
}

bool is_identity(const ActivationParams& p) {
  return p.kind == ActKind::kNone && p.pre_scale == 1.0f && p.pre_shift == 0.0f && p.post_scale == 1.0f &&
         p.post_shift == 0.0f;
}

bool xnnpack_clamp(const ActivationParams& p, float* lo, float* hi) {
  *lo = -std::numeric_limits<float>::infinity();
  *hi = std::numeric_limits<float>::infinity();
  if ((p.kind != ActKind::kRelu && p.kind != ActKind::kRelu6) || p.post_scale != 1.0f || p.post_shift != 0.0f) {
    return false;
  }
  *lo = 0.0f;
  if (p.kind == ActKind::kRelu6) *hi = 6.0f;
  return true;
}

Status nhwc_pair(const Model& model, int x, int y, int64_t* x_channels, int64_t* y_channels) {
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, x, 4));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, y, 4));
  const TensorInfo& xt = model.tensor(x);
  const TensorInfo& yt = model.tensor(y);
  EA_ENSURE(same_dim(xt.dims[0], yt.dims[0]), StatusCode::kInvalidModel, "'%s' and '%s': dim 0 (batch) must agree",
            xt.name, yt.name);
  *x_channels = op_util::fixed_last_dim(model, x);
  *y_channels = op_util::fixed_last_dim(model, y);
  EA_ENSURE(*x_channels > 0 && *y_channels > 0, StatusCode::kInvalidModel,
            "'%s' and '%s': channels (dim 3) must be fixed", xt.name, yt.name);
  for (int d = 1; d <= 2; ++d) {
    const DimKind k = xt.dims[d].kind;
    EA_ENSURE(k == DimKind::kFixed || k == DimKind::kHeight || k == DimKind::kWidth, StatusCode::kInvalidModel,
              "x '%s': dim %d must be fixed or an image dim", xt.name, d);
  }
  return Status::ok();
}

Status check_window_dim(const Model& model, int x, int y, int axis, int64_t pads, int64_t span, int64_t stride) {
  const TensorInfo& xt = model.tensor(x);
  const TensorInfo& yt = model.tensor(y);
  const DimSpec& in = xt.dims[axis];
  const DimSpec& out = yt.dims[axis];
  if (in.kind == DimKind::kFixed) {
    EA_ENSURE(in.value + pads >= span, StatusCode::kInvalidModel, "x '%s' dim %d: %lld (padded %lld) < window %lld",
              xt.name, axis, static_cast<long long>(in.value), static_cast<long long>(in.value + pads),
              static_cast<long long>(span));
    const int64_t want = (in.value + pads - span) / stride + 1;
    EA_ENSURE(out.kind == DimKind::kFixed && out.value == want, StatusCode::kInvalidModel,
              "y '%s' dim %d must be fixed %lld", yt.name, axis, static_cast<long long>(want));
    return Status::ok();
  }
  EA_ENSURE(pads - span >= -stride && pads - span < 0, StatusCode::kInvalidModel,
            "x '%s' dim %d is an image dim: pads %lld, window %lld and stride %lld must give exactly in / stride",
            xt.name, axis, static_cast<long long>(pads), static_cast<long long>(span), static_cast<long long>(stride));
  EA_ENSURE(out.kind == in.kind && out.value == in.value * stride, StatusCode::kInvalidModel,
            "y '%s' dim %d must be x's image dim divided by %lld (divisor %lld)", yt.name, axis,
            static_cast<long long>(stride), static_cast<long long>(in.value * stride));
  return Status::ok();
}

Status check_transposed_dim(const Model& model, int x, int y, int axis, int64_t pads, int64_t span, int64_t stride) {
  const TensorInfo& xt = model.tensor(x);
  const TensorInfo& yt = model.tensor(y);
  const DimSpec& in = xt.dims[axis];
  const DimSpec& out = yt.dims[axis];
  if (in.kind == DimKind::kFixed) {
    const int64_t want = (in.value - 1) * stride - pads + span;
    EA_ENSURE(want >= 1 && out.kind == DimKind::kFixed && out.value == want, StatusCode::kInvalidModel,
              "y '%s' dim %d must be fixed %lld", yt.name, axis, static_cast<long long>(want));
    return Status::ok();
  }
  EA_ENSURE(pads == span - stride && in.value % stride == 0, StatusCode::kInvalidModel,
            "x '%s' dim %d is an image dim: needs pads == window - stride and a divisor that stride divides",
            xt.name, axis);
  EA_ENSURE(out.kind == in.kind && out.value == in.value / stride, StatusCode::kInvalidModel,
            "y '%s' dim %d must be x's image dim times %lld (divisor %lld)", yt.name, axis,
            static_cast<long long>(stride), static_cast<long long>(in.value / stride));
  return Status::ok();
}

void small_gemv(size_t rows, size_t cols, const float* w, const float* bias, const float* v, float* out) {
  for (size_t r = 0; r < rows; ++r) {
    float acc = bias != nullptr ? bias[r] : 0.0f;
    for (size_t k = 0; k < cols; ++k) acc += w[r * cols + k] * v[k];
    out[r] = acc;
  }
}

}  // namespace image_util
}  // namespace edgeattn
