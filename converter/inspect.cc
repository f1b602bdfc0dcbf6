#include "converter/inspect.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "runtime/model_internal.h"
#include "runtime/session.h"
#include "runtime/session_layout.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn::convert {
namespace {

Result<std::unique_ptr<Model>> load_for_inspect(const std::string& path) {
  Result<std::unique_ptr<Model>> loaded = Model::load_file(path.c_str());
  if (!loaded.is_ok()) std::fprintf(stderr, "edgeattn-convert: %s\n", loaded.status().message());
  return loaded;
}

const char* op_name(const fb::Graph& graph, int op) {
  const fb::Op& o = *graph.ops()->Get(static_cast<flatbuffers::uoffset_t>(op));
  return o.name() != nullptr ? o.name()->c_str() : "";
}

// The persistent head: one line per region, in offset order.
void print_persistent(const fb::Graph& graph, const PersistentLayout& persistent, std::FILE* out) {
  std::fprintf(out, "  persistent: %zu bytes (KV cache %zu, packed weights %zu)\n", persistent.bytes,
               persistent.kv_cache_bytes, persistent.packed_weight_bytes);
  for (const PersistentRegion& r : persistent.regions) {
    std::fprintf(out, "    %10zu %10zu  ", r.offset, r.bytes);
    switch (r.kind) {
      case PersistentKind::kKvCache:
        std::fprintf(out, "KV cache of op %d '%s'\n", r.op, op_name(graph, r.op));
        break;
      case PersistentKind::kTable:
        std::fprintf(out, "%s table of op %d '%s', shared by %d op%s\n", r.shared_kind ? r.shared_kind : "op", r.op,
                     op_name(graph, r.op), r.users, r.users == 1 ? "" : "s");
        break;
      case PersistentKind::kCallerScratch:
        std::fprintf(out, "caller scratch (SessionOptions::scratch_bytes)\n");
        break;
      case PersistentKind::kSequenceState:
        if (r.op >= 0) {
          std::fprintf(out, "sequence state: cross K/V of op %d '%s' (kv dtype, once per sequence)\n", r.op,
                       op_name(graph, r.op));
        } else {
          std::fprintf(out, "sequence state: tensor %llu (computed once per sequence)\n",
                       static_cast<unsigned long long>(r.key));
        }
        break;
      case PersistentKind::kRecurrentState:
        std::fprintf(out, "recurrent state of op %d '%s' (carried over a sequence)\n", r.op, op_name(graph, r.op));
        break;
      case PersistentKind::kPackedWeights:
        std::fprintf(out, "packed f32 weights of op %d '%s' (the table's own GEMM), shared by %d op%s\n", r.op,
                     op_name(graph, r.op), r.users, r.users == 1 ? "" : "s");
        break;
    }
  }
}

// The planned region: one line per buffer, by offset then first op, so the
// buffers that reuse the same bytes stand together. Offsets count from the
// start of the planned region (after the persistent head), and a lifetime
// [i, end] lasts past the last op (graph outputs, observed tensors).
void print_planned(const Model& model, const fb::Graph& graph, const SessionLayout& layout, std::FILE* out) {
  const ArenaPlan& plan = layout.plan;
  std::fprintf(out, "  planned: %zu bytes at arena offset %zu, %zu buffers (without reuse: %zu)\n",
               plan.activation_bytes, layout.persistent.bytes, plan.buffers.size(), plan.naive_bytes);
  std::fprintf(out, "    %10s %10s  %-14s %s\n", "offset", "bytes", "lifetime", "buffer");
  std::vector<size_t> order(plan.buffers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const PlannedBuffer& x = plan.buffers[a];
    const PlannedBuffer& y = plan.buffers[b];
    return x.offset != y.offset ? x.offset < y.offset : x.first_op < y.first_op;
  });
  const int n_ops = static_cast<int>(graph.ops()->size());
  for (size_t i : order) {
    const PlannedBuffer& b = plan.buffers[i];
    char life[32];
    if (b.last_op >= n_ops) {
      std::snprintf(life, sizeof(life), "[%d, end]", b.first_op);
    } else {
      std::snprintf(life, sizeof(life), "[%d, %d]", b.first_op, b.last_op);
    }
    std::fprintf(out, "    %10zu %10zu  %-14s ", b.offset, b.bytes, life);
    if (b.tensor >= 0) {
      std::fprintf(out, "tensor %d '%s'\n", b.tensor, model.tensor(static_cast<size_t>(b.tensor)).name);
    } else {
      std::fprintf(out, "scratch of op %d '%s'\n", b.op, op_name(graph, b.op));
    }
  }
}

// One method at `limits` (defaults resolved). False if it cannot be planned.
bool print_method_plan(const Model& model, const fb::Graph& graph, const PlanLimits& limits, std::FILE* out) {
  SessionOptions opts;
  opts.method = graph.name()->c_str();
  opts.max_batch = limits.batch;
  opts.max_seq = limits.seq;
  opts.max_context = limits.context;
  SessionLayout layout;
  MemoryStats memory;
  const Status s = describe_session_layout(model, opts, &layout, &memory);
  if (!s.is_ok()) {
    std::fprintf(stderr, "edgeattn-convert: plan of method '%s': %s\n", opts.method, s.message());
    return false;
  }
  std::fprintf(out, "method '%s' (%u ops) at batch %d, seq %d, context %d:\n", opts.method, graph.ops()->size(),
               limits.batch, limits.seq, limits.context);
  print_persistent(graph, layout.persistent, out);
  print_planned(model, graph, layout, out);
  std::fprintf(out,
               "  totals: arena %zu bytes = persistent %zu + planned %zu; planned without reuse %zu; KV cache %zu\n\n",
               memory.arena_bytes, memory.persistent_bytes, memory.activation_bytes, memory.naive_activation_bytes,
               memory.kv_cache_bytes);
  return true;
}

}  // namespace

int inspect_plan(const std::string& path, const PlanLimits& limits, std::FILE* out) {
  Result<std::unique_ptr<Model>> loaded = load_for_inspect(path);
  if (!loaded.is_ok()) return 1;
  const Model& model = **loaded;
  const fb::Model& m = internal::flatbuffer_of(model);
  PlanLimits resolved = limits;
  if (resolved.seq <= 0) {
    const int max_positions = m.hparams()->max_positions();
    resolved.seq = max_positions > 0 ? std::min(128, max_positions) : 128;
  }
  if (resolved.context <= 0) resolved.context = resolved.seq;
  for (const fb::Graph* graph : *m.graphs()) {
    if (!print_method_plan(model, *graph, resolved, out)) return 1;
  }
  return 0;
}

// Speech models: the audio frontend and how the decoder is driven.
// Per graph, how many ops of each kind, in OpCode order: e.g.
// "ops of 'forward': 12 Attention, 50 FullyConnected, ...".
void print_op_kinds(const fb::Model& m, FILE* out) {
  for (const fb::Graph* g : *m.graphs()) {
    std::map<int, int> count;
    if (g->ops() != nullptr) {
      for (const fb::Op* op : *g->ops()) ++count[static_cast<int>(op->code())];
    }
    std::fprintf(out, "ops of '%s':", g->name()->c_str());
    const char* sep = " ";
    for (const auto& [code, n] : count) {
      std::fprintf(out, "%s%d %s", sep, n, fb::EnumNameOpCode(static_cast<fb::OpCode>(code)));
      sep = ", ";
    }
    std::fprintf(out, "\n");
  }
}

void print_speech(const ModelInfo& info, std::FILE* out) {
  if (info.audio.present) {
    const AudioFrontendInfo& a = info.audio;
    std::fprintf(out, "audio:         log-mel %d Hz, n_fft %d, hop %d, %d mels, windows of %d samples = %d frames\n",
                 a.sample_rate, a.n_fft, a.hop_length, a.n_mels, a.chunk_samples, a.n_frames);
  }
  if (info.decoding.present) {
    const DecodingInfo& d = info.decoding;
    std::fprintf(out, "decoding:      start");
    for (int32_t id : d.start_ids) std::fprintf(out, " %d", id);
    std::fprintf(out, ", eos %d, max_length %d, %zu suppressed (+%zu at the first step), no_timestamps %d, "
                      "timestamps from %d every %gs\n",
                 d.eos_id, d.max_length, d.suppress_ids.size(), d.suppress_ids_begin.size(), d.no_timestamps_id,
                 d.timestamp_begin_id, static_cast<double>(d.timestamp_seconds));
  }
}

// Image models: the preprocessing (Model.image) and the first labels.
void print_image(const ModelInfo& info, std::FILE* out) {
  const ImageInfo& im = info.image;
  if (!im.present) return;
  auto values = [&](Span<const float> v) {
    for (size_t c = 0; c < v.size(); ++c) std::fprintf(out, "%s%g", c ? "," : "", static_cast<double>(v[c]));
  };
  std::fprintf(out, "image:         %d x %d (height x width), %d frame%s of %d channel%s (%s), resize %s, mean ",
               im.height, im.width, im.frames, im.frames == 1 ? "" : "s", im.channels, im.channels == 1 ? "" : "s",
               im.channels == 1 ? "gray" : (im.bgr ? "BGR" : "RGB"), image_resize_name(im.resize));
  values(im.mean);
  std::fprintf(out, ", std ");
  values(im.std);
  std::fprintf(out, "; task %s\n", task_name(info.task));
  if (im.labels.empty()) return;
  constexpr size_t kShown = 10;
  std::fprintf(out, "labels:        %zu:", im.labels.size());
  for (size_t i = 0; i < im.labels.size() && i < kShown; ++i) {
    std::fprintf(out, "%s '%.*s'", i ? "," : "", static_cast<int>(im.labels[i].size()), im.labels[i].data());
  }
  std::fprintf(out, "%s\n", im.labels.size() > kShown ? ", ..." : "");
}

// One line per method: its arena at these limits.
bool print_arenas(const Model& model, int max_seq, int max_batch, std::FILE* out) {
  for (const MethodInfo& method : model.info().methods) {
    SessionOptions opts;
    opts.method = method.name;
    opts.max_seq = max_seq;
    opts.max_batch = max_batch;
    opts.max_context = max_seq;
    Result<MemoryStats> plan = Session::plan(model, opts);
    if (!plan.is_ok()) {
      std::fprintf(stderr, "edgeattn-convert: plan of '%s': %s\n", method.name, plan.status().message());
      return false;
    }
    std::fprintf(out,
                 "arena of '%s' for max_batch %d, max_seq %d: %zu bytes (activations %zu, reused from %zu; KV cache "
                 "%zu; sequence state %zu; other persistent %zu)\n",
                 method.name, max_batch, max_seq, plan->arena_bytes, plan->activation_bytes,
                 plan->naive_activation_bytes, plan->kv_cache_bytes, plan->sequence_bytes,
                 plan->persistent_bytes - plan->kv_cache_bytes - plan->sequence_bytes);
  }
  return true;
}

int inspect_model(const std::string& path, int max_seq, int max_batch, std::FILE* out) {
  Result<std::unique_ptr<Model>> loaded = load_for_inspect(path);
  if (!loaded.is_ok()) return 1;
  const Model& model = **loaded;
  const fb::Model& m = internal::flatbuffer_of(model);
  const fb::HyperParameters& hp = *m.hparams();
  std::fprintf(out, "file:          %s (%zu bytes, format %u.%u)\n", path.c_str(), model.file_size(), m.format_major(),
               m.format_minor());
  std::fprintf(out, "architecture:  %s\n", fb::EnumNameArchitecture(hp.architecture()));
  if (const fb::Producer* p = m.producer()) {
    std::fprintf(out, "producer:      %s %s from %s (%s), dtype %s\n", p->name() ? p->name()->c_str() : "?",
                 p->version() ? p->version()->c_str() : "?", p->source() ? p->source()->c_str() : "?",
                 p->source_format() ? p->source_format()->c_str() : "?", p->dtype() ? p->dtype()->c_str() : "?");
  }
  std::fprintf(out,
               "hparams:       vocab %d, hidden %d, ffn %d, layers %d, heads %d/%d (kv), head_dim %d, "
               "max_positions %d, eps %g, rope_theta %g, pooling '%s'%s\n",
               hp.vocab_size(), hp.hidden_size(), hp.intermediate_size(), hp.n_layers(), hp.n_heads(), hp.n_kv_heads(),
               hp.head_dim(), hp.max_positions(), hp.norm_epsilon(), hp.rope_theta(),
               hp.pooling() ? hp.pooling()->c_str() : "", hp.normalize_embeddings() ? " + L2 normalize" : "");
  if (const Tokenizer* tok = model.tokenizer()) {
    const fb::Tokenizer& t = *m.tokenizer();
    std::fprintf(out, "tokenizer:     %s, %d pieces", fb::EnumNameTokenizerKind(t.kind()), tok->vocab_size());
    if (t.kind() == fb::TokenizerKind::ByteLevelBpe) {
      std::fprintf(out, ", pre-tokenizer %s%s", fb::EnumNamePreTokenizer(t.pre_tokenizer()),
                   t.add_bos() ? "" : ", no BOS");
    }
    if (t.chat_template() != nullptr) std::fprintf(out, ", chat template (%u bytes)", t.chat_template()->size());
    std::fprintf(out, "\n");
  }
  print_speech(model.info(), out);
  print_image(model.info(), out);
  std::fprintf(out, "graphs:        ");
  for (const fb::Graph* g : *m.graphs()) std::fprintf(out, "'%s' (%u ops) ", g->name()->c_str(), g->ops()->size());
  std::fprintf(out, "\n");
  print_op_kinds(m, out);
  std::fprintf(out, "\ntensors (constants):\n");
  size_t n_const = 0;
  for (size_t i = 0; i < model.tensor_count(); ++i) {
    const TensorInfo& t = model.tensor(i);
    if (!t.is_constant) continue;
    ++n_const;
    char shape[96];
    int used = 0;
    for (int d = 0; d < t.rank && used < static_cast<int>(sizeof(shape)); ++d) {
      used += std::snprintf(shape + used, sizeof(shape) - static_cast<size_t>(used), d ? "x%lld" : "%lld",
                            static_cast<long long>(t.shape[d]));
    }
    const uint64_t offset = m.tensors()->Get(static_cast<flatbuffers::uoffset_t>(i))->data()->offset();
    // Packed weights (--f32-layout panels) say so after the offset.
    std::fprintf(out, "  %-52s %-4s %-16s %10zu bytes @ %llu%s\n", t.name, dtype_name(t.dtype), shape, t.bytes,
                 static_cast<unsigned long long>(offset), t.layout == TensorLayout::kF32Panels16 ? "  panels" : "");
  }
  // int8-static: the per-tensor activation scales of each FullyConnected.
  size_t n_static = 0;
  for (const fb::Graph* g : *m.graphs()) {
    for (const fb::Op* op : *g->ops()) {
      const fb::FullyConnectedOptions* o = op->options_as_FullyConnectedOptions();
      if (o == nullptr || (o->input_scale() == 0.0f && o->output_scale() == 0.0f)) continue;
      if (n_static++ == 0) std::fprintf(out, "\nstatic activation scales (int8-static):\n");
      std::fprintf(out, "  %-52s input_scale %-12g output_scale %g\n", op->name() ? op->name()->c_str() : "?",
                   static_cast<double>(o->input_scale()), static_cast<double>(o->output_scale()));
    }
  }
  std::fprintf(out, "\n%zu constant tensors, %zu activations, weight bytes %zu\n", n_const,
               model.tensor_count() - n_const, model.weight_bytes());
  return print_arenas(model, max_seq, max_batch, out) ? 0 : 1;
}

}  // namespace edgeattn::convert
