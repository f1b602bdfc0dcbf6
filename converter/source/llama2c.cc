#include "converter/source/llama2c.h"

#include <cstring>
#include <limits>

#include "converter/source/byte_reader.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert {

namespace {

// Multiplies non-negative factors into *acc; false on overflow.
bool mul_into(uint64_t* acc, uint64_t v) {
  if (v != 0 && *acc > std::numeric_limits<uint64_t>::max() / v) return false;
  *acc *= v;
  return true;
}

// One array of the file, in file order. `what` is the GGUF-style name (for
// per-layer arrays without the "blk.N." prefix).
struct Section {
  const char* what;
  bool per_layer;
  uint64_t layers;  // 1 for global arrays
  uint64_t rows;
  uint64_t cols;    // 0 for vectors
};

std::vector<Section> layout(const Llama2cConfig& c) {
  const uint64_t L = static_cast<uint64_t>(c.n_layers);
  const uint64_t dim = static_cast<uint64_t>(c.dim);
  const uint64_t hidden = static_cast<uint64_t>(c.hidden_dim);
  const uint64_t kv = static_cast<uint64_t>(c.kv_dim());
  const uint64_t vocab = static_cast<uint64_t>(c.vocab_size);
  const uint64_t half = static_cast<uint64_t>(c.head_size() / 2);
  const uint64_t seq = static_cast<uint64_t>(c.seq_len);
  std::vector<Section> s = {
      {"token_embd.weight", false, 1, vocab, dim},
      {"attn_norm.weight", true, L, dim, 0},
      {"attn_q.weight", true, L, dim, dim},
      {"attn_k.weight", true, L, kv, dim},
      {"attn_v.weight", true, L, kv, dim},
      {"attn_output.weight", true, L, dim, dim},
      {"ffn_norm.weight", true, L, dim, 0},
      {"ffn_gate.weight", true, L, hidden, dim},
      {"ffn_down.weight", true, L, dim, hidden},
      {"ffn_up.weight", true, L, hidden, dim},
      {"output_norm.weight", false, 1, dim, 0},
      {"freq_cis_real", false, 1, seq, half},
      {"freq_cis_imag", false, 1, seq, half},
  };
  if (!c.shared_classifier) s.push_back({"output.weight", false, 1, vocab, dim});
  return s;
}

bool section_floats(const Section& s, uint64_t* out) {
  uint64_t n = s.layers;
  return mul_into(&n, s.rows) && mul_into(&n, s.cols ? s.cols : 1) && (*out = n, true);
}

}  // namespace

uint64_t Llama2cCheckpoint::expected_file_size(const Llama2cConfig& config) {
  uint64_t floats = 0;
  for (const Section& s : layout(config)) {
    uint64_t n = 0;
    if (!section_floats(s, &n) || n > std::numeric_limits<uint64_t>::max() - floats) return 0;
    floats += n;
  }
  uint64_t bytes = floats;
  if (!mul_into(&bytes, sizeof(float)) || bytes > std::numeric_limits<uint64_t>::max() - kHeaderBytes) {
    return 0;
  }
  return bytes + kHeaderBytes;
}

Llama2cCheckpoint Llama2cCheckpoint::open(const std::string& path) {
  Llama2cCheckpoint ck;
  ck.file_ = MappedFile::open(path);
  ByteReader r(path, ck.file_.data(), ck.file_.size());
  if (ck.file_.size() < kHeaderBytes) {
    throw_convert_error(path, "file is " + std::to_string(ck.file_.size()) +
                                  " bytes, too short for the 28-byte llama2.c header");
  }
  Llama2cConfig& c = ck.config_;
  c.dim = r.i32("dim");
  c.hidden_dim = r.i32("hidden_dim");
  c.n_layers = r.i32("n_layers");
  c.n_heads = r.i32("n_heads");
  c.n_kv_heads = r.i32("n_kv_heads");
  int32_t vocab = r.i32("vocab_size");
  c.seq_len = r.i32("seq_len");
  auto header = [&] {
    return "header {dim " + std::to_string(c.dim) + ", hidden_dim " + std::to_string(c.hidden_dim) +
           ", n_layers " + std::to_string(c.n_layers) + ", n_heads " + std::to_string(c.n_heads) +
           ", n_kv_heads " + std::to_string(c.n_kv_heads) + ", vocab_size " + std::to_string(vocab) +
           ", seq_len " + std::to_string(c.seq_len) + "}";
  };
  if (c.dim <= 0 || c.hidden_dim <= 0 || c.n_layers <= 0 || c.n_heads <= 0 || c.n_kv_heads <= 0 ||
      vocab == 0 || vocab == std::numeric_limits<int32_t>::min() || c.seq_len <= 0) {
    throw_convert_error(path, header() + ": every field must be positive (vocab_size may be "
                                         "negative) - not a llama2.c checkpoint?");
  }
  c.shared_classifier = vocab > 0;
  c.vocab_size = vocab > 0 ? vocab : -vocab;
  if (c.dim % c.n_heads != 0) {
    throw_convert_error(path, header() + ": n_heads does not divide dim");
  }
  if (c.head_size() % 2 != 0) {
    throw_convert_error(path, header() + ": head size " + std::to_string(c.head_size()) +
                                  " is odd; rotary embedding needs pairs");
  }
  if (c.n_kv_heads > c.n_heads || c.n_heads % c.n_kv_heads != 0) {
    throw_convert_error(path, header() + ": n_kv_heads does not divide n_heads");
  }
  const uint64_t expected = expected_file_size(c);
  if (expected == 0) throw_convert_error(path, header() + ": sizes overflow");
  if (ck.file_.size() != expected) {
    const bool longer = ck.file_.size() > expected;
    throw_convert_error(path, header() + " needs exactly " + std::to_string(expected) +
                                  " bytes (" + (c.shared_classifier ? "shared" : "unshared") +
                                  " classifier) but the file has " +
                                  std::to_string(ck.file_.size()) +
                                  (longer ? " (trailing bytes)" : " (truncated)"));
  }

  // Sizes are now known to fit in the file; cut the arrays out.
  for (const Section& s : layout(c)) {
    for (uint64_t layer = 0; layer < s.layers; ++layer) {
      SourceTensor t;
      t.dtype = SourceDType::kF32;
      t.source = path;
      t.shape = {static_cast<int64_t>(s.rows)};
      if (s.cols) t.shape.push_back(static_cast<int64_t>(s.cols));
      const uint64_t n = s.rows * (s.cols ? s.cols : 1);
      t.nbytes = static_cast<size_t>(n * sizeof(float));
      t.data = r.take(t.nbytes, s.what);
      const std::string what = s.what;
      if (what == "freq_cis_real" || what == "freq_cis_imag") {
        t.name = what;
        (what == "freq_cis_real" ? ck.freq_cis_real_ : ck.freq_cis_imag_) = std::move(t);
        continue;
      }
      t.name = s.per_layer ? "blk." + std::to_string(layer) + "." + what : what;
      ck.index_[t.name] = ck.tensors_.size();
      ck.tensors_.push_back(std::move(t));
    }
  }
  return ck;
}

const SourceTensor* Llama2cCheckpoint::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

const SourceTensor& Llama2cCheckpoint::tensor(const std::string& name) const {
  const SourceTensor* t = find(name);
  if (t == nullptr) throw_convert_error(path(), "tensor '" + name + "' not found");
  return *t;
}

Llama2cTokenizerFile Llama2cTokenizerFile::open(const std::string& path, int32_t vocab_size) {
  if (vocab_size <= 0) {
    throw_convert_error(path, "vocab_size " + std::to_string(vocab_size) + " must be positive");
  }
  MappedFile f = MappedFile::open(path);
  ByteReader r(path, f.data(), f.size());
  Llama2cTokenizerFile tok;
  tok.max_token_length_ = r.i32("max_token_length");
  if (tok.max_token_length_ <= 0) {
    throw_convert_error(path, "max_token_length " + std::to_string(tok.max_token_length_) +
                                  " must be positive - not a llama2.c tokenizer?");
  }
  // Each record is at least 8 bytes: bound the reservation by the file.
  if (static_cast<uint64_t>(vocab_size) > r.remaining() / 8) {
    throw_convert_error(path, "file of " + std::to_string(f.size()) + " bytes cannot hold " +
                                  std::to_string(vocab_size) + " token records");
  }
  tok.pieces_.reserve(static_cast<size_t>(vocab_size));
  tok.scores_.reserve(static_cast<size_t>(vocab_size));
  for (int32_t id = 0; id < vocab_size; ++id) {
    const size_t at = r.offset();
    const std::string where = "token " + std::to_string(id) + " at offset " + std::to_string(at);
    if (r.remaining() < 8) {
      throw_convert_error(path, where + ": truncated (expected " + std::to_string(vocab_size) +
                                    " tokens, file size " + std::to_string(f.size()) + ")");
    }
    const float score = r.f32("token score");
    const int32_t len = r.i32("token length");
    if (len < 0) {
      throw_convert_error(path, where + ": negative length " + std::to_string(len));
    }
    if (static_cast<uint64_t>(len) > r.remaining()) {
      throw_convert_error(path, where + ": length " + std::to_string(len) + " runs past end of file (" +
                                    std::to_string(r.remaining()) + " bytes left)");
    }
    tok.scores_.push_back(score);
    tok.pieces_.push_back(r.bytes_as_string(static_cast<uint64_t>(len), "token bytes"));
  }
  if (r.remaining() != 0) {
    throw_convert_error(path, std::to_string(r.remaining()) + " trailing bytes after " +
                                  std::to_string(vocab_size) + " tokens at offset " +
                                  std::to_string(r.offset()) +
                                  " (vocab_size does not match the tokenizer?)");
  }
  return tok;
}

}  // namespace edgeattn::convert
