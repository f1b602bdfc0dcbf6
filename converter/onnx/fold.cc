// Constant evaluation of the ONNX importer: a node whose inputs are all
// known values (constants, or shape vectors of fixed dims) is computed here
// at convert time, so sub-graphs that only depend on weights and on the
// planned image size vanish from the model. DINOv2 (HF Dinov2Embeddings)
// is the motivating case: its position embeddings [1, 1369, 384] are
// reshaped to 37x37, bicubically resized to the patch grid and flattened
// back inside the graph; at a planned size that is one constant.
//
// Everything is computed in double and stored back as float or int64; the
// ops follow the ONNX operator definitions (numpy broadcasting; Resize as
// onnx/reference/ops/op_resize.py: cubic with edge padding when
// exclude_outside is 0).
#include <algorithm>
#include <cmath>
#include <functional>

#include "converter/onnx/importer.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert::onnx_import {
namespace {

// A dense N-D array of doubles with its ONNX element kind.
struct Arr {
  std::vector<int64_t> dims;
  std::vector<double> v;
  bool is_float = true;
  size_t size() const { return v.size(); }
};

// Folded constants stay far below the reader's per-constant limit: they are
// held as doubles while computed (2^24 elements: 128 MiB).
constexpr int64_t kMaxFoldElements = int64_t{1} << 24;

int64_t count_of(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::vector<int64_t> strides_of(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

Arr to_arr(const OnnxTensor& t) {
  Arr a;
  a.dims = t.dims;
  a.is_float = t.is_float;
  if (t.is_float) a.v.assign(t.f.begin(), t.f.end());
  else a.v.assign(t.i.begin(), t.i.end());
  return a;
}

OnnxTensor to_tensor(const Arr& a, const Importer& im, const OnnxNode& n) {
  OnnxTensor t;
  t.dims = a.dims;
  t.is_float = a.is_float;
  if (a.is_float) {
    t.f.resize(a.size());
    for (size_t k = 0; k < a.size(); ++k) t.f[k] = static_cast<float>(a.v[k]);
  } else {
    t.i.resize(a.size());
    for (size_t k = 0; k < a.size(); ++k) {
      if (!to_int64(a.v[k], &t.i[k])) im.fail(n, "a folded integer out of range");
    }
  }
  return t;
}

class Evaluator {
 public:
  Evaluator(const Importer& im, const OnnxNode& n) : im_(im), n_(n) {}

  [[noreturn]] void fail(const std::string& what) const { im_.fail(n_, what); }

  void check_size(const std::vector<int64_t>& dims) const {
    if (dims.size() > static_cast<size_t>(kMaxRank)) fail("a folded constant of rank " + std::to_string(dims.size()));
    for (int64_t d : dims) {
      if (d < 0) fail("a folded constant with a negative dim");
    }
    int64_t n = 1;
    for (int64_t d : dims) {
      if (d > 0 && n > kMaxFoldElements / d) fail("a folded constant over " + std::to_string(kMaxFoldElements) + " elements");
      n *= d;
    }
    if (n > kMaxFoldElements) fail("a folded constant over " + std::to_string(kMaxFoldElements) + " elements");
  }

  int64_t axis(int64_t a, size_t rank) const {
    const int64_t r = static_cast<int64_t>(rank);
    if (a < -r || a >= r) fail("axis " + std::to_string(a) + " out of range for rank " + std::to_string(rank));
    return a < 0 ? a + r : a;
  }

  std::vector<int64_t> ints(const Arr& a) const {
    std::vector<int64_t> out;
    for (double x : a.v) {
      int64_t i = 0;
      if (!to_int64(x, &i)) fail("a non-integer or out-of-range value where integers are needed");
      out.push_back(i);
    }
    return out;
  }

  // numpy broadcasting of any number of inputs: f(values at one index).
  Arr broadcast(const std::vector<const Arr*>& in, bool is_float, const std::function<double(const double*)>& f) const {
    size_t rank = 0;
    for (const Arr* a : in) rank = std::max(rank, a->dims.size());
    std::vector<int64_t> dims(rank, 1);
    for (const Arr* a : in) {
      const size_t off = rank - a->dims.size();
      for (size_t i = 0; i < a->dims.size(); ++i) {
        int64_t& d = dims[off + i];
        if (a->dims[i] == d || a->dims[i] == 1) continue;
        if (d != 1) fail("constants of shapes that do not broadcast");
        d = a->dims[i];
      }
    }
    check_size(dims);
    Arr out;
    out.dims = dims;
    out.is_float = is_float;
    out.v.resize(static_cast<size_t>(count_of(dims)));
    std::vector<std::vector<int64_t>> st;  // per input: stride along each output dim (0 where broadcast)
    for (const Arr* a : in) {
      const std::vector<int64_t> s = strides_of(a->dims);
      std::vector<int64_t> bs(rank, 0);
      const size_t off = rank - a->dims.size();
      for (size_t i = 0; i < a->dims.size(); ++i) bs[off + i] = a->dims[i] == 1 ? 0 : s[i];
      st.push_back(bs);
    }
    std::vector<int64_t> idx(rank, 0);
    std::vector<double> args(in.size());
    for (size_t k = 0; k < out.size(); ++k) {
      for (size_t j = 0; j < in.size(); ++j) {
        int64_t at = 0;
        for (size_t d = 0; d < rank; ++d) at += idx[d] * st[j][d];
        args[j] = in[j]->v[static_cast<size_t>(at)];
      }
      out.v[k] = f(args.data());
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < dims[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }

  Arr binary(const Arr& a, const Arr& b) const {
    const std::string& op = n_.op_type;
    const bool fl = a.is_float || b.is_float;
    if (op == "Equal" || op == "Less" || op == "Greater") {
      return broadcast({&a, &b}, false, [&](const double* x) {
        return op == "Equal" ? double(x[0] == x[1]) : op == "Less" ? double(x[0] < x[1]) : double(x[0] > x[1]);
      });
    }
    return broadcast({&a, &b}, fl, [&](const double* x) -> double {
      if (op == "Add") return x[0] + x[1];
      if (op == "Sub") return x[0] - x[1];
      if (op == "Mul") return x[0] * x[1];
      if (op == "Pow") return std::pow(x[0], x[1]);
      if (fl) return x[0] / x[1];
      if (x[1] == 0) fail("integer division by zero");
      int64_t a = 0, b = 0;
      if (!to_int64(x[0], &a) || !to_int64(x[1], &b)) fail("integer division of out-of-range values");
      return static_cast<double>(a / b);
    });
  }

  Arr transpose(const Arr& x) const {
    std::vector<int64_t> p = n_.attr_ints("perm");
    const size_t r = x.dims.size();
    if (p.empty()) for (size_t i = 0; i < r; ++i) p.insert(p.begin(), static_cast<int64_t>(i));
    if (p.size() != r) fail("perm does not list every axis");
    std::vector<bool> seen(r, false);
    for (int64_t q : p) {
      if (q < 0 || q >= static_cast<int64_t>(r) || seen[static_cast<size_t>(q)]) fail("perm is not a permutation");
      seen[static_cast<size_t>(q)] = true;
    }
    const std::vector<int64_t> xs = strides_of(x.dims);
    Arr out;
    out.is_float = x.is_float;
    for (int64_t q : p) out.dims.push_back(x.dims[static_cast<size_t>(q)]);
    out.v.resize(x.size());
    std::vector<int64_t> idx(r, 0);
    for (size_t k = 0; k < out.size(); ++k) {
      int64_t at = 0;
      for (size_t d = 0; d < r; ++d) at += idx[d] * xs[static_cast<size_t>(p[d])];
      out.v[k] = x.v[static_cast<size_t>(at)];
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < out.dims[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }

  Arr concat(const std::vector<Arr>& in) const {
    const int64_t ax = axis(n_.attr_int("axis", 0), in.at(0).dims.size());
    Arr out = in[0];
    out.is_float = false;
    for (const Arr& a : in) out.is_float = out.is_float || a.is_float;
    int64_t total = 0;
    for (const Arr& a : in) {
      if (a.dims.size() != out.dims.size()) fail("constants of different ranks");
      for (size_t d = 0; d < a.dims.size(); ++d) {
        if (static_cast<int64_t>(d) != ax && a.dims[d] != out.dims[d]) fail("constants differ off the concat axis");
      }
      total += a.dims[static_cast<size_t>(ax)];
    }
    out.dims[static_cast<size_t>(ax)] = total;
    check_size(out.dims);
    int64_t outer = 1;
    for (int64_t d = 0; d < ax; ++d) outer *= out.dims[static_cast<size_t>(d)];
    out.v.clear();
    for (int64_t o = 0; o < outer; ++o) {
      for (const Arr& a : in) {
        const int64_t run = static_cast<int64_t>(a.size()) / std::max<int64_t>(outer, 1);
        out.v.insert(out.v.end(), a.v.begin() + o * run, a.v.begin() + (o + 1) * run);
      }
    }
    return out;
  }

  Arr gather(const Arr& x, const Arr& idx) const {
    const int64_t ax = axis(n_.attr_int("axis", 0), x.dims.size());
    const int64_t n = x.dims[static_cast<size_t>(ax)];
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < ax; ++d) outer *= x.dims[static_cast<size_t>(d)];
    for (size_t d = static_cast<size_t>(ax) + 1; d < x.dims.size(); ++d) inner *= x.dims[d];
    Arr out;
    out.is_float = x.is_float;
    out.dims.assign(x.dims.begin(), x.dims.begin() + ax);
    out.dims.insert(out.dims.end(), idx.dims.begin(), idx.dims.end());
    out.dims.insert(out.dims.end(), x.dims.begin() + ax + 1, x.dims.end());
    check_size(out.dims);
    for (int64_t o = 0; o < outer; ++o) {
      for (double iv : idx.v) {
        int64_t i = 0;
        if (!to_int64(iv, &i)) fail("a gather index out of range");
        if (i < -n || i >= n) fail("index " + std::to_string(i) + " out of range " + std::to_string(n));
        if (i < 0) i += n;
        const size_t from = static_cast<size_t>((o * n + i) * inner);
        out.v.insert(out.v.end(), x.v.begin() + static_cast<long>(from), x.v.begin() + static_cast<long>(from + static_cast<size_t>(inner)));
      }
    }
    return out;
  }

  Arr slice(const Arr& x, const std::vector<const Arr*>& in) const {
    const std::vector<int64_t> starts = ints(*in.at(1)), ends = ints(*in.at(2));
    std::vector<int64_t> axes, steps(starts.size(), 1);
    if (in.size() > 3 && in[3] != nullptr) axes = ints(*in[3]);
    else for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    if (in.size() > 4 && in[4] != nullptr) steps = ints(*in[4]);
    if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size()) fail("starts, ends, axes and steps differ in length");
    const size_t r = x.dims.size();
    std::vector<int64_t> b(r, 0), st(r, 1), cnt = x.dims;
    for (size_t k = 0; k < starts.size(); ++k) {
      const size_t a = static_cast<size_t>(axis(axes[k], r));
      const int64_t d = x.dims[a], s = steps[k];
      if (s == 0) fail("slice step 0");
      auto clampi = [&](int64_t v, int64_t lo, int64_t hi) { return std::max(lo, std::min(hi, v < 0 ? v + d : v)); };
      const int64_t lo = s > 0 ? 0 : -1, hi = s > 0 ? d : d - 1;
      const int64_t from = clampi(starts[k], lo, hi), to = clampi(ends[k], lo, hi);
      b[a] = from;
      st[a] = s;
      cnt[a] = s > 0 ? std::max<int64_t>(0, (to - from + s - 1) / s) : std::max<int64_t>(0, (from - to - s - 1) / (-s));
    }
    const std::vector<int64_t> xs = strides_of(x.dims);
    Arr out;
    out.is_float = x.is_float;
    out.dims = cnt;
    out.v.resize(static_cast<size_t>(count_of(cnt)));
    std::vector<int64_t> idx(r, 0);
    for (size_t k = 0; k < out.size(); ++k) {
      int64_t at = 0;
      for (size_t d = 0; d < r; ++d) at += (b[d] + idx[d] * st[d]) * xs[d];
      out.v[k] = x.v[static_cast<size_t>(at)];
      for (size_t d = r; d-- > 0;) {
        if (++idx[d] < cnt[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }

  // Resize of a constant along every axis whose size changes (separable).
  Arr resize(const Arr& x, const std::vector<const Arr*>& in) const {
    const std::string mode = n_.attr_string("mode", "nearest");
    const std::string coord = n_.attr_string("coordinate_transformation_mode", "half_pixel");
    const double a = n_.attr_float("cubic_coeff_a", -0.75f);
    if (n_.attr_int("exclude_outside", 0) != 0) fail("exclude_outside is not supported");
    if (n_.attr_int("antialias", 0) != 0) fail("antialias is not supported");
    const size_t r = x.dims.size();
    std::vector<int64_t> out_dims(r);
    std::vector<double> scale(r, 1.0);
    if (in.size() > 3 && in[3] != nullptr) {
      out_dims = ints(*in[3]);
      if (out_dims.size() != r) fail("sizes must give every axis");
      for (size_t d = 0; d < r; ++d) scale[d] = static_cast<double>(out_dims[d]) / static_cast<double>(x.dims[d]);
    } else if (in.size() > 2 && in[2] != nullptr && in[2]->size() == r) {
      for (size_t d = 0; d < r; ++d) {
        scale[d] = in[2]->v[d];
        if (!to_int64(std::floor(static_cast<double>(x.dims[d]) * scale[d]), &out_dims[d])) fail("a resize scale out of range");
      }
    } else {
      fail("a constant Resize needs sizes or scales for every axis");
    }
    check_size(out_dims);
    for (size_t d = 0; d < r; ++d) {
      if (x.dims[d] == 0 && out_dims[d] != 0) fail("Resize of an empty axis to a non-empty one");
    }
    Arr cur = x;
    cur.is_float = true;
    for (size_t d = 0; d < r; ++d) {
      if (out_dims[d] != cur.dims[d]) cur = resize_axis(cur, d, out_dims[d], scale[d], mode, coord, a);
    }
    return cur;
  }

  Arr resize_axis(const Arr& x, size_t ax, int64_t out_n, double scale, const std::string& mode,
                  const std::string& coord, double a) const {
    const int64_t in_n = x.dims[ax];
    int64_t outer = 1, inner = 1;
    for (size_t d = 0; d < ax; ++d) outer *= x.dims[d];
    for (size_t d = ax + 1; d < x.dims.size(); ++d) inner *= x.dims[d];
    Arr out;
    out.dims = x.dims;
    out.dims[ax] = out_n;
    out.v.assign(static_cast<size_t>(outer * out_n * inner), 0.0);
    for (int64_t o = 0; o < out_n; ++o) {
      double src = 0;
      if (coord == "half_pixel") src = (static_cast<double>(o) + 0.5) / scale - 0.5;
      else if (coord == "pytorch_half_pixel") src = out_n > 1 ? (static_cast<double>(o) + 0.5) / scale - 0.5 : 0.0;
      else if (coord == "align_corners") src = out_n > 1 ? static_cast<double>(o) * (in_n - 1) / static_cast<double>(out_n - 1) : 0.0;
      else if (coord == "asymmetric") src = static_cast<double>(o) / scale;
      else fail("coordinate_transformation_mode " + coord + " is not supported for constants");
      std::vector<std::pair<int64_t, double>> taps;  // (source index, weight)
      auto clampi = [&](int64_t i) { return std::max<int64_t>(0, std::min(in_n - 1, i)); };
      if (mode == "nearest") {
        taps.push_back({clampi(static_cast<int64_t>(std::floor(src))), 1.0});
      } else if (mode == "linear") {
        const double s = std::max(0.0, std::min(static_cast<double>(in_n - 1), src));
        const int64_t i0 = static_cast<int64_t>(std::floor(s));
        const double t = s - static_cast<double>(i0);
        taps = {{clampi(i0), 1 - t}, {clampi(i0 + 1), t}};
      } else if (mode == "cubic") {
        const int64_t i0 = static_cast<int64_t>(std::floor(src));
        const double t = src - static_cast<double>(i0);
        auto w = [&](double s) {  // Keys' kernel with parameter a, s = |offset|
          s = std::fabs(s);
          if (s <= 1) return ((a + 2) * s - (a + 3)) * s * s + 1;
          if (s < 2) return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a;
          return 0.0;
        };
        for (int64_t k = -1; k <= 2; ++k) taps.push_back({clampi(i0 + k), w(t - static_cast<double>(k))});
      } else {
        fail("Resize mode " + mode + " is not supported for constants");
      }
      for (int64_t p = 0; p < outer; ++p) {
        for (const auto& [i, wt] : taps) {
          const double* src_row = &x.v[static_cast<size_t>((p * in_n + i) * inner)];
          double* dst = &out.v[static_cast<size_t>((p * out_n + o) * inner)];
          for (int64_t q = 0; q < inner; ++q) dst[q] += wt * src_row[q];
        }
      }
    }
    return out;
  }

  Arr run(const std::vector<const Arr*>& in) const {
    const std::string& op = n_.op_type;
    const Arr& x = *in.at(0);
    if (op == "Identity") return x;
    if (op == "Cast") {
      const int64_t to = n_.attr_int("to", 1);
      Arr out = x;
      out.is_float = to == 1 || to == 10 || to == 11;
      if (!out.is_float) for (double& v : out.v) v = std::trunc(v);
      return out;
    }
    if (op == "Shape") {
      Arr out;
      out.is_float = false;
      const int64_t rk = static_cast<int64_t>(x.dims.size());
      int64_t b = n_.attr_int("start", 0), e = n_.attr_int("end", rk);
      b = std::clamp<int64_t>(b < 0 ? b + rk : b, 0, rk);
      e = std::clamp<int64_t>(e < 0 ? e + rk : e, 0, rk);
      for (int64_t d = b; d < e; ++d) out.v.push_back(static_cast<double>(x.dims[static_cast<size_t>(d)]));
      out.dims = {static_cast<int64_t>(out.v.size())};
      return out;
    }
    if (op == "ConstantOfShape") {
      Arr out;
      out.dims = ints(x);
      check_size(out.dims);
      double value = 0;
      out.is_float = true;
      if (const OnnxAttribute* a = n_.attr("value")) {
        if (a->type != OnnxAttribute::Type::kTensor || !a->t || a->t->numel() != 1) fail("'value' must be a one-element tensor");
        out.is_float = a->t->is_float;
        value = a->t->is_float ? a->t->f[0] : static_cast<double>(a->t->i[0]);
      }
      out.v.assign(static_cast<size_t>(count_of(out.dims)), value);
      return out;
    }
    if (op == "Reshape") {
      std::vector<Sym> from, to;
      for (int64_t d : x.dims) from.push_back(Sym::constant(d));
      for (int64_t d : ints(*in.at(1))) to.push_back(Sym::constant(d));
      Arr out = x;
      out.dims.clear();
      for (const Sym& d : im_.resolve_reshape(n_, from, to)) out.dims.push_back(d.value());
      return out;
    }
    if (op == "Unsqueeze" || op == "Squeeze") {
      std::vector<int64_t> axes = in.size() > 1 && in[1] != nullptr ? ints(*in[1]) : n_.attr_ints("axes");
      const size_t rank = x.dims.size() + (op == "Unsqueeze" ? axes.size() : 0);
      std::vector<bool> hit(rank, false);
      for (int64_t a : axes) hit[static_cast<size_t>(axis(a, rank))] = true;
      Arr out = x;
      out.dims.clear();
      for (size_t i = 0, j = 0; i < rank; ++i) {
        if (op == "Unsqueeze") { out.dims.push_back(hit[i] ? 1 : x.dims[j++]); continue; }
        if ((axes.empty() && x.dims[i] == 1) || hit[i]) continue;
        out.dims.push_back(x.dims[i]);
      }
      return out;
    }
    if (op == "Transpose") return transpose(x);
    if (op == "Gather") return gather(x, *in.at(1));
    if (op == "Slice") return slice(x, in);
    if (op == "Resize") return resize(x, in);
    if (op == "Expand") {
      Arr shape;
      shape.dims = ints(*in.at(1));
      shape.v.assign(static_cast<size_t>(count_of(shape.dims)), 0.0);
      return broadcast({&x, &shape}, x.is_float, [](const double* v) { return v[0]; });
    }
    if (op == "Where") {
      return broadcast({in.at(0), in.at(1), in.at(2)}, in[1]->is_float || in[2]->is_float,
                       [](const double* v) { return v[0] != 0 ? v[1] : v[2]; });
    }
    if (op == "Sqrt" || op == "Neg" || op == "Floor" || op == "Ceil" || op == "Erf" || op == "Abs") {
      Arr out = x;
      for (double& v : out.v) {
        v = op == "Sqrt" ? std::sqrt(v) : op == "Neg" ? -v : op == "Floor" ? std::floor(v) : op == "Ceil" ? std::ceil(v)
            : op == "Erf" ? std::erf(v) : std::fabs(v);
      }
      return out;
    }
    if (op == "Concat") {
      std::vector<Arr> parts;
      for (const Arr* a : in) parts.push_back(*a);
      return concat(parts);
    }
    return binary(x, *in.at(1));
  }

 private:
  const Importer& im_;
  const OnnxNode& n_;
};

const std::set<std::string>& foldable_ops() {
  static const std::set<std::string> kOps = {
      "Identity", "Cast", "Shape", "ConstantOfShape", "Reshape", "Unsqueeze", "Squeeze", "Transpose", "Gather",
      "Slice", "Resize", "Expand", "Where", "Sqrt", "Neg", "Floor", "Ceil", "Erf", "Abs", "Concat",
      "Add", "Sub", "Mul", "Div", "Pow", "Equal", "Less", "Greater"};
  return kOps;
}

}  // namespace

bool Importer::fold_node(const OnnxNode& n) {
  if (foldable_ops().count(n.op_type) == 0 || n.inputs.empty() || !has_input(n, 0)) return false;
  std::vector<Arr> arrs(n.inputs.size());
  std::vector<const Arr*> in(n.inputs.size(), nullptr);
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (!has_input(n, i)) continue;
    const Value* v = find(n.inputs[i]);
    if (v == nullptr || v->bcast_batch) return false;
    if (v->kind == Value::Kind::kConst) {
      arrs[i] = to_arr(v->c);
    } else if (v->kind == Value::Kind::kShape) {
      Arr a;
      a.is_float = false;
      for (const Sym& s : v->sv) {
        if (!s.is_const()) return false;
        a.v.push_back(static_cast<double>(s.value()));
      }
      if (!v->sv_scalar) a.dims = {static_cast<int64_t>(a.v.size())};
      arrs[i] = std::move(a);
    } else {
      return false;
    }
    in[i] = &arrs[i];
  }
  const Arr out = Evaluator(*this, n).run(in);
  set_const(n.outputs.at(0), to_tensor(out, *this, n));
  return true;
}

}  // namespace edgeattn::convert::onnx_import

namespace edgeattn::convert::onnx_import {

OnnxTensor permute_const(const OnnxTensor& c, const std::vector<int>& order) {
  const std::vector<int64_t> xs = strides_of(c.dims);
  OnnxTensor out;
  out.is_float = c.is_float;
  for (int q : order) out.dims.push_back(c.dims.at(static_cast<size_t>(q)));
  const size_t total = static_cast<size_t>(count_of(c.dims)), r = order.size();
  out.f.resize(c.is_float ? total : 0);
  out.i.resize(c.is_float ? 0 : total);
  std::vector<int64_t> idx(r, 0);
  for (size_t k = 0; k < total; ++k) {
    int64_t at = 0;
    for (size_t d = 0; d < r; ++d) at += idx[d] * xs[static_cast<size_t>(order[d])];
    if (c.is_float) out.f[k] = c.f[static_cast<size_t>(at)];
    else out.i[k] = c.i[static_cast<size_t>(at)];
    for (size_t d = r; d-- > 0;) {
      if (++idx[d] < out.dims[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

// Expand(constant, [B, d1, ...]) with the batch only at axis 0: the
// constant broadcast to [1, d1, ...], marked as the same for every row.
bool Importer::expand_batch(const OnnxNode& n) {
  const Value* x = has_input(n, 0) ? find(n.inputs[0]) : nullptr;
  const Value* s = has_input(n, 1) ? find(n.inputs[1]) : nullptr;
  if (x == nullptr || s == nullptr || x->kind != Value::Kind::kConst || s->kind != Value::Kind::kShape) return false;
  std::vector<Sym> target = s->sv;
  if (target.empty() || target[0] != Sym::batch()) return false;
  for (size_t i = 1; i < target.size(); ++i) {
    if (!target[i].is_const()) fail(n, "Expand to " + shape_str(target) + ": only the batch (axis 0) may be symbolic");
  }
  if (x->c.dims.size() > target.size()) fail(n, "Expand to a lower rank");
  if (x->c.dims.size() == target.size() && x->c.dims[0] != 1) fail(n, "Expand over the batch of a constant whose dim 0 is not 1");
  Arr shape;
  shape.dims = {1};
  for (size_t i = 1; i < target.size(); ++i) shape.dims.push_back(target[i].value());
  shape.v.assign(static_cast<size_t>(count_of(shape.dims)), 0.0);
  const Arr xa = to_arr(x->c);
  const Arr out = Evaluator(*this, n).broadcast({&xa, &shape}, xa.is_float, [](const double* v) { return v[0]; });
  set_const(n.outputs.at(0), to_tensor(out, *this, n));
  values_[n.outputs[0]].bcast_batch = true;
  return true;
}

}  // namespace edgeattn::convert::onnx_import
