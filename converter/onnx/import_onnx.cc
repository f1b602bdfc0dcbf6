// Driver of the ONNX importer: values, constant folding, shape tensors,
// views, dispatch, graph input and outputs, files and folders.
#include "converter/onnx/importer.h"

#include <algorithm>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {
namespace onnx_import {

std::vector<Sym> Value::shape() const {
  std::vector<Sym> s(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) s[i] = vshape[static_cast<size_t>(perm[i])];
  return s;
}

Importer::Importer(const OnnxModel& m, const GraphOptions& o, ModelBuilder& mb) : m_(m), opt_(o), mb_(mb) {
  done_.assign(m.nodes.size(), false);
  for (const OnnxValueInfo& v : m.outputs) graph_outputs_.insert(v.name);
  for (const auto& [name, t] : m.initializers) set_const(name, t);
}

void Importer::fail(const OnnxNode& n, const std::string& what) const {
  throw ConvertError(m_.source + ": " + n.what() + ": " + what);
}

std::string Importer::inputs_str(const OnnxNode& n) const {
  std::string s;
  for (const std::string& i : n.inputs) {
    if (!s.empty()) s += ", ";
    const Value* v = find(i);
    if (i.empty()) { s += "(none)"; continue; }
    s += "'" + i + "'";
    if (v == nullptr) continue;
    if (v->kind == Value::Kind::kAct) s += " " + shape_str(v->shape());
    if (v->kind == Value::Kind::kConst) {
      std::vector<Sym> d;
      for (int64_t x : v->c.dims) d.push_back(Sym::constant(x));
      s += " constant " + shape_str(d);
    }
    if (v->kind == Value::Kind::kShape) s += " shape " + shape_str(v->sv);
  }
  return "inputs " + s;
}

const Value* Importer::find(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

const Value& Importer::in(const OnnxNode& n, size_t i) const {
  if (!has_input(n, i)) fail(n, "input " + std::to_string(i) + " is missing");
  const Value* v = find(n.inputs[i]);
  if (v == nullptr) fail(n, "input '" + n.inputs[i] + "' is not produced by any earlier node, initializer or graph input");
  return *v;
}

const OnnxTensor* Importer::const_in(const OnnxNode& n, size_t i) const {
  if (!has_input(n, i)) return nullptr;
  const Value* v = find(n.inputs[i]);
  return v != nullptr && v->kind == Value::Kind::kConst ? &v->c : nullptr;
}

const OnnxTensor& Importer::require_const(const OnnxNode& n, size_t i, const char* what) const {
  const Value& v = in(n, i);
  if (v.kind != Value::Kind::kConst) fail(n, std::string(what) + " (input " + std::to_string(i) + ") must be a constant");
  return v.c;
}

const Value& Importer::act_in(const OnnxNode& n, size_t i) const {
  const Value& v = in(n, i);
  if (v.kind != Value::Kind::kAct) fail(n, "input '" + n.inputs[i] + "' must be an image activation; " + inputs_str(n));
  return v;
}

std::vector<Sym> Importer::int_vector(const OnnxNode& n, size_t i) const {
  const Value& v = in(n, i);
  if (v.kind == Value::Kind::kShape) return v.sv;
  if (v.kind == Value::Kind::kConst) {
    std::vector<Sym> out;
    if (v.c.is_float) {
      for (float f : v.c.f) {
        int64_t k = 0;
        if (!to_int64(f, &k) || static_cast<double>(k) != f) fail(n, "input " + std::to_string(i) + " must hold integers");
        out.push_back(Sym::constant(k));
      }
    } else {
      for (int64_t x : v.c.i) out.push_back(Sym::constant(x));
    }
    return out;
  }
  fail(n, "input " + std::to_string(i) + " must be a constant or computed from shapes; " + inputs_str(n));
}

void Importer::set_const(const std::string& name, OnnxTensor t) {
  Value v;
  v.kind = Value::Kind::kConst;
  v.c = std::move(t);
  values_[name] = std::move(v);
}

void Importer::set_shape(const std::string& name, std::vector<Sym> sv, bool scalar) {
  Value v;
  v.kind = Value::Kind::kShape;
  v.sv = std::move(sv);
  v.sv_scalar = scalar;
  values_[name] = std::move(v);
}

void Importer::set_act(const std::string& name, int tensor, std::vector<Sym> vshape, std::vector<int> perm) {
  Value v;
  v.kind = Value::Kind::kAct;
  v.tensor = tensor;
  v.vshape = std::move(vshape);
  v.perm = std::move(perm);
  values_[name] = std::move(v);
}

std::vector<const OnnxNode*> Importer::uses(const std::string& value) const {
  std::vector<const OnnxNode*> out;
  auto it = uses_.find(value);
  if (it == uses_.end()) return out;
  for (size_t i : it->second) out.push_back(&m_.nodes[i]);
  return out;
}

const OnnxNode* Importer::sole_use(const std::string& value) const {
  if (graph_outputs_.count(value) != 0) return nullptr;
  auto it = uses_.find(value);
  if (it == uses_.end() || it->second.size() != 1) return nullptr;
  return &m_.nodes[it->second[0]];
}

bool Importer::only_used_by(const std::string& value, const std::set<size_t>& nodes) const {
  if (graph_outputs_.count(value) != 0) return false;
  auto it = uses_.find(value);
  if (it == uses_.end()) return false;
  for (size_t i : it->second) {
    if (nodes.count(i) == 0) return false;
  }
  return true;
}

namespace {

// ---- constant folding on OnnxTensor

int64_t norm_axis(int64_t axis, size_t rank, const Importer& im, const OnnxNode& n) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) im.fail(n, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + r : axis;
}

// A constant's values as integers (a float constant truncated, as Cast does).
std::vector<int64_t> const_ints(const Importer& im, const OnnxNode& n, const OnnxTensor& t) {
  if (!t.is_float) return t.i;
  std::vector<int64_t> out(t.f.size());
  for (size_t k = 0; k < t.f.size(); ++k) {
    if (!to_int64(t.f[k], &out[k])) im.fail(n, "value " + std::to_string(t.f[k]) + " out of the int64 range");
  }
  return out;
}

OnnxTensor fold_reshape(const Importer& im, const OnnxNode& n, const OnnxTensor& x, const std::vector<Sym>& t) {
  std::vector<Sym> in;
  for (int64_t d : x.dims) in.push_back(Sym::constant(d));
  const std::vector<Sym> r = im.resolve_reshape(n, in, t);
  OnnxTensor out = x;
  out.dims.clear();
  for (const Sym& d : r) {
    if (!d.is_const()) im.fail(n, "constant reshaped to a symbolic shape");
    out.dims.push_back(d.value());
  }
  return out;
}

OnnxTensor fold_binary(const Importer& im, const OnnxNode& n, const OnnxTensor& a, const OnnxTensor& b) {
  const bool a_scalar = a.numel() == 1, b_scalar = b.numel() == 1;
  if (!(a.dims == b.dims || a_scalar || b_scalar)) im.fail(n, "constant folding broadcasts only scalars");
  OnnxTensor out = a_scalar && !b_scalar ? b : a;
  const size_t count = static_cast<size_t>(out.numel());
  const bool fl = a.is_float || b.is_float;
  out.is_float = fl;
  out.f.assign(fl ? count : 0, 0.f);
  out.i.assign(fl ? 0 : count, 0);
  auto at = [](const OnnxTensor& t, size_t k) -> double {
    const size_t j = t.numel() == 1 ? 0 : k;
    return t.is_float ? t.f[j] : static_cast<double>(t.i[j]);
  };
  const std::string& op = n.op_type;
  for (size_t k = 0; k < count && fl; ++k) {
    const double x = at(a, k), y = at(b, k);
    const double r = op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y;
    out.f[k] = static_cast<float>(r);
  }
  for (size_t k = 0; k < count && !fl; ++k) {  // in int64, as ONNX: overflow is an error, not wrap-around
    const int64_t x = a.i[a_scalar ? 0 : k], y = b.i[b_scalar ? 0 : k];
    int64_t r = 0;
    bool overflow = false;
    if (op == "Add") overflow = __builtin_add_overflow(x, y, &r);
    else if (op == "Sub") overflow = __builtin_sub_overflow(x, y, &r);
    else if (op == "Mul") overflow = __builtin_mul_overflow(x, y, &r);
    else if (y == 0) im.fail(n, "integer division by zero");
    else if (x == INT64_MIN && y == -1) overflow = true;
    else r = x / y;
    if (overflow) im.fail(n, "integer " + op + " of " + std::to_string(x) + " and " + std::to_string(y) + " overflows int64");
    out.i[k] = r;
  }
  return out;
}

OnnxTensor scalar_tensor_of(const OnnxNode& n, const Importer& im) {
  OnnxTensor t;
  if (const OnnxAttribute* a = n.attr("value")) {
    if (a->type != OnnxAttribute::Type::kTensor || !a->t) im.fail(n, "attribute 'value' is not a tensor");
    return *a->t;
  }
  if (const OnnxAttribute* a = n.attr("value_float")) { t.f = {a->f}; return t; }
  if (const OnnxAttribute* a = n.attr("value_floats")) { t.f = a->floats; t.dims = {static_cast<int64_t>(a->floats.size())}; return t; }
  t.is_float = false;
  if (const OnnxAttribute* a = n.attr("value_int")) { t.i = {a->i}; return t; }
  if (const OnnxAttribute* a = n.attr("value_ints")) { t.i = a->ints; t.dims = {static_cast<int64_t>(a->ints.size())}; return t; }
  im.fail(n, "Constant without a supported value attribute");
}

}  // namespace

// Nodes whose inputs are all constants are evaluated here (Constant, Cast,
// Reshape of a bias, small arithmetic); Constant nodes have no inputs, so
// doing this first in node order is always valid.
void Importer::run_folding_pass_node(const OnnxNode& n) {
  const std::string& op = n.op_type;
  if (op == "Constant") {
    set_const(n.outputs[0], scalar_tensor_of(n, *this));
    done_[n.index] = true;
    return;
  }
  static const std::set<std::string> kFoldable = {"Identity", "Cast", "Reshape", "Unsqueeze", "Squeeze", "Add",
                                                  "Sub", "Mul", "Div", "Concat"};
  if (kFoldable.count(op) == 0 || n.inputs.empty()) return;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (has_input(n, i) && const_in(n, i) == nullptr) return;
  }
  if (!has_input(n, 0)) return;
  const OnnxTensor& x = *const_in(n, 0);
  OnnxTensor out = x;
  if (op == "Cast") {
    const int64_t to = n.attr_int("to", 1);
    const bool to_float = to == 1 || to == 11 || to == 10;
    if (to_float && !x.is_float) { out.is_float = true; out.f.assign(x.i.begin(), x.i.end()); out.i.clear(); }
    if (!to_float && x.is_float) { out.is_float = false; out.i = const_ints(*this, n, x); out.f.clear(); }
  } else if (op == "Reshape") {
    out = fold_reshape(*this, n, x, int_vector(n, 1));
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    std::vector<int64_t> axes = has_input(n, 1) ? const_ints(*this, n, *const_in(n, 1)) : n.attr_ints("axes");
    const size_t rank = x.dims.size() + (op == "Unsqueeze" ? axes.size() : 0);
    std::set<int64_t> ax;
    for (int64_t a : axes) ax.insert(norm_axis(a, rank, *this, n));
    out.dims.clear();
    if (op == "Unsqueeze") {
      for (size_t i = 0, j = 0; i < rank; ++i) out.dims.push_back(ax.count(static_cast<int64_t>(i)) ? 1 : x.dims[j++]);
    } else {
      for (size_t i = 0; i < x.dims.size(); ++i) {
        if ((ax.empty() && x.dims[i] == 1) || ax.count(static_cast<int64_t>(i))) continue;
        out.dims.push_back(x.dims[i]);
      }
    }
  } else if (op == "Concat") {
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const OnnxTensor& t = *const_in(n, i);
      if (t.dims.size() != 1 || t.is_float != x.is_float) return;  // left to the shape path
      if (i == 0) continue;
      out.f.insert(out.f.end(), t.f.begin(), t.f.end());
      out.i.insert(out.i.end(), t.i.begin(), t.i.end());
      out.dims[0] += t.dims[0];
    }
  } else if (op != "Identity") {
    if (!has_input(n, 1)) fail(n, "missing input 1");
    out = fold_binary(*this, n, x, *const_in(n, 1));
  }
  set_const(n.outputs[0], std::move(out));
  done_[n.index] = true;
}

}  // namespace onnx_import
}  // namespace edgeattn::convert
