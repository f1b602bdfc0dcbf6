// edgeattn-eval --peer: a decoder model against another runtime's logits on
// the same tokens (bench/peers/llama_teacher_forced.py writes them for
// llama.cpp). The peer file fixes the ids and the windows (its tokenizer's
// ids: the model's own tokenizer is not used), so both runtimes score
// exactly the same positions.
//
// Per scored position: top-1 agreement (the model's argmax == the peer's),
// both negative log-likelihoods of the true next token (-> perplexities),
// and for each disagreement the peer's margin between its top token and the
// model's (from the peer's 5 best; "> the 5th" when the model's is not among
// them): near-ties explain a divergence, large margins point at a bug.
//
// Example:
//   python3 bench/peers/llama_teacher_forced.py m.gguf data/eval/varied.txt peer.txt
//   edgeattn-eval --peer peer.txt m.eatn
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/model.h"
#include "runtime/session.h"

namespace edgeattn::eval {

constexpr int kPeerTop = 5;

// One scored position of the peer file.
struct PeerPosition {
  int32_t top_ids[kPeerTop];
  float top_logits[kPeerTop];
  double nll;
};

struct PeerFile {
  std::string peer;  // the "peer" line
  int context = 0;
  std::vector<int32_t> ids;
  std::vector<std::pair<size_t, size_t>> windows;  // [start, length) into ids
  std::vector<PeerPosition> positions;             // sum over windows of (length - 1)
};

// Reads and checks a peer file (counts, ids within [0, vocab), windows
// inside ids, one position per scored token). False after printing one
// line naming the file and what is wrong.
bool read_peer_file(const std::string& path, int32_t vocab, PeerFile* out);

struct PeerResult {
  size_t tokens = 0;  // positions scored
  size_t agree = 0;
  double nll_model = 0, nll_peer = 0;
  std::vector<double> disagree_margins;  // the peer's top logit - its logit of the model's top (inf: not in its 5)
  // |model logit - peer logit| of the peer's 5 best tokens at every
  // position: how far apart the two computations are, agreement or not.
  double logit_diff_sum = 0, logit_diff_max = 0;
  size_t logit_diff_count = 0;
};

// log(sum(exp(x[0, n)))) in double (n > 0): the log-softmax denominator.
double log_sum_exp(const float* x, size_t n);

// Teacher-forces every window through `model` (fresh context each, chunks
// of 64, all positions) and scores it against the peer. 0, or an exit code
// after a message.
// How the model's session runs: the peer's numerics may call for an fp16
// KV cache (llama.cpp's default) or a given kernel table.
struct PeerRunOptions {
  int threads = 1;
  KvCacheDType kv_dtype = KvCacheDType::kF32;
  const char* kernels = nullptr;  // nullptr: the CPU's default table
};
int score_against_peer(const Model& model, const PeerFile& peer, const PeerRunOptions& run, PeerResult* r);

}  // namespace edgeattn::eval
