#!/usr/bin/env python3
"""Coefficients of the x86 GELU's table (kernels/x86/avx2_math.h, kGeluTail).

The kernel computes gelu(x) = x Phi(x) from g(a) = Phi(-a) = erfc(a / sqrt 2) / 2,
a = |x| < 6, as one degree-6 polynomial per interval of 0.75 (8 intervals: one
vpermps lane each) in u = a * 8/6 - interval, u in [0, 1); g = 0 from a = 6
(g(6) = 1e-9). Each interval is fitted by least squares at 400 Chebyshev nodes
in double (near-minimax), then rounded to float. This script prints the C++
table and the error of a float32 emulation (Horner with a rounding per step,
no FMA: a bound on the kernel's) against erfc in double:

    python3 scripts/gen_gelu_table.py      # needs numpy

Printed on 2026-12-07: g abs err 4.9e-08, gelu worst ratio 0.305 of the kernel
test's bound 3e-7 max(1, |x|) (tests/kernels/elementwise_test.cc).
"""
from math import erfc, sqrt

import numpy as np

LIMIT, INTERVALS, DEGREE = 6.0, 8, 6


def g(a):
    return 0.5 * erfc(a / sqrt(2.0))


def fit():
    width = LIMIT / INTERVALS
    u = (np.cos(np.linspace(0.0, np.pi, 400)) + 1.0) / 2.0
    vander = np.vander(u, DEGREE + 1, increasing=True)
    coefs = []
    for i in range(INTERVALS):
        y = np.array([g((i + t) * width) for t in u])
        c, *_ = np.linalg.lstsq(vander, y, rcond=None)
        coefs.append(c.astype(np.float32))
    return np.array(coefs)  # [interval, power]


def emulate(coefs, x):
    a = np.minimum(np.abs(x), np.float32(LIMIT))
    v = (a * np.float32(INTERVALS / LIMIT)).astype(np.float32)
    idx = v.astype(np.int32) % INTERVALS
    u = (v - v.astype(np.int32).astype(np.float32)).astype(np.float32)
    p = coefs[idx, DEGREE].copy()
    for k in range(DEGREE - 1, -1, -1):
        p = (p * u + coefs[idx, k]).astype(np.float32)
    p = np.where(np.abs(x) < LIMIT, p, np.float32(0.0))
    q = (x * p).astype(np.float32)
    return p, np.where(x < 0, q, (x - q).astype(np.float32))


def main():
    coefs = fit()
    x = np.linspace(-8.0, 8.0, 400001).astype(np.float32)
    p, y = emulate(coefs, x)
    xd = x.astype(np.float64)
    want_g = np.array([g(abs(t)) if abs(t) < LIMIT else 0.0 for t in xd])
    want_y = np.array([0.5 * t * erfc(-t / sqrt(2.0)) for t in xd])
    ratio = np.abs(y - want_y) / (3e-7 * np.maximum(1.0, np.abs(xd)))
    print(f"// g abs err {np.abs(p - want_g).max():.1e}, gelu worst ratio {ratio.max():.3f} "
          f"at x = {x[ratio.argmax()]:.4f}")
    print(f"alignas(32) static const float kGeluTail[{DEGREE + 1}][{INTERVALS}] = {{  // [power][interval]")
    for k in range(DEGREE + 1):
        print("    {" + ", ".join(f"{float(c):.9e}f" for c in coefs[:, k]) + "},")
    print("};")


if __name__ == "__main__":
    main()
