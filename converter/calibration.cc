#include "converter/calibration.h"

#include <fstream>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {
namespace {

// Default calibration: short everyday and story-like lines, so both sentence
// encoders and small story LMs see text like their training data.
const char* const kDefaultCalibration[] = {
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the sun.",
    "One day, a big dog came to the park. The dog was very happy and wanted to play with the ball.",
    "Tom and his mom went to the store to buy some apples, bread and milk for lunch.",
    "The cat sat on the mat and looked at the bird in the tree.",
    "\"Can I have a cookie?\" asked Ben. His dad smiled and said, \"Yes, but only one.\"",
    "A man is eating food.",
    "The weather today is sunny with a light breeze from the west.",
    "How do I reset my password if I forgot the old one?",
    "The company reported a 12% increase in revenue during the third quarter of 2023.",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "She quickly finished her homework and went outside to ride her bike.",
    "What is the capital of France? Paris is the capital and largest city of France.",
    "The train to Berlin leaves at 9:45 from platform 3.",
    "Machine learning models can run on small devices when they are quantized.",
    "Yes.",
    "I can't believe it's already December!",
};

}  // namespace

std::vector<std::string> calibration_lines(const std::string& file) {
  std::vector<std::string> lines;
  if (file.empty()) {
    for (const char* l : kDefaultCalibration) lines.emplace_back(l);
    return lines;
  }
  std::ifstream in(file);
  if (!in) throw_convert_error(file, "cannot open calibration file");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.empty()) throw_convert_error(file, "calibration file has no text");
  return lines;
}

LoadedModel load_builder(const ModelBuilder& mb, const char* what) {
  LoadedModel m;
  m.bytes = mb.serialize();
  Result<std::unique_ptr<Model>> r = Model::load_buffer(m.bytes.data(), m.bytes.size());
  if (!r.is_ok()) throw ConvertError(std::string(what) + ": model fails verification: " + r.status().message());
  m.model = std::move(r).value();
  return m;
}

std::unique_ptr<Session> observing_session(const Model& model, const std::vector<const char*>& observe,
                                           int max_tokens, const char* what) {
  SessionOptions o;
  o.max_seq = max_tokens;
  o.max_context = max_tokens;
  o.observe = Span<const char* const>(observe.data(), observe.size());
  Result<std::unique_ptr<Session>> s = Session::create(model, o);
  if (!s.is_ok()) throw ConvertError(std::string(what) + ": " + s.status().message());
  return std::move(s).value();
}

bool run_calibration_line(Session& session, const Tokenizer& tokenizer, const std::string& line, int max_tokens,
                          const char* what) {
  std::vector<int32_t> ids;
  EncodeOptions enc;
  enc.max_tokens = static_cast<size_t>(max_tokens);
  if (!tokenizer.encode(line, enc, &ids).is_ok() || ids.empty()) return false;
  if (ids.size() > static_cast<size_t>(max_tokens)) ids.resize(static_cast<size_t>(max_tokens));
  InvokeInput in;
  in.ids = ids.data();
  in.seq = static_cast<int>(ids.size());
  in.all_positions = true;
  session.reset();
  if (!session.invoke(in).is_ok()) throw ConvertError(std::string(what) + ": calibration invoke failed");
  return true;
}

}  // namespace edgeattn::convert
