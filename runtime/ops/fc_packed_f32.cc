#include "runtime/ops/fc_packed_f32.h"

#include <algorithm>
#include <cstdint>

#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/parallel.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

constexpr size_t kEpilogueChunkBytes = size_t{128} << 10;

struct PanelJob {
  const KernelTable* kernels;
  size_t rows, n, k;
  const float* x;       // [rows, k]
  const float* packed;  // panels of W, kF32GemmPanel columns each
  float* y;             // [rows, n]
  bool relu;
  bool activate;        // act after the GEMM, per panel while it is in cache
  ActivationParams act;
};

// Tiles of columns [t0, t0 + count) (f32_gemm_nr columns each) for every row.
void run_panels(void* context, size_t t0, size_t count) {
  const PanelJob& j = *static_cast<const PanelJob*>(context);
  const size_t nr = j.kernels->f32_gemm_nr;
  const size_t c0 = t0 * nr, cols = std::min(j.n, (t0 + count) * nr) - c0;
  float* y = j.y + c0;
  j.kernels->f32_gemm_packed(j.rows, cols, j.k, j.x, j.k, j.packed + c0 / kF32GemmPanel * f32_gemm_panel_floats(j.k),
                             y, j.n);
  if (j.activate) {
    for (size_t r = 0; r < j.rows; ++r) j.kernels->f32_activation(cols, y + r * j.n, y + r * j.n, j.act);
  }
  if (!j.relu) return;
  for (size_t r = 0; r < j.rows; ++r) {
    for (size_t c = 0; c < cols; ++c) y[r * j.n + c] = std::max(y[r * j.n + c], 0.0f);
  }
}

}  // namespace

// Where the table's packed GEMM measured at least level with XNNPACK
// (KernelTable::f32_gemm_packed_rows / _long_k; edgeattn-bench-kernels
// --benchmark_filter='(f32_gemm_packed|xnn_f32_gemm)/', docs/gemm.md). In
// a whole network the packed GEMM also wins where the kernels are level:
// DINOv2-S's 257-row layers ran 156.8 -> 152.8 ms per image on the
// avx512vnni table (docs/vision.md), its GELU fused per panel.
bool fc_packed_f32_chosen(const KernelTable& kernels, size_t max_rows, size_t k) {
  if (kernels.f32_gemm_packed == nullptr || kernels.f32_gemm_nr == 0) return false;
  return max_rows <= kernels.f32_gemm_packed_rows ||
         (kernels.f32_gemm_packed_long_k != 0 && k >= kernels.f32_gemm_packed_long_k);
}

Status fc_packed_f32_prepare(PrepareContext& ctx, const fb::Op& op, FullyConnectedState* state) {
  const TensorInfo& w = ctx.model->tensor(input(op, 1));
  state->path = FcPath::kPackedF32;
  if (w.layout == TensorLayout::kF32Panels16) {  // packed by the converter: used in place
    state->in_place = true;
    state->packed = static_cast<const float*>(w.data);
    return Status::ok();
  }
  const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
  const size_t bytes = f32_gemm_packed_floats(n, k) * sizeof(float);
  // One region per (weight, bias) tensor pair (a session has one table,
  // hence one panel width). The planner aligns the region to 64 bytes.
  EA_ASSIGN_OR_RETURN(state->packed_offset,
                      ctx.request_shared_persistent("fc_packed_f32", op_util::packed_weight_key(op, true), bytes,
                                                    &state->packs, PersistentKind::kPackedWeights));
  return Status::ok();
}

void fc_packed_f32_bind(const BindContext& ctx, const fb::Op& op, FullyConnectedState& state) {
  if (state.in_place) return;
  float* packed = reinterpret_cast<float*>(ctx.persistent(state.packed_offset));
  state.packed = packed;
  if (!state.packs) return;
  const TensorInfo& w = ctx.model->tensor(input(op, 1));
  const float* bias = input(op, 2) >= 0 ? static_cast<const float*>(ctx.model->tensor(input(op, 2)).data) : nullptr;
  f32_gemm_pack(static_cast<size_t>(w.shape[0]), static_cast<size_t>(w.shape[1]), static_cast<const float*>(w.data),
                bias, packed);
}

void fc_packed_f32_eval(const EvalContext& ctx, const fb::Op& op, const FullyConnectedState& state, const float* x,
                        size_t rows) {
  const TensorInfo& w = ctx.model->tensor(input(op, 1));
  const fb::FullyConnectedOptions* o = op.options_as_FullyConnectedOptions();
  PanelJob j{ctx.kernels, rows, static_cast<size_t>(w.shape[0]), static_cast<size_t>(w.shape[1]), x, state.packed,
             ctx.f32(output(op, 0)), o != nullptr && o->activation() == fb::Activation::Relu, false, {}};
  j.activate = fc_epilogue_activation(op, &j.act);
  const size_t panels = (j.n + ctx.kernels->f32_gemm_nr - 1) / ctx.kernels->f32_gemm_nr;
  pthreadpool* const pool = ctx.pool_for_reads(rows * j.n * j.k, j.n * j.k * sizeof(float));
  // Whole panels per task, about two tasks per thread; with an epilogue
  // activation at most kEpilogueChunkBytes of y per task, so the activation
  // re-reads it from L2 (DINOv2-S's GELU had 257 x 768 columns per task on 1
  // thread, 790 KB: its share of a run's perf samples went 1.9 -> 1.3 %).
  size_t tile = std::max<size_t>(1, panels / (2 * parallel::threads(pool)));
  if (j.activate || j.relu) {
    tile = std::min(tile, std::max<size_t>(1, kEpilogueChunkBytes / (rows * ctx.kernels->f32_gemm_nr * sizeof(float))));
  }
  parallel::for_1d_tile(pool, run_panels, &j, panels, tile);
}

}  // namespace edgeattn
