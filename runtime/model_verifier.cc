#include "runtime/model_verifier.h"

#include <cmath>
#include <cstring>

#include "kernels/kernels.h"
#include "runtime/core/fallible_vector.h"
#include "runtime/core/weight_blocks.h"

#include "runtime/model_internal.h"
#include "runtime/ops/op_registry.h"
#include "runtime/sequence_state.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

// Largest element count any tensor may have; keeps byte sizes far from
// overflow on 64-bit hosts and is checked again against the file size.
constexpr int64_t kMaxElements = int64_t{1} << 40;

// The FlatBuffers 2.0 verifier checks a vector's 4-byte length field, not
// the alignment of 8-byte elements; reading misaligned ones is undefined
// behaviour (and a fault on strict-alignment CPUs).
Status check_vector_alignment(const void* data, size_t alignment, size_t index, const char* name, const char* what) {
  EA_ENSURE(reinterpret_cast<uintptr_t>(data) % alignment == 0, StatusCode::kInvalidModel,
            "tensor %zu '%s': %s vector is not %zu-byte aligned", index, name, what, alignment);
  return Status::ok();
}

Status verify_tensor(const fb::Tensor& t, size_t index, const ModelBytes& bytes, uint64_t fb_end) {
  const char* name = t.name()->c_str();
  EA_ENSURE(t.dtype() >= fb::DType::MIN && t.dtype() <= fb::DType::MAX, StatusCode::kInvalidModel,
            "tensor %zu '%s': unknown dtype %d", index, name, static_cast<int>(t.dtype()));
  size_t elem = dtype_size(static_cast<DType>(t.dtype()));
  if (t.has_data()) {
    EA_ENSURE(t.data() != nullptr && t.shape() != nullptr, StatusCode::kInvalidModel,
              "tensor %zu '%s': constant without shape or data segment", index, name);
    EA_ENSURE(t.shape()->size() >= 1 && t.shape()->size() <= kMaxRank, StatusCode::kInvalidModel,
              "tensor %zu '%s': rank %u not in [1, %d]", index, name, t.shape()->size(), kMaxRank);
    EA_RETURN_IF_ERROR(check_vector_alignment(t.shape()->data(), alignof(int64_t), index, name, "shape"));
    int64_t count = 1;
    for (int64_t d : *t.shape()) {
      EA_ENSURE(d > 0 && d <= kMaxElements, StatusCode::kInvalidModel,
                "tensor %zu '%s': dimension %lld out of range", index, name, static_cast<long long>(d));
      // Checked before multiplying: both factors may be up to 2^40.
      EA_ENSURE(d <= kMaxElements / count, StatusCode::kInvalidModel, "tensor %zu '%s': too many elements",
                index, name);
      count *= d;
    }
    uint64_t offset = t.data()->offset();
    uint64_t size = t.data()->size();
    EA_ENSURE(t.layout() == fb::TensorLayout::RowMajor || t.layout() == fb::TensorLayout::F32Panels16,
              StatusCode::kInvalidModel, "tensor %zu '%s': unknown layout %d", index, name,
              static_cast<int>(t.layout()));
    uint64_t need = static_cast<uint64_t>(count) * elem;
    const DType dtype = static_cast<DType>(t.dtype());
    if (dtype == DType::kI4Blocks || dtype == DType::kI8Blocks) {
      const size_t rank = t.shape()->size();
      const int64_t k = t.shape()->Get(static_cast<flatbuffers::uoffset_t>(rank - 1));
      EA_ENSURE(rank == 2 && k % static_cast<int64_t>(kWeightBlock) == 0 && t.quantization() == nullptr &&
                    t.layout() == fb::TensorLayout::RowMajor,
                StatusCode::kInvalidModel,
                "tensor %zu '%s': %s needs a row-major [N, K] constant with K a multiple of %zu and no quantization",
                index, name, dtype_name(dtype), kWeightBlock);
      // count <= 2^40 elements and at most 34 bytes per 32 of them: no overflow.
      need = static_cast<uint64_t>(t.shape()->Get(0)) * block_dtype_row_bytes(dtype, static_cast<size_t>(k));
    }
    if (t.layout() == fb::TensorLayout::F32Panels16) {
      EA_ENSURE(t.dtype() == fb::DType::F32 && t.shape()->size() == 2, StatusCode::kInvalidModel,
                "tensor %zu '%s': layout F32Panels16 needs an f32 [N, K] constant", index, name);
      // Rows of at most 2^40 elements and K + 1 <= 2^40 + 1: the product fits.
      need = f32_gemm_packed_floats(static_cast<size_t>(t.shape()->Get(0)), static_cast<size_t>(t.shape()->Get(1))) *
             sizeof(float);
    }
    EA_ENSURE(size == need, StatusCode::kInvalidModel, "tensor %zu '%s': data segment of %llu bytes, shape needs %llu",
              index, name, static_cast<unsigned long long>(size), static_cast<unsigned long long>(need));
    EA_ENSURE(offset % kSegmentAlignment == 0, StatusCode::kInvalidModel,
              "tensor %zu '%s': data offset %llu is not %llu-byte aligned", index, name,
              static_cast<unsigned long long>(offset), static_cast<unsigned long long>(kSegmentAlignment));
    EA_ENSURE(offset >= fb_end, StatusCode::kInvalidModel,
              "tensor %zu '%s': data offset %llu overlaps the model header (ends at %llu)", index, name,
              static_cast<unsigned long long>(offset), static_cast<unsigned long long>(fb_end));
    EA_ENSURE(offset <= bytes.size && size <= bytes.size - offset, StatusCode::kInvalidModel,
              "tensor %zu '%s': data segment [%llu, %llu) past the end of the file (%zu bytes)", index,
              name, static_cast<unsigned long long>(offset), static_cast<unsigned long long>(offset + size),
              bytes.size);
    if (const fb::Quantization* q = t.quantization()) {
      size_t n_scales = q->scale() ? q->scale()->size() : 0;
      if (q->axis() < 0) {
        EA_ENSURE(n_scales == 1, StatusCode::kInvalidModel, "tensor %zu '%s': per-tensor quantization needs 1 scale, has %zu", index, name, n_scales);
      } else {
        EA_ENSURE(q->axis() < static_cast<int>(t.shape()->size()) &&
                      static_cast<int64_t>(n_scales) == t.shape()->Get(static_cast<flatbuffers::uoffset_t>(q->axis())),
                  StatusCode::kInvalidModel, "tensor %zu '%s': per-channel scales disagree with axis %d", index,
                  name, q->axis());
      }
    }
  } else {
    EA_ENSURE(t.dtype() != fb::DType::I4Blocks && t.dtype() != fb::DType::I8Blocks, StatusCode::kInvalidModel,
              "tensor %zu '%s': block dtypes are for constants only", index, name);
    EA_ENSURE(t.dims() != nullptr && t.dims()->size() >= 1 && t.dims()->size() <= kMaxRank,
              StatusCode::kInvalidModel, "tensor %zu '%s': activation needs 1..%d dims", index, name, kMaxRank);
    EA_RETURN_IF_ERROR(check_vector_alignment(t.dims()->data(), alignof(fb::Dim), index, name, "dims"));
    for (const fb::Dim* d : *t.dims()) {
      EA_ENSURE(d->kind() >= fb::DimKind::MIN && d->kind() <= fb::DimKind::MAX, StatusCode::kInvalidModel,
                "tensor %zu '%s': unknown dim kind %d", index, name, static_cast<int>(d->kind()));
      if (d->kind() == fb::DimKind::Fixed) {
        EA_ENSURE(d->value() > 0 && d->value() <= (int64_t{1} << 24), StatusCode::kInvalidModel,
                  "tensor %zu '%s': fixed dim %lld out of range", index, name, static_cast<long long>(d->value()));
      } else if (d->kind() == fb::DimKind::Height || d->kind() == fb::DimKind::Width) {
        EA_ENSURE(d->value() >= 1 && d->value() <= 4096, StatusCode::kInvalidModel,
                  "tensor %zu '%s': image dim divisor %lld not in [1, 4096]", index, name,
                  static_cast<long long>(d->value()));
      }
    }
  }
  return Status::ok();
}

// Sequence state (sequence_state.h) is well formed, and every
// cross-attention reads its keys and values from it, its queries not.
Status verify_cross_attention(const Model& model, const fb::Graph& g) {
  SequenceState state;
  EA_RETURN_IF_ERROR(analyze_sequence_state(model, g, /*cross_kv_in_ops=*/false, &state));
  for (flatbuffers::uoffset_t oi = 0; oi < g.ops()->size(); ++oi) {
    const fb::Op& op = *g.ops()->Get(oi);
    if (op.code() != fb::OpCode::Attention || !op.options_as_AttentionOptions()->cross()) continue;
    const auto in = [&](flatbuffers::uoffset_t i) { return static_cast<size_t>(op.inputs()->Get(i)); };
    EA_ENSURE(!state.tensor_is_sequence[in(0)] && state.tensor_is_sequence[in(1)] && state.tensor_is_sequence[in(2)],
              StatusCode::kInvalidModel,
              "method '%s' op %u (Attention '%s'): cross-attention needs k and v from the sequence inputs and q not",
              g.name()->c_str(), oi, op.name() ? op.name()->c_str() : "");
  }
  return Status::ok();
}

// AudioFrontend: sane parameters, filters an f32 constant [n_mels, n_fft / 2 + 1].
Status verify_audio(const Model& model, const fb::AudioFrontend& a) {
  EA_ENSURE(a.sample_rate() >= 1000 && a.sample_rate() <= 384000 && a.n_fft() >= 8 && a.n_fft() <= 65536 &&
                a.hop_length() >= 1 && a.hop_length() <= a.n_fft() && a.n_mels() >= 1 && a.n_mels() <= 1024 &&
                a.chunk_samples() >= a.n_fft() && a.chunk_samples() <= 64 * a.sample_rate() &&
                a.n_frames() == a.chunk_samples() / a.hop_length(),
            StatusCode::kInvalidModel,
            "audio frontend: inconsistent parameters (rate %d, n_fft %d, hop %d, mels %d, chunk %d, frames %d)",
            a.sample_rate(), a.n_fft(), a.hop_length(), a.n_mels(), a.chunk_samples(), a.n_frames());
  const int t = a.mel_filters();
  EA_ENSURE(t >= 0 && static_cast<size_t>(t) < model.tensor_count(), StatusCode::kInvalidModel,
            "audio frontend: mel filter tensor index %d out of range", t);
  const TensorInfo& f = model.tensor(static_cast<size_t>(t));
  EA_ENSURE(f.is_constant && f.dtype == DType::kF32 && f.layout == TensorLayout::kRowMajor && f.rank == 2 &&
                f.shape[0] == a.n_mels() &&
                f.shape[1] == a.n_fft() / 2 + 1,
            StatusCode::kInvalidModel, "audio frontend: mel filters '%s' must be an f32 constant [%d, %d]", f.name,
            a.n_mels(), a.n_fft() / 2 + 1);
  return Status::ok();
}

Status verify_ids(const flatbuffers::Vector<int32_t>* ids, int32_t vocab, const char* what) {
  if (ids == nullptr) return Status::ok();
  for (flatbuffers::uoffset_t i = 0; i < ids->size(); ++i) {
    EA_ENSURE(ids->Get(i) >= 0 && ids->Get(i) < vocab, StatusCode::kInvalidModel,
              "decoding config: %s[%u] = %d is not a token id (vocab %d)", what, i, ids->Get(i), vocab);
  }
  return Status::ok();
}

// True if an Embedding op of `m` embeds id `id` as zeros (EmbeddingOptions.zero_id).
bool has_zero_id(const fb::Model& m, int32_t id) {
  for (const fb::Graph* g : *m.graphs()) {
    for (const fb::Op* op : *g->ops()) {
      const fb::EmbeddingOptions* o = op->code() == fb::OpCode::Embedding ? op->options_as_EmbeddingOptions() : nullptr;
      if (o != nullptr && o->zero_id() == id) return true;
    }
  }
  return false;
}

// DecodingConfig: every id inside the vocabulary (or -1 where optional); a
// start id may be vocab itself when an Embedding embeds it as zeros (a
// Marian decoder's first step).
Status verify_decoding(const fb::Model& m, const fb::DecodingConfig& d, int32_t vocab) {
  EA_ENSURE(d.start_ids() != nullptr && d.start_ids()->size() >= 1 && d.max_length() > 0 &&
                d.max_length() <= (1 << 20) && static_cast<int64_t>(d.start_ids()->size()) < d.max_length(),
            StatusCode::kInvalidModel, "decoding config: needs start ids shorter than max_length %d", d.max_length());
  EA_RETURN_IF_ERROR(verify_ids(d.start_ids(), has_zero_id(m, vocab) ? vocab + 1 : vocab, "start_ids"));
  EA_ENSURE(std::isfinite(d.max_length_factor()) && d.max_length_factor() >= 0.0f && d.max_length_factor() <= 1000.0f,
            StatusCode::kInvalidModel, "decoding config: bad max_length_factor");
  EA_RETURN_IF_ERROR(verify_ids(d.suppress_ids(), vocab, "suppress_ids"));
  EA_RETURN_IF_ERROR(verify_ids(d.suppress_ids_begin(), vocab, "suppress_ids_begin"));
  const int32_t optional[] = {d.eos_id(), d.no_timestamps_id(), d.timestamp_begin_id(), d.no_speech_id(), d.sot_id()};
  for (int32_t id : optional) {
    EA_ENSURE(id >= -1 && id < vocab, StatusCode::kInvalidModel, "decoding config: id %d outside vocab %d", id, vocab);
  }
  EA_ENSURE(std::isfinite(d.timestamp_seconds()) && d.timestamp_seconds() >= 0.0f, StatusCode::kInvalidModel,
            "decoding config: bad timestamp step");
  return Status::ok();
}

// LexicalShortlist: offsets [vocab + 1] from 0, non-decreasing, ending at
// the word count; every word a token id. O(words) once at load.
Status verify_shortlist(const fb::LexicalShortlist& l, int32_t vocab) {
  const auto* offsets = l.offsets();
  const auto* words = l.words();
  EA_ENSURE(vocab > 0 && offsets != nullptr && words != nullptr && offsets->size() == static_cast<size_t>(vocab) + 1 &&
                l.first_num() <= static_cast<uint32_t>(vocab) && l.best_num() <= static_cast<uint32_t>(vocab),
            StatusCode::kInvalidModel, "shortlist: needs %d + 1 offsets and first/best counts within the vocabulary",
            vocab);
  uint32_t prev = 0;
  for (flatbuffers::uoffset_t i = 0; i < offsets->size(); ++i) {
    const uint32_t o = offsets->Get(i);
    EA_ENSURE(o >= prev && o <= words->size() && (i > 0 || o == 0), StatusCode::kInvalidModel,
              "shortlist: offset %u = %u out of order", i, o);
    prev = o;
  }
  EA_ENSURE(prev == words->size(), StatusCode::kInvalidModel, "shortlist: the last offset %u is not the word count %u",
            prev, words->size());
  for (flatbuffers::uoffset_t i = 0; i < words->size(); ++i) {
    EA_ENSURE(words->Get(i) < static_cast<uint32_t>(vocab), StatusCode::kInvalidModel,
              "shortlist: word %u = %u is not a token id (vocab %d)", i, words->Get(i), vocab);
  }
  return Status::ok();
}

// ImagePreprocess bounds: far above any real network input, low enough that
// the ImageRunner's buffers (height x width x channels x frames floats)
// cannot overflow a size_t or ask for absurd memory from a hostile file.
constexpr int32_t kMaxImageSide = 8192;
constexpr int32_t kMaxImageFrames = 64;
constexpr uint32_t kMaxImageLabels = 100000;
constexpr uint32_t kMaxImageLabelBytes = 1024;

Status verify_image_channel_values(const flatbuffers::Vector<float>* v, int32_t channels, const char* field,
                                   bool nonzero) {
  EA_ENSURE(v != nullptr && v->size() == static_cast<uint32_t>(channels), StatusCode::kInvalidModel,
            "image: %s has %u values, needs one per channel (%d)", field, v != nullptr ? v->size() : 0u, channels);
  for (uint32_t c = 0; c < v->size(); ++c) {
    const float x = v->Get(c);
    EA_ENSURE(std::isfinite(x), StatusCode::kInvalidModel, "image: %s[%u] is not finite", field, c);
    EA_ENSURE(!nonzero || x != 0.0f, StatusCode::kInvalidModel, "image: %s[%u] is 0", field, c);
  }
  return Status::ok();
}

// ImagePreprocess (format 1.6): what runtime/tasks/image_runner relies on.
Status verify_image(const fb::ImagePreprocess& p) {
  EA_ENSURE(p.height() >= 1 && p.height() <= kMaxImageSide, StatusCode::kInvalidModel,
            "image: height %d not in [1, %d]", p.height(), kMaxImageSide);
  EA_ENSURE(p.width() >= 1 && p.width() <= kMaxImageSide, StatusCode::kInvalidModel,
            "image: width %d not in [1, %d]", p.width(), kMaxImageSide);
  EA_ENSURE(p.channels() == 1 || p.channels() == 3, StatusCode::kInvalidModel,
            "image: channels %d must be 1 (gray) or 3 (color)", p.channels());
  EA_ENSURE(p.frames() >= 1 && p.frames() <= kMaxImageFrames, StatusCode::kInvalidModel,
            "image: frames %d not in [1, %d]", p.frames(), kMaxImageFrames);
  EA_ENSURE(p.resize() >= fb::ImageResize::MIN && p.resize() <= fb::ImageResize::MAX, StatusCode::kInvalidModel,
            "image: unknown resize mode %d", static_cast<int>(p.resize()));
  EA_ENSURE(!p.bgr() || p.channels() == 3, StatusCode::kInvalidModel, "image: bgr needs 3 channels, has %d",
            p.channels());
  EA_RETURN_IF_ERROR(verify_image_channel_values(p.mean(), p.channels(), "mean", false));
  EA_RETURN_IF_ERROR(verify_image_channel_values(p.std(), p.channels(), "std", true));
  if (const auto* labels = p.labels()) {
    EA_ENSURE(labels->size() <= kMaxImageLabels, StatusCode::kInvalidModel, "image: %u labels, at most %u",
              labels->size(), kMaxImageLabels);
    for (uint32_t i = 0; i < labels->size(); ++i) {
      EA_ENSURE(labels->Get(i)->size() <= kMaxImageLabelBytes, StatusCode::kInvalidModel,
                "image: label %u has %u bytes, at most %u", i, labels->Get(i)->size(), kMaxImageLabelBytes);
    }
  }
  return Status::ok();
}

}  // namespace

Status verify_model_extras(const Model& model) {
  const fb::Model& m = internal::flatbuffer_of(model);
  if (m.shortlist() != nullptr) EA_RETURN_IF_ERROR(verify_shortlist(*m.shortlist(), m.hparams()->vocab_size()));
  if (m.audio() != nullptr) EA_RETURN_IF_ERROR(verify_audio(model, *m.audio()));
  if (m.decoding() != nullptr) EA_RETURN_IF_ERROR(verify_decoding(m, *m.decoding(), m.hparams()->vocab_size()));
  if (m.image() != nullptr) EA_RETURN_IF_ERROR(verify_image(*m.image()));
  return Status::ok();
}

Result<const fb::Model*> verify_model_structure(const ModelBytes& bytes) {
  EA_ENSURE(bytes.size >= 16, StatusCode::kInvalidModel, "file of %zu bytes is too small", bytes.size);
  uint32_t prefix = 0;
  std::memcpy(&prefix, bytes.data, 4);
  EA_ENSURE(std::memcmp(bytes.data + 8, fb::ModelIdentifier(), 4) == 0, StatusCode::kInvalidModel,
            "not an edgeattn model: file identifier at offset 8 is not \"EATN\"");
  EA_ENSURE(prefix <= bytes.size - 4, StatusCode::kInvalidModel,
            "model header of %u bytes runs past the end of the file (%zu bytes): truncated?", prefix, bytes.size);
  uint64_t fb_end = uint64_t{prefix} + 4;
  // Limits well above any real model; they bound verifier work on hostile input.
  flatbuffers::Verifier verifier(bytes.data, static_cast<size_t>(fb_end), /*max_depth=*/64,
                                 /*max_tables=*/10000000);
  EA_ENSURE(fb::VerifySizePrefixedModelBuffer(verifier), StatusCode::kInvalidModel,
            "model header (FlatBuffer, %llu bytes) failed verification", static_cast<unsigned long long>(fb_end));
  const fb::Model* m = fb::GetSizePrefixedModel(bytes.data);
  EA_ENSURE(m->format_major() == kFormatMajor, StatusCode::kInvalidModel,
            "format version %u.%u, this runtime reads %u.x", m->format_major(), m->format_minor(), kFormatMajor);
  EA_ENSURE(m->tensors()->size() > 0 && m->graphs()->size() > 0, StatusCode::kInvalidModel,
            "model has no tensors or no graphs");
  EA_ENSURE(m->segments_end() <= bytes.size, StatusCode::kInvalidModel,
            "data segments end at %llu, past the end of the file (%zu bytes): truncated?",
            static_cast<unsigned long long>(m->segments_end()), bytes.size);
  for (flatbuffers::uoffset_t i = 0; i < m->tensors()->size(); ++i) {
    EA_RETURN_IF_ERROR(verify_tensor(*m->tensors()->Get(i), i, bytes, fb_end));
  }
  return m;
}

Status verify_model_graphs(const Model& model) {
  const fb::Model& m = internal::flatbuffer_of(model);
  const size_t n_tensors = model.tensor_count();
  // written[i]: the activation has a value by the current point of the graph.
  Vector<uint8_t> written;  // [n_tensors]
  for (flatbuffers::uoffset_t gi = 0; gi < m.graphs()->size(); ++gi) {
    const fb::Graph* g = m.graphs()->Get(gi);
    const char* gname = g->name()->c_str();
    // A Session picks its method by name: two of one name would hide one.
    for (flatbuffers::uoffset_t gj = 0; gj < gi; ++gj) {
      EA_ENSURE(std::strcmp(m.graphs()->Get(gj)->name()->c_str(), gname) != 0, StatusCode::kInvalidModel,
                "graphs %u and %u are both called '%s': method names must be unique", gj, gi, gname);
    }
    EA_ENSURE(g->ops() != nullptr && g->ops()->size() > 0 && g->inputs() != nullptr && g->outputs() != nullptr,
              StatusCode::kInvalidModel, "method '%s': needs inputs, outputs and ops", gname);
    EA_RETURN_IF_ERROR(written.assign(n_tensors, 0, "the verifier's tensor flags"));
    for (int32_t in : *g->inputs()) {
      EA_ENSURE(in >= 0 && static_cast<size_t>(in) < n_tensors, StatusCode::kInvalidModel,
                "method '%s': input tensor index %d out of range [0, %zu)", gname, in, n_tensors);
      EA_ENSURE(!model.tensor(in).is_constant, StatusCode::kInvalidModel,
                "method '%s': input %d ('%s') is a constant", gname, in, model.tensor(in).name);
      EA_ENSURE(model.tensor(in).dtype == DType::kI32 || model.tensor(in).dtype == DType::kF32,
                StatusCode::kInvalidModel, "method '%s': input '%s' must be i32 token ids or f32", gname,
                model.tensor(in).name);
      EA_ENSURE(!written[in], StatusCode::kInvalidModel, "method '%s': input '%s' listed twice", gname,
                model.tensor(in).name);
      written[in] = true;
    }
    for (flatbuffers::uoffset_t oi = 0; oi < g->ops()->size(); ++oi) {
      const fb::Op& op = *g->ops()->Get(oi);
      const OpRegistration* reg = find_op(static_cast<uint16_t>(op.code()));
      const char* opname = op.name() ? op.name()->c_str() : "";
      EA_ENSURE(reg != nullptr, StatusCode::kUnsupported, "method '%s' op %u ('%s'): unknown op code %d", gname, oi,
                opname, static_cast<int>(op.code()));
      EA_ENSURE(op.inputs() != nullptr && op.outputs() != nullptr && op.outputs()->size() >= 1,
                StatusCode::kInvalidModel, "method '%s' op %u (%s '%s'): missing inputs or outputs", gname, oi,
                reg->name, opname);
      for (flatbuffers::uoffset_t ii = 0; ii < op.inputs()->size(); ++ii) {
        const int32_t in = op.inputs()->Get(ii);
        if (in == -1) continue;  // optional input; the op's verify decides if allowed
        EA_ENSURE(in >= 0 && static_cast<size_t>(in) < n_tensors, StatusCode::kInvalidModel,
                  "method '%s' op %u (%s '%s'): input tensor index %d out of range [0, %zu)", gname, oi, reg->name,
                  opname, in, n_tensors);
        EA_ENSURE(model.tensor(in).is_constant || written[in], StatusCode::kInvalidModel,
                  "method '%s' op %u (%s '%s'): reads tensor %d ('%s') before any op writes it", gname, oi,
                  reg->name, opname, in, model.tensor(in).name);
        // Packed weights are only ever read by the op that knows the layout.
        EA_ENSURE(model.tensor(in).layout == TensorLayout::kRowMajor ||
                      (op.code() == fb::OpCode::FullyConnected && ii == 1),
                  StatusCode::kInvalidModel,
                  "method '%s' op %u (%s '%s'): input %u '%s' is packed (F32Panels16): FullyConnected weights only",
                  gname, oi, reg->name, opname, ii, model.tensor(in).name);
      }
      for (int32_t out : *op.outputs()) {
        EA_ENSURE(out >= 0 && static_cast<size_t>(out) < n_tensors, StatusCode::kInvalidModel,
                  "method '%s' op %u (%s '%s'): output tensor index %d out of range [0, %zu)", gname, oi,
                  reg->name, opname, out, n_tensors);
        EA_ENSURE(!model.tensor(out).is_constant && !written[out], StatusCode::kInvalidModel,
                  "method '%s' op %u (%s '%s'): output tensor %d ('%s') is a constant or written twice", gname, oi,
                  reg->name, opname, out, model.tensor(out).name);
        // Every op writes f32 today; a graph output has no reader whose
        // checks would catch another dtype, so check here.
        EA_ENSURE(model.tensor(out).dtype == DType::kF32, StatusCode::kInvalidModel,
                  "method '%s' op %u (%s '%s'): output tensor %d ('%s') is %s, ops write f32", gname, oi, reg->name,
                  opname, out, model.tensor(out).name, dtype_name(model.tensor(out).dtype));
        written[out] = true;
      }
      Status s = reg->verify(model, op);
      if (!s.is_ok()) return s.with_context("method '%s' op %u (%s '%s')", gname, oi, reg->name, opname);
    }
    for (int32_t out : *g->outputs()) {
      EA_ENSURE(out >= 0 && static_cast<size_t>(out) < n_tensors && written[out], StatusCode::kInvalidModel,
                "method '%s': output tensor index %d is out of range or never written", gname, out);
    }
    EA_RETURN_IF_ERROR(verify_cross_attention(model, *g));
  }
  return Status::ok();
}

}  // namespace edgeattn
