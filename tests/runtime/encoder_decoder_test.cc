// An encoder-decoder end to end on a tiny Whisper (tests/runtime/tiny_model.h)
// against a forward pass written here from the architecture, in the
// source's own layouts (PyTorch convolution weights [out, in, kernel], fused
// q|k|v and k|v projections), in double: Im2Col + FullyConnected as a
// convolution, the broadcast position Add, attention over fixed-length
// frames, and the decoder's cross-attention whose K/V are sequence state
// (computed at the first invoke, kept, never recomputed).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/session.h"
#include "tests/runtime/tiny_model.h"

namespace edgeattn {
namespace {

using Mat = std::vector<double>;  // row-major [rows, cols]

struct Ref {
  const convert::WhisperConfig c = testing::tiny_whisper_config();
  Mat w(const std::string& name, std::vector<int64_t> shape) const {
    std::vector<float> f = testing::tiny_weight(name, shape);
    return Mat(f.begin(), f.end());
  }
  // y[t, o] = x[t, :] . W[o + first, :] + b[o + first] over a fused [fused, in] weight.
  Mat linear(const Mat& x, size_t rows, const std::string& p, size_t fused, size_t first, size_t out, size_t in) const {
    const Mat W = w(p + "/weight", {int64_t(fused), int64_t(in)}), b = w(p + "/bias", {int64_t(fused)});
    Mat y(rows * out);
    for (size_t t = 0; t < rows; ++t) {
      for (size_t o = 0; o < out; ++o) {
        double s = b[first + o];
        for (size_t i = 0; i < in; ++i) s += x[t * in + i] * W[(first + o) * in + i];
        y[t * out + o] = s;
      }
    }
    return y;
  }
  Mat layer_norm(const Mat& x, size_t rows, const std::string& p) const {
    const size_t d = size_t(c.dim);
    const Mat g = w(p + "/gamma", {c.dim}), b = w(p + "/beta", {c.dim});
    Mat y(x.size());
    for (size_t t = 0; t < rows; ++t) {
      double mean = 0, var = 0;
      for (size_t i = 0; i < d; ++i) mean += x[t * d + i] / d;
      for (size_t i = 0; i < d; ++i) var += (x[t * d + i] - mean) * (x[t * d + i] - mean) / d;
      for (size_t i = 0; i < d; ++i) y[t * d + i] = (x[t * d + i] - mean) / std::sqrt(var + c.norm_eps) * g[i] + b[i];
    }
    return y;
  }
  static double gelu(double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }
  // softmax(q kᵀ / sqrt(dh)) v per head; query t sees keys [0, visible(t)).
  Mat attention(const Mat& q, size_t nq, const Mat& k, const Mat& v, size_t nk, bool causal, size_t past) const {
    const size_t d = size_t(c.dim), h = size_t(c.n_heads), dh = d / h;
    Mat out(nq * d, 0.0);
    for (size_t head = 0; head < h; ++head) {
      for (size_t t = 0; t < nq; ++t) {
        const size_t visible = causal ? past + t + 1 : nk;
        std::vector<double> s(visible);
        double top = -1e300, sum = 0;
        for (size_t j = 0; j < visible; ++j) {
          double dot = 0;
          for (size_t i = 0; i < dh; ++i) dot += q[t * d + head * dh + i] * k[j * d + head * dh + i];
          s[j] = dot / std::sqrt(double(dh));
          top = std::max(top, s[j]);
        }
        for (double& e : s) sum += (e = std::exp(e - top));
        for (size_t j = 0; j < visible; ++j) {
          for (size_t i = 0; i < dh; ++i) out[t * d + head * dh + i] += s[j] / sum * v[j * d + head * dh + i];
        }
      }
    }
    return out;
  }
  // Conv1d over [T, in] with a PyTorch [out, in, 3] weight, pad 1, then GELU.
  Mat conv_gelu(const Mat& x, size_t t_in, size_t in, const std::string& p, size_t stride) const {
    const size_t out = size_t(c.dim), t_out = (t_in + 2 - 3) / stride + 1;
    const Mat W = w(p + "/weight", {c.dim, int64_t(in), 3}), b = w(p + "/bias", {c.dim});
    Mat y(t_out * out);
    for (size_t t = 0; t < t_out; ++t) {
      for (size_t o = 0; o < out; ++o) {
        double s = b[o];
        for (size_t k = 0; k < 3; ++k) {
          const long src = long(t * stride + k) - 1;
          if (src < 0 || src >= long(t_in)) continue;
          for (size_t i = 0; i < in; ++i) s += W[(o * in + i) * 3 + k] * x[size_t(src) * in + i];
        }
        y[t * out + o] = gelu(s);
      }
    }
    return y;
  }
  Mat add(Mat a, const Mat& b) const {
    for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    return a;
  }
  Mat ffn(const Mat& x, size_t rows, const std::string& p) const {
    Mat h = linear(layer_norm(x, rows, p + "/layer_norm"), rows, p + "/linear_0", c.ffn, 0, c.ffn, c.dim);
    for (double& v : h) v = gelu(v);
    return add(x, linear(h, rows, p + "/linear_1", c.dim, 0, c.dim, c.ffn));
  }
  Mat self_attention(const Mat& x, size_t rows, const std::string& p, bool causal) const {
    const size_t d = size_t(c.dim);
    const Mat a = layer_norm(x, rows, p + "/layer_norm");
    const Mat q = linear(a, rows, p + "/linear_0", 3 * d, 0, d, d), k = linear(a, rows, p + "/linear_0", 3 * d, d, d, d),
              v = linear(a, rows, p + "/linear_0", 3 * d, 2 * d, d, d);
    return add(x, linear(attention(q, rows, k, v, rows, causal, 0), rows, p + "/linear_1", d, 0, d, d));
  }
  Mat encode(const Mat& mel) const {
    const size_t frames = size_t(c.n_frames), pos = frames / 2;
    Mat x = conv_gelu(conv_gelu(mel, frames, size_t(c.n_mels), "encoder/conv1", 1), frames, size_t(c.dim), "encoder/conv2", 2);
    x = add(x, w("encoder/position_encodings/encodings", {int64_t(pos), c.dim}));
    for (int l = 0; l < c.encoder_layers; ++l) {
      const std::string p = "encoder/layer_" + std::to_string(l);
      x = ffn(self_attention(x, pos, p + "/self_attention", false), pos, p + "/ffn");
    }
    return layer_norm(x, pos, "encoder/layer_norm");
  }
  // Logits of the last of `ids` (all positions recomputed: no cache).
  Mat decode_last(const std::vector<int32_t>& ids, const Mat& states) const {
    const size_t d = size_t(c.dim), n = ids.size(), pos = size_t(c.n_frames) / 2;
    const Mat emb = w("decoder/embeddings/weight", {c.vocab_size, c.dim});
    const Mat pe = w("decoder/position_encodings/encodings", {c.text_positions, c.dim});
    Mat x(n * d);
    for (size_t t = 0; t < n; ++t) {
      for (size_t i = 0; i < d; ++i) x[t * d + i] = emb[size_t(ids[t]) * d + i] + pe[t * d + i];
    }
    for (int l = 0; l < c.decoder_layers; ++l) {
      const std::string p = "decoder/layer_" + std::to_string(l);
      x = self_attention(x, n, p + "/self_attention", true);
      const std::string a = p + "/attention";
      const Mat q = linear(layer_norm(x, n, a + "/layer_norm"), n, a + "/linear_0", d, 0, d, d);
      const Mat k = linear(states, pos, a + "/linear_1", 2 * d, 0, d, d), v = linear(states, pos, a + "/linear_1", 2 * d, d, d, d);
      x = add(x, linear(attention(q, n, k, v, pos, false, 0), n, a + "/linear_2", d, 0, d, d));
      x = ffn(x, n, p + "/ffn");
    }
    const Mat last = layer_norm(Mat(x.end() - long(d), x.end()), 1, "decoder/layer_norm");
    Mat logits(size_t(c.vocab_size));
    for (size_t o = 0; o < logits.size(); ++o) {
      for (size_t i = 0; i < d; ++i) logits[o] += last[i] * emb[o * d + i];
    }
    return logits;
  }
};

double max_diff(const float* got, const Mat& want) {
  double m = 0;
  for (size_t i = 0; i < want.size(); ++i) m = std::max(m, std::fabs(got[i] - want[i]));
  return m;
}

// The tiny model's bytes (aligned, as load_buffer wants) and the Model over them.
struct Loaded {
  std::vector<uint8_t> bytes = testing::tiny_whisper_bytes();
  testing::AlignedBuffer buffer{bytes.data(), bytes.size()};
  std::unique_ptr<Model> model;
  Loaded() {
    auto m = Model::load_buffer(buffer.data(), buffer.size());
    REQUIRE_MESSAGE(m.is_ok(), m.status().message());
    model = std::move(*m);
  }
};

// Tolerance: fp32 kernels against a double reference over ~10 layers of
// width 16-32 with weights in [-0.25, 0.25]: 1e-4 absolute leaves room for
// the kernels' own rounding (the streaming softmax, polynomial erf) and
// catches any wrong index, which moves values by > 1e-2.
constexpr double kTolerance = 1e-4;

// The log-mel both cases feed the encoder: [n_frames, n_mels], a fixed sine.
Mat test_mel(const Ref& ref) {
  Mat mel(size_t(ref.c.n_frames) * size_t(ref.c.n_mels));
  for (size_t i = 0; i < mel.size(); ++i) mel[i] = std::sin(0.37 * double(i)) * 0.8;
  return mel;
}

// Decodes the prompt {1, 7, 12} from `states`, then tokens 5 and 30 with the
// encoder states overwritten and passed as null (later steps read only the
// kept K/V): every step's logits within `tolerance` of the reference.
void check_decode(Session& dec, const Ref& ref, const Mat& states, double tolerance) {
  std::vector<float> states_f(states.begin(), states.end());
  const float* dec_in[] = {states_f.data()};
  std::vector<int32_t> ids = {1, 7, 12};
  InvokeInput p;
  p.ids = ids.data();
  p.seq = 3;
  p.float_inputs = Span<const float* const>(dec_in, 1);
  REQUIRE(dec.invoke(p).is_ok());
  CHECK(max_diff(static_cast<const float*>(dec.output(0).data), ref.decode_last(ids, states)) <= tolerance);
  for (int32_t next : {5, 30}) {
    ids.push_back(next);
    std::fill(states_f.begin(), states_f.end(), 100.0f);
    const float* none[] = {nullptr};
    InvokeInput step;
    step.ids = &ids.back();
    step.seq = 1;
    step.float_inputs = Span<const float* const>(none, 1);
    REQUIRE(dec.invoke(step).is_ok());
    CHECK(max_diff(static_cast<const float*>(dec.output(0).data), ref.decode_last(ids, states)) <= tolerance);
  }
}

TEST_CASE("tiny Whisper: encode and decode equal a reference forward pass; cross K/V computed once per sequence") {
  Loaded l;
  const Ref ref;
  const size_t pos = size_t(ref.c.n_frames) / 2, d = size_t(ref.c.dim);
  const Mat mel = test_mel(ref);
  std::vector<float> mel_f(mel.begin(), mel.end());
  for (const char* kernels : {"reference", "auto"}) {
    CAPTURE(kernels);
    SessionOptions so;
    so.kernels = kernels;
    so.method = "encode";
    auto enc = Session::create(*l.model, so);
    REQUIRE_MESSAGE(enc.is_ok(), enc.status().message());
    const float* enc_in[] = {mel_f.data()};
    InvokeInput in;
    in.float_inputs = Span<const float* const>(enc_in, 1);
    REQUIRE((*enc)->invoke(in).is_ok());
    const Mat states = ref.encode(mel);
    const TensorView out = (*enc)->output(0);
    REQUIRE(out.shape[1] == int64_t(pos));
    CHECK(max_diff(static_cast<const float*>(out.data), states) <= kTolerance);

    so.method = "decode";
    so.max_seq = 4;
    so.max_context = 16;
    auto dec = Session::create(*l.model, so);
    REQUIRE_MESSAGE(dec.is_ok(), dec.status().message());
    CHECK((*dec)->memory().sequence_bytes >= 2 * 2 * pos * d * sizeof(float));  // 2 layers x K and V
    // Later steps read the kept K/V: the encoder states may be gone (null)
    // or changed; the result must not move.
    check_decode(**dec, ref, states, kTolerance);
    // A new sequence needs the encoder states again.
    (*dec)->reset();
    std::vector<int32_t> ids = {1, 7, 12};
    InvokeInput p;
    p.ids = ids.data();
    p.seq = 3;
    const float* none[] = {nullptr};
    p.float_inputs = Span<const float* const>(none, 1);
    const Status s = (*dec)->invoke(p);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(std::string(s.message()).find("is null") != std::string::npos);
  }
}

// With a KV dtype other than f32 each cross-attention op keeps its own copy
// of K and V in that dtype (op_attention.cc), filled at the first invoke;
// the f32 projections are then scratch, overwritten by later ops. Tolerance
// over the f32 reference: f16 rounds each K/V value by <= 2^-11 relative,
// int8 by <= 1/254 of its row's max |value|; over 2 layers of width 32
// that moves the logits by < 2e-3 and < 3e-2 (a wrong row moves them > 0.1).
TEST_CASE("tiny Whisper: with an f16 or int8 KV dtype, cross K/V are kept once in that dtype") {
  Loaded l;
  const Ref ref;
  const size_t pos = size_t(ref.c.n_frames) / 2, d = size_t(ref.c.dim);
  const Mat mel = test_mel(ref);
  const Mat states = ref.encode(mel);
  struct Case {
    KvCacheDType kv;
    size_t element_bytes;
    double tolerance;
  };
  for (const Case c : {Case{KvCacheDType::kF16, 2, 2e-3}, Case{KvCacheDType::kI8, 1, 3e-2}}) {
    for (const char* kernels : {"reference", "auto"}) {
      CAPTURE(kernels);
      CAPTURE(c.element_bytes);
      SessionOptions so;
      so.kernels = kernels;
      so.method = "decode";
      so.max_seq = 4;
      so.max_context = 16;
      so.kv_dtype = c.kv;
      auto dec = Session::create(*l.model, so);
      REQUIRE_MESSAGE(dec.is_ok(), dec.status().message());
      // 2 layers x K and V rows of the dtype (+ a float scale per int8 row),
      // instead of the f32 projections.
      const size_t rows = 2 * 2 * pos;
      const size_t want = rows * d * c.element_bytes + (c.kv == KvCacheDType::kI8 ? rows * sizeof(float) : 0);
      CHECK((*dec)->memory().sequence_bytes >= want);
      CHECK((*dec)->memory().sequence_bytes < want + 4 * 2 * 64 * 2);  // + per-region 64-byte rounding
      check_decode(**dec, ref, states, c.tolerance);
    }
  }
}

TEST_CASE("tiny Whisper: a later invoke of another batch size is refused until reset") {
  Loaded l;
  SessionOptions so;
  so.method = "decode";
  so.max_batch = 2;
  so.max_seq = 2;
  so.max_context = 8;
  auto dec = Session::create(*l.model, so);
  REQUIRE(dec.is_ok());
  std::vector<float> states(2 * 6 * 16, 0.5f);
  const float* in[] = {states.data()};
  int32_t ids[4] = {1, 2, 1, 2};
  InvokeInput p;
  p.ids = ids;
  p.batch = 2;
  p.seq = 2;
  p.float_inputs = Span<const float* const>(in, 1);
  REQUIRE((*dec)->invoke(p).is_ok());
  p.batch = 1;
  p.seq = 1;
  const Status s = (*dec)->invoke(p);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find("differs from the sequence's batch") != std::string::npos);
  (*dec)->reset();
  p.seq = 2;
  CHECK((*dec)->invoke(p).is_ok());
}

}  // namespace
}  // namespace edgeattn
