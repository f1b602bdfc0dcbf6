// Physical layouts of the ONNX importer: tensors, views and the one place
// Transpose / Reshape ops are emitted (materialize).
#include <algorithm>

#include "converter/onnx/importer.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert::onnx_import {

std::vector<int> Importer::identity(size_t rank) {
  std::vector<int> p(rank);
  for (size_t i = 0; i < rank; ++i) p[i] = static_cast<int>(i);
  return p;
}

std::vector<int> Importer::inverse(const std::vector<int>& p) {
  std::vector<int> q(p.size());
  for (size_t i = 0; i < p.size(); ++i) q[static_cast<size_t>(p[i])] = static_cast<int>(i);
  return q;
}

int Importer::new_tensor(const std::string& name, const std::vector<Sym>& dims, const std::string& what) {
  if (dims.empty() || dims.size() > 6) throw ConvertError(what + ": tensor '" + name + "' of rank " + std::to_string(dims.size()) + " (edgeattn: 1..6)");
  std::string unique = name;
  for (int k = 1; names_.count(unique) != 0; ++k) unique = name + "#" + std::to_string(k);
  names_.insert(unique);
  const int t = mb_.add_activation(unique, to_dims(dims, what));
  phys_[t] = dims;
  return t;
}

int Importer::add_const(const std::string& name, const std::vector<int64_t>& shape, std::vector<float> data) {
  std::string unique = name;
  for (int k = 1; names_.count(unique) != 0; ++k) unique = name + "#" + std::to_string(k);
  names_.insert(unique);
  return mb_.add_constant_f32(unique, shape, std::move(data));
}

void Importer::set_ordered(const std::string& name, int tensor, const std::vector<Sym>& logical,
                           const std::vector<int>& order) {
  std::vector<Sym> vshape(order.size());
  for (size_t j = 0; j < order.size(); ++j) vshape[j] = logical[static_cast<size_t>(order[j])];
  set_act(name, tensor, vshape, inverse(order));
}

namespace {

bool same(const std::vector<Sym>& a, const std::vector<Sym>& b) { return a == b; }

}  // namespace

int Importer::materialize(const Value& v, const std::vector<int>& order, bool exact, const std::string& what) {
  if (order.size() != v.rank()) throw ConvertError(what + ": layout of rank " + std::to_string(order.size()) + " for a value of rank " + std::to_string(v.rank()));
  std::vector<int> q(order.size());
  std::vector<Sym> want(order.size());
  for (size_t j = 0; j < order.size(); ++j) {
    q[j] = v.perm[static_cast<size_t>(order[j])];
    want[j] = v.vshape[static_cast<size_t>(q[j])];
  }
  // vshape axes of size > 1 in the wanted order: already in place when increasing.
  std::vector<int> moved;
  for (int a : q) {
    if (!v.vshape[static_cast<size_t>(a)].is_one()) moved.push_back(a);
  }
  const std::vector<Sym>& p = phys_.at(v.tensor);
  const std::string base = mb_.model().tensors[static_cast<size_t>(v.tensor)]->name;
  if (std::is_sorted(moved.begin(), moved.end())) {
    if (same(p, want) || (!exact && !p.empty() && p.back() == want.back())) return v.tensor;
    const int t = new_tensor(base + ".view", want, what);
    mb_.add_op(fb::OpCode::Reshape, {v.tensor}, {t}, base + ".view");
    return t;
  }
  // Compact the size-1 axes away, transpose the rest, reshape to `want`.
  std::vector<Sym> compact;
  std::vector<int> index(v.vshape.size(), -1);
  for (size_t a = 0; a < v.vshape.size(); ++a) {
    if (v.vshape[a].is_one()) continue;
    index[a] = static_cast<int>(compact.size());
    compact.push_back(v.vshape[a]);
  }
  int src = v.tensor;
  if (!same(p, compact)) {
    src = new_tensor(base + ".view", compact, what);
    mb_.add_op(fb::OpCode::Reshape, {v.tensor}, {src}, base + ".view");
  }
  fb::TransposeOptionsT o;
  std::vector<Sym> tdims;
  for (int a : moved) {
    o.perm.push_back(index[static_cast<size_t>(a)]);
    tdims.push_back(v.vshape[static_cast<size_t>(a)]);
  }
  int t = new_tensor(base + ".transposed", tdims, what);
  mb_.add_op(fb::OpCode::Transpose, {src}, {t}, base + ".transpose", o);
  if (!same(tdims, want) && (exact || tdims.back() != want.back())) {
    const int r = new_tensor(base + ".view", want, what);
    mb_.add_op(fb::OpCode::Reshape, {t}, {r}, base + ".view");
    t = r;
  }
  return t;
}

std::vector<Sym> Importer::resolve_reshape(const OnnxNode& n, const std::vector<Sym>& in, std::vector<Sym> target) const {
  int minus = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (!target[i].is_const()) continue;
    if (target[i].value() == 0 && n.attr_int("allowzero", 0) == 0) {
      if (i >= in.size()) fail(n, "target dim " + std::to_string(i) + " copies a dim the input lacks");
      target[i] = in[i];
    } else if (target[i].value() == -1) {
      if (minus >= 0) fail(n, "more than one -1 in the target shape");
      minus = static_cast<int>(i);
    } else if (target[i].value() <= 0) {
      fail(n, "target dim " + target[i].str() + " is invalid");
    }
  }
  if (minus >= 0) {
    Sym rest = Sym::constant(1);
    for (size_t i = 0; i < target.size(); ++i) {
      if (static_cast<int>(i) != minus) rest = rest * target[i];
    }
    if (rest.num == 0) fail(n, "a -1 next to a zero dim");
    target[static_cast<size_t>(minus)] = product(in) / rest;
  }
  if (product(target) != product(in)) fail(n, "cannot reshape " + shape_str(in) + " to " + shape_str(target));
  return target;
}

const Value* Importer::resolve(const std::string& name) {
  if (const Value* v = find(name)) return v;
  auto it = producer_.find(name);
  if (it == producer_.end() || done_[it->second]) return nullptr;
  const OnnxNode& p = m_.nodes[it->second];
  static const std::set<std::string> kPure = {"Transpose", "Reshape", "Squeeze", "Unsqueeze", "Identity", "Flatten",
                                              "Cast", "Shape", "Slice", "Gather", "Concat"};
  if (kPure.count(p.op_type) == 0 || p.inputs.empty()) return nullptr;
  for (size_t i = 0; i < p.inputs.size(); ++i) {
    if (has_input(p, i) && resolve(p.inputs[i]) == nullptr) return nullptr;
  }
  if (!shape_op(p) && !view_op(p)) return nullptr;
  done_[p.index] = true;
  return find(name);
}

// Reshape of an activation as a view: the logical axes merged or split
// must lie in order in the vshape; else the data is first put in logical
// order (one Transpose), after which any reshape is a view.
void Importer::reshape_view(const OnnxNode& n, const Value& v, const std::vector<Sym>& raw, const std::string& out) {
  const std::vector<Sym> in = v.shape();
  const std::vector<Sym> target = n.op_type == "Reshape" ? resolve_reshape(n, in, raw) : raw;
  if (product(target) != product(in)) fail(n, "cannot reshape " + shape_str(in) + " to " + shape_str(target));
  for (const Sym& d : target) {
    if (!d.representable()) {
      fail(n, "reshape to " + shape_str(target) + ": dim " + d.str() +
                  " is not a whole fraction of the image size; fix the size with --image-height / --image-width");
    }
  }
  // Group non-1 logical axes with non-1 target axes of equal products.
  std::vector<size_t> la, ta;
  for (size_t i = 0; i < in.size(); ++i) if (!in[i].is_one()) la.push_back(i);
  for (size_t i = 0; i < target.size(); ++i) if (!target[i].is_one()) ta.push_back(i);
  std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>> groups;
  size_t i = 0, j = 0;
  bool ok = true;
  while (ok && (i < la.size() || j < ta.size())) {
    if (i >= la.size() || j >= ta.size()) { ok = false; break; }
    std::vector<size_t> gl = {la[i]}, gt = {ta[j]};
    Sym pl = in[la[i++]], pt = target[ta[j++]];
    while (pl != pt) {
      if (divides(pl, pt) && i < la.size()) { pl = pl * in[la[i]]; gl.push_back(la[i++]); }
      else if (divides(pt, pl) && j < ta.size()) { pt = pt * target[ta[j]]; gt.push_back(ta[j++]); }
      else { ok = false; break; }
    }
    groups.push_back({gl, gt});
  }
  // Each group's logical axes must be consecutive, increasing vshape axes.
  std::vector<int> group_of_vaxis(v.vshape.size(), -1);
  for (size_t g = 0; ok && g < groups.size(); ++g) {
    const std::vector<size_t>& gl = groups[g].first;
    for (size_t k = 0; k < gl.size(); ++k) {
      const int a = v.perm[gl[k]];
      if (k > 0) {
        // vshape axes between the previous one and this must be size 1.
        for (int b = v.perm[gl[k - 1]] + 1; b < a; ++b) ok = ok && v.vshape[static_cast<size_t>(b)].is_one();
        ok = ok && a > v.perm[gl[k - 1]];
      }
      group_of_vaxis[static_cast<size_t>(a)] = static_cast<int>(g);
    }
  }
  Value base = v;
  if (!ok) {
    // Not a view: put the data in logical order first.
    const int t = materialize(v, identity(v.rank()), false, m_.source + ": " + n.what());
    base.tensor = t;
    base.vshape = in;
    base.perm = identity(in.size());
    std::fill(group_of_vaxis.begin(), group_of_vaxis.end(), -1);
    group_of_vaxis.resize(in.size(), -1);
    for (size_t g = 0; g < groups.size(); ++g) {
      for (size_t a : groups[g].first) group_of_vaxis[a] = static_cast<int>(g);
    }
  }
  // New vshape: walk the old vshape in order; each group's first axis emits
  // its target axes (each followed by the size-1 target axes after it).
  std::vector<size_t> order;
  std::vector<bool> placed(target.size(), false);
  auto place = [&](size_t t) {
    order.push_back(t);
    placed[t] = true;
    for (size_t u = t + 1; u < target.size() && target[u].is_one() && !placed[u]; ++u) { order.push_back(u); placed[u] = true; }
  };
  for (size_t u = 0; u < target.size() && target[u].is_one(); ++u) { order.push_back(u); placed[u] = true; }
  std::vector<bool> group_done(groups.size(), false);
  for (size_t a = 0; a < base.vshape.size(); ++a) {
    const int g = group_of_vaxis[a];
    if (g < 0 || group_done[static_cast<size_t>(g)]) continue;
    group_done[static_cast<size_t>(g)] = true;
    for (size_t t : groups[static_cast<size_t>(g)].second) place(t);
  }
  for (size_t u = 0; u < target.size(); ++u) if (!placed[u]) order.push_back(u);
  std::vector<Sym> vshape;
  std::vector<int> perm(target.size());
  for (size_t k = 0; k < order.size(); ++k) {
    vshape.push_back(target[order[k]]);
    perm[order[k]] = static_cast<int>(k);
  }
  set_act(out, base.tensor, vshape, perm);
}

}  // namespace edgeattn::convert::onnx_import
