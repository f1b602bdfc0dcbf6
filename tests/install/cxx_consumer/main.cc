// A C++ program built against an installed edgeattn (tests/install).
//
//   cxx_consumer MODEL.eatn MAX_TOKENS
//
// Greedy generation from BOS through the C++ API (Model, Session,
// Generator): the text on stdout (one newline at the end), facts on stderr.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "runtime/generator.h"
#include "runtime/model.h"
#include "runtime/session.h"

int main(int argc, char** argv) {
  using namespace edgeattn;
  if (argc != 3) {
    std::fprintf(stderr, "usage: cxx_consumer MODEL.eatn MAX_TOKENS\n");
    return 2;
  }
  const int max_tokens = std::atoi(argv[2]);
  Result<std::unique_ptr<Model>> model = Model::load_file(argv[1]);
  if (!model.is_ok()) {
    std::fprintf(stderr, "cxx_consumer: load: %s\n", model.status().message());
    return 1;
  }
  const Tokenizer* tok = (*model)->tokenizer();
  if (tok == nullptr) {
    std::fprintf(stderr, "cxx_consumer: the model has no tokenizer\n");
    return 1;
  }
  const size_t vocab = static_cast<size_t>(tok->vocab_size());
  GenerateOptions go;  // greedy
  go.max_tokens = max_tokens;
  const std::vector<int32_t> stops = {tok->eos_id(), tok->bos_id()};
  go.stop_ids = Span<const int32_t>(stops.data(), stops.size());
  SessionOptions so;
  so.max_context = max_tokens + 1;  // BOS + every generated token
  so.max_seq = so.max_context < 16 ? so.max_context : 16;
  so.scratch_bytes = Generator::scratch_bytes(vocab, static_cast<size_t>(so.max_context), go.sampling);
  Result<std::unique_ptr<Session>> session = Session::create(**model, so);
  if (!session.is_ok()) {
    std::fprintf(stderr, "cxx_consumer: session: %s\n", session.status().message());
    return 1;
  }
  Generator gen(**session, vocab, go);
  std::vector<int32_t> prompt;
  Status s = tok->encode("", EncodeOptions(), &prompt);  // just BOS
  if (s.is_ok()) s = gen.append(Span<const int32_t>(prompt.data(), prompt.size()));
  int32_t prev = prompt.empty() ? -1 : prompt.back();
  while (s.is_ok() && !gen.finished()) {
    int32_t next = 0;
    s = gen.step(&next);
    if (!s.is_ok() || gen.stopped()) break;
    const std::string_view piece = tok->decode_piece(prev, next);
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    prev = next;
  }
  if (!s.is_ok()) {
    std::fprintf(stderr, "cxx_consumer: generate: %s\n", s.message());
    return 1;
  }
  std::fputc('\n', stdout);
  std::fprintf(stderr, "%d tokens; arena %zu bytes, %zu weight bytes\n", gen.generated(),
               (*session)->memory().arena_bytes, (*model)->weight_bytes());
  return 0;
}
