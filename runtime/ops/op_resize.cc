// Resize (format 1.5): x [B, H, W, C] -> y [B, Ho, Wo, C], the sizes from y's
// dims (any kinds: e.g. Height 8 -> Height 2 is x4 upsampling), nearest or
// bilinear with ONNX's coordinate modes (ResizeOptions). The table's
// f32_resize per image.
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

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::ResizeOptions), false));
  int64_t cx = 0, cy = 0;
  EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, 0), output(op, 0), &cx, &cy));
  const TensorInfo& y = model.tensor(output(op, 0));
  EA_ENSURE(cx == cy, StatusCode::kInvalidModel, "y '%s': %lld channels, expects %lld", y.name,
            static_cast<long long>(cy), static_cast<long long>(cx));
  for (int d = 1; d <= 2; ++d) {
    const DimKind k = y.dims[d].kind;
    EA_ENSURE(k == DimKind::kFixed || k == DimKind::kHeight || k == DimKind::kWidth, StatusCode::kInvalidModel,
              "y '%s': dim %d must be fixed or an image dim", y.name, d);
  }
  if (const fb::ResizeOptions* o = op.options_as_ResizeOptions()) {
    EA_ENSURE(o->mode() == fb::ResizeMode::Nearest || o->mode() == fb::ResizeMode::Bilinear, StatusCode::kUnsupported,
              "resize mode %d", static_cast<int>(o->mode()));
    EA_ENSURE(o->coordinates() >= fb::ResizeCoordinates::MIN && o->coordinates() <= fb::ResizeCoordinates::MAX,
              StatusCode::kUnsupported, "resize coordinates %d", static_cast<int>(o->coordinates()));
  }
  return Status::ok();
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const fb::ResizeOptions* o = op.options_as_ResizeOptions();
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const TensorInfo& yt = ctx.model->tensor(output(op, 0));
  ResizeArgs a;
  a.in_h = static_cast<size_t>(xt.dim(1, ctx.dims));
  a.in_w = static_cast<size_t>(xt.dim(2, ctx.dims));
  a.channels = static_cast<size_t>(xt.dim(3, ctx.dims));
  a.out_h = static_cast<size_t>(yt.dim(1, ctx.dims));
  a.out_w = static_cast<size_t>(yt.dim(2, ctx.dims));
  a.kind = o != nullptr && o->mode() == fb::ResizeMode::Bilinear ? ResizeKind::kBilinear : ResizeKind::kNearest;
  a.coord = o != nullptr ? static_cast<ResizeCoord>(o->coordinates()) : ResizeCoord::kAsymmetric;
  const float* x = ctx.f32(input(op, 0));  // [B, H, W, C]
  float* y = ctx.f32(output(op, 0));        // [B, Ho, Wo, C]
  for (int64_t b = 0; b < xt.dim(0, ctx.dims); ++b) {
    a.x = x + static_cast<size_t>(b) * a.in_h * a.in_w * a.channels;
    a.y = y + static_cast<size_t>(b) * a.out_h * a.out_w * a.channels;
    ctx.kernels->f32_resize(a);
  }
  return Status::ok();
}

}  // namespace

extern const OpRegistration kResizeOp = {"Resize", verify, nullptr, nullptr, eval, nullptr};

}  // namespace edgeattn
