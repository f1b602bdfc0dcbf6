// f32_resize (the image models' Resize op: ONNX nearest / bilinear, three
// coordinate modes): every table against the reference, bit for bit (the
// scalar kernel the ISA tables use shares the reference's taps and blend,
// kernels/resize_taps.h, and only computes them less often). Sizes cover
// up- and down-scaling, 1x1 in or out, widths past one 256-column block
// of the scalar kernel, and 1, 3 and 64 channels.
#include <cstddef>
#include <string>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/kernels/test_util.h"

namespace edgeattn {
namespace {

struct ResizeCase {
  size_t in_h, in_w, out_h, out_w;
};

TEST_CASE("resize: every table equals the reference bit for bit") {
  const ResizeCase cases[] = {{128, 128, 224, 224}, {7, 5, 14, 10},   {5, 7, 3, 2},     {1, 1, 4, 3},
                              {6, 4, 1, 1},         {3, 300, 5, 601}, {2, 513, 2, 257}, {9, 9, 9, 9}};
  for (const KernelTable* t : test::tables_under_test()) {
    for (const ResizeCase& rc : cases) {
      for (size_t channels : {1, 3, 64}) {
        if (channels == 64 && rc.out_h * rc.out_w > 4096) continue;  // time
        const std::vector<float> x =
            test::random_vector(rc.in_h * rc.in_w * channels, -4.0f, 4.0f, static_cast<uint32_t>(rc.in_w + channels));
        for (ResizeKind kind : {ResizeKind::kNearest, ResizeKind::kBilinear}) {
          for (ResizeCoord coord : {ResizeCoord::kAsymmetric, ResizeCoord::kHalfPixel, ResizeCoord::kAlignCorners}) {
            std::vector<float> want(rc.out_h * rc.out_w * channels), got(want.size());
            ResizeArgs a{x.data(), want.data(), rc.in_h, rc.in_w, channels, rc.out_h, rc.out_w, kind, coord};
            f32_resize_ukernel__reference(a);
            a.y = got.data();
            t->f32_resize(a);
            test::check_equal(got, want,
                              std::string(t->name) + " " + std::to_string(rc.in_h) + "x" + std::to_string(rc.in_w) +
                                  " -> " + std::to_string(rc.out_h) + "x" + std::to_string(rc.out_w) + " c" +
                                  std::to_string(channels) + " kind " + std::to_string(static_cast<int>(kind)) +
                                  " coord " + std::to_string(static_cast<int>(coord)));
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace edgeattn
