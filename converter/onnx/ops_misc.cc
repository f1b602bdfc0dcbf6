// Elementwise ops, activations, Softmax, MatMul / Gemm, Resize and Concat
// of the ONNX importer.
#include <algorithm>
#include <cmath>

#include "converter/onnx/importer.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert::onnx_import {

int const_axis(const OnnxTensor& c, size_t rank) {
  if (c.dims.size() > rank) return -2;
  int axis = -1;
  const size_t off = rank - c.dims.size();
  for (size_t i = 0; i < c.dims.size(); ++i) {
    if (c.dims[i] == 1) continue;
    if (axis >= 0) return -2;
    axis = static_cast<int>(off + i);
  }
  return axis;
}

// The first value of a constant that pattern code has checked to hold one;
// an empty one (an ONNX tensor may have 0 elements) is an error, not a read.
float scalar_of(const OnnxTensor& c) {
  if (c.is_float ? c.f.empty() : c.i.empty()) throw ConvertError("a constant that must hold one value is empty");
  return c.is_float ? c.f[0] : static_cast<float>(c.i[0]);
}

std::vector<float> floats_of(const OnnxTensor& c) {
  if (c.is_float) return c.f;
  return std::vector<float>(c.i.begin(), c.i.end());
}

void Importer::pointwise(const OnnxNode& n, const Value& x, const std::string& out, float pre_scale, float pre_shift,
                         fb::Activation act, float alpha, float beta) {
  fb::PointwiseOptionsT o;
  o.pre_scale = pre_scale;
  o.pre_shift = pre_shift;
  o.activation = act;
  o.act_alpha = alpha;
  o.act_beta = beta;
  // Elementwise: any layout will do; the output keeps the input's.
  const int t = new_tensor(out, phys_.at(x.tensor), m_.source + ": " + n.what());
  mb_.add_op(fb::OpCode::Pointwise, {x.tensor}, {t}, n.name, o);
  set_act(out, t, x.vshape, x.perm);
}

bool Importer::try_activation_chain(const OnnxNode& n, const std::string& x) {
  const Value* v = find(x);
  if (v == nullptr || v->kind != Value::Kind::kAct) return false;
  ActMatch m;
  if (!match_activation(x, &m) || m.nodes.count(n.index) == 0) return false;
  for (size_t i : m.nodes) {
    if (done_[i]) return false;
  }
  const Value xv = *v;
  pointwise(n, xv, m.out, 1.f, 0.f, m.act, m.alpha, m.beta);
  for (size_t i : m.nodes) done_[i] = true;
  return true;
}

void Importer::activation(const OnnxNode& n) {
  if (try_activation_chain(n, n.inputs.empty() ? "" : n.inputs[0])) return;
  const Value x = act_in(n, 0);
  const std::string& op = n.op_type;
  if (op == "Relu") return pointwise(n, x, n.outputs[0], 1.f, 0.f, fb::Activation::Relu, 0.2f, 0.5f);
  if (op == "Sigmoid") return pointwise(n, x, n.outputs[0], 1.f, 0.f, fb::Activation::Sigmoid, 0.2f, 0.5f);
  if (op == "HardSwish") return pointwise(n, x, n.outputs[0], 1.f, 0.f, fb::Activation::HardSwish, 0.2f, 0.5f);
  if (op == "HardSigmoid") {
    return pointwise(n, x, n.outputs[0], 1.f, 0.f, fb::Activation::HardSigmoid, n.attr_float("alpha", 0.2f),
                     n.attr_float("beta", 0.5f));
  }
  fail(n, "this Clip range is not supported (only [0, 6] and [0, inf)); " + inputs_str(n));
}

void Importer::elementwise(const OnnxNode& n) {
  if (n.inputs.size() != 2) fail(n, "needs two inputs");
  const Value& a = in(n, 0);
  const Value& b = in(n, 1);
  const std::string& op = n.op_type;
  const std::string what = m_.source + ": " + n.what();
  if (a.kind == Value::Kind::kAct && b.kind == Value::Kind::kAct) {
    if (op == "Add" && branch_attention(n)) return;
    if (op != "Add" && op != "Mul") fail(n, op + " of two activations is not supported outside a LayerNorm; " + inputs_str(n));
    const std::vector<Sym> as = a.shape(), bs = b.shape();
    if (as.size() != bs.size()) fail(n, "broadcasting across ranks is not supported; " + inputs_str(n));
    bool equal = as == bs, gate = !equal;
    for (size_t i = 0; i < as.size() && gate; ++i) gate = bs[i] == as[i] || bs[i].is_one();
    if (!equal && !gate) fail(n, "the second input must have the first's shape or broadcast to it; " + inputs_str(n));
    const std::vector<int> order = equal ? natural_order(a) : (a.rank() == 4 ? nhwc_order() : identity(a.rank()));
    const int ta = materialize(a, order, !equal, what);
    const int tb = materialize(b, order, true, what);
    std::vector<Sym> dims;
    for (int o : order) dims.push_back(as[static_cast<size_t>(o)]);
    const int t = new_tensor(n.outputs[0], equal ? phys_.at(ta) : dims, what);
    if (equal && phys_.at(ta) != phys_.at(tb)) {
      const int r = new_tensor(n.inputs[1] + ".view", phys_.at(ta), what);
      mb_.add_op(fb::OpCode::Reshape, {tb}, {r}, n.name + ".view");
      mb_.add_op(op == "Add" ? fb::OpCode::Add : fb::OpCode::Mul, {ta, r}, {t}, n.name);
    } else {
      mb_.add_op(op == "Add" ? fb::OpCode::Add : fb::OpCode::Mul, {ta, tb}, {t}, n.name);
    }
    set_ordered(n.outputs[0], t, as, order);
    return;
  }
  const bool reversed = a.kind != Value::Kind::kAct;
  const size_t xi = reversed ? 1 : 0;
  const Value& x = act_in(n, xi);
  if (op == "Mul" && attention(n)) return;
  if (try_activation_chain(n, n.inputs[xi])) return;
  const OnnxTensor& c = require_const(n, 1 - xi, "the other operand");
  const std::vector<float> cf = floats_of(c);
  const int axis = const_axis(c, x.rank());
  const Value xv = x;
  if (axis == -1) {
    if (cf.empty()) fail(n, "the constant operand is empty");
    const float v = cf[0];
    if (op == "Mul") return pointwise(n, xv, n.outputs[0], v, 0.f, fb::Activation::None, 0.2f, 0.5f);
    if (op == "Add") return pointwise(n, xv, n.outputs[0], 1.f, v, fb::Activation::None, 0.2f, 0.5f);
    if (op == "Sub") return pointwise(n, xv, n.outputs[0], reversed ? -1.f : 1.f, reversed ? v : -v, fb::Activation::None, 0.2f, 0.5f);
    if (!reversed) return pointwise(n, xv, n.outputs[0], 1.f / v, 0.f, fb::Activation::None, 0.2f, 0.5f);
    fail(n, "a constant divided by an activation is not supported; " + inputs_str(n));
  }
  if (reversed && (op == "Sub" || op == "Div")) fail(n, "constant " + op + " activation is not supported; " + inputs_str(n));
  const std::vector<Sym> xs = x.shape();
  std::vector<int> order = natural_order(xv);
  std::vector<int64_t> cshape;
  if (axis >= 0) {
    if (order.back() != axis) {
      order = x.rank() == 4 && axis == 1 ? nhwc_order() : identity(x.rank());
      if (order.back() != axis) { order.erase(std::find(order.begin(), order.end(), axis)); order.push_back(axis); }
    }
    cshape = {static_cast<int64_t>(cf.size())};
  } else {
    // A constant of the trailing shape (e.g. position embeddings).
    order = identity(x.rank());
    size_t lead = 0;
    while (lead < c.dims.size() && c.dims[lead] == 1) ++lead;
    cshape.assign(c.dims.begin() + static_cast<long>(lead), c.dims.end());
    for (size_t i = 0; i < cshape.size(); ++i) {
      const Sym& d = xs[xs.size() - cshape.size() + i];
      if (!d.is_const() || d.value() != cshape[i]) fail(n, "the constant does not broadcast to the activation; " + inputs_str(n));
    }
  }
  std::vector<float> k = cf;
  if (op == "Sub") for (float& f : k) f = -f;
  if (op == "Div") for (float& f : k) f = 1.f / f;
  const int xin = materialize(xv, order, axis < 0, what);
  const int ct = add_const(n.name + ".constant", cshape, k);
  const int t = new_tensor(n.outputs[0], phys_.at(xin), what);
  mb_.add_op(op == "Add" || op == "Sub" ? fb::OpCode::Add : fb::OpCode::Mul, {xin, ct}, {t}, n.name);
  set_ordered(n.outputs[0], t, xs, order);
}

void Importer::softmax(const OnnxNode& n) {
  const Value x = act_in(n, 0);
  const int64_t r = static_cast<int64_t>(x.rank());
  int64_t axis = n.attr_int("axis", m_.opset < 13 ? 1 : -1);
  if (axis < -r || axis >= r) fail(n, "axis out of range");
  if (axis < 0) axis += r;
  if (m_.opset < 13 && axis != r - 1) fail(n, "a softmax over several trailing axes (opset < 13, axis " + std::to_string(axis) + ") is not supported");
  std::vector<int> order = natural_order(x);
  if (order.back() != axis) {
    order = identity(x.rank());
    order.erase(order.begin() + axis);
    order.push_back(static_cast<int>(axis));
  }
  const std::string what = m_.source + ": " + n.what();
  const int xin = materialize(x, order, false, what);
  const int t = new_tensor(n.outputs[0], phys_.at(xin), what);
  mb_.add_op(fb::OpCode::Softmax, {xin}, {t}, n.name);
  set_ordered(n.outputs[0], t, x.shape(), order);
}

void Importer::matmul(const OnnxNode& n) {
  const Value& a = act_in(n, 0);
  const Value* bv = find(has_input(n, 1) ? n.inputs[1] : "");
  if (bv != nullptr && bv->kind == Value::Kind::kAct) {
    if (attention(n)) return;
    fail(n, "MatMul of two activations is only supported inside a self-attention pattern; " + inputs_str(n));
  }
  const OnnxTensor& w = require_const(n, 1, "the weight");
  const bool gemm = n.op_type == "Gemm";
  if (w.dims.size() != 2 || !w.is_float) fail(n, "the weight must be a 2-D float matrix; " + inputs_str(n));
  if (gemm && (n.attr_int("transA", 0) != 0 || n.attr_float("alpha", 1.f) != 1.f)) fail(n, "transA / alpha are not supported");
  const bool trans = gemm && n.attr_int("transB", 0) != 0;
  const int64_t k = trans ? w.dims[1] : w.dims[0], nout = trans ? w.dims[0] : w.dims[1];
  const std::vector<Sym> xs = a.shape();
  if (!xs.back().is_const() || xs.back().value() != k) fail(n, "the weight has " + std::to_string(k) + " rows for inputs of " + xs.back().str());
  std::vector<float> wt(static_cast<size_t>(k * nout));
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < nout; ++j)
      wt[static_cast<size_t>(j * k + i)] = trans ? w.f[static_cast<size_t>(j * k + i)] : w.f[static_cast<size_t>(i * nout + j)];
  std::vector<float> bias;
  std::set<size_t> nodes = {n.index};
  std::string out = n.outputs[0];
  if (gemm && has_input(n, 2)) {
    const OnnxTensor& c = require_const(n, 2, "the bias");
    if (c.numel() != nout && c.numel() != 1) fail(n, "the bias does not have " + std::to_string(nout) + " values");
    const float beta = n.attr_float("beta", 1.f);
    for (int64_t j = 0; j < nout; ++j) bias.push_back(beta * (c.numel() == 1 ? c.f[0] : c.f[static_cast<size_t>(j)]));
  }
  const OnnxNode* add = sole_use(out);
  if (bias.empty() && add != nullptr && add->op_type == "Add" && add->inputs.size() == 2) {
    const int o = add->inputs[0] == out ? 1 : 0;
    const OnnxTensor* c = const_in(*add, static_cast<size_t>(o));
    if (c != nullptr && c->is_float && c->numel() == nout && const_axis(*c, xs.size()) == static_cast<int>(xs.size()) - 1) {
      bias = c->f;
      nodes.insert(add->index);
      done_[add->index] = true;
      out = add->outputs[0];
    }
  }
  // LayerScale (CaiT, DINOv2): y * gamma per output feature folds into the
  // weight rows and the bias, so it costs nothing at run time.
  const OnnxNode* scale = sole_use(out);
  if (scale != nullptr && scale->op_type == "Mul" && scale->inputs.size() == 2) {
    const int o = scale->inputs[0] == out ? 1 : 0;
    const OnnxTensor* g = const_in(*scale, static_cast<size_t>(o));
    if (g != nullptr && g->is_float && g->numel() == nout && const_axis(*g, xs.size()) == static_cast<int>(xs.size()) - 1) {
      for (int64_t j = 0; j < nout; ++j) {
        const float gj = g->f[static_cast<size_t>(j)];
        for (int64_t i = 0; i < k; ++i) wt[static_cast<size_t>(j * k + i)] *= gj;
        if (!bias.empty()) bias[static_cast<size_t>(j)] *= gj;
      }
      nodes.insert(scale->index);
      done_[scale->index] = true;
      out = scale->outputs[0];
    }
  }
  if (fused_qkv(n, wt, bias, k, nout, out, nodes)) return;
  fb::FullyConnectedOptionsT o;
  ActMatch act;
  if (match_activation(out, &act) && act.exclusive && act.act != fb::Activation::HardSigmoid) {
    o.activation = act.act;
    for (size_t i : act.nodes) done_[i] = true;
    out = act.out;
  }
  const std::string what = m_.source + ": " + n.what();
  const int wi = add_const(n.name + ".weight", {nout, k}, std::move(wt));
  const int bi = bias.empty() ? -1 : add_const(n.name + ".bias", {nout}, bias);
  const int xin = materialize(a, identity(a.rank()), false, what);
  std::vector<Sym> pd = phys_.at(xin), ls = xs;
  pd.back() = Sym::constant(nout);
  ls.back() = Sym::constant(nout);
  const int t = new_tensor(out, pd, what);
  mb_.add_op(fb::OpCode::FullyConnected, {xin, wi, bi}, {t}, n.name, o);
  set_act(out, t, ls, identity(ls.size()));
}

void Importer::resize(const OnnxNode& n) {
  const Value x = act_in(n, 0);
  if (x.rank() != 4) fail(n, "only NCHW images are resized");
  const std::vector<Sym> xs = x.shape();
  const std::string mode = n.attr_string("mode", "nearest");
  const std::string coord = n.attr_string("coordinate_transformation_mode", m_.opset < 11 ? "asymmetric" : "half_pixel");
  fb::ResizeOptionsT o;
  if (mode == "nearest") {
    o.mode = fb::ResizeMode::Nearest;
    const std::string nm = n.attr_string("nearest_mode", "round_prefer_floor");
    if (nm != "floor" && m_.opset >= 11) fail(n, "nearest_mode " + nm + " is not supported (floor)");
  } else if (mode == "linear" || mode == "bilinear") {
    o.mode = fb::ResizeMode::Bilinear;
  } else {
    fail(n, "mode " + mode + " is not supported (nearest, linear)");
  }
  if (coord == "asymmetric") o.coordinates = fb::ResizeCoordinates::Asymmetric;
  else if (coord == "half_pixel" || coord == "pytorch_half_pixel") o.coordinates = fb::ResizeCoordinates::HalfPixel;
  else if (coord == "align_corners") o.coordinates = fb::ResizeCoordinates::AlignCorners;
  else fail(n, "coordinate_transformation_mode " + coord + " is not supported");
  std::vector<Sym> out = xs;
  const size_t scales_at = m_.opset < 11 ? 1 : 2;
  const OnnxTensor* scales = const_in(n, scales_at);
  if (has_input(n, 3) && n.inputs.size() > 3) {
    out = int_vector(n, 3);
    if (out.size() != 4 || out[0] != xs[0] || out[1] != xs[1]) fail(n, "sizes must keep N and C; " + inputs_str(n));
  } else if (scales != nullptr && scales->numel() == 4) {
    const std::vector<float> s = floats_of(*scales);
    if (s[0] != 1.f || s[1] != 1.f) fail(n, "scales must keep N and C");
    for (size_t i = 2; i < 4; ++i) {
      const float f = s[i];
      // Scales are bounded before any conversion to an integer (the file is untrusted).
      if (!(f > 0.f && f <= 65536.f)) fail(n, "scale " + std::to_string(f) + " must be in (0, 65536]");
      const float r = std::round(f), inv = std::round(1.f / f);
      int64_t dim = 0;
      if (xs[i].is_const()) {
        if (!to_int64(std::floor(static_cast<double>(xs[i].value()) * f), &dim)) fail(n, "resized size out of range");
        out[i] = Sym::constant(dim);
      } else if (f >= 1.f && f == r) {
        out[i] = xs[i] * Sym::constant(static_cast<int64_t>(r));
      } else if (f < 1.f && inv <= 65536.f && std::fabs(1.f / f - inv) < 1e-6f) {
        out[i] = xs[i] / Sym::constant(static_cast<int64_t>(inv));
      } else {
        fail(n, "scale " + std::to_string(f) + " of a symbolic dim must be an integer or its inverse");
      }
    }
  } else {
    fail(n, "needs constant scales [1, 1, sh, sw] or sizes; " + inputs_str(n));
  }
  const std::string what = m_.source + ": " + n.what();
  const int xin = materialize(x, nhwc_order(), true, what);
  const std::vector<Sym> dims = {out[0], out[2], out[3], out[1]};
  const int t = new_tensor(n.outputs[0], dims, what);
  mb_.add_op(fb::OpCode::Resize, {xin}, {t}, n.name, o);
  set_act(n.outputs[0], t, dims, {0, 3, 1, 2});
}

// Slice of an activation along one fixed axis with step 1 (a ViT decoder
// dropping the CLS token: tokens[:, 1:, :]).
void Importer::slice(const OnnxNode& n) {
  const Value x = act_in(n, 0);
  const std::vector<Sym> starts = int_vector(n, 1), ends = int_vector(n, 2);
  if (starts.size() != 1 || ends.size() != 1) fail(n, "only slices along one axis are supported; " + inputs_str(n));
  int64_t axis = 0;
  if (has_input(n, 3)) {
    const std::vector<Sym> axes = int_vector(n, 3);
    if (axes.size() != 1 || !axes[0].is_const()) fail(n, "axes must be one constant");
    axis = axes[0].value();
  }
  if (has_input(n, 4)) {
    const std::vector<Sym> steps = int_vector(n, 4);
    if (steps.size() != 1 || !steps[0].is_const() || steps[0].value() != 1) fail(n, "only step 1 is supported");
  }
  const int64_t r = static_cast<int64_t>(x.rank());
  if (axis < -r || axis >= r) fail(n, "axis out of range");
  if (axis < 0) axis += r;
  std::vector<Sym> shape = x.shape();
  const Sym& d = shape[static_cast<size_t>(axis)];
  if (!d.is_const() || !starts[0].is_const() || !ends[0].is_const()) fail(n, "the sliced axis and its bounds must be fixed; " + inputs_str(n));
  const int64_t size = d.value();
  auto clampi = [&](int64_t v) { return std::max<int64_t>(0, std::min(size, v < 0 ? v + size : v)); };
  const int64_t b = clampi(starts[0].value()), e = std::max(b, clampi(ends[0].value()));
  if (e == b) fail(n, "an empty slice");
  if (b == 0 && e == size) {
    values_[n.outputs[0]] = x;
    return;
  }
  slice_axis(n, x, axis, b, e, n.outputs[0]);
}

void Importer::slice_axis(const OnnxNode& n, const Value& x, int64_t axis, int64_t begin, int64_t end,
                          const std::string& out) {
  const std::string what = m_.source + ": " + n.what();
  std::vector<Sym> shape = x.shape();
  const std::vector<int> order = natural_order(x);
  const int xin = materialize(x, order, true, what);
  shape[static_cast<size_t>(axis)] = Sym::constant(end - begin);
  std::vector<Sym> dims;
  fb::SliceOptionsT o;
  for (size_t j = 0; j < order.size(); ++j) {
    dims.push_back(shape[static_cast<size_t>(order[j])]);
    if (order[j] == axis) o.axis = static_cast<int>(j);
  }
  o.start = static_cast<int>(begin);
  const int t = new_tensor(out, dims, what);
  mb_.add_op(fb::OpCode::Slice, {xin}, {t}, n.name, o);
  set_ordered(out, t, shape, order);
}

// Gather of one constant index along a fixed axis of an activation (a ViT
// head reading the CLS token: x[:, 0]): a Slice, then a view without the
// axis (scalar index) or keeping it (one-element index).
void Importer::gather(const OnnxNode& n) {
  const Value x = act_in(n, 0);
  const OnnxTensor& idx = require_const(n, 1, "the index");
  if (idx.is_float || idx.numel() != 1) fail(n, "only one constant index is supported; " + inputs_str(n));
  const int64_t r = static_cast<int64_t>(x.rank());
  int64_t axis = n.attr_int("axis", 0);
  if (axis < -r || axis >= r) fail(n, "axis out of range");
  if (axis < 0) axis += r;
  const std::vector<Sym> xs = x.shape();
  const Sym& d = xs[static_cast<size_t>(axis)];
  if (!d.is_const()) fail(n, "the gathered axis must be fixed; " + inputs_str(n));
  int64_t i = idx.i[0];
  if (i < -d.value() || i >= d.value()) fail(n, "index " + std::to_string(i) + " out of range " + d.str());
  if (i < 0) i += d.value();
  const std::string sliced = n.outputs[0] + ".slice";
  slice_axis(n, x, axis, i, i + 1, sliced);
  if (!idx.dims.empty()) {
    values_[n.outputs[0]] = values_.at(sliced);
    return;
  }
  std::vector<Sym> target = xs;
  target.erase(target.begin() + axis);
  reshape_view(n, values_.at(sliced), target, n.outputs[0]);
}

// Activations joined along an axis; an input may also be a constant the
// same for every batch row (bcast_batch: ViT's CLS token prepended to the
// patch tokens), stored once and repeated by the op.
void Importer::concat(const OnnxNode& n) {
  size_t first_act = 0;
  while (first_act < n.inputs.size() && !(has_input(n, first_act) && in(n, first_act).kind == Value::Kind::kAct)) ++first_act;
  const Value& first = act_in(n, first_act < n.inputs.size() ? first_act : 0);
  const size_t rank = first.rank();
  int64_t axis = n.attr_int("axis", 1);
  if (axis < -static_cast<int64_t>(rank) || axis >= static_cast<int64_t>(rank)) fail(n, "axis out of range");
  if (axis < 0) axis += static_cast<int64_t>(rank);
  const std::vector<int> order = rank == 4 ? nhwc_order() : identity(rank);
  size_t phys_axis = 0;
  while (order[phys_axis] != axis) ++phys_axis;
  const std::string what = m_.source + ": " + n.what();
  std::vector<int32_t> ins;
  std::vector<Sym> out = first.shape();
  Sym total = Sym::constant(0);
  int64_t sum = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Value& c = in(n, i);
    if (c.kind == Value::Kind::kConst && c.bcast_batch && static_cast<int64_t>(c.c.dims.size()) == static_cast<int64_t>(rank) && axis > 0) {
      for (size_t d = 1; d < rank; ++d) {
        const Sym cd = Sym::constant(c.c.dims[d]);
        if (static_cast<int64_t>(d) != axis && cd != out[d]) fail(n, "a constant input differs off the concat axis; " + inputs_str(n));
      }
      if (order[0] != 0) fail(n, "a batch-broadcast constant in a layout that does not lead with the batch");
      sum += c.c.dims[static_cast<size_t>(axis)];
      const OnnxTensor p = permute_const(c.c, order);
      ins.push_back(add_const(n.inputs[i], p.dims, floats_of(p)));
      continue;
    }
    const Value& v = act_in(n, i);
    const std::vector<Sym> s = v.shape();
    if (s.size() != rank) fail(n, "inputs of different ranks; " + inputs_str(n));
    for (size_t d = 0; d < rank; ++d) {
      if (static_cast<int64_t>(d) != axis && s[d] != out[d]) fail(n, "inputs differ off the concat axis; " + inputs_str(n));
    }
    if (!s[static_cast<size_t>(axis)].is_const()) fail(n, "concatenation along a symbolic axis is not supported");
    sum += s[static_cast<size_t>(axis)].value();
    ins.push_back(materialize(v, order, true, what));
  }
  (void)total;
  out[static_cast<size_t>(axis)] = Sym::constant(sum);
  std::vector<Sym> dims;
  for (int o : order) dims.push_back(out[static_cast<size_t>(o)]);
  fb::ConcatOptionsT o;
  o.axis = static_cast<int>(phys_axis);
  const int t = new_tensor(n.outputs[0], dims, what);
  mb_.add_op(fb::OpCode::Concat, ins, {t}, n.name, o);
  set_ordered(n.outputs[0], t, out, order);
}

}  // namespace edgeattn::convert::onnx_import
