// ChannelAttention (format 1.5): squeeze-and-excitation (MobileNetV3, PP-LCNet).
//
//   x [B, H, W, C], w1 [Cr, C], b1? [Cr], w2 [C, Cr], b2? [C] (constants f32)
//   s[b, c] = mean over h, w of x[b, h, w, c]
//   t = act(w1 s + b1)          (ChannelAttentionOptions.activation, Relu by default)
//   g = gate(w2 t + b2)         (HardSigmoid(gate_alpha, gate_beta) or Sigmoid)
//   y[b, h, w, c] = x[b, h, w, c] * g[b, c]
// The two tiny layers (C x Cr multiply-adds per image) are plain loops.
// The mean reads x row by row (a pass per channel would stream the image C
// times): blocks of kSumBlock pixels sum in float, the block sums in double
// (an image may hold ~10^5 pixels); blocks are split among the threads, each
// with its own partial sums, added in thread order. The gating multiply runs
// over pixel tiles on the threads too. Activations go through the table's
// f32_activation. Op scratch: s [B, C], t [B, Cr], g [B, C], then per thread
// a float block sum [C] and double partials [B, C].
#include <algorithm>
#include <cstring>

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

constexpr size_t kSumBlock = 64;  // pixels summed in float before the double partials

// Bytes of s, t and g (8-aligned: the partials are doubles).
size_t head_bytes(size_t batch, size_t c, size_t cr) { return (batch * (2 * c + cr) * sizeof(float) + 7) / 8 * 8; }

// Bytes of one thread's part of the scratch: block sum [C] f32, partials [B, C] f64.
size_t slot_bytes(size_t batch, size_t c) { return (c * sizeof(float) + 7) / 8 * 8 + batch * c * sizeof(double); }

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 5, 1));  // then w2 (input 3) is required, b1 (2) not
  EA_ENSURE(op_util::input_count(op) >= 4 && input(op, 3) >= 0, StatusCode::kInvalidModel, "w2 (input 3) is missing");
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::ChannelAttentionOptions), false));
  int64_t c = 0, cy = 0;
  EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, 0), output(op, 0), &c, &cy));
  EA_RETURN_IF_ERROR(op_check::same_dims(model, input(op, 0), output(op, 0)));
  const int64_t w1_shape[2] = {-1, c};
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 1), DType::kF32, 2, w1_shape));
  const int64_t cr = model.tensor(input(op, 1)).shape[0];
  if (input(op, 2) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 2), DType::kF32, 1, &cr));
  const int64_t w2_shape[2] = {c, cr};
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 3), DType::kF32, 2, w2_shape));
  if (op_util::input_count(op) > 4 && input(op, 4) >= 0) {
    EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 4), DType::kF32, 1, &c));
  }
  if (const fb::ChannelAttentionOptions* o = op.options_as_ChannelAttentionOptions()) {
    ActKind kind;
    EA_RETURN_IF_ERROR(image_util::act_kind(o->activation(), &kind));
    EA_ENSURE(o->gate() == fb::Activation::HardSigmoid || o->gate() == fb::Activation::Sigmoid,
              StatusCode::kUnsupported, "gate %d (HardSigmoid or Sigmoid)", static_cast<int>(o->gate()));
  }
  return Status::ok();
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  const size_t c = static_cast<size_t>(ctx.model->tensor(input(op, 1)).shape[1]);
  const size_t cr = static_cast<size_t>(ctx.model->tensor(input(op, 1)).shape[0]);
  const size_t batch = static_cast<size_t>(ctx.max_dims.batch);
  record->scratch_bytes = head_bytes(batch, c, cr) + ctx.threads * slot_bytes(batch, c);
  return Status::ok();
}

// out[r] = bias[r] + w[r, :] · v, float, for the rows of w [rows, cols].
void small_gemv(size_t rows, size_t cols, const float* w, const float* bias, const float* v, float* out) {
  for (size_t r = 0; r < rows; ++r) {
    float acc = bias != nullptr ? bias[r] : 0.0f;
    for (size_t k = 0; k < cols; ++k) acc += w[r * cols + k] * v[k];
    out[r] = acc;
  }
}

// The channel sums of x [B, P, C], split by blocks of kSumBlock pixels
// among `slots` tasks; task k writes partials(k) [B, C].
struct MeanJob {
  const float* x;
  size_t batch, pixels, c, slots;
  uint8_t* scratch;  // slots x slot_bytes(batch, c)
  size_t blocks;     // per image
  float* block_sum(size_t k) const { return reinterpret_cast<float*>(scratch + k * slot_bytes(batch, c)); }
  double* partials(size_t k) const {
    return reinterpret_cast<double*>(scratch + k * slot_bytes(batch, c) + (c * sizeof(float) + 7) / 8 * 8);
  }
};

void sum_slot(void* context, size_t k) {
  const MeanJob& j = *static_cast<const MeanJob*>(context);
  float* acc = j.block_sum(k);       // [C]
  double* partial = j.partials(k);   // [B, C]
  std::memset(partial, 0, j.batch * j.c * sizeof(double));
  const size_t per = (j.blocks + j.slots - 1) / j.slots;
  for (size_t b = 0; b < j.batch; ++b) {
    for (size_t blk = k * per; blk < std::min(j.blocks, (k + 1) * per); ++blk) {
      const size_t p0 = blk * kSumBlock, p1 = std::min(j.pixels, p0 + kSumBlock);
      std::memset(acc, 0, j.c * sizeof(float));
      for (size_t p = p0; p < p1; ++p) {
        const float* row = j.x + (b * j.pixels + p) * j.c;  // [C]
        for (size_t ch = 0; ch < j.c; ++ch) acc[ch] += row[ch];
      }
      for (size_t ch = 0; ch < j.c; ++ch) partial[b * j.c + ch] += acc[ch];
    }
  }
}

// y = x * g[b] over pixel rows [r0, r0 + n) of the flattened [B * P].
struct GateJob {
  const float* x;
  const float* g;  // [B, C]
  float* y;
  size_t pixels, c;
};

void gate_rows(void* context, size_t r0, size_t n) {
  const GateJob& j = *static_cast<const GateJob*>(context);
  for (size_t r = r0; r < r0 + n; ++r) {
    const float* gb = j.g + r / j.pixels * j.c;
    const float* xr = j.x + r * j.c;
    float* yr = j.y + r * j.c;
    for (size_t ch = 0; ch < j.c; ++ch) yr[ch] = xr[ch] * gb[ch];
  }
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const fb::ChannelAttentionOptions* o = op.options_as_ChannelAttentionOptions();
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const size_t batch = static_cast<size_t>(xt.dim(0, ctx.dims));
  const size_t pixels = static_cast<size_t>(xt.dim(1, ctx.dims) * xt.dim(2, ctx.dims));
  const size_t c = static_cast<size_t>(xt.dim(3, ctx.dims));
  const size_t cr = static_cast<size_t>(ctx.model->tensor(input(op, 1)).shape[0]);
  ActivationParams act, gate;
  act.kind = ActKind::kRelu;
  gate.kind = ActKind::kHardSigmoid;
  if (o != nullptr) {
    (void)image_util::act_kind(o->activation(), &act.kind);  // verified
    (void)image_util::act_kind(o->gate(), &gate.kind);
    gate.alpha = o->gate_alpha();
    gate.beta = o->gate_beta();
  }
  const float* x = ctx.f32(input(op, 0));  // [B, H, W, C]
  float* y = ctx.f32(output(op, 0));        // [B, H, W, C]
  float* s = reinterpret_cast<float*>(record.scratch);  // [B, C] squeezed
  float* t = s + batch * c;                              // [B, Cr] hidden
  float* g = t + batch * cr;                             // [B, C] gates
  const float* b2 = op_util::input_count(op) > 4 && input(op, 4) >= 0 ? ctx.f32(input(op, 4)) : nullptr;
  pthreadpool* const pool = ctx.pool_for(batch * pixels * c);
  MeanJob mean{x, batch, pixels, c, parallel::threads(pool), record.scratch + head_bytes(batch, c, cr), 0};
  mean.blocks = (pixels + kSumBlock - 1) / kSumBlock;
  parallel::for_1d(pool, sum_slot, &mean, mean.slots);
  for (size_t i = 0; i < batch * c; ++i) {
    double sum = 0.0;
    for (size_t k = 0; k < mean.slots; ++k) sum += mean.partials(k)[i];
    s[i] = static_cast<float>(sum / static_cast<double>(pixels));
  }
  for (size_t b = 0; b < batch; ++b) {
    small_gemv(cr, c, ctx.f32(input(op, 1)), input(op, 2) >= 0 ? ctx.f32(input(op, 2)) : nullptr, s + b * c, t + b * cr);
  }
  // The hidden layer's activation, then the gate layer over all rows.
  ctx.kernels->f32_activation(batch * cr, t, t, act);
  for (size_t b = 0; b < batch; ++b) small_gemv(c, cr, ctx.f32(input(op, 3)), b2, t + b * cr, g + b * c);
  ctx.kernels->f32_activation(batch * c, g, g, gate);
  GateJob gj{x, g, y, pixels, c};
  parallel::for_1d_tile(pool, gate_rows, &gj, batch * pixels, std::max<size_t>(kSumBlock, pixels / 8));
  return Status::ok();
}

}  // namespace

extern const OpRegistration kChannelAttentionOp = {"ChannelAttention", verify, prepare, nullptr, eval, nullptr};

}  // namespace edgeattn
