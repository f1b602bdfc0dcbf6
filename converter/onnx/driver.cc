// The ONNX importer's driver: shape vectors, views, dispatch, the graph's
// input and outputs; files and folders (import_onnx.h).
#include <algorithm>
#include <filesystem>
#include <memory>

#include "converter/import_common.h"
#include "converter/onnx/import_onnx.h"
#include "converter/onnx/onnx_input.h"
#include "converter/onnx/importer.h"
#include "converter/source/convert_error.h"
#include "converter/source/mapped_file.h"

namespace edgeattn::convert {
namespace onnx_import {
namespace {

int64_t axis_in(int64_t axis, size_t rank, const Importer& im, const OnnxNode& n) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) im.fail(n, "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + r : axis;
}

// Python-style [start, end) of a 1-D slice with step 1.
std::vector<Sym> slice_vec(const Importer& im, const OnnxNode& n, const std::vector<Sym>& v) {
  const std::vector<Sym> starts = im.int_vector(n, 1), ends = im.int_vector(n, 2);
  if (starts.size() != 1 || ends.size() != 1 || !starts[0].is_const() || !ends[0].is_const()) {
    im.fail(n, "only 1-D slices of shape vectors with constant bounds are supported");
  }
  if (im.has_input(n, 3)) {
    const std::vector<Sym> axes = im.int_vector(n, 3);
    if (axes.size() != 1 || !(axes[0].value() == 0 || axes[0].value() == -1)) im.fail(n, "shape vectors slice on axis 0");
  }
  if (im.has_input(n, 4)) {
    const std::vector<Sym> steps = im.int_vector(n, 4);
    if (steps.size() != 1 || steps[0].value() != 1) im.fail(n, "shape vectors slice with step 1");
  }
  const int64_t size = static_cast<int64_t>(v.size());
  auto clampi = [&](int64_t x) { return std::max<int64_t>(0, std::min(size, x < 0 ? x + size : x)); };
  const int64_t b = clampi(starts[0].value()), e = clampi(ends[0].value());
  return std::vector<Sym>(v.begin() + b, v.begin() + std::max(b, e));
}

}  // namespace

// Shape -> Cast -> Slice / Gather -> Concat -> Reshape: evaluated here as
// vectors of symbolic dims. True when `n` was such a node.
bool Importer::shape_op(const OnnxNode& n) {
  const std::string& op = n.op_type;
  if (op == "Shape") {
    const Value& x = in(n, 0);
    if (x.kind == Value::Kind::kShape) {  // the shape of a shape vector: its length
      set_shape(n.outputs[0], {Sym::constant(static_cast<int64_t>(x.sv.size()))});
      return true;
    }
    if (x.kind != Value::Kind::kAct) return false;
    std::vector<Sym> s = x.shape();
    const int64_t r = static_cast<int64_t>(s.size());
    int64_t b = n.attr_int("start", 0), e = n.attr_int("end", r);
    b = std::clamp<int64_t>(b < 0 ? b + r : b, 0, r);
    e = std::clamp<int64_t>(e < 0 ? e + r : e, 0, r);
    set_shape(n.outputs[0], std::vector<Sym>(s.begin() + b, s.begin() + std::max(b, e)));
    return true;
  }
  bool any_shape = false;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Value* v = has_input(n, i) ? find(n.inputs[i]) : nullptr;
    if (v != nullptr && v->kind == Value::Kind::kAct) return false;
    any_shape = any_shape || (v != nullptr && v->kind == Value::Kind::kShape);
  }
  if (!any_shape) return false;
  const Value& x = in(n, 0);
  if (op == "Cast" || op == "Identity") {
    set_shape(n.outputs[0], x.sv, x.sv_scalar);
  } else if (op == "Slice") {
    set_shape(n.outputs[0], slice_vec(*this, n, int_vector(n, 0)));
  } else if (op == "Concat") {
    std::vector<Sym> out;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const std::vector<Sym> part = int_vector(n, i);
      out.insert(out.end(), part.begin(), part.end());
    }
    set_shape(n.outputs[0], out);
  } else if (op == "Gather") {
    const std::vector<Sym> v = int_vector(n, 0);
    const OnnxTensor& idx = require_const(n, 1, "indices");
    std::vector<Sym> out;
    for (int64_t i : idx.is_float ? std::vector<int64_t>() : idx.i) {
      out.push_back(v.at(static_cast<size_t>(axis_in(i, v.size(), *this, n))));
    }
    set_shape(n.outputs[0], out, idx.dims.empty());
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    set_shape(n.outputs[0], int_vector(n, 0), op == "Squeeze");
  } else if (op == "Reshape") {
    // A shape vector reshaped to one axis ([-1] or [its length]) stays itself.
    const std::vector<Sym> v = int_vector(n, 0), t = int_vector(n, 1);
    if (t.size() != 1 || !t[0].is_const() || !(t[0].value() == -1 || t[0].value() == static_cast<int64_t>(v.size()))) {
      fail(n, "a shape vector is reshaped only to one axis; " + inputs_str(n));
    }
    set_shape(n.outputs[0], v);
  } else if (op == "Equal") {
    // Decided per element: equal constants, or a dim (>= 1) against a constant < 1.
    const std::vector<Sym> a = int_vector(n, 0), b = int_vector(n, 1);
    if (a.size() != b.size() && a.size() != 1 && b.size() != 1) fail(n, "Equal of shape vectors of different sizes");
    std::vector<Sym> out;
    for (size_t k = 0; k < std::max(a.size(), b.size()); ++k) {
      const Sym& x0 = a[a.size() == 1 ? 0 : k];
      const Sym& y0 = b[b.size() == 1 ? 0 : k];
      if (x0.is_const() && y0.is_const()) out.push_back(Sym::constant(x0.value() == y0.value()));
      else if (x0 == y0) out.push_back(Sym::constant(1));
      else if ((x0.is_const() && x0.value() < 1) || (y0.is_const() && y0.value() < 1)) out.push_back(Sym::constant(0));
      else fail(n, "cannot decide " + x0.str() + " == " + y0.str() + " for every image size; " + inputs_str(n));
    }
    set_shape(n.outputs[0], out);
  } else if (op == "Where") {
    const std::vector<Sym> c = int_vector(n, 0), a = int_vector(n, 1), b = int_vector(n, 2);
    const size_t size = std::max(c.size(), std::max(a.size(), b.size()));
    std::vector<Sym> out;
    for (size_t k = 0; k < size; ++k) {
      auto at = [&](const std::vector<Sym>& v) -> const Sym& {
        if (v.size() != 1 && v.size() != size) fail(n, "Where of shape vectors of different sizes");
        return v[v.size() == 1 ? 0 : k];
      };
      if (!at(c).is_const()) fail(n, "a Where condition that depends on the image size");
      out.push_back(at(c).value() != 0 ? at(a) : at(b));
    }
    set_shape(n.outputs[0], out);
  } else if (op == "Mul" || op == "Div" || op == "Add" || op == "Sub") {
    std::vector<Sym> a = int_vector(n, 0), b = int_vector(n, 1);
    if (a.size() != b.size() && a.size() != 1 && b.size() != 1) fail(n, "shape arithmetic on vectors of different sizes");
    const size_t size = std::max(a.size(), b.size());
    std::vector<Sym> out;
    for (size_t k = 0; k < size; ++k) {
      const Sym& x0 = a[a.size() == 1 ? 0 : k];
      const Sym& y0 = b[b.size() == 1 ? 0 : k];
      if (op == "Mul") out.push_back(x0 * y0);
      else if (op == "Div") out.push_back(x0 / y0);
      else if (x0.is_const() && y0.is_const()) out.push_back(Sym::constant(op == "Add" ? x0.value() + y0.value() : x0.value() - y0.value()));
      else fail(n, "adding symbolic dims (" + x0.str() + ", " + y0.str() + ") is not supported");
    }
    set_shape(n.outputs[0], out);
  } else {
    fail(n, "op type '" + op + "' on shape vectors is not supported; " + inputs_str(n));
  }
  return true;
}

// Views of an activation: no op emitted (layout.cc).
bool Importer::view_op(const OnnxNode& n) {
  const std::string& op = n.op_type;
  if (op != "Reshape" && op != "Transpose" && op != "Squeeze" && op != "Unsqueeze" && op != "Flatten" &&
      op != "Identity" && op != "Cast" && op != "Dropout") {
    return false;
  }
  const Value& x = act_in(n, 0);
  const std::vector<Sym> s = x.shape();
  if (op == "Identity" || op == "Dropout" || op == "Cast") {
    if (op == "Cast" && n.attr_int("to", 1) != 1) fail(n, "activations are cast only to float");
    if (op == "Dropout" && n.outputs.size() > 1 && uses(n.outputs[1]).size() > 0) fail(n, "Dropout's mask output is not supported");
    values_[n.outputs[0]] = x;
    return true;
  }
  if (op == "Transpose") {
    std::vector<int64_t> p = n.attr_ints("perm");
    if (p.empty()) for (size_t i = 0; i < s.size(); ++i) p.insert(p.begin(), static_cast<int64_t>(i));
    if (p.size() != s.size()) fail(n, "perm has " + std::to_string(p.size()) + " axes, the input " + std::to_string(s.size()));
    std::vector<int> np(p.size());
    std::vector<bool> seen(p.size(), false);
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] < 0 || p[i] >= static_cast<int64_t>(p.size()) || seen[static_cast<size_t>(p[i])]) fail(n, "perm is not a permutation");
      seen[static_cast<size_t>(p[i])] = true;
      np[i] = x.perm[static_cast<size_t>(p[i])];
    }
    Value v = x;
    v.perm = np;
    values_[n.outputs[0]] = v;
    return true;
  }
  std::vector<Sym> target;
  if (op == "Reshape") {
    target = int_vector(n, 1);
  } else if (op == "Flatten") {
    const int64_t axis = n.attr_int("axis", 1);
    const int64_t a = axis < 0 ? axis + static_cast<int64_t>(s.size()) : axis;
    if (a < 0 || a > static_cast<int64_t>(s.size())) fail(n, "axis out of range");
    target = {product(std::vector<Sym>(s.begin(), s.begin() + a)), product(std::vector<Sym>(s.begin() + a, s.end()))};
  } else {
    std::vector<int64_t> axes;
    if (has_input(n, 1)) {
      for (const Sym& a : int_vector(n, 1)) axes.push_back(a.value());
    } else {
      axes = n.attr_ints("axes");
    }
    const size_t rank = s.size() + (op == "Unsqueeze" ? axes.size() : 0);
    std::set<int64_t> ax;
    for (int64_t a : axes) ax.insert(axis_in(a, rank, *this, n));
    for (size_t i = 0, j = 0; i < rank; ++i) {
      if (op == "Unsqueeze") {
        target.push_back(ax.count(static_cast<int64_t>(i)) ? Sym::constant(1) : s[j++]);
        continue;
      }
      const bool drop = ax.empty() ? s[i].is_one() : ax.count(static_cast<int64_t>(i)) != 0;
      if (drop && !s[i].is_one()) fail(n, "squeezes axis " + std::to_string(i) + " of size " + s[i].str());
      if (!drop) target.push_back(s[i]);
    }
  }
  reshape_view(n, x, target, n.outputs[0]);
  return true;
}

void Importer::dispatch(const OnnxNode& n) {
  const std::string& op = n.op_type;
  if (fold_node(n)) return;
  if (op == "Expand" && expand_batch(n)) return;
  if (shape_op(n) || view_op(n)) return;
  if (op == "Conv") return conv(n);
  if (op == "ConvTranspose") return conv_transpose(n);
  if (op == "MaxPool" || op == "AveragePool") return pool(n);
  if (op == "GlobalAveragePool") {
    if (squeeze_excitation(n) || cbam_channel(n)) return;
    return global_pool(n);
  }
  if (op == "Resize" || op == "Upsample") return resize(n);
  if (op == "Concat") return concat(n);
  if (op == "Slice") return slice(n);
  if (op == "Gather") return gather(n);
  if (op == "BatchNormalization") return batch_norm(n);
  if (op == "ReduceMean" && layer_norm(n)) return;
  if ((op == "ReduceMean" || op == "ReduceMax") && spatial_attention(n)) return;
  if (op == "LayerNormalization") return layer_normalization(n);
  if (op == "ReduceMean") return reduce_mean(n);
  if (op == "Softmax") return softmax(n);
  if (op == "MatMul" || op == "Gemm") return matmul(n);
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") return elementwise(n);
  if (op == "Relu" || op == "Sigmoid" || op == "HardSigmoid" || op == "HardSwish" || op == "Clip") return activation(n);
  fail(n, "op type '" + op + "' is not supported here; " + inputs_str(n));
}

void Importer::setup_input() {
  if (m_.inputs.size() != 1) throw ConvertError(m_.source + ": the graph must have one input (an NCHW image), has " + std::to_string(m_.inputs.size()));
  const OnnxValueInfo& v = m_.inputs[0];
  const std::string what = m_.source + ": input '" + v.name + "'";
  if (v.elem_type != 1) throw ConvertError(what + ": must be float, is type " + std::to_string(v.elem_type));
  if (!v.has_shape || v.dims.size() != 4) throw ConvertError(what + ": must be an NCHW image [N, C, H, W]");
  if (v.dims[1].value <= 0) throw ConvertError(what + ": the channel count (dim 1) must be fixed");
  auto image_dim = [&](const OnnxDim& d, int64_t option, bool is_h) {
    const char* name = is_h ? "height" : "width";
    if (option > 0) {
      if (d.value > 0 && d.value != option) {
        throw ConvertError(what + ": the file fixes the " + name + " to " + std::to_string(d.value) + ", the option asks " + std::to_string(option));
      }
      return Sym::constant(option);
    }
    if (d.value > 0) return Sym::constant(d.value);
    return is_h ? Sym::height(1) : Sym::width(1);
  };
  const Sym h = image_dim(v.dims[2], opt_.image_height, true);
  const Sym w = image_dim(v.dims[3], opt_.image_width, false);
  // A batch the file fixes (e.g. a clip model [1, T, H, W]) stays fixed.
  const Sym b = v.dims[0].value > 0 ? Sym::constant(v.dims[0].value) : Sym::batch();
  const std::vector<Sym> phys = {b, h, w, Sym::constant(v.dims[1].value)};
  const int t = new_tensor(v.name, phys, what);
  set_act(v.name, t, phys, {0, 3, 1, 2});
  mb_.set_graph_io({t}, {});
}

// Outputs in the layout a caller expects: NHWC for 4-D, else as ONNX.
void Importer::setup_outputs() {
  std::vector<int32_t> outs;
  for (const OnnxValueInfo& o : m_.outputs) {
    const Value* v = find(o.name);
    if (v == nullptr || v->kind != Value::Kind::kAct) {
      throw ConvertError(m_.source + ": output '" + o.name + "' is not an activation computed by the graph");
    }
    const std::vector<int> order = v->rank() == 4 ? nhwc_order() : identity(v->rank());
    int t = materialize(*v, order, true, m_.source + ": output '" + o.name + "'");
    if (t == values_.at(m_.inputs[0].name).tensor || std::find(outs.begin(), outs.end(), t) != outs.end()) {
      const int copy = new_tensor(o.name, phys_.at(t), m_.source);
      mb_.add_op(fb::OpCode::Reshape, {t}, {copy}, o.name + ".copy");
      t = copy;
    }
    outs.push_back(t);
  }
  mb_.set_graph_io({values_.at(m_.inputs[0].name).tensor}, outs);
}

void Importer::run() {
  for (const OnnxNode& n : m_.nodes) {
    for (const std::string& o : n.outputs) {
      if (values_.count(o) != 0 && m_.initializers.count(o) != 0) fail(n, "output '" + o + "' overwrites an initializer");
    }
    run_folding_pass_node(n);
  }
  for (const OnnxNode& n : m_.nodes) {
    if (done_[n.index]) continue;
    for (const std::string& i : n.inputs) {
      if (!i.empty()) uses_[i].push_back(n.index);
    }
    for (const std::string& o : n.outputs) producer_[o] = n.index;
  }
  setup_input();
  for (const OnnxNode& n : m_.nodes) {
    if (done_[n.index]) continue;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (has_input(n, i)) (void)in(n, i);  // defined by an earlier node (else one error naming it)
    }
    dispatch(n);
    done_[n.index] = true;
  }
  setup_outputs();
}

}  // namespace onnx_import

namespace {

namespace fs = std::filesystem;
using onnx_import::GraphOptions;
using onnx_import::Importer;
using onnx_import::OnnxModel;

// RapidOCR's recognizer keeps its character list in metadata "character",
// one per line; its CTC output is [blank, characters..., " "].
std::unique_ptr<fb::TokenizerT> ctc_tokenizer(const OnnxModel& m) {
  auto it = m.metadata.find("character");
  if (it == m.metadata.end()) return nullptr;
  auto t = std::make_unique<fb::TokenizerT>();
  t->kind = fb::TokenizerKind::CtcCharacters;
  t->pieces.push_back("");  // id 0: the CTC blank
  const std::string& s = it->second;
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    std::string line = s.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    t->pieces.push_back(line);
    start = end + 1;
  }
  t->pieces.push_back(" ");
  return t;
}

void import_graph(const OnnxModel& m, const std::string& method, const OnnxImageSize& size, ModelBuilder& mb) {
  mb.begin_method(method);
  GraphOptions o;
  o.image_height = size.height;
  o.image_width = size.width;
  try {
    Importer(m, o, mb).run();
  } catch (const ConvertError& e) {
    const std::string msg = e.what();
    if (msg.compare(0, m.source.size() + 1, m.source + ":") == 0) throw;
    throw ConvertError(m.source + ": " + msg);
  }
  if (auto tok = ctc_tokenizer(m)) {
    if (mb.model().tokenizer) throw ConvertError(m.source + ": a second recognizer character list (one per model)");
    // The pieces must match the output classes.
    const auto& graph = *mb.model().graphs.back();
    const int out = graph.outputs.empty() ? -1 : graph.outputs[0];
    const auto& dims = mb.model().tensors[static_cast<size_t>(out)]->dims;
    if (!dims.empty() && dims.back().kind() == fb::DimKind::Fixed &&
        dims.back().value() != static_cast<int64_t>(tok->pieces.size())) {
      throw ConvertError(m.source + ": metadata 'character' gives " + std::to_string(tok->pieces.size()) +
                         " classes with the blank and the space, the output has " + std::to_string(dims.back().value()));
    }
    mb.model().tokenizer = std::move(tok);
  }
}

void finish_model(ModelBuilder& mb, const std::string& input) {
  mb.hparams().architecture = fb::Architecture::ImportedGraph;
  set_producer(mb, input, "onnx");
}

// "det", "cls" or "rec" when the stem has that word (split at _ - . and
// spaces), else the stem.
std::string method_name(const std::string& stem) {
  std::string word;
  for (size_t i = 0; i <= stem.size(); ++i) {
    const char c = i < stem.size() ? stem[i] : '_';
    if (c == '_' || c == '-' || c == '.' || c == ' ') {
      if (word == "det" || word == "cls" || word == "rec") return word;
      word.clear();
    } else {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return stem;
}

OnnxImageSize size_for(const OnnxImportOptions& o, const std::string& method, bool rapidocr_defaults) {
  OnnxImageSize s = o.all;
  if (rapidocr_defaults && s.height == 0 && s.width == 0) {
    // RapidOCR's own input sizes: rec lines are 48 high; cls takes 48x192.
    if (method == "rec") s.height = 48;
    if (method == "cls") s = OnnxImageSize{48, 192};
  }
  auto it = o.methods.find(method);
  if (it != o.methods.end()) {
    if (it->second.height > 0) s.height = it->second.height;
    if (it->second.width > 0) s.width = it->second.width;
  }
  return s;
}

}  // namespace

void import_onnx_bytes(const uint8_t* data, size_t size, const std::string& source, const std::string& method,
                       const OnnxImageSize& size_option, ModelBuilder& mb) {
  const OnnxModel m = onnx_import::read_onnx(data, size, source);
  import_graph(m, method, size_option, mb);
  finish_model(mb, source);
}

void import_onnx(const std::string& input, const OnnxImportOptions& options, ModelBuilder& mb) {
  if (!fs::is_directory(input)) {
    const OnnxModel m = onnx_import::read_onnx_file(input);
    import_graph(m, "forward", size_for(options, "forward", false), mb);
    finish_model(mb, input);
    return;
  }
  const std::vector<fs::path> files = onnx_files(input);
  if (files.empty()) throw_convert_error(input, "no .onnx files in the folder");
  std::set<std::string> names;
  bool rapidocr = true;
  for (const fs::path& f : files) rapidocr = rapidocr && method_name(f.stem().string()) != f.stem().string();
  for (const fs::path& f : files) {
    const std::string method = method_name(f.stem().string());
    if (!names.insert(method).second) throw_convert_error(input, "two files give method '" + method + "'");
    const OnnxModel m = onnx_import::read_onnx_file(f.string());
    import_graph(m, method, size_for(options, method, rapidocr), mb);
  }
  for (const auto& [method, size] : options.methods) {
    if (names.count(method) == 0) throw_convert_error(input, "an image size is given for method '" + method + "', which no file has");
  }
  finish_model(mb, input);
}

}  // namespace edgeattn::convert
