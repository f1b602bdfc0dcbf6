// Symbolic dims of an imported image graph.
//
// A Sym is a monomial (num / den) * B^b * H^h * W^w over the batch B and the
// image height H and width W, with small integer exponents, so products and
// quotients of dims (Reshape's -1, shape arithmetic) stay exact. Only some
// are dims edgeattn can store (to_dim): a positive integer (Fixed), B
// (Batch), H / d and W / d (Height / Width with divisor d >= 1). Anything
// else (3H/8, H*W/64) is an error where a tensor needs it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schema/edgeattn_generated.h"

namespace edgeattn::convert::onnx_import {

struct Sym {
  int64_t num = 1;
  int64_t den = 1;  // > 0, gcd(num, den) == 1
  int b = 0, h = 0, w = 0;

  static Sym constant(int64_t v) { return Sym{v, 1, 0, 0, 0}; }
  static Sym batch() { return Sym{1, 1, 1, 0, 0}; }
  static Sym height(int64_t divisor) { return Sym{1, divisor, 0, 1, 0}; }
  static Sym width(int64_t divisor) { return Sym{1, divisor, 0, 0, 1}; }

  bool is_const() const { return b == 0 && h == 0 && w == 0 && den == 1; }
  int64_t value() const { return num; }  // is_const() only
  bool is_one() const { return is_const() && num == 1; }
  // A dim edgeattn stores (see above).
  bool representable() const;
  fb::Dim to_dim() const;  // representable() only
  std::string str() const;
};

// Exact arithmetic; throw ConvertError(what + ...) on overflow (|num|, den
// over 2^40) or a zero divisor.
Sym operator*(const Sym& a, const Sym& b);
Sym operator/(const Sym& a, const Sym& b);
bool operator==(const Sym& a, const Sym& b);
inline bool operator!=(const Sym& a, const Sym& b) { return !(a == b); }
// True when b / a is a positive integer times a monomial with non-negative
// exponents (a "divides" b): used to group Reshape axes.
bool divides(const Sym& a, const Sym& b);

Sym product(const std::vector<Sym>& dims);
std::string shape_str(const std::vector<Sym>& dims);
std::vector<fb::Dim> to_dims(const std::vector<Sym>& dims, const std::string& what);

}  // namespace edgeattn::convert::onnx_import
