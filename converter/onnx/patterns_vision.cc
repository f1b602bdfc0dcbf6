// Vision attention patterns of the ONNX importer (format 1.6), lifted to
// edgeattn's named ops:
//   CBAM channel attention  GlobalAveragePool and ReduceMax over H, W ->
//                           the same 1x1 -> act -> 1x1 on both -> Add ->
//                           Sigmoid -> Mul(x, .)       -> ChannelAttention (max_pool)
//   CBAM spatial attention  ReduceMean and ReduceMax over C -> Concat ->
//                           KxK conv to 1 channel -> Sigmoid -> Mul(x, .)
//                                                      -> SpatialAttention
//   SKNet selective kernel  Add(u_0, .., u_{M-1}) -> GlobalAveragePool ->
//                           1x1 -> act -> M 1x1 -> Unsqueeze -> Concat ->
//                           Softmax over the branches -> Split / Gather ->
//                           Mul(a_m, u_m) -> Add       -> BranchAttention
//   Attention U-Net gate    1x1(g) + 1x1(x) -> act -> 1x1 to 1 channel ->
//                           Sigmoid -> Mul(x, .)       -> AttentionGate
// Each matcher checks every node of its pattern (inputs, attributes, that
// intermediate values have no other use) and emits nothing unless all match.
#include <algorithm>
#include <map>

#include "converter/onnx/importer.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert::onnx_import {
namespace {

// The only node using `value`, of type `op`, or nullptr.
const OnnxNode* sole_of(const Importer& im, const std::string& value, const char* op) {
  const OnnxNode* u = im.sole_use(value);
  return u != nullptr && u->op_type == op ? u : nullptr;
}

// Reduce over exactly `axes` (given as attribute or input), keepdims 1.
bool reduces(const Importer& im, const OnnxNode& n, const std::vector<int64_t>& axes) {
  std::vector<int64_t> got = n.attr_ints("axes");
  if (im.has_input(n, 1)) {
    const OnnxTensor* c = im.const_in(n, 1);
    if (c == nullptr || c->is_float) return false;
    got = c->i;
  }
  for (int64_t& a : got) a = a < 0 ? a + 4 : a;
  std::sort(got.begin(), got.end());
  return got == axes && n.attr_int("keepdims", 1) == 1;
}

// The Mul(x, gate) that applies a gate value to x (either input order).
const OnnxNode* gate_mul(const Importer& im, const std::string& gate, const std::string& x) {
  const OnnxNode* mul = sole_of(im, gate, "Mul");
  if (mul == nullptr || mul->inputs.size() != 2) return nullptr;
  return (mul->inputs[0] == x && mul->inputs[1] == gate) || (mul->inputs[1] == x && mul->inputs[0] == gate) ? mul : nullptr;
}

bool any_done(const std::vector<bool>& done, const std::set<size_t>& nodes) {
  for (size_t i : nodes) {
    if (done[i]) return true;
  }
  return false;
}

}  // namespace

// A 1x1 convolution with its bias and the per-channel affines after it.
bool Importer::match_conv1x1(const OnnxNode& conv, Conv1x1* c) {
  if (conv.op_type != "Conv" || conv.inputs.size() < 2) return false;
  const OnnxTensor* w = const_in(conv, 1);
  if (w == nullptr || !w->is_float || w->dims.size() != 4 || w->dims[2] != 1 || w->dims[3] != 1) return false;
  if (conv.attr_int("group", 1) != 1) return false;
  for (int64_t s : conv.attr_ints("strides", {1, 1})) if (s != 1) return false;
  for (int64_t p : conv.attr_ints("pads", {0, 0, 0, 0})) if (p != 0) return false;
  c->cout = w->dims[0];
  c->cin = w->dims[1];
  c->w = w->f;
  c->b.assign(static_cast<size_t>(c->cout), 0.f);
  if (has_input(conv, 2)) {
    const OnnxTensor* b = const_in(conv, 2);
    if (b == nullptr || !b->is_float || b->numel() != c->cout) return false;
    c->b = b->f;
  }
  c->nodes = {conv.index};
  c->out = conv.outputs[0];
  Affine a;
  std::string next;
  size_t index = 0;
  while (channel_affine(c->out, c->cout, &a, &next, &index)) {
    for (int64_t o = 0; o < c->cout; ++o) {
      const size_t k = static_cast<size_t>(o);
      for (int64_t i = 0; i < c->cin; ++i) c->w[static_cast<size_t>(o * c->cin + i)] *= a.scale[k];
      c->b[k] = c->b[k] * a.scale[k] + a.shift[k];
    }
    c->nodes.insert(index);
    c->out = next;
  }
  return true;
}

// The shared MLP of one CBAM branch: 1x1 -> act -> 1x1 from `pooled`.
bool Importer::cbam_mlp(const std::string& pooled, int64_t c, CbamMlp* m) {
  const OnnxNode* c1 = sole_of(*this, pooled, "Conv");
  if (c1 == nullptr || !match_conv1x1(*c1, &m->first) || m->first.cin != c) return false;
  ActMatch act;
  if (!match_activation(m->first.out, &act) || !act.exclusive) return false;
  m->act = act.act;
  m->nodes = m->first.nodes;
  m->nodes.insert(act.nodes.begin(), act.nodes.end());
  const OnnxNode* c2 = sole_of(*this, act.out, "Conv");
  if (c2 == nullptr || !match_conv1x1(*c2, &m->second) || m->second.cin != m->first.cout || m->second.cout != c) return false;
  m->nodes.insert(m->second.nodes.begin(), m->second.nodes.end());
  return true;
}

bool Importer::cbam_channel(const OnnxNode& gap) {
  const Value* x = find(gap.inputs.empty() ? "" : gap.inputs[0]);
  if (x == nullptr || x->kind != Value::Kind::kAct || x->rank() != 4) return false;
  const std::vector<Sym> xs = x->shape();
  if (!xs[1].is_const()) return false;
  const int64_t c = xs[1].value();
  const OnnxNode* rmax = nullptr;
  for (const OnnxNode* u : uses(gap.inputs[0])) {
    if (u->op_type == "ReduceMax" && reduces(*this, *u, {2, 3})) rmax = u;
  }
  CbamMlp avg, mx;
  if (rmax == nullptr || !cbam_mlp(gap.outputs[0], c, &avg) || !cbam_mlp(rmax->outputs[0], c, &mx)) return false;
  if (avg.first.w != mx.first.w || avg.first.b != mx.first.b || avg.second.w != mx.second.w ||
      avg.second.b != mx.second.b || avg.act != mx.act) {
    return false;  // not one shared MLP
  }
  const OnnxNode* add = sole_of(*this, avg.second.out, "Add");
  if (add == nullptr || sole_use(mx.second.out) != add) return false;
  ActMatch gate;
  if (!match_activation(add->outputs[0], &gate) || !gate.exclusive || gate.act != fb::Activation::Sigmoid) return false;
  const OnnxNode* mul = gate_mul(*this, gate.out, gap.inputs[0]);
  if (mul == nullptr) return false;
  std::set<size_t> nodes = {gap.index, rmax->index, add->index, mul->index};
  nodes.insert(avg.nodes.begin(), avg.nodes.end());
  nodes.insert(mx.nodes.begin(), mx.nodes.end());
  nodes.insert(gate.nodes.begin(), gate.nodes.end());
  if (any_done(done_, nodes)) return false;
  fb::ChannelAttentionOptionsT o;
  o.activation = avg.act;
  o.gate = fb::Activation::Sigmoid;
  o.max_pool = true;
  const std::string what = m_.source + ": " + gap.what();
  const Value xv = *x;
  const int xin = materialize(xv, nhwc_order(), true, what);
  const int64_t cr = avg.first.cout;
  const int w1 = add_const(gap.name + ".cbam.w1", {cr, c}, avg.first.w);
  const int b1 = add_const(gap.name + ".cbam.b1", {cr}, avg.first.b);
  const int w2 = add_const(gap.name + ".cbam.w2", {c, cr}, avg.second.w);
  const int b2 = add_const(gap.name + ".cbam.b2", {c}, avg.second.b);
  const std::vector<Sym> dims = {xs[0], xs[2], xs[3], xs[1]};
  const int t = new_tensor(mul->outputs[0], dims, what);
  mb_.add_op(fb::OpCode::ChannelAttention, {xin, w1, b1, w2, b2}, {t}, gap.name + ".cbam", o);
  set_act(mul->outputs[0], t, dims, {0, 3, 1, 2});
  for (size_t i : nodes) done_[i] = true;
  return true;
}

bool Importer::spatial_attention(const OnnxNode& reduce) {
  const Value* x = find(reduce.inputs.empty() ? "" : reduce.inputs[0]);
  if (x == nullptr || x->kind != Value::Kind::kAct || x->rank() != 4) return false;
  const OnnxNode* mean = nullptr;
  const OnnxNode* mx = nullptr;
  for (const OnnxNode* u : uses(reduce.inputs[0])) {
    if (u->op_type == "ReduceMean" && reduces(*this, *u, {1})) mean = u;
    if (u->op_type == "ReduceMax" && reduces(*this, *u, {1})) mx = u;
  }
  if (mean == nullptr || mx == nullptr) return false;
  const OnnxNode* cat = sole_of(*this, mean->outputs[0], "Concat");
  if (cat == nullptr || sole_use(mx->outputs[0]) != cat || cat->inputs.size() != 2 || cat->attr_int("axis", 1) != 1) return false;
  const bool mean_first = cat->inputs[0] == mean->outputs[0];
  const OnnxNode* conv = sole_of(*this, cat->outputs[0], "Conv");
  if (conv == nullptr) return false;
  const OnnxTensor* w = const_in(*conv, 1);
  if (w == nullptr || !w->is_float || w->dims.size() != 4 || w->dims[0] != 1 || w->dims[1] != 2) return false;
  const int64_t kh = w->dims[2], kw = w->dims[3];
  if (kh % 2 != 1 || kw % 2 != 1 || conv->attr_int("group", 1) != 1) return false;
  if (conv->attr_ints("pads", {0, 0, 0, 0}) != std::vector<int64_t>{kh / 2, kw / 2, kh / 2, kw / 2}) return false;
  for (int64_t s : conv->attr_ints("strides", {1, 1})) if (s != 1) return false;
  for (int64_t d : conv->attr_ints("dilations", {1, 1})) if (d != 1) return false;
  float bias = 0.f;
  if (has_input(*conv, 2)) {
    const OnnxTensor* b = const_in(*conv, 2);
    if (b == nullptr || b->numel() != 1 || !b->is_float) return false;
    bias = b->f[0];
  }
  ActMatch gate;
  if (!match_activation(conv->outputs[0], &gate) || !gate.exclusive ||
      (gate.act != fb::Activation::Sigmoid && gate.act != fb::Activation::HardSigmoid)) {
    return false;
  }
  const OnnxNode* mul = gate_mul(*this, gate.out, reduce.inputs[0]);
  if (mul == nullptr) return false;
  std::set<size_t> nodes = {mean->index, mx->index, cat->index, conv->index, mul->index};
  nodes.insert(gate.nodes.begin(), gate.nodes.end());
  if (any_done(done_, nodes)) return false;
  // [1, 2, KH, KW] -> [KH, KW, 2] with channel 0 the mean map, 1 the max map.
  std::vector<float> wk(static_cast<size_t>(kh * kw * 2));
  for (int64_t ch = 0; ch < 2; ++ch) {
    const int64_t to = mean_first ? ch : 1 - ch;
    for (int64_t i = 0; i < kh * kw; ++i) wk[static_cast<size_t>(i * 2 + to)] = w->f[static_cast<size_t>(ch * kh * kw + i)];
  }
  fb::SpatialAttentionOptionsT o;
  o.gate = gate.act;
  o.gate_alpha = gate.alpha;
  o.gate_beta = gate.beta;
  const std::string what = m_.source + ": " + reduce.what();
  const Value xv = *x;
  const std::vector<Sym> xs = xv.shape();
  const int xin = materialize(xv, nhwc_order(), true, what);
  const int wt = add_const(conv->name + ".spatial.w", {kh, kw, 2}, wk);
  const int bt = has_input(*conv, 2) ? add_const(conv->name + ".spatial.b", {1}, {bias}) : -1;
  const std::vector<Sym> dims = {xs[0], xs[2], xs[3], xs[1]};
  const int t = new_tensor(mul->outputs[0], dims, what);
  mb_.add_op(fb::OpCode::SpatialAttention, {xin, wt, bt}, {t}, conv->name + ".spatial", o);
  set_act(mul->outputs[0], t, dims, {0, 3, 1, 2});
  for (size_t i : nodes) done_[i] = true;
  return true;
}

// Add(u_0, u_1) (-> Add(., u_2) ...) -> GlobalAveragePool -> 1x1 -> act ->
// M 1x1 convs -> Unsqueeze 1 -> Concat 1 -> Softmax 1 -> Split 1 + Squeeze 1
// (or Gather 1) -> Mul(a_k, u) -> Add chain: SKNet's fusion.
bool Importer::branch_attention(const OnnxNode& add) {
  std::vector<std::string> u;  // the branches, as summed
  std::set<size_t> nodes;
  const OnnxNode* last = &add;
  for (const std::string& i : add.inputs) u.push_back(i);
  nodes.insert(add.index);
  while (const OnnxNode* next = sole_of(*this, last->outputs[0], "Add")) {
    const int o = next->inputs.size() == 2 ? (next->inputs[0] == last->outputs[0] ? 1 : 0) : -1;
    if (o < 0) return false;
    u.push_back(next->inputs[static_cast<size_t>(o)]);
    nodes.insert(next->index);
    last = next;
  }
  const OnnxNode* gap = sole_of(*this, last->outputs[0], "GlobalAveragePool");
  if (gap == nullptr || u.size() < 2 || u.size() > 8) return false;
  const Value* u0 = find(u[0]);
  if (u0 == nullptr || u0->kind != Value::Kind::kAct || u0->rank() != 4) return false;
  const std::vector<Sym> xs = u0->shape();
  for (const std::string& name : u) {
    const Value* v = find(name);
    if (v == nullptr || v->kind != Value::Kind::kAct || v->shape() != xs) return false;
  }
  if (!xs[1].is_const()) return false;
  const int64_t c = xs[1].value(), m = static_cast<int64_t>(u.size());
  nodes.insert(gap->index);
  Conv1x1 fc;
  const OnnxNode* c1 = sole_of(*this, gap->outputs[0], "Conv");
  if (c1 == nullptr || !match_conv1x1(*c1, &fc) || fc.cin != c) return false;
  nodes.insert(fc.nodes.begin(), fc.nodes.end());
  ActMatch act;
  if (!match_activation(fc.out, &act) || !act.exclusive) return false;
  nodes.insert(act.nodes.begin(), act.nodes.end());
  // The per-branch logits: conv -> Unsqueeze(1), all into one Concat(1).
  const std::vector<const OnnxNode*> heads = uses(act.out);
  if (static_cast<int64_t>(heads.size()) != m) return false;
  const OnnxNode* cat = nullptr;
  std::map<std::string, Conv1x1> by_unsqueeze;
  for (const OnnxNode* h : heads) {
    Conv1x1 hc;
    if (!match_conv1x1(*h, &hc) || hc.cin != fc.cout || hc.cout != c) return false;
    const OnnxNode* un = sole_of(*this, hc.out, "Unsqueeze");
    if (un == nullptr) return false;
    const std::vector<Sym> ax = has_input(*un, 1) ? int_vector(*un, 1) : std::vector<Sym>();
    const std::vector<int64_t> axa = un->attr_ints("axes");
    if (!((ax.size() == 1 && ax[0] == Sym::constant(1)) || axa == std::vector<int64_t>{1})) return false;
    const OnnxNode* k = sole_of(*this, un->outputs[0], "Concat");
    if (k == nullptr || (cat != nullptr && k != cat)) return false;
    cat = k;
    nodes.insert(hc.nodes.begin(), hc.nodes.end());
    nodes.insert(un->index);
    by_unsqueeze[un->outputs[0]] = hc;
  }
  if (cat->attr_int("axis", 0) != 1 || static_cast<int64_t>(cat->inputs.size()) != m) return false;
  const OnnxNode* sm = sole_of(*this, cat->outputs[0], "Softmax");
  if (sm == nullptr || sm->attr_int("axis", -1) != 1) return false;
  nodes.insert(cat->index);
  nodes.insert(sm->index);
  // a_k: Split(1) + Squeeze(1) per output, or Gather(axis 1, index k).
  std::vector<std::string> a(static_cast<size_t>(m));
  const std::vector<const OnnxNode*> pick = uses(sm->outputs[0]);
  if (pick.size() == 1 && pick[0]->op_type == "Split" && pick[0]->attr_int("axis", 0) == 1 &&
      static_cast<int64_t>(pick[0]->outputs.size()) == m) {
    nodes.insert(pick[0]->index);
    for (int64_t k = 0; k < m; ++k) {
      const OnnxNode* sq = sole_of(*this, pick[0]->outputs[static_cast<size_t>(k)], "Squeeze");
      if (sq == nullptr) return false;
      nodes.insert(sq->index);
      a[static_cast<size_t>(k)] = sq->outputs[0];
    }
  } else if (static_cast<int64_t>(pick.size()) == m) {
    for (const OnnxNode* gth : pick) {
      const OnnxTensor* idx = gth->op_type == "Gather" ? const_in(*gth, 1) : nullptr;
      if (idx == nullptr || idx->is_float || idx->numel() != 1 || gth->attr_int("axis", 0) != 1) return false;
      const int64_t k = idx->i[0] < 0 ? idx->i[0] + m : idx->i[0];
      if (k < 0 || k >= m || !a[static_cast<size_t>(k)].empty()) return false;
      nodes.insert(gth->index);
      a[static_cast<size_t>(k)] = gth->outputs[0];
    }
  } else {
    return false;
  }
  // Mul(a_k, u) for a distinct branch each, then Adds summing exactly those.
  std::vector<std::string> branch_of(static_cast<size_t>(m));
  std::set<std::string> products;
  for (int64_t k = 0; k < m; ++k) {
    const OnnxNode* mul = sole_of(*this, a[static_cast<size_t>(k)], "Mul");
    if (mul == nullptr || mul->inputs.size() != 2) return false;
    const std::string& other = mul->inputs[0] == a[static_cast<size_t>(k)] ? mul->inputs[1] : mul->inputs[0];
    if (std::find(u.begin(), u.end(), other) == u.end() ||
        std::find(branch_of.begin(), branch_of.end(), other) != branch_of.end()) {
      return false;
    }
    branch_of[static_cast<size_t>(k)] = other;
    nodes.insert(mul->index);
    products.insert(mul->outputs[0]);
  }
  std::string out;
  std::set<std::string> summed;
  for (const std::string& pr : products) {
    if (summed.count(pr) != 0) continue;
    const OnnxNode* s = sole_of(*this, out.empty() ? pr : out, "Add");
    if (s == nullptr || s->inputs.size() != 2) return false;
    for (const std::string& i : s->inputs) {
      if (i != out && products.count(i) == 0) return false;
      summed.insert(i);
    }
    nodes.insert(s->index);
    out = s->outputs[0];
  }
  for (const std::string& pr : products) {
    if (summed.count(pr) == 0) return false;
  }
  if (any_done(done_, nodes)) return false;
  // Emit: branches in a's order, w2 the heads' rows in the same order.
  const std::string what = m_.source + ": " + add.what();
  std::vector<int32_t> ins;
  for (const std::string& name : branch_of) ins.push_back(materialize(*find(name), nhwc_order(), true, what));
  std::vector<float> w2, b2;
  for (int64_t k = 0; k < m; ++k) {
    const Conv1x1& hc = by_unsqueeze.at(cat->inputs[static_cast<size_t>(k)]);
    w2.insert(w2.end(), hc.w.begin(), hc.w.end());
    b2.insert(b2.end(), hc.b.begin(), hc.b.end());
  }
  ins.push_back(add_const(add.name + ".sk.w1", {fc.cout, c}, fc.w));
  ins.push_back(add_const(add.name + ".sk.b1", {fc.cout}, fc.b));
  ins.push_back(add_const(add.name + ".sk.w2", {m * c, fc.cout}, w2));
  ins.push_back(add_const(add.name + ".sk.b2", {m * c}, b2));
  fb::BranchAttentionOptionsT o;
  o.branches = static_cast<int>(m);
  o.activation = act.act;
  const std::vector<Sym> dims = {xs[0], xs[2], xs[3], xs[1]};
  const int t = new_tensor(out, dims, what);
  mb_.add_op(fb::OpCode::BranchAttention, ins, {t}, add.name + ".sk", o);
  set_act(out, t, dims, {0, 3, 1, 2});
  for (size_t i : nodes) done_[i] = true;
  return true;
}

// 1x1(a) + 1x1(b) -> act -> 1x1 to one channel -> Sigmoid -> Mul(x, .),
// x being a or b (the skip), the other the gating signal g.
bool Importer::attention_gate(const OnnxNode& conv) {
  Conv1x1 ca, cb, psi;
  if (!match_conv1x1(conv, &ca)) return false;
  const OnnxNode* add = sole_of(*this, ca.out, "Add");
  if (add == nullptr || add->inputs.size() != 2) return false;
  const std::string& other = add->inputs[0] == ca.out ? add->inputs[1] : add->inputs[0];
  // The other 1x1 convolution (later in the graph), through any affines.
  const OnnxNode* p = nullptr;
  for (std::string v = other;;) {
    auto it = producer_.find(v);
    if (it == producer_.end()) return false;
    p = &m_.nodes[it->second];
    if (p->op_type == "Conv") break;
    if (p->op_type != "BatchNormalization" || p->inputs.empty()) return false;
    v = p->inputs[0];
  }
  if (p == &conv || !match_conv1x1(*p, &cb) || cb.out != other || cb.cout != ca.cout) return false;
  ActMatch act, gate;
  if (!match_activation(add->outputs[0], &act) || !act.exclusive) return false;
  const OnnxNode* pc = sole_of(*this, act.out, "Conv");
  if (pc == nullptr || !match_conv1x1(*pc, &psi) || psi.cin != ca.cout || psi.cout != 1) return false;
  if (!match_activation(psi.out, &gate) || !gate.exclusive ||
      (gate.act != fb::Activation::Sigmoid && gate.act != fb::Activation::HardSigmoid)) {
    return false;
  }
  const OnnxNode* mul = sole_of(*this, gate.out, "Mul");
  if (mul == nullptr || mul->inputs.size() != 2) return false;
  const std::string& skip = mul->inputs[0] == gate.out ? mul->inputs[1] : mul->inputs[0];
  const bool a_is_x = skip == conv.inputs[0];
  if (!a_is_x && skip != p->inputs[0]) return false;
  const Value* x = find(skip);
  const Value* g = find(a_is_x ? p->inputs[0] : conv.inputs[0]);
  if (x == nullptr || g == nullptr || x->kind != Value::Kind::kAct || g->kind != Value::Kind::kAct || x->rank() != 4 ||
      g->rank() != 4) {
    return false;
  }
  const std::vector<Sym> xs = x->shape(), gs = g->shape();
  if (xs[0] != gs[0] || xs[2] != gs[2] || xs[3] != gs[3] || !xs[1].is_const() || !gs[1].is_const()) return false;
  std::set<size_t> nodes = {add->index, mul->index};
  for (const std::set<size_t>* s : {&ca.nodes, &cb.nodes, &psi.nodes, &act.nodes, &gate.nodes}) nodes.insert(s->begin(), s->end());
  if (any_done(done_, nodes)) return false;
  const Conv1x1& wx = a_is_x ? ca : cb;
  const Conv1x1& wg = a_is_x ? cb : ca;
  std::vector<float> bias(static_cast<size_t>(ca.cout));
  for (size_t i = 0; i < bias.size(); ++i) bias[i] = wx.b[i] + wg.b[i];
  const std::string what = m_.source + ": " + conv.what();
  const Value xv = *x, gv = *g;
  const int xin = materialize(xv, nhwc_order(), true, what);
  const int gin = materialize(gv, nhwc_order(), true, what);
  const int64_t ci = ca.cout;
  const std::vector<int32_t> ins = {xin, gin, add_const(conv.name + ".gate.wx", {ci, xs[1].value()}, wx.w),
                                    add_const(conv.name + ".gate.wg", {ci, gs[1].value()}, wg.w),
                                    add_const(conv.name + ".gate.b", {ci}, bias),
                                    add_const(conv.name + ".gate.wpsi", {1, ci}, psi.w),
                                    add_const(conv.name + ".gate.bpsi", {1}, psi.b)};
  fb::AttentionGateOptionsT o;
  o.activation = act.act;
  o.gate = gate.act;
  o.gate_alpha = gate.alpha;
  o.gate_beta = gate.beta;
  const std::vector<Sym> dims = {xs[0], xs[2], xs[3], xs[1]};
  const int t = new_tensor(mul->outputs[0], dims, what);
  mb_.add_op(fb::OpCode::AttentionGate, ins, {t}, add->name + ".attention_gate", o);
  set_act(mul->outputs[0], t, dims, {0, 3, 1, 2});
  for (size_t i : nodes) done_[i] = true;
  return true;
}

}  // namespace edgeattn::convert::onnx_import
