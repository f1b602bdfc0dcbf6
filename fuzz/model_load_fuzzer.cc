// libFuzzer target: arbitrary bytes as a .eatn model file.
//
// Each input is copied into an exactly-sized, 64-byte aligned heap buffer
// (so ASan catches any read past its end), loaded with Model::load_buffer,
// and, when it verifies, run the way an application would: the tokenizer
// encodes and decodes a short text, and for every method a Session with
// small limits (max_seq 8, max_context 8) is created and invoked once with
// token ids 0 (and zeros for f32 inputs), then once more with a single token
// (the decode path of a KV cache; sequence inputs null, their state kept).
//
// The contract under test (runtime/model.h, model_verifier.h): load either
// fails with a Status or returns a Model that any Session can prepare and
// run without reading or writing out of bounds.
//
// Build and run: see fuzz/README.md.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/model_info.h"
#include "runtime/session.h"

namespace {

// Creates a session of `method` and invokes it twice (7 tokens, then 1):
// token ids 0, every f32 input (audio features, encoder states) zeros;
// the second invoke passes null for sequence inputs, as a decoder does.
void run_method(const edgeattn::Model& model, const edgeattn::MethodInfo& method) {
  using namespace edgeattn;
  SessionOptions opts;
  opts.method = method.name;
  opts.max_batch = 1;
  opts.max_seq = 8;
  opts.max_context = 8;
  Result<std::unique_ptr<Session>> session = Session::create(model, opts);
  if (!session.is_ok()) return;
  std::vector<std::vector<float>> buffers;
  std::vector<const float*> first, later;
  for (size_t i = 0; i < method.inputs.size(); ++i) {
    if (method.inputs[i].dtype != DType::kF32) continue;
    buffers.emplace_back(static_cast<size_t>(method.inputs[i].element_count(DimValues{1, 8, 8})), 0.0f);
    first.push_back(buffers.back().data());
    later.push_back(method.is_sequence_input(i) ? nullptr : buffers.back().data());
  }
  const int32_t ids[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  InvokeInput in{ids, 1, 7, nullptr};
  in.float_inputs = Span<const float* const>(first.data(), first.size());
  if (!(*session)->invoke(in).is_ok()) return;
  in.seq = 1;
  in.float_inputs = Span<const float* const>(later.data(), later.size());
  (void)(*session)->invoke(in);
  for (size_t i = 0; i < (*session)->output_count(); ++i) (void)(*session)->output(i);
}

void run_model(const edgeattn::Model& model) {
  using namespace edgeattn;
  if (const Tokenizer* tok = model.tokenizer()) {
    std::vector<int32_t> ids;
    if (tok->encode("Hello, the cat sat! \xc3\xa9\xe2\x96\x81\xff", EncodeOptions(), &ids).is_ok()) {
      std::string text;
      (void)tok->decode(Span<const int32_t>(ids.data(), ids.size()), &text);
      int32_t prev = -1;
      for (int32_t id : ids) {
        (void)tok->decode_piece(prev, id);
        prev = id;
      }
    }
  }
  for (const MethodInfo& method : model.info().methods) run_method(model, method);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  void* buffer = nullptr;
  if (posix_memalign(&buffer, 64, size > 0 ? size : 1) != 0) return 0;
  if (size > 0) std::memcpy(buffer, data, size);
  {
    edgeattn::Result<std::unique_ptr<edgeattn::Model>> model = edgeattn::Model::load_buffer(buffer, size);
    if (model.is_ok()) {
      run_model(**model);
    } else if (model.status().message()[0] == '\0') {
      std::abort();  // every failure must say what is wrong
    }
  }
  std::free(buffer);
  return 0;
}
