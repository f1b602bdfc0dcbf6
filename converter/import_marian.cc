// Marian / Bergamot translation model folders (Firefox Translations):
//   config*.yml          the decoder config: models, vocabs, shortlist,
//                        beam-size, max-length-factor, gemm-precision
//   model.*.bin          Marian binary (marian_model.h), intgemm8 weights
//   vocab.*.spm          SentencePiece unigram vocabulary (shared)
//   lex.*.s2t.bin        binary lexical shortlist (marian_shortlist.h)
// Weights: int8 exactly as Mozilla shipped them (values and multipliers,
// with each layer's static activation multiplier), or dequantized to f32
// the way Marian dequantizes its embeddings (q * (1 / mult)).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "converter/graphs.h"
#include "converter/import_common.h"
#include "converter/importers.h"
#include "converter/source/marian_model.h"
#include "converter/source/marian_shortlist.h"
#include "converter/source/yaml_lite.h"
#include "converter/tokenizer_import.h"

namespace edgeattn::convert {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxPositions = 1024;  // rows of the sinusoidal table: source and output tokens

// A Marian decoder config's name: config*.yml.
bool is_decoder_config(const fs::path& p) {
  return p.extension() == ".yml" && p.filename().string().rfind("config", 0) == 0;
}

// The decoder config in `dir`; throws if none or several.
fs::path find_config(const std::string& dir) {
  fs::path found;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!is_decoder_config(e.path())) continue;
    if (!found.empty()) throw_convert_error(dir, "several config*.yml files; keep one");
    found = e.path();
  }
  if (found.empty()) throw_convert_error(dir, "no Marian decoder config (config*.yml)");
  return found;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw_convert_error(p.string(), "cannot open");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Checks that model.yml describes the architecture build_marian() builds.
MarianConfig marian_config(const MarianFile& f) {
  const std::string where = f.path() + ":special:model.yml";
  const YamlLite y = YamlLite::parse(f.text("special:model.yml"), where);
  auto require = [&](const std::string& key, const std::string& want) {
    const std::string got = y.get_or(key, "");
    if (got != want) throw_convert_error(where, key + " is '" + got + "'; only '" + want + "' is supported");
  };
  require("type", "transformer");
  require("transformer-decoder-autoreg", "rnn");
  require("dec-cell", "ssru");
  require("tied-embeddings-all", "true");
  require("transformer-postprocess", "dan");
  require("transformer-preprocess", "");
  require("transformer-postprocess-emb", "d");
  require("transformer-postprocess-top", "");
  require("transformer-ffn-activation", "relu");
  require("transformer-ffn-depth", "2");
  require("transformer-train-position-embeddings", "false");
  require("layer-normalization", "false");
  require("output-omit-bias", "false");
  const std::vector<std::string> vocabs = y.list("dim-vocabs");
  if (vocabs.size() != 2 || vocabs[0] != vocabs[1]) throw_convert_error(where, "dim-vocabs must be two equal sizes (a shared vocabulary)");
  MarianConfig c;
  c.dim = static_cast<int>(y.get_int("dim-emb"));
  c.n_heads = static_cast<int>(y.get_int("transformer-heads"));
  c.ffn = static_cast<int>(y.get_int("transformer-dim-ffn"));
  c.encoder_layers = static_cast<int>(y.get_int("enc-depth"));
  c.decoder_layers = static_cast<int>(y.get_int("dec-depth"));
  c.vocab_size = std::stoi(vocabs[0]);
  c.max_positions = kMaxPositions;
  return c;
}

// The weights as Mozilla shipped them (int8) or dequantized (f32).
class MarianFileWeights : public MarianWeights {
 public:
  MarianFileWeights(const MarianFile& f, bool int8, Progress& progress) : f_(f), int8_(int8), progress_(progress) {}

  int matrix(ModelBuilder& mb, const std::string& name, int64_t rows, int64_t cols) override {
    const int existing = mb.find_tensor(name);
    if (existing >= 0) return existing;
    progress_.tick(name);
    const MarianItem& it = f_.item(name);
    // Linear weights are declared [in, out] and stored transposed; the
    // embedding table is declared and stored [vocab, dim].
    const std::vector<int64_t> declared = name == "Wemb" ? std::vector<int64_t>{rows, cols} : std::vector<int64_t>{cols, rows};
    if (it.type != kMarianIntgemm8 || it.shape != declared) {
      throw_convert_error(f_.path(), "item '" + name + "' is not an intgemm8 matrix of shape " + shape_to_string(declared));
    }
    const float mult = f_.quant_mult(it);
    const size_t n = static_cast<size_t>(rows * cols);
    const int8_t* q = reinterpret_cast<const int8_t*>(it.data);
    if (int8_) {
      return mb.add_constant_i8(name, {rows, cols}, std::vector<int8_t>(q, q + n),
                                std::vector<float>(static_cast<size_t>(rows), 1.0f / mult));
    }
    std::vector<float> w(n);
    const float scale = 1.0f / mult;
    for (size_t i = 0; i < n; ++i) w[i] = static_cast<float>(q[i]) * scale;
    return mb.add_constant_f32(name, {rows, cols}, std::move(w));
  }

  float activation_multiplier(const std::string& name) override {
    if (!int8_) return 0.0f;
    const float m = f_.scalar(name + "_QuantMultA");
    if (!(m > 0) || m > 1e30f) throw_convert_error(f_.path(), "item '" + name + "_QuantMultA' = " + std::to_string(m));
    return m;
  }

  std::vector<float> vector(const std::string& name, int64_t n) override {
    progress_.tick(name);
    const MarianItem& it = f_.item(name);
    if (it.type != kMarianFloat32 || it.elements() != static_cast<uint64_t>(n)) {
      throw_convert_error(f_.path(), "item '" + name + "' is not a float32 vector of " + std::to_string(n));
    }
    return f_.floats(it);
  }

 private:
  const MarianFile& f_;
  bool int8_;
  Progress& progress_;
};

std::unique_ptr<fb::DecodingConfigT> marian_decoding(const YamlLite& config, const fb::TokenizerT& t,
                                                     const MarianConfig& c, const std::string& where) {
  if (config.get_or("beam-size", "1") != "1") {
    throw_convert_error(where, "beam-size " + config.get("beam-size") + ": only greedy decoding (1) is supported");
  }
  auto d = std::make_unique<fb::DecodingConfigT>();
  d->start_ids = {c.vocab_size};  // the Embedding's zero_id: Marian starts from a zero embedding
  d->eos_id = t.eos_id;
  d->max_length = c.max_positions;
  d->max_length_factor = static_cast<float>(config.has("max-length-factor") ? config.get_double("max-length-factor") : 3.0);
  if (t.unk_id >= 0) d->suppress_ids = {t.unk_id};  // Marian's allow-unk defaults to false
  return d;
}

// shared: both vocabularies are one file, as Bergamot decides Marian's
// BinaryShortlistGenerator `shared` flag (the source ids are selected too).
std::unique_ptr<fb::LexicalShortlistT> marian_shortlist(const std::string& path, const MarianConfig& c, bool shared) {
  MarianShortlist s = read_marian_shortlist(path, static_cast<size_t>(c.vocab_size), static_cast<size_t>(c.vocab_size));
  auto l = std::make_unique<fb::LexicalShortlistT>();
  l->first_num = s.first_num;
  l->best_num = s.best_num;
  l->offsets = std::move(s.offsets);
  l->words = std::move(s.words);
  l->include_source_ids = shared;
  return l;
}

}  // namespace

bool is_marian_dir(const std::string& dir) {
  if (!fs::is_directory(dir)) return false;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (is_decoder_config(e.path())) return true;
  }
  return false;
}

void import_marian(const std::string& dir, const ImportOptions& options, ModelBuilder& mb) {
  const fs::path config_path = find_config(dir);
  const YamlLite config = YamlLite::parse(read_text(config_path), config_path.string());
  const std::vector<std::string> models = config.list("models");
  const std::vector<std::string> vocabs = config.list("vocabs");
  if (models.size() != 1) throw_convert_error(config_path.string(), "lists " + std::to_string(models.size()) + " models; one is supported");
  if (vocabs.size() != 2 || vocabs[0] != vocabs[1]) throw_convert_error(config_path.string(), "vocabs must name one shared vocabulary twice");
  const fs::path base = fs::path(dir);
  const MarianFile f = MarianFile::open((base / models[0]).string());
  const MarianConfig c = marian_config(f);
  Progress progress{options, f.items().size()};
  MarianFileWeights weights(f, options.marian_int8, progress);
  build_marian(mb, c, weights);
  mb.model().tokenizer = import_spm_tokenizer((base / vocabs[0]).string());
  if (static_cast<int>(mb.model().tokenizer->pieces.size()) != c.vocab_size) {
    throw_convert_error(vocabs[0], std::to_string(mb.model().tokenizer->pieces.size()) + " pieces, the model has a vocabulary of " + std::to_string(c.vocab_size));
  }
  mb.model().decoding = marian_decoding(config, *mb.model().tokenizer, c, config_path.string());
  if (config.has("shortlist")) {
    const std::vector<std::string> shortlist = config.list("shortlist");
    if (!shortlist.empty()) mb.model().shortlist = marian_shortlist((base / shortlist[0]).string(), c, vocabs[0] == vocabs[1]);
  }
  set_producer(mb, dir, "marian");
  mb.model().producer->dtype = options.marian_int8 ? "int8" : "fp32";
}

}  // namespace edgeattn::convert
