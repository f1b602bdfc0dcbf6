// Which kernel table the dispatcher picks on this CPU, checked against what
// the script running the test expects. targets/cross-test.sh sets, per
// emulated CPU (qemu -cpu cortex-a53 / max / ...):
//
//   EDGEATTN_EXPECT_KERNELS=neon
//       name of select_kernels(detect_cpu_features()), the table a Session
//       uses when SessionOptions::kernels is null.
//   EDGEATTN_EXPECT_CPU_FEATURES=neon,!neon_fp16,!neon_dotprod
//       features detect_cpu_features() must report (name) or not report
//       (!name); names: avx2 avx_vnni avx512_vnni neon neon_fp16
//       neon_dotprod.
//   EDGEATTN_EXPECT_TABLES=reference,neon
//       the exact list available_kernel_tables() returns (what kernels_test
//       compares against the reference on this CPU).
//
// Without these variables the test prints what it found and checks only that
// detection, selection and the table list agree. The chosen table and the
// features are always printed (ctest --output-on-failure / -V shows them),
// so a log proves which variant ran.
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool feature(const CpuFeatures& f, const std::string& name, bool* known) {
  *known = true;
  if (name == "avx2") return f.avx2;
  if (name == "avx_vnni") return f.avx_vnni;
  if (name == "avx512_vnni") return f.avx512_vnni;
  if (name == "neon") return f.neon;
  if (name == "neon_fp16") return f.neon_fp16;
  if (name == "neon_dotprod") return f.neon_dotprod;
  *known = false;
  return false;
}

std::string table_list() {
  const KernelTable* tables[16];
  const size_t n = available_kernel_tables(tables, 16);
  std::string s;
  for (size_t i = 0; i < n; ++i) s += (i ? "," : "") + std::string(tables[i]->name);
  return s;
}

TEST_CASE("the dispatcher picks the expected kernel variant for this CPU") {
  const CpuFeatures f = detect_cpu_features();
  const KernelTable& chosen = select_kernels(f);
  const std::string tables = table_list();
  MESSAGE("cpu features: avx2=", f.avx2, " neon=", f.neon, " neon_fp16=", f.neon_fp16,
          " neon_dotprod=", f.neon_dotprod);
  MESSAGE("kernel variant: ", std::string(chosen.name), " (available: ", tables, ")");
  std::printf("edgeattn kernel variant: %s  [features avx2=%d neon=%d neon_fp16=%d neon_dotprod=%d; tables %s]\n",
              chosen.name, f.avx2, f.neon, f.neon_fp16, f.neon_dotprod, tables.c_str());

  // Self-consistency: the chosen table is the last available one.
  const KernelTable* list[16];
  const size_t n = available_kernel_tables(list, 16);
  REQUIRE(n >= 1);
  CHECK(list[n - 1] == &chosen);

  const std::string want_kernels = env("EDGEATTN_EXPECT_KERNELS");
  if (!want_kernels.empty()) {
    CHECK(std::string(chosen.name) == want_kernels);
  }
  const std::string want_tables = env("EDGEATTN_EXPECT_TABLES");
  if (!want_tables.empty()) {
    CHECK(tables == want_tables);
  }
  for (const std::string& spec : split(env("EDGEATTN_EXPECT_CPU_FEATURES"))) {
    const bool negate = spec[0] == '!';
    const std::string name = negate ? spec.substr(1) : spec;
    bool known = false;
    const bool have = feature(f, name, &known);
    INFO("EDGEATTN_EXPECT_CPU_FEATURES entry ", spec);
    REQUIRE(known);
    CHECK(have == !negate);
  }
}

// Tables this build has but this CPU cannot run are tested nowhere in this
// run: say so on a line scripts/ctest.sh collects ("edgeattn-note:"), so an
// untested table is never silent.
TEST_CASE("every compiled kernel table is either runnable here or named as untested") {
  CompiledKernelTable compiled[16];
  const size_t n = compiled_kernel_tables(compiled, 16);
  const KernelTable* runnable[16];
  const size_t n_runnable = available_kernel_tables(runnable, 16);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    if (compiled[i].runnable) {
      REQUIRE(k < n_runnable);
      CHECK(runnable[k++] == compiled[i].table);  // the same tables, in the same order
    } else {
      std::printf("edgeattn-note: kernel table '%s' is built but this CPU lacks %s: its kernels were not run\n",
                  compiled[i].table->name, compiled[i].needs);
    }
  }
  CHECK(k == n_runnable);
  CHECK(std::string(compiled[0].table->name) == "reference");
}

}  // namespace
}  // namespace edgeattn
