#include "converter/static_scales.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <utility>

#include "converter/calibration.h"
#include "converter/source/convert_error.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn::convert {
namespace {

constexpr float kQMax = 127.0f;

// |value| histogram: 64 bins per octave from 2^-32 to 2^32 (the first bin
// also takes everything smaller, zeros included), plus the exact max.
class AbsHistogram {
 public:
  static constexpr int kPerOctave = 64, kMinExp = -32, kMaxExp = 32;
  static constexpr int kBins = (kMaxExp - kMinExp) * kPerOctave;

  AbsHistogram() : counts_(kBins, 0) {}

  void add(float v) {
    const float a = std::fabs(v);
    if (!(a >= 0.0f)) return;  // NaN: not a range
    max_ = std::max(max_, a);
    ++total_;
    int b = 0;
    if (a > 0.0f) {
      const double pos = (std::log2(static_cast<double>(a)) - kMinExp) * kPerOctave;
      b = static_cast<int>(std::min<double>(kBins - 1, std::max(0.0, std::floor(pos))));
    }
    ++counts_[static_cast<size_t>(b)];
  }

  // The smallest bin upper edge with at least `percentile` % of the values
  // at or below it, capped by the exact max; the max for percentile >= 100.
  float clip(double percentile) const {
    if (percentile >= 100.0 || total_ == 0) return max_;
    const double want = percentile / 100.0 * static_cast<double>(total_);
    uint64_t seen = 0;
    for (int b = 0; b < kBins; ++b) {
      seen += counts_[static_cast<size_t>(b)];
      if (static_cast<double>(seen) >= want) {
        const float edge = static_cast<float>(std::exp2(static_cast<double>(b + 1) / kPerOctave + kMinExp));
        return std::min(edge, max_);
      }
    }
    return max_;
  }

  // The clip that minimizes the expected squared error of symmetric int8
  // quantization over the recorded values (each bin at its geometric
  // centre): values above the clip cost (v - clip)^2, values below it the
  // rounding noise min(step^2 / 12, v^2). Candidates: bin edges within 12
  // octaves below the max, and the max.
  float mse_clip() const {
    if (total_ == 0 || max_ <= 0.0f) return max_;
    std::vector<std::pair<double, double>> used;  // (value, count) of non-empty bins
    for (int b = 0; b < kBins; ++b) {
      if (counts_[static_cast<size_t>(b)] == 0) continue;
      const double centre = std::min<double>(max_, std::exp2((b + 0.5) / kPerOctave + kMinExp));
      used.emplace_back(centre, static_cast<double>(counts_[static_cast<size_t>(b)]));
    }
    const double top = std::log2(static_cast<double>(max_));
    double best_clip = max_, best_err = -1;
    for (int i = 0; i <= 12 * kPerOctave; ++i) {
      const double clip = std::exp2(top - static_cast<double>(i) / kPerOctave);
      const double step = clip / kQMax, noise = step * step / 12.0;
      double err = 0;
      for (const auto& [v, n] : used) err += n * (v > clip ? (v - clip) * (v - clip) : std::min(noise, v * v));
      if (best_err < 0 || err < best_err) {
        best_err = err;
        best_clip = clip;
      }
    }
    return static_cast<float>(best_clip);
  }

  float max() const { return max_; }

 private:
  std::vector<uint64_t> counts_;  // [kBins]
  uint64_t total_ = 0;
  float max_ = 0.0f;
};

struct Candidate {
  fb::OpT* op;
  std::string x, y;          // input and output tensor names
  std::vector<float> mult;   // [k] input multiplier, empty: none
  AbsHistogram in, out;
};

bool kept(const std::string& name, const std::vector<std::string>& keep_fp32) {
  for (const std::string& p : keep_fp32) {
    if (fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace

StaticScaleSummary calibrate_static_scales(ModelBuilder& mb, const StaticScaleOptions& options) {
  StaticScaleSummary summary;
  if (!(options.percentile > 0.0 && options.percentile <= 100.0)) {
    throw ConvertError("static scales: percentile must be in (0, 100]");
  }
  fb::GraphT& g = *mb.model().graphs.at(0);
  std::vector<Candidate> cands;
  std::vector<std::string> observe_names;
  auto observe = [&](const std::string& n) {
    if (std::find(observe_names.begin(), observe_names.end(), n) == observe_names.end()) observe_names.push_back(n);
  };
  for (const auto& op : g.ops) {
    if (op->code != fb::OpCode::FullyConnected || op->inputs.size() < 2) continue;
    const fb::TensorT& w = *mb.model().tensors.at(static_cast<size_t>(op->inputs[1]));
    // The rule quantize_weights applies: these weights become int8.
    if (!w.has_data || w.dtype != fb::DType::F32 || w.shape.size() != 2 || kept(w.name, options.keep_fp32)) continue;
    Candidate c;
    c.op = op.get();
    c.x = mb.model().tensors.at(static_cast<size_t>(op->inputs[0]))->name;
    c.y = mb.model().tensors.at(static_cast<size_t>(op->outputs.at(0)))->name;
    if (op->inputs.size() > 3 && op->inputs[3] >= 0) c.mult = mb.constant_f32(op->inputs[3]);
    observe(c.x);
    observe(c.y);
    cands.push_back(std::move(c));
  }
  if (cands.empty()) return summary;

  LoadedModel m = load_builder(mb, "static scales");
  std::vector<const char*> names;
  for (const std::string& n : observe_names) names.push_back(n.c_str());
  std::unique_ptr<Session> session = observing_session(*m.model, names, options.max_tokens, "static scales");
  for (const std::string& line : options.calibration) {
    if (!run_calibration_line(*session, *m.model->tokenizer(), line, options.max_tokens, "static scales")) continue;
    for (Candidate& c : cands) {
      const TensorView x = session->observed(c.x.c_str());  // [.., k]
      const size_t k = static_cast<size_t>(x.dim(x.rank - 1));
      const size_t rows = static_cast<size_t>(x.element_count()) / k;
      for (size_t r = 0; r < rows; ++r) {
        for (size_t j = 0; j < k; ++j) c.in.add(x.f32()[r * k + j] * (c.mult.empty() ? 1.0f : c.mult[j]));
      }
      const TensorView y = session->observed(c.y.c_str());  // [.., n]
      for (int64_t i = 0; i < y.element_count(); ++i) c.out.add(y.f32()[i]);
      if (&c == &cands.front()) summary.tokens += rows;
    }
  }
  if (summary.tokens == 0) throw ConvertError("static scales: no calibration line could be tokenized");

  for (Candidate& c : cands) {
    // A tensor that was 0 on every token gets scale 1/127: any scale works.
    const float in_clip = options.mse ? c.in.mse_clip() : c.in.clip(options.percentile);
    const float out_clip = options.mse ? c.out.mse_clip() : c.out.clip(options.percentile);
    const float in_scale = in_clip > 0.0f ? in_clip / kQMax : 1.0f / kQMax;
    float out_scale = out_clip > 0.0f ? out_clip / kQMax : 1.0f / kQMax;
    // The largest per-channel weight scale int8 quantization will give.
    const std::vector<float> w = mb.constant_f32(c.op->inputs[1]);
    float w_max = 0.0f;
    for (float v : w) w_max = std::max(w_max, std::fabs(v));
    const float w_scale_max = w_max / kQMax;
    // Keep in_scale * w_scale / out_scale < 256 (XNNPACK's requantization
    // limit) with a margin.
    const float floor_scale = in_scale * w_scale_max / 128.0f;
    if (out_scale < floor_scale) {
      out_scale = floor_scale;
      ++summary.raised;
    }
    if (c.op->options.type != fb::OpOptions::FullyConnectedOptions) c.op->options.Set(fb::FullyConnectedOptionsT{});
    fb::FullyConnectedOptionsT& o = *c.op->options.AsFullyConnectedOptions();
    o.input_scale = in_scale;
    o.output_scale = out_scale;
    ++summary.ops;
  }
  return summary;
}

}  // namespace edgeattn::convert
