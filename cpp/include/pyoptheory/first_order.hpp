// Deterministic first-order loops on a LinearModel: proximal gradient with a given
// step sequence (gradient descent, projected GD and ISTA are the cases g = 0,
// g = indicator, g = l1), proximal gradient with Beck-Teboulle backtracking, and the
// projected subgradient method (given steps, or Polyak's step).
//
// One call advances the run from iteration k0 to k1.  The Python driver
// (pyoptheory/methods/_driver.py) calls it between checkpoints, so recording,
// callbacks, max_time and Ctrl-C are handled there while the hot loop stays here.
// The NumPy reference of every update is pyoptheory/methods/gradient.py.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "linear_model.hpp"

namespace pyoptheory {

enum Method : int {
  PROX_GRAD = 0, PROX_GRAD_BACKTRACK = 1, SUBGRADIENT = 2, SUBGRADIENT_POLYAK = 3, SGD = 4,
  AGD = 5,         // Nesterov / FISTA, lambda sequence (optional backtracking and adaptive restart)
  AGD_SIMPLE = 6,  // momentum (k-1)/(k+2)
  AGD_SC = 7,      // constant momentum beta (strongly convex)
  HEAVY_BALL = 8,  // x_{k+1} = x_k - alpha grad f(x_k) + beta (x_k - x_{k-1})
  SHB = 9,         // stochastic heavy ball, momentum beta or tied to the step: (1 - sqrt(mu eta_k))^2
  NONCONVEX_AG = 10,  // Ghadimi & Lan (2016) accelerated gradient for nonconvex composite problems
  ZO_GAUSS = 11,      // Nesterov & Spokoiny (2017) random gradient-free step: function values only
  ZO_CGE = 12,        // gradient descent on the coordinate-wise (CGE) forward-difference estimate
  ZO_ACCEL = 13       // Nesterov & Spokoiny's accelerated random gradient-free method FG_s
};

// Layout of the scalar state shared with Python (pyoptheory/kernels/layout.py).
enum Scal : int {
  S_FX = 0,          // f(x) at the current iterate when known (NaN otherwise)
  S_BEST_F = 1,      // best objective value seen (subgradient methods)
  S_WSUM = 2,        // sum of averaging weights so far
  S_LK = 3,          // current backtracking constant L_k (inverse step)
  S_GRAD_EVALS = 4,  // oracle counters
  S_FEVALS = 5,
  S_FAIL_ITER = 6,   // iteration at which a non-finite value appeared
  S_F_STAR = 7,      // f* (Polyak's step)
  S_LAMBDA = 8,      // lambda_k of the accelerated methods
  S_FPREV = 9,       // F(x_k), for function-value restart
  S_BETA = 10,       // momentum parameter (input)
  S_RESTART = 11,    // 0 none, 1 function value, 2 gradient (input)
  S_BACKTRACK = 12,  // 1: backtracking on L_k for the accelerated methods (input)
  S_RESTARTS = 13,   // restarts so far
  S_MU = 14,         // mu of the tied heavy-ball momentum (input; 0: use S_BETA)
  S_SIZE = 15
};
enum Status : int { OK = 0, NONFINITE = 1, BACKTRACK_FAILED = 2, CONVERGED = 3 };  // CONVERGED: a kernel's own
// stopping rule held (the working-set solver's duality gap)

struct RunBuffers {
  double* x;      // current iterate (in/out)
  double* xbest;  // best iterate (subgradient methods)
  double* xsum;   // weighted sum of iterates (averaged output), may be null
  double* grad;   // gradient at x (backtracking keeps it between calls)
  double* scal;   // scalar state, see Scal
  // Per-iteration values are given a chunk at a time (the driver produces them window by window, so memory
  // does not grow with the run's length): steps[k - k0] is the step of update k, avg_w[j - k0] the weight of
  // iterate j (j = k0 .. k1).
  int64_t k0 = 0;       // first iteration of the chunk
  const double* steps;  // the chunk's steps, length k1 - k0; length 1 means constant
  int64_t n_steps;
  const double* avg_w;  // the chunk's averaging weights, length k1 - k0 + 1, or null
  double eta;           // backtracking increase factor (ZO_GAUSS: the smoothing radius)
  // Randomness of stochastic methods, drawn in Python for iterations k0..k1-1 (row k - k0):
  const int64_t* idx = nullptr;   // sample indices, (k1 - k0) x batch, or null for a full (sub)gradient
  int64_t batch = 0;
  const double* noise = nullptr;  // additive gradient noise, (k1 - k0) x d, or null
  int64_t directions = 1;         // ZO_GAUSS: Gaussian directions per step (noise has (k1 - k0) * directions rows)
};

inline double step_at(const RunBuffers& r, int64_t k) { return r.n_steps == 1 ? r.steps[0] : r.steps[k - r.k0]; }

inline void accumulate_average(const LinearModel& m, RunBuffers& r, int64_t j) {
  if (!r.avg_w) return;
  double w = r.avg_w[j - r.k0];
  if (w == 0.0) return;
  for (int64_t i = 0; i < m.d; ++i) r.xsum[i] += w * r.x[i];
  r.scal[S_WSUM] += w;
}

// The stochastic gradient of chunk row ``row`` at ``point``: a minibatch gradient (indices drawn by
// the driver) or the full (sub)gradient, plus the drawn noise when there is any.
inline void stochastic_grad(const LinearModel& m, const RunBuffers& r, int64_t row, const double* point, double* out,
                            int n_threads) {
  if (r.idx) {
    m.sample_grad(r.idx + row * r.batch, r.batch, point, out);
  } else {
    m.value_grad(point, out, n_threads);
  }
  if (r.noise) {
    const double* xi = r.noise + row * m.d;
    for (int64_t j = 0; j < m.d; ++j) out[j] += xi[j];
  }
}

// Beck & Teboulle (2009) backtracking from `base` (f(base) = fbase, gradient gbase): increase
// L_k = scal[S_LK] by eta until f(out) <= fbase + <gbase, out - base> + (L_k/2)||out - base||^2 with
// out = prox_{g/L_k}(base - gbase/L_k).  The trial's fused gradient goes to gout and f(out) to *fout;
// `count_grad` says whether a trial counts as a gradient evaluation (it always counts as an f-evaluation).
inline int backtrack(const LinearModel& m, const RunBuffers& r, const double* base, double fbase, const double* gbase,
                     double* out, double* gout, double* fout, bool count_grad, int n_threads) {
  double* scal = r.scal;
  for (int tries = 0;; ++tries) {
    const double Lk = scal[S_LK];
    for (int64_t j = 0; j < m.d; ++j) out[j] = base[j] - gbase[j] / Lk;
    m.prox(out, 1.0 / Lk, out);
    const double fo = m.value_grad(out, gout, n_threads);
    scal[S_FEVALS] += 1;
    if (count_grad) scal[S_GRAD_EVALS] += 1;
    double lin = 0.0, sq = 0.0;
    for (int64_t j = 0; j < m.d; ++j) {
      const double dj = out[j] - base[j];
      lin += gbase[j] * dj;
      sq += dj * dj;
    }
    if (fo <= fbase + lin + 0.5 * Lk * sq + 1e-14 * std::fabs(fbase)) {
      *fout = fo;
      return OK;
    }
    scal[S_LK] = Lk * r.eta;
    if (!std::isfinite(scal[S_LK]) || tries > 2000) return BACKTRACK_FAILED;
  }
}

inline int advance(const LinearModel& m, int method, RunBuffers& r, int64_t k0, int64_t k1, int n_threads) {
  const int64_t d = m.d;
  std::vector<double> y(d), gy(d), coef;
  double* scal = r.scal;
  for (int64_t k = k0; k < k1; ++k) {
    if (method == PROX_GRAD_BACKTRACK) {
      // Beck & Teboulle (2009), backtracking: increase L_k until
      // f(y) <= f(x) + <grad f(x), y - x> + (L_k/2)||y - x||^2 with y = prox_{g/L_k}(x - grad f(x)/L_k).
      if (std::isnan(scal[S_FX])) {
        scal[S_FX] = m.value_grad(r.x, r.grad, n_threads);
        scal[S_GRAD_EVALS] += 1;
        scal[S_FEVALS] += 1;
      }
      double fx = scal[S_FX];
      if (!std::isfinite(fx)) { scal[S_FAIL_ITER] = static_cast<double>(k); return NONFINITE; }
      double fy;
      if (backtrack(m, r, r.x, fx, r.grad, y.data(), gy.data(), &fy, true, n_threads) != OK) {
        scal[S_FAIL_ITER] = static_cast<double>(k);
        return BACKTRACK_FAILED;
      }
      std::copy(y.begin(), y.end(), r.x);
      std::copy(gy.begin(), gy.end(), r.grad);
      scal[S_FX] = fy;
    } else if (method == NONCONVEX_AG) {
      // Ghadimi & Lan (2016): alpha_k = 2/(k+1) (1-based), x_md = (1 - alpha) x_ag + alpha x,
      // x = prox_{lam h}(x - lam grad f(x_md)), x_ag = prox_{beta h}(x_md - beta grad f(x_md)),
      // lam = beta = steps[k]; min_k ||G_beta(x_md)||^2 is kept in S_BEST_F.  x_ag is r.x, x is xbest.
      double* xs = r.xbest;
      const double alpha = 2.0 / static_cast<double>(k + 2), beta = step_at(r, k);
      for (int64_t j = 0; j < d; ++j) y[j] = (1.0 - alpha) * r.x[j] + alpha * xs[j];
      const double fm = m.value_grad(y.data(), r.grad, n_threads);
      scal[S_GRAD_EVALS] += 1;
      if (!std::isfinite(fm)) { scal[S_FAIL_ITER] = static_cast<double>(k); return NONFINITE; }
      for (int64_t j = 0; j < d; ++j) gy[j] = xs[j] - beta * r.grad[j];
      m.prox(gy.data(), beta, xs);
      for (int64_t j = 0; j < d; ++j) gy[j] = y[j] - beta * r.grad[j];
      m.prox(gy.data(), beta, r.x);
      double gm = 0.0;
      for (int64_t j = 0; j < d; ++j) {
        const double gj = (y[j] - r.x[j]) / beta;
        gm += gj * gj;
      }
      if (gm < scal[S_BEST_F]) scal[S_BEST_F] = gm;
    } else if (method == SHB) {
      // Stochastic heavy ball: x_{k+1} = x_k - eta_k g(x_k) + beta_k (x_k - x_{k-1}), x_{k-1} in xbest,
      // beta_k = (1 - sqrt(mu eta_k))^2 when mu is given (the momentum tied to the stage's step).
      double* xp = r.xbest;
      const double step = step_at(r, k);
      double mom = scal[S_BETA];
      if (scal[S_MU] > 0.0) {
        const double q = 1.0 - std::sqrt(scal[S_MU] * step);
        mom = q * q;
      }
      if (r.idx && !r.noise && !m.sparse && r.batch == 1) {
        // fused: one dot and one pass over the sampled row
        const int64_t i = r.idx[k - k0];
        if (k + 1 < k1) {  // fetch the next sampled row ahead of time
          const char* next = reinterpret_cast<const char*>(m.dense + r.idx[k - k0 + 1] * d);
          for (int64_t off = 0; off < d * static_cast<int64_t>(sizeof(double)); off += 64)
            __builtin_prefetch(next + off, 0, 1);
        }
        const double z = m.row_dot(i, r.x);
        const double c = step * static_cast<double>(m.n) * m.weight * loss_deriv(m.loss, z, m.b[i], m.loss_param);
        if (!std::isfinite(z) || !std::isfinite(c)) { scal[S_FAIL_ITER] = static_cast<double>(k); return NONFINITE; }
        const double* __restrict__ a = m.dense + i * d;
        double* __restrict__ x = r.x;
        double* __restrict__ xprev = xp;
        const double shrink = 1.0 - step * m.l2;
        for (int64_t j = 0; j < d; ++j) {
          const double xj = x[j];
          x[j] = shrink * xj - c * a[j] + mom * (xj - xprev[j]);
          xprev[j] = xj;
        }
        scal[S_GRAD_EVALS] += 1;
      } else {
        stochastic_grad(m, r, k - k0, r.x, r.grad, n_threads);
        scal[S_GRAD_EVALS] += 1;
        bool finite = true;
        for (int64_t j = 0; j < d; ++j) {
          const double xj = r.x[j];
          r.x[j] = xj - step * r.grad[j] + mom * (xj - xp[j]);
          xp[j] = xj;
          finite = finite && std::isfinite(r.x[j]);
        }
        if (!finite) { scal[S_FAIL_ITER] = static_cast<double>(k); return NONFINITE; }
      }
    } else if (method >= AGD && method <= HEAVY_BALL) {
      // Momentum methods; x_{k-1} is kept in xbest.
      //   AGD family: y = x_k + m_k (x_k - x_{k-1}),  x_{k+1} = prox_{g/L_k}(y - grad f(y)/L_k)
      //   heavy ball: x_{k+1} = x_k - alpha_k grad f(x_k) + beta (x_k - x_{k-1})
      double* xp = r.xbest;
      double mom = 0.0, lam_next = scal[S_LAMBDA];
      if (method == AGD && k > 0) {
        const double lam = scal[S_LAMBDA];
        lam_next = 0.5 * (1.0 + std::sqrt(4.0 * lam * lam + 1.0));
        mom = (lam - 1.0) / lam_next;
      } else if (method == AGD_SIMPLE && k > 0) {
        mom = static_cast<double>(k - 1) / static_cast<double>(k + 2);
      } else if (method == AGD_SC || method == HEAVY_BALL) {
        mom = scal[S_BETA];
      }
      const bool hb = method == HEAVY_BALL;
      for (int64_t j = 0; j < d; ++j) y[j] = hb ? r.x[j] : r.x[j] + mom * (r.x[j] - xp[j]);
      const double fy = m.value_grad(y.data(), r.grad, n_threads);
      scal[S_GRAD_EVALS] += 1;
      if (!std::isfinite(fy)) { scal[S_FAIL_ITER] = static_cast<double>(k); return NONFINITE; }
      if (hb) {
        const double alpha = step_at(r, k);
        for (int64_t j = 0; j < d; ++j) {
          const double xn = r.x[j] - alpha * r.grad[j] + mom * (r.x[j] - xp[j]);
          xp[j] = r.x[j];
          r.x[j] = xn;
        }
      } else {
        // step 1/L_k, with Beck-Teboulle backtracking on L_k when asked
        if (scal[S_BACKTRACK] == 0.0) {
          const double Lk = scal[S_LK];
          for (int64_t j = 0; j < d; ++j) gy[j] = y[j] - r.grad[j] / Lk;
          m.prox(gy.data(), 1.0 / Lk, gy.data());
        } else {
          coef.resize(d);
          double fn;
          if (backtrack(m, r, y.data(), fy, r.grad, gy.data(), coef.data(), &fn, false, n_threads) != OK) {
            scal[S_FAIL_ITER] = static_cast<double>(k);
            return BACKTRACK_FAILED;
          }
        }
        // adaptive restart (O'Donoghue & Candes 2015): kill the momentum when it points uphill
        bool restart = false;
        if (scal[S_RESTART] == 1.0) {
          std::vector<double>& tmp = coef;
          tmp.resize(d);
          const double Fn = m.value_grad(gy.data(), tmp.data(), n_threads) + m.reg_value(gy.data());
          scal[S_FEVALS] += 1;
          restart = Fn > scal[S_FPREV];
          scal[S_FPREV] = Fn;
        } else if (scal[S_RESTART] == 2.0) {
          double dot = 0.0;
          for (int64_t j = 0; j < d; ++j) dot += (y[j] - gy[j]) * (gy[j] - r.x[j]);
          restart = dot > 0.0;
        }
        std::copy(r.x, r.x + d, xp);
        std::copy(gy.begin(), gy.end(), r.x);
        if (method == AGD) scal[S_LAMBDA] = k > 0 ? lam_next : scal[S_LAMBDA];
        if (restart) {
          scal[S_RESTARTS] += 1;
          scal[S_LAMBDA] = 1.0;
          std::copy(r.x, r.x + d, xp);  // no momentum into the next step
        }
      }
    } else if (method == SGD && r.idx && !r.noise && m.reg == REG_NONE) {
      // Fast path of the plain minibatch step (no prox, no noise), the same update fused:
      // x_{k+1} = (1 - eta_k l2) x_k - eta_k sum_j c_j a_{i_j},  c_j = n w phi'(a_{i_j}.x_k)/b.
      // Two passes over a row per sample instead of six; identical up to rounding.
      const int64_t* ids = r.idx + (k - k0) * r.batch;
      if (!m.sparse && k + 1 < k1) {  // the next samples are known: fetch their rows ahead of time
        for (int64_t j = 0; j < r.batch; ++j) {
          const char* next = reinterpret_cast<const char*>(m.dense + ids[r.batch + j] * d);
          for (int64_t off = 0; off < d * static_cast<int64_t>(sizeof(double)); off += 64)
            __builtin_prefetch(next + off, 0, 1);
        }
      }
      const double step = step_at(r, k);
      const double scale = static_cast<double>(m.n) * m.weight / static_cast<double>(r.batch);
      coef.resize(r.batch);
      for (int64_t j = 0; j < r.batch; ++j) {
        const double z = m.row_dot(ids[j], r.x);
        coef[j] = scale * loss_deriv(m.loss, z, m.b[ids[j]], m.loss_param);
        if (!std::isfinite(z) || !std::isfinite(coef[j])) {
          scal[S_FAIL_ITER] = static_cast<double>(k);
          return NONFINITE;
        }
      }
      scal[S_GRAD_EVALS] += 1;
      const double shrink = 1.0 - step * m.l2;
      if (!m.sparse && r.batch == 1) {
        const double* a = m.dense + ids[0] * d;
        const double c = step * coef[0];
        for (int64_t j = 0; j < d; ++j) r.x[j] = shrink * r.x[j] - c * a[j];
      } else {
        if (shrink != 1.0)
          for (int64_t j = 0; j < d; ++j) r.x[j] *= shrink;
        for (int64_t j = 0; j < r.batch; ++j) m.row_axpy(ids[j], -step * coef[j], r.x);
      }
    } else if (method == ZO_GAUSS) {
      // x_{k+1} = prox_{h_k g}(x_k - h_k g_k), g_k = (1/q) sum_j (f(x_k + s u_j) - f(x_k))/s u_j with u_j ~ N(0, I)
      // drawn in Python (noise rows (k - k0) q .. (k - k0) q + q - 1), s = r.eta: q + 1 function values per step,
      // no gradient (q = 1: Nesterov & Spokoiny's RG/RS; q > 1: the randomized vector-wise estimate RGE).
      const int64_t q = r.directions;
      const double s = r.eta;
      const double f0 = m.value_grad(r.x, nullptr, n_threads);
      bool finite = std::isfinite(f0);
      for (int64_t j = 0; j < d; ++j) r.grad[j] = 0.0;
      for (int64_t l = 0; l < q; ++l) {
        const double* u = r.noise + ((k - k0) * q + l) * d;
        for (int64_t j = 0; j < d; ++j) y[j] = r.x[j] + s * u[j];
        const double f1 = m.value_grad(y.data(), nullptr, n_threads);
        finite = finite && std::isfinite(f1);
        const double c = (f1 - f0) / s / static_cast<double>(q);
        for (int64_t j = 0; j < d; ++j) r.grad[j] += c * u[j];
      }
      scal[S_FEVALS] += static_cast<double>(q + 1);
      if (!finite) { scal[S_FAIL_ITER] = static_cast<double>(k); return NONFINITE; }
      const double step = step_at(r, k);
      for (int64_t j = 0; j < d; ++j) y[j] = r.x[j] - step * r.grad[j];
      m.prox(y.data(), step, r.x);
      scal[S_FX] = std::numeric_limits<double>::quiet_NaN();
    } else if (method == ZO_ACCEL) {
      // FG_s (Nesterov & Spokoiny 2017, section 6): theta = S_BETA, tau = S_MU, gamma_k = S_LAMBDA, v_k in xbest.
      // alpha_k > 0 solves alpha^2/theta = (1 - alpha) gamma_k + alpha tau =: gamma_{k+1};
      // y = (1 - beta) x + beta v, beta = alpha gamma_k/(gamma_k + alpha tau); g = (f(y + s u) - f(y))/s u;
      // x_{k+1} = y - h g; v_{k+1} = (1 - lambda) v + lambda y - (theta/alpha) g, lambda = alpha tau/gamma_{k+1}.
      const double theta = scal[S_BETA], tau = scal[S_MU], gamma = scal[S_LAMBDA], s = r.eta;
      const double bq = theta * (gamma - tau);
      const double alpha = 0.5 * (-bq + std::sqrt(bq * bq + 4.0 * theta * gamma));
      const double gamma_next = (1.0 - alpha) * gamma + alpha * tau;
      const double lambda = alpha * tau / gamma_next, beta = alpha * gamma / (gamma + alpha * tau);
      const double* u = r.noise + (k - k0) * d;
      double* v = r.xbest;
      for (int64_t j = 0; j < d; ++j) gy[j] = (1.0 - beta) * r.x[j] + beta * v[j];
      const double f0 = m.value_grad(gy.data(), nullptr, n_threads);
      for (int64_t j = 0; j < d; ++j) y[j] = gy[j] + s * u[j];
      const double f1 = m.value_grad(y.data(), nullptr, n_threads);
      scal[S_FEVALS] += 2;
      if (!std::isfinite(f0) || !std::isfinite(f1)) { scal[S_FAIL_ITER] = static_cast<double>(k); return NONFINITE; }
      const double c = (f1 - f0) / s, h = step_at(r, k);
      for (int64_t j = 0; j < d; ++j) {
        v[j] = (1.0 - lambda) * v[j] + lambda * gy[j] - (theta / alpha) * c * u[j];
        r.x[j] = gy[j] - h * c * u[j];
      }
      scal[S_LAMBDA] = gamma_next;
      scal[S_FX] = std::numeric_limits<double>::quiet_NaN();
    } else if (method == ZO_CGE) {
      // g_i = (f(x + s e_i) - f(x))/s, s = r.eta: d + 1 function values; x_{k+1} = prox(x_k - h g).  The true
      // gradient at x_k is computed alongside for the measurement min_k ||grad f(x_k)||^2 (in S_BEST_F), not
      // counted as an oracle call and not used by the step.
      // Dense sum-reduced models get f(x), its gradient and the d perturbed values in one pass over A
      // (coordinate_values); other models evaluate the d + 1 points one by one.
      const double s = r.eta;
      double f0 = 0.0;
      if (m.coordinate_values(r.x, s, y.data(), &f0, r.grad)) {
        for (int64_t j = 0; j < d; ++j) y[j] = (y[j] - f0) / s;
      } else {
        f0 = m.value_grad(r.x, r.grad, n_threads);
        for (int64_t j = 0; j < d; ++j) {
          const double xj = r.x[j];
          r.x[j] = xj + s;
          y[j] = (m.value_grad(r.x, nullptr, n_threads) - f0) / s;
          r.x[j] = xj;
        }
      }
      scal[S_BEST_F] = std::min(scal[S_BEST_F], m.sq_norm(r.grad));
      scal[S_FEVALS] += static_cast<double>(d + 1);
      bool finite = std::isfinite(f0);
      for (int64_t j = 0; j < d; ++j) finite = finite && std::isfinite(y[j]);
      if (!finite) { scal[S_FAIL_ITER] = static_cast<double>(k); return NONFINITE; }
      const double step = step_at(r, k);
      for (int64_t j = 0; j < d; ++j) y[j] = r.x[j] - step * y[j];
      m.prox(y.data(), step, r.x);
      scal[S_FX] = std::numeric_limits<double>::quiet_NaN();
    } else if (method == SGD) {
      // x_{k+1} = prox_{eta_k g}(x_k - eta_k g_k), g_k a minibatch gradient and/or a full
      // (sub)gradient plus additive noise.
      stochastic_grad(m, r, k - k0, r.x, r.grad, n_threads);
      scal[S_GRAD_EVALS] += 1;
      const double step = step_at(r, k);
      bool finite = true;
      for (int64_t j = 0; j < d; ++j) {
        y[j] = r.x[j] - step * r.grad[j];
        finite = finite && std::isfinite(y[j]);
      }
      if (!finite) { scal[S_FAIL_ITER] = static_cast<double>(k); return NONFINITE; }
      m.prox(y.data(), step, r.x);
    } else {
      double fx = m.value_grad(r.x, r.grad, n_threads);
      scal[S_GRAD_EVALS] += 1;
      if (!std::isfinite(fx)) { scal[S_FAIL_ITER] = static_cast<double>(k); return NONFINITE; }
      double step;
      if (method == PROX_GRAD) {
        step = step_at(r, k);
      } else {
        scal[S_FEVALS] += 1;
        double fval = fx + m.reg_value(r.x);
        if (fval < scal[S_BEST_F]) {
          scal[S_BEST_F] = fval;
          std::copy(r.x, r.x + d, r.xbest);
        }
        if (method == SUBGRADIENT) {
          step = step_at(r, k);
        } else {  // Polyak: (f(x_k) - f*) / ||g_k||^2
          double gg = m.sq_norm(r.grad);
          step = gg > 0.0 ? (fval - scal[S_F_STAR]) / gg : 0.0;
        }
      }
      for (int64_t j = 0; j < d; ++j) y[j] = r.x[j] - step * r.grad[j];
      m.prox(y.data(), step, r.x);
      scal[S_FX] = std::numeric_limits<double>::quiet_NaN();
    }
    accumulate_average(m, r, k + 1);
  }
  return OK;
}

}  // namespace pyoptheory
