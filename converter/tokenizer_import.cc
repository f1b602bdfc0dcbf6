#include "converter/tokenizer_import.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <unordered_map>

#include "converter/source/convert_error.h"
#include "converter/source/gguf.h"
#include "converter/source/json_file.h"
#include "converter/source/llama2c.h"
#include "converter/source/spm_model.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn::convert {
namespace {

std::unique_ptr<fb::TokenizerT> sentencepiece_defaults() {
  auto t = std::make_unique<fb::TokenizerT>();
  t->kind = fb::TokenizerKind::SentencePieceBpe;
  t->add_dummy_prefix = true;
  t->byte_fallback = true;
  return t;
}

int find_piece(const std::vector<std::string>& pieces, const std::string& piece) {
  auto it = std::find(pieces.begin(), pieces.end(), piece);
  return it == pieces.end() ? -1 : static_cast<int>(it - pieces.begin());
}

// Replaces SentencePiece's word-boundary marker U+2581 with a space.
std::string unmark(const std::string& piece) {
  static const std::string kMarker = "\xE2\x96\x81";
  std::string out;
  for (size_t i = 0; i < piece.size();) {
    if (piece.compare(i, kMarker.size(), kMarker) == 0) {
      out += ' ';
      i += kMarker.size();
    } else {
      out += piece[i++];
    }
  }
  return out;
}

// The ByteLevel pre-tokenizer of a tokenizer.json: the pre_tokenizer itself
// or the only member of a Sequence; nullptr if there is none.
const nlohmann::json* byte_level_pre_tokenizer(const nlohmann::json& j) {
  if (!j.contains("pre_tokenizer")) return nullptr;
  const nlohmann::json& pre = j["pre_tokenizer"];
  if (!pre.is_object()) return nullptr;
  if (pre.value("type", "") == "ByteLevel") return &pre;
  if (pre.value("type", "") == "Sequence" && pre.contains("pretokenizers")) {
    const nlohmann::json& seq = pre["pretokenizers"];
    for (const auto& p : seq) {
      if (p.is_object() && p.value("type", "") == "ByteLevel") return &p;
    }
  }
  return nullptr;
}

bool decoder_is_byte_level(const nlohmann::json& j) {
  return j.contains("decoder") && j["decoder"].is_object() && j["decoder"].value("type", "") == "ByteLevel";
}

// Special ids of a GPT-2 vocabulary: "<|endoftext|>" is both BOS and EOS.
void set_gpt2_specials(fb::TokenizerT* t) {
  t->kind = fb::TokenizerKind::ByteLevelBpe;
  const int eot = find_piece(t->pieces, "<|endoftext|>");
  t->bos_id = eot;
  t->eos_id = eot;
}

// tokenizer.json model "BPE" with a ByteLevel pre-tokenizer (GPT-2, RoBERTa
// style): pieces stay in the byte alphabet, merges become "left right".
void import_byte_level_bpe(const nlohmann::json& j, const nlohmann::json& pre, const std::string& path,
                           fb::TokenizerT* t) {
  const nlohmann::json& model = j.at("model");
  const nlohmann::json& seq = j["pre_tokenizer"];
  if (seq.value("type", "") == "Sequence" && seq["pretokenizers"].size() != 1) {
    throw_convert_error(path, "a ByteLevel pre_tokenizer inside a Sequence with other pre-tokenizers "
                              "(a non-GPT-2 split regex) is not supported");
  }
  if (!pre.value("use_regex", true)) {
    throw_convert_error(path, "ByteLevel pre_tokenizer with use_regex false is not supported");
  }
  if (j.contains("normalizer") && !j["normalizer"].is_null()) {
    throw_convert_error(path, "a normalizer with a ByteLevel BPE model is not supported");
  }
  auto non_empty = [&](const char* key) {
    return model.contains(key) && model[key].is_string() && !model[key].get<std::string>().empty();
  };
  if (non_empty("continuing_subword_prefix") || non_empty("end_of_word_suffix") ||
      model.value("byte_fallback", false) || model.value("ignore_merges", false)) {
    throw_convert_error(path, "ByteLevel BPE with continuing_subword_prefix, end_of_word_suffix, "
                              "byte_fallback or ignore_merges is not supported");
  }
  set_gpt2_specials(t);
  // HF's ByteLevel default is add_prefix_space true; GPT-2's files say false.
  t->add_prefix_space = pre.value("add_prefix_space", true);
  if (model.contains("unk_token") && model["unk_token"].is_string()) {
    t->unk_id = find_piece(t->pieces, model["unk_token"].get<std::string>());
  }
  for (const auto& m : model.at("merges")) {
    if (m.is_string()) {
      t->merges.push_back(m.get<std::string>());
    } else {
      const std::string a = m.at(0).get<std::string>();
      const std::string b = m.at(1).get<std::string>();
      if (a.find(' ') != std::string::npos || b.find(' ') != std::string::npos) {
        throw_convert_error(path, "merge [\"" + a + "\", \"" + b + "\"] has a piece with a space");
      }
      t->merges.push_back(a + " " + b);
    }
  }
}

// GPT-2's original files: vocab.json {piece: id} and merges.txt ("a b" per
// line after a "#version" line).
void import_vocab_json_merges(const std::string& dir, fb::TokenizerT* t) {
  const std::string vocab_path = dir + "/vocab.json";
  const std::string merges_path = dir + "/merges.txt";
  nlohmann::json vocab = read_json_file(vocab_path);
  if (!vocab.is_object()) throw_convert_error(vocab_path, "not a JSON object of piece -> id");
  std::map<int64_t, std::string> by_id;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer()) {
      throw_convert_error(vocab_path, "id of '" + it.key() + "' is not an integer");
    }
    if (!by_id.emplace(it.value().get<int64_t>(), it.key()).second) {
      throw_convert_error(vocab_path, "id " + std::to_string(it.value().get<int64_t>()) + " is repeated");
    }
  }
  for (const auto& [id, piece] : by_id) {
    if (id != static_cast<int64_t>(t->pieces.size())) {
      throw_convert_error(vocab_path, "vocabulary ids are not contiguous at id " + std::to_string(id));
    }
    t->pieces.push_back(piece);
  }
  std::ifstream in(merges_path, std::ios::binary);
  if (!in) throw_convert_error(merges_path, "cannot open");
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const bool version = first && line.rfind("#version", 0) == 0;
    first = false;
    if (version || line.empty()) continue;
    t->merges.push_back(line);
  }
  set_gpt2_specials(t);
  t->add_prefix_space = false;
}

// The byte of a SentencePiece byte piece "<0xNN>" (upper-case hex, as
// SentencePiece spells them), or -1.
int spm_byte_piece(const std::string& piece) {
  static const char kHex[] = "0123456789ABCDEF";
  if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>') return -1;
  const char* hi = std::strchr(kHex, piece[3]);
  const char* lo = std::strchr(kHex, piece[4]);
  if (piece[3] == '\0' || piece[4] == '\0' || hi == nullptr || lo == nullptr) return -1;
  return static_cast<int>((hi - kHex) * 16 + (lo - kHex));
}

// What the runtime's unigram tokenizer cannot reproduce, as a ConvertError.
void check_spm_supported(const SpmModel& m, const std::string& path) {
  if (m.model_type != SpmModel::kUnigram) {
    throw_convert_error(path, "SentencePiece model_type " + spm_model_type_name(m.model_type) +
                                  " is not supported (only UNIGRAM)");
  }
  if (m.treat_whitespace_as_suffix) {
    throw_convert_error(path, "SentencePiece trainer_spec.treat_whitespace_as_suffix is not supported");
  }
  if (m.denormalizer.present && !m.denormalizer.precompiled_charsmap.empty()) {
    throw_convert_error(path, "a SentencePiece denormalizer_spec ('" + m.denormalizer.name + "') is not supported");
  }
  if (m.has_unk_surface && m.unk_surface != " \xE2\x81\x87 ") {
    throw_convert_error(path, "SentencePiece unk_surface '" + m.unk_surface +
                                  "' is not supported (only \" \xE2\x81\x87 \")");
  }
}

}  // namespace

void check_runtime_accepts(const fb::TokenizerT& t, const std::string& path, const char* what) {
  std::vector<std::string_view> pieces(t.pieces.begin(), t.pieces.end());
  std::vector<std::string_view> merges(t.merges.begin(), t.merges.end());
  TokenizerSpec spec;
  spec.kind = static_cast<TokenizerKind>(t.kind);
  spec.pieces = Span<const std::string_view>(pieces.data(), pieces.size());
  spec.scores = Span<const float>(t.scores.data(), t.scores.size());
  spec.unk_id = t.unk_id;
  spec.bos_id = t.bos_id;
  spec.eos_id = t.eos_id;
  spec.pad_id = t.pad_id;
  spec.add_dummy_prefix = t.add_dummy_prefix;
  spec.byte_fallback = t.byte_fallback;
  spec.piece_types = Span<const uint8_t>(reinterpret_cast<const uint8_t*>(t.piece_types.data()), t.piece_types.size());
  spec.normalizer_charsmap = Span<const uint8_t>(t.normalizer_charsmap.data(), t.normalizer_charsmap.size());
  spec.remove_extra_whitespaces = t.remove_extra_whitespaces;
  spec.escape_whitespaces = t.escape_whitespaces;
  spec.merges = Span<const std::string_view>(merges.data(), merges.size());
  spec.add_prefix_space = t.add_prefix_space;
  spec.pre_tokenizer = static_cast<PreTokenizer>(t.pre_tokenizer);
  spec.add_bos = t.add_bos;
  Result<std::unique_ptr<Tokenizer>> tok = Tokenizer::create(spec);
  if (!tok.is_ok()) {
    throw_convert_error(path, std::string(what) + " refused: " + tok.status().message());
  }
}

std::unique_ptr<fb::TokenizerT> import_llama2c_tokenizer(const std::string& path, int vocab_size) {
  Llama2cTokenizerFile file = Llama2cTokenizerFile::open(path, vocab_size);
  auto t = sentencepiece_defaults();
  t->pieces = file.pieces();
  t->scores = file.scores();
  // llama2.c's fixed convention: <unk>, <s>, </s>.
  t->unk_id = 0;
  t->bos_id = 1;
  t->eos_id = 2;
  return t;
}

std::unique_ptr<fb::TokenizerT> import_gguf_tokenizer(const GgufFile& gguf) {
  const std::string model = gguf.get_string("tokenizer.ggml.model");
  if (model == "gpt2") return import_gguf_byte_level_bpe(gguf);
  if (model != "llama") {
    throw_convert_error(gguf.path(), "tokenizer.ggml.model '" + model + "' is not supported ('llama', 'gpt2')");
  }
  auto t = sentencepiece_defaults();
  t->pieces = gguf.get_string_array("tokenizer.ggml.tokens");
  for (std::string& p : t->pieces) p = unmark(p);
  t->scores = gguf.get_f32_array("tokenizer.ggml.scores");
  if (t->scores.size() != t->pieces.size()) {
    throw_convert_error(gguf.path(), "tokenizer.ggml.scores has " + std::to_string(t->scores.size()) +
                                         " entries for " + std::to_string(t->pieces.size()) + " tokens");
  }
  auto id = [&](const char* key) -> int {
    if (!gguf.has(key)) return -1;
    int64_t v = gguf.get_i64(key);
    return v >= 0 && v < static_cast<int64_t>(t->pieces.size()) ? static_cast<int>(v) : -1;
  };
  t->unk_id = id("tokenizer.ggml.unknown_token_id");
  t->bos_id = id("tokenizer.ggml.bos_token_id");
  t->eos_id = id("tokenizer.ggml.eos_token_id");
  t->pad_id = id("tokenizer.ggml.padding_token_id");
  if (gguf.has("tokenizer.ggml.add_space_prefix")) t->add_dummy_prefix = gguf.get_bool("tokenizer.ggml.add_space_prefix");
  return t;
}

std::unique_ptr<fb::TokenizerT> spm_tokenizer_table(const SpmModel& m, const std::string& path) {
  check_spm_supported(m, path);
  auto t = std::make_unique<fb::TokenizerT>();
  t->kind = fb::TokenizerKind::SentencePieceUnigram;
  std::unordered_map<std::string, int> index;
  bool bytes[256] = {};
  for (size_t i = 0; i < m.pieces.size(); ++i) {
    const SpmPiece& p = m.pieces[i];
    const int id = static_cast<int>(i);
    const auto [at, fresh] = index.emplace(p.piece, id);
    if (!fresh) {
      throw_convert_error(path, "piece " + std::to_string(i) + " '" + p.piece + "' repeats piece " +
                                    std::to_string(at->second) + " (SentencePiece refuses duplicates)");
    }
    if (p.type == SpmPiece::kUnknown) {
      if (t->unk_id >= 0) {
        throw_convert_error(path, "pieces " + std::to_string(t->unk_id) + " and " + std::to_string(i) +
                                      " are both of type UNKNOWN");
      }
      t->unk_id = id;
    }
    if (p.type == SpmPiece::kByte) {
      const int value = spm_byte_piece(p.piece);
      if (!m.byte_fallback || value < 0) {
        throw_convert_error(path, "byte piece " + std::to_string(i) + " '" + p.piece + "'" +
                                      (m.byte_fallback ? " is not <0xNN>" : " but byte_fallback is false"));
      }
      bytes[value] = true;
    }
    t->pieces.push_back(p.piece);
    t->scores.push_back(p.score);
    t->piece_types.push_back(static_cast<fb::PieceType>(p.type));
  }
  if (t->unk_id < 0) throw_convert_error(path, "no piece of type UNKNOWN (SentencePiece requires one)");
  if (m.byte_fallback && std::find(bytes, bytes + 256, false) != bytes + 256) {
    throw_convert_error(path, "byte_fallback is true but not all 256 byte pieces <0x00>..<0xFF> are present");
  }
  auto control = [&](const std::string& name) {
    auto it = index.find(name);
    return it != index.end() && m.pieces[static_cast<size_t>(it->second)].type == SpmPiece::kControl ? it->second
                                                                                                       : -1;
  };
  t->bos_id = control(m.bos_piece);
  t->eos_id = control(m.eos_piece);
  t->pad_id = control(m.pad_piece);
  t->byte_fallback = m.byte_fallback;
  t->add_dummy_prefix = m.normalizer.add_dummy_prefix;
  t->remove_extra_whitespaces = m.normalizer.remove_extra_whitespaces;
  t->escape_whitespaces = m.normalizer.escape_whitespaces;
  const std::string& charsmap = m.normalizer.precompiled_charsmap;
  t->normalizer_charsmap.assign(charsmap.begin(), charsmap.end());
  check_runtime_accepts(*t, path, "SentencePiece model");
  return t;
}

std::unique_ptr<fb::TokenizerT> import_spm_tokenizer(const std::string& path) {
  return spm_tokenizer_table(SpmModel::open(path), path);
}

std::unique_ptr<fb::TokenizerT> import_hf_tokenizer(const std::string& dir, int max_length) {
  namespace fs = std::filesystem;
  const std::string json_path = dir + "/tokenizer.json";
  const std::string vocab_path = dir + "/vocab.txt";
  const std::string vocab_json_path = dir + "/vocab.json";
  const std::string merges_path = dir + "/merges.txt";
  auto t = std::make_unique<fb::TokenizerT>();
  t->max_length = max_length;
  if (fs::exists(json_path)) {
    nlohmann::json j = read_json_file(json_path);
    const nlohmann::json& model = j.at("model");
    const std::string type = model.value("type", "");
    std::map<int64_t, std::string> by_id;
    for (auto it = model.at("vocab").begin(); it != model.at("vocab").end(); ++it) by_id[it.value().get<int64_t>()] = it.key();
    if (j.contains("added_tokens")) {
      for (const auto& a : j["added_tokens"]) by_id[a.at("id").get<int64_t>()] = a.at("content").get<std::string>();
    }
    for (const auto& [id, piece] : by_id) {
      if (id != static_cast<int64_t>(t->pieces.size())) {
        throw_convert_error(json_path, "vocabulary ids are not contiguous at id " + std::to_string(id));
      }
      t->pieces.push_back(piece);
    }
    if (type == "WordPiece") {
      t->kind = fb::TokenizerKind::WordPiece;
      t->continuing_subword_prefix = model.value("continuing_subword_prefix", "##");
      t->max_input_chars_per_word = model.value("max_input_chars_per_word", 100u);
      const nlohmann::json& norm = j.at("normalizer");
      if (!norm.is_null()) {
        t->lowercase = norm.value("lowercase", true);
        t->clean_text = norm.value("clean_text", true);
        t->tokenize_chinese_chars = norm.value("handle_chinese_chars", true);
        // BERT: strip_accents unset means "follow lowercase".
        t->strip_accents = norm.contains("strip_accents") && !norm["strip_accents"].is_null()
                               ? norm["strip_accents"].get<bool>()
                               : t->lowercase;
      }
      t->unk_id = find_piece(t->pieces, model.value("unk_token", "[UNK]"));
    } else if (type == "BPE" && byte_level_pre_tokenizer(j) != nullptr) {
      import_byte_level_bpe(j, *byte_level_pre_tokenizer(j), json_path, t.get());
    } else if (type == "BPE" && decoder_is_byte_level(j)) {
      throw_convert_error(json_path, "BPE with a ByteLevel decoder but no ByteLevel pre_tokenizer is not supported");
    } else if (type == "BPE") {
      // SentencePiece-style BPE exported by HF (Llama): merge priority becomes
      // the score (earlier merge = higher score), "▁" becomes a space.
      t->kind = fb::TokenizerKind::SentencePieceBpe;
      t->byte_fallback = model.value("byte_fallback", false);
      t->add_dummy_prefix = true;
      std::vector<std::string> marked = t->pieces;
      for (std::string& p : t->pieces) p = unmark(p);
      // HF's BPE forms a piece only through a merge listed for it. A piece no
      // merge makes (specials, <0xNN>, or "<s>" in a file trained by
      // `tokenizers` that has "<s" and ">" but no "<s >" merge) gets -inf,
      // which the runtime never merges into; a finite score would let it
      // turn the text "<s>" into the BOS id.
      t->scores.assign(t->pieces.size(), -std::numeric_limits<float>::infinity());
      std::map<std::string, size_t> index;
      for (size_t i = 0; i < marked.size(); ++i) index.emplace(marked[i], i);
      size_t rank = 0;
      for (const auto& m : model.at("merges")) {
        std::string merged;
        if (m.is_string()) {
          std::string s = m.get<std::string>();
          size_t space = s.find(' ');
          merged = space == std::string::npos ? s : s.substr(0, space) + s.substr(space + 1);
        } else {
          merged = m.at(0).get<std::string>() + m.at(1).get<std::string>();
        }
        auto it = index.find(merged);
        if (it != index.end()) t->scores[it->second] = -static_cast<float>(rank);
        ++rank;
      }
      t->unk_id = find_piece(marked, "<unk>");
      t->bos_id = find_piece(marked, "<s>");
      t->eos_id = find_piece(marked, "</s>");
    } else {
      throw_convert_error(json_path, "tokenizer model type '" + type + "' is not supported (WordPiece, BPE)");
    }
  } else if (fs::exists(vocab_json_path) && fs::exists(merges_path)) {
    import_vocab_json_merges(dir, t.get());
  } else if (fs::exists(vocab_path)) {
    std::ifstream in(vocab_path);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      t->pieces.push_back(line);
    }
    t->kind = fb::TokenizerKind::WordPiece;
    t->continuing_subword_prefix = "##";
    t->lowercase = t->strip_accents = t->clean_text = t->tokenize_chinese_chars = true;
    t->unk_id = find_piece(t->pieces, "[UNK]");
  } else {
    throw_convert_error(dir, "no tokenizer.json, vocab.json + merges.txt or vocab.txt");
  }
  if (t->kind == fb::TokenizerKind::WordPiece) {
    t->cls_id = find_piece(t->pieces, "[CLS]");
    t->sep_id = find_piece(t->pieces, "[SEP]");
    t->pad_id = find_piece(t->pieces, "[PAD]");
    t->mask_id = find_piece(t->pieces, "[MASK]");
  }
  return t;
}

}  // namespace edgeattn::convert
