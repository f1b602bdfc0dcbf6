// Attention: every table against the reference over head_dim x n_queries x
// n_keys x causal_step, with GQA-like strided layouts, plus properties that
// pin the softmax down (one key returns v exactly, equal scores average v,
// a dominant key selects its v, causal queries ignore later keys).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/reference/reference.h"
#include "tests/kernels/test_util.h"
#include "tests/support/model_paths.h"

namespace edgeattn {
namespace {

using test::check_close;
using test::random_vector;
using test::Tolerance;

class AttentionTester {
 public:
  AttentionTester& head_dim(size_t v) { head_dim_ = v; return *this; }
  AttentionTester& n_queries(size_t v) { n_queries_ = v; return *this; }
  AttentionTester& n_keys(size_t v) { n_keys_ = v; return *this; }
  AttentionTester& causal_step(size_t v) { causal_step_ = v; return *this; }
  // Extra floats between rows: a [tokens, heads * head_dim] tensor read one
  // head at a time has stride heads * head_dim > head_dim (GQA: k/v have
  // fewer heads than q, so their strides differ from q's).
  AttentionTester& q_pad(size_t v) { q_pad_ = v; return *this; }
  AttentionTester& kv_pad(size_t v) { kv_pad_ = v; return *this; }
  AttentionTester& out_pad(size_t v) { out_pad_ = v; return *this; }
  // Score magnitude: q and k are drawn from [-range, range].
  AttentionTester& range(float v) { range_ = v; return *this; }

  void test(const KernelTable& table) const {
    const size_t d = head_dim_;
    const size_t q_stride = d + q_pad_, kv_stride = d + kv_pad_, out_stride = d + out_pad_;
    const size_t rows_kv = n_keys_ + (n_queries_ - 1) * causal_step_;
    const uint32_t seed = static_cast<uint32_t>(d * 1009 + n_queries_ * 101 + n_keys_);
    const std::vector<float> q = random_vector(n_queries_ * q_stride, -range_, range_, seed);
    const std::vector<float> k = random_vector(rows_kv * kv_stride, -range_, range_, seed + 1);
    const std::vector<float> v = random_vector(rows_kv * kv_stride, -1.0f, 1.0f, seed + 2);
    std::vector<float> want(n_queries_ * out_stride, test::sentinel());
    std::vector<float> got(n_queries_ * out_stride, test::sentinel());

    AttentionArgs args{};
    args.q = q.data();
    args.q_stride = q_stride;
    args.k = k.data();
    args.k_stride = kv_stride;
    args.v = v.data();
    args.v_stride = kv_stride;
    args.out = want.data();
    args.out_stride = out_stride;
    args.n_queries = n_queries_;
    args.head_dim = d;
    args.n_keys = n_keys_;
    args.causal_step = causal_step_;
    args.scale = 1.0f / std::sqrt(static_cast<float>(d));
    f32_attention_ukernel__reference(args);
    args.out = got.data();
    table.f32_attention(args);

    // The output is a convex combination of v rows (|v| <= 1). Differences
    // come from the score dot products (reordered over head_dim: relative
    // ~sqrt(d) ulp of sum |q_i k_i|, i.e. <~ 1e-6 absolute on the scores
    // here), the kernels' exp (<= 2 ulp), and reordered sums over <= 300
    // weights. A score error e changes the weights by a factor (1 + e), so
    // the output moves by <~ e * max|v|. Observed: <= 2.5e-7 absolute at
    // range 1; 1e-6 allowed (4x margin). At range r the scores grow as r^2
    // and so does their rounding: the x86 tiled kernel sums each score as
    // one FMA chain over head_dim (the reference's order, but fused), whose
    // rounding differs from the reference's by ~sqrt(d) ulp of the partial
    // sums (8-lane kernels: ~sqrt(d / 8)); at range 4, 1500 keys, d 63-128,
    // nearly one-hot softmax it moves the output by up to 5e-6 (vs 2e-6 for
    // the one-query kernel). Allowed: 1e-6 * max(1, 3 r^2 / 4), 1.2e-5 at
    // r = 4 (2.4x margin); unchanged at r <= 1.
    const std::string what = std::string(table.name) + " attention d=" + std::to_string(d) +
                             " nq=" + std::to_string(n_queries_) + " nk=" + std::to_string(n_keys_) +
                             " causal=" + std::to_string(causal_step_) +
                             " pads=" + std::to_string(q_pad_) + "/" + std::to_string(kv_pad_) + "/" +
                             std::to_string(out_pad_) + " range=" + std::to_string(range_);
    check_close(got, want, Tolerance{1e-6 * std::max(1.0f, 3.0f * range_ * range_ / 4.0f), 0.0}, what);
    // check_close also compared the padding: both are sentinels (NaN == NaN
    // position-wise), and a kernel writing there would have produced a number.
  }

 private:
  size_t head_dim_ = 1;
  size_t n_queries_ = 1;
  size_t n_keys_ = 1;
  size_t causal_step_ = 0;
  size_t q_pad_ = 0;
  size_t kv_pad_ = 0;
  size_t out_pad_ = 0;
  float range_ = 1.0f;
};

TEST_CASE("attention matches the reference over the shape grid") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t d : {1, 2, 3, 4, 7, 8, 16, 32, 33, 64, 96, 128}) {
      for (size_t nq : {1, 2, 5, 17}) {
        for (size_t nk : {1, 2, 7, 16, 33, 100, 257}) {
          for (size_t causal : {0, 1}) {
            AttentionTester().head_dim(d).n_queries(nq).n_keys(nk).causal_step(causal).test(*t);
          }
        }
      }
    }
  }
}

TEST_CASE("attention with strided (GQA-like) layouts and large scores") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t d : {3, 32, 64, 128}) {
      // q: 8 heads interleaved per token; k/v: 2 heads (GQA group of 4).
      AttentionTester().head_dim(d).n_queries(5).n_keys(40).causal_step(1)
          .q_pad(7 * d).kv_pad(d).out_pad(7 * d).test(*t);
      AttentionTester().head_dim(d).n_queries(3).n_keys(70).q_pad(3).kv_pad(5).out_pad(1).test(*t);
      // Scores of magnitude ~d * 16 / sqrt(d): softmax is nearly one-hot and
      // the running max changes many times across blocks.
      AttentionTester().head_dim(d).n_queries(4).n_keys(300).range(4.0f).test(*t);
    }
    // Long context: more blocks than any kernel keeps in flight.
    AttentionTester().head_dim(64).n_queries(1).n_keys(2048).test(*t);
    AttentionTester().head_dim(512).n_queries(2).n_keys(65).causal_step(1).test(*t);  // kMaxHeadDim
  }
}

// The x86 tables run n_queries >= 8 (head_dim <= 256) through a tiled kernel,
// 16 (AVX2) or 32 (AVX-512) queries along the vector lanes at a time
// (kernels/attention_tiled.h): the query counts straddle both tile sizes
// and the 8-query switch, the key counts are below / across / far beyond one
// 48-key block, the head sizes cover odd ones and tails of the 6- and
// 12-column register blocks. Causal tiles mask per lane, so causal_step 1
// with n_queries > tile checks that every lane stops at its own key.
TEST_CASE("attention with many queries (tiled path) matches the reference") {
  for (const KernelTable* t : test::tables_under_test()) {
    for (size_t d : {1, 5, 8, 63, 64, 80, 128}) {
      for (size_t nq : {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 70}) {
        for (size_t nk : {1, 7, 33, 50}) {
          for (size_t causal : {0, 1}) {
            AttentionTester().head_dim(d).n_queries(nq).n_keys(nk).causal_step(causal)
                .q_pad(3).kv_pad(d + 1).out_pad(2).test(*t);
          }
        }
      }
      // Long key sequences: many blocks, the running max moving between them.
      // Under emulation (quick mode: 39 s of qemu -cpu max for this case)
      // for an odd and the common head size only.
      if (testing::quick_mode() && d != 5 && d != 64) continue;
      for (size_t nq : {1, 17, 33}) {
        AttentionTester().head_dim(d).n_queries(nq).n_keys(1500).test(*t);
        AttentionTester().head_dim(d).n_queries(nq).n_keys(1500).range(4.0f).test(*t);
      }
    }
    // The Whisper tiny.en encoder / cross-attention shapes: 1500 queries, head 64
    // of 6 interleaved heads (strides 384).
    // Under emulation (quick mode) the 1500 x 1500 case, checked against the
    // scalar reference for every table, takes minutes: 100 queries (7 tiles of
    // 16, 4 of 32) x 1500 keys there.
    for (size_t nk : {1, 33, 1500}) {
      const size_t nq = testing::quick_mode() ? (nk == 1500 ? 100 : 300) : 1500;
      AttentionTester().head_dim(64).n_queries(nq).n_keys(nk).q_pad(320).kv_pad(320).out_pad(320).test(*t);
    }
    AttentionTester().head_dim(64).n_queries(testing::quick_mode() ? 300 : 1500).n_keys(7).causal_step(1).test(*t);
    AttentionTester().head_dim(256).n_queries(40).n_keys(100).causal_step(1).test(*t);  // largest tiled
    AttentionTester().head_dim(257).n_queries(40).n_keys(100).test(*t);  // one-query path
  }
}

AttentionArgs make_args(const std::vector<float>& q, const std::vector<float>& k,
                        const std::vector<float>& v, std::vector<float>& out, size_t d,
                        size_t nq, size_t nk, size_t causal, float scale) {
  AttentionArgs a{};
  a.q = q.data();
  a.q_stride = d;
  a.k = k.data();
  a.k_stride = d;
  a.v = v.data();
  a.v_stride = d;
  a.out = out.data();
  a.out_stride = d;
  a.n_queries = nq;
  a.head_dim = d;
  a.n_keys = nk;
  a.causal_step = causal;
  a.scale = scale;
  return a;
}

// Each lane of a tile runs the same operations in the same order whatever
// the vector width (one FMA chain per score, the same exp, keys summed in
// the same blocks), so the AVX2 (16-query) and AVX-512 (32-query) tiled
// kernels must agree bit for bit; a difference would mean the widths do
// different arithmetic (lanes mixing, another exp, different FMA fusion).
TEST_CASE("attention: the AVX2 and AVX-512 tiled kernels give the same bits") {
  const KernelTable* avx2 = find_kernel_table("avx2");
  const KernelTable* avx512 = find_kernel_table("avx512vnni");
  if (avx2 == nullptr || avx512 == nullptr) {
    MESSAGE("skipped: this build or CPU lacks the avx2 or avx512vnni table");
    return;
  }
  for (size_t d : {5, 63, 64, 128}) {
    for (size_t nq : {32, 33, 100}) {
      for (size_t nk : {7, 300, 1500}) {
        for (size_t causal : {0, 1}) {
          const size_t rows = nk + (nq - 1) * causal;
          const std::vector<float> q = random_vector(nq * d, -3.0f, 3.0f, 31);
          const std::vector<float> k = random_vector(rows * d, -3.0f, 3.0f, 32);
          const std::vector<float> v = random_vector(rows * d, -1.0f, 1.0f, 33);
          std::vector<float> out8(nq * d), out16(nq * d);
          const float scale = 1.0f / std::sqrt(static_cast<float>(d));
          avx2->f32_attention(make_args(q, k, v, out8, d, nq, nk, causal, scale));
          avx512->f32_attention(make_args(q, k, v, out16, d, nq, nk, causal, scale));
          test::check_equal(out16, out8, "avx512 vs avx2 tiled d=" + std::to_string(d) + " nq=" +
                                             std::to_string(nq) + " nk=" + std::to_string(nk) +
                                             " causal=" + std::to_string(causal));
        }
      }
    }
  }
}

TEST_CASE("attention with one key returns v[0] exactly") {
  for (const KernelTable* t : test::tables_under_test()) {
    // 3 queries: the one-query kernel; 40: the x86 tiled kernel.
    for (size_t d : {1, 5, 8, 33, 64})
    for (size_t nq : {3, 40}) {
      const std::vector<float> q = random_vector(nq * d, -5.0f, 5.0f, 1);
      const std::vector<float> k = random_vector(nq * d, -5.0f, 5.0f, 2);
      const std::vector<float> v = random_vector(nq * d, -9.0f, 9.0f, 3);
      std::vector<float> out(nq * d);
      t->f32_attention(make_args(q, k, v, out, d, nq, 1, 0, 0.7f));
      for (size_t qi = 0; qi < nq; ++qi) {
        test::check_equal(std::vector<float>(out.begin() + qi * d, out.begin() + (qi + 1) * d),
                          std::vector<float>(v.begin(), v.begin() + d),
                          std::string(t->name) + " one key, d=" + std::to_string(d));
      }
      // Causal: the first query of a prefill sees only key 0.
      t->f32_attention(make_args(q, k, v, out, d, nq, 1, 1, 0.7f));
      test::check_equal(std::vector<float>(out.begin(), out.begin() + d),
                        std::vector<float>(v.begin(), v.begin() + d),
                        std::string(t->name) + " causal first query, d=" + std::to_string(d));
    }
  }
}

TEST_CASE("attention with equal scores averages v; a dominant key selects its v") {
  const size_t d = 16, nk = 77;
  const std::vector<float> v = random_vector(nk * d, -1.0f, 1.0f, 8);
  std::vector<double> mean(d, 0.0);
  for (size_t j = 0; j < nk; ++j)
    for (size_t i = 0; i < d; ++i) mean[i] += v[j * d + i] / nk;
  const std::vector<float> q = random_vector(d, -1.0f, 1.0f, 9);
  const std::vector<float> k_same(nk * d, 0.25f);
  std::vector<float> k_peak(nk * d, 0.0f);
  for (size_t i = 0; i < d; ++i) k_peak[41 * d + i] = q[i] * 1000.0f;  // score >> others
  for (const KernelTable* t : test::tables_under_test()) {
    std::vector<float> out(d);
    t->f32_attention(make_args(q, k_same, v, out, d, 1, nk, 0, 0.25f));
    for (size_t i = 0; i < d; ++i) {
      INFO(t->name, " equal scores, column ", i);
      CHECK(std::fabs(out[i] - mean[i]) < 1e-6);
    }
    t->f32_attention(make_args(q, k_peak, v, out, d, 1, nk, 0, 1.0f));
    test::check_equal(out, std::vector<float>(v.begin() + 41 * d, v.begin() + 42 * d),
                      std::string(t->name) + " dominant key");
  }
}

TEST_CASE("causal attention: query t ignores keys past n_keys + t") {
  // Poisoning the keys/values a query must not see cannot change its output.
  // 6 queries: the one-query kernel; 40: the x86 tiled kernel (masked lanes).
  for (size_t nq : {6, 40}) {
  const size_t d = 32, nk = 10, rows = nk + nq - 1;
  const std::vector<float> q = random_vector(nq * d, -1.0f, 1.0f, 21);
  const std::vector<float> k = random_vector(rows * d, -1.0f, 1.0f, 22);
  const std::vector<float> v = random_vector(rows * d, -1.0f, 1.0f, 23);
  for (const KernelTable* t : test::tables_under_test()) {
    std::vector<float> full(nq * d);
    t->f32_attention(make_args(q, k, v, full, d, nq, nk, 1, 0.2f));
    for (size_t qi = 0; qi < nq; ++qi) {
      std::vector<float> k2 = k, v2 = v;
      for (size_t j = nk + qi; j < rows; ++j) {
        for (size_t i = 0; i < d; ++i) {
          k2[j * d + i] = 1e3f;
          v2[j * d + i] = 1e3f;
        }
      }
      std::vector<float> part(nq * d);
      t->f32_attention(make_args(q, k2, v2, part, d, nq, nk, 1, 0.2f));
      test::check_equal(std::vector<float>(part.begin() + qi * d, part.begin() + (qi + 1) * d),
                        std::vector<float>(full.begin() + qi * d, full.begin() + (qi + 1) * d),
                        std::string(t->name) + " causal query " + std::to_string(qi));
    }
  }
  }
}

}  // namespace
}  // namespace edgeattn
