// Sinkhorn-Newton-Sparse, the Newton stage (Tang et al., "Accelerating Sinkhorn algorithm with sparse
// Newton iterations", ICLR 2024, Algorithm 1).  POT's convention reg = epsilon = 1/eta:
//
//   Z_ij = (f_i + g_j - C_ij)/reg,  P = exp(Z),
//   D(f, g) = <a, f> + <b, g> - reg sum P + reg mass            (concave dual),
//   grad D = (a - P 1, b - P^T 1),  Hessian = -(1/reg) [[diag(P 1), P], [P^T, diag(P^T 1)]].
//
// One Newton step, with no n x m temporary (only C is n x m):
//  * sums pass: r = P 1, c = P^T 1 (per-thread column accumulators), sum P, the l1 marginal error;
//  * selection of the k = ceil(sparsity n m) largest entries of P, ranked by Z (ties at the k-th
//    largest value: smallest row-major index i m + j).  A histogram of Z (4096 bins, one pass, no exp)
//    locates the bin holding the k-th largest value; while that bin holds more than max(k, 65536)
//    entries it is re-binned over the exact range of its values (a bin whose entries all have the same
//    Z is cut by index instead).  One more pass collects the entries above the cut (fewer than k) and those in the bin,
//    std::nth_element keeps exactly k, and Pbar is built in CSR (row-sorted) plus its transpose;
//    memory O(k + 65536 + n + m), except in contrived cases (more than max(k, 65536) distinct values
//    packed so tightly that 64 re-binnings cannot separate them) where the whole bin is collected;
//  * (reg M) dz = reg grad with reg M = K = [[diag(r), Pbar], [Pbar^T, diag(c)]] (exact diagonals:
//    diagonally dominant, PSD), the last g pinned (dz_last = 0: D is invariant under (f + t, g - t)),
//    by Jacobi-preconditioned CG from 0, stopping at ||res|| <= cg_tol ||rhs|| (recursive residual)
//    or after 20 (n + m) iterations; the true relative residual is reported;
//  * backtracking Armijo ascent: the largest alpha in 1, 1/2, ..., 2^-59 with
//      D(z + alpha dz) - D(z) = alpha (<a, df> + <b, dg>) - reg sum_ij P_ij expm1(alpha (df_i + dg_j)/reg)
//                             >= 1e-4 alpha <grad, dz>,
//    the increase evaluated without cancellation (a difference D(trial) - D(z) of two O(1) numbers is
//    rounding noise once the marginal error is below ~1e-7).  For steps with max |alpha dz|/reg <= 1,
//    expm1(x + y) = X + Y + X Y with X = expm1(alpha df_i/reg), Y = expm1(alpha dg_j/reg) (one exp per
//    entry); larger steps take P_ij expm1(delta_ij) per entry (the identity cancels catastrophically for
//    large opposite x, y).  A trial with an exponent above 700 is rejected (sum P > e^700: D = -inf in
//    double precision), so nothing overflows.  The sums of the accepted trial are the next step's r, c
//    and sum P (no extra pass).
// The sums pass and the fast line-search trial use the vectorized vexp (simd.hpp: within 1 ulp of
// std::exp, values below exp(-707) flushed to 0); the other exponentials go through ot_exp
// (bit-identical to std::exp, without glibc's slow underflow path:
// at reg = 1/1200 half the exponents are below -745).  OpenMP over rows where the work is large (ot_threads); results depend on the thread count only
// through the order of floating-point sums.  The NumPy reference is pyoptheory/ot/sns.py.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <new>
#include <vector>

#include "pyoptheory/sinkhorn.hpp"

namespace pyoptheory {

constexpr double SNS_ARMIJO_C = 1e-4;
constexpr int SNS_LINE_SEARCH_TRIALS = 60;
constexpr int SNS_BINS = 4096;

// Row and column sums of the plan at the current potentials and what follows from them.
struct SNSPlanSums {
  std::vector<double> r, c;       // P 1, P^T 1
  double total = 0.0;             // sum P
  double err = 0.0;               // ||P 1 - a||_1 + ||P^T 1 - b||_1
  double zmin = 0.0, zmax = 0.0;  // range of Z (a scale for the histogram only)
};

// Pbar in CSR (rows sorted by column) and its transpose in CSR.
struct SNSSparse {
  std::vector<int64_t> rowptr, col, colptr, row;
  std::vector<double> val, valT;
};

struct SNSCandidate {
  double z;
  int64_t idx;  // i m + j
};

// Strict total order: larger Z first, then smaller index.
inline bool sns_before(const SNSCandidate& x, const SNSCandidate& y) {
  return x.z > y.z || (x.z == y.z && x.idx < y.idx);
}

// k = ceil(sparsity n m) in [1, n m]; a product within 1e-9 relative of an integer counts as it.
inline int64_t sns_kept_count(double sparsity, int64_t n, int64_t m) {
  const double x = sparsity * static_cast<double>(n) * static_cast<double>(m);
  const double k = std::ceil(x - 1e-9 * x);
  if (!(k >= 1.0)) return 1;
  return k >= static_cast<double>(n * m) ? n * m : static_cast<int64_t>(k);
}

inline void sns_finish_sums(const OTProblem& p, SNSPlanSums& s, const std::vector<double>& part, int nt) {
  s.c.assign(p.m, 0.0);
  for (int t = 0; t < nt; ++t)
    for (int64_t j = 0; j < p.m; ++j) s.c[j] += part[static_cast<size_t>(t) * p.m + j];
  double total = 0.0, err = 0.0;
  for (int64_t i = 0; i < p.n; ++i) {
    total += s.r[i];
    err += std::fabs(s.r[i] - p.a[i]);
  }
  for (int64_t j = 0; j < p.m; ++j) err += std::fabs(s.c[j] - p.b[j]);
  s.total = total;
  s.err = err;
}

// One row of the sums pass: returns sum_j P_ij, adds P_ij to acc[j], and the row's min and max exponent.
PYOPTHEORY_CLONES inline double sns_sums_row(const double* c, const double* g, int64_t m, double fi, double inv,
                                             double* acc, double& lo, double& hi) {
  double si = 0.0, l = std::numeric_limits<double>::infinity(), h = -std::numeric_limits<double>::infinity();
#pragma omp simd reduction(+ : si) reduction(min : l) reduction(max : h)
  for (int64_t j = 0; j < m; ++j) {
    const double z = (fi + g[j] - c[j]) * inv;
    const double e = vexp(z);
    si += e;
    acc[j] += e;
    l = std::min(l, z);
    h = std::max(h, z);
  }
  lo = l;
  hi = h;
  return si;
}

// One row of the fast line-search trial (see sns_trial): returns sum_j P_ij expm1(delta_ij) and adds the
// trial plan's entries to acc and *si; lo/hi: the row's trial exponents' range.
PYOPTHEORY_CLONES inline double sns_trial_row(const double* c, const double* g, const double* Y, const double* dg,
                                              int64_t m, double fi, double Xi, double adf, double alpha, double inv,
                                              double* acc, double& si_out, double& lo, double& hi) {
  double si = 0.0, di = 0.0, l = std::numeric_limits<double>::infinity(), h = -std::numeric_limits<double>::infinity();
#pragma omp simd reduction(+ : si, di) reduction(min : l) reduction(max : h)
  for (int64_t j = 0; j < m; ++j) {
    const double z = (fi + g[j] - c[j]) * inv;
    const double e = vexp(z);
    const double d = e * (Xi + Y[j] + Xi * Y[j]);  // P_ij expm1(delta_ij)
    const double zt = z + (adf + alpha * dg[j]) * inv;
    di += d;
    si += e + d;
    acc[j] += e + d;
    l = std::min(l, zt);
    h = std::max(h, zt);
  }
  si_out = si;
  lo = l;
  hi = h;
  return di;
}

// Sums pass at (f, g).
inline void sns_plan_sums(const OTProblem& p, const double* f, const double* g, SNSPlanSums& s, int n_threads) {
  const double inv = 1.0 / p.reg;
  const double inf = std::numeric_limits<double>::infinity();
  const int nt = ot_threads(n_threads, p.n * p.m);
  s.r.assign(p.n, 0.0);
  std::vector<double> part(static_cast<size_t>(nt) * p.m, 0.0);
  double zmin = inf, zmax = -inf;
#pragma omp parallel num_threads(nt) if (nt > 1) reduction(min : zmin) reduction(max : zmax)
  {
    const int t = thread_id(), T = thread_count();
    double* acc = part.data() + static_cast<size_t>(t) * p.m;
    for (int64_t i = p.n * t / T; i < p.n * (t + 1) / T; ++i) {
      double lo, hi;
      const double si = sns_sums_row(p.C + i * p.m, g, p.m, f[i], inv, acc, lo, hi);
      s.r[i] = si;
      zmin = std::min(zmin, lo);
      zmax = std::max(zmax, hi);
    }
  }
  s.zmin = zmin;
  s.zmax = zmax;
  sns_finish_sums(p, s, part, nt);
}

// Line-search trial at (f + alpha df, g + alpha dg): returns sum_ij P_ij expm1(delta_ij),
// delta_ij = alpha (df_i + dg_j)/reg (+inf when a trial exponent exceeds 700), and the plan sums at the
// trial point in `out`.  With |alpha dz|/reg <= 1 everywhere, expm1(delta_ij) = X_i + Y_j + X_i Y_j with
// X = expm1(alpha df/reg), Y = expm1(alpha dg/reg) (one exp per entry; as accurate as forming x + y:
// the identity cancels catastrophically only for large opposite x, y, which this bound excludes).
// Otherwise each entry takes P_ij expm1(delta_ij), or exp(Z_ij + delta_ij) - P_ij when delta_ij > 700
// or P_ij underflowed to 0.
inline double sns_trial(const OTProblem& p, const double* f, const double* g, const double* df, const double* dg,
                        double alpha, const SNSPlanSums& s, SNSPlanSums& out, std::vector<double>& X,
                        std::vector<double>& Y, int n_threads) {
  const double inv = 1.0 / p.reg;
  const double inf = std::numeric_limits<double>::infinity();
  double big = 0.0;
  for (int64_t i = 0; i < p.n; ++i) big = std::max(big, std::fabs(alpha * df[i] * inv));
  for (int64_t j = 0; j < p.m; ++j) big = std::max(big, std::fabs(alpha * dg[j] * inv));
  const bool fast = big <= 1.0 && s.zmax <= 698.0;  // then every trial exponent is <= 700
  X.resize(p.n);
  Y.resize(p.m);
  if (fast) {
    for (int64_t i = 0; i < p.n; ++i) X[i] = std::expm1(alpha * df[i] * inv);
    for (int64_t j = 0; j < p.m; ++j) Y[j] = std::expm1(alpha * dg[j] * inv);
  }
  const int nt = ot_threads(n_threads, p.n * p.m);
  out.r.assign(p.n, 0.0);
  std::vector<double> part(static_cast<size_t>(nt) * p.m, 0.0);
  double dsum = 0.0, zmin = inf, zmax = -inf;
  bool over = false;
#pragma omp parallel num_threads(nt) if (nt > 1) reduction(+ : dsum) reduction(min : zmin) reduction(max : zmax) \
    reduction(|| : over)
  {
    const int t = thread_id(), T = thread_count();
    double* acc = part.data() + static_cast<size_t>(t) * p.m;
    for (int64_t i = p.n * t / T; i < p.n * (t + 1) / T; ++i) {
      const double* c = p.C + i * p.m;
      const double fi = f[i], adf = alpha * df[i];
      double si = 0.0, di = 0.0, lo = inf, hi = -inf;
      if (fast) {
        di = sns_trial_row(c, g, Y.data(), dg, p.m, fi, X[i], adf, alpha, inv, acc, si, lo, hi);
      } else {
        for (int64_t j = 0; j < p.m; ++j) {
          const double z = (fi + g[j] - c[j]) * inv;
          const double dl = (adf + alpha * dg[j]) * inv;
          const double zt = z + dl;
          if (!(zt <= 700.0)) {
            over = true;
            continue;
          }
          const double e = ot_exp(z);
          const double d = (e > 0.0 && dl <= 700.0) ? e * std::expm1(dl) : ot_exp(zt) - e;
          di += d;
          si += e + d;
          acc[j] += e + d;
          lo = std::min(lo, zt);
          hi = std::max(hi, zt);
        }
      }
      out.r[i] = si;
      dsum += di;
      zmin = std::min(zmin, lo);
      zmax = std::max(zmax, hi);
    }
  }
  if (over) return inf;
  out.zmin = zmin;
  out.zmax = zmax;
  sns_finish_sums(p, out, part, nt);
  return dsum;
}

// Pbar: the k largest entries of P at (f, g) (see the header comment); zmin, zmax scale the first histogram.
// Returns the number of histogram passes (0 when k = n m; 2 or more when a bin was re-binned).
inline int sns_select(const OTProblem& p, const double* f, const double* g, int64_t k, double zmin, double zmax,
                       SNSSparse& sp, int n_threads) {
  const double inv = 1.0 / p.reg;
  const double inf = std::numeric_limits<double>::infinity();
  const int64_t n = p.n, m = p.m, cap = std::max<int64_t>(k, 65536);
  const int nt = ot_threads(n_threads, n * m);
  // the bin [lo, hi) holds the k-th largest Z; `above` entries have Z >= hi
  double lo = -inf, hi = inf;
  int64_t above = 0, in_bin = n * m;
  bool single = false;  // [lo, hi) holds a single double value
  int passes = 0;
  std::vector<double> edge(SNS_BINS + 1);
  std::vector<int64_t> hist(static_cast<size_t>(nt) * SNS_BINS);
  double imin = zmin, imax = zmax;  // bounds of the Z values in [lo, hi) (exact after the first pass)
  for (int level = 0; level < 64 && k < n * m; ++level) {
    const double base = std::max(lo, imin), top = std::min(hi, imax);
    double w = (top - base) / SNS_BINS;
    if (!(w > 0.0) || !std::isfinite(w)) {
      if (level > 0) break;  // width below the double range (not met in practice): collect the whole bin
      w = 1.0;               // level 0 with a degenerate range: any scale (the edges make the bins exact)
    }
    edge[0] = lo;
    edge[SNS_BINS] = hi;
    for (int q = 1; q < SNS_BINS; ++q) edge[q] = std::min(std::max(base + w * q, lo), hi);
    const double iw = 1.0 / w;
    std::fill(hist.begin(), hist.end(), 0);
    ++passes;
    double mn = inf, mx = -inf;  // over the entries in [lo, hi)
#pragma omp parallel num_threads(nt) if (nt > 1) reduction(min : mn) reduction(max : mx)
    {
      const int t = thread_id(), T = thread_count();
      int64_t* h = hist.data() + static_cast<size_t>(t) * SNS_BINS;
      for (int64_t i = n * t / T; i < n * (t + 1) / T; ++i) {
        const double* c = p.C + i * m;
        const double fi = f[i];
        for (int64_t j = 0; j < m; ++j) {
          const double z = (fi + g[j] - c[j]) * inv;
          if (!(z >= lo && z < hi)) continue;
          mn = std::min(mn, z);
          mx = std::max(mx, z);
          const double q = (z - base) * iw;
          int b = q >= 1.0 ? (q < SNS_BINS - 1 ? static_cast<int>(q) : SNS_BINS - 1) : 0;
          while (z >= edge[b + 1]) ++b;  // exact against the edges: edge[b] <= z < edge[b + 1]
          while (z < edge[b]) --b;
          ++h[b];
        }
      }
    }
    if (mn == mx) {  // every entry in [lo, hi) has the same Z: cut by index
      single = true;
      break;
    }
    imin = mn;
    imax = mx;
    for (int t = 1; t < nt; ++t)
      for (int q = 0; q < SNS_BINS; ++q) hist[q] += hist[static_cast<size_t>(t) * SNS_BINS + q];
    int64_t cum = above;
    int q = SNS_BINS - 1;
    for (; q > 0 && cum + hist[q] < k; --q) cum += hist[q];
    lo = edge[q];
    hi = edge[q + 1];
    above = cum;
    in_bin = hist[q];
    if (in_bin <= cap) break;
  }
  // collect the entries with Z >= hi and those in [lo, hi) (only the first `need` by index when the
  // bin is a single value: they are the ones the tie rule keeps)
  const int64_t need = k - above;
  const bool all_in_bin = !single || in_bin <= cap;
  std::vector<std::vector<SNSCandidate>> top_t(nt), bin_t(nt);
  bool failed = false;
#pragma omp parallel num_threads(nt) if (nt > 1) reduction(|| : failed)
  {
    const int t = thread_id(), T = thread_count();
    try {
      auto& tv = top_t[t];
      auto& bv = bin_t[t];
      for (int64_t i = n * t / T; i < n * (t + 1) / T; ++i) {
        const double* c = p.C + i * m;
        const double fi = f[i];
        for (int64_t j = 0; j < m; ++j) {
          const double z = (fi + g[j] - c[j]) * inv;
          if (z >= hi)
            tv.push_back({z, i * m + j});
          else if (z >= lo && (all_in_bin || static_cast<int64_t>(bv.size()) < need))
            bv.push_back({z, i * m + j});
        }
      }
    } catch (...) {
      failed = true;
    }
  }
  if (failed) throw std::bad_alloc();
  std::vector<SNSCandidate> keep;
  keep.reserve(static_cast<size_t>(k));
  for (auto& v : top_t) keep.insert(keep.end(), v.begin(), v.end());
  std::vector<SNSCandidate> bin;
  for (auto& v : bin_t) bin.insert(bin.end(), v.begin(), v.end());
  const int64_t want = std::min<int64_t>(k - static_cast<int64_t>(keep.size()), static_cast<int64_t>(bin.size()));
  if (want > 0) {
    if (want < static_cast<int64_t>(bin.size())) std::nth_element(bin.begin(), bin.begin() + want, bin.end(), sns_before);
    keep.insert(keep.end(), bin.begin(), bin.begin() + want);
  }
  if (static_cast<int64_t>(keep.size()) > k) {  // not reached: fewer than k entries lie above the bin
    std::nth_element(keep.begin(), keep.begin() + k, keep.end(), sns_before);
    keep.resize(k);
  }
  std::sort(keep.begin(), keep.end(), [](const SNSCandidate& x, const SNSCandidate& y) { return x.idx < y.idx; });
  // CSR of Pbar and of its transpose
  const size_t nnz = keep.size();
  sp.rowptr.assign(n + 1, 0);
  sp.colptr.assign(m + 1, 0);
  sp.col.resize(nnz);
  sp.val.resize(nnz);
  sp.row.resize(nnz);
  sp.valT.resize(nnz);
  for (size_t e = 0; e < nnz; ++e) {
    const int64_t i = keep[e].idx / m, j = keep[e].idx % m;
    sp.col[e] = j;
    sp.val[e] = ot_exp(keep[e].z);
    ++sp.rowptr[i + 1];
    ++sp.colptr[j + 1];
  }
  for (int64_t i = 0; i < n; ++i) sp.rowptr[i + 1] += sp.rowptr[i];
  for (int64_t j = 0; j < m; ++j) sp.colptr[j + 1] += sp.colptr[j];
  std::vector<int64_t> next(sp.colptr.begin(), sp.colptr.end() - 1);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = sp.rowptr[i]; e < sp.rowptr[i + 1]; ++e) {
      const int64_t slot = next[sp.col[e]]++;
      sp.row[slot] = i;
      sp.valT[slot] = sp.val[e];
    }
  return passes;
}

// Rows [lo, hi) of y = K x with the last coordinate pinned (x_last must be 0, as CG keeps it; y_last is
// set to 0); returns sum_i x_i y_i over those rows.  Rows i < n are Pbar's, rows n + j its transpose's.
inline double sns_apply_rows(const SNSSparse& sp, const double* r, const double* c, int64_t n, int64_t m,
                             const double* x, double* y, int64_t lo, int64_t hi) {
  double xy = 0.0;
  for (int64_t i = lo; i < hi; ++i) {
    double v;
    if (i < n) {
      v = r[i] * x[i];
      for (int64_t e = sp.rowptr[i]; e < sp.rowptr[i + 1]; ++e) v += sp.val[e] * x[n + sp.col[e]];
    } else if (i < n + m - 1) {
      const int64_t j = i - n;
      v = c[j] * x[i];
      for (int64_t e = sp.colptr[j]; e < sp.colptr[j + 1]; ++e) v += sp.valT[e] * x[sp.row[e]];
    } else {
      v = 0.0;
    }
    y[i] = v;
    xy += x[i] * v;
  }
  return xy;
}

// Jacobi-preconditioned CG for K x = rhs (rhs_last = 0), x = 0 initially; returns the iterations and
// the true relative residual ||K x - rhs|| / ||rhs|| in *rel.  Three loops per iteration (matrix-vector
// product with p^T K p; update of x and the residual with its two dot products; new direction); they
// run on threads only when an iteration is large enough (>= 2e5 entries) to amortize the barriers.
inline int64_t sns_cg(const SNSSparse& sp, const std::vector<double>& r, const std::vector<double>& c, int64_t n,
                      int64_t m, const std::vector<double>& rhs, std::vector<double>& x, double tol, int64_t maxiter,
                      int n_threads, double* rel) {
  const int64_t N = n + m;
  const int64_t work = 2 * static_cast<int64_t>(sp.val.size()) + 4 * N;
  const int nt = (n_threads > 1 && work >= 200000) ? ot_threads(n_threads, work) : 1;
  std::vector<double> minv(N), res(rhs), z(N), p(N), q(N);
  for (int64_t i = 0; i < N; ++i) {
    const double d = i < n ? r[i] : c[i - n];
    minv[i] = d > 0.0 ? 1.0 / d : 1.0;
  }
  minv[N - 1] = 0.0;
  x.assign(N, 0.0);
  double rr = 0.0, rz = 0.0;
  for (int64_t i = 0; i < N; ++i) {
    z[i] = minv[i] * res[i];
    rr += res[i] * res[i];
    rz += res[i] * z[i];
  }
  const double bnorm = std::sqrt(rr);
  *rel = 0.0;
  if (bnorm == 0.0) return 0;
  p = z;
  auto apply = [&](const double* in, double* out) {  // out = K in, returns in^T K in
    double xy = 0.0;
    if (nt > 1) {
#pragma omp parallel num_threads(nt) reduction(+ : xy)
      {
        const int t = thread_id(), T = thread_count();
        xy = sns_apply_rows(sp, r.data(), c.data(), n, m, in, out, N * t / T, N * (t + 1) / T);
      }
    } else {
      xy = sns_apply_rows(sp, r.data(), c.data(), n, m, in, out, 0, N);
    }
    return xy;
  };
  int64_t it = 0;
  while (it < maxiter) {
    if (std::sqrt(rr) <= tol * bnorm) break;
    const double pq = apply(p.data(), q.data());
    if (!(pq > 0.0)) break;
    const double step = rz / pq;
    double rr_new = 0.0, rz_new = 0.0;
#pragma omp parallel for num_threads(nt) reduction(+ : rr_new, rz_new) schedule(static) if (nt > 1)
    for (int64_t i = 0; i < N; ++i) {
      x[i] += step * p[i];
      res[i] -= step * q[i];
      z[i] = minv[i] * res[i];
      rr_new += res[i] * res[i];
      rz_new += res[i] * z[i];
    }
    ++it;
    const double beta = rz_new / rz;
    rr = rr_new;
    rz = rz_new;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (int64_t i = 0; i < N; ++i) p[i] = z[i] + beta * p[i];
  }
  apply(x.data(), q.data());
  double e2 = 0.0;
  for (int64_t i = 0; i < N; ++i) e2 += (rhs[i] - q[i]) * (rhs[i] - q[i]);
  *rel = std::sqrt(e2) / bnorm;
  return it;
}

struct SNSStep {
  double alpha = 0.0, cg_residual = 0.0;
  int64_t cg_iters = 0, nnz = 0;
};

// Work buffers reused across steps.
struct SNSWork {
  SNSSparse sp;
  SNSPlanSums trial;
  std::vector<double> rhs, dz, X, Y;
};

// One sparse Newton step from the potentials (f, g) whose plan sums are `s`; updates f, g and s.
inline SNSStep sns_step(const OTProblem& p, double* f, double* g, SNSPlanSums& s, double sparsity, double cg_tol,
                        int n_threads, SNSWork& w) {
  const int64_t n = p.n, m = p.m, N = n + m;
  SNSStep out;
  sns_select(p, f, g, sns_kept_count(sparsity, n, m), s.zmin, s.zmax, w.sp, n_threads);
  out.nnz = static_cast<int64_t>(w.sp.val.size());
  w.rhs.resize(N);
  for (int64_t i = 0; i < n; ++i) w.rhs[i] = p.reg * (p.a[i] - s.r[i]);
  for (int64_t j = 0; j < m; ++j) w.rhs[n + j] = p.reg * (p.b[j] - s.c[j]);
  w.rhs[N - 1] = 0.0;  // gauge: the last g does not move
  out.cg_iters = sns_cg(w.sp, s.r, s.c, n, m, w.rhs, w.dz, cg_tol, 20 * N, n_threads, &out.cg_residual);
  const double* df = w.dz.data();
  const double* dg = w.dz.data() + n;
  double A1 = 0.0, slope = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    A1 += p.a[i] * df[i];
    slope += (p.a[i] - s.r[i]) * df[i];
  }
  for (int64_t j = 0; j < m; ++j) {
    A1 += p.b[j] * dg[j];
    slope += (p.b[j] - s.c[j]) * dg[j];
  }
  double alpha = 1.0;
  for (int trial = 0; trial < SNS_LINE_SEARCH_TRIALS; ++trial, alpha *= 0.5) {
    const double dsum = sns_trial(p, f, g, df, dg, alpha, s, w.trial, w.X, w.Y, n_threads);
    if (alpha * A1 - p.reg * dsum >= SNS_ARMIJO_C * alpha * slope) {  // false for NaN and for dsum = inf
      for (int64_t i = 0; i < n; ++i) f[i] += alpha * df[i];
      for (int64_t j = 0; j < m; ++j) g[j] += alpha * dg[j];
      std::swap(s, w.trial);
      out.alpha = alpha;
      return out;
    }
  }
  out.alpha = 0.0;
  return out;
}

// Per-step record of sns_newton.
struct SNSLog {
  std::vector<double> err, fun, time, alpha, cg_residual;
  std::vector<int64_t> cg_iters;
  int status = 0;  // 0 ran or converged, 1 line search found no ascent step, 2 non-finite plan
  double err_final = 0.0, fun_final = 0.0, total = 0.0;
  int64_t nnz = 0;
};

inline double sns_dual(const OTProblem& p, const double* f, const double* g, const SNSPlanSums& s) {
  double v = 0.0, mass = 0.0;
  for (int64_t i = 0; i < p.n; ++i) {
    v += p.a[i] * f[i];
    mass += p.a[i];
  }
  for (int64_t j = 0; j < p.m; ++j) v += p.b[j] * g[j];
  return v - p.reg * s.total + p.reg * mass;
}

// Up to `steps` Newton steps, stopping when the l1 marginal error is <= tol; returns the steps taken.
inline int64_t sns_newton(const OTProblem& p, double* f, double* g, int64_t steps, double tol, double sparsity,
                          double cg_tol, int n_threads, SNSLog& log) {
  SNSPlanSums s;
  SNSWork w;
  sns_plan_sums(p, f, g, s, n_threads);
  int64_t done = 0;
  auto finite = [](const SNSPlanSums& v) {
    return std::isfinite(v.err) && std::isfinite(v.total) && std::isfinite(v.zmin) && std::isfinite(v.zmax);
  };
  log.status = finite(s) ? 0 : 2;
  while (log.status == 0 && done < steps && s.err > tol) {
    const auto t0 = std::chrono::steady_clock::now();
    const SNSStep st = sns_step(p, f, g, s, sparsity, cg_tol, n_threads, w);
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++done;
    log.err.push_back(s.err);
    log.fun.push_back(sns_dual(p, f, g, s));
    log.time.push_back(dt);
    log.alpha.push_back(st.alpha);
    log.cg_residual.push_back(st.cg_residual);
    log.cg_iters.push_back(st.cg_iters);
    log.nnz = st.nnz;
    if (st.alpha == 0.0)
      log.status = 1;
    else if (!finite(s))
      log.status = 2;
  }
  log.err_final = s.err;
  log.fun_final = sns_dual(p, f, g, s);
  log.total = s.total;
  return done;
}

}  // namespace pyoptheory
