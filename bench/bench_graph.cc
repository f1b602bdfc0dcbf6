#include "bench/bench_graph.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "bench/bench_report.h"
#include "runtime/platform.h"
#include "runtime/session.h"
#include "tools/cli/cli.h"

namespace edgeattn {
namespace bench {
namespace {

constexpr int kWarmups = 2;
constexpr int kSymbolicSide = 224;

int fail(const char* what, const Status& s) { return cli::fail("edgeattn-bench", what, s, 1); }

// The image side a dim stands for: its value when fixed, else kSymbolicSide.
int side_of(const DimSpec& d) { return d.kind == DimKind::kFixed ? static_cast<int>(d.value) : kSymbolicSide; }

}  // namespace

int run_graph(const Model& model, const GraphBenchOptions& o, double load_ms) {
  const ModelInfo& info = model.info();
  const MethodInfo* m = o.method != nullptr ? info.find_method(o.method) : (info.methods.empty() ? nullptr : &info.methods[0]);
  if (m == nullptr) {
    std::fprintf(stderr, "edgeattn-bench: no method '%s'\n", o.method != nullptr ? o.method : "(any)");
    return 2;
  }
  if (m->inputs.size() != 1 || m->inputs[0].rank != 4 || m->inputs[0].dtype != DType::kF32 ||
      m->inputs[0].dims[3].kind != DimKind::kFixed) {
    std::fprintf(stderr, "edgeattn-bench: method '%s' does not take one float image [B, H, W, C]\n", m->name);
    return 2;
  }
  const TensorInfo& x = m->inputs[0];
  const int height = side_of(x.dims[1]), width = side_of(x.dims[2]);
  const int channels = static_cast<int>(x.dims[3].value);
  SessionOptions so;
  so.method = m->name;
  so.threads = o.threads;
  so.kernels = o.kernels;
  so.profile = o.profile;
  so.max_image_height = height;
  so.max_image_width = width;
  Result<std::unique_ptr<Session>> created = Session::create(model, so);
  if (!created.is_ok()) return fail("prepare", created.status());
  Session& s = **created;
  // A fixed pattern in [-2, 2] (a linear congruential sequence).
  std::vector<float> image(static_cast<size_t>(height) * width * channels);
  uint32_t state = 12345;
  for (float& v : image) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) * 4.0f - 2.0f;
  }
  const float* inputs[] = {image.data()};
  InvokeInput in;
  in.float_inputs = Span<const float* const>(inputs, 1);
  in.image_height = height;
  in.image_width = width;
  std::vector<double> times;
  for (int i = 0; i < kWarmups + o.runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const Status st = s.invoke(in);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!st.is_ok()) return fail("invoke", st);
    if (i < kWarmups) {
      s.reset_profile();
      continue;
    }
    times.push_back(ms);
  }
  if (o.profile) print_op_profile(s, m->name, o.runs);
  const MemoryStats& mem = s.memory();
  if (o.json) {
    std::printf("{\n  \"mode\": \"graph\",\n  \"method\": \"%s\",\n  \"threads\": %d,\n  \"runs\": %d,\n"
                "  \"load_ms\": %.2f,\n  \"input\": [1, %d, %d, %d],\n  \"weight_bytes\": %zu,\n"
                "  \"arena_bytes\": %zu,\n  \"peak_rss_bytes\": %zu,\n",
                m->name, o.threads, o.runs, load_ms, height, width, channels, info.weight_bytes, mem.arena_bytes,
                peak_rss_bytes());
  } else {
    std::printf("graph '%s': input 1 x %d x %d x %d, %d runs, %d thread%s\n", m->name, height, width, channels, o.runs,
                o.threads, o.threads == 1 ? "" : "s");
  }
  print_latency("invoke", summarize(times), o.json, /*last=*/true);
  if (o.json) {
    std::printf("}\n");
  } else {
    std::printf("  weights %.2f MiB | arena %.2f MiB | peak RSS %.2f MiB | load %.1f ms\n",
                info.weight_bytes / 1048576.0, mem.arena_bytes / 1048576.0, peak_rss_bytes() / 1048576.0, load_ms);
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace bench
}  // namespace edgeattn
