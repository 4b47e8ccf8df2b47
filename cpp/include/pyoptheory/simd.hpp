// Vectorizable building blocks without -ffast-math: a branch-free exp, a dot product with
// independent partial sums, and a dispatch macro for AVX2/FMA clones of the hot row kernels.
//
// exp(x) = 2^k exp(r), k = round(x / ln 2), r = x - k ln 2 (Cody-Waite, two-part ln 2, so r is
// exact), |r| <= ln(2)/2, exp(r) by its degree-13 Taylor polynomial (truncation error below
// 4.2e-18 relative), 2^k assembled from the exponent bits.  Measured against std::exp over
// [-707, 709.7] (3e6 points): at most 1 ulp.  Special values: NaN -> NaN, x > 709.7827 -> +inf, and x < -707
// -> 0 (exp(x) < 1.1e-307: results in the subnormal range are flushed to zero; every sum this
// library forms with it contains a term >= 1 or is compared with a positive mass, so the flush
// changes no result in double precision).  All other arithmetic is IEEE double.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(PYOPTHEORY_NO_CLONES)
// GCC emits one clone per target and picks one at load time (ifunc): x86-64-v3 (AVX2 + FMA) where
// the CPU supports it, else baseline x86-64 (SSE2).  ("arch=haswell" would dispatch on the CPU model.)
#define PYOPTHEORY_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define PYOPTHEORY_CLONES
#endif

#if defined(__GNUC__)
#define PYOPTHEORY_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define PYOPTHEORY_ALWAYS_INLINE inline
#endif

namespace pyoptheory {

PYOPTHEORY_ALWAYS_INLINE double vexp(double x) {
  constexpr double log2e = 1.4426950408889634074;
  constexpr double ln2hi = 6.93147180369123816490e-01;  // 32 significant bits: k * ln2hi is exact
  constexpr double ln2lo = 1.90821492927058770002e-10;
  constexpr double shifter = 6755399441055744.0;  // 1.5 * 2^52: adding it rounds to an integer in the low bits
  double xc = x < -707.0 ? -707.0 : x;
  xc = xc > 709.79 ? 709.79 : xc;
  const double t = xc * log2e + shifter;
  const double k = t - shifter;
  const double r = (xc - k * ln2hi) - k * ln2lo;
  double p = 1.0 / 6227020800.0;  // 1/13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  int64_t tb, sb;
  std::memcpy(&tb, &t, sizeof tb);
  std::memcpy(&sb, &shifter, sizeof sb);
  const int64_t scale_bits = (tb - sb + 1022) << 52;  // 2^(k-1): k in [-1020, 1024] keeps it normal
  double scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  double res = p * scale * 2.0;
  res = x < -707.0 ? 0.0 : res;
  res = x > 709.79 ? std::numeric_limits<double>::infinity() : res;  // (709.7827, 709.79] overflows above
  return x != x ? x : res;
}

// sum_j x_j y_j with eight independent partial sums: without -ffast-math the compiler may not
// reorder a single running sum, which would leave the loop bound by the latency of one add.
PYOPTHEORY_ALWAYS_INLINE double dot(const double* x, const double* y, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int u = 0; u < 8; ++u) acc[u] += x[j + u] * y[j + u];
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; j < n; ++j) s += x[j] * y[j];
  return s;
}

}  // namespace pyoptheory
