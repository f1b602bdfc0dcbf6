#include "tests/support/fashion_mnist.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "tests/support/model_gate.h"

namespace edgeattn::testing {
namespace {

// An idx file of unsigned bytes: 0, 0, 0x08, rank, big-endian u32 dims, data.
std::vector<uint8_t> read_idx(const std::string& path, std::vector<uint32_t>* dims) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot open " << path);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE_MESSAGE((bytes.size() >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0x08), path << ": not a u8 idx file");
  const size_t rank = bytes[3];
  REQUIRE_MESSAGE(bytes.size() >= 4 + 4 * rank, path << ": truncated header");
  size_t count = 1;
  for (size_t i = 0; i < rank; ++i) {
    const uint8_t* d = bytes.data() + 4 + 4 * i;
    dims->push_back(uint32_t{d[0]} << 24 | uint32_t{d[1]} << 16 | uint32_t{d[2]} << 8 | d[3]);
    count *= dims->back();
  }
  const size_t offset = 4 + 4 * rank;
  REQUIRE_MESSAGE(bytes.size() == offset + count, path << ": " << bytes.size() - offset << " data bytes, dims need " << count);
  return std::vector<uint8_t>(bytes.begin() + static_cast<long>(offset), bytes.end());
}

}  // namespace

const FashionMnist& fashion_mnist_test() {
  static const FashionMnist data = [] {
    FashionMnist d;
    std::vector<uint32_t> image_dims, label_dims;
    d.images = read_idx(require_model("fashion-mnist/t10k-images-idx3-ubyte"), &image_dims);
    d.labels = read_idx(require_model("fashion-mnist/t10k-labels-idx1-ubyte"), &label_dims);
    REQUIRE((image_dims.size() == 3 && image_dims[1] == 28 && image_dims[2] == 28));
    REQUIRE((label_dims.size() == 1 && label_dims[0] == image_dims[0]));
    d.count = image_dims[0];
    return d;
  }();
  return data;
}

std::vector<float> fashion_input(const FashionMnist& data, size_t first, size_t n) {
  std::vector<float> x(n * FashionMnist::kPixels);
  const uint8_t* p = data.image(first);
  for (size_t i = 0; i < x.size(); ++i) x[i] = (static_cast<float>(p[i]) / 255.0f - kFashionMean) / kFashionStd;
  return x;
}

}  // namespace edgeattn::testing
