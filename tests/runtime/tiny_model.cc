#include "tests/runtime/tiny_model.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "converter/model_builder.h"
#include "converter/pack_weights.h"

namespace edgeattn::testing {
namespace {

// FNV-1a of the name: the seed of that tensor's weights.
uint64_t hash_name(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t splitmix(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

void set_spm_tokenizer(fb::ModelT& m) {
  auto tok = std::make_unique<fb::TokenizerT>();
  tok->kind = fb::TokenizerKind::SentencePieceBpe;
  tok->pieces = tiny_spm_pieces();
  tok->scores.resize(tok->pieces.size(), 0.0f);
  // Merged pieces score by length, so longer merges win (llama2.c BPE).
  for (size_t i = 259; i < tok->pieces.size(); ++i) tok->scores[i] = -static_cast<float>(i - 259) / 100.0f;
  tok->unk_id = 0;
  tok->bos_id = 1;
  tok->eos_id = 2;
  tok->add_dummy_prefix = true;
  tok->byte_fallback = true;
  m.tokenizer = std::move(tok);
}

void set_wordpiece_tokenizer(fb::ModelT& m) {
  auto tok = std::make_unique<fb::TokenizerT>();
  tok->kind = fb::TokenizerKind::WordPiece;
  tok->pieces = tiny_wordpiece_vocab();
  tok->pad_id = 0;
  tok->unk_id = 1;
  tok->cls_id = 2;
  tok->sep_id = 3;
  tok->mask_id = 4;
  tok->lowercase = true;
  tok->strip_accents = true;
  tok->tokenize_chinese_chars = true;
  tok->clean_text = true;
  tok->continuing_subword_prefix = "##";
  tok->max_input_chars_per_word = 100;
  tok->max_length = 32;
  m.tokenizer = std::move(tok);
}

void set_producer(fb::ModelT& m, const char* what) {
  auto p = std::make_unique<fb::ProducerT>();
  p->name = "edgeattn-tests";
  p->version = "0";
  p->source = what;
  p->source_format = "synthetic";
  p->dtype = "fp32";
  m.producer = std::move(p);
}

}  // namespace

convert::LlamaConfig tiny_llama_config() {
  convert::LlamaConfig c;
  c.dim = 16;
  c.hidden_dim = 32;
  c.n_layers = 2;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.vocab_size = static_cast<int>(tiny_spm_pieces().size());
  c.max_positions = 64;
  c.norm_eps = 1e-5f;
  c.rope_theta = 10000.0f;
  return c;
}

convert::BertConfig tiny_bert_config() {
  convert::BertConfig c;
  c.hidden = 16;
  c.intermediate = 32;
  c.n_layers = 2;
  c.n_heads = 4;
  c.vocab_size = static_cast<int>(tiny_wordpiece_vocab().size());
  c.max_positions = 32;
  c.type_vocab_size = 2;
  c.norm_eps = 1e-12f;
  c.pooling = "mean";
  c.normalize = true;
  return c;
}

std::vector<std::string> tiny_spm_pieces() {
  std::vector<std::string> p = {"<unk>", "<s>", "</s>"};
  static const char kHex[] = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) p.push_back(std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">");
  // U+2581 (the SentencePiece space) is e2 96 81 in UTF-8.
  const std::string sp = "\xe2\x96\x81";
  for (const std::string& s : {sp, std::string("e"), std::string("t"), std::string("a"), std::string("o"),
                               std::string("n"), std::string("s"), std::string("h"), sp + "t", std::string("he"),
                               sp + "a", sp + "o", sp + "the"}) {
    p.push_back(s);
  }
  return p;  // 3 + 256 + 13 = 272
}

std::vector<std::string> tiny_wordpiece_vocab() {
  return {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".",     ",",    "a",    "the",  "cat",   "sat",
          "on",    "mat",   "dog",   "hello", "world",  "edge",  "##s",  "##ed", "##ing", "##er", "at",
          "##t",   "c",     "d",     "e",     "h",      "o",     "s",    "t",    "w",     "!"};
}

std::vector<float> tiny_weight(const std::string& name, const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> w(static_cast<size_t>(n));
  uint64_t state = hash_name(name);
  const bool is_norm_gamma = shape.size() == 1 && (ends_with(name, "norm.weight") || ends_with(name, "LayerNorm.weight"));
  for (float& v : w) {
    // 24 random bits -> [-1, 1).
    const float u = static_cast<float>(splitmix(&state) >> 40) / static_cast<float>(1u << 23) - 1.0f;
    v = is_norm_gamma ? 1.0f + 0.1f * u : 0.25f * u;
  }
  return w;
}

std::vector<uint8_t> tiny_llama_bytes(const ModelMutator& mutate) {
  return tiny_llama_bytes(tiny_llama_config(), mutate, true);
}

std::vector<uint8_t> tiny_llama_bytes(const convert::LlamaConfig& config, const ModelMutator& mutate,
                                      bool with_tokenizer) {
  convert::ModelBuilder mb;
  convert::build_llama(mb, config, tiny_weight, [](const std::string&) { return false; });
  if (with_tokenizer) set_spm_tokenizer(mb.model());
  set_producer(mb.model(), "tiny_llama");
  if (mutate) mutate(mb.model());
  return mb.serialize();
}

std::vector<uint8_t> tiny_bert_bytes(const ModelMutator& mutate) {
  return tiny_bert_bytes(tiny_bert_config(), mutate, true);
}

std::vector<uint8_t> tiny_bert_bytes(const convert::BertConfig& config, const ModelMutator& mutate,
                                     bool with_tokenizer) {
  convert::ModelBuilder mb;
  convert::build_bert(mb, config, tiny_weight);
  if (with_tokenizer) set_wordpiece_tokenizer(mb.model());
  set_producer(mb.model(), "tiny_bert");
  if (mutate) mutate(mb.model());
  return mb.serialize();
}

std::vector<uint8_t> tiny_bert_packed_bytes(const ModelMutator& mutate) {
  convert::ModelBuilder mb;
  convert::build_bert(mb, tiny_bert_config(), tiny_weight);
  set_wordpiece_tokenizer(mb.model());
  set_producer(mb.model(), "tiny_bert");
  if (convert::pack_f32_weights(mb) == 0) throw std::runtime_error("tiny bert: no weight packed");
  if (mutate) mutate(mb.model());
  return mb.serialize();
}

convert::WhisperConfig tiny_whisper_config() {
  convert::WhisperConfig c;
  c.dim = 16;
  c.n_heads = 4;
  c.encoder_layers = 2;
  c.decoder_layers = 2;
  c.ffn = 32;
  c.n_mels = 8;
  c.n_frames = 12;
  c.text_positions = 16;
  c.vocab_size = 40;
  return c;
}

std::vector<uint8_t> tiny_whisper_bytes(const ModelMutator& mutate) {
  const convert::WhisperConfig c = tiny_whisper_config();
  convert::ModelBuilder mb;
  convert::build_whisper(mb, c, tiny_weight);
  auto a = std::make_unique<fb::AudioFrontendT>();
  a->sample_rate = 16000;
  a->n_fft = 16;
  a->hop_length = 8;
  a->n_mels = c.n_mels;
  a->chunk_samples = c.n_frames * a->hop_length;
  a->n_frames = c.n_frames;
  a->mel_filters = mb.add_constant_f32("frontend/mel_filters", {c.n_mels, 9}, tiny_weight("frontend/mel_filters", {c.n_mels, 9}));
  mb.model().audio = std::move(a);
  auto d = std::make_unique<fb::DecodingConfigT>();
  d->start_ids = {1};
  d->eos_id = 0;
  d->max_length = c.text_positions;
  d->suppress_ids = {2, 3};
  mb.model().decoding = std::move(d);
  set_producer(mb.model(), "tiny_whisper");
  if (mutate) mutate(mb.model());
  return mb.serialize();
}

int tensor_index(const fb::ModelT& m, const std::string& name) {
  for (size_t i = 0; i < m.tensors.size(); ++i) {
    if (m.tensors[i]->name == name) return static_cast<int>(i);
  }
  throw std::runtime_error("tiny model has no tensor '" + name + "'");
}

fb::OpT& op_named(fb::ModelT& m, const std::string& name) {
  for (auto& g : m.graphs) {
    for (auto& op : g->ops) {
      if (op->name == name) return *op;
    }
  }
  throw std::runtime_error("tiny model has no op '" + name + "'");
}

size_t find_data_segment(const std::vector<uint8_t>& file, int index) {
  uint32_t prefix = 0;
  if (file.size() < 16) throw std::runtime_error("find_data_segment: not a model");
  std::memcpy(&prefix, file.data(), 4);
  if (prefix > file.size() - 4) throw std::runtime_error("find_data_segment: not a model");
  // The FlatBuffer is the first prefix + 4 bytes; the verifier wants its exact size.
  flatbuffers::Verifier verifier(file.data(), size_t{prefix} + 4);
  if (!fb::VerifySizePrefixedModelBuffer(verifier)) throw std::runtime_error("find_data_segment: not a model");
  const fb::Model* m = fb::GetSizePrefixedModel(file.data());
  if (index < 0 || static_cast<size_t>(index) >= m->tensors()->size()) {
    throw std::runtime_error("find_data_segment: tensor index out of range");
  }
  const fb::DataSegment* seg = m->tensors()->Get(static_cast<flatbuffers::uoffset_t>(index))->data();
  if (seg == nullptr) throw std::runtime_error("find_data_segment: tensor has no data segment");
  return static_cast<size_t>(reinterpret_cast<const uint8_t*>(seg) - file.data());
}

void patch_data_segment(std::vector<uint8_t>* file, int index, uint64_t offset, uint64_t size) {
  const size_t at = find_data_segment(*file, index);
  // The schema is little-endian; so are the hosts this runs on (checked).
  static_assert(FLATBUFFERS_LITTLEENDIAN, "patch_data_segment assumes a little-endian host");
  std::memcpy(file->data() + at, &offset, 8);
  std::memcpy(file->data() + at + 8, &size, 8);
}

AlignedBuffer::AlignedBuffer(const uint8_t* data, size_t size) : size_(size) {
  void* p = nullptr;
  if (posix_memalign(&p, 64, size > 0 ? size : 64) != 0) throw std::bad_alloc();
  data_ = static_cast<uint8_t*>(p);
  if (size > 0) std::memcpy(data_, data, size);
}

AlignedBuffer::~AlignedBuffer() { std::free(data_); }

}  // namespace edgeattn::testing
