// Online learners (OGD, optimistic OMD, optimistic FTRL) against a built-in SEA environment on a ball:
// the round loop of pyoptheory/methods/_online_reference.py, same order, same state arrays.
//
// Round t (1-based): eta_t from the step rule; the play x_t (OOMD: P(xhat - eta M), OFTRL: P(-eta (Gsum + M)),
// OGD: its iterate); the environment's y_t = c_t + xi_t (xi_t = s zeta_t / sqrt(d), zeta_t Rademacher from
// Philox counter (block, t, 0, 2)); the loss, the gradient g_t (y_t, or x_t - y_t) and the regret
// accumulators; the update (OGD: x <- P(x - eta g), OOMD: xhat <- P(xhat - eta g), OFTRL: Gsum += g);
// V += ||g - M||^2, M <- g.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "pyoptheory/philox.hpp"
#include "pyoptheory/simd.hpp"

namespace pyoptheory {

enum OnlineLearner : int { OL_OGD = 0, OL_OOMD = 1, OL_OFTRL = 2, OL_OONS = 3, OL_ONS = 4 };
constexpr int A_PROJECTION_STEPS = 100;  // bisection steps of the projection in the norm of A (as in NumPy)
enum OnlineStepRule : int { OS_FIXED = 0, OS_HORIZON = 1, OS_ADAPTIVE = 2, OS_SEA = 3, OS_STRONG = 4 };
enum OnlineScalars : int { OS_V = 0, OS_LOSS = 1, OS_FLOSS = 2, OS_YY = 3, OS_CC = 4, OS_ETA = 5, OS_GMAX = 6 };

struct SeaEnv {
  int64_t d = 1;
  int loss = 0;    // 0 linear <y, x>, 1 quadratic ||x - y||^2 / 2
  int regime = 0;  // 0 constant mean, 1 switching sign every ``period`` rounds, 2 drift in the first plane
  const double* mean = nullptr;
  double noise = 0.0, omega = 0.0, radius = 1.0;
  int64_t period = 1;
  uint64_t seed = 0;
  int domain = 0;  // 0 the ball, 2 the box [-radius, radius]^d (Euclidean steps); 1 the simplex (negative-entropy
                   // mirror steps, dual norm inf)
};

struct OnlineState {
  double *x, *xhat, *M, *Gsum, *Y, *C, *scal, *A;
};

// Solve (A + lam I) out = b by Cholesky (A symmetric positive definite, d x d row-major); work: d*d doubles.
inline void spd_solve(const double* A, double lam, const double* b, int64_t d, double* work, double* out) {
  double* L = work;
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      double s = A[i * d + j] + (i == j ? lam : 0.0);
      for (int64_t k = 0; k < j; ++k) s -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = i == j ? std::sqrt(s) : s / L[j * d + j];
    }
  for (int64_t i = 0; i < d; ++i) {  // L z = b
    double s = b[i];
    for (int64_t k = 0; k < i; ++k) s -= L[i * d + k] * out[k];
    out[i] = s / L[i * d + i];
  }
  for (int64_t i = d - 1; i >= 0; --i) {  // L^T out = z
    double s = out[i];
    for (int64_t k = i + 1; k < d; ++k) s -= L[k * d + i] * out[k];
    out[i] = s / L[i * d + i];
  }
}

// argmin_{||x|| <= R} (x - y)^T A (x - y): y inside the ball, else x(lam) = (A + lam I)^{-1} A y with ||x|| = R,
// by bisection after doubling an upper bracket (pyoptheory.methods._online_reference.project_A).
inline void project_A(const double* y, const double* A, int64_t d, double R, double* work, double* Ay, double* x) {
  if (std::sqrt(dot(y, y, d)) <= R) {
    for (int64_t j = 0; j < d; ++j) x[j] = y[j];
    return;
  }
  for (int64_t i = 0; i < d; ++i) Ay[i] = dot(A + i * d, y, d);
  double hi = 1.0;
  for (;;) {
    spd_solve(A, hi, Ay, d, work, x);
    if (std::sqrt(dot(x, x, d)) <= R) break;
    hi *= 2.0;
  }
  double lo = 0.0;
  for (int it = 0; it < A_PROJECTION_STEPS; ++it) {
    const double mid = 0.5 * (lo + hi);
    spd_solve(A, mid, Ay, d, work, x);
    if (std::sqrt(dot(x, x, d)) > R)
      lo = mid;
    else
      hi = mid;
  }
  spd_solve(A, hi, Ay, d, work, x);
  const double n = std::sqrt(dot(x, x, d));
  if (n > R)
    for (int64_t j = 0; j < d; ++j) x[j] *= R / n;
}

inline void sea_mean(const SeaEnv& e, int64_t t, double mean_norm, double* c) {
  if (e.regime == 2) {
    for (int64_t j = 0; j < e.d; ++j) c[j] = 0.0;
    c[0] = mean_norm * std::cos(e.omega * static_cast<double>(t));
    c[1] = mean_norm * std::sin(e.omega * static_cast<double>(t));
    return;
  }
  const double sign = (e.regime == 1 && ((t - 1) / e.period) % 2 == 1) ? -1.0 : 1.0;
  for (int64_t j = 0; j < e.d; ++j) c[j] = sign * e.mean[j];
}

// y[j] += s zeta_j / sqrt(d): bit j of the Philox words of block j / 128 at counter (block, t, 0, 2).
inline void sea_add_noise(const SeaEnv& e, int64_t t, double* y) {
  const double amp = e.domain == 1 ? e.noise : e.noise / std::sqrt(static_cast<double>(e.d));
  const PhiloxKey key(e.seed);
  for (int64_t b = 0; b * 128 < e.d; ++b) {
    uint32_t w[4];
    philox4x32_10(static_cast<uint32_t>(b), static_cast<uint32_t>(t), 0u, 2u, key.k0, key.k1, w);
    const int64_t n = e.d - b * 128 < 128 ? e.d - b * 128 : 128;
    double* yb = y + b * 128;
    for (int64_t k = 0; k < n; ++k) {
      const uint32_t bit = (w[k >> 5] >> (k & 31)) & 1u;
      yb[k] += amp * (2.0 * static_cast<double>(bit) - 1.0);  // arithmetic, not a branch on a random bit
    }
  }
}

// out_i = p_i exp(-(z_i - min z)) / sum_j (...): the entropic mirror step on the simplex (p may be null: uniform).
inline void entropic_step(const double* p, const double* z, int64_t d, double* out) {
  double zmin = z[0];
  for (int64_t j = 1; j < d; ++j) zmin = z[j] < zmin ? z[j] : zmin;
  double sum = 0.0;
  for (int64_t j = 0; j < d; ++j) {
    out[j] = (p != nullptr ? p[j] : 1.0) * std::exp(-(z[j] - zmin));
    sum += out[j];
  }
  for (int64_t j = 0; j < d; ++j) out[j] /= sum;
}

inline double dual_norm2(const double* v, int64_t d, bool simplex) {
  if (!simplex) return dot(v, v, d);
  double m = 0.0;
  for (int64_t j = 0; j < d; ++j) m = std::fabs(v[j]) > m ? std::fabs(v[j]) : m;
  return m * m;
}

inline void project_ball(double* x, int64_t d, double radius) {
  const double n = std::sqrt(dot(x, x, d));
  if (n > radius) {
    const double s = radius / n;
    for (int64_t j = 0; j < d; ++j) x[j] *= s;
  }
}

// The Euclidean projection onto the ball (domain 0) or the box [-radius, radius]^d (domain 2).
inline void project_set(double* x, int64_t d, double radius, int domain) {
  if (domain == 2) {
    for (int64_t j = 0; j < d; ++j) x[j] = x[j] > radius ? radius : (x[j] < -radius ? -radius : x[j]);
  } else {
    project_ball(x, d, radius);
  }
}

// Rounds t0 + 1 .. t1; returns the first round with a non-finite loss or gradient, or -1.
PYOPTHEORY_CLONES
inline int64_t online_rounds(const SeaEnv& e, int learner, int rule, double value, double delta, double G, double D,
                             int64_t T, OnlineState& st, int64_t t0, int64_t t1) {
  const int64_t d = e.d;
  const bool simplex = e.domain == 1;
  std::vector<double> c(d), y(d), g(d), z(d), w(d), Ay(d), work(d * d);
  const bool newton = learner == OL_OONS || learner == OL_ONS;
  double mean_norm = std::sqrt(dot(e.mean, e.mean, d));
  double* s = st.scal;
  for (int64_t t = t0 + 1; t <= t1; ++t) {
    double eta;
    if (rule == OS_FIXED)
      eta = value;
    else if (rule == OS_HORIZON)
      eta = D / (G * std::sqrt(static_cast<double>(T)));
    else if (rule == OS_ADAPTIVE)
      eta = D / (G * std::sqrt(static_cast<double>(t)));
    else if (rule == OS_STRONG)
      eta = 1.0 / (value * static_cast<double>(t));  // value = mu
    else
      eta = D / std::sqrt(delta + 4.0 * G * G + s[OS_V]);
    double* x = st.x;
    if (learner == OL_OOMD) {
      if (simplex) {
        for (int64_t j = 0; j < d; ++j) z[j] = eta * st.M[j];
        entropic_step(st.xhat, z.data(), d, x);
      } else {
        for (int64_t j = 0; j < d; ++j) x[j] = st.xhat[j] - eta * st.M[j];
        project_set(x, d, e.radius, e.domain);
      }
    } else if (newton) {  // eta = 1/gamma
      spd_solve(st.A, 0.0, st.M, d, work.data(), w.data());
      for (int64_t j = 0; j < d; ++j) z[j] = st.xhat[j] - eta * w[j];
      project_A(z.data(), st.A, d, e.radius, work.data(), Ay.data(), x);
    } else if (learner == OL_OFTRL) {
      for (int64_t j = 0; j < d; ++j) z[j] = eta * (st.Gsum[j] + st.M[j]);
      if (simplex) {
        entropic_step(nullptr, z.data(), d, x);
      } else {
        for (int64_t j = 0; j < d; ++j) x[j] = -z[j];
        project_set(x, d, e.radius, e.domain);
      }
    }
    sea_mean(e, t, mean_norm, c.data());
    for (int64_t j = 0; j < d; ++j) y[j] = c[j];
    if (e.noise > 0.0) sea_add_noise(e, t, y.data());
    if (e.loss == 0) {
      for (int64_t j = 0; j < d; ++j) g[j] = y[j];
      s[OS_LOSS] += dot(y.data(), x, d);
      s[OS_FLOSS] += dot(c.data(), x, d);
    } else {
      double fc = 0.0;
      for (int64_t j = 0; j < d; ++j) {
        g[j] = x[j] - y[j];
        fc += (x[j] - c[j]) * (x[j] - c[j]);
      }
      s[OS_LOSS] += 0.5 * dot(g.data(), g.data(), d);
      s[OS_FLOSS] += 0.5 * fc;
      s[OS_YY] += dot(y.data(), y.data(), d);
      s[OS_CC] += dot(c.data(), c.data(), d);
    }
    for (int64_t j = 0; j < d; ++j) {
      st.Y[j] += y[j];
      st.C[j] += c[j];
    }
    const double gg = dual_norm2(g.data(), d, simplex);
    if (!std::isfinite(s[OS_LOSS]) || !std::isfinite(gg)) return t;
    s[OS_ETA] = eta;
    s[OS_GMAX] = std::max(s[OS_GMAX], std::sqrt(gg));
    if (learner == OL_OGD) {
      if (simplex) {
        for (int64_t j = 0; j < d; ++j) z[j] = eta * g[j];
        entropic_step(x, z.data(), d, x);
      } else {
        for (int64_t j = 0; j < d; ++j) x[j] -= eta * g[j];
        project_set(x, d, e.radius, e.domain);
      }
    } else if (learner == OL_OOMD) {
      if (simplex) {
        for (int64_t j = 0; j < d; ++j) z[j] = eta * g[j];
        entropic_step(st.xhat, z.data(), d, st.xhat);
      } else {
        for (int64_t j = 0; j < d; ++j) st.xhat[j] -= eta * g[j];
        project_set(st.xhat, d, e.radius, e.domain);
      }
    } else if (newton) {
      for (int64_t i = 0; i < d; ++i)
        for (int64_t j = 0; j < d; ++j) st.A[i * d + j] += (g[i] - st.M[i]) * (g[j] - st.M[j]);
      spd_solve(st.A, 0.0, g.data(), d, work.data(), w.data());
      for (int64_t j = 0; j < d; ++j) z[j] = st.xhat[j] - eta * w[j];
      project_A(z.data(), st.A, d, e.radius, work.data(), Ay.data(), st.xhat);
    } else {
      for (int64_t j = 0; j < d; ++j) st.Gsum[j] += g[j];
    }
    for (int64_t j = 0; j < d; ++j) z[j] = g[j] - st.M[j];
    s[OS_V] += dual_norm2(z.data(), d, simplex);
    if (learner != OL_ONS)
      for (int64_t j = 0; j < d; ++j) st.M[j] = g[j];
  }
  return -1;
}

}  // namespace pyoptheory
