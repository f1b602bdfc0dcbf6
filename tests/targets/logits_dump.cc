// edgeattn-logits-dump: raw model outputs to a file, to compare one .eatn
// run on two architectures bit for bit (targets/cross-test.sh; issue #5).
//
//   edgeattn-logits-dump MODEL.eatn OUT.bin [--n N] [--threads T] [--reference]
//     decoders: BOS + the first N (default 128) tokens of data/eval/stories.txt,
//               teacher-forced (prefill chunks of 32, all_positions): the
//               logits [N + 1, vocab] float32
//     encoders: the first N (default 16) lines of data/eval/sentences.txt,
//               each alone (batch 1): output 0 of each, concatenated
//   edgeattn-logits-dump --compare A.bin B.bin
//     one line: floats, bit-identical count, max |a - b|, max |a - b| / max|a|;
//     exit 0 if all bits are identical, 3 if the files differ in bits, 2 on a
//     usage error (different sizes, unreadable file).
//
// The default kernel table of the CPU is used (the choice the runtime makes),
// or with --reference the reference table (plain C++: no FMA contraction, no
// libm, no XNNPACK), whose outputs are bit-identical on every architecture.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/session.h"
#include "runtime/tokenizer/tokenizer.h"

namespace {

using namespace edgeattn;

std::string read_all(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  *ok = static_cast<bool>(in) || in.eof();
  return ss.str();
}

int compare(const char* a_path, const char* b_path) {
  bool ok_a = false, ok_b = false;
  const std::string a = read_all(a_path, &ok_a), b = read_all(b_path, &ok_b);
  if (!ok_a || !ok_b || a.size() != b.size() || a.size() % 4 != 0 || a.empty()) {
    std::fprintf(stderr, "edgeattn-logits-dump: cannot compare '%s' (%zu B) and '%s' (%zu B)\n", a_path, a.size(),
                 b_path, b.size());
    return 2;
  }
  const size_t n = a.size() / 4;
  size_t same = 0;
  double max_diff = 0, max_abs = 0;
  for (size_t i = 0; i < n; ++i) {
    float x, y;
    std::memcpy(&x, a.data() + 4 * i, 4);
    std::memcpy(&y, b.data() + 4 * i, 4);
    same += std::memcmp(a.data() + 4 * i, b.data() + 4 * i, 4) == 0;
    max_diff = std::max(max_diff, std::fabs(static_cast<double>(x) - y));
    max_abs = std::max(max_abs, std::fabs(static_cast<double>(x)));
  }
  std::printf("floats %zu bit-identical %zu max_abs_diff %.3g max_rel_diff %.3g\n", n, same, max_diff,
              max_abs > 0 ? max_diff / max_abs : 0.0);
  return same == n ? 0 : 3;
}

int fail(const char* what, const Status& s) {
  std::fprintf(stderr, "edgeattn-logits-dump: %s: %s\n", what, s.message());
  return 1;
}

int dump(const char* model_path, const char* out_path, int n, int threads, bool reference) {
  Result<std::unique_ptr<Model>> loaded = Model::load_file(model_path);
  if (!loaded.is_ok()) return fail("load", loaded.status());
  const Model& model = **loaded;
  const Tokenizer* tok = model.tokenizer();
  if (tok == nullptr) {
    std::fprintf(stderr, "edgeattn-logits-dump: model has no tokenizer\n");
    return 2;
  }
  const bool encoder = model.info().architecture == Architecture::kBertEncoder;
  const std::string data = std::string(EDGEATTN_SOURCE_DIR) + (encoder ? "/data/eval/sentences.txt" : "/data/eval/stories.txt");
  bool ok = false;
  const std::string text = read_all(data, &ok);
  if (!ok) {
    std::fprintf(stderr, "edgeattn-logits-dump: cannot read %s\n", data.c_str());
    return 2;
  }
  std::vector<float> out;
  SessionOptions opts;
  opts.threads = threads;
  if (reference) opts.kernels = "reference";
  if (encoder) {
    opts.max_seq = 256;
    Result<std::unique_ptr<Session>> s = Session::create(model, opts);
    if (!s.is_ok()) return fail("prepare", s.status());
    std::stringstream lines(text);
    std::string line;
    for (int i = 0; i < n && std::getline(lines, line);) {
      if (line.empty()) continue;
      std::vector<int32_t> ids;
      Status st = tok->encode(line, EncodeOptions(), &ids);
      if (!st.is_ok()) return fail("encode", st);
      if (ids.size() > 256) ids.resize(256);
      InvokeInput in;
      in.ids = ids.data();
      in.seq = static_cast<int>(ids.size());
      st = (*s)->invoke(in);
      if (!st.is_ok()) return fail("invoke", st);
      const TensorView v = (*s)->output(0);
      out.insert(out.end(), v.f32(), v.f32() + v.element_count());
      ++i;
    }
  } else {
    std::vector<int32_t> ids;
    EncodeOptions enc;
    enc.add_special_tokens = false;
    Status st = tok->encode(text, enc, &ids);
    if (!st.is_ok()) return fail("encode", st);
    if (ids.size() > static_cast<size_t>(n)) ids.resize(static_cast<size_t>(n));
    if (tok->bos_id() >= 0) ids.insert(ids.begin(), tok->bos_id());
    constexpr int kChunk = 32;
    opts.max_seq = kChunk;
    opts.max_context = static_cast<int>(ids.size());
    Result<std::unique_ptr<Session>> s = Session::create(model, opts);
    if (!s.is_ok()) return fail("prepare", s.status());
    for (size_t pos = 0; pos < ids.size(); pos += kChunk) {
      InvokeInput in;
      in.ids = ids.data() + pos;
      in.seq = static_cast<int>(std::min<size_t>(kChunk, ids.size() - pos));
      in.all_positions = true;
      st = (*s)->invoke(in);
      if (!st.is_ok()) return fail("invoke", st);
      const TensorView v = (*s)->output(0);
      out.insert(out.end(), v.f32(), v.f32() + v.element_count());
    }
  }
  std::FILE* f = std::fopen(out_path, "wb");
  if (f == nullptr || std::fwrite(out.data(), sizeof(float), out.size(), f) != out.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "edgeattn-logits-dump: cannot write %s\n", out_path);
    return 1;
  }
  std::printf("%zu floats\n", out.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--compare") return compare(argv[2], argv[3]);
  if (argc < 3) {
    std::fprintf(stderr, "usage: edgeattn-logits-dump MODEL.eatn OUT.bin [--n N] [--threads T] [--reference]\n"
                         "       edgeattn-logits-dump --compare A.bin B.bin\n");
    return 2;
  }
  int n = 128, threads = 1;
  bool reference = false;
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--reference") {
      reference = true;
    } else if ((a == "--n" || a == "--threads") && i + 1 < argc) {
      (a == "--n" ? n : threads) = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "edgeattn-logits-dump: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  if (n < 1 || threads < 1) {
    std::fprintf(stderr, "edgeattn-logits-dump: --n and --threads want positive integers\n");
    return 2;
  }
  return dump(argv[1], argv[2], n, threads, reference);
}
