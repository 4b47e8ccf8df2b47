// Consensus-based optimization (CBO) and consensus hopping: built-in landscapes, the consensus point
// by the log-sum-exp trick, and the particle step, over M independent runs of N particles in R^d.
//
// One step k (every backend does exactly this; the NumPy reference is pyoptheory/methods/_cbo_reference.py):
//   1. alpha: the effective-sample-size schedule solves (sum w)^2 / sum w^2 = eta N for alpha (bisection
//      in log alpha); the other schedules leave it as it is;
//   2. groups: the whole run, or random batches of ``batch`` particles (a permutation sorted from
//      Philox uniforms, tag STREAM_BATCH);
//   3. consensus of each group: w_i = exp(-alpha (f_i - min_j f_j)) over particles with finite f
//      (the others are excluded and counted), v = sum w_i x_i / sum w_i;
//   4. move (Euler-Maruyama, noise amplitude at the pre-drift position, CBXpy's convention):
//      x_i <- x_i - drift dt (x_i - v) + noise_std sqrt(dt) D(x_i - v) z_i,
//      D(u) z = ||u|| z (isotropic) or u * z (anisotropic); consensus hopping: x_i <- v + noise_std z_i;
//      z_i the particle's normals at step k (tag STREAM_NOISE);
//   5. the built-in objective at the new positions (user objectives are evaluated by the caller);
//   6. the geometric schedule: alpha <- min(factor alpha, alpha_max).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "pyoptheory/philox.hpp"
#include "pyoptheory/simd.hpp"

#ifdef PYOPTHEORY_OPENMP
#include <omp.h>
#endif

namespace pyoptheory {

enum LandscapeCode : int { LS_USER = -1, LS_QUADRATIC = 0, LS_RASTRIGIN = 1, LS_ACKLEY = 2, LS_CANYON = 3 };
enum CboMove : int { MOVE_ISOTROPIC = 0, MOVE_ANISOTROPIC = 1, MOVE_HOP = 2 };
enum CboSchedule : int { SCHED_FIXED = 0, SCHED_GEOMETRIC = 1, SCHED_ESS = 2 };
enum CboStatus : int { CBO_OK = 0, CBO_NONFINITE = 1, CBO_NO_FINITE_VALUE = 2 };

// f(x) = offset + g(R (x - shift)); R and shift optional.
struct Landscape {
  int code = LS_USER;
  int64_t d = 0;
  double param = 0.0;  // quadratic: curvature c in (c/2)||y||^2; Rastrigin: amplitude A
  double offset = 0.0;
  const double* shift = nullptr;
  const double* rot = nullptr;  // d x d, row-major
};

// f at one point; ``y`` is scratch of 3 d doubles.  Sums use fixed-order partial sums (dot, vsum) so that
// the loops over coordinates vectorize without reassociating floating-point additions.
PYOPTHEORY_ALWAYS_INLINE double landscape_value(const Landscape& L, const double* x, double* y) {
  const int64_t d = L.d;
  const double* u = x;
  double* t = y + 2 * d;  // per-coordinate terms
  if (L.shift != nullptr || L.rot != nullptr) {
    for (int64_t j = 0; j < d; ++j) y[d + j] = L.shift != nullptr ? x[j] - L.shift[j] : x[j];
    if (L.rot != nullptr) {
      for (int64_t i = 0; i < d; ++i) y[i] = dot(L.rot + i * d, y + d, d);
      u = y;
    } else {
      u = y + d;
    }
  }
  double val = 0.0;
  switch (L.code) {
    case LS_QUADRATIC: {
      val = 0.5 * L.param * dot(u, u, d);
      break;
    }
    case LS_RASTRIGIN: {  // sum y^2 + A sum (1 - cos 2 pi y)
      for (int64_t j = 0; j < d; ++j) t[j] = 1.0 - cos2pi(u[j]);
      val = dot(u, u, d) + L.param * vsum(t, d);
      break;
    }
    case LS_ACKLEY: {  // -20 exp(-0.2 sqrt(|y|^2 / d)) - exp(sum cos(2 pi y) / d) + 20 + e
      for (int64_t j = 0; j < d; ++j) t[j] = cos2pi(u[j]);
      const double dd = static_cast<double>(d);
      val = -20.0 * vexp(-0.2 * std::sqrt(dot(u, u, d) / dd)) - vexp(vsum(t, d) / dd) + 20.0 + 2.718281828459045;
      break;
    }
    case LS_CANYON: {  // "GrandCanyon3noisy" of Riedl et al. (2-D)
      const double a = u[0], b = u[1];
      const double valley = b - (0.125 * (a - 1.0) * (a - 4.0) * (a - 4.0) + 2.0);
      const double block = -a - 1.6 * b;
      const double v2 = valley * valley;
      double wall = (1.0 - vexp(-9.0 * block * block)) * (block > 0 ? 1.0 : (block < 0 ? -1.0 : 0.0));
      wall = wall > 0.0 ? wall : 0.0;
      val = 100.0 * (1.0 - vexp(-1.4 * v2 * vexp(-0.002 * a * a * a * a))) + 1.6 * a * a + 0.8 * b * b +
            8.0 * ((1.0 - cos2pi(0.375 * a)) + (1.0 - cos2pi(0.375 * b))) +
            16.0 * vexp(1.0 - 2.0 * v2 * v2) * wall;
      break;
    }
    default:
      val = std::numeric_limits<double>::quiet_NaN();
  }
  return val + L.offset;
}

struct CboConfig {
  int64_t M = 1, N = 2, d = 1;
  double drift = 1.0, noise_std = 0.0, dt = 0.01;
  int move = MOVE_ISOTROPIC;
  int64_t batch = 0;  // particles per consensus group; 0 or >= N: the whole run
  int schedule = SCHED_FIXED;
  double factor = 1.0, alpha_max = 1e15, ess_eta = 0.5;
  uint64_t seed = 0;
};

inline int64_t cbo_batch(const CboConfig& c) { return (c.batch <= 0 || c.batch >= c.N) ? c.N : c.batch; }
inline int64_t cbo_groups_per_run(const CboConfig& c) { return (c.N + cbo_batch(c) - 1) / cbo_batch(c); }

// (sum w)^2 / sum w^2 of w_i = exp(-alpha (f_i - fmin)) over the finite f_i.
inline double cbo_ess(const double* F, int64_t n, double alpha, double fmin) {
  double s1 = 0.0, s2 = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double f = F[i];
    const double w = std::isfinite(f) ? vexp(-alpha * (f - fmin)) : 0.0;
    s1 += w;
    s2 += w * w;
  }
  return s2 > 0.0 ? s1 * s1 / s2 : 0.0;
}

// The alpha in [alpha_max 1e-10, alpha_max] with ESS(alpha) = eta N, by 40 bisection steps in log alpha
// (alpha_max itself when even it keeps ESS >= eta N).
inline double cbo_ess_alpha(const double* F, int64_t n, double eta, double alpha_max) {
  double fmin = std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < n; ++i)
    if (std::isfinite(F[i])) fmin = std::min(fmin, F[i]);
  const double target = eta * static_cast<double>(n);
  if (!std::isfinite(fmin) || cbo_ess(F, n, alpha_max, fmin) >= target) return alpha_max;
  double lo = std::log(alpha_max) - 10.0 * std::log(10.0), hi = std::log(alpha_max);
  if (cbo_ess(F, n, std::exp(lo), fmin) <= target) return std::exp(lo);
  for (int it = 0; it < 40; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (cbo_ess(F, n, std::exp(mid), fmin) >= target)
      lo = mid;
    else
      hi = mid;
  }
  return std::exp(0.5 * (lo + hi));
}

// The particle order of run m at step k: identity without batches, else sorted by Philox keys.
inline void cbo_order(const CboConfig& c, int64_t m, int64_t k, std::vector<double>& keys, int64_t* order) {
  std::iota(order, order + c.N, int64_t{0});
  if (cbo_batch(c) == c.N) return;
  const PhiloxKey key(c.seed);
  keys.resize(c.N);
  for (int64_t i = 0; i < c.N; ++i)
    keys[i] = particle_uniform(key, static_cast<uint32_t>(m * c.N + i), static_cast<uint32_t>(k), STREAM_BATCH);
  std::stable_sort(order, order + c.N, [&](int64_t a, int64_t b) { return keys[a] < keys[b]; });
}

// Consensus of the particles order[0..n) of one run: v (d values); returns the number of excluded
// particles (non-finite f), or -1 when none has a finite value.
inline int64_t cbo_group_consensus(const CboConfig& c, const double* X, const double* F, const int64_t* order,
                                   int64_t n, double alpha, double* v) {
  const int64_t d = c.d;
  double fmin = std::numeric_limits<double>::infinity();
  int64_t excluded = 0;
  for (int64_t t = 0; t < n; ++t) {
    const double f = F[order[t]];
    if (std::isfinite(f))
      fmin = std::min(fmin, f);
    else
      ++excluded;
  }
  if (!std::isfinite(fmin)) return -1;
  std::fill(v, v + d, 0.0);
  double wsum = 0.0;
  for (int64_t t = 0; t < n; ++t) {
    const int64_t i = order[t];
    const double f = F[i];
    if (!std::isfinite(f)) continue;
    const double w = vexp(-alpha * (f - fmin));
    wsum += w;
    const double* x = X + i * d;
    for (int64_t j = 0; j < d; ++j) v[j] += w * x[j];
  }
  for (int64_t j = 0; j < d; ++j) v[j] /= wsum;
  return excluded;
}

struct CboWork {
  std::vector<double> cons;     // (M * groups, d) consensus of each group
  std::vector<int64_t> group;   // (M * N) group of each particle (index into cons)
  std::vector<int64_t> order;   // (M * N)
};

// Step 4-5 for particles p0 .. p1-1 of runs still active (run_fail < 0) (a cloned kernel: AVX2 + FMA where the
// CPU has them).  ``y`` is scratch of 3 d doubles.  Marks the particles left non-finite in ``bad_particle``;
// returns the number of landscape evaluations.
PYOPTHEORY_CLONES
inline int64_t cbo_move_range(const CboConfig& c, const Landscape& L, double* X, double* F, const double* cons,
                              const int64_t* group, const int64_t* run_fail, int64_t k, int64_t p0, int64_t p1,
                              std::vector<double>& zbuf, NormalScratch& scratch, double* y, uint8_t* bad_particle) {
  const int64_t d = c.d, zlen = 2 * ((d + 1) / 2);
  const double sq_dt = std::sqrt(c.dt), drift_dt = c.drift * c.dt;
  zbuf.resize(static_cast<size_t>((p1 - p0) * zlen));
  particles_normals(PhiloxKey(c.seed), static_cast<uint32_t>(p0), p1 - p0, static_cast<uint32_t>(k), STREAM_NOISE, d,
                    zbuf.data(), scratch);
  int64_t evals = 0;
  for (int64_t p = p0; p < p1; ++p) {
    if (run_fail[p / c.N] >= 0) continue;  // a run that has failed stays where it stopped
    double* x = X + p * d;
    const double* v = cons + group[p] * d;
    const double* z = zbuf.data() + (p - p0) * zlen;
    if (c.move == MOVE_HOP) {
      for (int64_t j = 0; j < d; ++j) x[j] = v[j] + c.noise_std * z[j];
    } else if (c.move == MOVE_ISOTROPIC) {
      double* u = y;
      for (int64_t j = 0; j < d; ++j) u[j] = x[j] - v[j];
      const double amp = c.noise_std * sq_dt * std::sqrt(dot(u, u, d));
      for (int64_t j = 0; j < d; ++j) x[j] = x[j] - drift_dt * u[j] + amp * z[j];
    } else {
      const double amp = c.noise_std * sq_dt;
      for (int64_t j = 0; j < d; ++j) {
        const double u = x[j] - v[j];
        x[j] = x[j] - drift_dt * u + amp * u * z[j];
      }
    }
    int64_t bad = 0;  // x[j] * 0 is NaN exactly when x[j] is NaN or infinite (an integer reduction: vectorizes)
    for (int64_t j = 0; j < d; ++j) bad |= (x[j] * 0.0 != 0.0);
    bad_particle[p] = bad != 0;
    if (L.code != LS_USER) {
      F[p] = landscape_value(L, x, y);
      ++evals;
    }
  }
  return evals;
}

// Steps k0 .. k1-1 on X (M, N, d), F (M, N) (values at X on entry and exit), alpha (M), for the runs with
// run_fail[m] < 0.  A run whose particles leave the finite numbers (CBO_NONFINITE), or one of whose consensus
// groups has no finite value (CBO_NO_FINITE_VALUE), stops there: run_fail[m] = k, run_code[m] = the reason; the
// other runs go on.  ``L.code == LS_USER`` runs exactly one step and leaves F for the caller to fill.
// Returns the number of landscape evaluations; *excluded accumulates the excluded particles.
inline int64_t cbo_steps(const CboConfig& c, const Landscape& L, double* X, double* F, double* alpha, int64_t k0,
                         int64_t k1, int n_threads, CboWork& w, int64_t* run_fail, int64_t* run_code,
                         int64_t* excluded) {
  const int64_t M = c.M, N = c.N, d = c.d, B = cbo_batch(c), G = cbo_groups_per_run(c);
  w.cons.assign(static_cast<size_t>(M * G * d), 0.0);
  w.group.assign(static_cast<size_t>(M * N), 0);
  w.order.resize(static_cast<size_t>(M * N));
  std::vector<uint8_t> bad_particle(static_cast<size_t>(M * N), 0);
  const int64_t chunk = 64;
  const int64_t n_chunks = (M * N + chunk - 1) / chunk;
  int64_t evals = 0;
  for (int64_t k = k0; k < k1; ++k) {
    int64_t step_excluded = 0, active = 0;
    // 1-3: schedule, groups, consensus (parallel over runs)
#ifdef PYOPTHEORY_OPENMP
#pragma omp parallel for num_threads(n_threads) schedule(static) reduction(+ : step_excluded) if (M > 1)
#endif
    for (int64_t m = 0; m < M; ++m) {
      if (run_fail[m] >= 0) continue;
      std::vector<double> keys;
      const double* Fm = F + m * N;
      if (c.schedule == SCHED_ESS) alpha[m] = cbo_ess_alpha(Fm, N, c.ess_eta, c.alpha_max);
      int64_t* order = w.order.data() + m * N;
      cbo_order(c, m, k, keys, order);
      for (int64_t g = 0; g < G; ++g) {
        const int64_t start = g * B, n = std::min(B, N - start);
        const int64_t e = cbo_group_consensus(c, X + m * N * d, Fm, order + start, n, alpha[m],
                                              w.cons.data() + (m * G + g) * d);
        if (e < 0) {
          run_fail[m] = k;
          run_code[m] = CBO_NO_FINITE_VALUE;
        } else {
          step_excluded += e;
        }
        for (int64_t t = 0; t < n; ++t) w.group[m * N + order[start + t]] = m * G + g;
      }
    }
    *excluded += step_excluded;
    for (int64_t m = 0; m < M; ++m) active += run_fail[m] < 0;
    if (active == 0) break;
    // 4-5: move every particle of an active run and evaluate the landscape there (parallel over chunks)
#ifdef PYOPTHEORY_OPENMP
#pragma omp parallel num_threads(n_threads) reduction(+ : evals) if (M * N * d > 4096)
#endif
    {
      std::vector<double> zbuf, y(static_cast<size_t>(3 * d));
      NormalScratch scratch;
#ifdef PYOPTHEORY_OPENMP
#pragma omp for schedule(static)
#endif
      for (int64_t q = 0; q < n_chunks; ++q)
        evals += cbo_move_range(c, L, X, F, w.cons.data(), w.group.data(), run_fail, k, q * chunk,
                                std::min((q + 1) * chunk, M * N), zbuf, scratch, y.data(), bad_particle.data());
    }
    for (int64_t m = 0; m < M; ++m) {
      if (run_fail[m] >= 0) continue;
      for (int64_t i = 0; i < N; ++i)
        if (bad_particle[m * N + i]) {
          run_fail[m] = k;
          run_code[m] = CBO_NONFINITE;
          break;
        }
      if (run_fail[m] < 0 && c.schedule == SCHED_GEOMETRIC) alpha[m] = std::min(alpha[m] * c.factor, c.alpha_max);
    }
    if (L.code == LS_USER) break;
  }
  return evals;
}

PYOPTHEORY_CLONES
inline void landscape_range(const Landscape& L, const double* X, int64_t p0, int64_t p1, double* F, double* y) {
  for (int64_t p = p0; p < p1; ++p) F[p] = landscape_value(L, X + p * L.d, y);
}

// Values of the landscape at the rows of X (n, d).
inline void landscape_values(const Landscape& L, const double* X, int64_t n, double* F, int n_threads) {
  const int64_t chunk = 256, n_chunks = (n + chunk - 1) / chunk;
#ifdef PYOPTHEORY_OPENMP
#pragma omp parallel num_threads(n_threads) if (n * L.d > 4096)
#endif
  {
    std::vector<double> y(static_cast<size_t>(3 * L.d));
#ifdef PYOPTHEORY_OPENMP
#pragma omp for schedule(static)
#endif
    for (int64_t q = 0; q < n_chunks; ++q) landscape_range(L, X, q * chunk, std::min((q + 1) * chunk, n), F, y.data());
  }
}

}  // namespace pyoptheory
