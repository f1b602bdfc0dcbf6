#include "converter/quantize.h"

#include <fnmatch.h>

#include <cmath>
#include <cstring>
#include <set>

#include "converter/source/convert_error.h"
#include "converter/source/ggml_blocks.h"
#include "converter/source/source_tensor.h"
#include "runtime/core/weight_blocks.h"

namespace edgeattn::convert {

WeightDType parse_weight_dtype(const std::string& name) {
  if (name == "fp32" || name == "f32") return WeightDType::kF32;
  if (name == "fp16" || name == "f16") return WeightDType::kF16;
  if (name == "int8" || name == "i8") return WeightDType::kI8;
  if (name == "int8-static") return WeightDType::kI8Static;
  if (name == "int4" || name == "i4") return WeightDType::kI4;
  throw ConvertError("--dtype '" + name + "' is not one of fp32, fp16, int8, int8-static, int4");
}

const char* weight_dtype_name(WeightDType dtype) {
  switch (dtype) {
    case WeightDType::kF32: return "fp32";
    case WeightDType::kF16: return "fp16";
    case WeightDType::kI8: return "int8";
    case WeightDType::kI8Static: return "int8-static";
    case WeightDType::kI4: return "int4";
  }
  return "?";
}

void quantize_rows_int8(const float* w, size_t rows, size_t cols, int8_t* q, float* scales) {
  for (size_t r = 0; r < rows; ++r) {
    const float* row = w + r * cols;
    float max_abs = 0.0f;
    for (size_t c = 0; c < cols; ++c) max_abs = std::max(max_abs, std::fabs(row[c]));
    const float scale = max_abs / 127.0f;
    scales[r] = scale;
    for (size_t c = 0; c < cols; ++c) {
      // nearbyint rounds half to even in the default rounding mode.
      const float v = scale > 0.0f ? std::nearbyint(row[c] / scale) : 0.0f;
      q[r * cols + c] = static_cast<int8_t>(std::max(-127.0f, std::min(127.0f, v)));
    }
  }
}

namespace {

void drop_static_scales_without_i8(ModelBuilder& mb) {
  for (const auto& graph : mb.model().graphs) {
    for (const auto& op : graph->ops) {
      fb::FullyConnectedOptionsT* o = op->options.AsFullyConnectedOptions();
      if (op->code != fb::OpCode::FullyConnected || o == nullptr || op->inputs.size() < 2) continue;
      if (mb.model().tensors.at(static_cast<size_t>(op->inputs[1]))->dtype != fb::DType::I8) {
        o->input_scale = 0.0f;
        o->output_scale = 0.0f;
      }
    }
  }
}

// Eligible: FC weights (input 1), Embedding tables (inputs 1..3) and the
// weights of Conv2D ops that are not depthwise. *blockable: the ones the
// runtime also reads as blocks (FC weights, token tables).
std::set<int> eligible_weights(const ModelBuilder& mb, std::set<int>* blockable) {
  std::set<int> eligible;
  for (const auto& graph : mb.model().graphs) {
    for (const auto& op : graph->ops) {
      if (op->code == fb::OpCode::FullyConnected && op->inputs.size() > 1) {
        eligible.insert(op->inputs[1]);
        blockable->insert(op->inputs[1]);
      }
      // Depthwise weights [C, KH, KW, 1] stay f32: a few KB per layer, and
      // the runtime keeps a repacked f32 copy of them anyway.
      if (op->code == fb::OpCode::Conv2D && op->inputs.size() > 1) {
        const fb::TensorT& w = *mb.model().tensors.at(static_cast<size_t>(op->inputs[1]));
        if (w.shape.size() == 4 && w.shape[3] > 1) eligible.insert(op->inputs[1]);
      }
      if (op->code == fb::OpCode::Embedding) {
        for (size_t i = 1; i < op->inputs.size(); ++i) {
          if (op->inputs[i] >= 0) eligible.insert(op->inputs[i]);
        }
        if (op->inputs.size() > 1) blockable->insert(op->inputs[1]);
      }
    }
  }
  return eligible;
}

// Constant `index` (f32 values w, [rows, cols]) in `dtype`; returns the bytes written.
size_t quantize_tensor(ModelBuilder& mb, int index, const std::vector<float>& w, size_t rows, WeightDType dtype,
                       bool blockable) {
  const size_t cols = w.size() / rows;
  if (dtype == WeightDType::kI4 && blockable && mb.shape(index).size() == 2 && cols % kWeightBlock == 0) {
    const ModelBuilder::NativeBlocks* native = mb.native_blocks(index);
    const fb::DType block_dtype = native != nullptr ? native->dtype : fb::DType::I4Blocks;
    std::vector<uint8_t> bytes = native != nullptr ? native->bytes : quantize_q4_1(w.data(), w.size());
    const size_t n = bytes.size();
    mb.replace_constant(index, block_dtype, std::move(bytes), nullptr);
    return n;
  }
  if (dtype == WeightDType::kF16) {
    std::vector<uint8_t> bytes(w.size() * sizeof(uint16_t));
    for (size_t i = 0; i < w.size(); ++i) {
      const uint16_t h = float_to_half(w[i]);
      std::memcpy(bytes.data() + i * sizeof(uint16_t), &h, sizeof(h));
    }
    mb.replace_constant(index, fb::DType::F16, std::move(bytes), nullptr);
    return w.size() * sizeof(uint16_t);
  }
  std::vector<uint8_t> bytes(w.size());
  auto quant = std::make_unique<fb::QuantizationT>();
  quant->scale.resize(rows);
  quant->axis = 0;
  quantize_rows_int8(w.data(), rows, cols, reinterpret_cast<int8_t*>(bytes.data()), quant->scale.data());
  mb.replace_constant(index, fb::DType::I8, std::move(bytes), std::move(quant));
  return w.size() + rows * sizeof(float);
}

}  // namespace

QuantizeSummary quantize_weights(ModelBuilder& mb, const QuantizeOptions& options) {
  QuantizeSummary summary;
  if (options.dtype == WeightDType::kF32) {
    drop_static_scales_without_i8(mb);
    return summary;
  }
  std::set<int> blockable;
  for (int index : eligible_weights(mb, &blockable)) {
    fb::TensorT& t = *mb.model().tensors.at(static_cast<size_t>(index));
    // Matrices [rows, cols], or conv weights [Cout, KH, KW, Cin / groups]
    // as rows of KH * KW * Cin / groups (one scale per output channel).
    if (!t.has_data || t.dtype != fb::DType::F32 || (t.shape.size() != 2 && t.shape.size() != 4)) continue;
    bool keep = false;
    for (const std::string& pattern : options.keep_fp32) keep |= fnmatch(pattern.c_str(), t.name.c_str(), 0) == 0;
    if (keep) {
      ++summary.kept;
      continue;
    }
    const std::vector<float> w = mb.constant_f32(index);
    summary.bytes_before += w.size() * sizeof(float);
    summary.bytes_after += quantize_tensor(mb, index, w, static_cast<size_t>(t.shape[0]), options.dtype,
                                           blockable.count(index) != 0);
    ++summary.quantized;
  }
  drop_static_scales_without_i8(mb);
  return summary;
}

}  // namespace edgeattn::convert
