// Linear-model objectives f(x) = w * reduce_i phi(a_i^T x, b_i) + (l2/2)||x||^2 + const,
// with a simple regularizer g (l1 or the indicator of a ball, box or simplex).
//
// Every built-in problem of pyoptheory that runs in compiled code is one of these:
// least squares, prescribed-spectrum quadratics, logistic regression, lasso, the
// Huber worst case, l1 distances, hinge losses and max-affine functions.  The
// NumPy reference (pyoptheory/problems/linear.py) mirrors every formula here.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "pyoptheory/simd.hpp"

#ifdef PYOPTHEORY_OPENMP
#include <omp.h>
#endif

namespace pyoptheory {

enum Loss : int { SQUARED = 0, LOGISTIC = 1, HINGE = 2, ABSOLUTE = 3, HUBER = 4, AFFINE = 5 };
enum Reduce : int { SUM = 0, MAX = 1 };
enum Reg : int { REG_NONE = 0, REG_L1 = 1, REG_BALL = 2, REG_BOX = 3, REG_SIMPLEX = 4, REG_SCAD = 5, REG_MCP = 6 };
enum Penalty : int { PEN_NONE = 0, PEN_SCAD = 1, PEN_MCP = 2 };

// Nonconvex penalties p_lam (SCAD with a > 2, MCP with gamma > 1), their smooth concave parts
// q = p_lam - lam |t| (Yang, Asgharian & Bhatnagar; catalogue 3.7) and their thresholding prox.
inline double penalty_value(int pen, double t, double lam, double par) {
  const double a = std::fabs(t);
  if (pen == PEN_SCAD) {
    if (a <= lam) return lam * a;
    if (a <= par * lam) return (2.0 * par * lam * a - t * t - lam * lam) / (2.0 * (par - 1.0));
    return 0.5 * lam * lam * (par + 1.0);
  }
  return a <= par * lam ? lam * a - t * t / (2.0 * par) : 0.5 * par * lam * lam;  // MCP
}

inline double concave_part(int pen, double t, double lam, double par) {
  return penalty_value(pen, t, lam, par) - lam * std::fabs(t);
}

inline double concave_deriv(int pen, double t, double lam, double par) {
  const double a = std::fabs(t), s = t > 0 ? 1.0 : (t < 0 ? -1.0 : 0.0);
  if (pen == PEN_SCAD) {
    if (a <= lam) return 0.0;
    if (a <= par * lam) return -s * (a - lam) / (par - 1.0);
    return -lam * s;
  }
  return a <= par * lam ? -t / par : -lam * s;  // MCP
}

// prox_{c p_lam}(z): SCAD needs c < a - 1, MCP needs c < gamma (checked in Python).
inline double penalty_prox(int reg, double z, double c, double lam, double par) {
  const double a = std::fabs(z), s = z > 0 ? 1.0 : (z < 0 ? -1.0 : 0.0);
  if (reg == REG_SCAD) {
    if (a <= lam * (1.0 + c)) return a > c * lam ? s * (a - c * lam) : 0.0;
    if (a <= par * lam) return ((par - 1.0) * z - s * c * par * lam) / (par - 1.0 - c);
    return z;
  }
  if (a <= par * lam) return a > c * lam ? s * (a - c * lam) / (1.0 - c / par) : 0.0;  // MCP (firm)
  return z;
}

// phi(z, b) and one (sub)derivative d phi / d z; ties (|r| = 0, margin = 1) take 0.
inline double loss_value(int loss, double z, double b, double p) {
  switch (loss) {
    case SQUARED: { double r = z - b; return 0.5 * r * r; }
    case LOGISTIC: { double m = -b * z; return std::max(m, 0.0) + std::log1p(std::exp(-std::fabs(m))); }
    case HINGE: return std::max(0.0, 1.0 - b * z);
    case ABSOLUTE: return std::fabs(z - b);
    case HUBER: { double r = z - b, a = std::fabs(r); return a <= p ? 0.5 * r * r : p * a - 0.5 * p * p; }
    default: return z + b;  // AFFINE
  }
}

inline double sign0(double r) { return r > 0 ? 1.0 : (r < 0 ? -1.0 : 0.0); }

inline double loss_deriv(int loss, double z, double b, double p) {
  switch (loss) {
    case SQUARED: return z - b;
    case LOGISTIC: { double m = b * z; return -b / (1.0 + std::exp(m)); }
    case HINGE: return (1.0 - b * z > 0.0) ? -b : 0.0;
    case ABSOLUTE: return sign0(z - b);
    case HUBER: { double r = z - b; return std::fabs(r) <= p ? r : p * sign0(r); }
    default: return 1.0;
  }
}

struct LinearModel {
  // Data: dense row-major (n x d) when `sparse` is false, otherwise CSR.
  bool sparse = false;
  int64_t n = 0, d = 0;
  const double* dense = nullptr;
  const double* data = nullptr;
  const int64_t* indices = nullptr;
  const int64_t* indptr = nullptr;
  const double* b = nullptr;
  int loss = SQUARED, reduce = SUM;
  double loss_param = 0.0, weight = 1.0, l2 = 0.0, cst = 0.0;
  int reg = REG_NONE;
  double reg_scalar = 0.0;
  double reg_param = 0.0;  // a of SCAD, gamma of MCP (regularizer)
  int penalty = PEN_NONE;  // smooth concave part q of a SCAD/MCP penalty, added to f
  double pen_lam = 0.0, pen_param = 0.0;
  const double* reg_lo = nullptr;  // box lower bounds, or the ball's centre
  const double* reg_hi = nullptr;  // box upper bounds

  double row_dot(int64_t i, const double* x) const {
    double s = 0.0;
    if (!sparse) {
      s = dot(dense + i * d, x, d);
    } else {
      for (int64_t k = indptr[i]; k < indptr[i + 1]; ++k) s += data[k] * x[indices[k]];
    }
    return s;
  }

  void row_axpy(int64_t i, double alpha, double* out) const {
    if (!sparse) {
      const double* a = dense + i * d;
      for (int64_t j = 0; j < d; ++j) out[j] += alpha * a[j];
    } else {
      for (int64_t k = indptr[i]; k < indptr[i + 1]; ++k) out[indices[k]] += alpha * data[k];
    }
  }

  double sq_norm(const double* x) const {
    double s = 0.0;
    for (int64_t j = 0; j < d; ++j) s += x[j] * x[j];
    return s;
  }

  // Smooth (or subdifferentiable) part f(x); fills grad with one (sub)gradient when grad != nullptr.
  // Sum-reduced models make one fused pass over the rows of A: z_i = a_i.x, then grad += w phi'(z_i) a_i,
  // so A is read once per evaluation.  Threads split the rows; each keeps its own partial gradient.
  double value_grad(const double* x, double* grad, int n_threads) const {
    double f = 0.0;
    if (reduce == SUM) {
      if (grad) std::fill(grad, grad + d, 0.0);
#ifdef PYOPTHEORY_OPENMP
      int nt = std::max(1, n_threads);
      // Small problems are not worth a parallel region.
      if (nt > 1 && n * d < 20000) nt = 1;
      if (nt > 1) {
        std::vector<double> partial(grad ? static_cast<size_t>(nt) * d : 0, 0.0);
        std::vector<double> fpart(nt, 0.0);
#pragma omp parallel num_threads(nt)
        {
          int t = omp_get_thread_num();
          int nth = omp_get_num_threads();
          int64_t lo = n * t / nth, hi = n * (t + 1) / nth;
          double* g = grad ? partial.data() + static_cast<size_t>(t) * d : nullptr;
          double fl = 0.0;
          for (int64_t i = lo; i < hi; ++i) {
            double z = row_dot(i, x);
            fl += loss_value(loss, z, b[i], loss_param);
            if (g) row_axpy(i, weight * loss_deriv(loss, z, b[i], loss_param), g);
          }
          fpart[t] = fl;
        }
        for (int t = 0; t < nt; ++t) f += fpart[t];
        if (grad)
          for (int t = 0; t < nt; ++t) {
            const double* g = partial.data() + static_cast<size_t>(t) * d;
            for (int64_t j = 0; j < d; ++j) grad[j] += g[j];
          }
      } else
#endif
      {
        (void)n_threads;
        for (int64_t i = 0; i < n; ++i) {
          double z = row_dot(i, x);
          f += loss_value(loss, z, b[i], loss_param);
          if (grad) row_axpy(i, weight * loss_deriv(loss, z, b[i], loss_param), grad);
        }
      }
      f *= weight;
    } else {  // MAX: the first maximiser gives the subgradient (deterministic tie-break)
      int64_t arg = 0;
      double best = -std::numeric_limits<double>::infinity(), zbest = 0.0;
      for (int64_t i = 0; i < n; ++i) {
        double z = row_dot(i, x);
        double v = loss_value(loss, z, b[i], loss_param);
        if (v > best || i == 0) { best = v; arg = i; zbest = z; }
      }
      f = weight * best;
      if (grad) {
        std::fill(grad, grad + d, 0.0);
        row_axpy(arg, weight * loss_deriv(loss, zbest, b[arg], loss_param), grad);
      }
    }
    if (l2 != 0.0) {
      f += 0.5 * l2 * sq_norm(x);
      if (grad)
        for (int64_t j = 0; j < d; ++j) grad[j] += l2 * x[j];
    }
    if (penalty != PEN_NONE) {
      for (int64_t j = 0; j < d; ++j) {
        f += concave_part(penalty, x[j], pen_lam, pen_param);
        if (grad) grad[j] += concave_deriv(penalty, x[j], pen_lam, pen_param);
      }
    }
    return f + cst;
  }

  // f(x + s e_j) for every coordinate j into out[0 .. d-1], for dense sum-reduced models, with one pass over A
  // (feature reuse: a_i.(x + s e_j) = z_i + s a_ij), so the d values cost one evaluation's O(nd) instead of d of
  // them.  The same pass returns f(x) (the arithmetic of value_grad) and, when grad != nullptr, its gradient.
  // Returns false (nothing written) for sparse or max-reduced models.
  bool coordinate_values(const double* x, double s, double* out, double* f0, double* grad) const {
    if (sparse || reduce != SUM) return false;
    std::fill(out, out + d, 0.0);
    if (grad) std::fill(grad, grad + d, 0.0);
    double f = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double* a = dense + i * d;
      const double zi = row_dot(i, x), bi = b[i];
      f += loss_value(loss, zi, bi, loss_param);
      if (grad) row_axpy(i, weight * loss_deriv(loss, zi, bi, loss_param), grad);
      if (loss == SQUARED) {
        const double r = zi - bi;
        for (int64_t j = 0; j < d; ++j) {
          const double rj = r + s * a[j];
          out[j] += 0.5 * rj * rj;
        }
      } else {
        for (int64_t j = 0; j < d; ++j) out[j] += loss_value(loss, zi + s * a[j], bi, loss_param);
      }
    }
    f *= weight;
    double base_l2 = 0.0, base_pen = 0.0;
    if (l2 != 0.0) {
      base_l2 = sq_norm(x);
      f += 0.5 * l2 * base_l2;
      if (grad)
        for (int64_t j = 0; j < d; ++j) grad[j] += l2 * x[j];
    }
    if (penalty != PEN_NONE) {
      for (int64_t j = 0; j < d; ++j) {
        const double c = concave_part(penalty, x[j], pen_lam, pen_param);
        f += c;
        base_pen += c;
        if (grad) grad[j] += concave_deriv(penalty, x[j], pen_lam, pen_param);
      }
    }
    *f0 = f + cst;
    for (int64_t j = 0; j < d; ++j) {
      double fj = weight * out[j];
      if (l2 != 0.0) fj += 0.5 * l2 * (base_l2 + s * (2.0 * x[j] + s));
      if (penalty != PEN_NONE)
        fj += base_pen - concave_part(penalty, x[j], pen_lam, pen_param) +
              concave_part(penalty, x[j] + s, pen_lam, pen_param);
      out[j] = fj + cst;
    }
    return true;
  }

  // Minibatch gradient of the finite sum f = (1/n) sum_i f_i, f_i = n w phi(a_i.x, b_i) + (l2/2)||x||^2:
  // grad = (1/b) sum_{j<b} n w phi'(a_{ids[j]}.x) a_{ids[j]} + l2 x.  O(b d), no pass over A.
  void sample_grad(const int64_t* ids, int64_t batch, const double* x, double* grad) const {
    std::fill(grad, grad + d, 0.0);
    const double scale = static_cast<double>(n) * weight / static_cast<double>(batch);
    for (int64_t j = 0; j < batch; ++j) {
      int64_t i = ids[j];
      double z = row_dot(i, x);
      row_axpy(i, scale * loss_deriv(loss, z, b[i], loss_param), grad);
    }
    if (l2 != 0.0)
      for (int64_t j = 0; j < d; ++j) grad[j] += l2 * x[j];
  }

  // g(x): lam ||x||_1 for the l1 regularizer; 0 for indicators (iterates are kept feasible).
  double reg_value(const double* x) const {
    if (reg == REG_SCAD || reg == REG_MCP) {
      double s = 0.0;
      for (int64_t j = 0; j < d; ++j) s += penalty_value(reg == REG_SCAD ? PEN_SCAD : PEN_MCP, x[j], reg_scalar, reg_param);
      return s;
    }
    if (reg != REG_L1) return 0.0;
    double s = 0.0;
    for (int64_t j = 0; j < d; ++j) s += std::fabs(x[j]);
    return reg_scalar * s;
  }

  // out = prox_{step g}(y); for indicators this is the Euclidean projection.
  void prox(const double* y, double step, double* out) const {
    switch (reg) {
      case REG_L1: {
        double t = step * reg_scalar;
        for (int64_t j = 0; j < d; ++j) {
          double a = std::fabs(y[j]) - t;
          out[j] = a > 0.0 ? sign0(y[j]) * a : 0.0;
        }
        break;
      }
      case REG_BALL: {
        double s = 0.0;
        for (int64_t j = 0; j < d; ++j) { double r = y[j] - reg_lo[j]; s += r * r; }
        double nrm = std::sqrt(s);
        double scale = nrm > reg_scalar ? reg_scalar / nrm : 1.0;
        for (int64_t j = 0; j < d; ++j) out[j] = reg_lo[j] + scale * (y[j] - reg_lo[j]);
        break;
      }
      case REG_BOX:
        for (int64_t j = 0; j < d; ++j) out[j] = std::min(std::max(y[j], reg_lo[j]), reg_hi[j]);
        break;
      case REG_SIMPLEX: project_simplex(y, reg_scalar, out); break;
      case REG_SCAD:
      case REG_MCP:
        for (int64_t j = 0; j < d; ++j) out[j] = penalty_prox(reg, y[j], step, reg_scalar, reg_param);
        break;
      default:
        if (out != y) std::copy(y, y + d, out);
    }
  }

  // Projection onto {x >= 0, sum x = r}: sort descending, find the largest k with
  // u_k - (sum_{j<=k} u_j - r)/k > 0, then x = max(y - theta, 0).  O(d log d).
  void project_simplex(const double* y, double r, double* out) const {
    std::vector<double> u(y, y + d);
    std::sort(u.begin(), u.end(), std::greater<double>());
    double cumsum = 0.0, theta = 0.0;
    for (int64_t k = 0; k < d; ++k) {
      cumsum += u[k];
      double t = (cumsum - r) / static_cast<double>(k + 1);
      if (u[k] - t > 0.0) theta = t;
    }
    for (int64_t j = 0; j < d; ++j) out[j] = std::max(y[j] - theta, 0.0);
  }
};

}  // namespace pyoptheory
