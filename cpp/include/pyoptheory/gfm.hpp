// GFM and GFM+ (Lin, Zheng & Jordan 2022; Chen, Xu & Luo, ICML 2023; catalogue first-order.md 5.3) on the
// stochastic norm F(x; xi) = ||x|| + <xi, x> and the penalised SVM.  The estimate at x from the pairs
// (w_i, sample i): (1/k) sum_i d/(2 delta) (F(x + delta w_i; i) - F(x - delta w_i; i)) w_i.  GFM+ reuses the
// pairs of an iteration at x_k and x_{k-1} (the recursive, SPIDER-type estimator).  The NumPy reference is
// pyoptheory/methods/_gfm_reference.py.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace pyoptheory {
namespace gfm {

// The stochastic problem: F(z; sample i).  kind 0, the stochastic norm ||z|| + <xi_i, z> (xi_i the rows of Xi);
// kind 1, the penalised SVM max(0, 1 - <c_r, z>) + lam sum_j min(|z_j|, alpha), r = idx[i] a row of C (the
// label times the features).
struct Samples {
  int kind = 0;
  const double* Xi = nullptr;
  const int64_t* idx = nullptr;
  const double* C = nullptr;
  double lam = 0.0, alpha = 0.0;
};

// F(x + delta w; i) - F(x - delta w; i).
inline double difference(const Samples& S, const double* x, const double* w, int64_t i, int64_t d, double delta) {
  if (S.kind == 0) {
    const double* xi = S.Xi + i * d;
    double sp = 0.0, sm = 0.0, xw = 0.0;
    for (int64_t j = 0; j < d; ++j) {
      const double p = x[j] + delta * w[j], m = x[j] - delta * w[j];
      sp += p * p;
      sm += m * m;
      xw += xi[j] * w[j];
    }
    return std::sqrt(sp) - std::sqrt(sm) + 2.0 * delta * xw;
  }
  const double* c = S.C + S.idx[i] * d;
  double cp = 0.0, cm = 0.0, pen = 0.0;
  for (int64_t j = 0; j < d; ++j) {
    const double p = x[j] + delta * w[j], m = x[j] - delta * w[j];
    cp += c[j] * p;
    cm += c[j] * m;
    pen += std::min(std::fabs(p), S.alpha) - std::min(std::fabs(m), S.alpha);
  }
  return std::max(0.0, 1.0 - cp) - std::max(0.0, 1.0 - cm) + S.lam * pen;
}

// The estimate at x from the pairs (w_i, sample i), i in [a, b): (1/k) sum_i d/(2 delta) difference_i w_i.
inline void estimate(const Samples& S, const double* x, int64_t d, const double* W, int64_t a, int64_t b, double delta,
                     double* out) {
  for (int64_t j = 0; j < d; ++j) out[j] = 0.0;
  for (int64_t i = a; i < b; ++i) {
    const double* w = W + i * d;
    const double diff = difference(S, x, w, i, d, delta);
    for (int64_t j = 0; j < d; ++j) out[j] += diff * w[j];
  }
  const double scale = static_cast<double>(d) / (2.0 * delta) / static_cast<double>(b - a);
  for (int64_t j = 0; j < d; ++j) out[j] *= scale;
}

// Iterations k0 .. k1-1; returns the iteration of a non-finite iterate, or -1.
inline int64_t advance(int64_t d, double* x, double* xprev, double* v, double* xR, double delta, double step, bool plus,
                       int64_t period, int64_t R, int64_t k0, int64_t k1, const double* W, const Samples& S,
                       const int64_t* ptr) {
  std::vector<double> g(d), gp(d);
  for (int64_t k = k0; k < k1; ++k) {
    if (k == R)
      for (int64_t j = 0; j < d; ++j) xR[j] = x[j];
    const int64_t a = ptr[k - k0], b = ptr[k - k0 + 1];
    estimate(S, x, d, W, a, b, delta, g.data());
    if (plus && k % period != 0) {
      estimate(S, xprev, d, W, a, b, delta, gp.data());
      for (int64_t j = 0; j < d; ++j) v[j] += g[j] - gp[j];
    } else {
      for (int64_t j = 0; j < d; ++j) v[j] = g[j];
    }
    bool finite = true;
    for (int64_t j = 0; j < d; ++j) {
      xprev[j] = x[j];
      x[j] -= step * v[j];
      finite = finite && std::isfinite(x[j]);
    }
    if (!finite) return k;
  }
  return -1;
}

}  // namespace gfm
}  // namespace pyoptheory
