// Im2Col: the patches of a 1-D convolution, so that the convolution itself is
// a FullyConnected over them (one GEMM, every weight dtype and kernel table
// the FC has, XNNPACK included).
//
//   x [B, T, C] -> y [B, T_out, kernel * C],  T_out = (T + 2 pad - kernel) / stride + 1
//   y[b, t, k * C + c] = x[b, t * stride + k - pad, c]   (0 outside [0, T))
//
// A convolution weight [C_out, C, kernel] (PyTorch) becomes [C_out, kernel * C]
// in the converter (taps outer, channels inner). Whisper's encoder front:
// conv1 = Im2Col(3, 1, 1) + FC [384, 3 * 80]; conv2 = Im2Col(3, 2, 1) + FC [384, 3 * 384].
#include <cstring>

#include "runtime/model.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

constexpr int kMaxKernel = 64;

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 1, 1, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::Im2ColOptions), true));
  const fb::Im2ColOptions& o = *op.options_as_Im2ColOptions();
  EA_ENSURE(o.kernel() >= 1 && o.kernel() <= kMaxKernel && o.stride() >= 1 && o.stride() <= kMaxKernel &&
                o.pad() >= 0 && o.pad() < o.kernel(),
            StatusCode::kInvalidModel, "kernel %d, stride %d, pad %d: need kernel and stride in [1, %d], pad < kernel",
            o.kernel(), o.stride(), o.pad(), kMaxKernel);
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, input(op, 0), 3));
  EA_RETURN_IF_ERROR(op_check::activation_f32(model, output(op, 0), 3));
  for (int t : {input(op, 0), output(op, 0)}) {
    EA_RETURN_IF_ERROR(op_check::dim_kind(model, t, 0, DimKind::kBatch));
    EA_RETURN_IF_ERROR(op_check::dim_kind(model, t, 1, DimKind::kFixed));
  }
  const TensorInfo& x = model.tensor(input(op, 0));
  const int64_t channels = op_util::fixed_last_dim(model, input(op, 0));
  EA_ENSURE(channels > 0, StatusCode::kInvalidModel, "x '%s': channels (last dim) must be fixed", x.name);
  const int64_t padded = x.dims[1].value + 2 * int64_t{o.pad()};
  EA_ENSURE(padded >= o.kernel(), StatusCode::kInvalidModel, "x '%s': %lld rows (padded) < kernel %d", x.name,
            static_cast<long long>(padded), o.kernel());
  const int64_t t_out = (padded - o.kernel()) / o.stride() + 1;
  EA_ENSURE(model.tensor(output(op, 0)).dims[1].value == t_out, StatusCode::kInvalidModel,
            "y '%s': dim 1 must be %lld", model.tensor(output(op, 0)).name, static_cast<long long>(t_out));
  return op_check::last_dim(model, output(op, 0), channels * o.kernel());
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord&) {
  const fb::Im2ColOptions& o = *op.options_as_Im2ColOptions();
  const TensorInfo& xi = ctx.model->tensor(input(op, 0));
  const int64_t t_in = xi.dims[1].value;
  const int64_t t_out = ctx.model->tensor(output(op, 0)).dims[1].value;
  const size_t channels = static_cast<size_t>(xi.dims[2].value);
  const size_t kernel = static_cast<size_t>(o.kernel());
  const float* x = ctx.f32(input(op, 0));  // [B, T, C]
  float* y = ctx.f32(output(op, 0));        // [B, T_out, kernel * C]
  for (int64_t b = 0; b < ctx.dims.batch; ++b) {
    const float* xb = x + static_cast<size_t>(b * t_in) * channels;
    for (int64_t t = 0; t < t_out; ++t) {
      float* row = y + static_cast<size_t>(b * t_out + t) * kernel * channels;
      for (size_t k = 0; k < kernel; ++k) {
        const int64_t src = t * o.stride() + static_cast<int64_t>(k) - o.pad();
        float* dst = row + k * channels;
        if (src < 0 || src >= t_in) {
          std::memset(dst, 0, channels * sizeof(float));
        } else {
          std::memcpy(dst, xb + static_cast<size_t>(src) * channels, channels * sizeof(float));
        }
      }
    }
  }
  return Status::ok();
}

}  // namespace

extern const OpRegistration kIm2ColOp = {"Im2Col", verify, nullptr, nullptr, eval, nullptr};

}  // namespace edgeattn
