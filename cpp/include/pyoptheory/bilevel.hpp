// Bilevel penalty methods (Kwon, Kwon, Wright & Nowak, ICLR 2024; catalogue structured.md section 3) and the
// implicit-differentiation comparator, on the built-in problems: the closed-form quadratic, per-feature ridge
// hyperparameters (finite sums, the exact oracles through Gram matrices) and the V-PBGD toy.  The NumPy
// references (pyoptheory/bilevel/_reference.py) perform the same operations in the same order; the oracle
// calls of an iteration and their samples are drawn in Python (rows of the data, or standard normal vectors
// for the additive-noise quadratic) and consumed here in the same order.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "pyoptheory/bcd.hpp"  // cholesky, chol_solve
#include "pyoptheory/simd.hpp"

namespace pyoptheory {
namespace bilevel {

enum Kind { QUADRATIC = 0, RIDGE = 1, TOY = 2 };
enum Level { F = 0, G = 1 };

struct Problem {
  int kind;
  int64_t dx, dy;
  // quadratic: B (dy x dx), b (dy), rho, noise
  const double *B = nullptr, *b = nullptr;
  double rho = 0.0, noise = 0.0;
  // ridge: training A (n x d), t; validation Av (m x d), tv; Gram matrices Gt = A^T A/n, ct = A^T t/n, Gv, cv
  const double *A = nullptr, *t = nullptr, *Av = nullptr, *tv = nullptr, *Gt = nullptr, *ct = nullptr, *Gv = nullptr,
               *cv = nullptr;
  int64_t n = 0, m = 0;
  double lmax_t = 0.0;  // ridge: lambda_max(A^T A / n)
  const double *xlo, *xhi, *ylo, *yhi;

  // The Lipschitz constant of grad_y g(x, .) at this x (the local inner step is its inverse).
  double l_g_at(const double* x) const {
    if (kind == QUADRATIC) return 1.0;
    if (kind == RIDGE) {
      double e = 0.0;
      for (int64_t j = 0; j < dx; ++j) e = std::max(e, std::exp(x[j]));
      return lmax_t + e;
    }
    return 8.0;
  }

  void project_x(double* x) const {
    for (int64_t i = 0; i < dx; ++i) x[i] = std::min(std::max(x[i], xlo[i]), xhi[i]);
  }
  void project_y(double* y) const {
    for (int64_t i = 0; i < dy; ++i) y[i] = std::min(std::max(y[i], ylo[i]), yhi[i]);
  }
};

// The sampled calls of a chunk: rows[ptr[c] .. ptr[c+1]) (finite sums), or eps[c * (dx + dy) ..] scaled by
// noise / sqrt(batch[c]) (the additive-noise quadratic); exact when neither is given.
struct Draws {
  const int64_t* rows = nullptr;
  const int64_t* ptr = nullptr;
  const double* eps = nullptr;
  const double* batch = nullptr;
  bool has_rows = false, has_eps = false;
};

// y_out = M v (M r x c, row-major), each row by the eight-way dot product (vectorized in the AVX clones).
PYOPTHEORY_ALWAYS_INLINE void matvec(const double* M, int64_t r, int64_t c, const double* v, double* out) {
  for (int64_t i = 0; i < r; ++i) out[i] = pyoptheory::dot(M + i * c, v, c);
}

// The partial gradients (gx, gy) of level lv at (x, y) for call c of the draws.
PYOPTHEORY_ALWAYS_INLINE void grad(const Problem& P, int lv, const double* x, const double* y, const Draws& D, int64_t c, double* gx,
                 double* gy, std::vector<double>& work) {
  const int64_t dx = P.dx, dy = P.dy;
  if (P.kind == QUADRATIC) {
    if (lv == F) {
      for (int64_t i = 0; i < dx; ++i) gx[i] = P.rho * x[i];
      for (int64_t i = 0; i < dy; ++i) gy[i] = y[i] - P.b[i];
    } else {
      work.resize(dy);
      matvec(P.B, dy, dx, x, work.data());
      for (int64_t i = 0; i < dy; ++i) work[i] = y[i] - work[i];  // r = y - B x
      for (int64_t j = 0; j < dx; ++j) gx[j] = 0.0;
      for (int64_t i = 0; i < dy; ++i)  // gx = -B^T r, accumulated row by row as B.T @ r
        for (int64_t j = 0; j < dx; ++j) gx[j] += P.B[i * dx + j] * work[i];
      for (int64_t j = 0; j < dx; ++j) gx[j] = -gx[j];
      for (int64_t i = 0; i < dy; ++i) gy[i] = work[i];
    }
    if (D.has_eps && P.noise > 0.0) {
      const double scale = P.noise / std::sqrt(D.batch[c]);
      const double* e = D.eps + c * (dx + dy);
      for (int64_t j = 0; j < dx; ++j) gx[j] += scale * e[j];
      for (int64_t i = 0; i < dy; ++i) gy[i] += scale * e[dx + i];
    }
    return;
  }
  if (P.kind == RIDGE) {
    const int64_t d = dy;
    if (D.has_rows && D.ptr[c + 1] > D.ptr[c]) {  // the mean over the sampled rows
      const double* M = lv == F ? P.Av : P.A;
      const double* tt = lv == F ? P.tv : P.t;
      const int64_t k = D.ptr[c + 1] - D.ptr[c];
      work.resize(k);
      for (int64_t q = 0; q < k; ++q)
        work[q] = pyoptheory::dot(M + D.rows[D.ptr[c] + q] * d, y, d) - tt[D.rows[D.ptr[c] + q]];
      for (int64_t j = 0; j < d; ++j) gy[j] = 0.0;
      for (int64_t q = 0; q < k; ++q) {  // Ar.T @ r
        const double* row = M + D.rows[D.ptr[c] + q] * d;
        for (int64_t j = 0; j < d; ++j) gy[j] += row[j] * work[q];
      }
      for (int64_t j = 0; j < d; ++j) gy[j] /= static_cast<double>(k);
    } else {  // exact, through the Gram matrix
      matvec(lv == F ? P.Gv : P.Gt, d, d, y, gy);
      const double* cc = lv == F ? P.cv : P.ct;
      for (int64_t j = 0; j < d; ++j) gy[j] -= cc[j];
    }
    if (lv == F) {
      for (int64_t j = 0; j < d; ++j) gx[j] = 0.0;
    } else {
      for (int64_t j = 0; j < d; ++j) {
        const double e = std::exp(x[j]);
        gx[j] = 0.5 * e * y[j] * y[j];
        gy[j] += e * y[j];
      }
    }
    return;
  }
  // TOY
  const double xs = x[0], ys = y[0];
  if (lv == F) {
    const double e = std::exp(2.0 - 4.0 * xs);
    gx[0] = std::cos(4.0 * ys + 2.0) * 4.0 * e / ((1.0 + e) * (1.0 + e)) +
            4.0 * (4.0 * xs - 2.0) / ((4.0 * xs - 2.0) * (4.0 * xs - 2.0) + 1.0);
    gy[0] = -4.0 * std::sin(4.0 * ys + 2.0) / (1.0 + e);
  } else {
    const double u = xs + ys;
    const double g = 2.0 * u + xs * std::sin(2.0 * u);
    gx[0] = g + std::sin(u) * std::sin(u);
    gy[0] = g;
  }
}

inline bool finite(const double* v, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i])) return false;
  return true;
}

// Double-loop penalty method, iterations k0 .. k1-1 (sig, alpha, beta_y indexed from k0).  Returns the
// iteration at which a non-finite value appeared, or -1.
// local: the inner steps are 1/(l_g(x) + sigma l_f) and 1/l_g(x) at the current x (beta_y, beta_z unused).
PYOPTHEORY_CLONES inline int64_t penalty_double_loop(const Problem& P, double* x, double* y, double* z, const double* sig,
                                   const double* alpha, const double* beta_y, double beta_z, int64_t T, int64_t k0,
                                   int64_t k1, const Draws& D, bool local, double l_f) {
  const int64_t dx = P.dx, dy = P.dy, per = 3 * T + 2;
  std::vector<double> gx(dx), gy(dy), fx(dx), fy(dy), gxz(dx), work;
  for (int64_t k = k0; k < k1; ++k) {
    int64_t c = (k - k0) * per;
    const double s = sig[k - k0];
    const double lg = local ? P.l_g_at(x) : 0.0;
    const double by = local ? 1.0 / (lg + s * l_f) : beta_y[k - k0], bz = local ? 1.0 / lg : beta_z;
    for (int64_t t = 0; t < T; ++t, c += 2) {
      grad(P, G, x, y, D, c, gx.data(), gy.data(), work);
      grad(P, F, x, y, D, c + 1, fx.data(), fy.data(), work);
      for (int64_t i = 0; i < dy; ++i) y[i] = y[i] - by * (gy[i] + s * fy[i]);
      P.project_y(y);
    }
    for (int64_t t = 0; t < T; ++t, c += 1) {
      grad(P, G, x, z, D, c, gx.data(), gy.data(), work);
      for (int64_t i = 0; i < dy; ++i) z[i] = z[i] - bz * gy[i];
      P.project_y(z);
    }
    grad(P, F, x, y, D, c, fx.data(), fy.data(), work);
    grad(P, G, x, y, D, c + 1, gx.data(), gy.data(), work);
    grad(P, G, x, z, D, c + 1, gxz.data(), gy.data(), work);
    for (int64_t j = 0; j < dx; ++j) x[j] = x[j] - alpha[k - k0] * (fx[j] + (gx[j] - gxz[j]) / s);
    P.project_x(x);
    if (!(finite(x, dx) && finite(y, dy) && finite(z, dy))) return k;
  }
  return -1;
}

struct StormState {
  double *dxe, *dye, *dze, *xp, *yp, *zp;
  bool started;
};

// The three directions at (x, y, z) for the single-loop method (calls c .. c+4).
PYOPTHEORY_ALWAYS_INLINE void storm_directions(const Problem& P, const double* x, const double* y, const double* z, double s,
                             const Draws& D, int64_t c, double* vy, double* vz, double* vx, std::vector<double>& a,
                             std::vector<double>& b, std::vector<double>& e, std::vector<double>& f2,
                             std::vector<double>& work) {
  const int64_t dx = P.dx, dy = P.dy;
  grad(P, G, x, y, D, c, a.data(), vy, work);
  grad(P, F, x, y, D, c + 1, b.data(), e.data(), work);
  for (int64_t i = 0; i < dy; ++i) vy[i] = vy[i] + s * e[i];
  grad(P, G, x, z, D, c + 2, a.data(), vz, work);
  grad(P, F, x, y, D, c + 3, vx, e.data(), work);
  grad(P, G, x, y, D, c + 4, a.data(), e.data(), work);
  grad(P, G, x, z, D, c + 4, b.data(), f2.data(), work);
  for (int64_t j = 0; j < dx; ++j) vx[j] = vx[j] + (a[j] - b[j]) / s;
}

// momentum, beta_z: per iteration (indexed from k0), like sig, alpha, beta_y.
PYOPTHEORY_CLONES inline int64_t penalty_single_loop(const Problem& P, double* x, double* y, double* z, StormState& S, const double* sig,
                                   const double* alpha, const double* beta_y, const double* beta_z,
                                   const double* momentum, int64_t k0, int64_t k1, const Draws& D, bool local,
                                   double l_f) {
  const int64_t dx = P.dx, dy = P.dy;
  std::vector<double> vy(dy), vz(dy), vx(dx), py(dy), pz(dy), px(dx), a(std::max(dx, dy)), b(std::max(dx, dy)),
      e(std::max(dx, dy)), f2(std::max(dx, dy)), work;
  for (int64_t k = k0; k < k1; ++k) {
    const int64_t c = (k - k0) * 5;
    const double s = sig[k - k0], keep = 1.0 - momentum[k - k0];
    storm_directions(P, x, y, z, s, D, c, vy.data(), vz.data(), vx.data(), a, b, e, f2, work);
    if (S.started) {
      storm_directions(P, S.xp, S.yp, S.zp, s, D, c, py.data(), pz.data(), px.data(), a, b, e, f2, work);
      for (int64_t i = 0; i < dy; ++i) S.dye[i] = vy[i] + keep * (S.dye[i] - py[i]);
      for (int64_t i = 0; i < dy; ++i) S.dze[i] = vz[i] + keep * (S.dze[i] - pz[i]);
      for (int64_t j = 0; j < dx; ++j) S.dxe[j] = vx[j] + keep * (S.dxe[j] - px[j]);
    } else {
      std::copy(vy.begin(), vy.end(), S.dye);
      std::copy(vz.begin(), vz.end(), S.dze);
      std::copy(vx.begin(), vx.end(), S.dxe);
    }
    S.started = true;
    std::copy(x, x + dx, S.xp);
    std::copy(y, y + dy, S.yp);
    std::copy(z, z + dy, S.zp);
    const double lg = local ? P.l_g_at(x) : 0.0;
    const double by = local ? 1.0 / (lg + s * l_f) : beta_y[k - k0], bz = local ? 1.0 / lg : beta_z[k - k0];
    for (int64_t i = 0; i < dy; ++i) y[i] = y[i] - by * S.dye[i];
    P.project_y(y);
    for (int64_t i = 0; i < dy; ++i) z[i] = z[i] - bz * S.dze[i];
    P.project_y(z);
    for (int64_t j = 0; j < dx; ++j) x[j] = x[j] - alpha[k - k0] * S.dxe[j];
    P.project_x(x);
    if (!(finite(x, dx) && finite(y, dy) && finite(z, dy))) return k;
  }
  return -1;
}

// grad^2_yy g (x, y) v and grad^2_xy g (x, y) v (implicit differentiation).
PYOPTHEORY_ALWAYS_INLINE void hvp_yy(const Problem& P, const double* x, const double* y, const double* v, double* out) {
  if (P.kind == QUADRATIC) {
    std::copy(v, v + P.dy, out);
  } else if (P.kind == RIDGE) {
    matvec(P.Gt, P.dy, P.dy, v, out);
    for (int64_t j = 0; j < P.dy; ++j) out[j] += std::exp(x[j]) * v[j];
  } else {
    const double u = x[0] + y[0];
    out[0] = (2.0 + 2.0 * x[0] * std::cos(2.0 * u)) * v[0];
  }
}

PYOPTHEORY_ALWAYS_INLINE void jvp_xy(const Problem& P, const double* x, const double* y, const double* v, double* out) {
  if (P.kind == QUADRATIC) {
    for (int64_t j = 0; j < P.dx; ++j) out[j] = 0.0;
    for (int64_t i = 0; i < P.dy; ++i)
      for (int64_t j = 0; j < P.dx; ++j) out[j] += P.B[i * P.dx + j] * v[i];
    for (int64_t j = 0; j < P.dx; ++j) out[j] = -out[j];
  } else if (P.kind == RIDGE) {
    for (int64_t j = 0; j < P.dx; ++j) out[j] = std::exp(x[j]) * y[j] * v[j];
  } else {
    const double u = x[0] + y[0];
    out[0] = (2.0 + 2.0 * x[0] * std::cos(2.0 * u) + std::sin(2.0 * u)) * v[0];
  }
}

inline double dot(const double* a, const double* b, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

// *hvps accumulates the Hessian-vector products made (conjugate gradients may stop early).
PYOPTHEORY_CLONES inline int64_t implicit(const Problem& P, double* x, double* y, double* v, const double* alpha, double beta_z, int64_t T,
                        int64_t cg_steps, int64_t k0, int64_t k1, bool local, int64_t* hvps) {
  const int64_t dx = P.dx, dy = P.dy;
  Draws exact;
  std::vector<double> gx(dx), gy(dy), fx(dx), fy(dy), r(dy), p(dy), Hp(dy), jv(dx), work;
  for (int64_t k = k0; k < k1; ++k) {
    const double bz = local ? 1.0 / P.l_g_at(x) : beta_z;
    for (int64_t t = 0; t < T; ++t) {
      grad(P, G, x, y, exact, 0, gx.data(), gy.data(), work);
      for (int64_t i = 0; i < dy; ++i) y[i] = y[i] - bz * gy[i];
    }
    grad(P, F, x, y, exact, 0, fx.data(), fy.data(), work);
    hvp_yy(P, x, y, v, Hp.data());
    *hvps += 1;
    for (int64_t i = 0; i < dy; ++i) r[i] = fy[i] - Hp[i];
    p = r;
    double rr = dot(r.data(), r.data(), dy);
    for (int64_t it = 0; it < cg_steps && rr != 0.0; ++it) {
      hvp_yy(P, x, y, p.data(), Hp.data());
      *hvps += 1;
      const double pHp = dot(p.data(), Hp.data(), dy);
      if (!(pHp > 0.0)) break;  // converged to underflow (or a non-convex lower level): stop
      const double step = rr / pHp;
      for (int64_t i = 0; i < dy; ++i) v[i] += step * p[i];
      for (int64_t i = 0; i < dy; ++i) r[i] -= step * Hp[i];
      const double rr_new = dot(r.data(), r.data(), dy);
      for (int64_t i = 0; i < dy; ++i) p[i] = r[i] + (rr_new / rr) * p[i];
      rr = rr_new;
    }
    jvp_xy(P, x, y, v, jv.data());
    for (int64_t j = 0; j < dx; ++j) x[j] = x[j] - alpha[k - k0] * (fx[j] - jv[j]);
    P.project_x(x);
    if (!(finite(x, dx) && finite(y, dy))) return k;
  }
  return -1;
}

// --- blockwise method for many ridge lower levels (Hu et al., ICML 2023, simplified estimators) ---------
// The blocks' data stacked: rows of A (training) and Av (validation) indexed globally; lmax[i] the largest
// eigenvalue of block i's A_i^T A_i / n_i.  State: theta (m x d), u (m x d), H (m x d x d), seen (m), zx (d).
struct MultiRidge {
  int64_t m, d;
  const double *A, *t, *Av, *tv, *lmax, *xlo, *xhi;
};

PYOPTHEORY_CLONES inline int64_t blockwise(const MultiRidge& R, double* x, double* theta, double* u, double* H,
                                           uint8_t* seen, double* zx, bool* started, const double* alpha,
                                           const double* momentum, int64_t k0, int64_t k1, int64_t I, int64_t B,
                                           const int64_t* blocks, const int64_t* rows_g, const int64_t* rows_f) {
  const int64_t d = R.d;
  std::vector<double> e(d), G(d), gy(d), fy(d), Hs(d * d), L(d * d), v(d), r(B);
  for (int64_t k = k0; k < k1; ++k) {
    const int64_t kk = k - k0;
    const double a = momentum[kk];
    double emax = 0.0;
    for (int64_t j = 0; j < d; ++j) {
      e[j] = std::exp(x[j]);
      emax = std::max(emax, e[j]);
    }
    std::fill(G.begin(), G.end(), 0.0);
    for (int64_t q = 0; q < I; ++q) {
      const int64_t i = blocks[kk * I + q];
      double* th = theta + i * d;
      const int64_t* rg = rows_g + (kk * I + q) * B;
      const int64_t* rf = rows_f + (kk * I + q) * B;
      // the sampled lower gradient A_r^T (A_r th - t_r)/B + e th and Hessian A_r^T A_r / B + diag(e)
      for (int64_t s = 0; s < B; ++s) r[s] = dot(R.A + rg[s] * d, th, d) - R.t[rg[s]];
      std::fill(gy.begin(), gy.end(), 0.0);
      std::fill(Hs.begin(), Hs.end(), 0.0);
      for (int64_t s = 0; s < B; ++s) {
        const double* row = R.A + rg[s] * d;
        for (int64_t j = 0; j < d; ++j) gy[j] += row[j] * r[s];
        for (int64_t j = 0; j < d; ++j)
          for (int64_t l = 0; l < d; ++l) Hs[j * d + l] += row[j] * row[l];
      }
      for (int64_t j = 0; j < d; ++j) gy[j] = gy[j] / static_cast<double>(B) + e[j] * th[j];
      for (int64_t j = 0; j < d * d; ++j) Hs[j] /= static_cast<double>(B);
      for (int64_t j = 0; j < d; ++j) Hs[j * d + j] += e[j];
      double* ui = u + i * d;
      double* Hi = H + i * d * d;
      if (seen[i]) {
        for (int64_t j = 0; j < d; ++j) ui[j] = (1.0 - a) * ui[j] + a * gy[j];
        for (int64_t j = 0; j < d * d; ++j) Hi[j] = (1.0 - a) * Hi[j] + a * Hs[j];
      } else {
        std::copy(gy.begin(), gy.end(), ui);
        std::copy(Hs.begin(), Hs.end(), Hi);
        seen[i] = 1;
      }
      for (int64_t s = 0; s < B; ++s) r[s] = dot(R.Av + rf[s] * d, th, d) - R.tv[rf[s]];
      std::fill(fy.begin(), fy.end(), 0.0);
      for (int64_t s = 0; s < B; ++s) {
        const double* row = R.Av + rf[s] * d;
        for (int64_t j = 0; j < d; ++j) fy[j] += row[j] * r[s];
      }
      for (int64_t j = 0; j < d; ++j) fy[j] /= static_cast<double>(B);
      if (!cholesky(Hi, d, L.data())) return k;  // H_i is positive definite (diag(e^x) > 0): only on overflow
      chol_solve(L.data(), d, fy.data(), v.data());
      for (int64_t j = 0; j < d; ++j) G[j] += -(e[j] * th[j] * v[j]);
      const double step = 1.0 / (R.lmax[i] + emax);
      for (int64_t j = 0; j < d; ++j) th[j] = th[j] - ui[j] * step;
    }
    for (int64_t j = 0; j < d; ++j) G[j] /= static_cast<double>(I);
    if (*started) {
      for (int64_t j = 0; j < d; ++j) zx[j] = (1.0 - a) * zx[j] + a * G[j];
    } else {
      std::copy(G.begin(), G.end(), zx);
    }
    *started = true;
    for (int64_t j = 0; j < d; ++j) x[j] = std::min(std::max(x[j] - alpha[kk] * zx[j], R.xlo[j]), R.xhi[j]);
    if (!finite(x, d) || !finite(theta, R.m * d)) return k;
  }
  return -1;
}

}  // namespace bilevel
}  // namespace pyoptheory
