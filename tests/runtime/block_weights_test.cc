// Block-quantized weights (format 1.9, I4Blocks / I8Blocks) through the whole
// runtime, on a tiny Llama whose dims are multiples of 32 (dim 64, FFN 96),
// converted with --dtype int4 by the converter library:
//   - every FullyConnected weight and the token table are I4Blocks, read in
//     place (the arena is smaller than the weights: no copy);
//   - every kernel table this CPU runs gives the reference table's logits
//     bit for bit (kernels.h fixes every float operation);
//   - the logits equal, within the activation quantization's error, an fp32
//     model holding the same weights dequantized (the independent oracle:
//     XNNPACK / the f32 GEMM on floats): cosine >= 0.999 per position, the
//     worst measured 0.99963 here, 8-bit activations per block of 32
//     perturbing each product by <= 1/254 of its block's largest input;
//   - invoke allocates nothing (this binary interposes malloc);
//   - corrupt block tensors are refused at load, naming the tensor.
// (The converter's Q4_1 quantizer itself: tests/converter/source_ggml_blocks_test.cc.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "converter/model_builder.h"
#include "converter/quantize.h"
#include "kernels/kernels.h"
#include "runtime/core/weight_blocks.h"
#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/runtime/bad_model_checks.h"
#include "tests/runtime/tiny_model.h"
#include "tests/support/alloc_interposer.h"
#include "tests/support/model_paths.h"

namespace edgeattn {
namespace {

using testing::AlignedBuffer;

convert::LlamaConfig config32() {
  convert::LlamaConfig c = testing::tiny_llama_config();
  c.dim = 64;
  c.hidden_dim = 96;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  return c;
}

convert::ModelBuilder tiny_builder() {
  convert::ModelBuilder mb;
  convert::build_llama(mb, config32(), testing::tiny_weight, [](const std::string&) { return false; });
  return mb;
}

// The int4 conversion, and an fp32 model whose weights are its blocks dequantized.
struct Pair {
  AlignedBuffer int4, dequantized;
};

Pair make_pair() {
  convert::ModelBuilder q = tiny_builder();
  convert::QuantizeOptions o;
  o.dtype = convert::WeightDType::kI4;
  convert::quantize_weights(q, o);
  convert::ModelBuilder f = tiny_builder();
  const std::vector<uint8_t> bytes = q.serialize();
  const AlignedBuffer buffer(bytes);
  auto loaded = Model::load_buffer(buffer.data(), bytes.size());
  REQUIRE_MESSAGE(loaded.is_ok(), loaded.status().message());
  for (size_t i = 0; i < q.model().tensors.size(); ++i) {
    const fb::TensorT& t = *q.model().tensors[i];
    if (!t.has_data || t.dtype != fb::DType::I4Blocks) continue;
    const TensorInfo& info = (*loaded)->tensor(static_cast<int>(i));
    const I4Block* blocks = static_cast<const I4Block*>(info.data);
    std::vector<float> w(info.bytes / sizeof(I4Block) * kWeightBlock);
    for (size_t b = 0; b < w.size() / kWeightBlock; ++b) dequantize_block(blocks[b], w.data() + b * kWeightBlock);
    std::vector<uint8_t> raw(w.size() * sizeof(float));
    std::memcpy(raw.data(), w.data(), raw.size());
    f.replace_constant(static_cast<int>(i), fb::DType::F32, std::move(raw), nullptr);
  }
  return Pair{AlignedBuffer(bytes), AlignedBuffer(f.serialize())};
}

std::unique_ptr<Model> load(const AlignedBuffer& b) {
  auto m = Model::load_buffer(b.data(), b.size());
  REQUIRE_MESSAGE(m.is_ok(), m.status().message());
  return std::move(*m);
}

const int32_t kIds[] = {1, 17, 200, 45, 3, 99, 150, 270, 8, 64, 33, 120};
constexpr int kSeq = static_cast<int>(sizeof(kIds) / sizeof(kIds[0]));

// Logits [kSeq, vocab] of a teacher-forced prefill (chunks of 5, then decode steps).
std::vector<float> logits(const Model& model, const char* kernels, size_t* arena = nullptr) {
  SessionOptions o;
  o.max_seq = 5;
  o.max_context = 32;
  o.kernels = kernels;
  auto s = Session::create(model, o);
  REQUIRE_MESSAGE(s.is_ok(), s.status().message());
  if (arena != nullptr) *arena = (*s)->memory().arena_bytes;
  std::vector<float> out;
  for (int t = 0; t < kSeq;) {
    InvokeInput in;
    in.ids = kIds + t;
    in.seq = t < 10 ? 5 : 1;
    in.all_positions = true;
    REQUIRE((*s)->invoke(in).is_ok());
    const TensorView v = (*s)->output(0);
    out.insert(out.end(), v.f32(), v.f32() + v.element_count());
    t += in.seq;
  }
  return out;
}

TEST_CASE("int4 tiny Llama: blocks in place, the reference's bits on every table, near the dequantized fp32") {
  const Pair pair = make_pair();
  const auto int4 = load(pair.int4);
  const auto fp32 = load(pair.dequantized);
  size_t n_blocks = 0, n_blocks_fp32 = 0;
  for (size_t i = 0; i < int4->tensor_count(); ++i) {
    n_blocks += int4->tensor(static_cast<int>(i)).dtype == DType::kI4Blocks;
    n_blocks_fp32 += fp32->tensor(static_cast<int>(i)).dtype != DType::kF32;
  }
  CHECK(n_blocks == 1 + 2 * 7);  // token table (tied head) + 7 matrices per layer
  CHECK(n_blocks_fp32 == 1);     // the token ids
  size_t arena = 0;
  const std::vector<float> want = logits(*int4, "reference", &arena);
  MESSAGE("arena " << arena << " bytes, int4 weights " << int4->weight_bytes() << " bytes");
  CHECK(arena < int4->weight_bytes());  // the blocks are read in place: the arena holds no copy
  const KernelTable* tables[kMaxKernelTables];
  const size_t n = available_kernel_tables(tables, kMaxKernelTables);
  for (size_t i = 0; i < n; ++i) {
    CAPTURE(std::string(tables[i]->name));
    const std::vector<float> got = logits(*int4, tables[i]->name);
    REQUIRE(got.size() == want.size());
    CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
  }
  const std::vector<float> f = logits(*fp32, nullptr);
  const size_t vocab = static_cast<size_t>(int4->info().vocab_size);
  double worst = 1.0, max_diff = 0.0;
  for (size_t i = 0; i < want.size(); ++i) max_diff = std::max(max_diff, std::fabs(static_cast<double>(want[i]) - f[i]));
  MESSAGE("int4 vs dequantized fp32: max |logit difference| " << max_diff);
  CHECK(max_diff > 0.0);  // the activations are quantized: not the same computation
  for (size_t r = 0; r < want.size() / vocab; ++r) {
    double dot = 0, a2 = 0, b2 = 0;
    for (size_t c = 0; c < vocab; ++c) {
      dot += static_cast<double>(want[r * vocab + c]) * f[r * vocab + c];
      a2 += static_cast<double>(want[r * vocab + c]) * want[r * vocab + c];
      b2 += static_cast<double>(f[r * vocab + c]) * f[r * vocab + c];
    }
    worst = std::min(worst, dot / std::sqrt(a2 * b2));
  }
  MESSAGE("int4 vs dequantized fp32: worst logits cosine 1 - " << 1.0 - worst);
  CHECK(worst >= 0.999);
}

TEST_CASE("int4 tiny Llama: prefill and decode invokes allocate nothing, 1 and 2 threads") {
  const Pair pair = make_pair();
  const auto int4 = load(pair.int4);
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    SessionOptions o;
    o.max_seq = 8;
    o.max_context = 32;
    o.threads = threads;
    auto s = Session::create(*int4, o);
    REQUIRE(s.is_ok());
    size_t failures = 0;
    testing::alloc_interposer::require_active();
    testing::alloc_interposer::start();
    for (int i = 0; i < 40; ++i) {
      if ((*s)->past() + 8 > (*s)->max_context()) (*s)->reset();
      InvokeInput in;
      in.ids = kIds;
      in.seq = i % 4 == 0 ? 8 : 1;
      in.all_positions = i % 3 == 0;
      if (!(*s)->invoke(in).is_ok()) ++failures;
    }
    CHECK(testing::alloc_interposer::stop().calls == 0);
    CHECK(failures == 0);
  }
}

TEST_CASE("corrupt block tensors are refused at load, naming the tensor") {
  using bad_model::contains;
  using bad_model::load_status;
  // An f32 [16, 16] weight relabelled I4Blocks: K = 16 is not a multiple of 32.
  CHECK_LOAD_ERROR(testing::tiny_llama_bytes([](fb::ModelT& m) {
                     m.tensors[testing::tensor_index(m, "blk.0.attn_q.weight")]->dtype = fb::DType::I4Blocks;
                   }),
                   StatusCode::kInvalidModel, "blk.0.attn_q.weight");
  // K = 32 but the f32 bytes are not 16 rows of one 20-byte block.
  CHECK_LOAD_ERROR(testing::tiny_llama_bytes(config32(), [](fb::ModelT& m) {
                     m.tensors[testing::tensor_index(m, "blk.0.ffn_down.weight")]->dtype = fb::DType::I8Blocks;
                   }, true),
                   StatusCode::kInvalidModel, "data segment");
  // A block dtype on an activation.
  CHECK_LOAD_ERROR(testing::tiny_llama_bytes([](fb::ModelT& m) {
                     m.tensors[testing::tensor_index(m, "blk.0.q")]->dtype = fb::DType::I4Blocks;
                   }),
                   StatusCode::kInvalidModel, "blk.0.q");
}

TEST_CASE("a block weight where only f32 / f16 / i8 are read is refused by the op") {
  // Turn the RmsNorm gamma of layer 0 into a well-formed [1, 64] I8Blocks
  // matrix (34 bytes of blocks): RmsNorm wants an f32 vector.
  convert::ModelBuilder mb = tiny_builder();
  const int gamma = mb.find_tensor("blk.0.attn_norm.weight");
  mb.model().tensors[static_cast<size_t>(gamma)]->shape = {1, 64};
  mb.replace_constant(gamma, fb::DType::I8Blocks, std::vector<uint8_t>(2 * sizeof(I8Block), 0), nullptr);
  const std::vector<uint8_t> bytes = mb.serialize();
  const Status s = bad_model::load_status(bytes);
  CHECK_FALSE(s.is_ok());
  CHECK(std::string(s.message()).find("blk.0.attn_norm.weight") != std::string::npos);
}

}  // namespace
}  // namespace edgeattn
