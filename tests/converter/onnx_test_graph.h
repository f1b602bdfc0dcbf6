// Builds small ONNX ModelProtos for the importer's tests (protobuf API).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace edgeattn::testing {

class OnnxGraph {
 public:
  explicit OnnxGraph(int opset = 12) {
    m_.set_ir_version(7);
    auto* o = m_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    g_ = m_.mutable_graph();
    g_->set_name("test");
  }

  // An NCHW float input; a dim of -1 is symbolic.
  void input(const std::string& name, const std::vector<int64_t>& dims) {
    auto* v = g_->add_input();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    for (size_t i = 0; i < dims.size(); ++i) {
      auto* d = t->mutable_shape()->add_dim();
      if (dims[i] > 0) d->set_dim_value(dims[i]); else d->set_dim_param("d" + std::to_string(i));
    }
  }
  void output(const std::string& name) { g_->add_output()->set_name(name); }

  std::string constant(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& data) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    for (float f : data) t->add_float_data(f);
    return name;
  }
  std::string ints(const std::string& name, const std::vector<int64_t>& data) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(data.size()));
    for (int64_t v : data) t->add_int64_data(v);
    return name;
  }
  std::string scalar(const std::string& name, float v) { return constant(name, {}, {v}); }
  // A Constant node holding one float (paddle2onnx's form).
  std::string constant_node(const std::string& name, float v) {
    auto* n = node("Constant", {}, {name}, name + ".node");
    auto* a = n->add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    a->mutable_t()->add_dims(1);
    a->mutable_t()->add_float_data(v);
    return name;
  }

  onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& in, const std::vector<std::string>& out,
                        const std::string& name) {
    auto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : in) n->add_input(i);
    for (const auto& o : out) n->add_output(o);
    return n;
  }
  static void attr(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }
  static void attr(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }

  // Conv with square kernel k, stride s, pads p (all sides), weights w[i] = f(i).
  onnx::NodeProto* conv(const std::string& x, const std::string& out, int64_t cin, int64_t cout, int64_t k, int64_t s,
                        int64_t p, bool bias, int64_t group = 1) {
    std::vector<float> w(static_cast<size_t>(cout * (cin / group) * k * k));
    for (size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * static_cast<float>(i % 17) - 0.05f;
    std::vector<std::string> in = {x, constant(out + ".w", {cout, cin / group, k, k}, w)};
    if (bias) {
      std::vector<float> b(static_cast<size_t>(cout));
      for (size_t i = 0; i < b.size(); ++i) b[i] = 0.1f * static_cast<float>(i);
      in.push_back(constant(out + ".b", {cout}, b));
    }
    auto* n = node("Conv", in, {out}, out + ".conv");
    attr(n, "kernel_shape", std::vector<int64_t>{k, k});
    attr(n, "strides", std::vector<int64_t>{s, s});
    attr(n, "pads", std::vector<int64_t>{p, p, p, p});
    attr(n, "group", group);
    return n;
  }

  onnx::ModelProto& model() { return m_; }
  onnx::GraphProto& graph() { return *g_; }
  std::string bytes() const { return m_.SerializeAsString(); }

 private:
  onnx::ModelProto m_;
  onnx::GraphProto* g_;
};

}  // namespace edgeattn::testing
