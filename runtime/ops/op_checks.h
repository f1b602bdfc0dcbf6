// Internal: shape and dtype checks shared by the ops' verify functions.
// Each returns a Status naming the tensor at fault; callers add the op.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/status.h"
#include "runtime/tensor.h"

namespace edgeattn {

class Model;
namespace fb {
struct Op;
}

namespace op_check {

// The op has between min and max inputs and exactly n_outputs outputs.
Status arity(const fb::Op& op, size_t min_inputs, size_t max_inputs, size_t n_outputs);
// Tensor `index` is an f32 activation of the given rank (0: any).
Status activation_f32(const Model& model, int index, int rank);
// Tensor `index` is a constant of `dtype` with exactly this shape (-1 in
// `shape` matches anything).
Status constant(const Model& model, int index, DType dtype, int rank, const int64_t* shape);
// Tensor `index` is a rank-2 weight matrix [rows, cols] (-1 matches any)
// stored as f32, f16, or i8 with one scale per row (axis 0); with
// `blocks`, also I4Blocks / I8Blocks (the verifier checked their layout).
Status weight_matrix(const Model& model, int index, int64_t rows, int64_t cols, bool blocks = false);
// Tensors a and b have identical symbolic dims.
Status same_dims(const Model& model, int a, int b);
// The last dim of activation `index` is fixed and equals `value`.
Status last_dim(const Model& model, int index, int64_t value);
// Activation `index` has dim `d` of kind `kind`.
Status dim_kind(const Model& model, int index, int d, DimKind kind);
// The op's options table is present and of the expected union type.
Status options(const fb::Op& op, uint8_t expected_type, bool required);

}  // namespace op_check
}  // namespace edgeattn
