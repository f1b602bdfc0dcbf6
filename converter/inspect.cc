#include "converter/inspect.h"

#include "runtime/model.h"
#include "runtime/session.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn::convert {

int inspect_model(const std::string& path, int max_seq, int max_batch, std::FILE* out) {
  Result<std::unique_ptr<Model>> loaded = Model::load_file(path.c_str());
  if (!loaded.is_ok()) {
    std::fprintf(stderr, "edgeattn-convert: %s\n", loaded.status().message());
    return 1;
  }
  const Model& model = **loaded;
  const fb::Model& m = model.fb();
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
    std::fprintf(out, "tokenizer:     %s, %d pieces\n",
                 fb::EnumNameTokenizerKind(m.tokenizer()->kind()), tok->vocab_size());
  }
  std::fprintf(out, "graphs:        ");
  for (const fb::Graph* g : *m.graphs()) std::fprintf(out, "'%s' (%u ops) ", g->name()->c_str(), g->ops()->size());
  std::fprintf(out, "\n\ntensors (constants):\n");
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
    std::fprintf(out, "  %-52s %-4s %-16s %10zu bytes @ %llu\n", t.name, dtype_name(t.dtype), shape, t.bytes,
                 static_cast<unsigned long long>(offset));
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
  SessionOptions opts;
  opts.max_seq = max_seq;
  opts.max_batch = max_batch;
  opts.max_context = max_seq;
  Result<MemoryStats> plan = Session::plan(model, opts);
  if (!plan.is_ok()) {
    std::fprintf(stderr, "edgeattn-convert: plan: %s\n", plan.status().message());
    return 1;
  }
  std::fprintf(out,
               "arena for max_batch %d, max_seq %d: %zu bytes (activations %zu, reused from %zu; KV cache %zu; "
               "other persistent %zu)\n",
               max_batch, max_seq, plan->arena_bytes, plan->activation_bytes, plan->naive_activation_bytes,
               plan->kv_cache_bytes, plan->persistent_bytes - plan->kv_cache_bytes);
  return 0;
}

}  // namespace edgeattn::convert
