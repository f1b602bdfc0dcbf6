// ConvTranspose2D (format 1.5): NHWC transposed convolution (groups 1), then
// the Conv2D epilogue y = act(conv + bias) * post_scale + post_shift.
//
//   x [B, H, W, Cin], weight [KH, KW, Cout, Cin] (constant), bias? [Cout]
//   y [B, Ho, Wo, Cout],  Ho = (H - 1) stride_h - pad_top - pad_bottom + dilation_h (KH - 1) + 1
//   y[b, i s - pad_top + kh d, j s - pad_left + kw d, co] += sum_ci x[b, i, j, ci] w[kh, kw, co, ci]
//
// The table's f32_conv_transpose2d per image (reference-only: detectors use
// it once or twice, at low resolution). With Height / Width dims the output
// must be exactly stride times the input (pads == dilation (K - 1) + 1 - stride,
// e.g. k2 s2 pad 0, or k3 s2 with pad_top 1, pad_bottom 0: ONNX's
// output_padding folded into the pads).
#include <cmath>

#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/image_util.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

constexpr int kMaxWindow = image_util::kMaxConvWindow;

Status verify_options(const fb::Conv2DOptions& o) {
  EA_ENSURE(o.groups() == 1, StatusCode::kUnsupported, "groups %d (transposed convolution takes 1)", o.groups());
  return image_util::verify_conv_options(o);
}

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 3, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::Conv2DOptions), true));
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  EA_RETURN_IF_ERROR(verify_options(o));
  int64_t cin = 0, cout = 0;
  EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, 0), output(op, 0), &cin, &cout));
  const int64_t w_shape[4] = {-1, -1, cout, cin};
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 1), DType::kF32, 4, w_shape));
  const TensorInfo& w = model.tensor(input(op, 1));
  EA_ENSURE(w.shape[0] >= 1 && w.shape[0] <= kMaxWindow && w.shape[1] >= 1 && w.shape[1] <= kMaxWindow,
            StatusCode::kInvalidModel, "weight '%s': kernel %lldx%lld not in [1, %d]", w.name,
            static_cast<long long>(w.shape[0]), static_cast<long long>(w.shape[1]), kMaxWindow);
  if (input(op, 2) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 2), DType::kF32, 1, &cout));
  const int64_t span_h = int64_t{o.dilation_h()} * (w.shape[0] - 1) + 1;
  const int64_t span_w = int64_t{o.dilation_w()} * (w.shape[1] - 1) + 1;
  EA_RETURN_IF_ERROR(image_util::check_transposed_dim(model, input(op, 0), output(op, 0), 1,
                                                      int64_t{o.pad_top()} + o.pad_bottom(), span_h, o.stride_h()));
  return image_util::check_transposed_dim(model, input(op, 0), output(op, 0), 2,
                                          int64_t{o.pad_left()} + o.pad_right(), span_w, o.stride_w());
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const TensorInfo& yt = ctx.model->tensor(output(op, 0));
  const TensorInfo& wt = ctx.model->tensor(input(op, 1));
  ConvTransposeArgs a;
  a.w = ctx.f32(input(op, 1));  // [KH, KW, Cout, Cin]
  a.bias = input(op, 2) >= 0 ? ctx.f32(input(op, 2)) : nullptr;
  a.in_h = static_cast<size_t>(xt.dim(1, ctx.dims));
  a.in_w = static_cast<size_t>(xt.dim(2, ctx.dims));
  a.cin = static_cast<size_t>(xt.dim(3, ctx.dims));
  a.out_h = static_cast<size_t>(yt.dim(1, ctx.dims));
  a.out_w = static_cast<size_t>(yt.dim(2, ctx.dims));
  a.cout = static_cast<size_t>(yt.dim(3, ctx.dims));
  a.kh = static_cast<size_t>(wt.shape[0]);
  a.kw = static_cast<size_t>(wt.shape[1]);
  a.stride_h = static_cast<size_t>(o.stride_h());
  a.stride_w = static_cast<size_t>(o.stride_w());
  a.dilation_h = static_cast<size_t>(o.dilation_h());
  a.dilation_w = static_cast<size_t>(o.dilation_w());
  a.pad_top = static_cast<size_t>(o.pad_top());
  a.pad_left = static_cast<size_t>(o.pad_left());
  const size_t batch = static_cast<size_t>(xt.dim(0, ctx.dims));
  const float* x = ctx.f32(input(op, 0));  // [B, H, W, Cin]
  float* y = ctx.f32(output(op, 0));        // [B, Ho, Wo, Cout]
  for (size_t b = 0; b < batch; ++b) {
    a.x = x + b * a.in_h * a.in_w * a.cin;
    a.y = y + b * a.out_h * a.out_w * a.cout;
    ctx.kernels->f32_conv_transpose2d(a);
  }
  const ActivationParams ep = image_util::conv_epilogue(&o);
  if (!image_util::is_identity(ep)) ctx.kernels->f32_activation(batch * a.out_h * a.out_w * a.cout, y, y, ep);
  return Status::ok();
}

}  // namespace

extern const OpRegistration kConvTranspose2DOp = {"ConvTranspose2D", verify, nullptr, nullptr, eval, nullptr};

}  // namespace edgeattn
