// Image ops of the ONNX importer: Conv / ConvTranspose with BatchNorm,
// affine and activation folded in, pools, Resize, Concat, lone BatchNorm.
#include <cmath>

#include "converter/onnx/importer.h"
#include "converter/source/convert_error.h"

namespace edgeattn::convert::onnx_import {
namespace {

bool is_const_value(const Importer& im, const OnnxNode& n, size_t i, float v) {
  const OnnxTensor* c = im.const_in(n, i);
  return c != nullptr && c->numel() == 1 && std::fabs(scalar_of(*c) - v) <= 1e-6f * std::max(1.0f, std::fabs(v));
}

// The input of binary node `n` that is not `value` (-1 if neither is).
int other_input(const OnnxNode& n, const std::string& value) {
  if (n.inputs.size() != 2) return -1;
  if (n.inputs[0] == value) return 1;
  if (n.inputs[1] == value) return 0;
  return -1;
}

struct ConvAttrs {
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0, pl = 0, pb = 0, pr = 0, group = 1;
};

ConvAttrs conv_attrs(const Importer& im, const OnnxNode& n, int64_t kh, int64_t kw) {
  ConvAttrs a;
  const std::string pad = n.attr_string("auto_pad", "NOTSET");
  if (pad != "NOTSET" && pad != "VALID") im.fail(n, "auto_pad " + pad + " is not supported (give explicit pads)");
  const std::vector<int64_t> k = n.attr_ints("kernel_shape", {kh, kw});
  const std::vector<int64_t> s = n.attr_ints("strides", {1, 1});
  const std::vector<int64_t> d = n.attr_ints("dilations", {1, 1});
  const std::vector<int64_t> p = n.attr_ints("pads", {0, 0, 0, 0});
  if (k.size() != 2 || s.size() != 2 || d.size() != 2 || p.size() != 4) im.fail(n, "only 2-D kernels are supported");
  if ((kh > 0 && k[0] != kh) || (kw > 0 && k[1] != kw)) im.fail(n, "kernel_shape disagrees with the weight");
  for (int64_t v : {k[0], k[1], s[0], s[1], d[0], d[1]}) {
    if (v < 1 || v > 4096) im.fail(n, "kernel, stride or dilation " + std::to_string(v) + " out of range");
  }
  for (int64_t v : p) {
    if (v < 0 || v > 4096) im.fail(n, "pad " + std::to_string(v) + " out of range");
  }
  a.kh = k[0]; a.kw = k[1]; a.sh = s[0]; a.sw = s[1]; a.dh = d[0]; a.dw = d[1];
  a.pt = p[0]; a.pl = p[1]; a.pb = p[2]; a.pr = p[3];
  a.group = n.attr_int("group", 1);
  return a;
}

void set_conv_options(fb::Conv2DOptionsT& o, const ConvAttrs& a) {
  o.stride_h = static_cast<int>(a.sh); o.stride_w = static_cast<int>(a.sw);
  o.dilation_h = static_cast<int>(a.dh); o.dilation_w = static_cast<int>(a.dw);
  o.pad_top = static_cast<int>(a.pt); o.pad_left = static_cast<int>(a.pl);
  o.pad_bottom = static_cast<int>(a.pb); o.pad_right = static_cast<int>(a.pr);
  o.groups = static_cast<int>(a.group);
}

}  // namespace

// A node using `value` alone that is a per-channel (or, with channels == 1,
// a scalar) affine: BatchNormalization, Mul / Add / Sub / Div by a constant.
bool Importer::channel_affine(const std::string& value, int64_t channels, Affine* a, std::string* out, size_t* index) {
  const OnnxNode* u = sole_use(value);
  if (u == nullptr) return false;
  const size_t c = static_cast<size_t>(channels);
  a->scale.assign(c, 1.f);
  a->shift.assign(c, 0.f);
  if (u->op_type == "BatchNormalization") {
    if (channels == 1 || u->inputs.size() != 5 || u->inputs[0] != value) return false;
    std::vector<const OnnxTensor*> p;
    for (size_t i = 1; i < 5; ++i) {
      p.push_back(const_in(*u, i));
      if (p.back() == nullptr || p.back()->numel() != channels || !p.back()->is_float) return false;
    }
    if (u->outputs.size() > 1) return false;
    const float eps = u->attr_float("epsilon", 1e-5f);
    for (size_t k = 0; k < c; ++k) {
      const float s = p[0]->f[k] / std::sqrt(p[3]->f[k] + eps);
      a->scale[k] = s;
      a->shift[k] = p[1]->f[k] - p[2]->f[k] * s;
    }
  } else if (u->op_type == "Mul" || u->op_type == "Add" || u->op_type == "Sub" || u->op_type == "Div") {
    const int o = other_input(*u, value);
    if (o < 0) return false;
    const OnnxTensor* k = const_in(*u, static_cast<size_t>(o));
    if (k == nullptr || !k->is_float) return false;
    const int axis = const_axis(*k, 4);
    if (!(axis == -1 || (axis == 1 && k->numel() == channels && channels > 1))) return false;
    const bool reversed = o == 0;
    if (reversed && u->op_type == "Div") return false;
    for (size_t j = 0; j < c; ++j) {
      const float v = k->numel() == 1 ? k->f[0] : k->f[j];
      if (u->op_type == "Mul") a->scale[j] = v;
      else if (u->op_type == "Add") a->shift[j] = v;
      else if (u->op_type == "Div") a->scale[j] = 1.f / v;
      else if (reversed) { a->scale[j] = -1.f; a->shift[j] = v; }
      else a->shift[j] = -v;
    }
  } else {
    return false;
  }
  *out = u->outputs[0];
  *index = u->index;
  return true;
}

bool Importer::match_activation(const std::string& value, ActMatch* r) const {
  const std::vector<const OnnxNode*> us = uses(value);
  auto sole = [&](const std::string& v) { return sole_use(v); };
  auto finish = [&](fb::Activation act, std::set<size_t> nodes, const std::string& out) {
    r->act = act;
    r->nodes = std::move(nodes);
    r->out = out;
    r->exclusive = only_used_by(value, r->nodes);
    return true;
  };
  // x * f(x), with u computing f(x): the Mul that takes both.
  auto gated = [&](const OnnxNode* u) -> const OnnxNode* {
    const OnnxNode* mul = sole(u->outputs[0]);
    if (mul == nullptr || mul->op_type != "Mul" || other_input(*mul, u->outputs[0]) < 0) return nullptr;
    return mul->inputs[static_cast<size_t>(other_input(*mul, u->outputs[0]))] == value ? mul : nullptr;
  };
  for (const OnnxNode* u : us) {
    if (u->inputs.empty() || u->inputs[0] != value) {
      if (!(u->op_type == "Mul" && u->inputs.size() == 2 && u->inputs[1] == value && is_const_value(*this, *u, 0, 1.f))) continue;
    }
    const std::string& op = u->op_type;
    if (op == "Relu") return finish(fb::Activation::Relu, {u->index}, u->outputs[0]);
    if (op == "HardSwish") return finish(fb::Activation::HardSwish, {u->index}, u->outputs[0]);
    if (op == "Sigmoid") {
      if (const OnnxNode* mul = gated(u)) return finish(fb::Activation::Silu, {u->index, mul->index}, mul->outputs[0]);
      return finish(fb::Activation::Sigmoid, {u->index}, u->outputs[0]);
    }
    if (op == "HardSigmoid") {
      const float alpha = u->attr_float("alpha", 0.2f), beta = u->attr_float("beta", 0.5f);
      const OnnxNode* mul = gated(u);
      if (mul != nullptr && std::fabs(alpha - 1.f / 6) < 1e-6f && std::fabs(beta - 0.5f) < 1e-6f) {
        return finish(fb::Activation::HardSwish, {u->index, mul->index}, mul->outputs[0]);
      }
      r->alpha = alpha;
      r->beta = beta;
      return finish(fb::Activation::HardSigmoid, {u->index}, u->outputs[0]);
    }
    if (op == "Clip") {
      float lo = u->attr_float("min", -INFINITY), hi = u->attr_float("max", INFINITY);
      const OnnxTensor* c_lo = has_input(*u, 1) ? const_in(*u, 1) : nullptr;
      const OnnxTensor* c_hi = has_input(*u, 2) ? const_in(*u, 2) : nullptr;
      // Bounds from other nodes, or not one value each: left to the Clip op itself.
      if ((has_input(*u, 1) && (c_lo == nullptr || c_lo->numel() != 1)) ||
          (has_input(*u, 2) && (c_hi == nullptr || c_hi->numel() != 1))) continue;
      if (c_lo != nullptr) lo = scalar_of(*c_lo);
      if (c_hi != nullptr) hi = scalar_of(*c_hi);
      if (lo == 0.f && hi == 6.f) return finish(fb::Activation::Relu6, {u->index}, u->outputs[0]);
      if (lo == 0.f && std::isinf(hi)) return finish(fb::Activation::Relu, {u->index}, u->outputs[0]);
      continue;
    }
    if (op == "Add" && is_const_value(*this, *u, 1, 3.f)) {  // x * clip(x + 3, 0, 6) / 6
      const OnnxNode* clip = sole(u->outputs[0]);
      if (clip == nullptr || clip->op_type != "Clip" || clip->inputs[0] != u->outputs[0]) continue;
      ActMatch inner;
      if (!match_activation(u->outputs[0], &inner) || inner.act != fb::Activation::Relu6) continue;
      const OnnxNode* mul = gated(clip);
      if (mul == nullptr) continue;
      const OnnxNode* div = sole(mul->outputs[0]);
      if (div == nullptr || div->inputs[0] != mul->outputs[0]) continue;
      const bool by6 = (div->op_type == "Div" && is_const_value(*this, *div, 1, 6.f)) ||
                       (div->op_type == "Mul" && is_const_value(*this, *div, 1, 1.f / 6));
      if (!by6) continue;
      return finish(fb::Activation::HardSwish, {u->index, clip->index, mul->index, div->index}, div->outputs[0]);
    }
    // Exact GELU, as torch and HF export it: x * (1 + erf(x / sqrt 2)) * 0.5.
    if ((op == "Div" && is_const_value(*this, *u, 1, static_cast<float>(M_SQRT2))) ||
        (op == "Mul" && is_const_value(*this, *u, 1, static_cast<float>(M_SQRT1_2)))) {
      const OnnxNode* erf = sole(u->outputs[0]);
      if (erf == nullptr || erf->op_type != "Erf") continue;
      const OnnxNode* add = sole(erf->outputs[0]);
      if (add == nullptr || add->op_type != "Add" || other_input(*add, erf->outputs[0]) < 0 ||
          !is_const_value(*this, *add, static_cast<size_t>(other_input(*add, erf->outputs[0])), 1.f)) {
        continue;
      }
      const OnnxNode* mul = gated(add);
      if (mul == nullptr) continue;
      const OnnxNode* half = sole(mul->outputs[0]);
      if (half == nullptr || half->op_type != "Mul" || other_input(*half, mul->outputs[0]) < 0 ||
          !is_const_value(*this, *half, static_cast<size_t>(other_input(*half, mul->outputs[0])), 0.5f)) {
        continue;
      }
      return finish(fb::Activation::Gelu, {u->index, erf->index, add->index, mul->index, half->index}, half->outputs[0]);
    }
    if (op == "Mul" && (is_const_value(*this, *u, 1, 1.f) || is_const_value(*this, *u, 0, 1.f))) {  // x * sigmoid(x * 1)
      const OnnxNode* sig = sole(u->outputs[0]);
      if (sig == nullptr || sig->op_type != "Sigmoid") continue;
      const OnnxNode* mul = gated(sig);
      if (mul == nullptr) continue;
      return finish(fb::Activation::Silu, {u->index, sig->index, mul->index}, mul->outputs[0]);
    }
  }
  return false;
}

Sym Importer::conv_out(const OnnxNode& n, const Sym& in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe,
                       const char* axis) const {
  const int64_t extent = d * (k - 1) + 1, pads = pb + pe;
  const bool ceil_mode = n.attr_int("ceil_mode", 0) != 0;
  if (in.is_const()) {
    const int64_t num = in.value() + pads - extent;
    if (num < 0) fail(n, std::string("the kernel is larger than the padded ") + axis + " " + in.str());
    return Sym::constant((ceil_mode ? (num + s - 1) / s : num / s) + 1);
  }
  // in = s * t for every valid image size: out = t + floor((pads - extent) / s) + 1 must be t.
  const int64_t diff = pads - extent;
  const int64_t q = ceil_mode ? -((-diff) / s) : (diff >= 0 ? diff / s : -((-diff + s - 1) / s));
  if (q != -1) {
    fail(n, std::string("the output ") + axis + " is not the input " + axis + " (" + in.str() + ") / " + std::to_string(s) +
                " for every image size (kernel " + std::to_string(k) + ", pads " + std::to_string(pads) +
                "); fix the size with --image-height / --image-width");
  }
  return in / Sym::constant(s);
}

// Follows the nodes after a conv output: per-channel affines fold into the
// weights (co_scale) and bias, then an activation, then scalar affines into
// post_scale / post_shift. Returns the last value the conv now computes.
std::string Importer::fuse_conv_tail(std::string v, int64_t cout, std::vector<float>& bias,
                                     std::vector<float>& co_scale, fb::Conv2DOptionsT& o) {
  Affine a;
  std::string next;
  size_t index = 0;
  while (channel_affine(v, cout, &a, &next, &index)) {
    for (size_t c = 0; c < bias.size(); ++c) {
      co_scale[c] *= a.scale[c];
      bias[c] = bias[c] * a.scale[c] + a.shift[c];
    }
    done_[index] = true;
    v = next;
  }
  ActMatch act;
  if (!match_activation(v, &act) || !act.exclusive) return v;
  o.activation = act.act;
  o.act_alpha = act.alpha;
  o.act_beta = act.beta;
  for (size_t i : act.nodes) done_[i] = true;
  v = act.out;
  while (channel_affine(v, 1, &a, &next, &index)) {
    o.post_scale *= a.scale[0];
    o.post_shift = o.post_shift * a.scale[0] + a.shift[0];
    done_[index] = true;
    v = next;
  }
  return v;
}

void Importer::conv(const OnnxNode& n) {
  if (attention_gate(n)) return;
  const Value& x = act_in(n, 0);
  const OnnxTensor& w = require_const(n, 1, "the weight");
  if (x.rank() != 4 || w.dims.size() != 4 || !w.is_float) fail(n, "only 2-D convolutions of NCHW images with float weights are supported; " + inputs_str(n));
  const ConvAttrs at = conv_attrs(*this, n, w.dims[2], w.dims[3]);
  const std::vector<Sym> xs = x.shape();
  const int64_t cout = w.dims[0], cig = w.dims[1];
  if (!xs[1].is_const() || at.group < 1 || xs[1].value() != cig * at.group || cout % at.group != 0) {
    fail(n, "weight " + std::to_string(cout) + "x" + std::to_string(cig) + " with group " + std::to_string(at.group) +
                " does not fit " + xs[1].str() + " input channels");
  }
  std::vector<float> bias(static_cast<size_t>(cout), 0.f), co_scale(static_cast<size_t>(cout), 1.f);
  if (has_input(n, 2)) {
    const OnnxTensor& b = require_const(n, 2, "the bias");
    if (b.numel() != cout || !b.is_float) fail(n, "bias of " + std::to_string(b.numel()) + " values for " + std::to_string(cout) + " channels");
    bias = b.f;
  }
  const Sym ho = conv_out(n, xs[2], at.kh, at.sh, at.dh, at.pt, at.pb, "height");
  const Sym wo = conv_out(n, xs[3], at.kw, at.sw, at.dw, at.pl, at.pr, "width");
  fb::Conv2DOptionsT o;
  set_conv_options(o, at);
  const std::string out = fuse_conv_tail(n.outputs[0], cout, bias, co_scale, o);
  // [Cout, Cin/g, KH, KW] -> [Cout, KH, KW, Cin/g], scaled per output channel.
  const int64_t kh = at.kh, kw = at.kw;
  std::vector<float> we(w.f.size());
  for (int64_t co = 0; co < cout; ++co)
    for (int64_t ci = 0; ci < cig; ++ci)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t z = 0; z < kw; ++z)
          we[static_cast<size_t>(((co * kh + y) * kw + z) * cig + ci)] =
              w.f[static_cast<size_t>(((co * cig + ci) * kh + y) * kw + z)] * co_scale[static_cast<size_t>(co)];
  const int wt = add_const(n.name + ".weight", {cout, kh, kw, cig}, std::move(we));
  const int bt = add_const(n.name + ".bias", {cout}, bias);
  const int xin = materialize(x, nhwc_order(), true, m_.source + ": " + n.what());
  const std::vector<Sym> dims = {xs[0], ho, wo, Sym::constant(cout)};
  const int t = new_tensor(out, dims, m_.source + ": " + n.what());
  mb_.add_op(fb::OpCode::Conv2D, {xin, wt, bt}, {t}, n.name, o);
  set_act(out, t, dims, {0, 3, 1, 2});
}

void Importer::conv_transpose(const OnnxNode& n) {
  const Value& x = act_in(n, 0);
  const OnnxTensor& w = require_const(n, 1, "the weight");
  if (x.rank() != 4 || w.dims.size() != 4 || !w.is_float) fail(n, "only 2-D transposed convolutions with float weights are supported");
  const ConvAttrs at = conv_attrs(*this, n, w.dims[2], w.dims[3]);
  if (at.group != 1) fail(n, "group " + std::to_string(at.group) + " is not supported (1 only)");
  if (n.attr("output_shape") != nullptr) fail(n, "output_shape is not supported (give pads)");
  const std::vector<int64_t> op = n.attr_ints("output_padding", {0, 0});
  if (op.size() != 2 || op[0] != 0 || op[1] != 0) fail(n, "output_padding is not supported");
  const std::vector<Sym> xs = x.shape();
  const int64_t cin = w.dims[0], cout = w.dims[1], kh = at.kh, kw = at.kw;
  if (!xs[1].is_const() || xs[1].value() != cin) fail(n, "weight for " + std::to_string(cin) + " input channels, the input has " + xs[1].str());
  auto out_dim = [&](const Sym& h, int64_t k, int64_t s, int64_t d, int64_t pads, const char* axis) {
    const int64_t extra = d * (k - 1) + 1 - pads - s;  // out = h * s + extra
    if (h.is_const()) {
      const int64_t v = h.value() * s + extra;
      if (v < 1) fail(n, std::string("empty output ") + axis);
      return Sym::constant(v);
    }
    if (extra != 0) fail(n, std::string("the output ") + axis + " is not the input's times " + std::to_string(s) + " (kernel " + std::to_string(k) + ", pads " + std::to_string(pads) + ")");
    return h * Sym::constant(s);
  };
  const Sym ho = out_dim(xs[2], kh, at.sh, at.dh, at.pt + at.pb, "height");
  const Sym wo = out_dim(xs[3], kw, at.sw, at.dw, at.pl + at.pr, "width");
  std::vector<float> bias(static_cast<size_t>(cout), 0.f), co_scale(static_cast<size_t>(cout), 1.f);
  if (has_input(n, 2)) {
    const OnnxTensor& b = require_const(n, 2, "the bias");
    if (b.numel() != cout || !b.is_float) fail(n, "bias size differs from the output channels");
    bias = b.f;
  }
  fb::Conv2DOptionsT o;
  set_conv_options(o, at);
  const std::string out = fuse_conv_tail(n.outputs[0], cout, bias, co_scale, o);
  // [Cin, Cout, KH, KW] -> [KH, KW, Cout, Cin].
  std::vector<float> we(w.f.size());
  for (int64_t ci = 0; ci < cin; ++ci)
    for (int64_t co = 0; co < cout; ++co)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t z = 0; z < kw; ++z)
          we[static_cast<size_t>(((y * kw + z) * cout + co) * cin + ci)] =
              w.f[static_cast<size_t>(((ci * cout + co) * kh + y) * kw + z)] * co_scale[static_cast<size_t>(co)];
  const int wt = add_const(n.name + ".weight", {kh, kw, cout, cin}, std::move(we));
  const int bt = add_const(n.name + ".bias", {cout}, bias);
  const int xin = materialize(x, nhwc_order(), true, m_.source + ": " + n.what());
  const std::vector<Sym> dims = {xs[0], ho, wo, Sym::constant(cout)};
  const int t = new_tensor(out, dims, m_.source + ": " + n.what());
  mb_.add_op(fb::OpCode::ConvTranspose2D, {xin, wt, bt}, {t}, n.name, o);
  set_act(out, t, dims, {0, 3, 1, 2});
}

void Importer::pool(const OnnxNode& n) {
  const Value& x = act_in(n, 0);
  if (x.rank() != 4) fail(n, "only 2-D pools of NCHW images are supported");
  if (n.outputs.size() > 1 && !uses(n.outputs[1]).empty()) fail(n, "MaxPool's indices output is not supported");
  const ConvAttrs at = conv_attrs(*this, n, -1, -1);
  if (at.dh != 1 || at.dw != 1) fail(n, "dilated pools are not supported");
  const std::vector<Sym> xs = x.shape();
  const Sym ho = conv_out(n, xs[2], at.kh, at.sh, 1, at.pt, at.pb, "height");
  const Sym wo = conv_out(n, xs[3], at.kw, at.sw, 1, at.pl, at.pr, "width");
  if (n.attr_int("ceil_mode", 0) != 0 && !(xs[2].is_const() && xs[3].is_const())) {
    // conv_out checked that ceil and floor agree for every size.
  }
  fb::Pool2DOptionsT o;
  o.kind = n.op_type == "MaxPool" ? fb::PoolKind::Max : fb::PoolKind::Average;
  o.kernel_h = static_cast<int>(at.kh); o.kernel_w = static_cast<int>(at.kw);
  o.stride_h = static_cast<int>(at.sh); o.stride_w = static_cast<int>(at.sw);
  o.pad_top = static_cast<int>(at.pt); o.pad_left = static_cast<int>(at.pl);
  o.pad_bottom = static_cast<int>(at.pb); o.pad_right = static_cast<int>(at.pr);
  o.count_include_pad = n.attr_int("count_include_pad", 0) != 0;
  const int xin = materialize(x, nhwc_order(), true, m_.source + ": " + n.what());
  const std::vector<Sym> dims = {xs[0], ho, wo, xs[1]};
  const int t = new_tensor(n.outputs[0], dims, m_.source + ": " + n.what());
  mb_.add_op(fb::OpCode::Pool2D, {xin}, {t}, n.name, o);
  set_act(n.outputs[0], t, dims, {0, 3, 1, 2});
}

void Importer::global_pool(const OnnxNode& n) {
  const Value& x = act_in(n, 0);
  if (x.rank() != 4) fail(n, "only NCHW images are supported");
  const std::vector<Sym> xs = x.shape();
  fb::Pool2DOptionsT o;
  o.kind = fb::PoolKind::GlobalAverage;
  const int xin = materialize(x, nhwc_order(), true, m_.source + ": " + n.what());
  const std::vector<Sym> dims = {xs[0], Sym::constant(1), Sym::constant(1), xs[1]};
  const int t = new_tensor(n.outputs[0], dims, m_.source + ": " + n.what());
  mb_.add_op(fb::OpCode::Pool2D, {xin}, {t}, n.name, o);
  set_act(n.outputs[0], t, dims, {0, 3, 1, 2});
}

// ReduceMean over contiguous axes after the batch: a global average pool of
// the view [B, reduced, 1, rest] (e.g. a clip's features averaged over time,
// [1, T, F] -> [1, F]); over H, W of an NCHW image it is GlobalAveragePool.
void Importer::reduce_mean(const OnnxNode& n) {
  const Value& x = act_in(n, 0);
  const std::vector<Sym> xs = x.shape();
  const int64_t r = static_cast<int64_t>(xs.size());
  std::vector<int64_t> axes = n.attr_ints("axes");
  if (has_input(n, 1)) {
    axes.clear();
    for (const Sym& a : int_vector(n, 1)) axes.push_back(a.value());
  }
  for (int64_t& a : axes) {
    if (a < -r || a >= r) fail(n, "axis out of range");
    a = a < 0 ? a + r : a;
  }
  std::sort(axes.begin(), axes.end());
  const bool keep = n.attr_int("keepdims", 1) != 0;
  if (axes.empty() || axes[0] < 1 || axes.back() - axes[0] + 1 != static_cast<int64_t>(axes.size())) {
    fail(n, "only a mean over contiguous axes after the batch is supported; " + inputs_str(n));
  }
  if (r == 4 && axes == std::vector<int64_t>{2, 3} && keep) return global_pool(n);
  const std::string what = m_.source + ": " + n.what();
  const Sym lead = product(std::vector<Sym>(xs.begin(), xs.begin() + axes[0]));
  const Sym red = product(std::vector<Sym>(xs.begin() + axes[0], xs.begin() + axes.back() + 1));
  const Sym rest = product(std::vector<Sym>(xs.begin() + axes.back() + 1, xs.end()));
  if (!red.is_const() || !rest.is_const() || !lead.representable()) fail(n, "the reduced and trailing dims must be fixed; " + inputs_str(n));
  const int xin = materialize(x, identity(x.rank()), true, what);
  const std::vector<Sym> view = {lead, red, Sym::constant(1), rest};
  const int v = new_tensor(n.inputs[0] + ".pool_view", view, what);
  mb_.add_op(fb::OpCode::Reshape, {xin}, {v}, n.name + ".view");
  const std::vector<Sym> pooled = {lead, Sym::constant(1), Sym::constant(1), rest};
  fb::Pool2DOptionsT o;
  o.kind = fb::PoolKind::GlobalAverage;
  const int t = new_tensor(n.outputs[0], pooled, what);
  mb_.add_op(fb::OpCode::Pool2D, {v}, {t}, n.name, o);
  std::vector<Sym> out;
  for (int64_t i = 0; i < r; ++i) {
    const bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (!reduced) out.push_back(xs[static_cast<size_t>(i)]);
    else if (keep) out.push_back(Sym::constant(1));
  }
  set_act(n.outputs[0], t, out, identity(out.size()));
}

void Importer::batch_norm(const OnnxNode& n) {
  const Value& x = act_in(n, 0);
  if (x.rank() < 2) fail(n, "needs a channel axis");
  const std::vector<Sym> xs = x.shape();
  if (!xs[1].is_const()) fail(n, "the channel count must be fixed");
  const int64_t c = xs[1].value();
  std::vector<const OnnxTensor*> p;
  for (size_t i = 1; i < 5; ++i) {
    p.push_back(&require_const(n, i, "a BatchNormalization parameter"));
    if (p.back()->numel() != c || !p.back()->is_float) fail(n, "parameter " + std::to_string(i) + " does not have " + std::to_string(c) + " values");
  }
  const float eps = n.attr_float("epsilon", 1e-5f);
  std::vector<float> s(static_cast<size_t>(c)), t(static_cast<size_t>(c));
  for (size_t k = 0; k < s.size(); ++k) {
    s[k] = p[0]->f[k] / std::sqrt(p[3]->f[k] + eps);
    t[k] = p[1]->f[k] - p[2]->f[k] * s[k];
  }
  // Channel last: NHWC for images, else axis 1 moved to the end.
  std::vector<int> order = x.rank() == 4 ? nhwc_order() : identity(x.rank());
  if (x.rank() != 4) { order.erase(order.begin() + 1); order.push_back(1); }
  const std::string what = m_.source + ": " + n.what();
  const int xin = materialize(x, order, true, what);
  std::vector<Sym> dims;
  for (int a : order) dims.push_back(xs[static_cast<size_t>(a)]);
  const int st = add_const(n.name + ".scale", {c}, s), tt = add_const(n.name + ".shift", {c}, t);
  const int mid = new_tensor(n.outputs[0] + ".scaled", dims, what);
  mb_.add_op(fb::OpCode::Mul, {xin, st}, {mid}, n.name + ".scale");
  const int out = new_tensor(n.outputs[0], dims, what);
  mb_.add_op(fb::OpCode::Add, {mid, tt}, {out}, n.name + ".shift");
  set_ordered(n.outputs[0], out, xs, order);
}

}  // namespace edgeattn::convert::onnx_import
