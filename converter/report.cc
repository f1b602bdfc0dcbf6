#include "converter/report.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "converter/calibration.h"
#include "converter/source/convert_error.h"
#include "runtime/model.h"
#include "runtime/sampler.h"
#include "runtime/session.h"

namespace edgeattn::convert {
namespace {


struct Block {
  std::string prefix;   // "blk.3.", "encoder.layer.3.", "h.3."
  std::string output;   // tensor name of the block's last op output
  double err2 = 0.0;    // sum of squared differences
  double ref2 = 0.0;    // sum of squared reference values
};

// Layer prefix of an op name such as "blk.3.attn_q" -> "blk.3.", or "".
std::string layer_prefix(const std::string& name) {
  for (const char* head : {"blk.", "encoder.layer.", "h."}) {
    const size_t n = std::string(head).size();
    if (name.compare(0, n, head) != 0) continue;
    size_t i = n;
    while (i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]))) ++i;
    if (i > n && i < name.size() && name[i] == '.') return name.substr(0, i + 1);
  }
  return "";
}

std::vector<Block> find_blocks(const ModelBuilder& mb) {
  std::vector<Block> blocks;
  const fb::GraphT& g = *mb.model().graphs.at(0);
  for (const auto& op : g.ops) {
    const std::string prefix = layer_prefix(op->name);
    if (prefix.empty()) continue;
    if (blocks.empty() || blocks.back().prefix != prefix) blocks.push_back({prefix, "", 0, 0});
    blocks.back().output = mb.model().tensors.at(static_cast<size_t>(op->outputs.at(0)))->name;
  }
  return blocks;
}


struct Outcome {
  std::vector<Block> blocks;
  double final_mean = 0;   // cosine (encoder) or top-1 agreement (decoder)
  double final_min = 1;    // worst line
  std::string worst_line;
};


Outcome compare(const Model& ref, const Model& cand, std::vector<Block> blocks, const std::vector<std::string>& lines,
                int max_tokens) {
  std::vector<const char*> observe;
  for (const Block& b : blocks) observe.push_back(b.output.c_str());
  std::unique_ptr<Session> rs = observing_session(ref, observe, max_tokens, "report");
  std::unique_ptr<Session> cs = observing_session(cand, observe, max_tokens, "report");
  const bool decoder = rs->has_kv_cache();
  Outcome o;
  double sum = 0;
  size_t count = 0;
  for (const std::string& line : lines) {
    if (!run_calibration_line(*rs, *ref.tokenizer(), line, max_tokens, "report")) continue;
    run_calibration_line(*cs, *ref.tokenizer(), line, max_tokens, "report");
    for (Block& b : blocks) {
      const TensorView r = rs->observed(b.output.c_str());
      const TensorView c = cs->observed(b.output.c_str());
      for (int64_t i = 0; i < r.element_count(); ++i) {
        const double d = static_cast<double>(r.f32()[i]) - c.f32()[i];
        b.err2 += d * d;
        b.ref2 += static_cast<double>(r.f32()[i]) * r.f32()[i];
      }
    }
    const TensorView r = rs->output(0);
    const TensorView c = cs->output(0);
    double score;
    if (decoder) {
      const int64_t vocab = r.dim(2), rows = r.dim(1);
      int agree = 0;
      for (int64_t t = 0; t < rows; ++t) {
        agree += Sampler::argmax(r.f32() + t * vocab, static_cast<size_t>(vocab)) ==
                 Sampler::argmax(c.f32() + t * vocab, static_cast<size_t>(vocab));
      }
      score = static_cast<double>(agree) / static_cast<double>(rows);
    } else {
      double dot = 0, nr = 0, nc = 0;
      for (int64_t i = 0; i < r.element_count(); ++i) {
        dot += static_cast<double>(r.f32()[i]) * c.f32()[i];
        nr += static_cast<double>(r.f32()[i]) * r.f32()[i];
        nc += static_cast<double>(c.f32()[i]) * c.f32()[i];
      }
      score = dot / std::sqrt(nr * nc + 1e-300);
    }
    sum += score;
    ++count;
    if (score < o.final_min) {
      o.final_min = score;
      o.worst_line = line;
    }
  }
  if (count == 0) throw ConvertError("report: no calibration line could be tokenized");
  o.final_mean = sum / static_cast<double>(count);
  o.blocks = std::move(blocks);
  return o;
}

double rel_l2(const Block& b) { return b.ref2 > 0 ? std::sqrt(b.err2 / b.ref2) : 0.0; }

void print(const Outcome& o, bool decoder, const QuantizeOptions& q, std::FILE* out) {
  std::fprintf(out, "\n%-22s %-34s %12s\n", "block", "output", "rel. L2");
  for (const Block& b : o.blocks) {
    bool kept = false;
    for (const std::string& p : q.keep_fp32) kept |= p == b.prefix + "*";
    std::fprintf(out, "%-22s %-34s %12.6f%s\n", b.prefix.c_str(), b.output.c_str(), rel_l2(b), kept ? "  (fp32)" : "");
  }
  std::fprintf(out, "%s: mean %.6f, worst %.6f (\"%.60s\")\n",
               decoder ? "top-1 agreement with fp32" : "embedding cosine vs fp32", o.final_mean, o.final_min,
               o.worst_line.c_str());
}

}  // namespace


QuantizeOptions quantize_report(const ModelBuilder& mb, QuantizeOptions requested, const ReportOptions& report,
                                std::FILE* out) {
  if (requested.dtype == WeightDType::kF32) throw ConvertError("--report needs --dtype fp16, int8 or int8-static");
  const std::vector<std::string> lines = calibration_lines(report.calibration_file);
  const std::vector<Block> blocks = find_blocks(mb);
  if (blocks.empty()) throw ConvertError("report: no transformer blocks found in the graph");
  // The reference is plain fp32: int8-static scales (if any) are dropped
  // along with the weights they belong to.
  ModelBuilder ref_mb(mb);
  quantize_weights(ref_mb, QuantizeOptions{});
  LoadedModel ref = load_builder(ref_mb, "report");
  const bool decoder = ref.model->info().architecture != Architecture::kBertEncoder;
  std::fprintf(out, "quantization report: %s vs fp32 on %zu calibration lines%s\n", weight_dtype_name(requested.dtype),
               lines.size(), report.calibration_file.empty() ? " (built-in)" : "");
  for (size_t round = 0; round <= blocks.size(); ++round) {
    ModelBuilder copy(mb);
    quantize_weights(copy, requested);
    LoadedModel cand = load_builder(copy, "report");
    const Outcome o = compare(*ref.model, *cand.model, blocks, lines, report.max_tokens);
    print(o, decoder, requested, out);
    if (report.auto_fallback <= 0) break;
    // Keep the first block over the threshold in fp32 and measure again.
    const Block* over = nullptr;
    for (const Block& b : o.blocks) {
      bool kept = false;
      for (const std::string& p : requested.keep_fp32) kept |= p == b.prefix + "*";
      if (!kept && rel_l2(b) > report.auto_fallback) {
        over = &b;
        break;
      }
    }
    if (over == nullptr) break;
    std::fprintf(out, "auto-fallback: %s over %.4f: keeping it in fp32\n", over->prefix.c_str(), report.auto_fallback);
    requested.keep_fp32.push_back(over->prefix + "*");
  }
  return requested;
}

}  // namespace edgeattn::convert
