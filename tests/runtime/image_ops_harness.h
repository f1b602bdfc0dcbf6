// Internal to the image op tests: one-op models built in memory, run
// through Session on every kernel table at several sizes and batches, and
// compared with naive implementations (image_ops_naive.h). Shared by
// image_ops_test.cc and vision_attention_ops_test.cc.
//
// Example:
//   const std::vector<uint8_t> file = image_model(2, 8, [&](ModelBuilder& mb, int x) { ... return y; });
//   check_image_op(file, 2, 8, [&](const Img& x) { return naive::pool2d(x, o).v; }, "max pool");
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "converter/model_builder.h"
#include "tests/runtime/image_ops_naive.h"

namespace edgeattn::image_test {

using convert::ModelBuilder;
using naive::Img;

fb::Dim height(int64_t d);
fb::Dim width(int64_t d);

constexpr int kMaxImage = 32;  // max_image_height / width of every session here

std::vector<float> random_values(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);
Img random_img(int64_t b, int64_t h, int64_t w, int64_t c, uint32_t seed);
// The kernel tables this CPU runs.
std::vector<std::string> kernel_names();

// Session threads and planned image side for run(): 1 and kMaxImage,
// except inside a ScopedRunConfig (the threaded test cases).
struct RunConfig {
  int threads = 1;
  int max_image = kMaxImage;
};
extern RunConfig g_run;

struct ScopedRunConfig {
  ScopedRunConfig(int threads, int max_image) { g_run = RunConfig{threads, max_image}; }
  ~ScopedRunConfig() { g_run = RunConfig{}; }
};

// Runs the model's first method once (checking plan() == create()'s arena);
// returns output 0.
std::vector<float> run(const std::vector<uint8_t>& file, const std::vector<const float*>& inputs, int b, int h, int w,
                       const std::string& kernels);

// |got - want| <= tol (1 + |want|) everywhere. `tol` (default 1e-5, the
// bound of image_ops_test.cc's header) scales for sums much longer than a
// few hundred products.
void check_close(const std::vector<float>& got, const std::vector<float>& want, const std::string& what,
                 double tol = 1e-5);

struct Size {
  int b, h, w;
};
// Image sizes (multiples of 8, the largest divisor used here) and batches.
extern const std::vector<Size> kSizes;

// A one-input image model: x [B, H/dx, W/dx, cin] -> `add_ops` -> output.
using Builder = std::function<int(ModelBuilder& mb, int x)>;
std::vector<uint8_t> image_model(int64_t div, int64_t cin, const Builder& add_ops);

// Runs `file` for every table and size against naive(x).
void check_image_op(const std::vector<uint8_t>& file, int64_t div, int64_t cin,
                    const std::function<std::vector<float>(const Img&)>& want_of, const std::string& what,
                    const std::vector<Size>& sizes = kSizes, double tol = 1e-5);

}  // namespace edgeattn::image_test
