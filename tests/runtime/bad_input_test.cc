// Bad input at run time: invoke- and create-time caller errors, and a few
// thousand randomly byte-flipped model files (load fails with a Status, or
// the model runs without crashing). EDGEATTN_FLIP_ITERATIONS=<n> changes the
// number of flipped copies per model (default 3000); EDGEATTN_WRITE_FUZZ_SEEDS=<dir>
// writes the tiny models there as fuzzer seeds (fuzz/README.md).
#include "tests/runtime/bad_model_checks.h"

#include "runtime/generator.h"
#include "runtime/sampler.h"

namespace edgeattn {
namespace bad_model {
namespace {

// ------------------------------------------------------------------ caller errors

TEST_CASE("invoke-time caller errors give Statuses") {
  const std::vector<uint8_t> bytes = tiny_llama_bytes();
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  REQUIRE(model.is_ok());
  SessionOptions opts;
  opts.max_batch = 1;
  opts.max_seq = 4;
  opts.max_context = 6;
  Result<std::unique_ptr<Session>> session = Session::create(**model, opts);
  REQUIRE(session.is_ok());
  Session& s = **session;
  const int32_t vocab = testing::tiny_llama_config().vocab_size;
  int32_t ids[8] = {1, 5, 6, 7, 8, 9, 10, 11};
  InvokeInput in;
  in.ids = ids;
  in.seq = 2;

  SUBCASE("token id out of range") {
    ids[1] = vocab;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "token id 272 at [0, 1] out of range [0, 272)");
    ids[1] = -1;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "token id -1");
    CHECK(s.past() == 0);  // a failed invoke does not advance the cache
  }
  SUBCASE("ids null") {
    in.ids = nullptr;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "ids is null");
  }
  SUBCASE("seq 0, negative, > max_seq") {
    in.seq = 0;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "seq 0 not in [1, max_seq 4]");
    in.seq = -3;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "seq -3");
    in.seq = 5;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "seq 5 not in [1, max_seq 4]");
  }
  SUBCASE("batch 0, > max_batch") {
    in.batch = 2;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "batch 2 not in [1, max_batch 1]");
    in.batch = 0;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "batch 0");
  }
  SUBCASE("lengths out of range or padded with a KV cache") {
    int32_t lengths[1] = {0};
    in.lengths = lengths;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "length 0 of row 0 not in [1, seq 2]");
    lengths[0] = 3;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "length 3 of row 0");
    lengths[0] = 1;
    CHECK_STATUS(s.invoke(in), StatusCode::kInvalidArgument, "padded rows are not supported with a KV cache");
  }
  SUBCASE("context overflow") {
    in.seq = 4;
    REQUIRE(s.invoke(in).is_ok());
    in.seq = 3;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "context full: 4 cached + 3 new tokens > max_context 6");
    CHECK(s.past() == 4);
    in.seq = 2;
    REQUIRE(s.invoke(in).is_ok());  // exactly full
    in.seq = 1;
    CHECK_STATUS(s.invoke(in), StatusCode::kOutOfRange, "context full");
    s.reset();
    CHECK(s.invoke(in).is_ok());
  }
}

TEST_CASE("encoder caller errors") {
  const std::vector<uint8_t> bytes = tiny_bert_bytes();
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  REQUIRE(model.is_ok());
  SessionOptions opts;
  opts.max_batch = 2;
  opts.max_seq = 8;
  Result<std::unique_ptr<Session>> session = Session::create(**model, opts);
  REQUIRE(session.is_ok());
  int32_t ids[16] = {2, 9, 10, 3, 0, 0, 0, 0, 2, 14, 3, 0, 0, 0, 0, 0};
  int32_t lengths[2] = {4, 3};
  InvokeInput in{ids, 2, 8, lengths};
  REQUIRE((*session)->invoke(in).is_ok());
  CHECK_FALSE((*session)->has_kv_cache());
  lengths[1] = 9;
  CHECK_STATUS((*session)->invoke(in), StatusCode::kInvalidArgument, "length 9 of row 1 not in [1, seq 8]");
  lengths[1] = 3;
  ids[15] = 32;  // padding ids are still checked
  CHECK_STATUS((*session)->invoke(in), StatusCode::kInvalidArgument, "token id 32 at [1, 7]");
  in.batch = 3;
  CHECK_STATUS((*session)->invoke(in), StatusCode::kOutOfRange, "batch 3 not in [1, max_batch 2]");
}

TEST_CASE("create-time limit errors give Statuses") {
  const std::vector<uint8_t> bytes = tiny_bert_bytes();
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  REQUIRE(model.is_ok());
  const Model& m = **model;
  SessionOptions opts;
  opts.max_seq = 8;
  SUBCASE("limits") {
    opts.max_seq = 0;
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "max_seq 0");
    opts.max_seq = 8;
    opts.max_batch = 0;
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "max_batch 0");
    opts.max_batch = 1;
    opts.threads = -1;
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "threads -1 not in [1, 256]");
    opts.threads = 257;
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "threads 257");
    opts.threads = 1;
    opts.max_context = 4;
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "max_context 4 must be in");
  }
  SUBCASE("position table too short") {
    opts.max_seq = 64;  // the tiny BERT has 32 positions
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kOutOfRange, "exceeds the position table");
  }
  SUBCASE("no such graph") {
    opts.method = "decoder";
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "no method 'decoder'");
  }
  SUBCASE("kernels by name: every available name and 'auto' work, others list the available ones") {
    const char* names[16];
    const size_t n = available_kernel_names(names, 16);
    REQUIRE(n >= 1);
    REQUIRE(n <= 16);
    CHECK(std::string(names[0]) == "reference");
    CHECK(available_kernel_names(nullptr, 0) == n);  // sizing call: writes nothing
    for (size_t i = 0; i < n; ++i) {
      opts.kernels = names[i];
      Result<std::unique_ptr<Session>> s = Session::create(m, opts);
      REQUIRE_MESSAGE(s.is_ok(), s.status().message());
      CHECK(std::string((*s)->kernel_name()) == names[i]);
    }
    opts.kernels = "auto";  // the last (preferred) table, as with nullptr
    Result<std::unique_ptr<Session>> chosen = Session::create(m, opts);
    REQUIRE(chosen.is_ok());
    CHECK(std::string((*chosen)->kernel_name()) == names[n - 1]);
    opts.kernels = "no-such-table";
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument,
                 "kernels 'no-such-table': no such kernel table in this build for this CPU (available: reference");
    CHECK_STATUS(Session::plan(m, opts).status(), StatusCode::kInvalidArgument, "kernels 'no-such-table'");
    opts.kernels = "";
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "kernels ''");
  }
  SUBCASE("kv_dtype outside the enum") {
    opts.kv_dtype = static_cast<KvCacheDType>(7);
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "unknown kv_dtype 7");
  }
  SUBCASE("caller arena too small or misaligned") {
    Result<MemoryStats> plan = Session::plan(m, opts);
    REQUIRE(plan.is_ok());
    std::vector<uint8_t> zeros(plan->arena_bytes + 128, 0);
    AlignedBuffer big(zeros);
    opts.arena = Span<uint8_t>(big.data(), plan->arena_bytes - 64);
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kResourceExhausted, "is too small");
    opts.arena = Span<uint8_t>(big.data() + 8, plan->arena_bytes);
    CHECK_STATUS(Session::create(m, opts).status(), StatusCode::kInvalidArgument, "64-byte aligned");
    opts.arena = Span<uint8_t>(big.data(), plan->arena_bytes);
    CHECK(Session::create(m, opts).is_ok());
  }
}

// ------------------------------------------------------------------ float inputs, wrong pairings

// The only floats the API takes are logits (Sampler::sample, and the
// Generator sampling a session's output); token ids are checked by invoke().
TEST_CASE("NaN and infinite logits give Statuses; sampling them stays in range") {
  float logits[8] = {0.5f, 1.0f, -2.0f, 0.25f, 3.0f, 0.0f, -1.0f, 2.0f};
  CHECK(Sampler::check_logits(logits, 8).is_ok());
  logits[3] = std::nanf("");
  CHECK_STATUS(Sampler::check_logits(logits, 8), StatusCode::kInvalidArgument, "logit 3 of 8 is nan");
  logits[3] = 0.25f;
  logits[6] = INFINITY;
  CHECK_STATUS(Sampler::check_logits(logits, 8), StatusCode::kInvalidArgument, "logit 6 of 8 is +inf");
  logits[6] = -INFINITY;
  CHECK_STATUS(Sampler::check_logits(logits, 8), StatusCode::kInvalidArgument, "logit 6 of 8 is -inf");
  // Unchecked, all-NaN logits used to leave top-p with no candidate and read
  // before its array; now every configuration returns an id in range.
  SamplingOptions o;
  o.temperature = 0.8f;
  o.top_p = 0.9f;
  o.top_k = 3;
  std::vector<uint8_t> scratch(Sampler::scratch_bytes(8, o));
  Sampler sampler(8, o, Span<uint8_t>(scratch.data(), scratch.size()));
  for (int i = 0; i < 20; ++i) {
    for (float& l : logits) l = std::nanf("");
    const int32_t id = sampler.sample(logits);
    CHECK((id >= 0 && id < 8));
  }
}

SessionOptions generator_session_options(size_t vocab, const SamplingOptions& sampling) {
  SessionOptions so;
  so.max_seq = 4;
  so.max_context = 16;
  so.scratch_bytes = Generator::scratch_bytes(vocab, 16, sampling);
  return so;
}

TEST_CASE("a model producing NaN logits: the Generator returns a Status instead of sampling") {
  std::vector<uint8_t> bytes = tiny_llama_bytes();
  AlignedBuffer buf(bytes);
  // One NaN in the final norm's weight makes every logit NaN (as a file with
  // corrupt weights would); the test owns the bytes, so it patches them
  // before any session exists.
  {
    Result<std::unique_ptr<Model>> probe = Model::load_buffer(buf.data(), buf.size());
    REQUIRE(probe.is_ok());
    const int t = (*probe)->find_tensor("output_norm.weight");
    REQUIRE(t >= 0);
    const size_t at = static_cast<const uint8_t*>((*probe)->tensor(static_cast<size_t>(t)).data) - buf.data();
    const float nan = std::nanf("");
    std::memcpy(buf.data() + at, &nan, sizeof(nan));
  }
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  REQUIRE(model.is_ok());
  const size_t vocab = static_cast<size_t>(testing::tiny_llama_config().vocab_size);
  SamplingOptions sampling;
  sampling.temperature = 0.7f;
  sampling.top_p = 0.9f;
  Result<std::unique_ptr<Session>> session = Session::create(**model, generator_session_options(vocab, sampling));
  REQUIRE(session.is_ok());
  GenerateOptions go;
  go.sampling = sampling;
  Generator gen(**session, vocab, go);
  REQUIRE(gen.status().is_ok());
  const int32_t prompt[3] = {1, 5, 6};
  REQUIRE(gen.append(Span<const int32_t>(prompt, 3)).is_ok());
  int32_t token = -7;
  CHECK_STATUS(gen.step(&token), StatusCode::kInvalidModel, "the model produced non-finite logits: logit 0 of 272 is ");
  CHECK(token == -7);  // nothing was sampled
}

TEST_CASE("the wrong session for a model, and generation before a prompt, give Statuses") {
  const std::vector<uint8_t> llama_bytes = tiny_llama_bytes();
  const std::vector<uint8_t> bert_bytes = tiny_bert_bytes();
  AlignedBuffer llama_buf(llama_bytes), bert_buf(bert_bytes);
  Result<std::unique_ptr<Model>> llama = Model::load_buffer(llama_buf.data(), llama_buf.size());
  Result<std::unique_ptr<Model>> bert = Model::load_buffer(bert_buf.data(), bert_buf.size());
  REQUIRE(llama.is_ok());
  REQUIRE(bert.is_ok());
  const size_t llama_vocab = static_cast<size_t>(testing::tiny_llama_config().vocab_size);
  const size_t bert_vocab = static_cast<size_t>((*bert)->tokenizer()->vocab_size());
  REQUIRE(bert_vocab != llama_vocab);
  SamplingOptions sampling;
  Result<std::unique_ptr<Session>> session =
      Session::create(**llama, generator_session_options(bert_vocab > llama_vocab ? bert_vocab : llama_vocab, sampling));
  REQUIRE(session.is_ok());
  CHECK((*session)->is_for(**llama));
  CHECK_FALSE((*session)->is_for(**bert));
  CHECK(&(*session)->model() == llama->get());

  SUBCASE("a vocabulary from another model's tokenizer") {
    GenerateOptions go;
    Generator gen(**session, bert_vocab, go);
    CHECK_STATUS(gen.status(), StatusCode::kInvalidArgument,
                 "vocab_size 32 does not match this session's model, whose logits have 272 entries");
    const int32_t prompt[1] = {1};
    CHECK_STATUS(gen.append(Span<const int32_t>(prompt, 1)), StatusCode::kInvalidArgument, "does not match");
  }
  SUBCASE("an encoder session") {
    SessionOptions so;
    so.max_seq = 8;
    Result<std::unique_ptr<Session>> encoder = Session::create(**bert, so);
    REQUIRE(encoder.is_ok());
    Generator gen(**encoder, bert_vocab, GenerateOptions());
    CHECK_STATUS(gen.status(), StatusCode::kInvalidArgument, "generation needs a decoder session with a KV cache");
  }
  SUBCASE("step before any prompt") {
    Generator gen(**session, llama_vocab, GenerateOptions());
    REQUIRE(gen.status().is_ok());
    int32_t token = 0;
    CHECK_STATUS(gen.step(&token), StatusCode::kInvalidArgument, "append() a prompt before step()");
  }
  SUBCASE("token ids from another vocabulary") {
    // A tokenizer for a larger vocabulary than the model's: invoke() rejects the id.
    Generator gen(**session, llama_vocab, GenerateOptions());
    const int32_t prompt[2] = {1, static_cast<int32_t>(llama_vocab) + 3};
    CHECK_STATUS(gen.append(Span<const int32_t>(prompt, 2)), StatusCode::kInvalidArgument,
                 "token id 275 at [0, 1] out of range [0, 272)");
  }
}

// ------------------------------------------------------------------ random byte flips

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

struct FlipStats {
  int loaded = 0, rejected = 0, sessions = 0, invoked = 0;
};

// Loads one mutated copy; must never crash. Returns through `stats`.
void exercise(const std::vector<uint8_t>& bytes, FlipStats* stats) {
  AlignedBuffer buf(bytes);
  Result<std::unique_ptr<Model>> model = Model::load_buffer(buf.data(), buf.size());
  if (!model.is_ok()) {
    ++stats->rejected;
    const Status& s = model.status();
    INFO(std::string(s.message()));
    REQUIRE((s.code() == StatusCode::kInvalidModel || s.code() == StatusCode::kUnsupported));
    REQUIRE(std::strlen(s.message()) > 0);
    return;
  }
  ++stats->loaded;
  const Model& m = **model;
  if (const Tokenizer* tok = m.tokenizer()) {
    std::vector<int32_t> ids;
    if (tok->encode("Hello, the cat sat! \xc3\xa9\xff", EncodeOptions(), &ids).is_ok()) {
      std::string text;
      (void)tok->decode(Span<const int32_t>(ids.data(), ids.size()), &text);
    }
  }
  SessionOptions opts;
  opts.max_batch = 1;
  opts.max_seq = 4;
  opts.max_context = 8;
  Result<std::unique_ptr<Session>> session = Session::create(m, opts);
  if (!session.is_ok()) return;
  ++stats->sessions;
  const int32_t ids[4] = {0, 0, 0, 0};
  InvokeInput in{ids, 1, 4, nullptr};
  if ((*session)->invoke(in).is_ok()) ++stats->invoked;
  in.seq = 1;
  (void)(*session)->invoke(in);
}

void random_flips(const std::vector<uint8_t>& valid, uint64_t seed, int iterations, const char* name) {
  std::mt19937_64 rng(seed);
  const size_t fb_end = static_cast<size_t>(header_end(valid));
  FlipStats stats;
  for (int it = 0; it < iterations; ++it) {
    std::vector<uint8_t> bytes = valid;
    const int n_flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < n_flips; ++f) {
      // Mostly the FlatBuffer header: that is where structure lives.
      const size_t limit = rng() % 8 == 0 ? bytes.size() : fb_end;
      const size_t at = static_cast<size_t>(rng() % limit);
      switch (rng() % 4) {
        case 0: bytes[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
        case 1: bytes[at] = static_cast<uint8_t>(rng()); break;
        case 2: bytes[at] = 0xFF; break;
        default: bytes[at] = 0x00; break;
      }
    }
    CAPTURE(it);
    exercise(bytes, &stats);
  }
  MESSAGE(std::string(name), ": ", iterations, " flipped copies: ", stats.rejected, " rejected with a Status, ", stats.loaded,
          " loaded, ", stats.sessions, " sessions created, ", stats.invoked, " invoked");
  CHECK(stats.rejected > 0);
  CHECK(stats.loaded + stats.rejected == iterations);
}

TEST_CASE("random byte flips never crash") {
  const int iterations = env_int("EDGEATTN_FLIP_ITERATIONS", 3000);
  SUBCASE("llama") { random_flips(tiny_llama_bytes(), 0xEA7001, iterations, "llama"); }
  SUBCASE("bert") { random_flips(tiny_bert_bytes(), 0xEA7002, iterations, "bert"); }
}

// ------------------------------------------------------------------ fuzz seeds

TEST_CASE("write fuzz seeds when asked") {
  const char* dir = std::getenv("EDGEATTN_WRITE_FUZZ_SEEDS");
  if (dir == nullptr || *dir == '\0') return;
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> seeds = {
      {"tiny_llama.eatn", tiny_llama_bytes()},
      {"tiny_bert.eatn", tiny_bert_bytes()},
      {"tiny_whisper.eatn", testing::tiny_whisper_bytes()},
      {"tiny_llama_no_tokenizer.eatn", tiny_llama_bytes(testing::tiny_llama_config(), nullptr, false)},
      {"tiny_llama_1layer_vocab32.eatn",
       [] {
         convert::LlamaConfig c = testing::tiny_llama_config();
         c.n_layers = 1;
         c.vocab_size = 32;
         return tiny_llama_bytes(c, nullptr, false);
       }()},
      {"tiny_bert_no_pooling.eatn",
       [] {
         convert::BertConfig c = testing::tiny_bert_config();
         c.pooling = "";
         c.n_layers = 1;
         return tiny_bert_bytes(c, nullptr, false);
       }()},
  };
  for (const auto& [name, bytes] : seeds) {
    const std::string path = std::string(dir) + "/" + name;
    CHECK(write_file(path, bytes.data(), bytes.size()));
    MESSAGE("wrote ", path, " (", bytes.size(), " bytes)");
  }
}


}  // namespace
}  // namespace bad_model
}  // namespace edgeattn
