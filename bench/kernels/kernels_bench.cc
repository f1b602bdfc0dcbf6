// edgeattn-bench-kernels: every op for every kernel table the host can run
// (available_kernel_tables()), at shapes from the models edgeattn targets:
//   MiniLM-L6 (BERT): hidden 384, FFN 1536, 12 heads x 32, sequence 128;
//   Llama-like decoders: hidden 2048-4096, head_dim 64/128, decode with one
//   query over 512/2048 cached keys, and a 128-token causal prefill.
// Benchmark names are <op>/<table>/<shape>, so
//   edgeattn-bench-kernels --benchmark_filter='attention/.*/decode'
// compares the tables on one op. items_per_second counts elements (rows x
// cols for norms, elements for elementwise ops, q-k pairs for attention,
// 2 M N K operations for the GEMMs, so it reads as FLOPS / OPS).
//
// GEMM shapes are <M>x<N>x<K> (y[M, N] = x[M, K] W^T, W [N, K] used in place)
// over the transformer layers' (N, K): MiniLM (d 384, FFN 1536) 384x384,
// 1536x384, 384x1536; 100M Llama (d 768, FFN 2048 / 3072) 768x768, 2048x768,
// 768x2048, 3072x768, 768x3072; M = sequence 1, 16, 128, 512 (the reference
// table: M = 1 only). Each edgeattn GEMM runs beside XNNPACK called directly
// (bench/xnn_gemm.h) on the same shape: xnn_f32_gemm (fully_connected_nc_f32,
// what edgeattn's fp32 linear layers run), xnn_f16_gemm (fully_connected_nc_f16,
// all-fp16) and xnn_qs8_gemm (fully_connected_nc_qs8, int8 x int8). GEMMs carry
// a GFLOPS (float) or GOPS (int8) counter: 2 M N K per call.
// f32_f16w and qd8_qc8w also have Llama-110M decode 1x2048x768, 1x768x2048,
// 1x32000x768, with /cold variants streaming W from DRAM (bytes_per_second:
// weight bytes, to set beside edgeattn-machine-limits' read rate). Translation models (Bergamot tiny,
// width 256): ssru steps 1 / 32, qs8_quantize 1 / 64 rows. Image models
// (PP-OCRv4, issue #16): depthwise convolution at the recognizer's and the
// detector's shapes (NHWC, items = output elements x taps), the fused
// activation epilogue (HardSwish with PP-LCNetV3's post affine, Sigmoid), the
// recognizer's softmax over 6625 classes (64 frames).
// Packed f32 GEMM (issue #18, f32_gemm_packed on weights packed by
// f32_gemm_pack, tables that have one): the same shapes plus M = 257 (a
// DINOv2-S image: 384x384, 1152x384, 1536x384, 384x1536) and M = 1024
// (MiniLM 8x128), each beside xnn_f32_gemm at the same shape; its indirect
// form f32_igemm_packed at DINOv2-S's transposed-convolution phases.
// Block-quantized weights (format 1.9, q8b_i4bw / q8b_i8bw) at SmolLM2-135M's
// decode and a 64-token prefill, beside qd8_qc8w at the same shapes
// (register_block_gemm).
// Weights are hot (cache-resident after the first iteration where they fit).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bench/xnn_gemm.h"
#include "kernels/kernels.h"

namespace edgeattn {
namespace {

std::vector<float> random_vector(size_t n, float lo, float hi, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

void add(const std::string& name, std::function<void(benchmark::State&)> fn) {
  benchmark::RegisterBenchmark(name.c_str(), fn);
}

void register_norms(const KernelTable* t) {
  struct Shape {
    const char* label;
    size_t rows, cols;
  };
  for (Shape s : {Shape{"minilm_seq128_384", 128, 384}, Shape{"decode_4096", 1, 4096},
                  Shape{"prefill128_2048", 128, 2048}}) {
    const std::string suffix = std::string("/") + t->name + "/" + s.label;
    add("layernorm" + suffix, [t, s](benchmark::State& state) {
      const auto x = random_vector(s.rows * s.cols, -2.0f, 2.0f);
      const auto g = random_vector(s.cols, 0.5f, 1.5f), b = random_vector(s.cols, -1.0f, 1.0f);
      std::vector<float> y(s.rows * s.cols);
      for (auto _ : state) {
        t->f32_layernorm(s.rows, s.cols, x.data(), s.cols, g.data(), b.data(), 1e-12f, y.data(),
                         s.cols);
        benchmark::DoNotOptimize(y.data());
      }
      state.SetItemsProcessed(state.iterations() * s.rows * s.cols);
    });
    add("rmsnorm" + suffix, [t, s](benchmark::State& state) {
      const auto x = random_vector(s.rows * s.cols, -2.0f, 2.0f);
      const auto g = random_vector(s.cols, 0.5f, 1.5f);
      std::vector<float> y(s.rows * s.cols);
      for (auto _ : state) {
        t->f32_rmsnorm(s.rows, s.cols, x.data(), s.cols, g.data(), 1e-5f, y.data(), s.cols);
        benchmark::DoNotOptimize(y.data());
      }
      state.SetItemsProcessed(state.iterations() * s.rows * s.cols);
    });
  }
  for (size_t rows : {1, 32}) {
    add(std::string("l2_normalize/") + t->name + "/rows" + std::to_string(rows) + "_384",
        [t, rows](benchmark::State& state) {
          const auto x = random_vector(rows * 384, -2.0f, 2.0f);
          std::vector<float> y(rows * 384);
          for (auto _ : state) {
            t->f32_l2_normalize(rows, 384, x.data(), 1e-12f, y.data());
            benchmark::DoNotOptimize(y.data());
          }
          state.SetItemsProcessed(state.iterations() * rows * 384);
        });
  }
}

void register_elementwise(const KernelTable* t) {
  struct Shape {
    const char* label;
    size_t n;
  };
  for (Shape s : {Shape{"minilm_ffn_128x1536", 128 * 1536}, Shape{"decode_1536", 1536}}) {
    add(std::string("gelu/") + t->name + "/" + s.label, [t, s](benchmark::State& state) {
      const auto x = random_vector(s.n, -5.0f, 5.0f);
      std::vector<float> y(s.n);
      for (auto _ : state) {
        t->f32_gelu(s.n, x.data(), y.data());
        benchmark::DoNotOptimize(y.data());
      }
      state.SetItemsProcessed(state.iterations() * s.n);
    });
  }
  // GPT-2 small MLP: 128 tokens x 3072 (4 x 768) intermediate.
  add(std::string("gelu_tanh/") + t->name + "/gpt2_ffn_128x3072", [t](benchmark::State& state) {
    const size_t n = 128 * 3072;
    const auto x = random_vector(n, -5.0f, 5.0f);
    std::vector<float> y(n);
    for (auto _ : state) {
      t->f32_gelu_tanh(n, x.data(), y.data());
      benchmark::DoNotOptimize(y.data());
    }
    state.SetItemsProcessed(state.iterations() * n);
  });
  for (Shape s : {Shape{"decode_11008", 11008}, Shape{"prefill128_5632", 128 * 5632}}) {
    add(std::string("silu_mul/") + t->name + "/" + s.label, [t, s](benchmark::State& state) {
      const auto g = random_vector(s.n, -8.0f, 8.0f, 1), u = random_vector(s.n, -2.0f, 2.0f, 2);
      std::vector<float> y(s.n);
      for (auto _ : state) {
        t->f32_silu_mul(s.n, g.data(), u.data(), y.data());
        benchmark::DoNotOptimize(y.data());
      }
      state.SetItemsProcessed(state.iterations() * s.n);
    });
  }
  for (Shape s : {Shape{"minilm_128x384", 128 * 384}, Shape{"decode_4096", 4096}}) {
    add(std::string("add/") + t->name + "/" + s.label, [t, s](benchmark::State& state) {
      const auto a = random_vector(s.n, -2.0f, 2.0f, 1), b = random_vector(s.n, -2.0f, 2.0f, 2);
      std::vector<float> y(s.n);
      for (auto _ : state) {
        t->f32_add(s.n, a.data(), b.data(), y.data());
        benchmark::DoNotOptimize(y.data());
      }
      state.SetItemsProcessed(state.iterations() * s.n);
    });
  }
}

void register_rope(const KernelTable* t) {
  struct Shape {
    const char* label;
    size_t tokens, heads, head_dim;
    RopeStyle style;
  };
  for (Shape s : {Shape{"decode_32x128_interleaved", 1, 32, 128, RopeStyle::kInterleaved},
                  Shape{"decode_32x128_half", 1, 32, 128, RopeStyle::kHalf},
                  Shape{"prefill128_32x64_interleaved", 128, 32, 64, RopeStyle::kInterleaved},
                  Shape{"prefill128_32x64_half", 128, 32, 64, RopeStyle::kHalf}}) {
    add(std::string("rope/") + t->name + "/" + s.label, [t, s](benchmark::State& state) {
      const size_t max_pos = 1024;
      std::vector<float> cs(max_pos * s.head_dim);
      fill_rope_table(max_pos, s.head_dim, 10000.0f, cs.data());
      auto x = random_vector(s.tokens * s.heads * s.head_dim, -1.0f, 1.0f);
      for (auto _ : state) {
        t->f32_rope(x.data(), s.tokens, s.heads * s.head_dim, s.heads, s.head_dim, s.head_dim,
                    500, cs.data(), s.style);
        benchmark::DoNotOptimize(x.data());
      }
      state.SetItemsProcessed(state.iterations() * s.tokens * s.heads * s.head_dim);
    });
  }
}

// Attention shapes; a `per_query` shape calls f32_attention once per query
// (n_queries = 1), which is what every table did before the x86 tiled kernel
// (kernels/attention_tiled.h): the side-by-side baseline in the same run.
void register_attention(const KernelTable* t) {
  struct Shape {
    const char* label;
    size_t heads, head_dim, n_queries, n_keys, causal_step;
    bool per_query;
  };
  for (Shape s : {Shape{"minilm_12x32_seq128", 12, 32, 128, 128, 0, false},
                  Shape{"minilm_12x32_seq128_per_query", 12, 32, 128, 128, 0, true},
                  Shape{"decode_d64_keys512", 1, 64, 1, 512, 0, false},
                  Shape{"decode_d64_keys2048", 1, 64, 1, 2048, 0, false},
                  Shape{"decode_d128_keys512", 1, 128, 1, 512, 0, false},
                  Shape{"decode_d128_keys2048", 1, 128, 1, 2048, 0, false},
                  Shape{"prefill_d64_causal128", 1, 64, 128, 1, 1, false},
                  Shape{"prefill_d64_causal128_per_query", 1, 64, 128, 1, 1, true},
                  // Whisper tiny.en: encoder self-attention and cross-attention
                  // of a 448-token decode prefill, 6 heads x 64 over 1500 frames.
                  Shape{"whisper_enc_6x64_1500x1500", 6, 64, 1500, 1500, 0, false},
                  Shape{"whisper_enc_6x64_1500x1500_per_query", 6, 64, 1500, 1500, 0, true},
                  Shape{"whisper_cross_6x64_448x1500", 6, 64, 448, 1500, 0, false},
                  // DINOv2-S at 224 x 224: 256 patches and the CLS token.
                  Shape{"vit_6x64_257x257", 6, 64, 257, 257, 0, false},
                  // Small query counts around the tiled kernel's switch (8).
                  Shape{"d64_keys1500_nq4", 1, 64, 4, 1500, 0, false},
                  Shape{"d64_keys1500_nq4_per_query", 1, 64, 4, 1500, 0, true},
                  Shape{"d64_keys1500_nq8", 1, 64, 8, 1500, 0, false},
                  Shape{"d64_keys1500_nq8_per_query", 1, 64, 8, 1500, 0, true},
                  Shape{"d64_keys1500_nq16", 1, 64, 16, 1500, 0, false},
                  Shape{"d64_keys1500_nq16_per_query", 1, 64, 16, 1500, 0, true}}) {
    add(std::string("attention/") + t->name + "/" + s.label, [t, s](benchmark::State& state) {
      // [tokens, heads * head_dim] tensors, one head at a time, as the runtime lays them out.
      const size_t row = s.heads * s.head_dim;
      const size_t kv_rows = s.n_keys + (s.n_queries - 1) * s.causal_step;
      const auto q = random_vector(s.n_queries * row, -1.0f, 1.0f, 1);
      const auto k = random_vector(kv_rows * row, -1.0f, 1.0f, 2);
      const auto v = random_vector(kv_rows * row, -1.0f, 1.0f, 3);
      std::vector<float> out(s.n_queries * row);
      for (auto _ : state) {
        for (size_t h = 0; h < s.heads; ++h) {
          AttentionArgs a{};
          a.q = q.data() + h * s.head_dim;
          a.q_stride = row;
          a.k = k.data() + h * s.head_dim;
          a.k_stride = row;
          a.v = v.data() + h * s.head_dim;
          a.v_stride = row;
          a.out = out.data() + h * s.head_dim;
          a.out_stride = row;
          a.n_queries = s.n_queries;
          a.head_dim = s.head_dim;
          a.n_keys = s.n_keys;
          a.causal_step = s.causal_step;
          a.scale = 1.0f / std::sqrt(static_cast<float>(s.head_dim));
          if (!s.per_query) {
            t->f32_attention(a);
            continue;
          }
          for (size_t qi = 0; qi < s.n_queries; ++qi) {
            AttentionArgs one = a;
            one.q = a.q + qi * a.q_stride;
            one.out = a.out + qi * a.out_stride;
            one.n_keys = a.n_keys + qi * a.causal_step;
            one.n_queries = 1;
            t->f32_attention(one);
          }
        }
        benchmark::DoNotOptimize(out.data());
      }
      // Query-key pairs visited (the causal prefill sees a triangle).
      size_t pairs = 0;
      for (size_t qi = 0; qi < s.n_queries; ++qi) pairs += s.n_keys + qi * s.causal_step;
      state.SetItemsProcessed(state.iterations() * s.heads * pairs);
    });
  }
}

// Decode over a KV cache stored as f32, f16 or int8 (f32_attention_kv), laid
// out as the runtime's cache: [Hkv, ctx, Dh] per K and V (rows head_dim
// elements apart), int8 scales [Hkv, ctx]. heads = 1 is one head (cache-hot
// for f32 up to 1 MB); heads = 8 is a whole GQA layer (8 kv heads), 2-16 MB
// of K+V, which no longer fits L2. items = query-key pairs.
void register_attention_kv(const KernelTable* t) {
  struct Shape {
    size_t heads, head_dim, n_keys;
  };
  for (Shape s : {Shape{1, 64, 512}, Shape{1, 64, 2048}, Shape{1, 128, 512}, Shape{1, 128, 2048},
                  Shape{8, 64, 2048}, Shape{8, 128, 2048}}) {
    if (std::string(t->name) == "reference" && s.heads > 1) continue;
    for (KvDType dt : {KvDType::kF32, KvDType::kF16, KvDType::kI8}) {
      const char* dname = dt == KvDType::kF32 ? "f32" : dt == KvDType::kF16 ? "f16" : "i8";
      const std::string label = std::string("attention_kv/") + t->name + "/decode_" +
                                (s.heads > 1 ? "h" + std::to_string(s.heads) + "_" : std::string()) +
                                "d" + std::to_string(s.head_dim) + "_keys" +
                                std::to_string(s.n_keys) + "_" + dname;
      add(label, [t, s, dt](benchmark::State& state) {
        const size_t rows = s.heads * s.n_keys, d = s.head_dim;
        const auto q = random_vector(s.heads * d, -1.0f, 1.0f, 1);
        const auto kf = random_vector(rows * d, -1.0f, 1.0f, 2);
        const auto vf = random_vector(rows * d, -1.0f, 1.0f, 3);
        std::vector<uint16_t> kh, vh;
        std::vector<int8_t> kb, vb;
        std::vector<float> ks(rows), vs(rows);
        const void* k = kf.data();
        const void* v = vf.data();
        if (dt == KvDType::kF16) {
          kh.resize(rows * d);
          vh.resize(rows * d);
          t->f32_to_f16_row(rows * d, kf.data(), kh.data());
          t->f32_to_f16_row(rows * d, vf.data(), vh.data());
          k = kh.data();
          v = vh.data();
        } else if (dt == KvDType::kI8) {
          kb.resize(rows * d);
          vb.resize(rows * d);
          for (size_t r = 0; r < rows; ++r) {
            ks[r] = t->f32_quantize_row_q8(d, kf.data() + r * d, kb.data() + r * d);
            vs[r] = t->f32_quantize_row_q8(d, vf.data() + r * d, vb.data() + r * d);
          }
          k = kb.data();
          v = vb.data();
        }
        const size_t esize = dt == KvDType::kF32 ? 4 : dt == KvDType::kF16 ? 2 : 1;
        std::vector<float> out(s.heads * d);
        for (auto _ : state) {
          for (size_t h = 0; h < s.heads; ++h) {
            AttentionKvArgs a{};
            a.q = q.data() + h * d;
            a.q_stride = d;
            a.k = static_cast<const char*>(k) + h * s.n_keys * d * esize;
            a.k_stride = d;
            a.v = static_cast<const char*>(v) + h * s.n_keys * d * esize;
            a.v_stride = d;
            a.k_scales = ks.data() + h * s.n_keys;
            a.v_scales = vs.data() + h * s.n_keys;
            a.out = out.data() + h * d;
            a.out_stride = d;
            a.n_queries = 1;
            a.head_dim = d;
            a.n_keys = s.n_keys;
            a.causal_step = 0;
            a.scale = 1.0f / std::sqrt(static_cast<float>(d));
            a.kv_dtype = dt;
            t->f32_attention_kv(a);
          }
          benchmark::DoNotOptimize(out.data());
        }
        state.SetItemsProcessed(state.iterations() * rows);
        state.SetBytesProcessed(state.iterations() * 2 * rows * d * esize);
      });
    }
  }
  // Writing one decode step's K and V rows into the cache (8 kv heads x 128).
  add(std::string("f32_to_f16_row/") + t->name + "/1024", [t](benchmark::State& state) {
    const auto x = random_vector(1024, -4.0f, 4.0f, 9);
    std::vector<uint16_t> h(1024);
    for (auto _ : state) {
      t->f32_to_f16_row(1024, x.data(), h.data());
      benchmark::DoNotOptimize(h.data());
    }
    state.SetItemsProcessed(state.iterations() * 1024);
  });
  add(std::string("f32_quantize_row_q8/") + t->name + "/8x128", [t](benchmark::State& state) {
    const auto x = random_vector(1024, -4.0f, 4.0f, 9);
    std::vector<int8_t> b(1024);
    float scales[8];
    for (auto _ : state) {
      for (size_t r = 0; r < 8; ++r) scales[r] = t->f32_quantize_row_q8(128, x.data() + r * 128, b.data() + r * 128);
      benchmark::DoNotOptimize(b.data());
      benchmark::DoNotOptimize(scales);
    }
    state.SetItemsProcessed(state.iterations() * 1024);
  });
}

struct GemmShape {
  size_t m, n, k;
};

// Every (M, N, K) of the header comment.
std::vector<GemmShape> transformer_gemm_shapes() {
  const size_t nk[][2] = {{384, 384}, {1536, 384}, {384, 1536}, {768, 768},
                          {2048, 768}, {768, 2048}, {3072, 768}, {768, 3072}};
  std::vector<GemmShape> shapes;
  for (size_t m : {1, 16, 128, 512})
    for (const auto& p : nk) shapes.push_back(GemmShape{m, p[0], p[1]});
  return shapes;
}

// The packed f32 GEMM's shapes: the transformer ones plus a DINOv2-S image
// (257 tokens, qkv fused: 1152x384) and MiniLM at 8x128 tokens.
std::vector<GemmShape> f32_gemm_shapes() {
  std::vector<GemmShape> shapes = transformer_gemm_shapes();
  const size_t vit[][2] = {{384, 384}, {1152, 384}, {1536, 384}, {384, 1536}};
  for (const auto& p : vit) shapes.push_back(GemmShape{257, p[0], p[1]});
  for (const auto& p : vit) shapes.push_back(GemmShape{1024, p[0], p[1]});
  return shapes;
}

std::string gemm_label(const GemmShape& s) {
  return std::to_string(s.m) + "x" + std::to_string(s.n) + "x" + std::to_string(s.k);
}

// 2 M N K per iteration, as a rate in units of 10^9 (GFLOPS or GOPS).
void set_gemm_counter(benchmark::State& state, const GemmShape& s, const char* name) {
  state.SetItemsProcessed(state.iterations() * 2 * s.m * s.n * s.k);
  state.counters[name] = benchmark::Counter(2e-9 * static_cast<double>(s.m * s.n * s.k),
                                            benchmark::Counter::kIsIterationInvariantRate);
}

// XNNPACK called directly, single-threaded (pool nullptr) like the kernels.
void register_xnn_gemm() {
  for (GemmShape s : f32_gemm_shapes()) {
    for (bench::XnnGemmType type : {bench::XnnGemmType::kF32, bench::XnnGemmType::kF16, bench::XnnGemmType::kQs8}) {
      if (type != bench::XnnGemmType::kF32 && (s.m == 257 || s.m == 1024)) continue;  // f32 peers only
      add(std::string("xnn_") + bench::xnn_gemm_type_name(type) + "_gemm/xnnpack/" + gemm_label(s),
          [s, type](benchmark::State& state) {
            bench::XnnGemm g;
            if (!g.init(type, s.m, s.n, s.k, nullptr)) {
              state.SkipWithError("XNNPACK operator not supported on this CPU");
              return;
            }
            for (auto _ : state) {
              if (!g.run()) {
                state.SkipWithError("xnn_run_operator failed");
                break;
              }
              benchmark::DoNotOptimize(g.output());
            }
            set_gemm_counter(state, s, type == bench::XnnGemmType::kQs8 ? "GOPS" : "GFLOPS");
          });
    }
  }
}

// y = x W^T + b on W packed once (outside the timing), as FullyConnected
// does at prepare.
void register_f32_gemm_packed(const KernelTable* t) {
  if (t->f32_gemm_packed == nullptr) return;
  for (GemmShape s : f32_gemm_shapes()) {
    add(std::string("f32_gemm_packed/") + t->name + "/" + gemm_label(s), [t, s](benchmark::State& state) {
      const auto x = random_vector(s.m * s.k, -1.0f, 1.0f, 7), w = random_vector(s.n * s.k, -1.0f, 1.0f, 8);
      const auto b = random_vector(s.n, -1.0f, 1.0f, 6);
      std::vector<float> storage(f32_gemm_packed_floats(s.n, s.k) + 16), y(s.m * s.n);
      float* packed = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(storage.data()) + 63) / 64 * 64);
      f32_gemm_pack(s.n, s.k, w.data(), b.data(), packed);
      for (auto _ : state) {
        t->f32_gemm_packed(s.m, s.n, s.k, x.data(), s.k, packed, y.data(), s.n);
        benchmark::DoNotOptimize(y.data());
      }
      set_gemm_counter(state, s, "GFLOPS");
    });
  }
}

// The indirect form at DINOv2-S's saliency decoder (ConvTranspose 4x4
// stride 2 pad 1, one output phase: 2 x 2 taps per pixel gathered from an
// H x W x Cin image, a zero row past the border): 16x16x384 -> 256,
// 32x32x256 -> 128, 64x64x128 -> 64. GFLOPS counts the 4 Cin products of
// every output (border taps included: the zero row is multiplied too).
void register_f32_igemm_packed(const KernelTable* t) {
  if (t->f32_igemm_packed == nullptr) return;
  struct Up {
    size_t hw, cin, cout;
  };
  for (Up u : {Up{16, 384, 256}, Up{32, 256, 128}, Up{64, 128, 64}}) {
    const std::string label = "dinov2_upconv_" + std::to_string(u.hw) + "x" + std::to_string(u.hw) + "x" +
                              std::to_string(u.cin) + "_" + std::to_string(u.cout);
    add(std::string("f32_igemm_packed/") + t->name + "/" + label, [t, u](benchmark::State& state) {
      const size_t m = u.hw * u.hw, ks = 4;
      const auto x = random_vector(m * u.cin, -1.0f, 1.0f, 7);  // [H, W, Cin]
      const auto w = random_vector(ks * u.cout * u.cin, -1.0f, 1.0f, 8);
      const auto b = random_vector(u.cout, -1.0f, 1.0f, 6);
      const std::vector<float> zero(u.cin, 0.0f);
      std::vector<float> y(4 * m * u.cout);  // the whole [2H, 2W, Cout] output; this phase writes a quarter
      std::vector<const float*> a(m * ks), runs(ks);
      std::vector<float*> yr(m);
      for (size_t i = 0; i < ks; ++i) runs[i] = w.data() + i * u.cout * u.cin;
      for (size_t p = 0; p < m; ++p) {  // phase (0, 0): taps at input offsets (0 / -1, 0 / -1)
        const size_t yy = p / u.hw, xx = p % u.hw;
        for (size_t i = 0; i < ks; ++i) {
          const size_t iy = yy - i / 2, ix = xx - i % 2;  // wraps past the border
          a[p * ks + i] = iy < u.hw && ix < u.hw ? x.data() + (iy * u.hw + ix) * u.cin : zero.data();
        }
        yr[p] = y.data() + (2 * yy * 2 * u.hw + 2 * xx) * u.cout;
      }
      std::vector<float> storage(f32_gemm_packed_floats(u.cout, ks * u.cin) + 16);
      float* packed = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(storage.data()) + 63) / 64 * 64);
      f32_gemm_pack_runs(u.cout, ks, u.cin, runs.data(), u.cin, b.data(), packed);
      for (auto _ : state) {
        t->f32_igemm_packed(m, u.cout, ks, u.cin, a.data(), packed, yr.data());
        benchmark::DoNotOptimize(y.data());
      }
      set_gemm_counter(state, GemmShape{m, u.cout, ks * u.cin}, "GFLOPS");
    });
  }
}

void register_gemm(const KernelTable* t) {
  using Shape = GemmShape;
  for (Shape s : transformer_gemm_shapes()) {
    const std::string label = gemm_label(s);
    // The reference is plain loops: only the decode shapes, to keep the run short.
    if (std::string(t->name) == "reference" && s.m > 1) continue;
    add(std::string("qd8_qc8w_gemm/") + t->name + "/" + label, [t, s](benchmark::State& state) {
      std::mt19937 rng(3);
      std::vector<int8_t> xq(s.m * qd8_row_bytes(s.k)), w(s.n * s.k);
      for (int8_t& v : xq) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
      for (int8_t& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
      const auto xs = random_vector(s.m, 0.01f, 0.1f, 4), ws = random_vector(s.n, 0.01f, 0.1f, 5);
      const auto b = random_vector(s.n, -1.0f, 1.0f, 6);
      std::vector<float> y(s.m * s.n);
      for (auto _ : state) {
        t->qd8_qc8w_gemm(s.m, s.n, s.k, xq.data(), xs.data(), w.data(), ws.data(), b.data(),
                         y.data(), s.n);
        benchmark::DoNotOptimize(y.data());
      }
      set_gemm_counter(state, s, "GOPS");
    });
    add(std::string("f32_f16w_gemm/") + t->name + "/" + label, [t, s](benchmark::State& state) {
      std::mt19937 rng(3);
      const auto x = random_vector(s.m * s.k, -1.0f, 1.0f, 7);
      std::vector<uint16_t> w(s.n * s.k);
      // Halves with |w| in [2^-10, 2): sign, exponent 5..15, random mantissa.
      for (uint16_t& h : w)
        h = static_cast<uint16_t>(((rng() & 1) << 15) | ((5 + rng() % 11) << 10) | (rng() & 0x3ff));
      const auto b = random_vector(s.n, -1.0f, 1.0f, 6);
      std::vector<float> y(s.m * s.n);
      for (auto _ : state) {
        t->f32_f16w_gemm(s.m, s.n, s.k, x.data(), s.k, w.data(), b.data(), y.data(), s.n);
        benchmark::DoNotOptimize(y.data());
      }
      set_gemm_counter(state, s, "GFLOPS");
    });
  }
  // Llama-110M (hidden 768, FFN 2048, vocab 32000) fp16 decode, M = 1. "cold"
  // cycles through 64 copies of W (192 MiB of fp16 in all, far past the
  // caches), so every call streams W from DRAM as a decode step does;
  // bytes_per_second counts the fp16 weight bytes read.
  for (Shape s : {Shape{1, 2048, 768}, Shape{1, 768, 2048}, Shape{1, 32000, 768}}) {
    const std::string label = std::to_string(s.m) + "x" + std::to_string(s.n) + "x" +
                              std::to_string(s.k);
    if (std::string(t->name) == "reference") continue;
    for (bool cold : {false, true}) {
      if (cold && s.n == 32000) continue;  // 47 MiB: already past the caches
      add(std::string("f32_f16w_gemm/") + t->name + "/" + label + (cold ? "/cold" : ""),
          [t, s, cold](benchmark::State& state) {
            std::mt19937 rng(3);
            const auto x = random_vector(s.m * s.k, -1.0f, 1.0f, 7);
            const size_t copies = cold ? 64 : 1, nk = s.n * s.k;
            std::vector<uint16_t> w(copies * nk);
            for (size_t i = 0; i < nk; ++i)
              w[i] = static_cast<uint16_t>(((rng() & 1) << 15) | ((5 + rng() % 11) << 10) |
                                           (rng() & 0x3ff));
            for (size_t c = 1; c < copies; ++c)
              std::copy(w.begin(), w.begin() + nk, w.begin() + c * nk);
            const auto b = random_vector(s.n, -1.0f, 1.0f, 6);
            std::vector<float> y(s.m * s.n);
            size_t c = 0;
            for (auto _ : state) {
              t->f32_f16w_gemm(s.m, s.n, s.k, x.data(), s.k, w.data() + c * nk, b.data(),
                               y.data(), s.n);
              benchmark::DoNotOptimize(y.data());
              c = c + 1 == copies ? 0 : c + 1;
            }
            set_gemm_counter(state, s, "GFLOPS");
            state.SetBytesProcessed(state.iterations() * 2 * s.n * s.k);
          });
    }
  }
  // The same decode shapes in int8 (qd8 x qc8w), hot and cold (64 copies:
  // 96 MiB of int8 for 2048x768; 4 of the 23.4 MiB 32000x768, which alone
  // fits a 32 MiB L3); bytes_per_second counts the weight bytes.
  for (Shape s : {Shape{1, 2048, 768}, Shape{1, 768, 2048}, Shape{1, 32000, 768}}) {
    if (std::string(t->name) == "reference") continue;
    for (bool cold : {false, true}) {
      if (!cold && s.n != 32000) continue;  // hot 1x2048x768, 1x768x2048: in register_gemm's shapes
      add(std::string("qd8_qc8w_gemm/") + t->name + "/" + gemm_label(s) + (cold ? "/cold" : ""),
          [t, s, cold](benchmark::State& state) {
            std::mt19937 rng(3);
            const size_t copies = !cold ? 1 : s.n == 32000 ? 4 : 64, nk = s.n * s.k;
            std::vector<int8_t> xq(s.m * qd8_row_bytes(s.k)), w(copies * nk);
            for (int8_t& v : xq) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
            for (size_t i = 0; i < nk; ++i) w[i] = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
            for (size_t c = 1; c < copies; ++c) std::copy(w.begin(), w.begin() + nk, w.begin() + c * nk);
            const auto xs = random_vector(s.m, 0.01f, 0.1f, 4), ws = random_vector(s.n, 0.01f, 0.1f, 5);
            const auto b = random_vector(s.n, -1.0f, 1.0f, 6);
            std::vector<float> y(s.m * s.n);
            size_t c = 0;
            for (auto _ : state) {
              t->qd8_qc8w_gemm(s.m, s.n, s.k, xq.data(), xs.data(), w.data() + c * nk, ws.data(), b.data(),
                               y.data(), s.n);
              benchmark::DoNotOptimize(y.data());
              c = c + 1 == copies ? 0 : c + 1;
            }
            set_gemm_counter(state, s, "GOPS");
            state.SetBytesProcessed(state.iterations() * s.n * s.k);
          });
    }
  }
  // Dynamic quantization of a MiniLM activation block (items = elements).
  add(std::string("qd8_quantize/") + t->name + "/128x384", [t](benchmark::State& state) {
    const auto x = random_vector(128 * 384, -4.0f, 4.0f, 8);
    std::vector<int8_t> xq(128 * qd8_row_bytes(384));
    std::vector<float> scales(128);
    for (auto _ : state) {
      t->f32_qd8_quantize(128, 384, x.data(), 384, xq.data(), scales.data());
      benchmark::DoNotOptimize(xq.data());
    }
    state.SetItemsProcessed(state.iterations() * 128 * 384);
  });
  // Embedding-row gathers (items = elements).
  add(std::string("f16_to_f32_rows/") + t->name + "/768", [t](benchmark::State& state) {
    std::vector<uint16_t> h(768);
    for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<uint16_t>(0x3000 + i * 7);
    std::vector<float> y(768);
    for (auto _ : state) {
      t->f16_to_f32_rows(768, h.data(), y.data());
      benchmark::DoNotOptimize(y.data());
    }
    state.SetItemsProcessed(state.iterations() * 768);
  });
}

// Translation-model ops (Marian / Bergamot tiny decoders, width 256): the
// SSRU recurrence for a decode step (steps 1) and a 32-position block
// (items = steps x width), and the static int8 quantization of one decode
// row and of a 64-row block (items = elements).
void register_translation(const KernelTable* t) {
  for (size_t steps : {1, 32}) {
    add(std::string("ssru/") + t->name + "/width256_steps" + std::to_string(steps),
        [t, steps](benchmark::State& state) {
          const size_t width = 256;
          const auto x = random_vector(steps * width, -2.0f, 2.0f, 1);
          const auto f = random_vector(steps * width, -8.0f, 8.0f, 2);
          auto c = random_vector(width, -2.0f, 2.0f, 3);
          std::vector<float> h(steps * width);
          for (auto _ : state) {
            t->f32_ssru(steps, width, x.data(), width, f.data(), width, c.data(), h.data(), width);
            benchmark::DoNotOptimize(h.data());
          }
          state.SetItemsProcessed(state.iterations() * steps * width);
        });
  }
  for (size_t rows : {1, 64}) {
    add(std::string("qs8_quantize/") + t->name + "/" + std::to_string(rows) + "x256",
        [t, rows](benchmark::State& state) {
          const auto x = random_vector(rows * 256, -4.0f, 4.0f, 8);
          std::vector<int8_t> xq(rows * qd8_row_bytes(256));
          for (auto _ : state) {
            t->f32_qs8_quantize(rows, 256, x.data(), 256, 127.0f / 3.5f, xq.data());
            benchmark::DoNotOptimize(xq.data());
          }
          state.SetItemsProcessed(state.iterations() * rows * 256);
        });
  }
}

void register_image(const KernelTable* t) {
  struct DwShape {
    const char* label;
    size_t h, w, c, k, stride;
  };
  for (DwShape s : {DwShape{"rec_24x160x64_k3s1", 24, 160, 64, 3, 1}, DwShape{"rec_12x80x240_k5s1", 12, 80, 240, 5, 1},
                    DwShape{"det_160x160x48_k3s2", 160, 160, 48, 3, 2}}) {
    add(std::string("dwconv/") + t->name + "/" + s.label, [t, s](benchmark::State& state) {
      const size_t pad = s.k / 2, oh = (s.h + 2 * pad - s.k) / s.stride + 1, ow = (s.w + 2 * pad - s.k) / s.stride + 1;
      const auto x = random_vector(s.h * s.w * s.c, -2.0f, 2.0f, 1);    // [h, w, c]
      const auto w = random_vector(s.k * s.k * s.c, -0.5f, 0.5f, 2);    // [k, k, c]
      const auto bias = random_vector(s.c, -0.1f, 0.1f, 3);
      std::vector<float> y(oh * ow * s.c);                               // [oh, ow, c]
      DwConvArgs a{x.data(), s.c, w.data(), bias.data(), y.data(), s.c, s.h, s.w, s.c, s.k, s.k,
                   s.stride, s.stride, 1, 1, pad, pad, oh, ow, 0, oh};
      for (auto _ : state) {
        t->f32_dwconv(a);
        benchmark::DoNotOptimize(y.data());
      }
      state.SetItemsProcessed(state.iterations() * oh * ow * s.c * s.k * s.k);
    });
  }
  ActivationParams hardswish;
  hardswish.kind = ActKind::kHardSwish;
  hardswish.post_scale = 0.4f;
  hardswish.post_shift = -0.08f;
  ActivationParams sigmoid;
  sigmoid.kind = ActKind::kSigmoid;
  for (const auto& [label, params] : {std::pair<const char*, ActivationParams>{"hardswish_affine", hardswish},
                                      std::pair<const char*, ActivationParams>{"sigmoid", sigmoid}}) {
    const ActivationParams p = params;
    add(std::string("activation/") + t->name + "/" + label + "_1M", [t, p](benchmark::State& state) {
      const size_t n = size_t{1} << 20;
      const auto x = random_vector(n, -6.0f, 6.0f, 4);
      std::vector<float> y(n);
      for (auto _ : state) {
        t->f32_activation(n, x.data(), y.data(), p);
        benchmark::DoNotOptimize(y.data());
      }
      state.SetItemsProcessed(state.iterations() * n);
    });
  }
  // DINOv2-S saliency's last step: bilinear (half_pixel) 128x128 -> 224x224,
  // one channel (items = outputs). The reference table computes every
  // output's coordinates; the others (scalar kernel) once per row / column.
  add(std::string("resize/") + t->name + "/bilinear_128_to_224_c1", [t](benchmark::State& state) {
    const auto x = random_vector(128 * 128, -4.0f, 4.0f, 6);  // [128, 128, 1]
    std::vector<float> y(224 * 224);                             // [224, 224, 1]
    const ResizeArgs a{x.data(), y.data(), 128, 128, 1, 224, 224, ResizeKind::kBilinear, ResizeCoord::kHalfPixel};
    for (auto _ : state) {
      t->f32_resize(a);
      benchmark::DoNotOptimize(y.data());
    }
    state.SetItemsProcessed(state.iterations() * 224 * 224);
  });
  // PP-OCRv4's recognizer output: 6625 classes per frame (items = rows * cols;
  // ns per row = time / 64).
  add(std::string("softmax/") + t->name + "/6625x64", [t](benchmark::State& state) {
    const size_t rows = 64, cols = 6625;
    const auto x = random_vector(rows * cols, -20.0f, 20.0f, 5);
    std::vector<float> y(rows * cols);
    for (auto _ : state) {
      t->f32_softmax(rows, cols, x.data(), y.data());
      benchmark::DoNotOptimize(y.data());
    }
    state.SetItemsProcessed(state.iterations() * rows * cols);
  });
}

// Block-quantized weights (format 1.9) at SmolLM2-135M's shapes (hidden 576,
// FFN 1536, vocab 49152): decode (M = 1) and a 64-token prefill, each
// beside qd8_qc8w_gemm (int8 weights, one scale per row) at the same shape.
// bytes_per_second counts the weight bytes read (20 / 34 bytes per 32
// weights for I4 / I8 blocks, 1 per weight for qd8); "cold" cycles through
// enough copies of W (>= 128 MiB, past the 32 MiB L3) that every call
// streams W from DRAM, as a decode step does. The reference runs every shape
// too (~0.1 s per call at M = 64), as the baseline of the ISA tables.
enum class BlockWeights { kI4, kI8, kQc8 };

size_t weight_bytes(BlockWeights type, size_t n, size_t k) {
  switch (type) {
    case BlockWeights::kI4: return n * (k / 32) * 20;
    case BlockWeights::kI8: return n * (k / 32) * 34;
    default: return n * k;
  }
}

// W [n, k] in the format's bytes: random codes, scales ~ 2^-8 (random
// mantissa), I4 offsets ~ -2^-5.
std::vector<uint8_t> random_block_weights(BlockWeights type, size_t n, size_t k) {
  std::mt19937 rng(3);
  std::vector<uint8_t> w(weight_bytes(type, n, k));
  const size_t block_bytes = type == BlockWeights::kI4 ? 20 : 34;
  for (size_t i = 0; i < w.size(); ++i) {
    const size_t at = i % block_bytes;
    if (type == BlockWeights::kQc8) {
      w[i] = static_cast<uint8_t>(static_cast<int>(rng() % 255) - 127);
    } else if (at < 2 || (type == BlockWeights::kI4 && at < 4)) {
      const uint16_t h = static_cast<uint16_t>((at < 2 ? 0x1c00 : 0xa800) | (rng() & 0x3ff));
      w[i] = static_cast<uint8_t>(at % 2 == 0 ? h & 0xff : h >> 8);  // this byte of a fresh draw
    } else {
      w[i] = static_cast<uint8_t>(rng());
    }
  }
  return w;
}

void run_block_gemm(benchmark::State& state, const KernelTable* t, BlockWeights type, GemmShape s, bool cold) {
  const size_t bytes = weight_bytes(type, s.n, s.k);
  const size_t copies = cold ? (size_t{128} << 20) / bytes + 1 : 1;
  const std::vector<uint8_t> w1 = random_block_weights(type, s.n, s.k);
  std::vector<uint8_t> w(copies * bytes);  // [copies][n, k] weights
  for (size_t c = 0; c < copies; ++c) std::copy(w1.begin(), w1.end(), w.begin() + c * bytes);
  const auto x = random_vector(s.m * s.k, -1.0f, 1.0f, 7);
  const auto b = random_vector(s.n, -1.0f, 1.0f, 6);
  std::vector<int8_t> xq(s.m * qd8_row_bytes(s.k));  // [m, k] (qd8: row_bytes apart)
  std::vector<float> xd(s.m * s.k / 32), xs(s.m * s.k / 32), y(s.m * s.n);
  if (type == BlockWeights::kQc8) {
    t->f32_qd8_quantize(s.m, s.k, x.data(), s.k, xq.data(), xd.data());
  } else {
    t->f32_q8b_quantize(s.m, s.k, x.data(), s.k, xq.data(), xd.data(), xs.data());
  }
  const auto ws = random_vector(s.n, 0.01f, 0.1f, 5);
  size_t c = 0;
  for (auto _ : state) {
    const uint8_t* wc = w.data() + c * bytes;
    switch (type) {
      case BlockWeights::kI4:
        t->q8b_i4bw_gemm(s.m, s.n, s.k, xq.data(), xd.data(), xs.data(), wc, b.data(), y.data(), s.n);
        break;
      case BlockWeights::kI8:
        t->q8b_i8bw_gemm(s.m, s.n, s.k, xq.data(), xd.data(), xs.data(), wc, b.data(), y.data(), s.n);
        break;
      case BlockWeights::kQc8:
        t->qd8_qc8w_gemm(s.m, s.n, s.k, xq.data(), xd.data(), reinterpret_cast<const int8_t*>(wc), ws.data(),
                         b.data(), y.data(), s.n);
        break;
    }
    benchmark::DoNotOptimize(y.data());
    c = c + 1 == copies ? 0 : c + 1;
  }
  set_gemm_counter(state, s, "GOPS");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void register_block_gemm(const KernelTable* t) {
  struct Case {
    GemmShape s;
    bool cold;
  };
  const Case cases[] = {{{1, 1536, 576}, false}, {{1, 1536, 576}, true},  {{1, 576, 1536}, false},
                        {{1, 576, 1536}, true},  {{1, 49152, 576}, true}, {{64, 1536, 576}, false}};
  const std::pair<BlockWeights, const char*> ops[] = {{BlockWeights::kI4, "q8b_i4bw_gemm"},
                                                      {BlockWeights::kI8, "q8b_i8bw_gemm"},
                                                      {BlockWeights::kQc8, "qd8_qc8w_gemm"}};
  for (const auto& op : ops) {
    for (const Case& cs : cases) {
      const std::string name = std::string(op.second) + "/" + t->name + "/smollm2_" + gemm_label(cs.s) +
                               (cs.cold ? "/cold" : "");
      const BlockWeights type = op.first;
      const Case c = cs;
      add(name, [t, type, c](benchmark::State& state) { run_block_gemm(state, t, type, c.s, c.cold); });
    }
  }
}

}  // namespace
}  // namespace edgeattn

int main(int argc, char** argv) {
  const edgeattn::KernelTable* tables[8];
  const size_t n = edgeattn::available_kernel_tables(tables, 8);
  for (size_t i = 0; i < n; ++i) {
    edgeattn::register_norms(tables[i]);
    edgeattn::register_elementwise(tables[i]);
    edgeattn::register_rope(tables[i]);
    edgeattn::register_attention(tables[i]);
    edgeattn::register_attention_kv(tables[i]);
    edgeattn::register_gemm(tables[i]);
    edgeattn::register_f32_gemm_packed(tables[i]);
    edgeattn::register_f32_igemm_packed(tables[i]);
    edgeattn::register_translation(tables[i]);
    edgeattn::register_image(tables[i]);
    edgeattn::register_block_gemm(tables[i]);
  }
  edgeattn::register_xnn_gemm();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
