// Patterns of the ONNX importer lifted to edgeattn's named ops:
// squeeze-and-excitation -> ChannelAttention, the LayerNorm chain ->
// LayerNorm, multi-head self-attention -> FullyConnected q, k, v +
// Attention (fused qkv projection or separate ones).
#include <cmath>

#include "converter/onnx/importer.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert::onnx_import {
namespace {

bool is_scalar(const OnnxTensor* c) { return c != nullptr && c->numel() == 1; }

bool axes_last(const Importer& im, const OnnxNode& n, size_t rank) {
  std::vector<int64_t> axes = n.attr_ints("axes");
  if (im.has_input(n, 1)) {
    const OnnxTensor* c = im.const_in(n, 1);
    if (c == nullptr || c->is_float) return false;
    axes = c->i;
  }
  return axes.size() == 1 && (axes[0] == -1 || axes[0] == static_cast<int64_t>(rank) - 1) &&
         n.attr_int("keepdims", 1) == 1;
}

bool has_perm(const Value* v, std::vector<int> p) {
  return v != nullptr && v->kind == Value::Kind::kAct && v->rank() == 4 && v->vshape.size() == 4 && v->perm == p;
}

}  // namespace

// A 1x1 convolution of the SE block (on [B, cin, 1, 1]), with its bias as
// an input or a following Add. Fills w [cout, cin], b; returns its output.
namespace {
struct SeConv {
  std::vector<float> w, b;
  int64_t cout = 0;
  std::string out;
};
}  // namespace

static bool se_conv(const Importer& im, const std::string& value, int64_t cin, SeConv* c, std::set<size_t>* nodes) {
  const OnnxNode* conv = im.sole_use(value);
  if (conv == nullptr || conv->op_type != "Conv" || conv->inputs[0] != value) return false;
  const OnnxTensor* w = im.const_in(*conv, 1);
  if (w == nullptr || !w->is_float || w->dims.size() != 4 || w->dims[1] != cin || w->dims[2] != 1 || w->dims[3] != 1) return false;
  if (conv->attr_int("group", 1) != 1) return false;
  for (int64_t s : conv->attr_ints("strides", {1, 1})) if (s != 1) return false;
  for (int64_t p : conv->attr_ints("pads", {0, 0, 0, 0})) if (p != 0) return false;
  c->cout = w->dims[0];
  c->w = w->f;
  c->b.assign(static_cast<size_t>(c->cout), 0.f);
  if (im.has_input(*conv, 2)) {
    const OnnxTensor* b = im.const_in(*conv, 2);
    if (b == nullptr || b->numel() != c->cout || !b->is_float) return false;
    c->b = b->f;
  }
  nodes->insert(conv->index);
  c->out = conv->outputs[0];
  const OnnxNode* add = im.sole_use(c->out);
  if (add != nullptr && add->op_type == "Add" && add->inputs.size() == 2) {
    const size_t o = add->inputs[0] == c->out ? 1 : 0;
    const OnnxTensor* b = im.const_in(*add, o);
    if (b != nullptr && b->is_float && b->numel() == c->cout && const_axis(*b, 4) == 1) {
      for (size_t k = 0; k < c->b.size(); ++k) c->b[k] += b->f[k];
      nodes->insert(add->index);
      c->out = add->outputs[0];
    }
  }
  return true;
}

bool Importer::squeeze_excitation(const OnnxNode& gap) {
  const Value* x = find(gap.inputs.empty() ? "" : gap.inputs[0]);
  if (x == nullptr || x->kind != Value::Kind::kAct || x->rank() != 4) return false;
  const std::vector<Sym> xs = x->shape();
  if (!xs[1].is_const()) return false;
  const int64_t c = xs[1].value();
  std::set<size_t> nodes = {gap.index};
  SeConv c1, c2;
  if (!se_conv(*this, gap.outputs[0], c, &c1, &nodes)) return false;
  ActMatch act, gate;
  if (!match_activation(c1.out, &act) || !act.exclusive) return false;
  nodes.insert(act.nodes.begin(), act.nodes.end());
  if (!se_conv(*this, act.out, c1.cout, &c2, &nodes) || c2.cout != c) return false;
  if (!match_activation(c2.out, &gate) || !gate.exclusive ||
      (gate.act != fb::Activation::HardSigmoid && gate.act != fb::Activation::Sigmoid)) {
    return false;
  }
  nodes.insert(gate.nodes.begin(), gate.nodes.end());
  const OnnxNode* mul = sole_use(gate.out);
  if (mul == nullptr || mul->op_type != "Mul" || mul->inputs.size() != 2) return false;
  const std::string& other = mul->inputs[0] == gate.out ? mul->inputs[1] : mul->inputs[0];
  if (other != gap.inputs[0]) return false;
  nodes.insert(mul->index);
  for (size_t i : nodes) {
    if (done_[i]) return false;
  }
  fb::ChannelAttentionOptionsT o;
  o.activation = act.act;
  o.gate = gate.act;
  o.gate_alpha = gate.alpha;
  o.gate_beta = gate.beta;
  const std::string what = m_.source + ": " + gap.what();
  const Value xv = *x;
  const int xin = materialize(xv, nhwc_order(), true, what);
  const int w1 = add_const(gap.name + ".se.w1", {c1.cout, c}, c1.w);
  const int b1 = add_const(gap.name + ".se.b1", {c1.cout}, c1.b);
  const int w2 = add_const(gap.name + ".se.w2", {c, c1.cout}, c2.w);
  const int b2 = add_const(gap.name + ".se.b2", {c}, c2.b);
  const std::vector<Sym> dims = {xs[0], xs[2], xs[3], xs[1]};
  const int t = new_tensor(mul->outputs[0], dims, what);
  mb_.add_op(fb::OpCode::ChannelAttention, {xin, w1, b1, w2, b2}, {t}, gap.name, o);
  set_act(mul->outputs[0], t, dims, {0, 3, 1, 2});
  for (size_t i : nodes) done_[i] = true;
  return true;
}

// mean -> x - mean -> pow 2 -> mean -> + eps -> sqrt -> divide -> * gamma -> + beta
bool Importer::layer_norm(const OnnxNode& rm) {
  const Value* x = find(rm.inputs.empty() ? "" : rm.inputs[0]);
  if (x == nullptr || x->kind != Value::Kind::kAct || !axes_last(*this, rm, x->rank())) return false;
  const std::vector<Sym> xs = x->shape();
  if (!xs.back().is_const()) return false;
  const int64_t d = xs.back().value();
  const OnnxNode* sub = sole_use(rm.outputs[0]);
  if (sub == nullptr || sub->op_type != "Sub" || sub->inputs.size() != 2 || sub->inputs[0] != rm.inputs[0]) return false;
  const std::vector<const OnnxNode*> su = uses(sub->outputs[0]);
  if (su.size() != 2) return false;
  const OnnxNode* pow = su[0]->op_type == "Pow" ? su[0] : su[1];
  const OnnxNode* div = su[0]->op_type == "Pow" ? su[1] : su[0];
  if (pow->op_type != "Pow" || !is_scalar(const_in(*pow, 1)) || scalar_of(*const_in(*pow, 1)) != 2.f) return false;
  const OnnxNode* rm2 = sole_use(pow->outputs[0]);
  if (rm2 == nullptr || rm2->op_type != "ReduceMean" || !axes_last(*this, *rm2, x->rank())) return false;
  const OnnxNode* add = sole_use(rm2->outputs[0]);
  if (add == nullptr || add->op_type != "Add" || !is_scalar(const_in(*add, 1))) return false;
  const float eps = scalar_of(*const_in(*add, 1));
  const OnnxNode* sq = sole_use(add->outputs[0]);
  if (sq == nullptr || sq->op_type != "Sqrt") return false;
  if (div->op_type != "Div" || div->inputs[0] != sub->outputs[0] || div->inputs[1] != sq->outputs[0]) return false;
  std::set<size_t> nodes = {rm.index, sub->index, pow->index, rm2->index, add->index, sq->index, div->index};
  std::string out = div->outputs[0];
  std::vector<float> gamma(static_cast<size_t>(d), 1.f), beta;
  auto affine = [&](const char* op, std::vector<float>* into) {
    const OnnxNode* u = sole_use(out);
    if (u == nullptr || u->op_type != op || u->inputs.size() != 2 || u->inputs[0] != out) return;
    const OnnxTensor* c = const_in(*u, 1);
    if (c == nullptr || !c->is_float || c->numel() != d || const_axis(*c, xs.size()) != static_cast<int>(xs.size()) - 1) return;
    *into = c->f;
    nodes.insert(u->index);
    out = u->outputs[0];
  };
  affine("Mul", &gamma);
  affine("Add", &beta);
  for (size_t i : nodes) {
    if (done_[i]) return false;
  }
  emit_layer_norm(rm, *x, gamma, beta, eps, out);
  for (size_t i : nodes) done_[i] = true;
  return true;
}

void Importer::emit_layer_norm(const OnnxNode& n, const Value& x, const std::vector<float>& gamma,
                               const std::vector<float>& beta, float eps, const std::string& out) {
  const std::string what = m_.source + ": " + n.what();
  const Value xv = x;
  const std::vector<Sym> xs = xv.shape();
  const int64_t d = xs.back().value();
  const int xin = materialize(xv, identity(xv.rank()), false, what);
  const int g = add_const(n.name + ".gamma", {d}, gamma);
  const int b = beta.empty() ? -1 : add_const(n.name + ".beta", {d}, beta);
  fb::NormOptionsT o;
  o.epsilon = eps;
  const int t = new_tensor(out, phys_.at(xin), what);
  mb_.add_op(fb::OpCode::LayerNorm, {xin, g, b}, {t}, n.name, o);
  set_ordered(out, t, xs, identity(xs.size()));
}

// ONNX LayerNormalization (opset 17) over the last axis.
void Importer::layer_normalization(const OnnxNode& n) {
  const Value& x = act_in(n, 0);
  const std::vector<Sym> xs = x.shape();
  const int64_t axis = n.attr_int("axis", -1);
  if (!(axis == -1 || axis == static_cast<int64_t>(xs.size()) - 1) || !xs.back().is_const()) {
    fail(n, "only a LayerNormalization over the last, fixed axis is supported; " + inputs_str(n));
  }
  if (n.outputs.size() > 1 && (!uses(n.outputs[1]).empty() || (n.outputs.size() > 2 && !uses(n.outputs[2]).empty()))) {
    fail(n, "the mean and inverse std outputs are not supported");
  }
  const int64_t d = xs.back().value();
  const OnnxTensor& g = require_const(n, 1, "the scale");
  if (!g.is_float || g.numel() != d) fail(n, "the scale must hold " + std::to_string(d) + " floats");
  std::vector<float> beta;
  if (has_input(n, 2)) {
    const OnnxTensor& b = require_const(n, 2, "the bias");
    if (!b.is_float || b.numel() != d) fail(n, "the bias must hold " + std::to_string(d) + " floats");
    beta = b.f;
  }
  emit_layer_norm(n, x, g.f, beta, n.attr_float("epsilon", 1e-5f), n.outputs[0]);
}

// qkv [B, T, 3 H Dh] -> Reshape [B, T, 3, H, Dh] -> Transpose [2, 0, 3, 1, 4]
// -> Slice i on axis 0 -> Squeeze 0: three FullyConnected ops on the row
// blocks of the weight, each output registered as a head view.
bool Importer::fused_qkv(const OnnxNode& mm, const std::vector<float>& w, const std::vector<float>& bias, int64_t k,
                         int64_t n_out, const std::string& fc_out, const std::set<size_t>& fc_nodes) {
  const OnnxNode* r = sole_use(fc_out);
  if (r == nullptr || r->op_type != "Reshape" || n_out % 3 != 0) return false;
  const Value& x = act_in(mm, 0);
  std::vector<Sym> ls = x.shape();
  ls.back() = Sym::constant(n_out);
  std::vector<Sym> target;
  if (r->inputs.size() < 2 || resolve(r->inputs[1]) == nullptr) return false;
  try {
    target = resolve_reshape(*r, ls, int_vector(*r, 1));
  } catch (const ConvertError&) {
    return false;
  }
  if (target.size() != 5 || target[2] != Sym::constant(3) || !target[3].is_const() || !target[4].is_const() ||
      target[3].value() * target[4].value() * 3 != n_out) {
    return false;
  }
  const OnnxNode* tr = sole_use(r->outputs[0]);
  if (tr == nullptr || tr->op_type != "Transpose" || tr->attr_ints("perm") != std::vector<int64_t>{2, 0, 3, 1, 4}) return false;
  std::set<size_t> nodes = fc_nodes;
  nodes.insert(r->index);
  nodes.insert(tr->index);
  std::string part_out[3];
  const std::vector<const OnnxNode*> slices = uses(tr->outputs[0]);
  if (graph_outputs_.count(tr->outputs[0])) return false;
  // torch's unbind(0) as one Split (axis 0, three outputs) + Squeeze 0 each.
  if (slices.size() == 1 && slices[0]->op_type == "Split" && slices[0]->attr_int("axis", 0) == 0 &&
      slices[0]->outputs.size() == 3) {
    nodes.insert(slices[0]->index);
    for (size_t i = 0; i < 3; ++i) {
      const OnnxNode* sq = sole_use(slices[0]->outputs[i]);
      if (sq == nullptr || sq->op_type != "Squeeze") return false;
      std::vector<int64_t> axes = sq->attr_ints("axes");
      if (has_input(*sq, 1) && const_in(*sq, 1) != nullptr) axes = const_in(*sq, 1)->i;
      if (axes != std::vector<int64_t>{0}) return false;
      part_out[i] = sq->outputs[0];
      nodes.insert(sq->index);
    }
  } else if (slices.size() != 3) {
    return false;
  }
  for (const OnnxNode* s : slices.size() == 3 ? slices : std::vector<const OnnxNode*>()) {
    if (s->op_type != "Slice" || s->inputs.size() < 3) return false;
    std::vector<Sym> st, en, ax = {Sym::constant(0)};
    try {
      st = int_vector(*s, 1);
      en = int_vector(*s, 2);
      if (has_input(*s, 3)) ax = int_vector(*s, 3);
    } catch (const ConvertError&) {
      return false;
    }
    if (st.size() != 1 || en.size() != 1 || ax.size() != 1 || ax[0] != Sym::constant(0) || !st[0].is_const()) return false;
    const int64_t i = st[0].value();
    if (i < 0 || i > 2 || en[0] != Sym::constant(i + 1) || !part_out[i].empty()) return false;
    const OnnxNode* sq = sole_use(s->outputs[0]);
    if (sq == nullptr || sq->op_type != "Squeeze") return false;
    std::vector<int64_t> axes = sq->attr_ints("axes");
    if (has_input(*sq, 1) && const_in(*sq, 1) != nullptr) axes = const_in(*sq, 1)->i;
    if (axes != std::vector<int64_t>{0}) return false;
    part_out[i] = sq->outputs[0];
    nodes.insert(s->index);
    nodes.insert(sq->index);
  }
  const std::string what = m_.source + ": " + mm.what();
  const int64_t dpart = n_out / 3;
  const Value xv = x;
  const int xin = materialize(xv, identity(xv.rank()), false, what);
  static const char* kNames[3] = {".q", ".k", ".v"};
  for (int64_t p = 0; p < 3; ++p) {
    std::vector<float> wp(w.begin() + p * dpart * k, w.begin() + (p + 1) * dpart * k);
    const int wi = add_const(mm.name + kNames[p] + ".weight", {dpart, k}, std::move(wp));
    int bi = -1;
    if (!bias.empty()) bi = add_const(mm.name + kNames[p] + ".bias", {dpart}, std::vector<float>(bias.begin() + p * dpart, bias.begin() + (p + 1) * dpart));
    std::vector<Sym> pd = phys_.at(xin);
    pd.back() = Sym::constant(dpart);
    const int t = new_tensor(part_out[p], pd, what);
    mb_.add_op(fb::OpCode::FullyConnected, {xin, wi, bi}, {t}, mm.name + kNames[p]);
    set_act(part_out[p], t, {target[0], target[1], target[3], target[4]}, {0, 2, 1, 3});
  }
  for (size_t i : nodes) done_[i] = true;
  return true;
}

// Starting at Mul(q, scale) or MatMul(q, kT), q / k / v head views
// [B, H, T, Dh] of [B, T, H Dh] tensors:
//   MatMul(q * s, kT) (* or / scalar) -> Softmax(last) -> MatMul(p, v).
bool Importer::attention(const OnnxNode& n) {
  float scale = 1.f;
  std::set<size_t> nodes = {n.index};
  const OnnxNode* mm1 = &n;
  if (n.op_type == "Mul") {
    const size_t ci = const_in(n, 1) != nullptr ? 1 : 0;
    if (!is_scalar(const_in(n, ci))) return false;
    scale = scalar_of(*const_in(n, ci));
    mm1 = sole_use(n.outputs[0]);
    if (mm1 == nullptr || mm1->op_type != "MatMul" || mm1->inputs[0] != n.outputs[0]) return false;
    nodes.insert(mm1->index);
  }
  const Value* q = resolve(n.op_type == "Mul" ? n.inputs[1 - (const_in(n, 1) != nullptr ? 1 : 0)] : mm1->inputs[0]);
  std::string kt_name = mm1->inputs.size() > 1 ? mm1->inputs[1] : "";
  // kT scaled too (HF Dinov2 / DeiT exports scale q and kT by d^-1/4 each).
  auto kp = producer_.find(kt_name);
  if (kp != producer_.end() && !done_[kp->second]) {
    const OnnxNode& km = m_.nodes[kp->second];
    const size_t ci = km.inputs.size() == 2 && const_in(km, 1) != nullptr ? 1 : 0;
    if (km.op_type == "Mul" && km.inputs.size() == 2 && is_scalar(const_in(km, ci)) && sole_use(kt_name) == mm1) {
      scale *= scalar_of(*const_in(km, ci));
      nodes.insert(km.index);
      kt_name = km.inputs[1 - ci];
    }
  }
  const Value* kt = resolve(kt_name);
  if (!has_perm(q, {0, 2, 1, 3}) || !has_perm(kt, {0, 2, 3, 1})) return false;
  std::string s = mm1->outputs[0];
  const OnnxNode* u = sole_use(s);
  if (u != nullptr && (u->op_type == "Mul" || u->op_type == "Div") && u->inputs[0] == s && is_scalar(const_in(*u, 1))) {
    const float f = scalar_of(*const_in(*u, 1));
    scale *= u->op_type == "Mul" ? f : 1.f / f;
    nodes.insert(u->index);
    s = u->outputs[0];
    u = sole_use(s);
  }
  if (u == nullptr || u->op_type != "Softmax") return false;
  const int64_t axis = u->attr_int("axis", m_.opset < 13 ? 1 : -1);
  if (axis != -1 && axis != 3) return false;
  nodes.insert(u->index);
  const OnnxNode* mm2 = sole_use(u->outputs[0]);
  if (mm2 == nullptr || mm2->op_type != "MatMul" || mm2->inputs[0] != u->outputs[0]) return false;
  nodes.insert(mm2->index);
  const Value* v = resolve(mm2->inputs[1]);
  if (!has_perm(v, {0, 2, 1, 3})) return false;
  const Sym heads = q->vshape[2], dh = q->vshape[3];
  if (!heads.is_const() || !dh.is_const() || kt->vshape[2] != heads || kt->vshape[3] != dh || v->vshape[2] != heads ||
      v->vshape[3] != dh || kt->vshape[1] != v->vshape[1] || q->vshape[0] != v->vshape[0]) {
    return false;
  }
  for (size_t i : nodes) {
    if (done_[i]) return false;
  }
  const std::string what = m_.source + ": " + n.what();
  const Sym dmodel = heads * dh;
  auto flat = [&](const Value& hv) {
    const std::vector<Sym> want = {hv.vshape[0], hv.vshape[1], dmodel};
    if (phys_.at(hv.tensor) == want) return hv.tensor;
    const std::string base = mb_.model().tensors[static_cast<size_t>(hv.tensor)]->name;
    const int t = new_tensor(base + ".heads", want, what);
    mb_.add_op(fb::OpCode::Reshape, {hv.tensor}, {t}, base + ".heads");
    return t;
  };
  const Value qv = *q, kv = *kt, vv = *v;
  const int tq = flat(qv), tk = flat(kv), tv = flat(vv);
  fb::AttentionOptionsT o;
  o.n_heads = static_cast<int>(heads.value());
  o.n_kv_heads = o.n_heads;
  o.head_dim = static_cast<int>(dh.value());
  o.scale = scale;
  o.mask = fb::AttentionMask::None;
  o.kv_cache_slot = -1;
  const std::vector<Sym> dims = {qv.vshape[0], qv.vshape[1], dmodel};
  const int t = new_tensor(mm2->outputs[0], dims, what);
  mb_.add_op(fb::OpCode::Attention, {tq, tk, tv}, {t}, n.name + ".attention", o);
  set_act(mm2->outputs[0], t, {qv.vshape[0], qv.vshape[1], heads, dh}, {0, 2, 1, 3});
  for (size_t i : nodes) done_[i] = true;
  return true;
}

}  // namespace edgeattn::convert::onnx_import
