// edgeattn-eval, run as a user runs it: a conversion compared with itself is
// exact (agreement 1, perplexity ratio 1, cosine 1), the JSON has its keys,
// and models that cannot be compared are a usage error; fp16 and int8
// conversions meet the fidelity bars of docs/quantization.md, read from the
// JSON edgeattn-eval prints. --peer: a peer file written here from the
// reference kernel table's logits (with three positions' top two swapped)
// is scored exactly, and broken peer files are usage errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tokenizer/tokenizer.h"

#include "tests/support/model_gate.h"
#include "tests/support/model_paths.h"
#include "tests/support/process.h"

EDGEATTN_TEST_MODELS(kStories260K, kMiniLM);

namespace edgeattn {
namespace {

using testing::require_model;
using testing::temp_dir;
using testing::tool_path;

using testing::q;
using testing::read_file;
using testing::run;
using testing::Run;

// The number after "key": in a one-line JSON object, or NaN.
double json_number(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return std::nan("");
  return std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

bool has_key(const std::string& json, const std::string& key) {
  return json.find("\"" + key + "\":") != std::string::npos;
}

// Converts `input` with `flags`; "" when the conversion fails (message in *err).
std::string convert(const std::string& input, const std::string& flags, const std::string& out, std::string* err) {
  Run c = run(tool_path("edgeattn-convert") + " " + input + " " + flags + " -o " + q(out) + " --quiet");
  *err = c.err;
  return c.exit_code == 0 ? out : "";
}

TEST_CASE("edgeattn-eval: stories260K fp32 vs fp32 is exact; --json has the decoder keys") {
  const std::string bin = require_model("stories260K/stories260K.bin");
  const std::string tok = require_model("stories260K/tok512.bin");
  const std::string dir = temp_dir("eval_stories");
  const std::string src = q(bin) + " --tokenizer " + q(tok);
  std::string err;
  const std::string fp32 = convert(src, "", dir + "/s32.eatn", &err);
  REQUIRE_MESSAGE(!fp32.empty(), err);
  // Under emulation (quick mode) every run scores the first 512 tokens only.
  const std::string eval = tool_path("edgeattn-eval") + (testing::quick_mode() ? " --max-tokens 512" : "");

  Run text = run(eval + " " + fp32 + " " + fp32);
  REQUIRE_MESSAGE(text.exit_code == 0, text.err);
  CHECK(text.out.find("LlamaDecoder") != std::string::npos);
  CHECK(text.out.find("tokens") != std::string::npos);
  CHECK(text.out.find("top1_agreement  1.000000") != std::string::npos);
  CHECK(text.out.find("ppl_ratio       1.000000") != std::string::npos);

  Run json = run(eval + " " + fp32 + " " + fp32 + " --json");
  REQUIRE_MESSAGE(json.exit_code == 0, json.err);
  for (const char* key : {"kind", "tokens", "top1_agreement", "ppl_reference", "ppl_candidate", "ppl_ratio"}) {
    CAPTURE(key);
    CHECK(has_key(json.out, key));
  }
  CHECK(json.out.find("\"kind\":\"decoder\"") != std::string::npos);
  // data/eval/stories.txt is sized for >= 2,000 tokens of the smallest
  // vocabulary it is used with (tok512 gives more tokens than Llama's).
  CHECK(json_number(json.out, "tokens") >= (testing::quick_mode() ? 512 : 2000));
  CHECK(json_number(json.out, "top1_agreement") == 1.0);
  CHECK(json_number(json.out, "ppl_ratio") == 1.0);
  CHECK(json_number(json.out, "ppl_reference") == json_number(json.out, "ppl_candidate"));
  // stories260K on TinyStories-like text: a small, finite perplexity.
  const double ppl = json_number(json.out, "ppl_reference");
  CHECK(ppl > 1.0);
  CHECK(ppl < 20.0);

  // The published greedy text is the model's own argmax continuation, so the
  // reference's perplexity on it is far lower than on the stories.
  Run greedy = run(eval + " " + fp32 + " " + fp32 + " --json --text " +
                   q(require_model("stories260K/greedy_t0_256steps.txt")));
  REQUIRE_MESSAGE(greedy.exit_code == 0, greedy.err);
  CHECK(json_number(greedy.out, "ppl_reference") < ppl);

  // Short windows (several prefill chunks each, KV cache growing) and
  // --max-tokens: still exact, and exactly N tokens scored.
  Run windows = run(tool_path("edgeattn-eval") + " " + fp32 + " " + fp32 + " --json --context 100 --max-tokens 700");
  REQUIRE_MESSAGE(windows.exit_code == 0, windows.err);
  CHECK(json_number(windows.out, "tokens") == 700);
  CHECK(json_number(windows.out, "top1_agreement") == 1.0);
  CHECK(json_number(windows.out, "ppl_ratio") == 1.0);

  // The bars of docs/quantization.md (issue #4): int8 top-1 agreement >= 0.95
  // and perplexity within +5 % of fp32. fp16 (11-bit significands, fp32
  // accumulation) must be near exact: >= 0.99 and within 1 % (measured 0.9993
  // and x1.0000 on the full text).
  struct Bar {
    const char* dtype;
    double min_agreement, max_ppl_ratio;
  };
  for (const Bar bar : {Bar{"fp16", 0.99, 1.01}, Bar{"int8", 0.95, 1.05}}) {
    CAPTURE(bar.dtype);
    const std::string cand = convert(src, std::string("--dtype ") + bar.dtype, dir + "/s_" + bar.dtype + ".eatn", &err);
    REQUIRE_MESSAGE(!cand.empty(), err);
    Run r = run(eval + " " + fp32 + " " + cand + " --json");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    MESSAGE("stories260K fp32 vs " << bar.dtype << ": " << r.out);
    CHECK(json_number(r.out, "tokens") >= (testing::quick_mode() ? 512 : 2000));
    CHECK(json_number(r.out, "top1_agreement") >= bar.min_agreement);
    CHECK(json_number(r.out, "top1_agreement") < 1.0 + 1e-12);
    CHECK(json_number(r.out, "ppl_ratio") <= bar.max_ppl_ratio);
    CHECK(json_number(r.out, "ppl_ratio") >= 1.0 / bar.max_ppl_ratio);
  }
}

TEST_CASE("edgeattn-eval: all-MiniLM-L6-v2 fp32 vs fp32 has cosine 1; --json has the encoder keys") {
  const std::string src = require_model("all-MiniLM-L6-v2");
  const std::string dir = temp_dir("eval_minilm");
  std::string err;
  const std::string fp32 = convert(q(src), "", dir + "/m32.eatn", &err);
  REQUIRE_MESSAGE(!fp32.empty(), err);
  // Under emulation (quick mode) each sentence is truncated to 16 tokens.
  const std::string eval = tool_path("edgeattn-eval") + (testing::quick_mode() ? " --max-tokens 16" : "");

  Run json = run(eval + " " + fp32 + " " + fp32 + " --json");
  REQUIRE_MESSAGE(json.exit_code == 0, json.err);
  for (const char* key : {"kind", "sentences", "cosine_mean", "cosine_min", "worst_sentence"}) {
    CAPTURE(key);
    CHECK(has_key(json.out, key));
  }
  CHECK(json.out.find("\"kind\":\"encoder\"") != std::string::npos);
  CHECK(json_number(json.out, "sentences") >= 120);
  CHECK(std::fabs(json_number(json.out, "cosine_mean") - 1.0) <= 1e-6);
  CHECK(std::fabs(json_number(json.out, "cosine_min") - 1.0) <= 1e-6);

  // A sentences file of our own: the count is its non-empty lines.
  std::ofstream(dir + "/s.txt") << "A man is eating food.\n\nThe cat sat on the mat.\n\"Quoted\" \\ text\n";
  Run own = run(eval + " " + fp32 + " " + fp32 + " --sentences " + dir + "/s.txt");
  REQUIRE_MESSAGE(own.exit_code == 0, own.err);
  CHECK(own.out.find("sentences       3 ") != std::string::npos);
  CHECK(own.out.find("cosine_mean     1.000000") != std::string::npos);

  // The bars of docs/quantization.md (issue #4): int8 cosine mean >= 0.99 and
  // min >= 0.98 over the sentences, fp16 mean >= 0.9995 (min >= 0.999: fp16
  // weights move an embedding by ~1e-7 in cosine, measured 0.9999995).
  struct Bar {
    const char* dtype;
    double min_mean, min_min;
  };
  for (const Bar bar : {Bar{"fp16", 0.9995, 0.999}, Bar{"int8", 0.99, 0.98}}) {
    CAPTURE(bar.dtype);
    const std::string cand = convert(q(src), std::string("--dtype ") + bar.dtype, dir + "/m_" + bar.dtype + ".eatn", &err);
    REQUIRE_MESSAGE(!cand.empty(), err);
    // Quick mode (emulation): the 3 sentences of s.txt; fp16 arithmetic is
    // emulated in software by qemu -cpu max.
    Run r = run(eval + " " + fp32 + " " + cand + " --json" +
                (testing::quick_mode() ? " --sentences " + dir + "/s.txt" : std::string()));
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    MESSAGE("all-MiniLM-L6-v2 fp32 vs " << bar.dtype << ": " << r.out);
    CHECK(json_number(r.out, "sentences") >= (testing::quick_mode() ? 3 : 120));
    CHECK(json_number(r.out, "cosine_mean") >= bar.min_mean);
    CHECK(json_number(r.out, "cosine_min") >= bar.min_min);
    CHECK(json_number(r.out, "cosine_min") <= json_number(r.out, "cosine_mean"));
  }
}

TEST_CASE("edgeattn-eval: models that cannot be compared and bad flags are usage errors (exit 2)") {
  const std::string dir = temp_dir("eval_errors");
  std::string err;
  const std::string stories =
      convert(q(require_model("stories260K/stories260K.bin")) + " --tokenizer " +
                  q(require_model("stories260K/tok512.bin")),
              "", dir + "/s.eatn", &err);
  REQUIRE_MESSAGE(!stories.empty(), err);
  const std::string minilm = convert(q(require_model("all-MiniLM-L6-v2")), "", dir + "/m.eatn", &err);
  REQUIRE_MESSAGE(!minilm.empty(), err);
  const std::string eval = tool_path("edgeattn-eval");

  Run arch = run(eval + " " + stories + " " + minilm);
  CHECK(arch.exit_code == 2);
  CHECK(arch.err.find("different architectures") != std::string::npos);

  Run one = run(eval + " " + stories);
  CHECK(one.exit_code == 2);
  Run missing = run(eval + " " + stories + " " + dir + "/missing.eatn");
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("missing.eatn") != std::string::npos);
  Run bad_flag = run(eval + " " + stories + " " + stories + " --bogus");
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.err.find("--bogus") != std::string::npos);
  Run bad_value = run(eval + " " + stories + " " + stories + " --threads 0");
  CHECK(bad_value.exit_code == 2);
  Run wrong_input = run(eval + " " + stories + " " + stories + " --sentences " + dir + "/x.txt");
  CHECK(wrong_input.exit_code == 2);
  CHECK(wrong_input.err.find("--text") != std::string::npos);
  Run no_text = run(eval + " " + stories + " " + stories + " --text " + dir + "/nonexistent.txt");
  CHECK(no_text.exit_code == 2);
  CHECK(no_text.err.find("nonexistent.txt") != std::string::npos);
  Run help = run(eval + " --help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("usage: edgeattn-eval") != std::string::npos);
}

// A peer file (tools/eval/peer.h) of stories260K on BOS + the first 199
// tokens of data/eval/stories.txt in windows of 128 and 72, from the
// reference kernel table: per position the 5 best ids and logits and the
// nll of the next token. At `swapped` positions the peer's first two are
// exchanged, so the model disagrees there by exactly their logit gap.
struct PeerFixture {
  std::string text;     // the file
  size_t positions = 0;
  std::vector<double> swapped_margins;  // peer top logit - the model's top: negative gaps
};

PeerFixture make_peer(const std::string& eatn, const std::vector<size_t>& swapped) {
  PeerFixture f;
  Result<std::unique_ptr<Model>> loaded = Model::load_file(eatn.c_str());
  REQUIRE(loaded.is_ok());
  const Model& m = **loaded;
  std::ifstream in(std::string(EDGEATTN_SOURCE_DIR) + "/data/eval/stories.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<int32_t> ids;
  EncodeOptions enc;
  REQUIRE(m.tokenizer()->encode(ss.str(), enc, &ids).is_ok());  // BOS first
  REQUIRE(ids.size() >= 200);
  ids.resize(200);
  SessionOptions o;
  o.kernels = "reference";
  o.max_seq = 64;
  o.max_context = 128;
  Result<std::unique_ptr<Session>> created = Session::create(m, o);
  REQUIRE(created.is_ok());
  Session& s = **created;
  const size_t vocab = static_cast<size_t>(m.info().vocab_size);
  std::ostringstream out, lines;
  out.precision(9);
  lines.precision(9);
  out << "edgeattn-peer 1\npeer edgeattn reference table\ncontext 128\nids " << ids.size();
  for (int32_t id : ids) out << ' ' << id;
  out << "\nwindows 2 0 128 128 72\n";
  for (const auto& [start, len] : {std::pair<size_t, size_t>{0, 128}, {128, 72}}) {
    s.reset();
    for (size_t pos = 0; pos + 1 < len; pos += 64) {
      const size_t chunk = std::min<size_t>(64, len - 1 - pos);
      InvokeInput x;
      x.ids = ids.data() + start + pos;
      x.seq = static_cast<int>(chunk);
      x.all_positions = true;
      REQUIRE(s.invoke(x).is_ok());
      for (size_t t = 0; t < chunk; ++t, ++f.positions) {
        const float* l = s.output(0).f32() + t * vocab;
        std::vector<int32_t> order(vocab);
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return l[a] > l[b]; });
        double mx = l[order[0]], sum = 0;
        for (size_t v = 0; v < vocab; ++v) sum += std::exp(l[v] - mx);
        const double nll = mx + std::log(sum) - l[ids[start + pos + t + 1]];
        if (std::find(swapped.begin(), swapped.end(), f.positions) != swapped.end()) {
          std::swap(order[0], order[1]);
          f.swapped_margins.push_back(static_cast<double>(l[order[0]]) - l[order[1]]);
        }
        for (int k = 0; k < 5; ++k) lines << order[k] << ' ';
        for (int k = 0; k < 5; ++k) lines << l[order[k]] << ' ';
        lines << nll << '\n';
      }
    }
  }
  out << "positions " << f.positions << '\n' << lines.str();
  f.text = out.str();
  return f;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST_CASE("edgeattn-eval --peer: a peer's logits scored position by position; broken peer files exit 2") {
  const std::string dir = temp_dir("eval_peer");
  std::string err;
  const std::string fp32 = convert(q(require_model("stories260K/stories260K.bin")) + " --tokenizer " +
                                       q(require_model("stories260K/tok512.bin")),
                                   "", dir + "/s32.eatn", &err);
  REQUIRE_MESSAGE(!fp32.empty(), err);
  const PeerFixture peer = make_peer(fp32, {5, 60, 150});
  REQUIRE(peer.positions == 198);
  write_text(dir + "/peer.txt", peer.text);
  const std::string eval = tool_path("edgeattn-eval");
  Run r = run(eval + " --peer " + q(dir + "/peer.txt") + " " + fp32 + " --json");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  MESSAGE(r.out);
  CHECK(r.out.find("\"kind\":\"peer\"") != std::string::npos);
  CHECK(json_number(r.out, "tokens") == 198);
  CHECK(json_number(r.out, "windows") == 2);
  // The model's own table against the reference table's fp32 logits: equal
  // but for the three swaps (a near-tie could flip one more: allowed once).
  const double disagreements = json_number(r.out, "disagreements");
  CHECK(disagreements >= 3);
  CHECK(disagreements <= 4);
  CHECK(json_number(r.out, "top1_agreement") == doctest::Approx((198.0 - disagreements) / 198.0).epsilon(1e-12));
  // The swapped positions' margins are the negated gaps: all below 0.1.
  CHECK(json_number(r.out, "margin_below_0_1") >= 3);
  REQUIRE(peer.swapped_margins.size() == 3);
  const double widest = *std::max_element(peer.swapped_margins.begin(), peer.swapped_margins.end());
  CHECK(widest < 0);
  if (disagreements == 3) CHECK(json_number(r.out, "margin_max") == doctest::Approx(widest).epsilon(1e-5));
  CHECK(std::fabs(json_number(r.out, "ppl_model") / json_number(r.out, "ppl_peer") - 1.0) < 1e-4);

  Run text = run(eval + " --peer " + q(dir + "/peer.txt") + " " + fp32);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("top1_agreement") != std::string::npos);
  CHECK(text.out.find("disagreements") != std::string::npos);

  // Broken peer files: one clear line, exit 2.
  std::string bad_id = peer.text;
  bad_id.replace(bad_id.find("ids 200 ") + 8, 1, "9999 ");
  write_text(dir + "/bad_id.txt", bad_id);
  Run r1 = run(eval + " --peer " + q(dir + "/bad_id.txt") + " " + fp32);
  CHECK(r1.exit_code == 2);
  CHECK(r1.err.find("token id") != std::string::npos);
  std::string bad_count = peer.text;
  bad_count.replace(bad_count.find("positions 198"), 13, "positions 197");
  write_text(dir + "/bad_count.txt", bad_count);
  Run r2 = run(eval + " --peer " + q(dir + "/bad_count.txt") + " " + fp32);
  CHECK(r2.exit_code == 2);
  CHECK(r2.err.find("position count") != std::string::npos);
  write_text(dir + "/short.txt", peer.text.substr(0, peer.text.size() / 2));
  Run r3 = run(eval + " --peer " + q(dir + "/short.txt") + " " + fp32);
  CHECK(r3.exit_code == 2);
  Run r4 = run(eval + " --peer " + q(dir + "/none.txt") + " " + fp32);
  CHECK(r4.exit_code == 2);
  CHECK(r4.err.find("cannot read peer file") != std::string::npos);
  Run r5 = run(eval + " --peer " + q(dir + "/peer.txt") + " " + fp32 + " " + fp32);
  CHECK(r5.exit_code == 2);
}

}  // namespace
}  // namespace edgeattn
