// Coordinate descent for fractional programs F(x) = N(x) / D(x) (Yuan, ICML 2023; catalogue
// structured.md 1.9) with N = 1/2 x^T A x + a^T x + alpha + lam ||x||_1, D = 1/2 x^T B x + b^T x + beta on a
// box.  Each step minimises F(x + t e_i) + theta/2 t^2 over t globally: on each piece where x_i + t keeps
// its sign the stationarity condition is a polynomial of degree <= 5 (the cubic terms of N'D - ND' cancel),
// whose real roots are isolated by the roots of its derivatives and refined by bisection.  The NumPy
// reference (pyoptheory/methods/_fractional_reference.py) performs the same operations in the same order.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace pyoptheory {
namespace fractional {

constexpr int kBisections = 200;
enum { S_NSMOOTH = 0, S_L1 = 1, S_DEN = 2 };

inline double horner(const double* c, int n, double t) {
  double v = c[0];
  for (int k = 1; k < n; ++k) v = v * t + c[k];
  return v;
}

// Real roots of c (n coefficients, highest degree first) in [p, q] (finite), appended ascending.
inline void poly_roots(const double* c_in, int n, double p, double q, std::vector<double>& out) {
  int k = 0;
  while (k < n && c_in[k] == 0.0) ++k;
  const double* c = c_in + k;
  n -= k;
  const int deg = n - 1;
  if (deg <= 0) return;
  if (deg == 1) {
    const double r = -c[1] / c[0];
    if (p <= r && r <= q) out.push_back(r);
    return;
  }
  if (deg == 2) {
    const double a = c[0], b = c[1], cc = c[2];
    const double disc = b * b - 4.0 * a * cc;
    if (disc < 0.0) return;
    const double qq = -0.5 * (b + std::copysign(std::sqrt(disc), b));
    double rs[2];
    int m = 0;
    rs[m++] = qq / a;
    if (qq != 0.0) rs[m++] = cc / qq;
    if (m == 2 && rs[1] < rs[0]) std::swap(rs[0], rs[1]);
    for (int j = 0; j < m; ++j)
      if (p <= rs[j] && rs[j] <= q) out.push_back(rs[j]);
    return;
  }
  double dc[8];
  for (int j = 0; j < deg; ++j) dc[j] = c[j] * (deg - j);
  std::vector<double> crit;
  poly_roots(dc, deg, p, q, crit);
  std::vector<double> pts;
  pts.push_back(p);
  for (double r : crit)
    if (p < r && r < q) pts.push_back(r);
  pts.push_back(q);
  for (size_t j = 0; j + 1 < pts.size(); ++j) {
    double u = pts[j], w = pts[j + 1];
    double fu = horner(c, n, u);
    const double fw = horner(c, n, w);
    if (fu == 0.0) {
      out.push_back(u);
      continue;
    }
    if ((fu < 0.0) == (fw < 0.0) || fw == 0.0) continue;
    for (int it = 0; it < kBisections; ++it) {
      const double m = 0.5 * (u + w);
      if (m <= u || m >= w) break;
      const double fm = horner(c, n, m);
      if (fm == 0.0) {
        u = w = m;
        break;
      }
      if ((fm < 0.0) == (fu < 0.0)) {
        u = m;
        fu = fm;
      } else {
        w = m;
      }
    }
    out.push_back(0.5 * (u + w));
  }
  if (horner(c, n, q) == 0.0) out.push_back(q);
}

inline double cauchy_bound(const double* c, int n) {
  int k = 0;
  while (c[k] == 0.0) ++k;
  double m = 0.0;
  for (int j = k + 1; j < n; ++j) m = std::max(m, std::abs(c[j] / c[k]));
  return 1.0 + m;
}

struct Line {  // the one-dimensional problem along e_i at the current x
  double xi, lo, hi, gN, Aii, N0, lam, gD, Bii, D0, theta;

  double value(double z) const {
    const double t = z - xi;
    const double num = N0 + t * gN + 0.5 * Aii * t * t + lam * (std::abs(z) - std::abs(xi));
    const double den = D0 + t * gD + 0.5 * Bii * t * t;
    return num / den + 0.5 * theta * t * t;
  }
};

inline double piece_limit(double n2, double n1, double n0, double d2, double d1, double d0, double direction) {
  const double inf = std::numeric_limits<double>::infinity();
  if (d2 > 0.0) return n2 / d2;
  if (d2 < 0.0) return inf;
  if (n2 > 0.0) return inf;
  if (d1 != 0.0) return n2 == 0.0 ? n1 / d1 : inf;
  if (n1 * direction < 0.0) return -inf;
  if (n1 * direction > 0.0) return inf;
  return n0 / d0;
}

// The global minimiser z = x_i + t; returns 0, or 2 when an unbounded piece's infimum beats every candidate.
inline int line_min(const Line& L, double* z_out, double* val_out) {
  double best_z = L.xi, best = L.value(L.xi);
  const bool split = L.lam > 0.0 && L.lo < 0.0 && 0.0 < L.hi;
  double edges[3];
  int ne = 0;
  edges[ne++] = L.lo;
  if (split) edges[ne++] = 0.0;
  edges[ne++] = L.hi;
  std::vector<double> cands;
  for (int j = 0; j < ne; ++j)
    if (std::isfinite(edges[j])) cands.push_back(edges[j]);
  double limits[4];
  int nl = 0;
  std::vector<double> roots;
  for (int j = 0; j + 1 < ne; ++j) {
    const double p = edges[j] - L.xi, q = edges[j + 1] - L.xi;
    const double s = L.lam == 0.0 ? 0.0 : (edges[j + 1] <= 0.0 ? -1.0 : 1.0);
    const double n2 = 0.5 * L.Aii, n1 = L.gN + L.lam * s, n0 = L.N0 - L.lam * std::abs(L.xi) + L.lam * s * L.xi;
    const double d2 = 0.5 * L.Bii, d1 = L.gD, d0 = L.D0;
    const double c2 = n2 * d1 - n1 * d2, c1 = 2.0 * (n2 * d0 - n0 * d2), c0 = n1 * d0 - n0 * d1;
    const double th = L.theta;
    const double poly[6] = {th * d2 * d2, 2.0 * th * d2 * d1, th * (d1 * d1 + 2.0 * d2 * d0),
                            2.0 * th * d1 * d0 + c2, th * d0 * d0 + c1, c0};
    bool all_zero = true;
    for (double ck : poly) all_zero = all_zero && ck == 0.0;
    if (all_zero) continue;
    const double R = cauchy_bound(poly, 6);
    const double pp = std::isfinite(p) ? p : -R, qq = std::isfinite(q) ? q : R;
    if (pp < qq) {
      roots.clear();
      poly_roots(poly, 6, pp, qq, roots);
      for (double t : roots) cands.push_back(std::min(std::max(L.xi + t, L.lo), L.hi));
    }
    if (th == 0.0) {
      if (!std::isfinite(p)) limits[nl++] = piece_limit(n2, n1, n0, d2, d1, d0, -1.0);
      if (!std::isfinite(q)) limits[nl++] = piece_limit(n2, n1, n0, d2, d1, d0, 1.0);
    }
  }
  for (double z : cands) {
    const double v = L.value(z);
    if (v < best) {
      best_z = z;
      best = v;
    }
  }
  *z_out = best_z;
  *val_out = best;
  for (int j = 0; j < nl; ++j)
    if (limits[j] < best - 1e-12 * std::max(1.0, std::abs(best))) {
      *val_out = limits[j];
      return 2;
    }
  return 0;
}

struct Program {  // dense symmetric A, B (row-major d x d) and the rest of the data
  int64_t d;
  const double *A, *a, *B, *b, *lo, *hi;
  double lam, theta;
};

// Steps over order[0..m-1]; x, u = A x, v = B x and scal = [N_smooth, lam ||x||_1, D] are kept.
// Returns 0, 1 (non-finite) or 2 (unbounded subproblem) and the offset of the failed step in *k_fail.
inline int advance(const Program& P, double* x, double* u, double* v, double* scal, const int64_t* order, int64_t m,
                   int64_t* selected, int64_t* k_fail) {
  const int64_t d = P.d;
  for (int64_t k = 0; k < m; ++k) {
    const int64_t i = order[k];
    selected[k] = i;
    const double xi = x[i], Aii = P.A[i * d + i], Bii = P.B[i * d + i];
    const double gN = u[i] + P.a[i], gD = v[i] + P.b[i];
    const Line L{xi, P.lo[i], P.hi[i], gN, Aii, scal[S_NSMOOTH] + scal[S_L1], P.lam, gD, Bii, scal[S_DEN], P.theta};
    double z, val;
    const int status = line_min(L, &z, &val);
    if (status) {
      *k_fail = k;
      return status;
    }
    if (!std::isfinite(z)) {
      *k_fail = k;
      return 1;
    }
    if (z == xi) continue;
    const double t = z - xi;
    scal[S_NSMOOTH] += t * gN + 0.5 * Aii * t * t;
    scal[S_DEN] += t * gD + 0.5 * Bii * t * t;
    scal[S_L1] += P.lam * (std::abs(z) - std::abs(xi));
    const double* Ai = P.A + i * d;
    const double* Bi = P.B + i * d;
    for (int64_t j = 0; j < d; ++j) u[j] += t * Ai[j];
    for (int64_t j = 0; j < d; ++j) v[j] += t * Bi[j];
    x[i] = z;
  }
  *k_fail = -1;
  return 0;
}

}  // namespace fractional
}  // namespace pyoptheory
