// Calibration runs: the fp32 (or quantized) model, converted in memory,
// executed on calibration text with chosen activations kept readable.
// Shared by activation smoothing (smooth.h) and the quantization report
// (report.h).
//
// Example:
//   LoadedModel m = load_builder(mb, "smoothing");
//   std::unique_ptr<Session> s = observing_session(*m.model, {"x"}, 128, "smoothing");
//   for (const std::string& line : calibration_lines(""))
//     if (run_calibration_line(*s, *m.model->tokenizer(), line, 128, "smoothing")) read(s->observed("x"));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "converter/model_builder.h"
#include "runtime/model.h"
#include "runtime/session.h"

namespace edgeattn::convert {

// Calibration text: one entry per line of `file`, or the built-in lines.
std::vector<std::string> calibration_lines(const std::string& file);

struct LoadedModel {
  std::vector<uint8_t> bytes;    // the serialized model; must outlive `model`
  std::unique_ptr<Model> model;
};

// Serializes and loads `mb`; throws ConvertError naming `what` on failure.
LoadedModel load_builder(const ModelBuilder& mb, const char* what);

// A session for one calibration line at a time (up to max_tokens tokens)
// that keeps the `observe` activations readable.
std::unique_ptr<Session> observing_session(const Model& model, const std::vector<const char*>& observe,
                                           int max_tokens, const char* what);

// Tokenizes `line` (truncated to max_tokens), resets the session and runs it
// with every position's outputs. False if the line has no tokens.
bool run_calibration_line(Session& session, const Tokenizer& tokenizer, const std::string& line, int max_tokens,
                          const char* what);

}  // namespace edgeattn::convert
