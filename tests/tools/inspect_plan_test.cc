// `edgeattn-convert inspect MODEL --plan`, run as a user runs it, on real
// models: the printed totals of every method equal Session::plan()'s
// MemoryStats at the same limits, and the printed buffers themselves obey
// the plan's rule (buffers alive together never share bytes).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"
#include "tests/support/process.h"

EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);

namespace edgeattn {
namespace {

using testing::require_model;
using testing::run;
using testing::Run;
using testing::temp_dir;
using testing::tool_path;

// One method's section of the output.
struct PrintedMethod {
  std::string name;
  int batch = 0, seq = 0, context = 0;
  MemoryStats totals;
  size_t kv_lines = 0, table_lines = 0, scratch_lines = 0;
  size_t packed_lines = 0, packed_bytes = 0;  // packed f32 weights (regions rounded to 64 bytes)
  struct Buffer {
    size_t offset, bytes;
    int first, last;  // last == 2^30: "end"
  };
  std::vector<Buffer> buffers;
};

bool parse_buffer(const std::string& line, PrintedMethod::Buffer* b) {
  unsigned long long offset = 0, bytes = 0;
  int first = 0, last = 0;
  if (std::sscanf(line.c_str(), " %llu %llu [%d, %d]", &offset, &bytes, &first, &last) != 4) {
    if (std::sscanf(line.c_str(), " %llu %llu [%d, end]", &offset, &bytes, &first) != 3) return false;
    last = 1 << 30;
  }
  *b = PrintedMethod::Buffer{static_cast<size_t>(offset), static_cast<size_t>(bytes), first, last};
  return true;
}

std::vector<PrintedMethod> parse_plan(const std::string& out) {
  std::vector<PrintedMethod> methods;
  std::istringstream lines(out);
  std::string line;
  bool in_planned = false;
  while (std::getline(lines, line)) {
    char name[64];
    int ops = 0, batch = 0, seq = 0, context = 0;
    unsigned long long arena = 0, persistent = 0, planned = 0, naive = 0, kv = 0;
    if (std::sscanf(line.c_str(), "method '%63[^']' (%d ops) at batch %d, seq %d, context %d:", name, &ops, &batch,
                    &seq, &context) == 5) {
      methods.push_back(PrintedMethod{name, batch, seq, context, {}, 0, 0, 0, 0, 0, {}});
      in_planned = false;
    } else if (methods.empty()) {
      continue;
    } else if (std::sscanf(line.c_str(),
                           "  totals: arena %llu bytes = persistent %llu + planned %llu; planned without reuse "
                           "%llu; KV cache %llu",
                           &arena, &persistent, &planned, &naive, &kv) == 5) {
      MemoryStats& t = methods.back().totals;
      t.arena_bytes = arena;
      t.persistent_bytes = persistent;
      t.activation_bytes = planned;
      t.naive_activation_bytes = naive;
      t.kv_cache_bytes = kv;
    } else if (line.rfind("  planned:", 0) == 0) {
      in_planned = true;
    } else if (line.find("KV cache of op") != std::string::npos) {
      ++methods.back().kv_lines;
    } else if (line.find("rope table of op") != std::string::npos) {
      ++methods.back().table_lines;
    } else if (line.find("packed f32 weights of op") != std::string::npos) {
      unsigned long long offset = 0, bytes = 0;
      REQUIRE(std::sscanf(line.c_str(), " %llu %llu", &offset, &bytes) == 2);
      ++methods.back().packed_lines;
      methods.back().packed_bytes += (bytes + 63) / 64 * 64;
    } else if (in_planned) {
      PrintedMethod::Buffer b;
      if (!parse_buffer(line, &b)) continue;
      methods.back().buffers.push_back(b);
      if (line.find("scratch of op") != std::string::npos) ++methods.back().scratch_lines;
    }
  }
  return methods;
}

// The printed plan of `path` equals Session::plan(model) for each method,
// and its buffers never overlap while alive together. Returns the methods.
std::vector<PrintedMethod> check_inspect_plan(const Model& model, const std::string& path, const std::string& flags) {
  Run r = run(tool_path("edgeattn-convert") + " inspect " + path + " --plan" + flags);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::vector<PrintedMethod> methods = parse_plan(r.out);
  REQUIRE(methods.size() == model.info().methods.size());
  for (const PrintedMethod& m : methods) {
    CAPTURE(m.name);
    SessionOptions opts;
    opts.method = m.name.c_str();
    opts.max_batch = m.batch;
    opts.max_seq = m.seq;
    opts.max_context = m.context;
    Result<MemoryStats> plan = Session::plan(model, opts);
    REQUIRE_MESSAGE(plan.is_ok(), plan.status().message());
    CHECK(m.totals.arena_bytes == plan->arena_bytes);
    CHECK(m.totals.persistent_bytes == plan->persistent_bytes);
    CHECK(m.totals.activation_bytes == plan->activation_bytes);
    CHECK(m.totals.naive_activation_bytes == plan->naive_activation_bytes);
    CHECK(m.totals.kv_cache_bytes == plan->kv_cache_bytes);
    REQUIRE(!m.buffers.empty());
    size_t naive = 0;
    for (size_t i = 0; i < m.buffers.size(); ++i) {
      const PrintedMethod::Buffer& a = m.buffers[i];
      naive += a.bytes;
      CHECK(a.offset + a.bytes <= plan->activation_bytes);
      for (size_t j = i + 1; j < m.buffers.size(); ++j) {
        const PrintedMethod::Buffer& b = m.buffers[j];
        const bool alive_together = a.first <= b.last && b.first <= a.last;
        const bool share_bytes = a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
        CHECK_FALSE((alive_together && share_bytes));
      }
    }
    CHECK(naive == plan->naive_activation_bytes);
  }
  return methods;
}

TEST_CASE("inspect --plan on stories260K: KV caches, the shared RoPE table, totals of Session::plan()") {
  const std::string dir = temp_dir("inspect_plan_stories");
  const std::string bin = require_model("stories260K/stories260K.bin");
  const std::string tok = require_model("stories260K/tok512.bin");
  for (const char* dtype : {"fp32", "int8"}) {
    CAPTURE(dtype);
    const std::string path = dir + "/s_" + dtype + ".eatn";
    std::unique_ptr<Model> model = testing::convert_and_load(bin, tok, path, dtype);
    REQUIRE(model != nullptr);
    // Defaults: batch 1, seq = min(128, max positions), context = seq.
    const std::vector<PrintedMethod> methods = check_inspect_plan(*model, path, "");
    CHECK(methods[0].batch == 1);
    CHECK(methods[0].seq == std::min(128, model->info().max_positions));
    CHECK(methods[0].context == methods[0].seq);
    CHECK(methods[0].kv_lines == static_cast<size_t>(model->info().n_layers));
    CHECK(methods[0].table_lines == 1);  // one (rotary_dim, theta): one table for every Rope op
    // Dynamic int8 quantizes activations into op scratch; fp32 needs none.
    CHECK((methods[0].scratch_lines > 0) == (std::string(dtype) == "int8"));
    const std::vector<PrintedMethod> limited = check_inspect_plan(*model, path, " --batch 2 --seq 40 --context 100");
    CHECK(limited[0].batch == 2);
    CHECK(limited[0].seq == 40);
    CHECK(limited[0].context == 100);
  }
}

TEST_CASE("inspect --plan on MiniLM: no persistent head but packed weights, totals of Session::plan()") {
  const std::string dir = temp_dir("inspect_plan_minilm");
  const std::string path = dir + "/m.eatn";
  std::unique_ptr<Model> model = testing::convert_and_load(require_model("all-MiniLM-L6-v2"), "", path);
  REQUIRE(model != nullptr);
  const std::vector<PrintedMethod> methods = check_inspect_plan(*model, path, " --batch 3 --seq 37");
  // An encoder keeps nothing between invokes; the head holds only f32
  // weights packed for a kernel table with its own GEMM (avx512vnni: at 111
  // rows every linear layer), none elsewhere.
  CHECK(methods[0].totals.persistent_bytes == methods[0].packed_bytes);
  SessionOptions o;
  o.max_batch = 3;
  o.max_seq = 37;
  auto plan = Session::plan(*model, o);
  REQUIRE(plan.is_ok());
  CHECK(methods[0].packed_bytes == plan->packed_weight_bytes);
  // 6 layers x (q, k, v, o, FFN up, down), or none.
  CHECK((methods[0].packed_lines == 36) == (plan->packed_weight_bytes > 0));
  CHECK(methods[0].kv_lines == 0);
  CHECK(methods[0].table_lines == 0);
}

}  // namespace
}  // namespace edgeattn
