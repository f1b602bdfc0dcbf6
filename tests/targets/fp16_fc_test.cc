// Which path fully connected layers with fp16 weights take
// (runtime/ops/op_fully_connected.cc): with a kernel table flagged
// kKernelCapFp16Arithmetic (the "neon_fp16" table), XNNPACK's f16 GEMM (fp16
// arithmetic) where the CPU has it, else the own fp32-compute kernel
// f32_f16w_gemm.
//
// Two sessions on stories260K fp16 with copies of this CPU's table that differ
// only in that flag (runtime/session_with_kernels.h): one with it (asks for
// XNNPACK f16), one without (never does). Whether XNNPACK accepts an f16
// operator on this CPU is probed directly (xnn_status_unsupported_hardware on cores without fp16
// arithmetic, e.g. qemu -cpu cortex-a53). Then:
//   supported:   the logits differ (fp16 accumulation ran) but stay close:
//                relative L2 <= 5e-2 per step over the common greedy prefix
//                (measured: 0.0147 x86-64 AVX2 over 128 steps, 0.0065
//                qemu -cpu max over 48),
//                greedy tokens agree on >= 90% of the steps.
//   unsupported: the flagged session fell back to the own kernel, so the
//                logits are bit-identical.
// On AArch64 "supported" must equal HWCAP_ASIMDHP, and when the dispatcher
// picks "neon_fp16" by itself it must be supported. EDGEATTN_EXPECT_FP16_FC
// (xnnpack_f16 | own), set by targets/cross-test.sh per qemu CPU, pins the
// answer; the line "edgeattn fp16 fully connected: ..." goes to stdout.
#include <doctest/doctest.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/kernels.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K);

namespace edgeattn {
namespace {

// Creates (and deletes) a tiny f16 FC operator: does XNNPACK run f16 here?
bool xnnpack_f16_supported() {
  const uint16_t w[4 * 4] = {0x3c00, 0, 0, 0, 0, 0x3c00, 0, 0, 0, 0, 0x3c00, 0, 0, 0, 0, 0x3c00};  // identity
  xnn_operator_t op = nullptr;
  const xnn_status s = xnn_create_fully_connected_nc_f16(4, 4, 4, 4, w, nullptr, -INFINITY, INFINITY, 0, &op);
  if (op != nullptr) xnn_delete_operator(op);
  REQUIRE_MESSAGE((s == xnn_status_success || s == xnn_status_unsupported_hardware), "status ", static_cast<int>(s));
  return s == xnn_status_success;
}

TEST_CASE("fp16 weights: the fp16-arithmetic flag runs XNNPACK's f16 GEMM exactly where the CPU has fp16 arithmetic") {
  const Model& model = testing::stories260k_quantized("fp16");
  const CpuFeatures features = detect_cpu_features();
  const KernelTable& chosen = select_kernels(features);
  KernelTable wants_f16 = chosen;
  wants_f16.capabilities |= kKernelCapFp16Arithmetic;
  KernelTable own = chosen;
  own.capabilities &= ~kKernelCapFp16Arithmetic;
  const int steps = testing::quick_mode() ? 48 : 128;
  const testing::GreedyRun a = testing::greedy_from_bos(model, steps, wants_f16);
  const testing::GreedyRun b = testing::greedy_from_bos(model, steps, own);
  REQUIRE_MESSAGE(a.error.empty(), a.error);
  REQUIRE_MESSAGE(b.error.empty(), b.error);
  REQUIRE(a.logits.size() == b.logits.size());
  const size_t vocab = a.logits.size() / static_cast<size_t>(steps);

  // After a session exists XNNPACK is initialized (with the runtime's allocator).
  const bool supported = xnnpack_f16_supported();
  const char* path = supported ? "xnnpack_f16" : "own";
  std::printf("edgeattn fp16 fully connected: %s  [default table %s, neon_fp16=%d]\n", path, chosen.name,
              features.neon_fp16);
  MESSAGE("fp16 fully connected path with kKernelCapFp16Arithmetic: ", std::string(path));
#if defined(__aarch64__)
  CHECK(supported == features.neon_fp16);
#endif
  if ((chosen.capabilities & kKernelCapFp16Arithmetic) != 0) CHECK(supported);
  if (const char* want = std::getenv("EDGEATTN_EXPECT_FP16_FC")) CHECK(std::string(path) == want);

  if (!supported) {
    CHECK(a.tokens == b.tokens);
    CHECK(std::memcmp(a.logits.data(), b.logits.data(), a.logits.size() * sizeof(float)) == 0);
    return;
  }
  CHECK(std::memcmp(a.logits.data(), b.logits.data(), a.logits.size() * sizeof(float)) != 0);
  int agree = 0;
  double worst = 0;
  bool same_prefix = true;
  for (int t = 0; t < steps; ++t) {
    agree += a.tokens[t] == b.tokens[t];
    if (same_prefix) {
      double diff = 0, norm = 0;
      for (size_t v = 0; v < vocab; ++v) {
        const double x = a.logits[t * vocab + v], y = b.logits[t * vocab + v];
        diff += (x - y) * (x - y);
        norm += y * y;
      }
      worst = std::max(worst, std::sqrt(diff / norm));
    }
    same_prefix = same_prefix && a.tokens[t] == b.tokens[t];
  }
  MESSAGE("XNNPACK f16 vs own fp16-weight kernel: worst relative L2 of the logits ", worst, ", greedy agreement ",
          agree, "/", steps);
  CHECK(worst <= 5e-2);
  CHECK(agree >= steps * 9 / 10);
}

}  // namespace
}  // namespace edgeattn
