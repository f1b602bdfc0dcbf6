// Fashion-MNIST's test split for the trained vision models' tests (issue
// #17): 10,000 gray 28x28 images and their labels, read from the raw idx
// files scripts/fetch-models.sh unpacks (declare kFashionMnist first), and
// the models' input convention x = (pixel / 255 - 0.2860) / 0.3530.
//
// Example:
//   EDGEATTN_TEST_MODELS(kFashionMnist);
//   const FashionMnist& data = fashion_mnist_test();
//   std::vector<float> x = fashion_input(data, 0, 32);  // [32, 28, 28, 1]
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgeattn::testing {

struct FashionMnist {
  static constexpr int kSide = 28;
  static constexpr int kPixels = kSide * kSide;
  size_t count = 0;
  std::vector<uint8_t> images;  // [count, 28, 28]
  std::vector<uint8_t> labels;  // [count], 0 .. 9
  const uint8_t* image(size_t i) const { return images.data() + i * kPixels; }
};

constexpr float kFashionMean = 0.2860f;
constexpr float kFashionStd = 0.3530f;

// The test split, loaded once (fails the test case when unreadable).
const FashionMnist& fashion_mnist_test();

// Images [first, first + n) as model input [n, 28, 28, 1], float32 ops as numpy's.
std::vector<float> fashion_input(const FashionMnist& data, size_t first, size_t n);

}  // namespace edgeattn::testing
