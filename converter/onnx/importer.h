// The ONNX importer's internals: one graph (OnnxModel) -> one ModelBuilder
// method. Shared by import_onnx.cc (driver, constants, shape tensors, views),
// layout.cc (physical layouts), ops_image.cc (conv/pool/resize/concat and the
// fusions into a conv), ops_misc.cc (elementwise, activations, softmax,
// MatMul) and patterns.cc (squeeze-excitation, LayerNorm, attention).
//
// Values. Every ONNX value is one of
//   kConst  a constant tensor (initializers, Constant nodes, folded nodes);
//   kShape  a 1-D int vector of symbolic dims (Shape -> Slice -> Concat ...);
//   kAct    an activation: an edgeattn tensor plus a view of it. The tensor's
//           elements in row-major order, reshaped to `vshape`, then permuted
//           so that logical axis i is vshape axis perm[i], give the ONNX
//           value. A conv output [B,H,W,C] is vshape [B,H,W,C], perm
//           [0,3,1,2] (logical NCHW). Reshape / Transpose / Squeeze of an
//           activation only rewrite the view; an op that needs a physical
//           order calls materialize(), which emits a Transpose (and Reshape)
//           only where the data is not already in that order.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "converter/model_builder.h"
#include "converter/onnx/onnx_reader.h"
#include "converter/onnx/sym.h"

namespace edgeattn::convert::onnx_import {

// A double as int64 when it is finite and in range; false otherwise. Every
// float -> integer conversion of a model's values goes through here: casting
// NaN or an out-of-range value is undefined behaviour, and the file is
// untrusted input.
inline bool to_int64(double v, int64_t* out) {
  if (!std::isfinite(v) || std::fabs(v) > 9.0e18) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

struct GraphOptions {
  int64_t image_height = 0;  // > 0: fixes the input's height (else its dim_value, else symbolic)
  int64_t image_width = 0;
};

struct Value {
  enum class Kind { kNone, kConst, kShape, kAct };
  Kind kind = Kind::kNone;
  OnnxTensor c;               // kConst
  std::vector<Sym> sv;        // kShape
  bool sv_scalar = false;     // kShape of rank 0
  int tensor = -1;            // kAct
  std::vector<Sym> vshape;    // kAct
  std::vector<int> perm;      // kAct: logical axis i = vshape axis perm[i]
  // kConst: the same values for every batch row: an Expand of a constant
  // whose dim 0 is 1 to a shape [B, ...] (e.g. ViT's CLS token
  // cls_token.expand(B, -1, -1)); `c` keeps dim 0 == 1.
  bool bcast_batch = false;

  std::vector<Sym> shape() const;  // kAct: the logical (ONNX) shape
  size_t rank() const { return perm.size(); }
};

// Per-channel affine y = x * scale + shift, or a scalar one (size 1).
struct Affine {
  std::vector<float> scale, shift;
};

// A 1x1 convolution (stride 1, no pads, group 1) with its bias and any
// per-channel affines after it (batch norms) folded in (patterns_vision.cc).
struct Conv1x1 {
  std::vector<float> w, b;  // [cout, cin], [cout]
  int64_t cin = 0, cout = 0;
  std::string out;          // the last value it computes
  std::set<size_t> nodes;
};

// CBAM's shared MLP on one pooled branch: 1x1 -> act -> 1x1.
struct CbamMlp {
  Conv1x1 first, second;
  fb::Activation act = fb::Activation::None;
  std::set<size_t> nodes;
};

// An activation function found as a node chain.
struct ActMatch {
  fb::Activation act = fb::Activation::None;
  float alpha = 0.2f, beta = 0.5f;
  std::set<size_t> nodes;   // the chain's nodes
  std::string out;          // its output value
  bool exclusive = false;   // every use of the input is in the chain
};

class Importer {
 public:
  Importer(const OnnxModel& m, const GraphOptions& o, ModelBuilder& mb);
  void run();

  // ---- state
  const OnnxModel& m_;
  GraphOptions opt_;
  ModelBuilder& mb_;
  std::map<std::string, Value> values_;
  std::map<std::string, std::vector<size_t>> uses_;  // value -> consuming nodes (one entry per use)
  std::set<std::string> graph_outputs_;
  std::vector<bool> done_;                            // per node: folded or consumed by a pattern
  std::map<int, std::vector<Sym>> phys_;              // tensor -> its dims
  std::set<std::string> names_;                       // tensor names used

  // ---- values (import_onnx.cc)
  const OnnxNode& node(size_t i) const { return m_.nodes[i]; }
  bool has_input(const OnnxNode& n, size_t i) const { return i < n.inputs.size() && !n.inputs[i].empty(); }
  const Value& in(const OnnxNode& n, size_t i) const;   // throws naming the node if missing
  const Value* find(const std::string& name) const;
  const OnnxTensor* const_in(const OnnxNode& n, size_t i) const;  // nullptr if not a constant
  const OnnxTensor& require_const(const OnnxNode& n, size_t i, const char* what) const;
  std::vector<Sym> int_vector(const OnnxNode& n, size_t i) const;  // a constant int or shape input
  const Value& act_in(const OnnxNode& n, size_t i) const;         // must be an activation
  void set_const(const std::string& name, OnnxTensor t);
  void set_shape(const std::string& name, std::vector<Sym> sv, bool scalar = false);
  void set_act(const std::string& name, int tensor, std::vector<Sym> vshape, std::vector<int> perm);
  // The only node using `value` (nullptr if none, several or a graph output).
  const OnnxNode* sole_use(const std::string& value) const;
  std::vector<const OnnxNode*> uses(const std::string& value) const;
  bool only_used_by(const std::string& value, const std::set<size_t>& nodes) const;
  [[noreturn]] void fail(const OnnxNode& n, const std::string& what) const;
  void run_folding_pass_node(const OnnxNode& n);  // constant folding (import_onnx.cc)
  // A node whose inputs are all constants or fixed shape vectors, computed
  // now (fold.cc); false when an input is not known or the op is not one
  // of the evaluator's.
  bool fold_node(const OnnxNode& n);
  bool expand_batch(const OnnxNode& n);  // Expand(constant, [B, ...]) -> bcast_batch (fold.cc)
  // ---- driver (driver.cc)
  bool shape_op(const OnnxNode& n);   // Shape / Slice / Gather / Concat ... on shape vectors
  bool view_op(const OnnxNode& n);    // Reshape / Transpose / Squeeze / Unsqueeze / Flatten / Identity / Cast
  void dispatch(const OnnxNode& n);
  void setup_input();
  void setup_outputs();
  std::string inputs_str(const OnnxNode& n) const;

  // ---- tensors and layout (layout.cc)
  int new_tensor(const std::string& name, const std::vector<Sym>& dims, const std::string& what);
  int add_const(const std::string& name, const std::vector<int64_t>& shape, std::vector<float> data);
  // A tensor holding v's data with physical axis j = logical axis order[j].
  // exact: its dims are exactly those; else only the last one must match.
  int materialize(const Value& v, const std::vector<int>& order, bool exact, const std::string& what);
  // Registers `name` as the (already materialized) tensor with that order.
  void set_ordered(const std::string& name, int tensor, const std::vector<Sym>& logical, const std::vector<int>& order);
  void reshape_view(const OnnxNode& n, const Value& v, const std::vector<Sym>& target, const std::string& out);
  // ONNX Reshape's 0 (copy) and -1 (the rest) resolved against `in`.
  std::vector<Sym> resolve_reshape(const OnnxNode& n, const std::vector<Sym>& in, std::vector<Sym> target) const;
  // The value, computing a view node (Transpose, Reshape, ...) that produces
  // it ahead of its turn if needed (patterns look ahead); nullptr if absent.
  const Value* resolve(const std::string& name);
  std::map<std::string, size_t> producer_;            // value -> node
  static std::vector<int> identity(size_t rank);
  static std::vector<int> inverse(const std::vector<int>& p);
  static std::vector<int> nhwc_order() { return {0, 2, 3, 1}; }
  // The order in which v's data already lies (inverse(perm)).
  static std::vector<int> natural_order(const Value& v) { return inverse(v.perm); }

  // ---- image ops and conv fusion (ops_image.cc)
  void conv(const OnnxNode& n);
  void conv_transpose(const OnnxNode& n);
  void pool(const OnnxNode& n);
  void global_pool(const OnnxNode& n);
  void reduce_mean(const OnnxNode& n);
  void resize(const OnnxNode& n);
  void concat(const OnnxNode& n);
  void slice(const OnnxNode& n);
  void gather(const OnnxNode& n);
  // A Slice op of x's logical `axis` [begin, end), registered as `out`.
  void slice_axis(const OnnxNode& n, const Value& x, int64_t axis, int64_t begin, int64_t end, const std::string& out);
  void batch_norm(const OnnxNode& n);
  bool channel_affine(const std::string& value, int64_t channels, Affine* a, std::string* out, size_t* node_index);
  bool match_activation(const std::string& value, ActMatch* m) const;
  std::string fuse_conv_tail(std::string v, int64_t cout, std::vector<float>& bias, std::vector<float>& co_scale,
                             fb::Conv2DOptionsT& o);
  Sym conv_out(const OnnxNode& n, const Sym& in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe,
               const char* axis) const;

  // ---- elementwise, activations, softmax, MatMul (ops_misc.cc)
  void elementwise(const OnnxNode& n);
  void activation(const OnnxNode& n);
  void softmax(const OnnxNode& n);
  void matmul(const OnnxNode& n);
  void pointwise(const OnnxNode& n, const Value& x, const std::string& out, float pre_scale, float pre_shift,
                 fb::Activation act, float alpha, float beta);
  bool try_activation_chain(const OnnxNode& n, const std::string& x);

  // ---- patterns (patterns.cc)
  bool squeeze_excitation(const OnnxNode& gap);
  bool layer_norm(const OnnxNode& reduce_mean);
  bool fused_qkv(const OnnxNode& matmul, const std::vector<float>& w, const std::vector<float>& bias, int64_t k,
                 int64_t n_out, const std::string& fc_out, const std::set<size_t>& fc_nodes);
  bool attention(const OnnxNode& n);
  void emit_layer_norm(const OnnxNode& n, const Value& x, const std::vector<float>& gamma,
                       const std::vector<float>& beta, float eps, const std::string& out);
  void layer_normalization(const OnnxNode& n);  // the opset-17 op

  // ---- vision attention patterns (patterns_vision.cc)
  bool match_conv1x1(const OnnxNode& conv, Conv1x1* c);
  bool cbam_mlp(const std::string& pooled, int64_t c, CbamMlp* m);
  bool cbam_channel(const OnnxNode& gap);
  bool spatial_attention(const OnnxNode& reduce);
  bool branch_attention(const OnnxNode& add);
  bool attention_gate(const OnnxNode& conv);
};

// Broadcast helpers for constants (ops_misc.cc): a constant used against a
// value of `rank` dims: the axis it varies along (-1: a scalar), or -2 when it
// varies along several.
int const_axis(const OnnxTensor& c, size_t rank);
float scalar_of(const OnnxTensor& c);
// The constant with its axes permuted: out axis j = c's axis order[j] (fold.cc).
OnnxTensor permute_const(const OnnxTensor& c, const std::vector<int>& order);
std::vector<float> floats_of(const OnnxTensor& c);

}  // namespace edgeattn::convert::onnx_import
