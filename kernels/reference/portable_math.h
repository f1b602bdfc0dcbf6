// Portable elementary functions for the reference kernels: exp, log, sin,
// cos and erf in double, written with IEEE-754 additions, multiplications
// and divisions only (no libm, no FMA: portable_math.cc is built with
// -ffp-contract=off), evaluated in a fixed order.
//
// Why not libm: glibc's exp/expf/erf/sinf/cosf/powf take different code
// paths per architecture and even per x86 CPU (FMA ifunc variants), so the
// same input can give a different last bit on x86-64 and on aarch64. These
// give the same bits on every IEEE-754 target (x86-64 SSE2, AArch64, ARMv7
// VFP), which is what makes the reference kernel table bit-identical across
// architectures (targets/README.md "Bit-identity").
//
// Accuracy (tests/kernels/portable_math_test.cc, against the platform libm
// in double): 1-2 ulp of double (erf: 1.4e-15 absolute), so a result rounded
// to float is the correctly rounded float except when the true value lies
// within a few ulp of double of a float rounding midpoint (none in the ~4 M
// inputs the test samples).
// sin/cos reduce the argument with a three-part pi/2 (Cody-Waite), exact for
// |x| < 2^20 * pi/2 (1.6e6); beyond that they stay deterministic but lose
// accuracy (RoPE angles are position * freq <= max_context).
//
// Example:
//   const float e = portable_expf(score - max_score);   // softmax weight
#pragma once

namespace edgeattn {

double portable_exp(double x);   // e^x; +inf above 709.78, 0 below -745.13
double portable_log(double x);   // natural log; -inf at 0, NaN below 0
double portable_sin(double x);
double portable_cos(double x);
double portable_erf(double x);
double portable_pow(double x, double y);  // exp(y * log(x)), x > 0

// e^x for float input, rounded once to float.
inline float portable_expf(float x) { return static_cast<float>(portable_exp(static_cast<double>(x))); }

}  // namespace edgeattn
