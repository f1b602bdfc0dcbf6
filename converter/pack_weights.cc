#include "converter/pack_weights.h"

#include <map>
#include <vector>

#include "kernels/kernels.h"

namespace edgeattn::convert {
namespace {

// What the model's ops do with one tensor.
struct Uses {
  bool other = false;     // read other than as an unselecting FullyConnected's weight
  int bias = -2;          // the bias of the FullyConnected ops reading it (-1: none; -2: not seen yet)
  bool mixed_bias = false;
};

bool selecting(const fb::OpT& op) { return op.inputs.size() > 4 && op.inputs[4] >= 0; }

}  // namespace

size_t pack_f32_weights(ModelBuilder& mb) {
  fb::ModelT& m = mb.model();
  std::map<int, Uses> uses;  // tensor -> its uses, over every method
  for (const std::unique_ptr<fb::GraphT>& g : m.graphs) {
    for (int32_t t : g->inputs) uses[t].other = true;
    for (int32_t t : g->outputs) uses[t].other = true;
    for (const std::unique_ptr<fb::OpT>& op : g->ops) {
      for (size_t i = 0; i < op->inputs.size(); ++i) {
        const int t = op->inputs[i];
        if (t < 0) continue;
        Uses& u = uses[t];
        if (op->code != fb::OpCode::FullyConnected || i != 1 || selecting(*op)) {
          u.other = true;
          continue;
        }
        const int bias = op->inputs.size() > 2 ? op->inputs[2] : -1;
        if (u.bias != -2 && u.bias != bias) u.mixed_bias = true;
        u.bias = bias;
      }
    }
  }
  size_t packed = 0;
  for (const auto& [t, u] : uses) {
    fb::TensorT& w = *m.tensors.at(static_cast<size_t>(t));
    if (u.other || u.mixed_bias || u.bias == -2 || !w.has_data || w.dtype != fb::DType::F32 || w.shape.size() != 2 ||
        w.layout != fb::TensorLayout::RowMajor) {
      continue;
    }
    const size_t n = static_cast<size_t>(w.shape[0]), k = static_cast<size_t>(w.shape[1]);
    const std::vector<float> rows = mb.constant_f32(t);  // [n, k]
    std::vector<float> bias;                             // [n]
    if (u.bias >= 0) bias = mb.constant_f32(u.bias);
    // Packed straight into the tensor's new bytes (operator new aligns them
    // for any scalar type, float included).
    std::vector<uint8_t> bytes(f32_gemm_packed_floats(n, k) * sizeof(float));
    f32_gemm_pack(n, k, rows.data(), bias.empty() ? nullptr : bias.data(), reinterpret_cast<float*>(bytes.data()));
    mb.replace_constant(t, fb::DType::F32, std::move(bytes), nullptr);
    w.layout = fb::TensorLayout::F32Panels16;
    ++packed;
  }
  return packed;
}

}  // namespace edgeattn::convert
