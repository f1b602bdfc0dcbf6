#include "converter/onnx/sym.h"

#include <cstdlib>

#include "converter/source/convert_error.h"

namespace edgeattn::convert::onnx_import {
namespace {

constexpr int64_t kLimit = int64_t{1} << 40;

int64_t gcd64(int64_t a, int64_t b) {
  a = a < 0 ? -a : a;
  while (b != 0) { const int64_t t = a % b; a = b; b = t < 0 ? -t : t; }
  return a;
}

int64_t checked_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r) || r > kLimit || r < -kLimit) {
    throw ConvertError("dims overflow (a shape's value exceeds 2^40)");
  }
  return r;
}

// (an / ad) * (bn / bd), reduced before multiplying.
Sym combine(int64_t an, int64_t ad, int64_t bn, int64_t bd, int b, int h, int w) {
  if (ad == 0 || bd == 0) throw ConvertError("division of a dim by zero");
  int64_t g1 = gcd64(an, bd), g2 = gcd64(bn, ad);
  if (g1 == 0) g1 = 1;
  if (g2 == 0) g2 = 1;
  int64_t num = checked_mul(an / g1, bn / g2), den = checked_mul(ad / g2, bd / g1);
  if (den < 0) { num = -num; den = -den; }
  const int64_t g = gcd64(num, den);
  if (g > 1) { num /= g; den /= g; }
  if (b > 8 || h > 8 || w > 8 || b < -8 || h < -8 || w < -8) throw ConvertError("dims overflow (exponent)");
  return Sym{num, den, b, h, w};
}

}  // namespace

bool Sym::representable() const {
  const int symbols = (b != 0) + (h != 0) + (w != 0);
  if (symbols == 0) return den == 1 && num >= 1;
  if (symbols != 1 || num != 1) return false;
  if (b != 0) return b == 1 && den == 1;
  return (h == 1 || w == 1) && den >= 1;
}

fb::Dim Sym::to_dim() const {
  if (is_const()) return fb::Dim(fb::DimKind::Fixed, num);
  if (b == 1) return fb::Dim(fb::DimKind::Batch, 0);
  return fb::Dim(h == 1 ? fb::DimKind::Height : fb::DimKind::Width, den);
}

std::string Sym::str() const {
  std::string s;
  auto term = [&](const char* n, int e) {
    if (e == 0) return;
    if (!s.empty()) s += "*";
    s += n;
    if (e != 1) s += "^" + std::to_string(e);
  };
  if (num != 1 || (b == 0 && h == 0 && w == 0)) s = std::to_string(num);
  term("B", b);
  term("H", h);
  term("W", w);
  if (den != 1) s += "/" + std::to_string(den);
  return s;
}

Sym operator*(const Sym& a, const Sym& b) {
  return combine(a.num, a.den, b.num, b.den, a.b + b.b, a.h + b.h, a.w + b.w);
}

Sym operator/(const Sym& a, const Sym& b) {
  if (b.num == 0) throw ConvertError("division of a dim by zero");
  return combine(a.num, a.den, b.den, b.num, a.b - b.b, a.h - b.h, a.w - b.w);
}

bool operator==(const Sym& a, const Sym& b) {
  return a.num == b.num && a.den == b.den && a.b == b.b && a.h == b.h && a.w == b.w;
}

bool divides(const Sym& a, const Sym& b) {
  if (a.num == 0) return false;
  const Sym q = b / a;
  return q.den == 1 && q.num >= 1 && q.b >= 0 && q.h >= 0 && q.w >= 0;
}

Sym product(const std::vector<Sym>& dims) {
  Sym p = Sym::constant(1);
  for (const Sym& d : dims) p = p * d;
  return p;
}

std::string shape_str(const std::vector<Sym>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + dims[i].str();
  return s + "]";
}

std::vector<fb::Dim> to_dims(const std::vector<Sym>& dims, const std::string& what) {
  std::vector<fb::Dim> out;
  for (const Sym& d : dims) {
    if (!d.representable()) {
      throw ConvertError(what + ": shape " + shape_str(dims) + " has dim " + d.str() +
                         ", which is not a whole fraction of the image size (fix the size with --image-height / "
                         "--image-width)");
    }
    out.push_back(d.to_dim());
  }
  return out;
}

}  // namespace edgeattn::convert::onnx_import
