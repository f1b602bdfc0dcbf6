#include "runtime/model.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "runtime/model_internal.h"
#include "runtime/model_verifier.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {

Model::~Model() {
  tokenizer_.reset();
  if (mapping_ != nullptr) munmap(mapping_, size_);
}

Result<std::unique_ptr<Model>> Model::load_file(const char* path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  EA_ENSURE(fd >= 0, StatusCode::kIoError, "%s: cannot open: %s", path, std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Status::error(StatusCode::kIoError, "%s: not a regular file", path);
  }
  size_t size = static_cast<size_t>(st.st_size);
  if (size < 16) {
    close(fd);
    return Status::error(StatusCode::kInvalidModel, "%s: %zu bytes is too small for a model", path, size);
  }
  void* mapping = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  EA_ENSURE(mapping != MAP_FAILED, StatusCode::kIoError, "%s: mmap failed: %s", path, std::strerror(errno));
  std::unique_ptr<Model> model(new (std::nothrow) Model());
  if (model == nullptr) {
    munmap(mapping, size);
    return Status::error(StatusCode::kOutOfMemory, "%s: out of memory allocating the Model", path);
  }
  model->mapping_ = mapping;
  model->data_ = static_cast<const uint8_t*>(mapping);
  model->size_ = size;
  Result<std::unique_ptr<Model>> r = finish_load(std::move(model));
  if (!r.is_ok()) return r.status().with_context("%s", path);
  return r;
}

Result<std::unique_ptr<Model>> Model::load_buffer(const void* data, size_t size) {
  EA_ENSURE(data != nullptr, StatusCode::kInvalidArgument, "model buffer is null");
  EA_ENSURE(reinterpret_cast<uintptr_t>(data) % 8 == 0, StatusCode::kInvalidArgument,
            "model buffer at %p is not 8-byte aligned", data);
  EA_ENSURE(size >= 16, StatusCode::kInvalidModel, "%zu bytes is too small for a model", size);
  std::unique_ptr<Model> model(new (std::nothrow) Model());
  EA_ENSURE(model != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the Model");
  model->data_ = static_cast<const uint8_t*>(data);
  model->size_ = size;
  return finish_load(std::move(model));
}

namespace {

Status fill_tensor_info(const fb::Tensor& t, size_t index, const ModelBytes& bytes, TensorInfo* info) {
  info->name = t.name()->c_str();
  info->dtype = static_cast<DType>(t.dtype());
  if (t.has_data()) {
    info->is_constant = true;
    info->rank = static_cast<int>(t.shape()->size());
    for (int i = 0; i < info->rank; ++i) info->shape[i] = t.shape()->Get(static_cast<flatbuffers::uoffset_t>(i));
    info->data = bytes.data + t.data()->offset();
    info->bytes = static_cast<size_t>(t.data()->size());
    info->layout = static_cast<TensorLayout>(t.layout());
  } else {
    info->rank = static_cast<int>(t.dims()->size());
    for (int i = 0; i < info->rank; ++i) {
      const fb::Dim* d = t.dims()->Get(static_cast<flatbuffers::uoffset_t>(i));
      info->dims[i].kind = static_cast<DimKind>(d->kind());
      info->dims[i].value = d->value();
    }
  }
  if (const fb::Quantization* q = t.quantization()) {
    if (q->scale() != nullptr) {
      info->scales = q->scale()->data();
      info->scale_count = q->scale()->size();
    }
    info->quant_axis = q->axis();
  }
  (void)index;
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<Model>> Model::finish_load(std::unique_ptr<Model> model) {
  ModelBytes bytes{model->data_, model->size_};
  EA_ASSIGN_OR_RETURN(model->fb_, verify_model_structure(bytes));
  const fb::Model& m = *model->fb_;

  EA_RETURN_IF_ERROR(model->tensors_.resize(m.tensors()->size(), "the tensor table"));
  for (size_t i = 0; i < model->tensors_.size(); ++i) {
    const fb::Tensor& t = *m.tensors()->Get(static_cast<flatbuffers::uoffset_t>(i));
    EA_RETURN_IF_ERROR(fill_tensor_info(t, i, bytes, &model->tensors_[i]));
    if (model->tensors_[i].is_constant) model->weight_bytes_ += model->tensors_[i].bytes;
  }
  EA_RETURN_IF_ERROR(verify_model_graphs(*model));
  EA_RETURN_IF_ERROR(verify_model_extras(*model));

  if (const fb::Tokenizer* tok = m.tokenizer()) {
    TokenizerSpec spec;
    spec.kind = static_cast<TokenizerKind>(tok->kind());
    if (tok->pieces() != nullptr) {
      EA_RETURN_IF_ERROR(model->pieces_.reserve(tok->pieces()->size(), "the tokenizer pieces"));
      for (const flatbuffers::String* p : *tok->pieces()) {
        model->pieces_.try_push_back(std::string_view(p->data(), p->size()));  // reserved: cannot fail
      }
    }
    spec.pieces = Span<const std::string_view>(model->pieces_.data(), model->pieces_.size());
    if (tok->scores() != nullptr) spec.scores = Span<const float>(tok->scores()->data(), tok->scores()->size());
    spec.unk_id = tok->unk_id();
    spec.bos_id = tok->bos_id();
    spec.eos_id = tok->eos_id();
    spec.pad_id = tok->pad_id();
    spec.cls_id = tok->cls_id();
    spec.sep_id = tok->sep_id();
    spec.mask_id = tok->mask_id();
    spec.lowercase = tok->lowercase();
    spec.strip_accents = tok->strip_accents();
    spec.tokenize_chinese_chars = tok->tokenize_chinese_chars();
    spec.clean_text = tok->clean_text();
    if (tok->continuing_subword_prefix() != nullptr) {
      spec.continuing_subword_prefix = std::string_view(tok->continuing_subword_prefix()->data(),
                                                        tok->continuing_subword_prefix()->size());
    }
    spec.max_input_chars_per_word = tok->max_input_chars_per_word();
    spec.add_dummy_prefix = tok->add_dummy_prefix();
    spec.byte_fallback = tok->byte_fallback();
    if (tok->merges() != nullptr) {
      EA_RETURN_IF_ERROR(model->merges_.reserve(tok->merges()->size(), "the tokenizer merges"));
      for (const flatbuffers::String* m : *tok->merges()) {
        model->merges_.try_push_back(std::string_view(m->data(), m->size()));  // reserved: cannot fail
      }
    }
    spec.merges = Span<const std::string_view>(model->merges_.data(), model->merges_.size());
    spec.add_prefix_space = tok->add_prefix_space();
    spec.pre_tokenizer = static_cast<PreTokenizer>(tok->pre_tokenizer());
    EA_ENSURE(spec.pre_tokenizer <= PreTokenizer::kQwen2, StatusCode::kInvalidModel,
              "tokenizer: unknown pre_tokenizer %d", static_cast<int>(tok->pre_tokenizer()));
    spec.add_bos = tok->add_bos();
    if (tok->piece_types() != nullptr) {
      // PieceType is a ubyte enum: its vector is the bytes Tokenizer::create() validates.
      spec.piece_types = Span<const uint8_t>(reinterpret_cast<const uint8_t*>(tok->piece_types()->data()),
                                             tok->piece_types()->size());
    }
    if (tok->normalizer_charsmap() != nullptr) {
      spec.normalizer_charsmap = Span<const uint8_t>(tok->normalizer_charsmap()->data(),
                                                     tok->normalizer_charsmap()->size());
    }
    spec.remove_extra_whitespaces = tok->remove_extra_whitespaces();
    spec.escape_whitespaces = tok->escape_whitespaces();
    Result<std::unique_ptr<Tokenizer>> t = Tokenizer::create(spec);
    if (!t.is_ok()) return t.status().with_context("tokenizer");
    model->tokenizer_ = std::move(t).value();
  }
  EA_RETURN_IF_ERROR(model->fill_info());
  return model;
}

int Model::find_tensor(std::string_view name) const {
  for (size_t i = 0; i < tensors_.size(); ++i) {
    if (name == tensors_[i].name) return static_cast<int>(i);
  }
  return -1;
}

namespace {

const char* string_or_empty(const flatbuffers::String* s) { return s != nullptr ? s->c_str() : ""; }

Pooling pooling_of(const flatbuffers::String* s) {
  if (s == nullptr) return Pooling::kNone;
  const std::string_view p(s->data(), s->size());
  if (p == "mean") return Pooling::kMean;
  if (p == "cls") return Pooling::kCls;
  return Pooling::kNone;
}

Task task_of(Architecture a) {
  switch (a) {
    case Architecture::kBertEncoder:
      return Task::kEmbedding;
    case Architecture::kLlamaDecoder:
    case Architecture::kGpt2Decoder:
      return Task::kTextGeneration;
    case Architecture::kEncoderDecoder:
      return Task::kSpeechRecognition;
    default:
      return Task::kUnknown;
  }
}

Span<const int32_t> ids_of(const flatbuffers::Vector<int32_t>* v) {
  return v != nullptr ? Span<const int32_t>(v->data(), v->size()) : Span<const int32_t>();
}

void fill_speech_info(const fb::Model& m, const Vector<TensorInfo>& tensors, ModelInfo* info) {
  if (const fb::AudioFrontend* a = m.audio()) {
    AudioFrontendInfo& f = info->audio;
    f.present = true;
    f.sample_rate = a->sample_rate();
    f.n_fft = a->n_fft();
    f.hop_length = a->hop_length();
    f.n_mels = a->n_mels();
    f.chunk_samples = a->chunk_samples();
    f.n_frames = a->n_frames();
    const TensorInfo& filters = tensors[static_cast<size_t>(a->mel_filters())];  // verified
    f.mel_filters = Span<const float>(static_cast<const float*>(filters.data), filters.bytes / sizeof(float));
  }
  if (const fb::DecodingConfig* d = m.decoding()) {
    DecodingInfo& g = info->decoding;
    g.present = true;
    g.start_ids = ids_of(d->start_ids());
    g.eos_id = d->eos_id();
    g.max_length = d->max_length();
    g.suppress_ids = ids_of(d->suppress_ids());
    g.suppress_ids_begin = ids_of(d->suppress_ids_begin());
    g.sot_id = d->sot_id();
    g.no_timestamps_id = d->no_timestamps_id();
    g.timestamp_begin_id = d->timestamp_begin_id();
    g.timestamp_seconds = d->timestamp_seconds();
    g.no_speech_id = d->no_speech_id();
    g.max_length_factor = d->max_length_factor();
  }
  if (const fb::LexicalShortlist* l = m.shortlist()) {
    ShortlistInfo& s = info->shortlist;
    s.present = true;
    s.first_num = l->first_num();
    s.best_num = l->best_num();
    s.include_source_ids = l->include_source_ids();
    s.offsets = Span<const uint32_t>(l->offsets()->data(), l->offsets()->size());  // verified non-null
    s.words = Span<const uint32_t>(l->words()->data(), l->words()->size());
  }
}

Span<const float> floats_of(const flatbuffers::Vector<float>* v) {
  return v != nullptr ? Span<const float>(v->data(), v->size()) : Span<const float>();
}

// The image preprocessing (verified: sizes, mean / std lengths, labels).
// The label views go into `labels` (reserved here: the one allocation).
Status fill_image_info(const fb::Model& m, Vector<std::string_view>* labels, ModelInfo* info) {
  const fb::ImagePreprocess* p = m.image();
  if (p == nullptr) return Status::ok();
  ImageInfo& im = info->image;
  im.present = true;
  im.height = p->height();
  im.width = p->width();
  im.channels = p->channels();
  im.frames = p->frames();
  im.mean = floats_of(p->mean());
  im.std = floats_of(p->std());
  im.bgr = p->bgr();
  im.resize = static_cast<ImageResize>(p->resize());
  if (p->labels() != nullptr) {
    EA_RETURN_IF_ERROR(labels->reserve(p->labels()->size(), "the image labels"));
    for (const flatbuffers::String* l : *p->labels()) labels->try_push_back(std::string_view(l->data(), l->size()));
  }
  im.labels = Span<const std::string_view>(labels->data(), labels->size());
  // An imported graph that says how to feed it images runs as an image task.
  if (info->architecture == Architecture::kImportedGraph) info->task = Task::kImage;
  return Status::ok();
}

}  // namespace

// Copies what front-ends need out of the verified FlatBuffer into plain
// values; method inputs and outputs are copies of their TensorInfo.
Status Model::fill_info() {
  const fb::Model& m = *fb_;
  const fb::HyperParameters& hp = *m.hparams();
  ModelInfo& info = info_;
  info.architecture = static_cast<Architecture>(hp.architecture());
  info.task = task_of(info.architecture);
  // An encoder-decoder without an audio frontend reads text: a translation model.
  if (info.task == Task::kSpeechRecognition && m.audio() == nullptr) info.task = Task::kTranslation;
  info.vocab_size = hp.vocab_size();
  info.hidden_size = hp.hidden_size();
  info.intermediate_size = hp.intermediate_size();
  info.n_layers = hp.n_layers();
  info.n_heads = hp.n_heads();
  info.n_kv_heads = hp.n_kv_heads();
  info.head_dim = hp.head_dim();
  info.max_positions = hp.max_positions();
  info.pooling = pooling_of(hp.pooling());
  info.normalize_embeddings = hp.normalize_embeddings();
  if (const fb::Tokenizer* tok = m.tokenizer()) {
    info.has_tokenizer = true;
    info.tokenizer_kind = static_cast<TokenizerKind>(tok->kind());
    if (tok->chat_template() != nullptr) {
      info.chat_template = std::string_view(tok->chat_template()->data(), tok->chat_template()->size());
    }
    info.tokenizer_max_length = tok->max_length();
  }
  if (const fb::Producer* p = m.producer()) {
    info.dtype = string_or_empty(p->dtype());
    info.producer = string_or_empty(p->name());
    info.producer_version = string_or_empty(p->version());
    info.source = string_or_empty(p->source());
    info.source_format = string_or_empty(p->source_format());
  }
  info.format_major = m.format_major();
  info.format_minor = m.format_minor();
  info.file_size = size_;
  info.weight_bytes = weight_bytes_;
  info.tensor_count = tensors_.size();

  size_t io_count = 0;
  for (const fb::Graph* g : *m.graphs()) io_count += g->inputs()->size() + g->outputs()->size();
  EA_RETURN_IF_ERROR(method_io_.reserve(io_count, "the method inputs and outputs"));
  EA_RETURN_IF_ERROR(methods_.reserve(m.graphs()->size(), "the method table"));
  for (const fb::Graph* g : *m.graphs()) {
    MethodInfo method;
    method.name = g->name()->c_str();
    method.op_count = g->ops()->size();
    const TensorInfo* first_input = method_io_.data() + method_io_.size();
    for (int32_t t : *g->inputs()) method_io_.try_push_back(tensors_[static_cast<size_t>(t)]);  // reserved
    method.inputs = Span<const TensorInfo>(first_input, g->inputs()->size());
    const TensorInfo* first_output = method_io_.data() + method_io_.size();
    for (int32_t t : *g->outputs()) method_io_.try_push_back(tensors_[static_cast<size_t>(t)]);  // reserved
    method.outputs = Span<const TensorInfo>(first_output, g->outputs()->size());
    for (flatbuffers::uoffset_t i = 0; g->sequence_inputs() != nullptr && i < g->inputs()->size() && i < 64; ++i) {
      for (int32_t t : *g->sequence_inputs()) {
        if (t == g->inputs()->Get(i)) method.sequence_inputs |= uint64_t{1} << i;
      }
    }
    methods_.try_push_back(method);  // reserved
  }
  info.methods = Span<const MethodInfo>(methods_.data(), methods_.size());
  fill_speech_info(m, tensors_, &info);
  return fill_image_info(m, &labels_, &info);
}

const MethodInfo* ModelInfo::find_method(const char* name) const {
  if (name == nullptr) return nullptr;
  for (const MethodInfo& m : methods) {
    if (std::strcmp(m.name, name) == 0) return &m;
  }
  return nullptr;
}

const char* architecture_name(Architecture architecture) {
  switch (architecture) {
    case Architecture::kUnknown: return "Unknown";
    case Architecture::kBertEncoder: return "BertEncoder";
    case Architecture::kLlamaDecoder: return "LlamaDecoder";
    case Architecture::kGpt2Decoder: return "Gpt2Decoder";
    case Architecture::kEncoderDecoder: return "EncoderDecoder";
    case Architecture::kVisionTransformer: return "VisionTransformer";
    case Architecture::kImportedGraph: return "ImportedGraph";
  }
  return "Unknown";
}

const char* task_name(Task task) {
  switch (task) {
    case Task::kUnknown: return "unknown";
    case Task::kEmbedding: return "embedding";
    case Task::kTextGeneration: return "text-generation";
    case Task::kSpeechRecognition: return "speech-recognition";
    case Task::kTranslation: return "translation";
    case Task::kImage: return "image";
  }
  return "unknown";
}

const char* image_resize_name(ImageResize resize) {
  switch (resize) {
    case ImageResize::kStretch: return "stretch";
    case ImageResize::kLetterbox: return "letterbox";
    case ImageResize::kCenterCrop: return "center-crop";
  }
  return "stretch";
}

const char* pooling_name(Pooling pooling) {
  switch (pooling) {
    case Pooling::kNone: return "none";
    case Pooling::kMean: return "mean";
    case Pooling::kCls: return "cls";
  }
  return "none";
}

namespace internal {

const fb::Model& flatbuffer_of(const Model& model) { return *model.fb_; }

const fb::Graph* find_method(const Model& model, const char* name) {
  const fb::Model& m = flatbuffer_of(model);
  if (name == nullptr) return m.graphs()->Get(0);
  for (const fb::Graph* g : *m.graphs()) {
    if (std::strcmp(g->name()->c_str(), name) == 0) return g;
  }
  return nullptr;
}

}  // namespace internal

}  // namespace edgeattn
