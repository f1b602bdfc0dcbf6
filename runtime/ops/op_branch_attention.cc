// BranchAttention (format 1.6): SKNet's selective kernel fusion (Li et al.
// 2019): M branches (e.g. a 3x3 and a dilated 3x3 convolution of the same
// input) weighted per channel by a softmax across the branches.
//
//   u_0 .. u_{M-1} [B, H, W, C], w1 [D, C], b1? [D], w2 [M C, D], b2? [M C]   (M = branches)
//   s[b] = mean over h, w of sum_m u_m[b]                      [B, C]
//   z[b] = act(w1 s[b] + b1)                                   [B, D]
//   a[b] = w2 z[b] + b2 as [M, C], softmax over m per channel  [B, M, C]
//   y[b, h, w, c] = sum_m a[b, m, c] u_m[b, h, w, c]
//
// The mean reads every branch row by row on the threads (channel_stats.h);
// the two tiny layers are plain loops; the weighted sum runs over pixel
// tiles on the threads. Op scratch: s [B, C], z [B, D], a [B, M, C], then
// the channel statistics' scratch.
#include <algorithm>
#include <cmath>

#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/channel_stats.h"
#include "runtime/ops/image_util.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "runtime/ops/parallel.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

constexpr int kMaxBranches = 8;

int branches_of(const fb::Op& op) { return op.options_as_BranchAttentionOptions()->branches(); }

// Bytes of s, z and a, 8-aligned for the statistics' doubles.
size_t head_bytes(size_t batch, size_t c, size_t d, size_t m) {
  return (batch * (c + d + m * c) * sizeof(float) + 7) / 8 * 8;
}

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::BranchAttentionOptions), true));
  const int m = branches_of(op);
  EA_ENSURE(m >= 2 && m <= kMaxBranches, StatusCode::kInvalidModel, "branches %d not in [2, %d]", m, kMaxBranches);
  EA_RETURN_IF_ERROR(op_check::arity(op, static_cast<size_t>(m) + 4, static_cast<size_t>(m) + 4, 1));
  int64_t c = 0, cy = 0;
  for (int i = 0; i < m; ++i) {
    EA_ENSURE(input(op, i) >= 0, StatusCode::kInvalidModel, "branch %d is missing", i);
    EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, i), output(op, 0), &c, &cy));
    EA_RETURN_IF_ERROR(op_check::same_dims(model, input(op, i), output(op, 0)));
  }
  const int w1 = input(op, m), b1 = input(op, m + 1), w2 = input(op, m + 2), b2 = input(op, m + 3);
  EA_ENSURE(w1 >= 0 && w2 >= 0, StatusCode::kInvalidModel, "w1 (input %d) or w2 (input %d) is missing", m, m + 2);
  const int64_t w1_shape[2] = {-1, c};
  EA_RETURN_IF_ERROR(op_check::constant(model, w1, DType::kF32, 2, w1_shape));
  const int64_t d = model.tensor(w1).shape[0];
  if (b1 >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, b1, DType::kF32, 1, &d));
  const int64_t mc = int64_t{m} * c, w2_shape[2] = {mc, d};
  EA_RETURN_IF_ERROR(op_check::constant(model, w2, DType::kF32, 2, w2_shape));
  if (b2 >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, b2, DType::kF32, 1, &mc));
  ActKind kind;
  return image_util::act_kind(op.options_as_BranchAttentionOptions()->activation(), &kind);
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  const int m = branches_of(op);
  const TensorInfo& w1 = ctx.model->tensor(input(op, m));
  const size_t d = static_cast<size_t>(w1.shape[0]), c = static_cast<size_t>(w1.shape[1]);
  const size_t batch = static_cast<size_t>(ctx.max_dims.batch);
  record->scratch_bytes = head_bytes(batch, c, d, static_cast<size_t>(m)) + channel_stats_scratch(batch, c, ctx.threads);
  return Status::ok();
}

// Softmax over the m rows of a [M, C], per channel.
void softmax_branches(float* a, size_t m, size_t c) {
  for (size_t ch = 0; ch < c; ++ch) {
    float mx = a[ch];
    for (size_t i = 1; i < m; ++i) mx = std::max(mx, a[i * c + ch]);
    float sum = 0.0f;
    for (size_t i = 0; i < m; ++i) {
      a[i * c + ch] = std::exp(a[i * c + ch] - mx);
      sum += a[i * c + ch];
    }
    for (size_t i = 0; i < m; ++i) a[i * c + ch] /= sum;
  }
}

struct FuseJob {
  const float* u[kMaxBranches];  // [B, P, C] each
  const float* a;                // [B, M, C]
  float* y;                      // [B, P, C]
  size_t m, pixels, c;
};

// y = sum_m a[b, m] * u_m over pixel rows [r0, r0 + n) of the flattened [B * P].
void fuse_rows(void* context, size_t r0, size_t n) {
  const FuseJob& j = *static_cast<const FuseJob*>(context);
  for (size_t r = r0; r < r0 + n; ++r) {
    const float* ab = j.a + r / j.pixels * j.m * j.c;
    float* out = j.y + r * j.c;
    const float* u0 = j.u[0] + r * j.c;
    for (size_t ch = 0; ch < j.c; ++ch) out[ch] = ab[ch] * u0[ch];
    for (size_t i = 1; i < j.m; ++i) {
      const float* ui = j.u[i] + r * j.c;
      const float* ai = ab + i * j.c;
      for (size_t ch = 0; ch < j.c; ++ch) out[ch] += ai[ch] * ui[ch];
    }
  }
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const int mi = branches_of(op);
  const size_t m = static_cast<size_t>(mi);
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const TensorInfo& w1t = ctx.model->tensor(input(op, mi));
  const size_t batch = static_cast<size_t>(xt.dim(0, ctx.dims));
  const size_t pixels = static_cast<size_t>(xt.dim(1, ctx.dims) * xt.dim(2, ctx.dims));
  const size_t c = static_cast<size_t>(xt.dim(3, ctx.dims)), d = static_cast<size_t>(w1t.shape[0]);
  FuseJob j;
  for (size_t i = 0; i < m; ++i) j.u[i] = ctx.f32(input(op, static_cast<int>(i)));
  float* s = reinterpret_cast<float*>(record.scratch);  // [B, C]
  float* z = s + batch * c;                              // [B, D]
  float* a = z + batch * d;                              // [B, M, C]
  pthreadpool* const pool = ctx.pool_for(batch * pixels * c * m);
  const ChannelStats stats{j.u, m, batch, pixels, c, false, record.scratch + head_bytes(batch, c, d, m)};
  compute_channel_stats(pool, stats, s, nullptr);
  const float* b1 = input(op, mi + 1) >= 0 ? ctx.f32(input(op, mi + 1)) : nullptr;
  const float* b2 = input(op, mi + 3) >= 0 ? ctx.f32(input(op, mi + 3)) : nullptr;
  ActivationParams act;
  (void)image_util::act_kind(op.options_as_BranchAttentionOptions()->activation(), &act.kind);  // verified
  for (size_t b = 0; b < batch; ++b) image_util::small_gemv(d, c, ctx.f32(input(op, mi)), b1, s + b * c, z + b * d);
  ctx.kernels->f32_activation(batch * d, z, z, act);
  for (size_t b = 0; b < batch; ++b) {
    image_util::small_gemv(m * c, d, ctx.f32(input(op, mi + 2)), b2, z + b * d, a + b * m * c);
    softmax_branches(a + b * m * c, m, c);
  }
  j.a = a;
  j.y = ctx.f32(output(op, 0));
  j.m = m, j.pixels = pixels, j.c = c;
  parallel::for_1d_tile(pool, fuse_rows, &j, batch * pixels, std::max<size_t>(kStatsBlock, pixels / 8));
  return Status::ok();
}

}  // namespace

extern const OpRegistration kBranchAttentionOp = {"BranchAttention", verify, prepare, nullptr, eval, nullptr};

}  // namespace edgeattn
