// ModelInfo: what a loaded model is, as plain values.
//
// Everything a front-end needs to size a session and choose what to do with
// a model — its architecture and task, vocabulary, context length, pooling,
// tokenizer, storage dtype, sizes, and its methods (named entry graphs) with
// the shapes and dtypes of their inputs and outputs — without the file's
// FlatBuffers types, which are not part of the installed API.
//
// A ModelInfo is filled once at load and lives inside the Model: its strings
// and spans point into the Model (and its file bytes) and must not outlive it.
//
// Example:
//   const ModelInfo& info = model->info();
//   if (info.task != Task::kEmbedding) return usage("embed needs an encoder");
//   printf("%s, %s, %d layers, vocab %d, %zu weight bytes\n", architecture_name(info.architecture),
//          info.dtype, info.n_layers, info.vocab_size, info.weight_bytes);
//   for (const MethodInfo& m : info.methods) printf("method %s: %zu ops\n", m.name, m.op_count);
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/core/span.h"
#include "runtime/tensor.h"
#include "runtime/tokenizer/tokenizer.h"

namespace edgeattn {

// The model family, as the converter recorded it. The graph is what runs;
// this says which tasks and defaults apply.
enum class Architecture : uint8_t {
  kUnknown = 0,
  kBertEncoder = 1,        // BERT-style encoder, pooled into sentence embeddings
  kLlamaDecoder = 2,       // Llama-family decoder LM
  kGpt2Decoder = 3,        // GPT-2-family decoder LM
  kEncoderDecoder = 4,     // e.g. Whisper: "encode" and "decode" methods
  kVisionTransformer = 5,  // transformers over image patches
  kImportedGraph = 6,      // graphs imported from ONNX (image models: OCR networks, ViTs, CNN classifiers, ...)
};

// What the model is for: which task class of runtime/tasks/ runs it.
enum class Task : uint8_t {
  kUnknown = 0,
  kEmbedding = 1,       // text -> one vector per text (Embedder)
  kTextGeneration = 2,  // text -> more text, autoregressively (TextGenerator)
  kSpeechRecognition = 3,  // audio -> text (Transcriber): "encode" + "decode" methods
  kTranslation = 4,        // text -> text (Translator): "encode" + "decode" methods, no audio
  kImage = 5,              // image(s) -> tensors, e.g. class scores (ImageRunner): an imported
                           // graph with image preprocessing (ModelInfo::image)
};

// How an encoder's token states become one vector per text.
enum class Pooling : uint8_t { kNone = 0, kMean = 1, kCls = 2 };

// "BertEncoder", "LlamaDecoder", ...; "Unknown" for values out of range.
const char* architecture_name(Architecture architecture);
// "embedding", "text-generation", "image", "unknown".
const char* task_name(Task task);
// "none", "mean", "cls".
const char* pooling_name(Pooling pooling);

// One named entry graph. Inputs and outputs are described as in the file:
// activations have symbolic dims (batch, seq, out_seq) resolved per invoke.
struct MethodInfo {
  const char* name = "";           // e.g. "forward"
  Span<const TensorInfo> inputs;   // e.g. token ids [batch, seq] i32
  Span<const TensorInfo> outputs;  // e.g. logits [batch, out_seq, vocab] f32
  size_t op_count = 0;
  // Bit i set: inputs[i] is a sequence input, given only at the start of a
  // sequence (e.g. "decode"'s encoder states; InvokeInput::float_inputs).
  uint64_t sequence_inputs = 0;
  bool is_sequence_input(size_t i) const { return i < 64 && ((sequence_inputs >> i) & 1) != 0; }
};

// Log-mel feature extraction of a speech model, as stored by the converter
// (schema AudioFrontend); runtime/audio/ computes it. present is false for
// models without audio input.
struct AudioFrontendInfo {
  bool present = false;
  int32_t sample_rate = 0;    // 16000
  int32_t n_fft = 0;          // 400
  int32_t hop_length = 0;     // 160
  int32_t n_mels = 0;         // 80
  int32_t chunk_samples = 0;  // 480000 (one 30-s encoder window)
  int32_t n_frames = 0;       // 3000
  Span<const float> mel_filters;  // [n_mels, n_fft / 2 + 1], inside the model file
};

// How an image becomes an image model's input (schema ImagePreprocess).
enum class ImageResize : uint8_t {
  kStretch = 0,     // bilinear to height x width, the aspect not kept
  kLetterbox = 1,   // scaled to fit inside, centred, black around
  kCenterCrop = 2,  // scaled to cover, the centre cut out
};
// "stretch", "letterbox", "center-crop" (the converter's --image-resize words).
const char* image_resize_name(ImageResize resize);

// An image model's preprocessing, as the converter stored it and the
// verifier checked it (runtime/tasks/image_runner.h applies it). present is
// false for models without it.
struct ImageInfo {
  bool present = false;
  int32_t height = 0;    // the network's input size, pixels
  int32_t width = 0;
  int32_t channels = 0;  // per frame: 1 (gray, BT.601 luma) or 3
  int32_t frames = 0;    // images per input, stacked along the channel axis
  Span<const float> mean;  // [channels], network channel order, on p / 255
  Span<const float> std;   // [channels], nonzero
  bool bgr = false;        // 3 channels fed as B, G, R
  ImageResize resize = ImageResize::kStretch;
  // A classifier's class names (may be empty), inside the model file; each
  // view's data() is NUL-terminated.
  Span<const std::string_view> labels;
};

// How an encoder-decoder's decoder is driven (schema DecodingConfig); ids
// are token ids of the model's vocabulary, -1 when absent.
struct DecodingInfo {
  bool present = false;
  Span<const int32_t> start_ids;           // decoder prompt, e.g. <|startoftranscript|> <|notimestamps|>
  int32_t eos_id = -1;
  int32_t max_length = 0;                  // decoder positions, prompt included
  Span<const int32_t> suppress_ids;        // never generated
  Span<const int32_t> suppress_ids_begin;  // not generated at the first step
  int32_t sot_id = -1;                     // <|startoftranscript|>
  int32_t no_timestamps_id = -1;
  int32_t timestamp_begin_id = -1;         // <|0.00|>
  float timestamp_seconds = 0.0f;          // seconds per timestamp step
  int32_t no_speech_id = -1;
  float max_length_factor = 0.0f;          // > 0: at most ceil(factor x source tokens) outputs (translation)
};

// A translation model's lexical shortlist (Marian's): the target ids worth
// computing for a sentence are the first `first_num` ids plus, for each of
// its source ids s, words[offsets[s] .. offsets[s + 1]) (and s itself with
// include_source_ids). Verified at load.
struct ShortlistInfo {
  bool present = false;
  uint32_t first_num = 0;
  uint32_t best_num = 0;
  bool include_source_ids = false;  // the source ids themselves are selected too (shared vocabulary)
  Span<const uint32_t> offsets;  // [source vocabulary + 1], into the model file
  Span<const uint32_t> words;    // target ids
};

struct ModelInfo {
  Architecture architecture = Architecture::kUnknown;
  Task task = Task::kUnknown;

  // Hyper-parameters as converted (0 when the file does not say).
  int32_t vocab_size = 0;
  int32_t hidden_size = 0;
  int32_t intermediate_size = 0;
  int32_t n_layers = 0;
  int32_t n_heads = 0;
  int32_t n_kv_heads = 0;
  int32_t head_dim = 0;
  int32_t max_positions = 0;  // longest context the model was trained for
  Pooling pooling = Pooling::kNone;
  bool normalize_embeddings = false;

  // The tokenizer stored in the file, if any (Model::tokenizer() runs it).
  bool has_tokenizer = false;
  TokenizerKind tokenizer_kind = TokenizerKind::kWordPiece;
  int32_t tokenizer_max_length = 0;  // truncation the model was trained with; 0: none
  // The source's Jinja chat template ("" if none), a view into the file;
  // ChatTemplate (runtime/tasks/chat_template.h) recognizes it.
  std::string_view chat_template;

  // Longest token sequence one input may have: tokenizer_max_length if set,
  // else max_positions (0 if neither is known).
  int32_t max_input_tokens() const { return tokenizer_max_length > 0 ? tokenizer_max_length : max_positions; }

  // Storage of the weights as the converter wrote them: "fp32", "fp16",
  // "int8", "int8-static", or "" when the file does not say.
  const char* dtype = "";
  // Who wrote the file and from what ("" when absent).
  const char* producer = "";        // "edgeattn-convert"
  const char* producer_version = "";
  const char* source = "";          // path or name of what was converted
  const char* source_format = "";   // "hf-safetensors", "gguf", "llama2c"
  uint32_t format_major = 0;
  uint32_t format_minor = 0;

  size_t file_size = 0;     // bytes of the .eatn
  size_t weight_bytes = 0;  // bytes of all constant tensors, as stored
  size_t tensor_count = 0;  // constants and activations of every method

  Span<const MethodInfo> methods;  // in file order; the first is the default
  AudioFrontendInfo audio;         // speech models
  DecodingInfo decoding;           // encoder-decoders
  ShortlistInfo shortlist;         // translation models
  ImageInfo image;                 // image models

  // The method called `name`, or nullptr.
  const MethodInfo* find_method(const char* name) const;
};

}  // namespace edgeattn
