#include "runtime/ops/op_checks.h"

#include "runtime/model.h"
#include "runtime/ops/op_registry.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace op_check {

Status arity(const fb::Op& op, size_t min_inputs, size_t max_inputs, size_t n_outputs) {
  size_t n_in = op_util::input_count(op);
  size_t n_out = op_util::output_count(op);
  EA_ENSURE(n_in >= min_inputs && n_in <= max_inputs, StatusCode::kInvalidModel,
            "has %zu inputs, expects %zu..%zu", n_in, min_inputs, max_inputs);
  EA_ENSURE(n_out == n_outputs, StatusCode::kInvalidModel, "has %zu outputs, expects %zu", n_out, n_outputs);
  for (size_t i = 0; i < min_inputs; ++i) {
    EA_ENSURE(op_util::input(op, i) >= 0, StatusCode::kInvalidModel, "required input %zu is missing", i);
  }
  return Status::ok();
}

Status activation_f32(const Model& model, int index, int rank) {
  const TensorInfo& t = model.tensor(index);
  EA_ENSURE(!t.is_constant, StatusCode::kInvalidModel, "tensor %d '%s' must be an activation", index, t.name);
  EA_ENSURE(t.dtype == DType::kF32, StatusCode::kInvalidModel, "tensor %d '%s' is %s, expects f32", index, t.name,
            dtype_name(t.dtype));
  EA_ENSURE(rank == 0 || t.rank == rank, StatusCode::kInvalidModel, "tensor %d '%s' has rank %d, expects %d",
            index, t.name, t.rank, rank);
  return Status::ok();
}

Status constant(const Model& model, int index, DType dtype, int rank, const int64_t* shape) {
  const TensorInfo& t = model.tensor(index);
  EA_ENSURE(t.is_constant, StatusCode::kInvalidModel, "tensor %d '%s' must be a constant", index, t.name);
  EA_ENSURE(t.dtype == dtype, StatusCode::kInvalidModel, "tensor %d '%s' is %s, expects %s", index, t.name,
            dtype_name(t.dtype), dtype_name(dtype));
  EA_ENSURE(t.rank == rank, StatusCode::kInvalidModel, "tensor %d '%s' has rank %d, expects %d", index, t.name,
            t.rank, rank);
  for (int i = 0; i < rank; ++i) {
    EA_ENSURE(shape[i] < 0 || t.shape[i] == shape[i], StatusCode::kInvalidModel,
              "tensor %d '%s' dim %d is %lld, expects %lld", index, t.name, i, static_cast<long long>(t.shape[i]),
              static_cast<long long>(shape[i]));
  }
  return Status::ok();
}

Status weight_matrix(const Model& model, int index, int64_t rows, int64_t cols, bool blocks) {
  const TensorInfo& t = model.tensor(index);
  EA_ENSURE(t.is_constant && t.rank == 2, StatusCode::kInvalidModel, "tensor %d '%s' must be a constant matrix", index,
            t.name);
  const bool is_blocks = t.dtype == DType::kI4Blocks || t.dtype == DType::kI8Blocks;
  EA_ENSURE(t.dtype == DType::kF32 || t.dtype == DType::kF16 || t.dtype == DType::kI8 || (blocks && is_blocks),
            StatusCode::kUnsupported, "tensor %d '%s' is %s; weights here must be f32, f16 or i8%s", index, t.name,
            dtype_name(t.dtype), blocks ? " or i4/i8 blocks" : "");
  EA_ENSURE(rows < 0 || t.shape[0] == rows, StatusCode::kInvalidModel, "tensor %d '%s' has %lld rows, expects %lld",
            index, t.name, static_cast<long long>(t.shape[0]), static_cast<long long>(rows));
  EA_ENSURE(cols < 0 || t.shape[1] == cols, StatusCode::kInvalidModel,
            "tensor %d '%s' has %lld columns, expects %lld", index, t.name, static_cast<long long>(t.shape[1]),
            static_cast<long long>(cols));
  if (t.dtype == DType::kI8) {
    EA_ENSURE(t.quant_axis == 0 && t.scales != nullptr && static_cast<int64_t>(t.scale_count) == t.shape[0],
              StatusCode::kInvalidModel, "i8 tensor %d '%s' needs one scale per row (axis 0)", index, t.name);
  }
  return Status::ok();
}

Status same_dims(const Model& model, int a, int b) {
  const TensorInfo& ta = model.tensor(a);
  const TensorInfo& tb = model.tensor(b);
  bool same = ta.rank == tb.rank;
  for (int i = 0; same && i < ta.rank; ++i) {
    same = ta.dims[i].kind == tb.dims[i].kind && ta.dims[i].value == tb.dims[i].value;
  }
  EA_ENSURE(same, StatusCode::kInvalidModel, "tensors %d '%s' and %d '%s' must have the same shape", a, ta.name, b,
            tb.name);
  return Status::ok();
}

Status last_dim(const Model& model, int index, int64_t value) {
  const TensorInfo& t = model.tensor(index);
  int64_t d = op_util::fixed_last_dim(model, index);
  EA_ENSURE(d == value, StatusCode::kInvalidModel, "tensor %d '%s' last dim is %lld, expects %lld", index, t.name,
            static_cast<long long>(d), static_cast<long long>(value));
  return Status::ok();
}

Status dim_kind(const Model& model, int index, int d, DimKind kind) {
  const TensorInfo& t = model.tensor(index);
  EA_ENSURE(d < t.rank && !t.is_constant && t.dims[d].kind == kind, StatusCode::kInvalidModel,
            "tensor %d '%s' dim %d has the wrong kind", index, t.name, d);
  return Status::ok();
}

Status options(const fb::Op& op, uint8_t expected_type, bool required) {
  if (op.options_type() == fb::OpOptions::NONE && !required) return Status::ok();
  EA_ENSURE(static_cast<uint8_t>(op.options_type()) == expected_type && op.options() != nullptr,
            StatusCode::kInvalidModel, "options of type %d, expects %d", static_cast<int>(op.options_type()),
            static_cast<int>(expected_type));
  return Status::ok();
}

}  // namespace op_check
}  // namespace edgeattn
