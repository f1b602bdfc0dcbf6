// Portable exp/log/sin/cos/erf (portable_math.h). Built with
// -ffp-contract=off: every line is a sequence of separately rounded IEEE
// operations, so the result bits depend on the input only. The coefficients
// are literals (1/n! etc., each the correctly rounded double, generated with
// Python's exact integer division), never computed at run time.
#include "kernels/reference/portable_math.h"

#include <cstdint>
#include <cstring>
#include <limits>

namespace edgeattn {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ln 2 = kLn2Hi + kLn2Lo; kLn2Hi has 32 significant bits, so k * kLn2Hi is
// exact for |k| < 2^21.
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000
constexpr double kLn2Lo = 1.9082149292705877e-10;
constexpr double kInvLn2 = 1.4426950408889634;
constexpr double kSqrt2 = 1.4142135623730951;

// pi/2 = kPio2A + kPio2B + kPio2C; A and B have 33 significant bits, so
// k * A and k * B are exact for |k| < 2^20.
constexpr double kPio2A = 1.5707963267341256;
constexpr double kPio2B = 6.077100506303966e-11;
constexpr double kPio2C = 2.0222662487959506e-21;
constexpr double kTwoOverPi = 0.6366197723675814;

constexpr double kTwoOverSqrtPi = 1.1283791670955126;
constexpr double kOneOverSqrtPi = 0.5641895835477563;

// 1/n!, n = 0..13: exp(r) on |r| <= ln2/2 to ~0.05 ulp.
constexpr double kInvFactorial[14] = {
    1.0, 1.0, 0.5, 0.16666666666666666, 0.041666666666666664, 0.008333333333333333,
    0.001388888888888889, 0.0001984126984126984, 2.48015873015873e-05, 2.7557319223985893e-06,
    2.755731922398589e-07, 2.505210838544172e-08, 2.08767569878681e-09, 1.6059043836821613e-10};

// 1/(2j+1), j = 1..12: log(m) = 2 atanh(s) on |s| <= 0.172.
constexpr double kInvOdd[12] = {
    0.3333333333333333,   0.2,  0.14285714285714285,  0.1111111111111111,
    0.09090909090909091,  0.07692307692307693, 0.06666666666666667, 0.058823529411764705,
    0.05263157894736842,  0.047619047619047616, 0.043478260869565216, 0.04};

// (-1)^j/(2j+1)!, j = 1..8 (sin) and (-1)^j/(2j)!, j = 1..9 (cos) on |r| <= pi/4.
constexpr double kSinCoef[8] = {-0.16666666666666666,   0.008333333333333333,   -0.0001984126984126984,
                                2.7557319223985893e-06, -2.505210838544172e-08, 1.6059043836821613e-10,
                                -7.647163731819816e-13, 2.8114572543455206e-15};
constexpr double kCosCoef[9] = {-0.5,
                                0.041666666666666664,
                                -0.001388888888888889,
                                2.48015873015873e-05,
                                -2.755731922398589e-07,
                                2.08767569878681e-09,
                                -1.1470745597729725e-11,
                                4.779477332387385e-14,
                                -1.5619206968586225e-16};

double from_bits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, sizeof d);
  return d;
}
uint64_t to_bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

// 2^e for a normal exponent e in [-1022, 1023], exactly.
double pow2(int e) { return from_bits(static_cast<uint64_t>(e + 1023) << 52); }

// p * 2^k with one rounding (only when the result is subnormal or overflows).
double scale(double p, int k) {
  if (k > 1023) return p * pow2(1023) * 2.0;
  if (k < -1022) return (p * pow2(k + 64)) * pow2(-64);
  return p * pow2(k);
}

int64_t round_to_int(double v) { return static_cast<int64_t>(v < 0.0 ? v - 0.5 : v + 0.5); }

double sin_poly(double r) {  // |r| <= pi/4 (+ a little)
  const double z = r * r;
  double p = kSinCoef[7];
  for (int j = 6; j >= 0; --j) p = p * z + kSinCoef[j];
  return r + r * (z * p);
}

double cos_poly(double r) {
  const double z = r * r;
  double p = kCosCoef[8];
  for (int j = 7; j >= 0; --j) p = p * z + kCosCoef[j];
  return 1.0 + z * p;
}

// x = k * pi/2 + r, |r| <= pi/4; returns k mod 4, or -1 when x is not finite
// or too large to reduce (|x| >= 2^52).
int reduce_pio2(double x, double* r) {
  if (!(x - x == 0.0)) return -1;  // inf or NaN
  const double a = x < 0.0 ? -x : x;
  if (a >= 4503599627370496.0) return -1;
  const int64_t k = round_to_int(x * kTwoOverPi);
  const double kd = static_cast<double>(k);
  *r = ((x - kd * kPio2A) - kd * kPio2B) - kd * kPio2C;
  return static_cast<int>(k & 3);
}

}  // namespace

double portable_exp(double x) {
  if (x != x) return x;
  if (x > 709.782712893384) return kInf;
  if (x < -745.1332191019412) return 0.0;
  const int k = static_cast<int>(round_to_int(x * kInvLn2));
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;  // [-ln2/2, ln2/2]
  double p = kInvFactorial[13];
  for (int i = 12; i >= 0; --i) p = p * r + kInvFactorial[i];
  return scale(p, k);
}

double portable_log(double x) {
  if (x != x) return x;
  if (x < 0.0) return kNaN;
  if (x == 0.0) return -kInf;
  if (x == kInf) return x;
  int e = 0;
  if (x < 2.2250738585072014e-308) {  // subnormal: make it normal first
    x = x * 18014398509481984.0;      // 2^54
    e = -54;
  }
  const uint64_t bits = to_bits(x);
  e += static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  double m = from_bits((bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1023} << 52));  // [1, 2)
  if (m > kSqrt2) {
    m = m * 0.5;
    ++e;
  }
  const double s = (m - 1.0) / (m + 1.0);  // |s| <= 0.172
  const double z = s * s;
  double p = kInvOdd[11];
  for (int j = 10; j >= 0; --j) p = p * z + kInvOdd[j];
  const double log_m = 2.0 * s + 2.0 * s * (z * p);
  return e * kLn2Hi + (e * kLn2Lo + log_m);
}

double portable_pow(double x, double y) { return portable_exp(y * portable_log(x)); }

double portable_sin(double x) {
  double r = 0.0;
  switch (reduce_pio2(x, &r)) {
    case 0: return sin_poly(r);
    case 1: return cos_poly(r);
    case 2: return -sin_poly(r);
    case 3: return -cos_poly(r);
    default: return kNaN;
  }
}

double portable_cos(double x) {
  double r = 0.0;
  switch (reduce_pio2(x, &r)) {
    case 0: return cos_poly(r);
    case 1: return -sin_poly(r);
    case 2: return -cos_poly(r);
    case 3: return sin_poly(r);
    default: return kNaN;
  }
}

double portable_erf(double x) {
  if (x != x) return x;
  const double a = x < 0.0 ? -x : x;
  double y;
  if (a < 2.0) {
    // 2/sqrt(pi) * sum_n (-1)^n a^(2n+1) / (n! (2n+1)); terms stay below 2.4,
    // so the cancellation costs at most a few ulp.
    const double z = a * a;
    double term = a;  // (-1)^n a^(2n+1) / n!
    double sum = a;
    for (int n = 1; n < 64; ++n) {
      term = term * -z / n;
      const double t = term / (2 * n + 1);
      sum = sum + t;
      if ((t < 0.0 ? -t : t) <= 1e-17 * sum) break;
    }
    y = kTwoOverSqrtPi * sum;
  } else if (a < 6.0) {
    // erfc(a) = exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))),
    // 60 levels: converged to < 1e-16 relative for a >= 2.
    double f = a;
    for (int n = 60; n >= 1; --n) f = a + (0.5 * n) / f;
    y = 1.0 - portable_exp(-(a * a)) * kOneOverSqrtPi / f;
  } else {
    y = 1.0;  // erfc(6) = 2e-17: below half an ulp of 1
  }
  return x < 0.0 ? -y : y;
}

}  // namespace edgeattn
