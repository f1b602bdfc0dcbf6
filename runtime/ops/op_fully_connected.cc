// FullyConnected: y[.., N] = x[.., K] · Wᵀ + bias, W [N, K] (PyTorch layout).
//
// By weight dtype:
//   f32  XNNPACK: the operator (with its packed copy of W) is created at
//        prepare; eval only sets the row count and pointers, which XNNPACK
//        does without allocating (docs/xnnpack-debian12.md §2). With the
//        reference kernel table, its own f32_gemm (llama2.c's order), so a
//        reference run depends on no other library's numerics.
//   f16  own kernel reading W in place from the model (fp32 compute), or,
//        with a kernel table flagged kKernelCapFp16Arithmetic ("neon_fp16":
//        AArch64 with fp16 arithmetic), XNNPACK's f16 GEMM (FMLA on halves,
//        fp16 accumulation): the operator packs W at prepare; eval converts
//        x to halves in op scratch, runs it, and widens y back to f32
//        (kernel table f32_to_f16_row / f16_to_f32_rows). XNNPACK refuses f16 operators on cores without
//        fp16 arithmetic (xnn_status_unsupported_hardware); then the own
//        kernel is used.
//   i8   dynamic per-token int8: each activation row is quantized
//        symmetrically into op scratch, multiplied with W (int8, one scale
//        per output channel, in place) with int32 accumulation, and
//        dequantized to f32 (kernels.h: f32_qd8_quantize, qd8_qc8w_gemm).
//   i4 / i8 blocks (format 1.9: ggml's Q4_1 / Q8_0, read in place): each
//        activation row is quantized per block of 32 as ggml's Q8_1 into op
//        scratch, then q8b_i4bw_gemm / q8b_i8bw_gemm (kernels.h): llama.cpp's
//        arithmetic on its own files.
//   i8 with FullyConnectedOptions.activation_multiplier a (Marian's static
//        "alphas"): x is quantized as rne(x * a) (kernels.h:
//        f32_qs8_quantize), each row's scale 1 / a; the same GEMM.
// With an input multiplier m [K] (SmoothQuant: the converter moved
// activation outliers into W), every path computes with x * m instead of x.
// With a selection input (i32 [Selection], e.g. a translation model's
// shortlisted words) the op computes only those rows of W: y[.., j] =
// x · W[sel[j]]ᵀ + bias[sel[j]], on the own kernels, one call per run of
// consecutive ids.
// The own kernels split N across the session's threads (own_gemm.h).
// f32 weights on a table with a packed GEMM, at shapes where it measured
// faster than XNNPACK: fc_packed_f32.h (W packed into the arena at bind).
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <limits>

#include "kernels/kernels.h"
#include "runtime/core/fallible_vector.h"
#include "runtime/core/weight_blocks.h"
#include "runtime/model.h"
#include "runtime/ops/fc_int8_static.h"
#include "runtime/ops/fc_packed_f32.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_fully_connected.h"
#include "runtime/ops/op_registry.h"
#include "runtime/ops/own_gemm.h"
#include "runtime/ops/parallel.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

float activation_multiplier(const fb::Op& op) {
  const fb::FullyConnectedOptions* o = op.options_as_FullyConnectedOptions();
  return o != nullptr ? o->activation_multiplier() : 0.0f;
}

// (format 1.5) Activations applied after the GEMM in one f32_activation
// pass over y (Relu stays the GEMM's own clamp).
bool epilogue_activation(fb::Activation a) {
  return a == fb::Activation::Relu6 || a == fb::Activation::Sigmoid || a == fb::Activation::HardSwish ||
         a == fb::Activation::Silu || a == fb::Activation::Gelu;
}

struct EpilogueJob {
  const KernelTable* kernels;
  float* y;  // [rows, n_out]
  size_t n_out;
  ActivationParams p;
};

void epilogue_rows(void* context, size_t r0, size_t n) {
  const EpilogueJob& j = *static_cast<const EpilogueJob*>(context);
  float* y = j.y + r0 * j.n_out;
  j.kernels->f32_activation(n * j.n_out, y, y, j.p);
}

Status apply_epilogue(const EvalContext& ctx, const fb::Op& op, size_t n_out) {
  ActivationParams p;
  if (!fc_epilogue_activation(op, &p)) return Status::ok();
  const size_t rows = static_cast<size_t>(op_util::rows(*ctx.model, input(op, 0), ctx.dims));
  EpilogueJob j{ctx.kernels, ctx.f32(output(op, 0)), n_out, p};
  // Row tiles on the threads (a ViT's 257 x 1536 GELU outputs per layer).
  pthreadpool* const pool = ctx.pool_for(rows * n_out * 16);
  parallel::for_1d_tile(pool, epilogue_rows, &j, rows, std::max<size_t>(1, rows / (4 * parallel::threads(pool))));
  return Status::ok();
}

bool has_selection(const fb::Op& op) { return op_util::input_count(op) > 4 && input(op, 4) >= 0; }

// Input 4 (selection, i32 [Selection]) and the output's last dim that it sizes.
Status verify_selection(const Model& model, const fb::Op& op) {
  const TensorInfo& sel = model.tensor(input(op, 4));
  EA_ENSURE(!sel.is_constant && sel.dtype == DType::kI32 && sel.rank == 1 && sel.dims[0].kind == DimKind::kSelection,
            StatusCode::kInvalidModel, "selection '%s' must be an i32 [Selection] input", sel.name);
  const TensorInfo& y = model.tensor(output(op, 0));
  EA_ENSURE(y.rank >= 1 && y.dims[y.rank - 1].kind == DimKind::kSelection, StatusCode::kInvalidModel,
            "output '%s' of a selecting FullyConnected must end in the Selection dim", y.name);
  EA_ENSURE(!fc_int8_static_enabled(op), StatusCode::kUnsupported, "a selection with int8-static scales");
  return Status::ok();
}

Status verify_activation_multiplier(const Model& model, const fb::Op& op) {
  const float a = activation_multiplier(op);
  if (a == 0.0f) return Status::ok();
  EA_ENSURE(std::isfinite(a) && a > 0.0f && std::isnormal(1.0f / a), StatusCode::kInvalidModel,
            "activation_multiplier %g must be finite and > 0", a);
  EA_ENSURE(model.tensor(input(op, 1)).dtype == DType::kI8 && !fc_int8_static_enabled(op), StatusCode::kInvalidModel,
            "activation_multiplier needs i8 weights and no int8-static scales");
  return Status::ok();
}

// A weight packed at convert time (layout F32Panels16, model_verifier has
// checked its size): no selection (rows are read by id there) and no
// int8-static scales, and each panel's bias row is the op's bias (0 without
// one) exactly, since the packed GEMM starts from it and adds no other bias.
Status verify_panels(const Model& model, const fb::Op& op) {
  const TensorInfo& w = model.tensor(input(op, 1));
  EA_ENSURE(!has_selection(op) && !fc_int8_static_enabled(op), StatusCode::kInvalidModel,
            "weight '%s' in layout F32Panels16 with a selection or int8-static scales", w.name);
  const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
  const float* panels = static_cast<const float*>(w.data);
  const float* bias = input(op, 2) >= 0 ? static_cast<const float*>(model.tensor(input(op, 2)).data) : nullptr;
  for (size_t c = 0; c < n; ++c) {
    const float got = panels[c / kF32GemmPanel * f32_gemm_panel_floats(k) + c % kF32GemmPanel];
    const float want = bias != nullptr ? bias[c] : 0.0f;
    EA_ENSURE(std::memcmp(&got, &want, sizeof(float)) == 0, StatusCode::kInvalidModel,
              "panel bias %zu of '%s' is %g, not the op's %g", c, w.name, static_cast<double>(got),
              static_cast<double>(want));
  }
  return Status::ok();
}

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 5, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::FullyConnectedOptions), false));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  EA_RETURN_IF_ERROR(op_check::weight_matrix(model, input(op, 1), -1, -1, /*blocks=*/true));
  const TensorInfo& w = model.tensor(input(op, 1));
  const int64_t n = w.shape[0], k = w.shape[1];
  EA_RETURN_IF_ERROR(op_check::last_dim(model, input(op, 0), k));
  EA_ENSURE(w.dtype != DType::kI8 || static_cast<size_t>(k) <= kQd8MaxK, StatusCode::kUnsupported,
            "i8 weight '%s' with K = %lld exceeds the int32 accumulator bound %zu", w.name,
            static_cast<long long>(k), kQd8MaxK);
  if (input(op, 2) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 2), DType::kF32, 1, &n));
  if (input(op, 3) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 3), DType::kF32, 1, &k));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, output(op, 0), model.tensor(input(op, 0)).rank));
  if (has_selection(op)) {
    EA_RETURN_IF_ERROR(verify_selection(model, op));
  } else {
    EA_RETURN_IF_ERROR(op_check::last_dim(model, output(op, 0), n));
  }
  EA_RETURN_IF_ERROR(verify_activation_multiplier(model, op));
  if (w.layout == TensorLayout::kF32Panels16) EA_RETURN_IF_ERROR(verify_panels(model, op));
  const TensorInfo& x = model.tensor(input(op, 0));
  const TensorInfo& y = model.tensor(output(op, 0));
  for (int i = 0; i + 1 < x.rank; ++i) {
    EA_ENSURE(x.dims[i].kind == y.dims[i].kind && x.dims[i].value == y.dims[i].value, StatusCode::kInvalidModel,
              "output '%s' leading dims must match input '%s'", y.name, x.name);
  }
  if (const fb::FullyConnectedOptions* o = op.options_as_FullyConnectedOptions()) {
    const fb::Activation a = o->activation();
    EA_ENSURE(a == fb::Activation::None || a == fb::Activation::Relu || epilogue_activation(a), StatusCode::kUnsupported,
              "fused activation %d (only None, Relu, Relu6, Sigmoid, HardSwish, Silu and Gelu)", static_cast<int>(a));
    EA_ENSURE(!epilogue_activation(a) || !fc_int8_static_enabled(op), StatusCode::kUnsupported,
              "fused activation %d with int8-static scales (only None and Relu)", static_cast<int>(a));
  }
  return fc_int8_static_verify(model, op);  // int8-static scales, if any
}

// Op scratch, sized at prepare for the most rows an invoke can have:
//   [max_rows, k] f32      x * multiplier        (only with an input multiplier)
//   [max_rows, qd8_row_bytes(k)] i8  quantized x  (i8 weights)
//   [max_rows] f32         per-row scales        (i8 weights)
//   [max_rows, k / 32] f32 x2  block scales, then block sums  (block weights;
//                          their quantized x is [max_rows, k] at xq_at)
//   [max_rows, k] f16      x as halves           (XNNPACK f16 path)
//   [max_rows, n] f16      y as halves           (XNNPACK f16 path)
struct ScratchLayout {
  size_t smoothed_at = 0, xq_at = 0, scales_at = 0, xh_at = 0, yh_at = 0, total = 0;
  ScratchLayout(size_t max_rows, size_t k, size_t n, bool has_multiplier, DType w, bool xnn_f16) {
    auto align = [](size_t v) { return (v + 63) / 64 * 64; };
    const bool int8 = w == DType::kI8, blocks = w == DType::kI4Blocks || w == DType::kI8Blocks;
    smoothed_at = 0;
    xq_at = has_multiplier ? align(max_rows * k * sizeof(float)) : 0;
    scales_at = xq_at + (int8 ? align(max_rows * qd8_row_bytes(k)) : blocks ? align(max_rows * k) : 0);
    xh_at = scales_at + (int8 ? align(max_rows * sizeof(float))
                              : blocks ? align(2 * max_rows * (k / kWeightBlock) * sizeof(float)) : 0);
    // XNNPACK reads up to XNN_EXTRA_BYTES past an input row (docs §6.3).
    yh_at = xh_at + (xnn_f16 ? align(max_rows * k * sizeof(uint16_t) + 16) : 0);
    total = yh_at + (xnn_f16 ? max_rows * n * sizeof(uint16_t) : 0);
  }
};

// XNNPACK's f16 fully connected operator for W [n, k] halves (bias rounded
// to halves) in *status: xnn_status_unsupported_hardware without fp16
// arithmetic. The returned Status is an allocation failure of the bias.
Status create_f16(const PrepareContext& ctx, const fb::Op& op, size_t n, size_t k, const void* w, float lo,
                  xnn_operator_t* out, xnn_status* status) {
  Vector<uint16_t> bias_h;  // [n]; XNNPACK packs it at create
  if (input(op, 2) >= 0) {
    EA_RETURN_IF_ERROR(bias_h.resize(n, "the f16 bias"));
    ctx.kernels->f32_to_f16_row(n, static_cast<const float*>(ctx.model->tensor(input(op, 2)).data), bias_h.data());
  }
  *status = xnn_create_fully_connected_nc_f16(k, n, k, n, w, bias_h.empty() ? nullptr : bias_h.data(), lo,
                                              std::numeric_limits<float>::infinity(), 0, out);
  return Status::ok();
}

// Creates XNNPACK's f32 operator for W [n, k] (with its packed copy of W).
Status create_f32(const PrepareContext& ctx, const fb::Op& op, size_t n, size_t k, const TensorInfo& w, float lo,
                  FullyConnectedState* state) {
  const float* bias = input(op, 2) >= 0 ? static_cast<const float*>(ctx.model->tensor(input(op, 2)).data) : nullptr;
  const float* rows = static_cast<const float*>(w.data);
  Vector<float> unpacked;  // [n, k]: XNNPACK packs its own copy at create, then this goes
  if (w.layout == TensorLayout::kF32Panels16) {
    EA_RETURN_IF_ERROR(unpacked.resize(n * k, "the unpacked weight"));
    f32_gemm_unpack(n, k, rows, unpacked.data());
    rows = unpacked.data();
  }
  xnn_status s = xnn_create_fully_connected_nc_f32(k, n, k, n, rows, bias, lo,
                                                   std::numeric_limits<float>::infinity(), 0, &state->xnn);
  EA_ENSURE(s != xnn_status_out_of_memory, StatusCode::kOutOfMemory,
            "out of memory in xnn_create_fully_connected_nc_f32 (%zux%zu)", n, k);
  EA_ENSURE(s == xnn_status_success, StatusCode::kInternal, "xnn_create_fully_connected_nc_f32 (%zux%zu) failed: %d",
            n, k, static_cast<int>(s));
  return Status::ok();
}

// The reference table's own GEMM reads W row-major: a weight packed in the
// file is unpacked at bind into the arena's persistent head (ops with the
// same weight share it).
Status request_row_major(PrepareContext& ctx, const fb::Op& op, FullyConnectedState* state) {
  const TensorInfo& w = ctx.model->tensor(input(op, 1));
  const size_t bytes = static_cast<size_t>(w.shape[0] * w.shape[1]) * sizeof(float);
  EA_ASSIGN_OR_RETURN(state->row_major_offset,
                      ctx.request_shared_persistent("fc_row_major_f32", op_util::packed_weight_key(op, false), bytes,
                                                    &state->unpacks, PersistentKind::kPackedWeights));
  return Status::ok();
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  EA_ASSIGN_OR_RETURN(FullyConnectedState* const state, ctx.make_state<FullyConnectedState>(record));
  state->max_rows = static_cast<size_t>(op_util::rows(*ctx.model, input(op, 0), ctx.max_dims));
  if (fc_int8_static_enabled(op)) return fc_int8_static_prepare(ctx, op, state, record);
  const TensorInfo& w = ctx.model->tensor(input(op, 1));
  const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
  const bool panels = w.layout == TensorLayout::kF32Panels16;
  float lo = -std::numeric_limits<float>::infinity();
  const fb::FullyConnectedOptions* o = op.options_as_FullyConnectedOptions();
  if (o != nullptr && o->activation() == fb::Activation::Relu) lo = 0.0f;
  // By capability, not table name: any table whose CPU has fp16 arithmetic.
  bool xnn_f16 = w.dtype == DType::kF16 && (ctx.kernels->capabilities & kKernelCapFp16Arithmetic) != 0;
  if (xnn_f16 && ctx.create_operators) {
    xnn_status s = xnn_status_success;
    EA_RETURN_IF_ERROR(create_f16(ctx, op, n, k, w.data, lo, &state->xnn, &s));
    EA_ENSURE(s != xnn_status_out_of_memory, StatusCode::kOutOfMemory,
              "out of memory in xnn_create_fully_connected_nc_f16 (%zux%zu)", n, k);
    EA_ENSURE(s == xnn_status_success || s == xnn_status_unsupported_hardware, StatusCode::kInternal,
              "xnn_create_fully_connected_nc_f16 (%zux%zu) failed: %d", n, k, static_cast<int>(s));
    xnn_f16 = s == xnn_status_success;  // else: the own fp32-compute kernel
  }
  if (has_selection(op)) {
    EA_ENSURE(ctx.max_dims.selection <= static_cast<int64_t>(n), StatusCode::kOutOfRange,
              "max_selection %lld exceeds the %zu rows of '%s'", static_cast<long long>(ctx.max_dims.selection), n,
              w.name);
    xnn_f16 = false;  // the own kernels compute the selected rows
  }
  record->scratch_bytes =
      ScratchLayout(state->max_rows, k, n, input(op, 3) >= 0, w.dtype, xnn_f16).total;
  if (xnn_f16) {
    state->path = FcPath::kXnnF16;
  } else if (w.dtype != DType::kF32 || ctx.kernels->f32_gemm != nullptr || has_selection(op)) {
    // f16 / i8 weights in place, or the reference table's own fp32 GEMM (kernels.h).
    state->path = FcPath::kOwnKernel;
    if (panels) return request_row_major(ctx, op, state);
  } else if (panels ? ctx.kernels->f32_gemm_packed != nullptr
                    : fc_packed_f32_chosen(*ctx.kernels, state->max_rows, k)) {
    // The table's packed GEMM (issue #18); on weights packed in the file at
    // any number of rows: in place beats any copy.
    return fc_packed_f32_prepare(ctx, op, state);
  } else {
    state->path = FcPath::kXnnF32;
    if (ctx.create_operators) return create_f32(ctx, op, n, k, w, lo, state);
  }
  return Status::ok();
}

void bind(const BindContext& ctx, const fb::Op& op, OpRecord& record) {
  FullyConnectedState& state = *static_cast<FullyConnectedState*>(record.state);
  if (state.path == FcPath::kPackedF32) fc_packed_f32_bind(ctx, op, state);
  const TensorInfo& w = ctx.model->tensor(input(op, 1));
  if (state.path != FcPath::kOwnKernel || w.layout != TensorLayout::kF32Panels16) return;
  float* rows = reinterpret_cast<float*>(ctx.persistent(state.row_major_offset));
  state.row_major = rows;
  if (state.unpacks) {
    f32_gemm_unpack(static_cast<size_t>(w.shape[0]), static_cast<size_t>(w.shape[1]),
                    static_cast<const float*>(w.data), rows);
  }
}

void release(OpRecord& record) {
  if (record.state == nullptr) return;
  FullyConnectedState& state = *static_cast<FullyConnectedState*>(record.state);
  if (state.xnn != nullptr) xnn_delete_operator(state.xnn);
  state.xnn = nullptr;
}

// The selected rows of W, one GEMM per run of consecutive ids, on the
// calling thread: with the shortlist a step selects ~600 rows (~150 K
// multiply-adds, less than a thread dispatch costs); without it, all 32,000
// rows of an 8 MB int8 table, a memory-bound pass that measured slower on
// two threads than on one (a 2-core KVM guest, 2026-12-06). Ids come from
// the caller: checked here, before any is used.
Status run_selected(OwnGemm j, const int32_t* sel, size_t n_sel) {
  for (size_t i = 0; i < n_sel; ++i) {
    EA_ENSURE(sel[i] >= 0 && static_cast<size_t>(sel[i]) < j.n, StatusCode::kInvalidArgument,
              "selected id %d (entry %zu) out of range [0, %zu)", sel[i], i, j.n);
  }
  j.y_stride = n_sel;
  for (size_t i = 0; i < n_sel;) {
    size_t run = 1;
    while (i + run < n_sel && sel[i + run] == sel[i] + static_cast<int32_t>(run)) ++run;
    own_gemm_rows(j, 0, j.m, static_cast<size_t>(sel[i]), run, i);
    i += run;
  }
  return Status::ok();
}

// out [rows, k] = x [rows, k] * mult [k] per channel (the smoothing multiplier).
void smooth_rows(const float* x, const float* mult, size_t rows, size_t k, float* out) {
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < k; ++c) out[r * k + c] = x[r * k + c] * mult[c];
  }
}

// x, or x * multiplier per channel in scratch when the op has one: [rows, k].
const float* op_input(const EvalContext& ctx, const fb::Op& op, const OpRecord& record, size_t rows, size_t k) {
  const float* x = ctx.f32(input(op, 0));
  if (input(op, 3) < 0) return x;
  float* smoothed = reinterpret_cast<float*>(record.scratch);
  smooth_rows(x, ctx.f32(input(op, 3)), rows, k, smoothed);
  return smoothed;
}

// The input side of the own GEMMs for rows [r0, r0 + n): x times the
// smoothing multiplier (when the op has one) into scratch, then quantized
// as the weights need (per row, so tiles of rows give the same bytes).
struct InputRows {
  const KernelTable* kernels;
  const float* x;         // [m, k]: the op's input
  const float* mult;      // [k] or nullptr
  float* smoothed;        // [m, k] scratch, with mult
  DType dtype;            // kI8, kI4Blocks, kI8Blocks: quantized; else float
  float qs8 = 0.0f;       // kI8: the static activation multiplier, 0 = dynamic
  size_t k;
  int8_t* xq = nullptr;   // kI8: [m, qd8_row_bytes(k)]; blocks: [m, k]
  float* scales = nullptr;  // kI8: [m]
  float* xd = nullptr;    // blocks: [m, k / 32] each
  float* xs = nullptr;
};

void input_rows(void* context, size_t r0, size_t n) {
  const InputRows& p = *static_cast<const InputRows*>(context);
  const size_t k = p.k;
  const float* x = p.x + r0 * k;
  if (p.mult != nullptr) {
    smooth_rows(x, p.mult, n, k, p.smoothed + r0 * k);
    x = p.smoothed + r0 * k;
  }
  if (p.dtype == DType::kI4Blocks || p.dtype == DType::kI8Blocks) {
    const size_t b = k / kWeightBlock;
    p.kernels->f32_q8b_quantize(n, k, x, k, p.xq + r0 * k, p.xd + r0 * b, p.xs + r0 * b);
  } else if (p.dtype == DType::kI8 && p.qs8 != 0.0f) {
    p.kernels->f32_qs8_quantize(n, k, x, k, p.qs8, p.xq + r0 * qd8_row_bytes(k));
    for (size_t r = 0; r < n; ++r) p.scales[r0 + r] = 1.0f / p.qs8;
  } else if (p.dtype == DType::kI8) {
    p.kernels->f32_qd8_quantize(n, k, x, k, p.xq + r0 * qd8_row_bytes(k), p.scales + r0);
  }
}

Status eval_own(const EvalContext& ctx, const fb::Op& op, const OpRecord& record, const TensorInfo& w) {
  const FullyConnectedState& state = state_of<FullyConnectedState>(record);
  OwnGemm j;
  j.kernels = ctx.kernels;
  j.dtype = w.dtype;
  j.m = static_cast<size_t>(op_util::rows(*ctx.model, input(op, 0), ctx.dims));
  j.n = static_cast<size_t>(w.shape[0]);
  j.k = static_cast<size_t>(w.shape[1]);
  j.x_stride = j.k;
  j.w = state.row_major != nullptr ? state.row_major : w.data;  // [n, k]
  j.w_scales = w.scales;
  j.bias = input(op, 2) >= 0 ? ctx.f32(input(op, 2)) : nullptr;
  j.y = ctx.f32(output(op, 0));
  j.y_stride = j.n;
  InputRows in;
  in.kernels = ctx.kernels;
  in.x = ctx.f32(input(op, 0));
  in.mult = input(op, 3) >= 0 ? ctx.f32(input(op, 3)) : nullptr;
  in.smoothed = reinterpret_cast<float*>(record.scratch);
  in.dtype = w.dtype;
  in.k = j.k;
  const ScratchLayout layout(state.max_rows, j.k, j.n, in.mult != nullptr, w.dtype, false);
  if (w.dtype == DType::kI4Blocks || w.dtype == DType::kI8Blocks) {
    in.xq = reinterpret_cast<int8_t*>(record.scratch + layout.xq_at);   // [m, k]
    in.xd = reinterpret_cast<float*>(record.scratch + layout.scales_at);  // [m, k / 32]
    in.xs = in.xd + state.max_rows * (j.k / kWeightBlock);                // [m, k / 32]
    j.xq = in.xq, j.xd = in.xd, j.xs = in.xs;
  } else if (w.dtype == DType::kI8) {
    in.xq = reinterpret_cast<int8_t*>(record.scratch + layout.xq_at);
    in.scales = reinterpret_cast<float*>(record.scratch + layout.scales_at);
    in.qs8 = activation_multiplier(op);
    j.xq = in.xq, j.x_scales = in.scales;
  }
  // Row tiles across the threads when there are many rows (an encoder's
  // batch): the multiply and the quantization read and write every input
  // element, ~10 % of a MiniLM int8 8x128 invoke on one thread.
  pthreadpool* const prep_pool = j.m >= 64 ? ctx.pool_for(j.m * j.k * 4) : nullptr;
  if (prep_pool == nullptr) {
    input_rows(&in, 0, j.m);
  } else {
    const size_t tiles = 2 * parallel::threads(prep_pool);
    parallel::for_1d_tile(prep_pool, input_rows, &in, j.m, std::max<size_t>(1, (j.m + tiles - 1) / tiles));
  }
  j.x = in.mult != nullptr ? in.smoothed : in.x;
  size_t n_out = j.n;
  if (has_selection(op)) {
    n_out = static_cast<size_t>(ctx.dims.selection);
    EA_RETURN_IF_ERROR(run_selected(j, static_cast<const int32_t*>(ctx.tensor_data[input(op, 4)]), n_out));
  } else {
    own_gemm_parallel(ctx.pool_for_reads(j.m * j.n * j.k, w.bytes), j, j.m);  // all rows per tile: few tokens
  }
  const fb::FullyConnectedOptions* o = op.options_as_FullyConnectedOptions();
  if (o != nullptr && o->activation() == fb::Activation::Relu) {
    for (size_t i = 0; i < j.m * n_out; ++i) j.y[i] = std::max(j.y[i], 0.0f);
  }
  return Status::ok();
}

// f16 weights through XNNPACK (state.xnn made by create_f16): x -> halves,
// f16 GEMM, halves -> y.
Status eval_xnn_f16(const EvalContext& ctx, const fb::Op& op, const OpRecord& record, const TensorInfo& w) {
  const FullyConnectedState& state = state_of<FullyConnectedState>(record);
  const size_t rows = static_cast<size_t>(op_util::rows(*ctx.model, input(op, 0), ctx.dims));
  const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
  const ScratchLayout layout(state.max_rows, k, n, input(op, 3) >= 0, w.dtype, true);
  uint16_t* xh = reinterpret_cast<uint16_t*>(record.scratch + layout.xh_at);  // [rows, k]
  uint16_t* yh = reinterpret_cast<uint16_t*>(record.scratch + layout.yh_at);  // [rows, n]
  ctx.kernels->f32_to_f16_row(rows * k, op_input(ctx, op, record, rows, k), xh);
  pthreadpool* const pool = ctx.pool_for(rows * n * k);
  xnn_status s = xnn_setup_fully_connected_nc_f16(state.xnn, rows, xh, yh, pool);
  if (s == xnn_status_success) s = xnn_run_operator(state.xnn, pool);
  EA_ENSURE(s == xnn_status_success, StatusCode::kInternal, "XNNPACK f16 fully connected failed: %d",
            static_cast<int>(s));
  ctx.kernels->f16_to_f32_rows(rows * n, yh, ctx.f32(output(op, 0)));
  return Status::ok();
}

Status eval_paths(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const FullyConnectedState& state = state_of<FullyConnectedState>(record);
  const TensorInfo& w = ctx.model->tensor(input(op, 1));
  switch (state.path) {
    case FcPath::kStaticQc8:
      return fc_int8_static_eval(ctx, op, record);
    case FcPath::kXnnF16:
      return eval_xnn_f16(ctx, op, record, w);
    case FcPath::kOwnKernel:
      return eval_own(ctx, op, record, w);
    case FcPath::kXnnF32:
    case FcPath::kPackedF32:
      break;
  }
  const size_t rows = static_cast<size_t>(op_util::rows(*ctx.model, input(op, 0), ctx.dims));
  const float* x = op_input(ctx, op, record, rows, static_cast<size_t>(w.shape[1]));
  if (state.path == FcPath::kPackedF32) {
    fc_packed_f32_eval(ctx, op, state, x, rows);  // with the epilogue activation
    return Status::ok();
  }
  const size_t nk = static_cast<size_t>(w.shape[0] * w.shape[1]);
  pthreadpool* const pool = ctx.pool_for_reads(rows * nk, nk * sizeof(float));
  xnn_status s = xnn_setup_fully_connected_nc_f32(state.xnn, rows, x, ctx.f32(output(op, 0)), pool);
  if (s == xnn_status_success) s = xnn_run_operator(state.xnn, pool);
  EA_ENSURE(s == xnn_status_success, StatusCode::kInternal, "XNNPACK fully connected failed: %d", static_cast<int>(s));
  return Status::ok();
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  EA_RETURN_IF_ERROR(eval_paths(ctx, op, record));
  if (state_of<FullyConnectedState>(record).path == FcPath::kPackedF32) return Status::ok();
  // Selections never come with an epilogue activation in today's models,
  // but the output's width is what was computed either way.
  const size_t n_out = has_selection(op) ? static_cast<size_t>(ctx.dims.selection)
                                         : static_cast<size_t>(ctx.model->tensor(input(op, 1)).shape[0]);
  return apply_epilogue(ctx, op, n_out);
}

}  // namespace

bool fc_epilogue_activation(const fb::Op& op, ActivationParams* p) {
  const fb::FullyConnectedOptions* o = op.options_as_FullyConnectedOptions();
  if (o == nullptr || !epilogue_activation(o->activation())) return false;
  *p = ActivationParams{};
  p->kind = o->activation() == fb::Activation::Relu6       ? ActKind::kRelu6
            : o->activation() == fb::Activation::Sigmoid   ? ActKind::kSigmoid
            : o->activation() == fb::Activation::HardSwish ? ActKind::kHardSwish
            : o->activation() == fb::Activation::Gelu      ? ActKind::kGelu
                                                           : ActKind::kSilu;
  return true;
}

extern const OpRegistration kFullyConnectedOp = {"FullyConnected", verify, prepare, bind, eval, release};

}  // namespace edgeattn
