// SpatialAttention (format 1.6): CBAM's spatial attention (Woo et al. 2018).
//
//   x [B, H, W, C], w [KH, KW, 2] (constant f32; KH, KW odd), bias? [1]
//   m[b, h, w] = (mean over c of x[b, h, w, c], max over c of x[b, h, w, c])   [B, H, W, 2]
//   s[b, h, w] = gate(bias + sum_{i, j, k} w[i, j, k] m[b, h + i - KH/2, w + j - KW/2, k])   (zero outside)
//   y[b, h, w, c] = x[b, h, w, c] * s[b, h, w]
//
// Two passes over rows of the flattened [B * H], each on the threads: the
// two channel maps, then per row the 2-channel convolution, the gate (the
// table's f32_activation) and the multiply. Op scratch: m [B, H, W, 2],
// s [B, H, W].
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

constexpr int64_t kMaxKernel = 15;

ActivationParams gate_of(const fb::Op& op) {
  ActivationParams p;
  p.kind = ActKind::kSigmoid;
  if (const fb::SpatialAttentionOptions* o = op.options_as_SpatialAttentionOptions()) {
    (void)image_util::act_kind(o->gate(), &p.kind);  // verified
    p.alpha = o->gate_alpha();
    p.beta = o->gate_beta();
  }
  return p;
}

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 3, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::SpatialAttentionOptions), false));
  int64_t c = 0, cy = 0;
  EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, 0), output(op, 0), &c, &cy));
  EA_RETURN_IF_ERROR(op_check::same_dims(model, input(op, 0), output(op, 0)));
  const int64_t w_shape[3] = {-1, -1, 2};
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 1), DType::kF32, 3, w_shape));
  const TensorInfo& w = model.tensor(input(op, 1));
  EA_ENSURE(w.shape[0] % 2 == 1 && w.shape[1] % 2 == 1 && w.shape[0] <= kMaxKernel && w.shape[1] <= kMaxKernel,
            StatusCode::kInvalidModel, "weight '%s': kernel %lldx%lld must be odd and at most %lld", w.name,
            static_cast<long long>(w.shape[0]), static_cast<long long>(w.shape[1]), static_cast<long long>(kMaxKernel));
  if (op_util::input_count(op) > 2 && input(op, 2) >= 0) {
    const int64_t one = 1;
    EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 2), DType::kF32, 1, &one));
  }
  if (const fb::SpatialAttentionOptions* o = op.options_as_SpatialAttentionOptions()) {
    EA_RETURN_IF_ERROR(image_util::verify_gate(o->gate(), "SpatialAttention"));
  }
  return Status::ok();
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  const TensorInfo& x = ctx.model->tensor(input(op, 0));
  const size_t pixels = static_cast<size_t>(x.dim(0, ctx.max_dims) * x.dim(1, ctx.max_dims) * x.dim(2, ctx.max_dims));
  record->scratch_bytes = pixels * 3 * sizeof(float);  // m [B, H, W, 2], s [B, H, W]
  return Status::ok();
}

struct SpatialJob {
  const KernelTable* kernels;
  const float* x;     // [B, H, W, C]
  float* y;           // [B, H, W, C]
  float* m;           // [B, H, W, 2]
  float* s;           // [B, H, W]
  const float* w;     // [KH, KW, 2]
  float bias;
  size_t h, width, c, kh, kw;
  ActivationParams gate;
};

// Rows [r0, r0 + n) of [B * H]: the channel mean and max of each pixel.
void map_rows(void* context, size_t r0, size_t n) {
  const SpatialJob& j = *static_cast<const SpatialJob*>(context);
  for (size_t p = r0 * j.width; p < (r0 + n) * j.width; ++p) {
    const float* px = j.x + p * j.c;
    float sum = 0.0f, mx = px[0];
    for (size_t ch = 0; ch < j.c; ++ch) {
      sum += px[ch];
      mx = std::max(mx, px[ch]);
    }
    j.m[2 * p] = sum / static_cast<float>(j.c);
    j.m[2 * p + 1] = mx;
  }
}

// Rows [r0, r0 + n): the convolution over the maps, the gate, the multiply.
void gate_rows(void* context, size_t r0, size_t n) {
  const SpatialJob& j = *static_cast<const SpatialJob*>(context);
  const ptrdiff_t ph = static_cast<ptrdiff_t>(j.kh / 2), pw = static_cast<ptrdiff_t>(j.kw / 2);
  for (size_t r = r0; r < r0 + n; ++r) {
    const size_t b = r / j.h, row = r % j.h;
    const float* image = j.m + b * j.h * j.width * 2;
    float* s = j.s + r * j.width;
    for (size_t col = 0; col < j.width; ++col) {
      float acc = j.bias;
      for (size_t i = 0; i < j.kh; ++i) {
        const ptrdiff_t yy = static_cast<ptrdiff_t>(row + i) - ph;
        if (yy < 0 || yy >= static_cast<ptrdiff_t>(j.h)) continue;
        for (size_t k = 0; k < j.kw; ++k) {
          const ptrdiff_t xx = static_cast<ptrdiff_t>(col + k) - pw;
          if (xx < 0 || xx >= static_cast<ptrdiff_t>(j.width)) continue;
          const float* mv = image + (static_cast<size_t>(yy) * j.width + static_cast<size_t>(xx)) * 2;
          const float* wv = j.w + (i * j.kw + k) * 2;
          acc += wv[0] * mv[0] + wv[1] * mv[1];
        }
      }
      s[col] = acc;
    }
    j.kernels->f32_activation(j.width, s, s, j.gate);
    for (size_t col = 0; col < j.width; ++col) {
      const float* px = j.x + (r * j.width + col) * j.c;
      float* out = j.y + (r * j.width + col) * j.c;
      for (size_t ch = 0; ch < j.c; ++ch) out[ch] = px[ch] * s[col];
    }
  }
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const TensorInfo& wt = ctx.model->tensor(input(op, 1));
  SpatialJob j;
  j.kernels = ctx.kernels;
  j.x = ctx.f32(input(op, 0));
  j.y = ctx.f32(output(op, 0));
  const size_t batch = static_cast<size_t>(xt.dim(0, ctx.dims));
  j.h = static_cast<size_t>(xt.dim(1, ctx.dims));
  j.width = static_cast<size_t>(xt.dim(2, ctx.dims));
  j.c = static_cast<size_t>(xt.dim(3, ctx.dims));
  j.m = reinterpret_cast<float*>(record.scratch);
  j.s = j.m + batch * j.h * j.width * 2;
  j.w = ctx.f32(input(op, 1));
  j.kh = static_cast<size_t>(wt.shape[0]);
  j.kw = static_cast<size_t>(wt.shape[1]);
  j.bias = op_util::input_count(op) > 2 && input(op, 2) >= 0 ? ctx.f32(input(op, 2))[0] : 0.0f;
  j.gate = gate_of(op);
  const size_t rows = batch * j.h;
  pthreadpool* const pool = ctx.pool_for(rows * j.width * (j.c + j.kh * j.kw));
  const size_t tile = std::max<size_t>(1, rows / (4 * parallel::threads(pool)));
  parallel::for_1d_tile(pool, map_rows, &j, rows, tile);
  parallel::for_1d_tile(pool, gate_rows, &j, rows, tile);
  return Status::ok();
}

}  // namespace

extern const OpRegistration kSpatialAttentionOp = {"SpatialAttention", verify, prepare, nullptr, eval, nullptr};

}  // namespace edgeattn
