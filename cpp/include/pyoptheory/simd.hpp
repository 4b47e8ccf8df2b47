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
// GCC emits one clone per target and picks one at load time (ifunc): x86-64-v4 (AVX-512) or x86-64-v3
// (AVX2 + FMA) where the CPU supports it, else baseline x86-64 (SSE2).  ("arch=haswell" would dispatch
// on the CPU model.)  The v4 clone runs the particle noise (Box-Muller) 1.7x faster than the v3 one.
#define PYOPTHEORY_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
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


// sum_j x_j with eight independent partial sums in a fixed order (the same on every thread count; the
// AVX clones may contract products into FMAs, so results can differ from the baseline clone in the last bit).
PYOPTHEORY_ALWAYS_INLINE double vsum(const double* x, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int u = 0; u < 8; ++u) acc[u] += x[j + u];
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; j < n; ++j) s += x[j];
  return s;
}

// log(x) for finite x > 0 (normal numbers; the Box-Muller radius only ever sees x in [2^-53, 1]).
// x = 2^e m with m in [sqrt(1/2), sqrt(2)), f = m - 1 (exact), s = f / (2 + f), and
// log(1 + f) = 2 atanh(s) = 2 s (1 + s^2/3 + s^4/5 + ...), |s| <= 0.1716, truncated after s^22
// (relative truncation error below 1e-18).  Measured against std::log on (0, 1]: at most 2 ulp.
PYOPTHEORY_ALWAYS_INLINE double vlog(double x) {
  constexpr double ln2hi = 6.93147180369123816490e-01;
  constexpr double ln2lo = 1.90821492927058770002e-10;
  uint64_t bits;  // unsigned shifts and no integer-to-double conversion: both vectorize on AVX2
  std::memcpy(&bits, &x, sizeof bits);
  const uint64_t ebits = (bits >> 52) | 0x4330000000000000ULL;  // 2^52 + biased exponent
  double ed;
  std::memcpy(&ed, &ebits, sizeof ed);
  ed -= 4503599627370496.0 + 1023.0;
  const uint64_t mbits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
  double m;
  std::memcpy(&m, &mbits, sizeof m);
  const bool big = m > 1.4142135623730951;
  m = big ? 0.5 * m : m;
  ed = big ? ed + 1.0 : ed;
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double s2 = s * s;
  double p = 1.0 / 23.0;
  p = p * s2 + 1.0 / 21.0;
  p = p * s2 + 1.0 / 19.0;
  p = p * s2 + 1.0 / 17.0;
  p = p * s2 + 1.0 / 15.0;
  p = p * s2 + 1.0 / 13.0;
  p = p * s2 + 1.0 / 11.0;
  p = p * s2 + 1.0 / 9.0;
  p = p * s2 + 1.0 / 7.0;
  p = p * s2 + 1.0 / 5.0;
  p = p * s2 + 1.0 / 3.0;
  // 2 s (1 + s2 p) = 2 s + 2 s s2 p, with the small correction added last
  return ed * ln2hi + ((2.0 * s) + (2.0 * s * s2 * p + ed * ln2lo));
}

// cos(2 pi x) and sin(2 pi x) with the period removed exactly: t = x - rint(x) in [-1/2, 1/2],
// q = rint(4 t) the quadrant, r = t - q/4 in [-1/8, 1/8] (both subtractions exact), a = 2 pi r in
// [-pi/4, pi/4], then Taylor polynomials to a^15 / a^16 (the first terms left out, a^17/17! and a^18/18!,
// are below 5e-17 and 3e-18) and a quadrant
// rotation.  More accurate than cos(2 * pi * x) for large |x| (no rounding of 2 pi x); valid for
// |x| < 2^51.
PYOPTHEORY_ALWAYS_INLINE void sincos2pi(double x, double* sin_out, double* cos_out) {
  constexpr double shifter = 6755399441055744.0;  // 1.5 * 2^52: (x + shifter) - shifter = rint(x)
  constexpr double two_pi = 6.283185307179586476925;
  const double t = x - ((x + shifter) - shifter);
  const double qs = 4.0 * t + shifter;  // its low mantissa bits hold rint(4 t) in two's complement
  const double q = qs - shifter;
  const double a = two_pi * (t - 0.25 * q);
  const double a2 = a * a;
  double sp = -1.0 / 1307674368000.0;  // -1/15!
  sp = sp * a2 + 1.0 / 6227020800.0;
  sp = sp * a2 - 1.0 / 39916800.0;
  sp = sp * a2 + 1.0 / 362880.0;
  sp = sp * a2 - 1.0 / 5040.0;
  sp = sp * a2 + 1.0 / 120.0;
  sp = sp * a2 - 1.0 / 6.0;
  const double sn = a + a * a2 * sp;
  double cp = -1.0 / 20922789888000.0;  // -1/16!
  cp = cp * a2 + 1.0 / 87178291200.0;
  cp = cp * a2 - 1.0 / 479001600.0;
  cp = cp * a2 + 1.0 / 3628800.0;
  cp = cp * a2 - 1.0 / 40320.0;
  cp = cp * a2 + 1.0 / 720.0;
  cp = cp * a2 - 1.0 / 24.0;
  cp = cp * a2 + 0.5;
  const double cs = 1.0 - a2 * cp;
  int64_t qbits;
  std::memcpy(&qbits, &qs, sizeof qbits);
  const int64_t quadrant = qbits & 3;  // q mod 4 (q in {-2, ..., 2}: -1 -> 3, -2 -> 2)
  const bool odd = quadrant & 1;
  const double s0 = odd ? cs : sn;  // quadrant 1: (sin, cos) = (cos a, -sin a)
  const double c0 = odd ? -sn : cs;
  const bool neg = quadrant >= 2;  // quadrants 2, 3: both negated
  *sin_out = neg ? -s0 : s0;
  *cos_out = neg ? -c0 : c0;
}

PYOPTHEORY_ALWAYS_INLINE double cos2pi(double x) {
  double s, c;
  sincos2pi(x, &s, &c);
  return c;
}

}  // namespace pyoptheory
