// Internal: the state of a FullyConnected op, shared by its two files
// (op_fully_connected.cc: f32, f16, dynamic int8; fc_int8_static.cc:
// int8-static). Made at prepare, read at eval, released with the session.
#pragma once

#include <cstddef>
#include <cstdint>

struct xnn_operator;

namespace edgeattn {

struct ActivationParams;
namespace fb {
struct Op;
}

// The activation FullyConnected applies in a pass after its GEMM (Relu6,
// Sigmoid, HardSwish, Silu, Gelu; Relu is the GEMM's own clamp): true with
// *p set, else false. The packed path runs it per panel of columns while
// they are in cache; the others over y at the end.
bool fc_epilogue_activation(const fb::Op& op, ActivationParams* p);

// Which kernel runs the op, chosen once at prepare.
enum class FcPath : uint8_t {
  kOwnKernel,  // kernels/: f16 or i8 weights read in place, or the reference table's f32_gemm
  kXnnF32,     // XNNPACK f32 fully connected (packed copy of W)
  kXnnF16,     // XNNPACK f16 fully connected (CPUs with fp16 arithmetic)
  kStaticQc8,  // XNNPACK qc8 1x1 convolution with static activation scales (fc_int8_static.h)
  kPackedF32,  // kernels/: f32_gemm_packed on W packed at bind into the arena (fc_packed_f32.h)
};

struct FullyConnectedState {
  FcPath path = FcPath::kOwnKernel;
  // The XNNPACK paths' operator, owned: deleted by the op's release().
  // nullptr in Session::plan(), which creates no operators.
  xnn_operator* xnn = nullptr;
  // Rows the op scratch is sized for: the input's rows at the session maxima.
  size_t max_rows = 0;
  // kPackedF32: W and bias packed in panels (kernels.h f32_gemm_pack), a
  // region of the arena's persistent head shared by the ops with the same
  // weight and bias; the op that asked first packs it at bind.
  size_t packed_offset = 0;      // from the arena start
  bool packs = false;            // this op fills the region
  const float* packed = nullptr; // resolved at bind; lives as long as the session
  // A weight packed in the file (TensorLayout::kF32Panels16): kPackedF32
  // reads it in place (`packed` is the mapped weight, no region); the
  // reference table's own GEMM gets it unpacked into a region of the
  // arena's persistent head (shared like the packed one), `row_major`.
  bool in_place = false;
  size_t row_major_offset = 0;
  bool unpacks = false;             // this op fills the row-major region
  const float* row_major = nullptr; // resolved at bind; lives as long as the session
};

}  // namespace edgeattn
