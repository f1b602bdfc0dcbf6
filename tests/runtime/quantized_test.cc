// Quantized weights (issue #4, in progress): fp16 and int8 conversions of
// the real models against their fp32 conversion. The bars are the issue's
// (MiniLM int8: mean cosine >= 0.99, min >= 0.98; fp16: mean >= 0.9995),
// measured here on the 26 fixture sentences; edgeattn-eval measures them on
// the larger data/eval sets.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "converter/importers.h"
#include "converter/model_builder.h"
#include "converter/report.h"
#include "converter/smooth.h"
#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"
#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/models.h"

EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);

namespace edgeattn {
namespace {

// Teacher-forced steps: 256, or 64 under emulation.
int steps() { return testing::quick_mode() ? 64 : 256; }

TEST_CASE("MiniLM fp16 and int8 embeddings stay close to fp32; the files shrink") {
  const Model& fp32 = testing::minilm();
  const auto ids = testing::minilm_fixture_ids();
  const auto reference = testing::embed_rows(fp32, ids);
  for (const std::string dtype : {"fp16", "int8"}) {
    CAPTURE(dtype);
    const Model& q = testing::minilm_quantized(dtype);
    const auto got = testing::embed_rows(q, ids);
    double sum = 0, worst = 1;
    for (size_t i = 0; i < ids.size(); ++i) {
      const double c = testing::cosine(reference[i], got[i]);
      sum += c;
      worst = std::min(worst, c);
    }
    const double mean = sum / static_cast<double>(ids.size());
    MESSAGE(dtype << ": cosine mean " << mean << ", min " << worst << ", file " << q.file_size() << " / "
                  << fp32.file_size() << " bytes");
    if (dtype == "fp16") {
      CHECK(mean >= 0.9995);
      CHECK(q.file_size() <= 0.52 * static_cast<double>(fp32.file_size()));
    } else {
      CHECK(mean >= 0.99);
      CHECK(worst >= 0.98);
      CHECK(q.file_size() <= 0.30 * static_cast<double>(fp32.file_size()));
    }
  }
}

TEST_CASE("stories260K fp16 still reproduces the published greedy text; int8 agrees teacher-forced") {
  const Model& fp32 = testing::stories260k_from_llama2c();
  // Teacher-forced: feed the fp32 greedy sequence to both, compare argmaxes.
  SessionOptions opts;
  opts.max_seq = 1;
  opts.max_context = steps();
  auto ref = Session::create(fp32, opts);
  REQUIRE(ref.is_ok());
  std::vector<int32_t> seq = {fp32.tokenizer()->bos_id()};
  std::vector<int32_t> ref_top;
  for (int i = 0; i < steps(); ++i) {
    InvokeInput in;
    in.ids = &seq.back();
    in.seq = 1;
    REQUIRE((*ref)->invoke(in).is_ok());
    ref_top.push_back(Sampler::argmax((*ref)->output(0).f32(), 512));
    seq.push_back(ref_top.back());
  }
  for (const std::string dtype : {"fp16", "int8"}) {
    CAPTURE(dtype);
    const Model& q = testing::stories260k_quantized(dtype);
    auto s = Session::create(q, opts);
    REQUIRE(s.is_ok());
    int agree = 0;
    for (int i = 0; i < steps(); ++i) {
      InvokeInput in;
      in.ids = &seq[static_cast<size_t>(i)];
      in.seq = 1;
      REQUIRE((*s)->invoke(in).is_ok());
      agree += Sampler::argmax((*s)->output(0).f32(), 512) == ref_top[static_cast<size_t>(i)];
    }
    MESSAGE(dtype << ": teacher-forced top-1 agreement " << agree << " / " << steps());
    // >= 99 % (fp16) and >= 95 % (int8), rounded up.
    CHECK(agree * 100 >= steps() * (dtype == "fp16" ? 99 : 95));
  }
}

// Smoothing alone is exact in real arithmetic: an fp32 model with smoothed
// weights and input multipliers must give the original embeddings up to
// float rounding (the multiplier runs on every weight dtype's path).
TEST_CASE("SmoothQuant smoothing without quantization preserves the fp32 model") {
  const Model& fp32 = testing::minilm();
  convert::ModelBuilder mb;
  convert::import_any(testing::require_model("all-MiniLM-L6-v2"), convert::ImportOptions{}, mb);
  const convert::SmoothSummary sm = convert::smooth_for_int8(mb, convert::calibration_lines(""), 128, {});
  CHECK(sm.smoothed == 36);  // 6 layers x (q, k, v, o, ffn in, ffn out)
  const std::string path = testing::temp_dir("smooth_fp32") + "/model.eatn";
  mb.write(path);
  auto smoothed = Model::load_file(path.c_str());
  REQUIRE(smoothed.is_ok());
  const auto ids = testing::minilm_fixture_ids();
  const auto a = testing::embed_rows(fp32, ids);
  const auto b = testing::embed_rows(**smoothed, ids);
  double worst = 1;
  for (size_t i = 0; i < ids.size(); ++i) worst = std::min(worst, testing::cosine(a[i], b[i]));
  CHECK(worst >= 0.99999);
}

}  // namespace
}  // namespace edgeattn
