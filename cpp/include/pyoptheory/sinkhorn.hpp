// Sinkhorn iterations for entropic optimal transport (POT's convention: reg = epsilon = 1/eta).
//
//   min_P <C, P> + reg sum P (log P - 1)   s.t.  P 1 = a,  P^T 1 = b,
//   dual potentials f, g with P_ij = exp((f_i + g_j - C_ij)/reg).
//
// Log domain (exact block ascent on the dual, never overflows):
//   f_i = reg log a_i - reg LSE_j((g_j - C_ij)/reg),   g_j = reg log b_j - reg LSE_i((f_i - C_ij)/reg).
// The row pass reads C contiguously (each row twice from cache: max, then sum of exp); the column
// pass runs over blocks of rows that stay in cache, keeping per-thread column maxima and sums that
// are rescaled when a block raises the maximum (one pass over C from memory per half-step, no
// n x m temporary).  The l1 row-marginal error of the current plan comes for free from the row pass
// (before f is updated); the column marginal is exact after each g-update.  exp is the vectorized
// vexp of simd.hpp.
// Scaling domain: u = a/(K v), v = b/(K^T u) with K = exp(-C/reg) formed once; one fused pass over
// K per iteration (row i: s = K_i v, u_i = a_i/s, then K_i^T u accumulated while the row is in cache).
// Absorption-stabilized scaling: the same fused pass on Kt = exp((f + g - C)/reg) for absorbed
// potentials f, g; u, v are absorbed into f, g (and Kt rebuilt) when they leave [1/bound, bound],
// and an exact log-domain iteration replaces a scaling step whose K v or K^T u underflowed.
// The NumPy references are in pyoptheory/ot/sinkhorn.py.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "pyoptheory/simd.hpp"

#ifdef PYOPTHEORY_OPENMP
#include <omp.h>
#endif

namespace pyoptheory {

// The calling thread's index and the team size inside a parallel region (0 and 1 without OpenMP).
inline int thread_id() {
#ifdef PYOPTHEORY_OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

inline int thread_count() {
#ifdef PYOPTHEORY_OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}

struct OTProblem {
  const double* C;
  int64_t n, m;
  const double* a;
  const double* b;
  double reg;
};

// exp(x), bit for bit: below -746 the result is +0, which glibc reaches through a slow underflow path
// (errno, floating-point flags); at small reg most exponents lie there and the guard halves the time of
// a log-domain pass (n = 2000 point clouds, reg = 1e-4: 75 -> 35 ms per iteration on 2 cores).
inline double ot_exp(double x) { return x < -746.0 ? 0.0 : std::exp(x); }

inline int ot_threads(int n_threads, int64_t work) {
#ifdef PYOPTHEORY_OPENMP
  return (n_threads > 1 && work >= 40000) ? n_threads : 1;
#else
  (void)n_threads;
  (void)work;
  return 1;
#endif
}

// LSE_j((g_j - c_j) inv) over one row of C (two passes over the row, which stays in cache).
PYOPTHEORY_CLONES inline double row_lse(const double* c, const double* g, int64_t m, double inv) {
  double mx = -std::numeric_limits<double>::infinity();
#pragma omp simd reduction(max : mx)
  for (int64_t j = 0; j < m; ++j) mx = std::max(mx, (g[j] - c[j]) * inv);
  if (!(mx > -std::numeric_limits<double>::infinity())) return mx;  // every column has zero mass
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (int64_t j = 0; j < m; ++j) s += vexp((g[j] - c[j]) * inv - mx);
  return mx + std::log(s);
}

// Row pass: s_i = LSE_j((g_j - C_ij)/reg); returns sum_i |exp(f_i/reg + s_i) - a_i| and sets
// f_i = reg (log a_i - s_i).
inline double sinkhorn_row_update(const OTProblem& p, double* f, const double* g, int n_threads,
                                  bool update = true, double* total = nullptr) {
  const double inv = 1.0 / p.reg;
  double err = 0.0, mass = 0.0;
  const int nt = ot_threads(n_threads, p.n * p.m);
#pragma omp parallel for num_threads(nt) reduction(+ : err, mass) schedule(static) if (nt > 1)
  for (int64_t i = 0; i < p.n; ++i) {
    const double lse = row_lse(p.C + i * p.m, g, p.m, inv);
    const double row = std::exp(f[i] * inv + lse);  // (P 1)_i of the current plan
    err += std::fabs(row - p.a[i]);
    mass += row;
    if (update) f[i] = p.a[i] > 0.0 ? p.reg * (std::log(p.a[i]) - lse) : -std::numeric_limits<double>::infinity();
  }
  if (total) *total = mass;
  return err;
}

// Rows lo..hi of the column pass: running column maxima mx and sums sm of exp(f_i/reg - C_ij/reg - mx_j),
// in blocks of rows that stay in cache between the max and the sum (sm rescaled when mx grows).
PYOPTHEORY_CLONES inline void col_lse_rows(const OTProblem& p, const double* f, int64_t lo, int64_t hi, double* mx,
                                           double* sm, double* bmx) {
  constexpr int64_t kBlock = 32;
  const double inv = 1.0 / p.reg, ninf = -std::numeric_limits<double>::infinity();
  const int64_t m = p.m;
  for (int64_t i0 = lo; i0 < hi; i0 += kBlock) {
    const int64_t i1 = std::min(hi, i0 + kBlock);
    for (int64_t j = 0; j < m; ++j) bmx[j] = mx[j];
    for (int64_t i = i0; i < i1; ++i) {
      if (!(f[i] > ninf)) continue;  // zero-mass row
      const double* c = p.C + i * m;
      const double fi = f[i] * inv;
#pragma omp simd
      for (int64_t j = 0; j < m; ++j) bmx[j] = std::max(bmx[j], fi - c[j] * inv);
    }
#pragma omp simd
    for (int64_t j = 0; j < m; ++j) {  // rescale the sums to the new maxima (factor 1 where unchanged)
      const double scale = vexp(mx[j] - bmx[j]);
      sm[j] = bmx[j] > ninf ? sm[j] * scale : 0.0;
      mx[j] = bmx[j];
    }
    for (int64_t i = i0; i < i1; ++i) {
      if (!(f[i] > ninf)) continue;
      const double* c = p.C + i * m;
      const double fi = f[i] * inv;
#pragma omp simd
      for (int64_t j = 0; j < m; ++j) sm[j] += vexp(fi - c[j] * inv - mx[j]);
    }
  }
}

// Column pass: g_j = reg (log b_j - LSE_i((f_i - C_ij)/reg)).
inline void sinkhorn_col_update(const OTProblem& p, const double* f, double* g, int n_threads) {
  const double ninf = -std::numeric_limits<double>::infinity();
  const int nt = ot_threads(n_threads, p.n * p.m);
  const size_t m = static_cast<size_t>(p.m);
  std::vector<double> mx(nt * m, ninf), sm(nt * m, 0.0), bmx(nt * m);
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    const int t = thread_id(), T = thread_count();
    col_lse_rows(p, f, p.n * t / T, p.n * (t + 1) / T, mx.data() + t * m, sm.data() + t * m, bmx.data() + t * m);
  }
  for (size_t j = 0; j < m; ++j) {
    double M = mx[j];
    for (int t = 1; t < nt; ++t) M = std::max(M, mx[t * m + j]);
    double s = 0.0;
    if (M > ninf)
      for (int t = 0; t < nt; ++t) s += sm[t * m + j] * vexp(mx[t * m + j] - M);
    g[j] = p.b[j] > 0.0 ? p.reg * (std::log(p.b[j]) - (M + std::log(s))) : ninf;
  }
}

// `iters` full log-domain iterations (row then column); stops early when the row-marginal
// error measured at the start of an iteration is <= tol (f is then left as it was, so the plan
// returned is the one whose error was measured: exact columns, rows within tol).  Returns the iterations done and the
// last measured error in err_out[0]; err_out[1] = 1 when a non-finite value appeared.
inline int64_t sinkhorn_log(const OTProblem& p, double* f, double* g, int64_t iters, double tol, double* err_out,
                            int n_threads) {
  int64_t it = 0;
  err_out[1] = 0.0;
  std::vector<double> previous(f, f + p.n);
  for (; it < iters; ++it) {
    std::copy(f, f + p.n, previous.begin());
    const double err = sinkhorn_row_update(p, f, g, n_threads);
    err_out[0] = err;
    if (!std::isfinite(err)) { err_out[1] = 1.0; return it; }
    if (err <= tol) {  // the plan before this row update meets the tolerance: return that plan
      std::copy(previous.begin(), previous.end(), f);
      return it;
    }
    sinkhorn_col_update(p, f, g, n_threads);
  }
  return it;
}

// --- scaling form ---------------------------------------------------------------------------------

// Row i of the fused pass: s = k.v, unew = a/s (0 on zero mass), acc += unew k.  Returns s.
PYOPTHEORY_CLONES inline double scaling_row(const double* k, const double* v, int64_t m, double ai, double* unew,
                                            double* acc) {
  const double s = dot(k, v, m);
  const double ui = ai > 0.0 ? ai / s : 0.0;
  *unew = ui;
  if (ui != 0.0 && std::isfinite(ui)) {
#pragma omp simd
    for (int64_t j = 0; j < m; ++j) acc[j] += ui * k[j];
  }
  return s;
}

// One scaling iteration in one pass over K: unew = a/(K v), vnew = b/(K^T unew).  Returns the l1
// row error ||u * (K v) - a||_1 of the plan before the update; bad = true when some K v or K^T unew
// with positive mass is 0 or not finite (the update is then unusable).  part: nt * m scratch.
inline double scaling_pass(const double* K, int64_t n, int64_t m, const double* a, const double* b, const double* u,
                           const double* v, double* unew, double* vnew, int nt, std::vector<double>& part,
                           bool& bad) {
  double err = 0.0;
  bool row_bad = false, col_bad = false;
  const size_t ms = static_cast<size_t>(m);
  part.assign(static_cast<size_t>(nt) * ms, 0.0);
#pragma omp parallel num_threads(nt) reduction(+ : err) reduction(|| : row_bad, col_bad) if (nt > 1)
  {
    const int t = thread_id(), T = thread_count();
    double* acc = part.data() + t * ms;
    for (int64_t i = n * t / T; i < n * (t + 1) / T; ++i) {
      const double s = scaling_row(K + i * m, v, m, a[i], unew + i, acc);
      err += std::fabs(u[i] * s - a[i]);
      if (a[i] > 0.0 && !(s > 0.0 && std::isfinite(s))) row_bad = true;
    }
#pragma omp barrier
#pragma omp for schedule(static)
    for (int64_t j = 0; j < m; ++j) {
      double s = 0.0;
      for (int q = 0; q < T; ++q) s += part[q * ms + j];
      if (b[j] > 0.0 && !(s > 0.0 && std::isfinite(s))) col_bad = true;
      vnew[j] = b[j] > 0.0 ? b[j] / s : 0.0;
    }
  }
  bad = row_bad || col_bad || !std::isfinite(err);
  return err;
}

// The l1 row error ||u * (K v) - a||_1 and the mass sum_i u_i (K v)_i of the plan diag(u) K diag(v).
inline double scaling_row_error(const double* K, int64_t n, int64_t m, const double* a, const double* u,
                                const double* v, int n_threads, double* total) {
  double err = 0.0, mass = 0.0;
  const int nt = ot_threads(n_threads, n * m);
#pragma omp parallel for num_threads(nt) reduction(+ : err, mass) schedule(static) if (nt > 1)
  for (int64_t i = 0; i < n; ++i) {
    const double r = u[i] * dot(K + i * m, v, m);
    err += std::fabs(r - a[i]);
    mass += r;
  }
  *total = mass;
  return err;
}

// Scaling domain on a precomputed K = exp(-C/reg): u = a/(K v), v = b/(K^T u); err = ||u * (K v) - a||_1
// measured before each u-update.  err_out[1] = 1 when K v or K^T u underflows to 0 or a value is not finite.
inline int64_t sinkhorn_scaling(const double* K, int64_t n, int64_t m, const double* a, const double* b, double* u,
                                double* v, int64_t iters, double tol, double* err_out, int n_threads) {
  std::vector<double> unew(n), vnew(m), part;
  const int nt = ot_threads(n_threads, n * m);
  err_out[1] = 0.0;
  int64_t it = 0;
  for (; it < iters; ++it) {
    bool bad = false;
    const double err = scaling_pass(K, n, m, a, b, u, v, unew.data(), vnew.data(), nt, part, bad);
    err_out[0] = err;
    if (std::isfinite(err) && err <= tol) return it;  // the plan before this update meets the tolerance
    if (bad) { err_out[1] = 1.0; return it; }
    std::copy(unew.begin(), unew.end(), u);
    std::copy(vnew.begin(), vnew.end(), v);
  }
  return it;
}

// --- absorption-stabilized scaling --------------------------------------------------------------------

// Kt_ij = exp((f_i + g_j - C_ij)/reg) (0 on zero-mass rows/columns).
PYOPTHEORY_CLONES inline void kernel_row(const double* c, const double* g, int64_t m, double fi, double inv,
                                         double* out) {
#pragma omp simd
  for (int64_t j = 0; j < m; ++j) out[j] = vexp((fi + g[j] - c[j]) * inv);
}

inline void build_kernel(const OTProblem& p, const double* f, const double* g, double* Kt, int n_threads) {
  const double inv = 1.0 / p.reg;
  const int nt = ot_threads(n_threads, p.n * p.m);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (int64_t i = 0; i < p.n; ++i) kernel_row(p.C + i * p.m, g, p.m, f[i], inv, Kt + i * p.m);
}

// f += reg log u, u = 1 (zero-mass entries keep -inf).
inline void absorb(double* f, double* u, int64_t n, double reg) {
  for (int64_t i = 0; i < n; ++i) {
    if (f[i] > -std::numeric_limits<double>::infinity()) f[i] += reg * std::log(u[i]);
    u[i] = 1.0;
  }
}

// State of the stabilized iteration: potentials f + reg log u and g + reg log v, Kt built from f, g.
// `iters` iterations; each is one fused scaling pass, or (when K v or K^T u underflowed) an exact
// log-domain iteration.  u, v are absorbed when max(u, 1/u, v, 1/v) > bound.  info[0] = error,
// info[1] = 1 on a non-finite value, info[2] += absorptions, info[3] += log-domain iterations.
// kernel_ready = false builds Kt first.
inline int64_t sinkhorn_stabilized(const OTProblem& p, double* f, double* g, double* Kt, double* u, double* v,
                                   bool kernel_ready, int64_t iters, double tol, double bound, double* info,
                                   int n_threads) {
  const int64_t n = p.n, m = p.m;
  std::vector<double> unew(n), vnew(m), part;
  const int nt = ot_threads(n_threads, n * m);
  info[1] = 0.0;
  if (!kernel_ready) build_kernel(p, f, g, Kt, n_threads);
  auto out_of_range = [bound](const double* x, int64_t len) {
    for (int64_t i = 0; i < len; ++i)
      if (x[i] > bound || (x[i] != 0.0 && x[i] < 1.0 / bound)) return true;
    return false;
  };
  int64_t it = 0;
  for (; it < iters; ++it) {
    bool bad = false;
    const double err = scaling_pass(Kt, n, m, p.a, p.b, u, v, unew.data(), vnew.data(), nt, part, bad);
    info[0] = err;
    if (std::isfinite(err) && err <= tol) return it;
    if (bad) {  // exact log-domain iteration from the current potentials, then a fresh kernel
      absorb(f, u, n, p.reg);
      absorb(g, v, m, p.reg);
      double ignored[2];
      sinkhorn_log(p, f, g, 1, -1.0, ignored, n_threads);
      if (ignored[1] != 0.0) { info[0] = ignored[0]; info[1] = 1.0; return it; }
      build_kernel(p, f, g, Kt, n_threads);
      info[2] += 1.0;
      info[3] += 1.0;
      continue;
    }
    std::copy(unew.begin(), unew.end(), u);
    std::copy(vnew.begin(), vnew.end(), v);
    if (out_of_range(u, n) || out_of_range(v, m)) {
      absorb(f, u, n, p.reg);
      absorb(g, v, m, p.reg);
      build_kernel(p, f, g, Kt, n_threads);
      info[2] += 1.0;
    }
  }
  return it;
}

}  // namespace pyoptheory
