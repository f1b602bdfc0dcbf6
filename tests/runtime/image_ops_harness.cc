#include "tests/runtime/image_ops_harness.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/runtime/tiny_model.h"

namespace edgeattn::image_test {

using convert::batch;
using convert::fixed;

fb::Dim height(int64_t d) { return fb::Dim(fb::DimKind::Height, d); }
fb::Dim width(int64_t d) { return fb::Dim(fb::DimKind::Width, d); }


std::vector<float> random_values(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

Img random_img(int64_t b, int64_t h, int64_t w, int64_t c, uint32_t seed) {
  Img x{b, h, w, c, random_values(static_cast<size_t>(b * h * w * c), seed)};
  return x;
}

std::vector<std::string> kernel_names() {
  const char* names[16];
  const size_t n = available_kernel_names(names, 16);
  return std::vector<std::string>(names, names + std::min<size_t>(n, 16));
}

RunConfig g_run;


// Runs the model's first method once; returns output 0.
std::vector<float> run(const std::vector<uint8_t>& file, const std::vector<const float*>& inputs, int b, int h, int w,
                       const std::string& kernels) {
  testing::AlignedBuffer buf(file);
  auto model = Model::load_buffer(buf.data(), buf.size());
  REQUIRE_MESSAGE(model.is_ok(), std::string(model.status().message()));
  SessionOptions so;
  so.max_batch = 2;
  so.max_image_height = g_run.max_image;
  so.max_image_width = g_run.max_image;
  so.threads = g_run.threads;
  so.kernels = kernels.c_str();
  auto session = Session::create(**model, so);
  REQUIRE_MESSAGE(session.is_ok(), std::string(session.status().message()));
  // plan() sizes per-thread scratch by SessionOptions::threads without a pool.
  const Result<MemoryStats> plan = Session::plan(**model, so);
  REQUIRE(plan.is_ok());
  CHECK(plan->arena_bytes == (*session)->memory().arena_bytes);
  InvokeInput in;
  in.batch = b;
  in.image_height = h;
  in.image_width = w;
  in.float_inputs = Span<const float* const>(inputs.data(), inputs.size());
  const Status s = (*session)->invoke(in);
  REQUIRE_MESSAGE(s.is_ok(), std::string(s.message()));
  const TensorView y = (*session)->output(0);
  return std::vector<float>(y.f32(), y.f32() + y.element_count());
}

// `tol` (default 1e-5, the header's bound) scales for sums much longer than
// a few hundred products.
void check_close(const std::vector<float>& got, const std::vector<float>& want, const std::string& what,
                 double tol) {
  REQUIRE_MESSAGE(got.size() == want.size(), what);
  double worst = 0.0;
  size_t at = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(static_cast<double>(got[i]) - want[i]) / (tol * (1.0 + std::fabs(want[i])));
    if (!(err <= worst)) worst = err, at = i;  // NaN counts as worst
  }
  INFO(what, ": worst element ", at, " got ", got[at], " want ", want[at]);
  CHECK(worst <= 1.0);
}

// Image sizes (multiples of 8, the largest divisor used here) and batches.
const std::vector<Size> kSizes = {{1, 8, 8}, {2, 16, 24}, {1, 32, 8}, {2, 8, 32}};


std::vector<uint8_t> image_model(int64_t div, int64_t cin, const Builder& add_ops) {
  ModelBuilder mb;
  const int x = mb.add_activation("x", {batch(), height(div), width(div), fixed(cin)});
  const int y = add_ops(mb, x);
  mb.set_graph_io({x}, {y});
  return mb.serialize();
}

// Runs `file` for every table and size against naive(x).
void check_image_op(const std::vector<uint8_t>& file, int64_t div, int64_t cin,
                    const std::function<std::vector<float>(const Img&)>& want_of, const std::string& what,
                    const std::vector<Size>& sizes, double tol) {
  for (const std::string& k : kernel_names()) {
    for (const Size& s : sizes) {
      const Img x = random_img(s.b, s.h / div, s.w / div, cin, static_cast<uint32_t>(s.h * 7 + s.w + s.b));
      const std::vector<float> got = run(file, {x.v.data()}, s.b, s.h, s.w, k);
      check_close(got, want_of(x), what + " table " + k + " size " + std::to_string(s.b) + "x" + std::to_string(s.h) +
                                       "x" + std::to_string(s.w), tol);
    }
  }
}

}  // namespace edgeattn::image_test
