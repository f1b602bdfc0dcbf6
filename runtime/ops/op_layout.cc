// Layout ops (format 1.5): the same values in another arrangement.
//   Concat     2+ inputs equal in every dim but `axis` (fixed there), joined along it.
//   Transpose  out dim i = x dim perm[i] (rank <= 6).
//   Reshape    the same elements in row-major order under the output's dims.
//   Slice      indices [start, start + out dim) of one axis.
// Plain copies: memcpy of contiguous runs where there are any.
#include <cstring>

#include "runtime/model.h"
#include "runtime/ops/image_util.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using image_util::same_dim;
using op_util::input;
using op_util::output;

constexpr size_t kMaxConcatInputs = 64;

Status verify_concat(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, kMaxConcatInputs, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::ConcatOptions), true));
  const int axis = op.options_as_ConcatOptions()->axis();
  size_t first_activation = 0;  // the dims of activation inputs are compared with this one's
  while (first_activation + 1 < op_util::input_count(op) && input(op, first_activation) >= 0 &&
         model.tensor(input(op, first_activation)).is_constant) {
    ++first_activation;
  }
  EA_ENSURE(input(op, first_activation) >= 0, StatusCode::kInvalidModel, "input %zu is missing", first_activation);
  const TensorInfo& first = model.tensor(input(op, first_activation));
  const TensorInfo& y = model.tensor(output(op, 0));
  EA_ENSURE(!first.is_constant, StatusCode::kInvalidModel, "every input is a constant");
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, output(op, 0), first.rank));
  EA_ENSURE(axis >= 0 && axis < first.rank, StatusCode::kInvalidModel, "axis %d not in [0, rank %d)", axis, first.rank);
  int64_t total = 0;
  for (size_t i = 0; i < op_util::input_count(op); ++i) {
    EA_ENSURE(input(op, i) >= 0, StatusCode::kInvalidModel, "input %zu is missing", i);
    const TensorInfo& t = model.tensor(input(op, i));
    if (t.is_constant) {  // repeated for every outer index: 1 before the axis, the output's dims after it
      EA_ENSURE(t.dtype == DType::kF32 && t.rank == y.rank, StatusCode::kInvalidModel,
                "constant input %zu '%s' must be f32 of rank %d", i, t.name, y.rank);
      for (int d = 0; d < t.rank; ++d) {
        const bool ok = d < axis ? t.shape[d] == 1
                                 : d == axis || (y.dims[d].kind == DimKind::kFixed && y.dims[d].value == t.shape[d]);
        EA_ENSURE(ok, StatusCode::kInvalidModel, "constant input %zu '%s' dim %d does not fit output '%s'", i, t.name, d,
                  y.name);
      }
      total += t.shape[axis];
      continue;
    }
    EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, i), first.rank));
    for (int d = 0; d < t.rank; ++d) {
      if (d == axis) continue;
      EA_ENSURE(same_dim(t.dims[d], first.dims[d]) && same_dim(t.dims[d], y.dims[d]), StatusCode::kInvalidModel,
                "input %zu '%s' dim %d differs from the other inputs' or the output's", i, t.name, d);
    }
    EA_ENSURE(t.dims[axis].kind == DimKind::kFixed, StatusCode::kUnsupported, "input %zu '%s': the concat axis %d must be fixed",
              i, t.name, axis);
    total += t.dims[axis].value;
  }
  EA_ENSURE(y.dims[axis].kind == DimKind::kFixed && y.dims[axis].value == total, StatusCode::kInvalidModel,
            "output '%s' dim %d must be fixed %lld (the inputs' sum)", y.name, axis, static_cast<long long>(total));
  return Status::ok();
}

Status eval_concat(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const int axis = op.options_as_ConcatOptions()->axis();
  const TensorInfo& y = ctx.model->tensor(output(op, 0));
  size_t outer = 1, inner = 1;  // dims before / after the axis
  for (int d = 0; d < axis; ++d) outer *= static_cast<size_t>(y.dim(d, ctx.dims));
  for (int d = axis + 1; d < y.rank; ++d) inner *= static_cast<size_t>(y.dim(d, ctx.dims));
  const size_t y_run = static_cast<size_t>(y.dims[axis].value) * inner;  // floats per outer index
  float* out = ctx.f32(output(op, 0));
  size_t offset = 0;  // of this input's run inside a y run
  for (size_t i = 0; i < op_util::input_count(op); ++i) {
    const TensorInfo& t = ctx.model->tensor(input(op, i));
    const size_t run = static_cast<size_t>(t.is_constant ? t.shape[axis] : t.dims[axis].value) * inner;
    const size_t x_step = t.is_constant ? 0 : run;  // a constant is the same for every outer index
    const float* x = ctx.f32(input(op, i));
    for (size_t o = 0; o < outer; ++o) std::memcpy(out + o * y_run + offset, x + o * x_step, run * sizeof(float));
    offset += run;
  }
  return Status::ok();
}

Status verify_transpose(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::TransposeOptions), true));
  const TensorInfo& x = model.tensor(input(op, 0));
  const TensorInfo& y = model.tensor(output(op, 0));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, output(op, 0), x.rank));
  EA_ENSURE(x.rank >= 1, StatusCode::kInvalidModel, "x '%s' has rank 0", x.name);
  const flatbuffers::Vector<int32_t>* perm = op.options_as_TransposeOptions()->perm();
  EA_ENSURE(perm != nullptr && static_cast<int>(perm->size()) == x.rank, StatusCode::kInvalidModel,
            "perm must list %d axes (the rank of '%s')", x.rank, x.name);
  bool seen[kMaxRank] = {false};
  for (int i = 0; i < x.rank; ++i) {
    const int p = perm->Get(static_cast<flatbuffers::uoffset_t>(i));
    EA_ENSURE(p >= 0 && p < x.rank && !seen[p], StatusCode::kInvalidModel,
              "perm is not a permutation of 0..%d (entry %d is %d)", x.rank - 1, i, p);
    seen[p] = true;
  }
  for (int i = 0; i < x.rank; ++i) {
    const int p = perm->Get(static_cast<flatbuffers::uoffset_t>(i));
    EA_ENSURE(same_dim(y.dims[i], x.dims[p]), StatusCode::kInvalidModel, "y '%s' dim %d must be x '%s' dim %d", y.name,
              i, x.name, p);
  }
  return Status::ok();
}

Status eval_transpose(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const TensorInfo& x = ctx.model->tensor(input(op, 0));
  const flatbuffers::Vector<int32_t>& perm = *op.options_as_TransposeOptions()->perm();
  const int rank = x.rank;
  size_t x_stride[kMaxRank] = {0};  // floats between neighbours along each x dim
  size_t x_dims[kMaxRank] = {0};
  size_t step = 1;
  for (int d = rank - 1; d >= 0; --d) {
    x_dims[d] = static_cast<size_t>(x.dim(d, ctx.dims));
    x_stride[d] = step;
    step *= x_dims[d];
  }
  size_t out_dims[kMaxRank] = {0}, out_step[kMaxRank] = {0}, index[kMaxRank] = {0};
  for (int i = 0; i < rank; ++i) {
    out_dims[i] = x_dims[perm.Get(static_cast<flatbuffers::uoffset_t>(i))];
    out_step[i] = x_stride[perm.Get(static_cast<flatbuffers::uoffset_t>(i))];
  }
  const float* src = ctx.f32(input(op, 0));
  float* dst = ctx.f32(output(op, 0));
  const size_t total = step, last = out_dims[rank - 1];
  // Odometer over the output's leading dims; the innermost dim is one strided run.
  for (size_t written = 0; written < total; written += last) {
    size_t from = 0;
    for (int i = 0; i + 1 < rank; ++i) from += index[i] * out_step[i];
    for (size_t j = 0; j < last; ++j) dst[written + j] = src[from + j * out_step[rank - 1]];
    for (int i = rank - 2; i >= 0; --i) {
      if (++index[i] < out_dims[i]) break;
      index[i] = 0;
    }
  }
  return Status::ok();
}

// Element counts of x and y agree for every dim value when their symbolic
// dims are the same multiset and their fixed dims have the same product.
bool same_element_count(const TensorInfo& x, const TensorInfo& y) {
  int64_t fx = 1, fy = 1;
  bool used[kMaxRank] = {false};
  for (int i = 0; i < y.rank; ++i) fy *= y.dims[i].kind == DimKind::kFixed ? y.dims[i].value : 1;
  for (int i = 0; i < x.rank; ++i) {
    if (x.dims[i].kind == DimKind::kFixed) {
      fx *= x.dims[i].value;
      continue;
    }
    bool found = false;
    for (int j = 0; j < y.rank && !found; ++j) {
      found = !used[j] && same_dim(y.dims[j], x.dims[i]);
      used[j] = used[j] || found;
    }
    if (!found) return false;
  }
  for (int j = 0; j < y.rank; ++j) {
    if (y.dims[j].kind != DimKind::kFixed && !used[j]) return false;
  }
  return fx == fy;
}

// What cannot be proved here (e.g. [B, H/4, W/4, C] -> [B, H/4 * W/4 ...] has
// no symbol) is checked at prepare for the session maxima; the converter
// emits only reshapes that hold for every size.
Status verify_reshape(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, output(op, 0), 0));
  const TensorInfo& x = model.tensor(input(op, 0));
  const TensorInfo& y = model.tensor(output(op, 0));
  bool x_symbolic = false, y_symbolic = false;
  for (int i = 0; i < x.rank; ++i) x_symbolic = x_symbolic || x.dims[i].kind != DimKind::kFixed;
  for (int i = 0; i < y.rank; ++i) y_symbolic = y_symbolic || y.dims[i].kind != DimKind::kFixed;
  if (!x_symbolic && !y_symbolic) {
    EA_ENSURE(same_element_count(x, y), StatusCode::kInvalidModel, "'%s' and '%s' hold different element counts",
              x.name, y.name);
  }
  return Status::ok();
}

Status prepare_reshape(PrepareContext& ctx, const fb::Op& op, OpRecord*) {
  const TensorInfo& x = ctx.model->tensor(input(op, 0));
  const TensorInfo& y = ctx.model->tensor(output(op, 0));
  EA_ENSURE(same_element_count(x, y) || x.element_count(ctx.max_dims) == y.element_count(ctx.max_dims),
            StatusCode::kInvalidModel, "reshape '%s' -> '%s': %lld elements vs %lld at the session maxima", x.name,
            y.name, static_cast<long long>(x.element_count(ctx.max_dims)),
            static_cast<long long>(y.element_count(ctx.max_dims)));
  return Status::ok();
}

Status eval_reshape(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const float* x = ctx.f32(input(op, 0));
  float* y = ctx.f32(output(op, 0));
  if (x == y) return Status::ok();
  // The smaller count keeps a reshape the converter got wrong inside both buffers.
  const int64_t nx = ctx.model->tensor(input(op, 0)).element_count(ctx.dims);
  const int64_t ny = ctx.model->tensor(output(op, 0)).element_count(ctx.dims);
  std::memcpy(y, x, static_cast<size_t>(nx < ny ? nx : ny) * sizeof(float));
  return Status::ok();
}

Status verify_slice(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::SliceOptions), true));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 0));
  const TensorInfo& x = model.tensor(input(op, 0));
  const TensorInfo& y = model.tensor(output(op, 0));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, output(op, 0), x.rank));
  const fb::SliceOptions& o = *op.options_as_SliceOptions();
  EA_ENSURE(o.axis() >= 0 && o.axis() < x.rank, StatusCode::kInvalidModel, "axis %d not in [0, rank %d)", o.axis(), x.rank);
  const DimSpec& xd = x.dims[o.axis()];
  const DimSpec& yd = y.dims[o.axis()];
  EA_ENSURE(xd.kind == DimKind::kFixed && yd.kind == DimKind::kFixed && o.start() >= 0 &&
                o.start() + yd.value <= xd.value,
            StatusCode::kInvalidModel, "[%d, %d + y '%s' dim) must lie inside x '%s' dim %d (both fixed)", o.start(),
            o.start(), y.name, x.name, o.axis());
  for (int d = 0; d < x.rank; ++d) {
    EA_ENSURE(d == o.axis() || same_dim(x.dims[d], y.dims[d]), StatusCode::kInvalidModel,
              "y '%s' dim %d must be x '%s' dim %d", y.name, d, x.name, d);
  }
  return Status::ok();
}

Status eval_slice(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const fb::SliceOptions& o = *op.options_as_SliceOptions();
  const TensorInfo& x = ctx.model->tensor(input(op, 0));
  const TensorInfo& y = ctx.model->tensor(output(op, 0));
  size_t outer = 1, inner = 1;
  for (int d = 0; d < o.axis(); ++d) outer *= static_cast<size_t>(x.dim(d, ctx.dims));
  for (int d = o.axis() + 1; d < x.rank; ++d) inner *= static_cast<size_t>(x.dim(d, ctx.dims));
  const size_t x_run = static_cast<size_t>(x.dims[o.axis()].value) * inner;
  const size_t y_run = static_cast<size_t>(y.dims[o.axis()].value) * inner;
  const float* src = ctx.f32(input(op, 0)) + static_cast<size_t>(o.start()) * inner;
  float* dst = ctx.f32(output(op, 0));
  for (size_t i = 0; i < outer; ++i) std::memcpy(dst + i * y_run, src + i * x_run, y_run * sizeof(float));
  return Status::ok();
}

}  // namespace

extern const OpRegistration kSliceOp = {"Slice", verify_slice, nullptr, nullptr, eval_slice, nullptr};
extern const OpRegistration kConcatOp = {"Concat", verify_concat, nullptr, nullptr, eval_concat, nullptr};
extern const OpRegistration kTransposeOp = {"Transpose", verify_transpose, nullptr, nullptr, eval_transpose, nullptr};
extern const OpRegistration kReshapeOp = {"Reshape", verify_reshape, prepare_reshape, nullptr, eval_reshape, nullptr};

}  // namespace edgeattn
