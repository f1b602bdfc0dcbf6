// Pool2D (format 1.5): NHWC max / average pooling, or global average.
//
//   Max, Average   x [B, H, W, C] -> y [B, Ho, Wo, C], Ho = (H + pad_top + pad_bottom - kernel_h) / stride_h + 1;
//                  padding is ignored by Max and, unless count_include_pad,
//                  by the Average divisor.
//   GlobalAverage  x [B, H, W, C] -> y [B, 1, 1, C], the mean over H, W.
// The table's f32_pool2d per image (GlobalAverage: one window of H x W).
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

constexpr int kMaxWindow = 64;

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::Pool2DOptions), true));
  const fb::Pool2DOptions& o = *op.options_as_Pool2DOptions();
  int64_t cx = 0, cy = 0;
  EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, 0), output(op, 0), &cx, &cy));
  const TensorInfo& y = model.tensor(output(op, 0));
  EA_ENSURE(cx == cy, StatusCode::kInvalidModel, "y '%s': %lld channels, expects %lld", y.name,
            static_cast<long long>(cy), static_cast<long long>(cx));
  if (o.kind() == fb::PoolKind::GlobalAverage) {
    EA_ENSURE(y.dims[1].kind == DimKind::kFixed && y.dims[1].value == 1 && y.dims[2].kind == DimKind::kFixed &&
                  y.dims[2].value == 1,
              StatusCode::kInvalidModel, "y '%s': global pooling gives [B, 1, 1, C]", y.name);
    return Status::ok();
  }
  EA_ENSURE(o.kind() == fb::PoolKind::Max || o.kind() == fb::PoolKind::Average, StatusCode::kInvalidModel,
            "unknown pool kind %d", static_cast<int>(o.kind()));
  for (int v : {o.kernel_h(), o.kernel_w(), o.stride_h(), o.stride_w()}) {
    EA_ENSURE(v >= 1 && v <= kMaxWindow, StatusCode::kInvalidModel, "kernel / stride %d not in [1, %d]", v, kMaxWindow);
  }
  for (int v : {o.pad_top(), o.pad_left(), o.pad_bottom(), o.pad_right()}) {
    EA_ENSURE(v >= 0 && v < kMaxWindow, StatusCode::kInvalidModel, "padding %d not in [0, %d)", v, kMaxWindow);
  }
  EA_ENSURE(o.pad_top() < o.kernel_h() && o.pad_bottom() < o.kernel_h() && o.pad_left() < o.kernel_w() &&
                o.pad_right() < o.kernel_w(),
            StatusCode::kInvalidModel, "padding must be smaller than the window");
  EA_RETURN_IF_ERROR(image_util::check_window_dim(model, input(op, 0), output(op, 0), 1,
                                                  int64_t{o.pad_top()} + o.pad_bottom(), o.kernel_h(), o.stride_h()));
  return image_util::check_window_dim(model, input(op, 0), output(op, 0), 2, int64_t{o.pad_left()} + o.pad_right(),
                                      o.kernel_w(), o.stride_w());
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const fb::Pool2DOptions& o = *op.options_as_Pool2DOptions();
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const TensorInfo& yt = ctx.model->tensor(output(op, 0));
  Pool2DArgs a;
  a.in_h = static_cast<size_t>(xt.dim(1, ctx.dims));
  a.in_w = static_cast<size_t>(xt.dim(2, ctx.dims));
  a.channels = static_cast<size_t>(xt.dim(3, ctx.dims));
  a.out_h = static_cast<size_t>(yt.dim(1, ctx.dims));
  a.out_w = static_cast<size_t>(yt.dim(2, ctx.dims));
  if (o.kind() == fb::PoolKind::GlobalAverage) {
    a.kh = a.in_h, a.kw = a.in_w, a.stride_h = a.stride_w = 1;
    a.pad_top = a.pad_left = a.pad_bottom = a.pad_right = 0;
    a.op = PoolOp::kAverage;
    a.count_include_pad = false;
  } else {
    a.kh = static_cast<size_t>(o.kernel_h()), a.kw = static_cast<size_t>(o.kernel_w());
    a.stride_h = static_cast<size_t>(o.stride_h()), a.stride_w = static_cast<size_t>(o.stride_w());
    a.pad_top = static_cast<size_t>(o.pad_top()), a.pad_left = static_cast<size_t>(o.pad_left());
    a.pad_bottom = static_cast<size_t>(o.pad_bottom()), a.pad_right = static_cast<size_t>(o.pad_right());
    a.op = o.kind() == fb::PoolKind::Max ? PoolOp::kMax : PoolOp::kAverage;
    a.count_include_pad = o.count_include_pad();
  }
  const float* x = ctx.f32(input(op, 0));  // [B, H, W, C]
  float* y = ctx.f32(output(op, 0));        // [B, Ho, Wo, C]
  for (int64_t b = 0; b < xt.dim(0, ctx.dims); ++b) {
    a.x = x + static_cast<size_t>(b) * a.in_h * a.in_w * a.channels;
    a.y = y + static_cast<size_t>(b) * a.out_h * a.out_w * a.channels;
    ctx.kernels->f32_pool2d(a);
  }
  return Status::ok();
}

}  // namespace

extern const OpRegistration kPool2DOp = {"Pool2D", verify, nullptr, nullptr, eval, nullptr};

}  // namespace edgeattn
