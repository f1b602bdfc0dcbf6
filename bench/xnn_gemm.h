// XnnGemm: one XNNPACK fully-connected operator, called directly, for the
// benchmarks that compare edgeattn's GEMMs with XNNPACK's and that measure the
// machine's GEMM peak. Header-only; benchmarks only (not the runtime).
//
//   XnnGemm g;
//   if (g.init(XnnGemmType::kF32, /*m=*/128, /*n=*/1536, /*k=*/384, pool)) {
//     g.run();  // y[M, N] = x[M, K] W^T + b, inputs random, fixed seed
//   }
//
// kF32: fully_connected_nc_f32. kF16: fully_connected_nc_f16 (fp16 inputs,
// weights and outputs; create fails on CPUs without the needed ISA, then
// init() returns false). kQs8: fully_connected_nc_qs8 (per-tensor int8 in,
// int8 out, int32 accumulation); Debian's XNNPACK has no per-channel qc8 FC,
// and the qs8 kernels are the same speed as the qc8 1x1 convolution.
// Inputs carry XNN_EXTRA_BYTES of padding, as XNNPACK reads past the end.
#pragma once

#include <xnnpack.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace edgeattn {
namespace bench {

enum class XnnGemmType { kF32, kF16, kQs8 };

inline const char* xnn_gemm_type_name(XnnGemmType t) {
  return t == XnnGemmType::kF32 ? "f32" : t == XnnGemmType::kF16 ? "f16" : "qs8";
}

class XnnGemm {
 public:
  XnnGemm() = default;
  XnnGemm(const XnnGemm&) = delete;
  XnnGemm& operator=(const XnnGemm&) = delete;
  ~XnnGemm() {
    if (op_ != nullptr) xnn_delete_operator(op_);
  }

  // Creates and sets up the operator (weights packed here, not in run()).
  bool init(XnnGemmType type, size_t m, size_t n, size_t k, pthreadpool_t pool) {
    if (xnn_initialize(nullptr) != xnn_status_success) return false;
    type_ = type;
    pool_ = pool;
    const size_t esize = type == XnnGemmType::kF32 ? 4 : type == XnnGemmType::kF16 ? 2 : 1;
    x_.assign((m * k * esize + XNN_EXTRA_BYTES + 7) / 8, 0);  // [M, K]
    y_.assign((m * n * esize + 7) / 8, 0);                    // [M, N]
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
    xnn_status s = xnn_status_invalid_state;
    if (type == XnnGemmType::kF32) {
      std::vector<float> w(n * k), b(n);  // W [N, K]
      for (float& v : w) v = uni(rng);
      for (float& v : b) v = uni(rng);
      float* x = reinterpret_cast<float*>(x_.data());
      for (size_t i = 0; i < m * k; ++i) x[i] = uni(rng);
      s = xnn_create_fully_connected_nc_f32(k, n, k, n, w.data(), b.data(), -1e30f, 1e30f, 0, &op_);
      if (s == xnn_status_success) {
        s = xnn_setup_fully_connected_nc_f32(op_, m, x, reinterpret_cast<float*>(y_.data()), pool);
      }
    } else if (type == XnnGemmType::kF16) {
      // Halves with |v| in [2^-4, 2): sign, exponent 11..15, random mantissa.
      auto half = [&rng]() {
        return static_cast<uint16_t>(((rng() & 1) << 15) | ((11 + rng() % 5) << 10) | (rng() & 0x3ff));
      };
      std::vector<uint16_t> w(n * k), b(n);  // W [N, K]
      for (uint16_t& v : w) v = half();
      for (uint16_t& v : b) v = half();
      uint16_t* x = reinterpret_cast<uint16_t*>(x_.data());
      for (size_t i = 0; i < m * k; ++i) x[i] = half();
      s = xnn_create_fully_connected_nc_f16(k, n, k, n, w.data(), b.data(), -65504.0f, 65504.0f, 0, &op_);
      if (s == xnn_status_success) s = xnn_setup_fully_connected_nc_f16(op_, m, x, y_.data(), pool);
    } else {
      std::vector<int8_t> w(n * k);  // W [N, K]
      std::vector<int32_t> b(n);
      for (int8_t& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
      for (int32_t& v : b) v = static_cast<int32_t>(rng() % 2001) - 1000;
      int8_t* x = reinterpret_cast<int8_t*>(x_.data());
      for (size_t i = 0; i < m * k; ++i) x[i] = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
      // Requantization scale in * w / out = 0.05 * 0.02 / 1 (must be < 256).
      s = xnn_create_fully_connected_nc_qs8(k, n, k, n, 0, 0.05f, 0.02f, w.data(), b.data(), 0, 1.0f, -127, 127, 0,
                                            &op_);
      if (s == xnn_status_success) {
        s = xnn_setup_fully_connected_nc_qs8(op_, m, x, reinterpret_cast<int8_t*>(y_.data()), pool);
      }
    }
    return s == xnn_status_success;
  }

  bool run() { return op_ != nullptr && xnn_run_operator(op_, pool_) == xnn_status_success; }
  const void* output() const { return y_.data(); }

 private:
  XnnGemmType type_ = XnnGemmType::kF32;
  xnn_operator_t op_ = nullptr;
  pthreadpool_t pool_ = nullptr;  // the pool given to setup; run() takes it again
  std::vector<uint64_t> x_, y_;   // 8-byte aligned storage for any element type
};

}  // namespace bench
}  // namespace edgeattn
