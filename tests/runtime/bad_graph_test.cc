// Bad model files, graph level: shapes that disagree with their op, tensor
// indices, op order/codes/options/arity, non-f32 outputs, fuzzer
// regressions, and tokenizer tables. See bad_model_checks.h.
#include <memory>

#include "tests/runtime/bad_model_checks.h"

namespace edgeattn {
namespace bad_model {
namespace {

// ------------------------------------------------------------------ shapes vs ops

void set_input(fb::ModelT& m, const char* op, size_t i, const char* tensor) {
  op_named(m, op).inputs[i] = tensor_index(m, tensor);
}

TEST_CASE("a shape that disagrees with its op") {
  SUBCASE("FullyConnected weight with the wrong K") {
    // blk.0.ffn_down.weight is [16, 32]: K 32, but attn_norm.out is [.., 16].
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.attn_q", 1, "blk.0.ffn_down.weight"); }),
                     StatusCode::kInvalidModel, "'blk.0.attn_norm.out' last dim is 16, expects 32");
  }
  SUBCASE("FullyConnected weight with the wrong N") {
    // attn_k.weight is [8, 16]: output q is [.., 16].
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.attn_q", 1, "blk.0.attn_k.weight"); }),
                     StatusCode::kInvalidModel, "'blk.0.q' last dim is 16, expects 8");
  }
  SUBCASE("FullyConnected bias of the wrong length") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       set_input(m, "encoder.layer.0.attention.self.query", 2, "encoder.layer.0.intermediate.dense.bias");
                     }),
                     StatusCode::kInvalidModel, "dim 0 is 32, expects 16");
  }
  SUBCASE("FullyConnected weight is an activation") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.attn_q", 1, "embeddings"); }),
                     StatusCode::kInvalidModel, "must be a constant");
  }
  SUBCASE("FullyConnected output with other leading dims") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.q"))]->dims[1] = convert::fixed(3);
                     }),
                     StatusCode::kInvalidModel, "leading dims must match");
  }
  SUBCASE("attention head count not dividing") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attention").options.AsAttentionOptions()->n_kv_heads = 3;
                     }),
                     StatusCode::kInvalidModel, "n_heads 4 must be a positive multiple of n_kv_heads 3");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.1.attention").options.AsAttentionOptions()->n_kv_heads = 0;
                     }),
                     StatusCode::kInvalidModel, "n_kv_heads 0");
  }
  SUBCASE("attention heads disagree with q width") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attention").options.AsAttentionOptions()->head_dim = 8;
                     }),
                     StatusCode::kInvalidModel, "last dim is 16, expects 32");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attention").options.AsAttentionOptions()->head_dim = 100000;
                     }),
                     StatusCode::kUnsupported, "head_dim 100000 not in");
  }
  SUBCASE("attention with a KV cache but no causal mask") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attention").options.AsAttentionOptions()->mask = fb::AttentionMask::Padding;
                     }),
                     StatusCode::kInvalidModel, "a KV cache needs the causal mask");
  }
  SUBCASE("attention bad scale / mask / cross") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       op_named(m, "encoder.layer.0.attention").options.AsAttentionOptions()->scale = -1.0f;
                     }),
                     StatusCode::kInvalidModel, "bad scale");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       op_named(m, "encoder.layer.0.attention").options.AsAttentionOptions()->scale = NAN;
                     }),
                     StatusCode::kInvalidModel, "bad scale");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       op_named(m, "encoder.layer.0.attention").options.AsAttentionOptions()->mask =
                           static_cast<fb::AttentionMask>(7);
                     }),
                     StatusCode::kInvalidModel, "unknown mask kind 7");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       op_named(m, "encoder.layer.0.attention").options.AsAttentionOptions()->cross = true;
                     }),
                     StatusCode::kInvalidModel, "cross-attention takes mask None");
    // Mask None but keys and values computed from the tokens, not from a
    // sequence input: not cross-attention.
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       fb::AttentionOptionsT& o = *op_named(m, "encoder.layer.0.attention").options.AsAttentionOptions();
                       o.cross = true;
                       o.mask = fb::AttentionMask::None;
                     }),
                     StatusCode::kInvalidModel, "dim 1 must be fixed or the source length");
  }
  SUBCASE("RoPE rotary_dim odd or too large") {
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.rope_q").options.AsRopeOptions()->rotary_dim = 3; }),
        StatusCode::kInvalidModel, "rotary_dim 3 must be even");
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.1.rope_k").options.AsRopeOptions()->rotary_dim = 8; }),
        StatusCode::kInvalidModel, "rotary_dim 8 must be even and in (0, head_dim 4]");
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.1.rope_k").options.AsRopeOptions()->rotary_dim = -2; }),
        StatusCode::kInvalidModel, "rotary_dim -2");
  }
  SUBCASE("RoPE heads disagree with the input, bad theta, style") {
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.rope_q").options.AsRopeOptions()->n_heads = 2; }),
        StatusCode::kInvalidModel, "last dim is 16, expects 8");
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.rope_q").options.AsRopeOptions()->theta = 0.0f; }),
        StatusCode::kInvalidModel, "theta must be positive");
    CHECK_LOAD_ERROR(
        tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.rope_q").options.AsRopeOptions()->theta = NAN; }),
        StatusCode::kInvalidModel, "theta must be positive");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.rope_q").options.AsRopeOptions()->style = static_cast<fb::RopeStyle>(5);
                     }),
                     StatusCode::kInvalidModel, "unknown RoPE style 5");
  }
  SUBCASE("norm gamma of the wrong length or rank") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       set_input(m, "encoder.layer.0.output.LayerNorm", 1, "encoder.layer.0.intermediate.dense.bias");
                     }),
                     StatusCode::kInvalidModel, "dim 0 is 32, expects 16");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.attn_norm", 1, "blk.0.attn_q.weight"); }),
                     StatusCode::kInvalidModel, "has rank 2, expects 1");
  }
  SUBCASE("norm output shaped unlike its input") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "blk.0.attn_norm.out"))]->dims[2] =
                           convert::fixed(8);
                     }),
                     StatusCode::kInvalidModel, "must have the same shape");
  }
  SUBCASE("Add of different shapes") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.ffn_residual", 1, "blk.0.k"); }),
                     StatusCode::kInvalidModel, "must have the same shape");
  }
  SUBCASE("embedding table width disagrees with the output") {
    // ffn_down.weight is [16, 32]: rows of width 32 for a [.., 16] output.
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "embedding", 1, "blk.0.ffn_down.weight"); }),
                     StatusCode::kInvalidModel, "last dim is 16, expects 32");
    // A position table [16, 32] next to a token table of width 16.
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       set_input(m, "embeddings", 2, "encoder.layer.0.output.dense.weight");
                     }),
                     StatusCode::kInvalidModel, "has 32 columns, expects 16");
  }
  SUBCASE("embedding ids are not i32 [batch, seq]") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "embedding", 0, "embeddings"); }),
                     StatusCode::kInvalidModel, "before any op writes it");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "token_ids"))]->dims = {convert::batch(),
                                                                                              convert::fixed(4)};
                     }),
                     StatusCode::kInvalidModel, "dim 1 has the wrong kind");
  }
  SUBCASE("pooling on a tensor without a seq dim") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, "pooled"))]->dims = {convert::batch(),
                                                                                           convert::fixed(8)};
                     }),
                     StatusCode::kInvalidModel, "last dim is 8, expects 16");
  }
}

// An op output declared u8/f16 where the op writes f32 is rejected at the
// op that writes it, naming the tensor and its dtype.
TEST_CASE("a non-f32 intermediate activation is rejected at its producer") {
  for (const char* name : {"blk.0.attn_residual", "blk.0.ffn_swiglu", "blk.0.attn_norm.out", "blk.0.q_rope",
                           "blk.0.attn", "selected"}) {
    CAPTURE(std::string(name));
    CHECK_LOAD_ERROR(tiny_llama_bytes([&](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, name))]->dtype = fb::DType::U8;
                     }),
                     StatusCode::kInvalidModel, "is u8, ops write f32");
  }
  for (const char* name : {"encoder.layer.0.gelu", "pooled", "encoder.layer.1.out"}) {
    CAPTURE(std::string(name));
    CHECK_LOAD_ERROR(tiny_bert_bytes([&](fb::ModelT& m) {
                       m.tensors[static_cast<size_t>(tensor_index(m, name))]->dtype = fb::DType::F16;
                     }),
                     StatusCode::kInvalidModel, "f32");
  }
}

// Regression: a graph output has no consumer whose checks would catch a
// non-f32 dtype, so such a file used to load and the f32 kernel then wrote
// 4 bytes per element into a buffer planned for 1 or 2. The verifier now
// requires every op output to be f32.
TEST_CASE("a non-f32 graph output is rejected") {
  // L2Normalize -> "embeddings" [B, 16], the graph output.
  CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                     m.tensors[static_cast<size_t>(tensor_index(m, "embeddings"))]->dtype = fb::DType::F16;
                   }),
                   StatusCode::kInvalidModel, "f32");
  // LayerNorm -> last hidden state [B, S, 16], the graph output (no pooling).
  convert::BertConfig c = testing::tiny_bert_config();
  c.pooling = "";
  CHECK_LOAD_ERROR(tiny_bert_bytes(c,
                                   [](fb::ModelT& m) {
                                     m.tensors[static_cast<size_t>(m.graphs[0]->outputs[0])]->dtype = fb::DType::U8;
                                   }),
                   StatusCode::kInvalidModel, "f32");
}

// The minimal reproducer of that overflow: ids -> Embedding -> x -> Gelu ->
// y declared u8 as the graph output. It must not load.
TEST_CASE("a non-f32 op output is rejected at load (overflow reproducer)") {
  using convert::batch;
  using convert::fixed;
  using convert::seq;
  convert::ModelBuilder mb;
  const int ids = mb.add_activation("token_ids", {batch(), seq()}, fb::DType::I32);
  const int table = mb.add_constant_f32("table", {32, 256}, testing::tiny_weight("table", {32, 256}));
  const int x = mb.add_activation("x", {batch(), seq(), fixed(256)});
  mb.add_op(fb::OpCode::Embedding, {ids, table, -1, -1}, {x}, "embedding");
  const int y = mb.add_activation("y", {batch(), seq(), fixed(256)}, fb::DType::U8);
  mb.add_op(fb::OpCode::Gelu, {x}, {y}, "gelu");
  mb.set_graph_io({ids}, {y});
  CHECK_LOAD_ERROR(mb.serialize(), StatusCode::kInvalidModel, "f32");
}

// Inputs the fuzzer found (fuzz/regressions/model_load_fuzzer/): each must fail to load with
// a Status, never reach undefined behaviour.
TEST_CASE("fuzzer regressions fail to load cleanly") {
  for (const char* name : {"element_count_overflow.eatn", "misaligned_dim_vector.eatn"}) {
    CAPTURE(name);
    const std::string path = std::string(EDGEATTN_SOURCE_DIR) + "/fuzz/regressions/model_load_fuzzer/" + name;
    Result<std::unique_ptr<Model>> m = Model::load_file(path.c_str());
    REQUIRE_FALSE(m.is_ok());
    CHECK(m.status().code() == StatusCode::kInvalidModel);
  }
}

// ------------------------------------------------------------------ indices

TEST_CASE("out-of-range tensor indices") {
  SUBCASE("op input") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attn_q").inputs[0] = static_cast<int32_t>(m.tensors.size());
                     }),
                     StatusCode::kInvalidModel, "input tensor index");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").inputs[1] = 0x7FFFFFFF; }),
                     StatusCode::kInvalidModel, "input tensor index 2147483647 out of range");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").inputs[1] = -2; }),
                     StatusCode::kInvalidModel, "input tensor index -2 out of range");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "lm_head").inputs[0] = INT32_MIN; }),
                     StatusCode::kInvalidModel, "out of range");
  }
  SUBCASE("op output") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.1.ffn_down").outputs[0] = static_cast<int32_t>(m.tensors.size()) + 3;
                     }),
                     StatusCode::kInvalidModel, "output tensor index");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { op_named(m, "mean_pool").outputs[0] = -1; }),
                     StatusCode::kInvalidModel, "output tensor index -1 out of range");
  }
  SUBCASE("graph input") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.graphs[0]->inputs[0] = static_cast<int32_t>(m.tensors.size());
                     }),
                     StatusCode::kInvalidModel, "method 'forward': input tensor index");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.graphs[0]->inputs[0] = -1; }), StatusCode::kInvalidModel,
                     "input tensor index -1 out of range");
  }
  SUBCASE("graph output") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.graphs[0]->outputs[0] = static_cast<int32_t>(m.tensors.size()) + 100;
                     }),
                     StatusCode::kInvalidModel, "out of range or never written");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.graphs[0]->outputs.push_back(-7); }),
                     StatusCode::kInvalidModel, "output tensor index -7");
  }
}

// ------------------------------------------------------------------ graph structure

TEST_CASE("op order, op codes, options and arity") {
  SUBCASE("an op reads a tensor before it is written") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.0.attn_norm", 0, "blk.0.q"); }),
                     StatusCode::kInvalidModel, "reads tensor");
    // Swapping two ops: the consumer now runs first.
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       auto& ops = m.graphs[0]->ops;
                       std::swap(ops[ops.size() - 1], ops[ops.size() - 2]);
                     }),
                     StatusCode::kInvalidModel, "before any op writes it");
  }
  SUBCASE("a tensor written twice, a constant written, a constant graph input") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attn_k").outputs[0] = tensor_index(m, "blk.0.q");
                     }),
                     StatusCode::kInvalidModel, "is a constant or written twice");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attn_k").outputs[0] = tensor_index(m, "blk.0.attn_k.weight");
                     }),
                     StatusCode::kInvalidModel, "is a constant or written twice");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.graphs[0]->inputs[0] = tensor_index(m, "token_embd.weight"); }),
                     StatusCode::kInvalidModel, "is a constant");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.tensors[static_cast<size_t>(tensor_index(m, "token_ids"))]->dtype = fb::DType::U8; }),
                     StatusCode::kInvalidModel, "must be i32 token ids or f32");
  }
  SUBCASE("a graph output that is never written") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.graphs[0]->ops.pop_back(); }), StatusCode::kInvalidModel,
                     "never written");
  }
  SUBCASE("unknown op code") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").code = static_cast<fb::OpCode>(999); }),
                     StatusCode::kUnsupported, "unknown op code 999");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       op_named(m, "normalize").code = static_cast<fb::OpCode>(static_cast<int>(fb::OpCode::MAX) + 1);
                     }),
                     StatusCode::kUnsupported,
                     ("unknown op code " + std::to_string(static_cast<int>(fb::OpCode::MAX) + 1)).c_str());
  }
  SUBCASE("an op of the wrong kind for its tensors") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_norm").code = fb::OpCode::LayerNorm; }),
                     StatusCode::kInvalidModel, "has 2 inputs, expects 3..3");
  }
  SUBCASE("missing required options") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attention").options.Reset(); }),
                     StatusCode::kInvalidModel, "options of type 0, expects 6");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.1.rope_q").options.Reset(); }),
                     StatusCode::kInvalidModel, "options of type 0, expects 5");
  }
  SUBCASE("options of the wrong type") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attention").options.Set(fb::NormOptionsT());
                     }),
                     StatusCode::kInvalidModel, "options of type 2, expects 6");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attn_norm").options.Set(fb::RopeOptionsT());
                     }),
                     StatusCode::kInvalidModel, "options of type 5, expects 2");
  }
  SUBCASE("unsupported fused activations") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       fb::GatedUnitOptionsT o;
                       o.activation = fb::Activation::Gelu;
                       op_named(m, "blk.0.ffn_swiglu").options.Set(o);
                     }),
                     StatusCode::kUnsupported, "gate activation 2");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       fb::FullyConnectedOptionsT o;
                       // (Silu is supported since format 1.5, Gelu since 1.6)
                       o.activation = fb::Activation::GeluTanh;
                       op_named(m, "blk.0.attn_q").options.Set(o);
                     }),
                     StatusCode::kUnsupported, "fused activation 3");
  }
  SUBCASE("arity") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       auto& in = op_named(m, "blk.0.attn_q").inputs;
                       in.push_back(-1);  // input multiplier (absent)
                       in.push_back(-1);  // selection (absent)
                       in.push_back(-1);  // one too many
                     }),
                     StatusCode::kInvalidModel, "has 6 inputs, expects 2..5");
    // An input multiplier whose length is not K.
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       op_named(m, "blk.0.attn_q").inputs.push_back(tensor_index(m, "blk.0.attn_k.weight"));
                     }),
                     StatusCode::kInvalidModel, "has rank 2, expects 1");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").inputs[1] = -1; }),
                     StatusCode::kInvalidModel, "required input 1 is missing");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").inputs.clear(); }),
                     StatusCode::kInvalidModel, "missing inputs or outputs");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { op_named(m, "blk.0.attn_q").outputs.clear(); }),
                     StatusCode::kInvalidModel, "missing inputs or outputs");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) {
                       auto& op = op_named(m, "encoder.layer.0.gelu");
                       op.outputs.push_back(tensor_index(m, "pooled"));
                     }),
                     StatusCode::kInvalidModel, "has 2 outputs, expects 1");
  }
  SUBCASE("a graph without ops") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.graphs[0]->ops.clear(); }), StatusCode::kInvalidModel,
                     "needs inputs, outputs and ops");
  }
  SUBCASE("the error names the op") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { set_input(m, "blk.1.attn_v", 1, "blk.1.ffn_down.weight"); }),
                     StatusCode::kInvalidModel, "(FullyConnected 'blk.1.attn_v')");
  }
}

// ------------------------------------------------------------------ tokenizer

TEST_CASE("bad tokenizer tables") {
  SUBCASE("special id out of range") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.tokenizer->bos_id = 100000; }), StatusCode::kInvalidModel,
                     "bos_id 100000 out of range");
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tokenizer->eos_id = static_cast<int32_t>(m.tokenizer->pieces.size());
                     }),
                     StatusCode::kInvalidModel, "eos_id 272 out of range [-1, 272)");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->mask_id = -5; }), StatusCode::kInvalidModel,
                     "mask_id -5 out of range");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->cls_id = INT32_MAX; }),
                     StatusCode::kInvalidModel, "cls_id");
  }
  SUBCASE("the error says it is the tokenizer") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->sep_id = 32; }), StatusCode::kInvalidModel,
                     "tokenizer");
  }
  SUBCASE("scores sized unlike pieces") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.tokenizer->scores.pop_back(); }),
                     StatusCode::kInvalidModel, "271 scores for 272 pieces");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->scores = {1.0f}; }), StatusCode::kInvalidModel,
                     "1 scores for 32 pieces");
  }
  SUBCASE("byte_fallback without all byte pieces") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) { m.tokenizer->pieces[3 + 0x41] = "zz"; }),
                     StatusCode::kInvalidModel, "byte_fallback needs piece <0x41>");
  }
  SUBCASE("empty vocabulary, unknown kind") {
    CHECK_LOAD_ERROR(tiny_llama_bytes([](fb::ModelT& m) {
                       m.tokenizer->pieces.clear();
                       m.tokenizer->scores.clear();
                       m.tokenizer->unk_id = m.tokenizer->bos_id = m.tokenizer->eos_id = -1;
                     }),
                     StatusCode::kInvalidModel, "empty vocabulary");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->kind = static_cast<fb::TokenizerKind>(9); }),
                     StatusCode::kInvalidModel, "unknown kind 9");
  }
  SUBCASE("WordPiece without unk or with an empty piece") {
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->unk_id = -1; }), StatusCode::kInvalidModel,
                     "unk_id is required");
    CHECK_LOAD_ERROR(tiny_bert_bytes([](fb::ModelT& m) { m.tokenizer->pieces[7] = ""; }), StatusCode::kInvalidModel,
                     "piece 7 is empty");
  }
}


TEST_CASE("encoder-decoders: sequence inputs, cross-attention, Im2Col, broadcast Add, audio and decoding config") {
  using testing::tiny_whisper_bytes;
  auto decode = [](fb::ModelT& m) -> fb::GraphT& { return *m.graphs.at(1); };
  SUBCASE("the tiny model loads") { CHECK(load_status(tiny_whisper_bytes()).is_ok()); }
  SUBCASE("sequence inputs") {
    CHECK_LOAD_ERROR(tiny_whisper_bytes([&](fb::ModelT& m) { decode(m).sequence_inputs = {tensor_index(m, "decoder/embeddings")}; }),
                     StatusCode::kInvalidModel, "is not one of its inputs");
    CHECK_LOAD_ERROR(tiny_whisper_bytes([&](fb::ModelT& m) { decode(m).sequence_inputs = {tensor_index(m, "token_ids")}; }),
                     StatusCode::kInvalidModel, "must be f32");
    // Without the sequence input, the cross K/V projections depend on nothing per sequence.
    CHECK_LOAD_ERROR(tiny_whisper_bytes([&](fb::ModelT& m) { decode(m).sequence_inputs.clear(); }),
                     StatusCode::kInvalidModel, "cross-attention needs k and v from the sequence inputs");
    CHECK_LOAD_ERROR(tiny_whisper_bytes([&](fb::ModelT& m) {
                       m.tensors[size_t(tensor_index(m, "decoder/encoder_states"))]->dims[1] = fb::Dim(fb::DimKind::Seq, 0);
                     }),
                     StatusCode::kInvalidModel, "");
  }
  SUBCASE("cross-attention options") {
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) {
                       op_named(m, "decoder/layer_0/attention/attention").options.AsAttentionOptions()->mask = fb::AttentionMask::Causal;
                     }),
                     StatusCode::kInvalidModel, "cross-attention takes mask None");
  }
  SUBCASE("Im2Col") {
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { op_named(m, "encoder/conv1/im2col").options.AsIm2ColOptions()->kernel = 0; }),
                     StatusCode::kInvalidModel, "kernel 0");
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { op_named(m, "encoder/conv2/im2col").options.AsIm2ColOptions()->stride = 1; }),
                     StatusCode::kInvalidModel, "dim 1 must be");
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { op_named(m, "encoder/conv1/im2col").options.AsIm2ColOptions()->pad = 3; }),
                     StatusCode::kInvalidModel, "pad < kernel");
  }
  SUBCASE("broadcast Add") {
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) {
                       op_named(m, "encoder/positions").inputs[1] = tensor_index(m, "frontend/mel_filters");
                     }),
                     StatusCode::kInvalidModel, "must equal");
  }
  SUBCASE("audio frontend") {
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { m.audio->mel_filters = tensor_index(m, "encoder/conv1/bias"); }),
                     StatusCode::kInvalidModel, "mel filters");
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { m.audio->mel_filters = 100000; }), StatusCode::kInvalidModel,
                     "out of range");
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { m.audio->n_frames = 13; }), StatusCode::kInvalidModel,
                     "inconsistent parameters");
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { m.audio->sample_rate = 0; }), StatusCode::kInvalidModel,
                     "inconsistent parameters");
  }
  SUBCASE("decoding config") {
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { m.decoding->start_ids = {40}; }), StatusCode::kInvalidModel,
                     "not a token id");
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { m.decoding->suppress_ids = {-1}; }), StatusCode::kInvalidModel,
                     "suppress_ids[0]");
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { m.decoding->eos_id = 99; }), StatusCode::kInvalidModel,
                     "outside vocab");
    CHECK_LOAD_ERROR(tiny_whisper_bytes([](fb::ModelT& m) { m.decoding->max_length = 1; }), StatusCode::kInvalidModel,
                     "shorter than max_length");
  }
}

}  // namespace
}  // namespace bad_model
}  // namespace edgeattn

// ------------------------------------------------------------------ image ops (format 1.5)

namespace edgeattn {
namespace bad_model {
namespace {

fb::Dim image_h() { return fb::Dim(fb::DimKind::Height, 1); }
fb::Dim image_w() { return fb::Dim(fb::DimKind::Width, 1); }

// x [B, H, W, 4] -> Conv2D(weight of `w_shape`, groups) -> y [B, H, W, 6];
// `dtype` I8 or I32: the weight's bytes reinterpreted, with `scales` (I8).
std::vector<uint8_t> conv_model(const std::vector<int64_t>& w_shape, int groups, fb::DType dtype = fb::DType::F32,
                                std::vector<float> scales = {}) {
  convert::ModelBuilder mb;
  const int x = mb.add_activation("x", {convert::batch(), image_h(), image_w(), convert::fixed(4)});
  int64_t n = 1;
  for (int64_t d : w_shape) n *= d;
  const int w = mb.add_constant_f32("conv.weight", w_shape, std::vector<float>(static_cast<size_t>(n), 0.5f));
  if (dtype != fb::DType::F32) {
    std::unique_ptr<fb::QuantizationT> quant;
    if (!scales.empty()) {
      quant = std::make_unique<fb::QuantizationT>();
      quant->scale = scales;
      quant->axis = 0;
    }
    const size_t bytes = static_cast<size_t>(n) * (dtype == fb::DType::I8 ? 1 : 4);
    mb.replace_constant(w, dtype, std::vector<uint8_t>(bytes, 1), std::move(quant));
  }
  const int y = mb.add_activation("y", {convert::batch(), image_h(), image_w(), convert::fixed(6)});
  fb::Conv2DOptionsT o;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = 1;
  o.groups = groups;
  mb.add_op(fb::OpCode::Conv2D, {x, w, -1}, {y}, "stem.conv", o);
  mb.set_graph_io({x}, {y});
  return mb.serialize();
}

TEST_CASE("malformed image ops are refused at load, naming the op and tensor") {
  SUBCASE("the well-formed model loads") { CHECK(load_status(conv_model({6, 3, 3, 4}, 1)).is_ok()); }
  SUBCASE("Conv2D weight of the wrong rank") {
    CHECK_LOAD_ERROR(conv_model({6, 9, 4}, 1), StatusCode::kInvalidModel, "(Conv2D 'stem.conv')");
    CHECK_LOAD_ERROR(conv_model({6, 9, 4}, 1), StatusCode::kInvalidModel, "'conv.weight' has rank 3, expects 4");
  }
  SUBCASE("Conv2D weights: i8 needs one scale per output channel; i32 is refused") {
    CHECK(load_status(conv_model({6, 3, 3, 4}, 1, fb::DType::I8, std::vector<float>(6, 0.1f))).is_ok());
    CHECK_LOAD_ERROR(conv_model({6, 3, 3, 4}, 1, fb::DType::I8), StatusCode::kInvalidModel,
                     "i8 weight 'conv.weight' needs one scale per output channel (axis 0, 6 scales)");
    // Three scales for six rows: the loader's own check.
    CHECK_LOAD_ERROR(conv_model({6, 3, 3, 4}, 1, fb::DType::I8, std::vector<float>(3, 0.1f)),
                     StatusCode::kInvalidModel, "'conv.weight': per-channel scales disagree with axis 0");
    CHECK_LOAD_ERROR(conv_model({6, 3, 3, 4}, 1, fb::DType::I32), StatusCode::kUnsupported,
                     "conv weights must be f32, f16 or i8");
  }
  SUBCASE("Conv2D groups not dividing Cin") {
    CHECK_LOAD_ERROR(conv_model({6, 3, 3, 1}, 3), StatusCode::kInvalidModel, "groups 3 must divide Cin 4 and Cout 6");
  }
  SUBCASE("Conv2D weight depth not Cin / groups") {
    CHECK_LOAD_ERROR(conv_model({6, 3, 3, 4}, 2), StatusCode::kInvalidModel,
                     "'conv.weight': dim 3 is 4, expects Cin / groups = 2");
  }
  SUBCASE("Transpose perm not a permutation") {
    for (std::vector<int32_t> perm : {std::vector<int32_t>{0, 1, 1}, std::vector<int32_t>{0, 3, 1},
                                      std::vector<int32_t>{0, 1}}) {
      convert::ModelBuilder mb;
      const int x = mb.add_activation("x", {convert::batch(), image_w(), convert::fixed(4)});
      const int y = mb.add_activation("y", {convert::batch(), convert::fixed(4), image_w()});
      fb::TransposeOptionsT o;
      o.perm = perm;
      mb.add_op(fb::OpCode::Transpose, {x}, {y}, "to_channels_first", o);
      mb.set_graph_io({x}, {y});
      CHECK_LOAD_ERROR(mb.serialize(), StatusCode::kInvalidModel, "(Transpose 'to_channels_first')");
      CHECK_LOAD_ERROR(mb.serialize(), StatusCode::kInvalidModel, perm.size() == 2 ? "perm must list 3 axes" : "not a permutation");
    }
  }
  SUBCASE("Conv2D output size that no image size gives") {
    convert::ModelBuilder mb;
    const int x = mb.add_activation("x", {convert::batch(), image_h(), image_w(), convert::fixed(4)});
    const int w = mb.add_constant_f32("conv.weight", {6, 3, 3, 4}, std::vector<float>(216, 0.5f));
    const int y = mb.add_activation("y", {convert::batch(), image_h(), image_w(), convert::fixed(6)});
    fb::Conv2DOptionsT o;  // no padding: H - 2, not H
    mb.add_op(fb::OpCode::Conv2D, {x, w, -1}, {y}, "stem.conv", o);
    mb.set_graph_io({x}, {y});
    CHECK_LOAD_ERROR(mb.serialize(), StatusCode::kInvalidModel, "must give exactly in / stride");
  }
}

}  // namespace
}  // namespace bad_model
}  // namespace edgeattn
