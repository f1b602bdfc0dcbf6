#include "converter/smooth.h"

#include <fnmatch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

#include "converter/calibration.h"
#include "converter/source/convert_error.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace edgeattn::convert {
namespace {

// Per-channel max|x| of each observed activation over the calibration text.
std::map<std::string, std::vector<float>> activation_ranges(const ModelBuilder& mb,
                                                            const std::vector<std::string>& names,
                                                            const std::vector<std::string>& lines, int max_tokens) {
  LoadedModel m = load_builder(mb, "smoothing");
  std::vector<const char*> observe;
  for (const std::string& n : names) observe.push_back(n.c_str());
  std::unique_ptr<Session> session = observing_session(*m.model, observe, max_tokens, "smoothing");
  std::map<std::string, std::vector<float>> ranges;
  for (const std::string& line : lines) {
    if (!run_calibration_line(*session, *m.model->tokenizer(), line, max_tokens, "smoothing")) continue;
    for (const std::string& n : names) {
      const TensorView v = session->observed(n.c_str());
      const size_t k = static_cast<size_t>(v.dim(v.rank - 1));
      std::vector<float>& r = ranges[n];
      r.resize(k, 0.0f);
      const size_t rows = static_cast<size_t>(v.element_count()) / k;
      for (size_t i = 0; i < rows; ++i) {
        for (size_t j = 0; j < k; ++j) r[j] = std::max(r[j], std::fabs(v.f32()[i * k + j]));
      }
    }
  }
  return ranges;
}

}  // namespace

SmoothSummary smooth_for_int8(ModelBuilder& mb, const std::vector<std::string>& calibration, int max_tokens,
                              const std::vector<std::string>& keep_fp32) {
  SmoothSummary summary;
  fb::GraphT& g = *mb.model().graphs.at(0);
  // How many op inputs use each tensor: shared weights are left alone.
  std::map<int, int> uses;
  for (const auto& op : g.ops) {
    for (int32_t in : op->inputs) {
      if (in >= 0) ++uses[in];
    }
  }
  std::vector<fb::OpT*> candidates;
  std::vector<std::string> inputs;
  for (const auto& op : g.ops) {
    if (op->code != fb::OpCode::FullyConnected || op->inputs.size() < 2) continue;
    const fb::TensorT& w = *mb.model().tensors.at(static_cast<size_t>(op->inputs[1]));
    bool keep = false;
    for (const std::string& p : keep_fp32) keep |= fnmatch(p.c_str(), w.name.c_str(), 0) == 0;
    if (keep || uses[op->inputs[1]] != 1 || !w.has_data || w.dtype != fb::DType::F32 || w.shape.size() != 2) {
      ++summary.skipped;
      continue;
    }
    candidates.push_back(op.get());
    const std::string& x = mb.model().tensors.at(static_cast<size_t>(op->inputs[0]))->name;
    if (std::find(inputs.begin(), inputs.end(), x) == inputs.end()) inputs.push_back(x);
  }
  if (candidates.empty()) return summary;
  const std::map<std::string, std::vector<float>> ranges = activation_ranges(mb, inputs, calibration, max_tokens);
  for (fb::OpT* op : candidates) {
    const int w_index = op->inputs[1];
    const std::string& x_name = mb.model().tensors.at(static_cast<size_t>(op->inputs[0]))->name;
    const std::vector<float>& amax = ranges.at(x_name);
    const std::vector<int64_t> shape = mb.shape(w_index);
    const size_t n = static_cast<size_t>(shape[0]), k = static_cast<size_t>(shape[1]);
    std::vector<float> w = mb.constant_f32(w_index);
    std::vector<float> multiplier(k, 1.0f);
    for (size_t j = 0; j < k; ++j) {
      float wmax = 0.0f;
      for (size_t r = 0; r < n; ++r) wmax = std::max(wmax, std::fabs(w[r * k + j]));
      if (!(amax[j] > 0.0f) || !(wmax > 0.0f)) continue;  // dead channel: leave it
      const float s = std::min(1e4f, std::max(1e-4f, std::sqrt(amax[j] / wmax)));
      for (size_t r = 0; r < n; ++r) w[r * k + j] *= s;
      multiplier[j] = 1.0f / s;
    }
    std::vector<uint8_t> bytes(w.size() * sizeof(float));
    std::memcpy(bytes.data(), w.data(), bytes.size());
    mb.replace_constant(w_index, fb::DType::F32, std::move(bytes), nullptr);
    const std::string& w_name = mb.model().tensors.at(static_cast<size_t>(w_index))->name;
    const int m_index = mb.add_constant_f32(w_name + ".input_multiplier", {static_cast<int64_t>(k)}, multiplier);
    if (op->inputs.size() < 3) op->inputs.push_back(-1);
    op->inputs.resize(4, -1);
    op->inputs[3] = m_index;
    ++summary.smoothed;
  }
  return summary;
}

}  // namespace edgeattn::convert
