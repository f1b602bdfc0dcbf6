// edgeattn-bench's ocr mode, for text-reading models (RapidOCR's PP-OCR
// networks converted to one .eatn with methods det, cls, rec):
//
//   edgeattn-bench MODEL.eatn --image FILE [--max-side N] [--threads N] [--runs N] [--json]
//
// The image (PNG, JPEG, BMP; tools/cli/image_file.h) is read by one
// TextReader (runtime/tasks/text_reader.h) 1 warm-up + --runs times
// (default 10). Reported from TextReadStats: the total latency per image and
// its stages (det, post, cls, rec) as median, p90 and minimum; the detector
// size, lines, memory; the text read.
#pragma once

#include "runtime/model.h"

namespace edgeattn {
namespace bench {

struct OcrBenchOptions {
  const char* image_file = nullptr;
  int max_side = 0;  // 0: TextReaderOptions' default
  int threads = 1;
  int runs = 10;
  const char* kernels = nullptr;
  bool json = false;
  // Time per op kind and the slowest ops of each method over the timed
  // reads, to stderr.
  bool profile = false;
};

// Prints the results to stdout (text or one JSON object); returns 0, 1 after
// printing a failure, 2 for an unreadable image or a model that reads no text.
int run_ocr(const Model& model, const OcrBenchOptions& options, double load_ms);

}  // namespace bench
}  // namespace edgeattn
