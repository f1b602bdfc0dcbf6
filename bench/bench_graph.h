// edgeattn-bench's graph mode, for imported image models (ONNX: a ViT, a
// CNN classifier) whose method takes one float image [B, H, W, C]:
//
//   edgeattn-bench MODEL.eatn [--method NAME] [--threads N] [--runs N] [--profile] [--json]
//
// Invokes the method on a batch of one synthetic image (a fixed seeded
// pattern in [-2, 2], the range of normalized pixels) 2 warm-ups + --runs
// times (default 20) and reports the latency (median, p90, minimum) of
// Session::invoke alone: the network, as onnxruntime's session.run on a
// tensor measures it (bench/vit_compare.py). Symbolic image sides are
// planned and run at 224. Memory: weights, arena, peak RSS.
#pragma once

#include "runtime/model.h"

namespace edgeattn {
namespace bench {

struct GraphBenchOptions {
  const char* method = nullptr;  // nullptr: the model's first
  int threads = 1;
  int runs = 20;
  const char* kernels = nullptr;
  bool json = false;
  bool profile = false;  // time per op kind and the slowest ops, to stderr
};

// Prints the results to stdout; returns 0, 1 after printing a failure, 2
// for a model whose method does not take one float image.
int run_graph(const Model& model, const GraphBenchOptions& options, double load_ms);

}  // namespace bench
}  // namespace edgeattn
