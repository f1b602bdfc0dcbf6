// Dispatch: the table list, selection and feature detection agree with each
// other and with the host.
#include <cstdint>
#include <string>

#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

TEST_CASE("reference table is complete and listed first") {
  const KernelTable& ref = reference_kernels();
  CHECK(std::string(ref.name) == "reference");
  const KernelTable* tables[8];
  const size_t n = available_kernel_tables(tables, 8);
  REQUIRE(n >= 1);
  CHECK(tables[0] == &ref);
  for (size_t i = 0; i < n; ++i) {
    INFO(tables[i]->name);
    CHECK((tables[i]->f32_layernorm != nullptr));
    CHECK((tables[i]->f32_rmsnorm != nullptr));
    CHECK((tables[i]->f32_gelu != nullptr));
    CHECK((tables[i]->f32_silu_mul != nullptr));
    CHECK((tables[i]->f32_add != nullptr));
    CHECK((tables[i]->f32_rope != nullptr));
    CHECK((tables[i]->f32_attention != nullptr));
    CHECK((tables[i]->f32_l2_normalize != nullptr));
    CHECK((tables[i]->f32_gelu_tanh != nullptr));
    CHECK((tables[i]->f32_ssru != nullptr));
    CHECK((tables[i]->f32_qs8_quantize != nullptr));
    // The optional fp32 GEMM: only the reference table has one (the others
    // leave fp32 layers to XNNPACK).
    CHECK((tables[i]->f32_gemm != nullptr) == (tables[i] == &ref));
  }
  // max_out bounds what is written.
  const KernelTable* one[1] = {nullptr};
  CHECK(available_kernel_tables(one, 1) == 1);
  CHECK(one[0] == &ref);
  CHECK(available_kernel_tables(one, 0) == 0);
}

TEST_CASE("select_kernels picks the last available table for the host, reference without features") {
  const KernelTable* tables[8];
  const size_t n = available_kernel_tables(tables, 8);
  const KernelTable& best = select_kernels(detect_cpu_features());
  CHECK(&best == tables[n - 1]);
  CHECK(&select_kernels(CpuFeatures{}) == &reference_kernels());
}

TEST_CASE("detect_cpu_features matches the build's ISA") {
  const CpuFeatures f = detect_cpu_features();
#if defined(__x86_64__)
  CHECK_FALSE(f.neon);
  MESSAGE("avx2+fma+f16c: ", f.avx2, " avx_vnni: ", f.avx_vnni, " avx512_vnni: ", f.avx512_vnni);
  // The VNNI tables extend the AVX2 one.
  if (f.avx_vnni || f.avx512_vnni) CHECK(f.avx2);
#elif defined(__aarch64__)
  CHECK(f.neon);  // mandatory on AArch64
  CHECK_FALSE(f.avx2);
#endif
  (void)f;
}

TEST_CASE("find_kernel_table finds every available table by name, and only those") {
  const KernelTable* tables[8];
  const size_t n = available_kernel_tables(tables, 8);
  for (size_t i = 0; i < n; ++i) CHECK(find_kernel_table(tables[i]->name) == tables[i]);
  CHECK(find_kernel_table("reference") == &reference_kernels());
  CHECK(find_kernel_table("no-such-isa") == nullptr);
  CHECK(find_kernel_table("") == nullptr);
  CHECK(find_kernel_table(nullptr) == nullptr);
}

// Ops choose paths by KernelTable::capabilities (never by name), so each
// table's flags must say exactly what its CPU features guarantee.
uint32_t expected_capabilities(const std::string& name) {
  if (name == "avxvnni" || name == "avx512vnni") return kKernelCapVnni;
  if (name == "neon_dotprod") return kKernelCapDotProduct;
  if (name == "neon_fp16") return kKernelCapDotProduct | kKernelCapFp16Arithmetic;
  return 0;  // reference, avx2, neon
}

TEST_CASE("every compiled table carries the capability flags of the features it needs") {
  CompiledKernelTable compiled[kMaxKernelTables];
  const size_t n = compiled_kernel_tables(compiled, kMaxKernelTables);
  REQUIRE(n >= 1);
  for (size_t i = 0; i < n; ++i) {
    INFO(compiled[i].table->name);
    CHECK(compiled[i].table->capabilities == expected_capabilities(compiled[i].table->name));
  }
  // A runnable table never claims a feature this CPU lacks.
  const CpuFeatures f = detect_cpu_features();
  const KernelTable* tables[kMaxKernelTables];
  const size_t available = available_kernel_tables(tables, kMaxKernelTables);
  for (size_t i = 0; i < available; ++i) {
    INFO(tables[i]->name);
    const uint32_t caps = tables[i]->capabilities;
    if ((caps & kKernelCapFp16Arithmetic) != 0) CHECK(f.neon_fp16);
    if ((caps & kKernelCapDotProduct) != 0) CHECK(f.neon_dotprod);
    if ((caps & kKernelCapVnni) != 0) CHECK((f.avx_vnni || f.avx512_vnni));
  }
}

}  // namespace
}  // namespace edgeattn
