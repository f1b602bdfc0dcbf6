// Elementwise ops: Add (residuals), Gelu (erf or tanh), GatedUnit (SwiGLU:
// silu(gate) * up); format 1.5: Mul (a * b, b like a, a constant of a's
// trailing shape, or a gate [B, 1, 1, C] over [B, H, W, C]) and Pointwise
// (y = act(x * pre_scale + pre_shift) * post_scale + post_shift).
#include <algorithm>
#include <cmath>

#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/image_util.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "runtime/ops/parallel.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

size_t element_count(const EvalContext& ctx, int index) {
  return static_cast<size_t>(ctx.model->tensor(index).element_count(ctx.dims));
}

Status verify_binary(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 2, 1));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 1), 0));
  EA_RETURN_IF_ERROR(op_check::same_dims(model, input(op, 0), input(op, 1)));
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

Status verify_unary(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

// b is an activation like a, or (format 1.3) a constant f32 of a's
// trailing shape added to every leading index: e.g. sinusoidal positions
// [T, D] added to each row of [B, T, D] (Whisper's encoder).
Status verify_add(const Model& model, const fb::Op& op) {
  if (op.inputs()->size() != 2 || op_util::input(op, 1) < 0 || !model.tensor(input(op, 1)).is_constant) {
    return verify_binary(model, op);
  }
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 2, 1));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  const TensorInfo& a = model.tensor(input(op, 0));
  const TensorInfo& b = model.tensor(input(op, 1));
  EA_ENSURE(b.dtype == DType::kF32 && b.rank >= 1 && b.rank < a.rank, StatusCode::kInvalidModel,
            "constant b '%s' must be f32 of lower rank than a '%s'", b.name, a.name);
  for (int i = 0; i < b.rank; ++i) {
    const DimSpec& ad = a.dims[a.rank - b.rank + i];
    EA_ENSURE(ad.kind == DimKind::kFixed && ad.value == b.shape[i], StatusCode::kInvalidModel,
              "constant b '%s' dim %d (%lld) must equal a '%s''s fixed dim %d", b.name, i,
              static_cast<long long>(b.shape[i]), a.name, a.rank - b.rank + i);
  }
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

Status verify_gelu(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(verify_unary(model, op));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::GeluOptions), false));
  const fb::GeluOptions* o = op.options_as_GeluOptions();
  EA_ENSURE(o == nullptr || o->approximation() == fb::GeluApproximation::Erf ||
                o->approximation() == fb::GeluApproximation::Tanh,
            StatusCode::kUnsupported, "unknown GELU approximation %d", o ? static_cast<int>(o->approximation()) : 0);
  return Status::ok();
}

Status verify_gated(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(verify_binary(model, op));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::GatedUnitOptions), false));
  const fb::GatedUnitOptions* o = op.options_as_GatedUnitOptions();
  EA_ENSURE(o == nullptr || o->activation() == fb::Activation::Silu, StatusCode::kUnsupported,
            "gate activation %d (only Silu)", o ? static_cast<int>(o->activation()) : 0);
  return Status::ok();
}

// One elementwise kernel call over [0, n), in chunks on the thread pool
// when there is enough work (`cost` ~ multiply-adds per element, against
// EvalContext::pool_for's threshold): MiniLM at 8 x 128 has 1.6 M GELU
// outputs per layer (2 threads: 3.9 -> 2.5 ms per invoke). The kernels compute every lane
// the same whichever call or loop holds it, so chunks give the bits of one
// call; chunks are whole multiples of kChunk elements (every vector loop).
struct ElementwiseJob {
  void (*unary)(size_t n, const float* x, float* y);
  void (*binary)(size_t n, const float* a, const float* b, float* y);
  const float* a;  // [n]
  const float* b;  // [n] (binary)
  float* y;        // [n]
  size_t n;
};

constexpr size_t kChunk = 1024;

void elementwise_chunks(void* context, size_t c0, size_t count) {
  const ElementwiseJob& j = *static_cast<const ElementwiseJob*>(context);
  const size_t i0 = c0 * kChunk, n = std::min(count * kChunk, j.n - i0);
  if (j.unary != nullptr) {
    j.unary(n, j.a + i0, j.y + i0);
  } else {
    j.binary(n, j.a + i0, j.b + i0, j.y + i0);
  }
}

void run_elementwise(const EvalContext& ctx, const ElementwiseJob& j, size_t cost) {
  pthreadpool* const pool = ctx.pool_for(j.n * cost);
  const size_t chunks = (j.n + kChunk - 1) / kChunk;
  if (pool == nullptr || chunks < 2) {
    elementwise_chunks(const_cast<ElementwiseJob*>(&j), 0, chunks);
    return;
  }
  parallel::for_1d_tile(pool, elementwise_chunks, const_cast<ElementwiseJob*>(&j), chunks,
                        std::max<size_t>(1, chunks / (4 * parallel::threads(pool))));
}

// Work per element in pool_for's unit (multiply-adds): GELU and SiLU * mul
// are ~20-40 vector operations per vector, as the FullyConnected epilogue
// counts them.
constexpr size_t kActivationCost = 16;

Status eval_add(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const size_t n = element_count(ctx, input(op, 0));
  const size_t n_b = element_count(ctx, input(op, 1));  // n, or the broadcast constant's size
  const float* a = ctx.f32(input(op, 0));
  const float* b = ctx.f32(input(op, 1));
  float* y = ctx.f32(output(op, 0));
  // One thread: a residual add is memory traffic, and two threads measured no
  // faster (MiniLM 8 x 128, 393 K elements per add: 2.5 ms per invoke either way).
  for (size_t at = 0; at < n; at += n_b) ctx.kernels->f32_add(n_b, a + at, b, y + at);
  return Status::ok();
}

Status eval_gelu(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const fb::GeluOptions* o = op.options_as_GeluOptions();
  const bool tanh = o != nullptr && o->approximation() == fb::GeluApproximation::Tanh;
  run_elementwise(ctx,
                  ElementwiseJob{tanh ? ctx.kernels->f32_gelu_tanh : ctx.kernels->f32_gelu, nullptr,
                                 ctx.f32(input(op, 0)), nullptr, ctx.f32(output(op, 0)), element_count(ctx, input(op, 0))},
                  kActivationCost);
  return Status::ok();
}

Status eval_gated(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  run_elementwise(ctx,
                  ElementwiseJob{nullptr, ctx.kernels->f32_silu_mul, ctx.f32(input(op, 0)), ctx.f32(input(op, 1)),
                                 ctx.f32(output(op, 0)), element_count(ctx, input(op, 0))},
                  kActivationCost);
  return Status::ok();
}

// How Mul's b lines up with a.
enum class MulKind { kSame, kTrailingConstant, kChannelGate };

MulKind mul_kind(const Model& model, const fb::Op& op) {
  const TensorInfo& a = model.tensor(input(op, 0));
  const TensorInfo& b = model.tensor(input(op, 1));
  if (b.is_constant) return MulKind::kTrailingConstant;
  const bool gate = a.rank == 4 && b.rank == 4 && b.dims[1].kind == DimKind::kFixed && b.dims[1].value == 1 &&
                    b.dims[2].kind == DimKind::kFixed && b.dims[2].value == 1 &&
                    !(a.dims[1].kind == DimKind::kFixed && a.dims[1].value == 1 && a.dims[2].kind == DimKind::kFixed &&
                      a.dims[2].value == 1);
  return gate ? MulKind::kChannelGate : MulKind::kSame;
}

Status verify_mul(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 2, 1));
  switch (mul_kind(model, op)) {
    case MulKind::kSame: return verify_binary(model, op);
    case MulKind::kTrailingConstant: return verify_add(model, op);  // the same shape rules as Add's constant b
    case MulKind::kChannelGate: break;
  }
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 4));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 1), 4));
  const TensorInfo& a = model.tensor(input(op, 0));
  const TensorInfo& b = model.tensor(input(op, 1));
  EA_ENSURE(image_util::same_dim(a.dims[0], b.dims[0]) && image_util::same_dim(a.dims[3], b.dims[3]),
            StatusCode::kInvalidModel, "gate b '%s' must be [B, 1, 1, C] of a '%s' [B, H, W, C]", b.name, a.name);
  return op_check::same_dims(model, input(op, 0), output(op, 0));
}

Status eval_mul(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const float* a = ctx.f32(input(op, 0));
  const float* b = ctx.f32(input(op, 1));
  float* y = ctx.f32(output(op, 0));
  const size_t n = element_count(ctx, input(op, 0));
  switch (mul_kind(*ctx.model, op)) {
    case MulKind::kSame:
      for (size_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
      break;
    case MulKind::kTrailingConstant: {
      const size_t period = static_cast<size_t>(ctx.model->tensor(input(op, 1)).element_count(ctx.dims));
      for (size_t i = 0; i < n; ++i) y[i] = a[i] * b[i % period];
      break;
    }
    case MulKind::kChannelGate: {
      // a [B, H, W, C] times b [B, 1, 1, C]: image bi's pixels share gate row bi.
      const TensorInfo& at = ctx.model->tensor(input(op, 0));
      const size_t c = static_cast<size_t>(at.dim(3, ctx.dims));
      const size_t pixels = static_cast<size_t>(at.dim(1, ctx.dims) * at.dim(2, ctx.dims));
      for (size_t i = 0; i < n; ++i) y[i] = a[i] * b[i / (pixels * c) * c + i % c];
      break;
    }
  }
  return Status::ok();
}

ActivationParams pointwise_params(const fb::Op& op) {
  ActivationParams p;
  const fb::PointwiseOptions* o = op.options_as_PointwiseOptions();
  if (o == nullptr) return p;
  (void)image_util::act_kind(o->activation(), &p.kind);  // verified
  p.alpha = o->act_alpha();
  p.beta = o->act_beta();
  p.pre_scale = o->pre_scale();
  p.pre_shift = o->pre_shift();
  p.post_scale = o->post_scale();
  p.post_shift = o->post_shift();
  return p;
}

Status verify_pointwise(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(verify_unary(model, op));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::PointwiseOptions), false));
  const ActivationParams p = pointwise_params(op);
  for (float v : {p.alpha, p.beta, p.pre_scale, p.pre_shift, p.post_scale, p.post_shift}) {
    EA_ENSURE(std::isfinite(v), StatusCode::kInvalidModel, "pointwise parameters must be finite");
  }
  ActKind kind;
  const fb::PointwiseOptions* o = op.options_as_PointwiseOptions();
  return o == nullptr ? Status::ok() : image_util::act_kind(o->activation(), &kind);
}

Status eval_pointwise(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  ctx.kernels->f32_activation(element_count(ctx, input(op, 0)), ctx.f32(input(op, 0)), ctx.f32(output(op, 0)),
                              pointwise_params(op));
  return Status::ok();
}

}  // namespace

extern const OpRegistration kAddOp = {"Add", verify_add, nullptr, nullptr, eval_add, nullptr};
extern const OpRegistration kGeluOp = {"Gelu", verify_gelu, nullptr, nullptr, eval_gelu, nullptr};
extern const OpRegistration kGatedUnitOp = {"GatedUnit", verify_gated, nullptr, nullptr, eval_gated, nullptr};
extern const OpRegistration kMulOp = {"Mul", verify_mul, nullptr, nullptr, eval_mul, nullptr};
extern const OpRegistration kPointwiseOp = {"Pointwise", verify_pointwise, nullptr, nullptr, eval_pointwise, nullptr};

}  // namespace edgeattn
