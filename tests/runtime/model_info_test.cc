// ModelInfo (runtime/model_info.h) and methods: what a loaded model says
// about itself, and models with several named entry graphs.
//
// The tiny models are built here (tests/runtime/tiny_model.h), so every
// expected value comes from the builder's config, not from the loader.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/runtime/tiny_model.h"

namespace edgeattn {
namespace {

// A model and the bytes it borrows (load_buffer does not copy them).
struct Loaded {
  explicit Loaded(const std::vector<uint8_t>& file)
      : bytes(std::make_unique<testing::AlignedBuffer>(file.data(), file.size())),
        model(Model::load_buffer(bytes->data(), bytes->size())) {}
  std::unique_ptr<testing::AlignedBuffer> bytes;
  Result<std::unique_ptr<Model>> model;
};

Loaded load(const std::vector<uint8_t>& bytes) { return Loaded(bytes); }

// A second method "copy": the same ops as "forward" (graphs may share
// activations; each is verified on its own).
void add_copy_method(fb::ModelT& m, const char* name) {
  auto g = std::make_unique<fb::GraphT>(*m.graphs[0]);
  g->name = name;
  m.graphs.push_back(std::move(g));
}

bool same_bits(const TensorView& a, const TensorView& b) {
  return a.element_count() == b.element_count() &&
         std::memcmp(a.data, b.data, static_cast<size_t>(a.element_count()) * sizeof(float)) == 0;
}

TEST_CASE("ModelInfo of a tiny Llama: architecture, task, sizes, tokenizer, the one method and its tensors") {
  const convert::LlamaConfig c = testing::tiny_llama_config();
  const std::vector<uint8_t> bytes = testing::tiny_llama_bytes();
  Loaded l = load(bytes);
  REQUIRE_MESSAGE(l.model.is_ok(), l.model.status().message());
  const Model& model = **l.model;
  const ModelInfo& info = model.info();
  CHECK(info.architecture == Architecture::kLlamaDecoder);
  CHECK(std::string(architecture_name(info.architecture)) == "LlamaDecoder");
  CHECK(info.task == Task::kTextGeneration);
  CHECK(model.is_decoder());
  CHECK(info.vocab_size == static_cast<int32_t>(testing::tiny_spm_pieces().size()));
  CHECK(info.hidden_size == c.dim);
  CHECK(info.n_layers == c.n_layers);
  CHECK(info.n_heads == c.n_heads);
  CHECK(info.n_kv_heads == c.n_kv_heads);
  CHECK(info.max_positions == c.max_positions);
  CHECK(info.has_tokenizer);
  CHECK(info.tokenizer_kind == TokenizerKind::kSentencePieceBpe);
  CHECK(info.tokenizer_max_length == 0);
  CHECK(info.max_input_tokens() == c.max_positions);
  CHECK(std::string(info.dtype) == "fp32");
  CHECK(std::string(info.producer) == "edgeattn-tests");
  CHECK(std::string(info.source_format) == "synthetic");
  CHECK(info.format_major == kFormatMajor);
  CHECK(info.file_size == bytes.size());
  CHECK(info.weight_bytes == model.weight_bytes());
  CHECK(info.tensor_count == model.tensor_count());
  size_t constant_bytes = 0;
  for (size_t i = 0; i < model.tensor_count(); ++i) constant_bytes += model.tensor(i).is_constant ? model.tensor(i).bytes : 0;
  CHECK(info.weight_bytes == constant_bytes);

  REQUIRE(info.methods.size() == 1);
  const MethodInfo& forward = info.methods[0];
  CHECK(std::string(forward.name) == "forward");
  CHECK(info.find_method("forward") == &forward);
  CHECK(info.find_method("decode") == nullptr);
  CHECK(info.find_method(nullptr) == nullptr);
  REQUIRE(forward.inputs.size() == 1);
  CHECK(forward.inputs[0].dtype == DType::kI32);
  REQUIRE(forward.inputs[0].rank == 2);
  CHECK(forward.inputs[0].dims[0].kind == DimKind::kBatch);
  CHECK(forward.inputs[0].dims[1].kind == DimKind::kSeq);
  REQUIRE(forward.outputs.size() == 1);
  const TensorInfo& logits = forward.outputs[0];
  CHECK(logits.dtype == DType::kF32);
  REQUIRE(logits.rank == 3);
  CHECK(logits.dims[1].kind == DimKind::kOutSeq);
  CHECK(logits.dims[2].kind == DimKind::kFixed);
  CHECK(logits.dims[2].value == info.vocab_size);
  SessionOptions so;
  auto session = Session::create(model, so);
  REQUIRE(session.is_ok());
  CHECK(forward.op_count == (*session)->op_count());
  CHECK(std::string((*session)->method()) == "forward");
  CHECK(std::string((*session)->op_kind(0)) == "Embedding");
  CHECK(std::string((*session)->op_kind(forward.op_count)) == "");
}

TEST_CASE("ModelInfo of a tiny BERT: an embedding task, mean pooling, normalized, the tokenizer's max length") {
  const convert::BertConfig c = testing::tiny_bert_config();
  Loaded l = load(testing::tiny_bert_bytes());
  REQUIRE(l.model.is_ok());
  const ModelInfo& info = (*l.model)->info();
  CHECK(info.architecture == Architecture::kBertEncoder);
  CHECK(info.task == Task::kEmbedding);
  CHECK(!(*l.model)->is_decoder());
  CHECK(info.pooling == Pooling::kMean);
  CHECK(std::string(pooling_name(info.pooling)) == "mean");
  CHECK(info.normalize_embeddings == c.normalize);
  CHECK(info.tokenizer_kind == TokenizerKind::kWordPiece);
  CHECK(info.tokenizer_max_length == 32);
  CHECK(info.max_input_tokens() == 32);
  REQUIRE(info.methods.size() == 1);
  REQUIRE(info.methods[0].outputs.size() == 1);
  CHECK(info.methods[0].outputs[0].rank == 2);  // [batch, hidden]: pooled in the graph
  CHECK(info.methods[0].outputs[0].dims[1].value == c.hidden);
}

TEST_CASE("methods: a model with two entry graphs lists both, and a session runs the one it names") {
  Loaded l = load(testing::tiny_llama_bytes([](fb::ModelT& m) { add_copy_method(m, "copy"); }));
  REQUIRE_MESSAGE(l.model.is_ok(), l.model.status().message());
  const Model& model = **l.model;
  REQUIRE(model.info().methods.size() == 2);
  CHECK(std::string(model.info().methods[1].name) == "copy");
  CHECK(model.info().methods[1].op_count == model.info().methods[0].op_count);

  SessionOptions a, b;
  b.method = "copy";
  auto first = Session::create(model, a);
  auto second = Session::create(model, b);
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  CHECK(std::string((*first)->method()) == "forward");
  CHECK(std::string((*second)->method()) == "copy");
  const int32_t ids[4] = {1, 40, 41, 42};
  InvokeInput in;
  in.ids = ids;
  in.seq = 4;
  REQUIRE((*first)->invoke(in).is_ok());
  REQUIRE((*second)->invoke(in).is_ok());
  CHECK(same_bits((*first)->output(0), (*second)->output(0)));

  SessionOptions missing;
  missing.method = "decode";
  Result<std::unique_ptr<Session>> none = Session::create(model, missing);
  CHECK(none.status().code() == StatusCode::kInvalidArgument);
  CHECK(std::string(none.status().message()).find("no method 'decode'") != std::string::npos);
  CHECK(Session::plan(model, missing).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("methods: every method is verified at load, and their names must be unique") {
  Loaded dup = load(testing::tiny_llama_bytes([](fb::ModelT& m) { add_copy_method(m, "forward"); }));
  CHECK(dup.model.status().code() == StatusCode::kInvalidModel);
  CHECK(std::string(dup.model.status().message()).find("both called 'forward'") != std::string::npos);

  // A fault only in the second method still refuses the file, naming it.
  Loaded bad = load(testing::tiny_llama_bytes([](fb::ModelT& m) {
    add_copy_method(m, "copy");
    m.graphs[1]->ops[1]->inputs[0] = 100000;
  }));
  CHECK(bad.model.status().code() == StatusCode::kInvalidModel);
  CHECK(std::string(bad.model.status().message()).find("method 'copy'") != std::string::npos);
}

// An image preprocessing table (format 1.6) with valid values: 3 channels,
// two labels. Tests change one field at a time.
std::unique_ptr<fb::ImagePreprocessT> image_table() {
  auto p = std::make_unique<fb::ImagePreprocessT>();
  p->height = 24;
  p->width = 32;
  p->channels = 3;
  p->frames = 1;
  p->mean = {0.485f, 0.456f, 0.406f};
  p->std = {0.229f, 0.224f, 0.225f};
  p->bgr = true;
  p->resize = fb::ImageResize::CenterCrop;
  p->labels = {"cat", "dog"};
  return p;
}

TEST_CASE("ModelInfo::image: the stored preprocessing, and files without it (format 1.5) load as before") {
  Loaded with = load(testing::tiny_bert_bytes([](fb::ModelT& m) { m.image = image_table(); }));
  REQUIRE_MESSAGE(with.model.is_ok(), with.model.status().message());
  const ImageInfo& im = (*with.model)->info().image;
  CHECK(im.present);
  CHECK(im.height == 24);
  CHECK(im.width == 32);
  CHECK(im.channels == 3);
  CHECK(im.frames == 1);
  REQUIRE(im.mean.size() == 3);
  REQUIRE(im.std.size() == 3);
  CHECK(im.mean[1] == 0.456f);
  CHECK(im.std[2] == 0.225f);
  CHECK(im.bgr);
  CHECK(im.resize == ImageResize::kCenterCrop);
  CHECK(std::string(image_resize_name(im.resize)) == "center-crop");
  REQUIRE(im.labels.size() == 2);
  CHECK(im.labels[1] == "dog");
  CHECK(std::strlen(im.labels[1].data()) == 3);  // NUL-terminated, for the C API
  // Not an imported graph: the task stays what the architecture says.
  CHECK((*with.model)->info().task == Task::kEmbedding);

  Loaded old = load(testing::tiny_bert_bytes([](fb::ModelT& m) { m.format_minor = 5; }));
  REQUIRE_MESSAGE(old.model.is_ok(), old.model.status().message());
  CHECK(!(*old.model)->info().image.present);
  CHECK((*old.model)->info().image.labels.empty());
  CHECK((*old.model)->info().format_minor == 5);
}

TEST_CASE("ModelInfo::image: the verifier refuses bad preprocessing with one line naming the field") {
  struct Case {
    const char* what;
    std::function<void(fb::ImagePreprocessT&)> mutate;
    const char* message;
  } cases[] = {
      {"height 0", [](fb::ImagePreprocessT& p) { p.height = 0; }, "image: height 0 not in [1, 8192]"},
      {"width too large", [](fb::ImagePreprocessT& p) { p.width = 8193; }, "image: width 8193"},
      {"2 channels", [](fb::ImagePreprocessT& p) { p.channels = 2; }, "image: channels 2 must be 1"},
      {"65 frames", [](fb::ImagePreprocessT& p) { p.frames = 65; }, "image: frames 65 not in [1, 64]"},
      {"0 frames", [](fb::ImagePreprocessT& p) { p.frames = 0; }, "image: frames 0"},
      {"short mean", [](fb::ImagePreprocessT& p) { p.mean.pop_back(); }, "image: mean has 2 values"},
      {"no std", [](fb::ImagePreprocessT& p) { p.std.clear(); }, "image: std has 0 values"},
      {"std 0", [](fb::ImagePreprocessT& p) { p.std[1] = 0.f; }, "image: std[1] is 0"},
      {"NaN mean", [](fb::ImagePreprocessT& p) { p.mean[2] = std::nanf(""); }, "image: mean[2] is not finite"},
      {"inf std", [](fb::ImagePreprocessT& p) { p.std[0] = INFINITY; }, "image: std[0] is not finite"},
      {"gray BGR", [](fb::ImagePreprocessT& p) { p.channels = 1; p.mean = {0.f}; p.std = {1.f}; },
       "image: bgr needs 3 channels"},
      {"resize 7", [](fb::ImagePreprocessT& p) { p.resize = static_cast<fb::ImageResize>(7); },
       "image: unknown resize mode 7"},
      {"long label", [](fb::ImagePreprocessT& p) { p.labels[1] = std::string(1025, 'x'); },
       "image: label 1 has 1025 bytes"},
      {"too many labels", [](fb::ImagePreprocessT& p) { p.labels.assign(100001, "x"); },
       "image: 100001 labels, at most 100000"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    Loaded l = load(testing::tiny_bert_bytes([&](fb::ModelT& m) {
      m.image = image_table();
      c.mutate(*m.image);
    }));
    CHECK(l.model.status().code() == StatusCode::kInvalidModel);
    const std::string message = l.model.status().message();
    CHECK_MESSAGE(message.find(c.message) != std::string::npos, message);
    CHECK(message.find('\n') == std::string::npos);
  }
}

}  // namespace
}  // namespace edgeattn
