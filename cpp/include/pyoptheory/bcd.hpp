// Coordinate descent with greedy and random selection rules on a quadratic
//
//   F(x) = 1/2 x^T Q x - c^T x + sum_i g_i(x_i),   g_i = 0, lam |x_i| (L1) or the indicator of [lo_i, hi_i],
//
// (Nutini, Schmidt, Laradji, Friedlander & Koepke, ICML 2015; Nutini, Laradji & Schmidt, JMLR 2022).
// Q is symmetric positive semidefinite with Q_ii > 0, stored in CSR (dense problems pass every entry).
// The gradient grad = Q x - c is kept exactly: updating x_i by delta adds delta Q_{:,i} (O(deg i)).
//
// One step: select a coordinate i, then x_i <- prox_{g_i / Lstep_i}(x_i - grad_i / Lstep_i), with
// Lstep_i = Q_ii (the coordinate constant: exact minimisation along e_i for every g_i here) or a
// common L >= max_i Q_ii.  Selection (scores; ties go to the smallest index):
//   cyclic         i = k mod d;
//   given          the index stream drawn in Python (uniform, Lipschitz sampling, permutations);
//   GS   (gs_s)    |grad_i + s|, s the element of the subdifferential of g_i at x_i closest to -grad_i;
//   GSL            the GS score / sqrt(Q_ii);
//   GS-r           |x_i^+ - x_i|, the length of the step the rule would take;
//   GS-q           the decrease of the coordinate model, -min_d {grad_i d + Lstep_i d^2/2 + g_i(x_i + d) - g_i(x_i)}.
// Greedy rules scan all scores (O(d) per step) or, when Q is sparse, keep them in a tournament tree over
// blocks of 16 scores (ScoreTree) updated for the O(deg i) coordinates whose gradient changed
// (O(deg i log d) per step at worst, usually a block rescan and a short climb).
// The NumPy reference is pyoptheory/methods/_bcd_reference.py.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace pyoptheory {

enum BcdRule : int { BCD_CYCLIC = 0, BCD_GIVEN = 1, BCD_GS = 2, BCD_GSL = 3, BCD_GS_R = 4, BCD_GS_Q = 5 };
enum BcdReg : int { BCD_NONE = 0, BCD_L1 = 1, BCD_BOX = 2 };

struct BcdModel {
  int64_t d;
  const int64_t* indptr;
  const int64_t* indices;
  const double* data;
  const double* c;
  const double* diag;  // Q_ii
  int reg;
  double lam;
  const double* lo;
  const double* hi;
  int rule;
  double L_common;  // > 0: step 1/L_common on every coordinate; else 1/Q_ii
  bool heap;

  double step_const(int64_t i) const { return L_common > 0.0 ? L_common : diag[i]; }

  // The new value of x_i from the prox-coordinate step.
  double target(int64_t i, double xi, double gi) const {
    const double L = step_const(i);
    return prox(i, xi - gi / L, L);
  }

  // g_i(x_i + dlt) - g_i(x_i) without the rounding of |x + dlt| - |x| (which swamps the GS-q score of a
  // coordinate far from 0 near the optimum): lam sign(x) dlt while the sign does not change.
  double reg_change(double xi, double dlt) const {
    if (reg != BCD_L1) return 0.0;
    const double xn = xi + dlt;
    if (xi > 0.0 && xn >= 0.0) return lam * dlt;
    if (xi < 0.0 && xn <= 0.0) return -lam * dlt;
    return lam * (std::fabs(xn) - std::fabs(xi));
  }

  // |grad_i + s|, s the element of the subdifferential of g_i at x_i closest to -grad_i (GS-s).
  double violation(int64_t i, double xi, double gi) const {
    if (reg == BCD_L1) {
      if (xi != 0.0) return std::fabs(gi + (xi > 0.0 ? lam : -lam));
      return std::max(std::fabs(gi) - lam, 0.0);
    }
    if (reg == BCD_BOX)  // the projected gradient: zero where the bound blocks descent
      return ((xi <= lo[i] && gi > 0.0) || (xi >= hi[i] && gi < 0.0)) ? 0.0 : std::fabs(gi);
    return std::fabs(gi);
  }

  // prox_{g_i / L}(y).
  double prox(int64_t i, double y, double L) const {
    if (reg == BCD_L1) {
      const double t = lam / L;
      return y > t ? y - t : (y < -t ? y + t : 0.0);
    }
    if (reg == BCD_BOX) return std::min(std::max(y, lo[i]), hi[i]);
    return y;
  }

  // The selection score of coordinate i (larger is selected).
  double score(int64_t i, double xi, double gi) const {
    switch (rule) {
      case BCD_GS:
      case BCD_GSL: {
        const double s = violation(i, xi, gi);
        return rule == BCD_GSL ? s / std::sqrt(diag[i]) : s;
      }
      case BCD_GS_R:
        return std::fabs(target(i, xi, gi) - xi);
      case BCD_GS_Q: {
        const double dlt = target(i, xi, gi) - xi;
        const double L = step_const(i);
        return -(gi * dlt + 0.5 * L * dlt * dlt + reg_change(xi, dlt));
      }
      default:
        return 0.0;
    }
  }
};

// The greedy rules' selection structure on sparse problems: a tournament (max-segment) tree over blocks of
// kLeaf consecutive scores.  The scores are kept in coordinate order, each tree leaf holds the maximum of one
// block and its index, internal nodes the larger child (ties to the left: the smaller index), so top() is the
// smallest index of the largest score, as the O(d) scan gives.  update(i, s) costs O(1) when the block
// maximum is unaffected; a new block maximum climbs while it beats the ancestors; a decreased block maximum
// rescans its block (kLeaf scores, one or two cache lines) and recomputes ancestors while they change.  The
// neighbours updated by a step on a graph are mostly close in index, so the scores touched share cache lines
// and the upper tree (O(d / kLeaf) nodes) stays in cache: far fewer misses than a heap whose slots move.
class ScoreTree {
 public:
  static constexpr int64_t kLeaf = 16;

  void build(const std::vector<double>& s) {
    d_ = static_cast<int64_t>(s.size());
    nb_ = (d_ + kLeaf - 1) / kLeaf;
    P_ = 1;
    while (P_ < nb_) P_ <<= 1;
    s_.assign(nb_ * kLeaf, -std::numeric_limits<double>::infinity());
    std::copy(s.begin(), s.end(), s_.begin());
    tv_.assign(2 * P_, -std::numeric_limits<double>::infinity());
    ti_.assign(2 * P_, d_);
    for (int64_t b = 0; b < nb_; ++b) block_max(b, &tv_[P_ + b], &ti_[P_ + b]);
    for (int64_t n = P_ - 1; n >= 1; --n) combine(n);
  }
  int64_t top() const { return ti_[1]; }
  void update(int64_t i, double s) {
    s_[i] = s;
    int64_t n = P_ + i / kLeaf;
    if (s > tv_[n] || (s == tv_[n] && i < ti_[n])) {  // a new block maximum: climb while it wins
      do {
        tv_[n] = s;
        ti_[n] = i;
        n >>= 1;
      } while (n >= 1 && (s > tv_[n] || (s == tv_[n] && i < ti_[n])));
      return;
    }
    if (ti_[n] != i) return;  // neither the block maximum before nor now
    block_max(i / kLeaf, &tv_[n], &ti_[n]);
    for (n >>= 1; n >= 1; n >>= 1) {
      const double v = tv_[n];
      const int64_t j = ti_[n];
      combine(n);
      if (tv_[n] == v && ti_[n] == j) break;
    }
  }

 private:
  int64_t d_ = 0, nb_ = 0, P_ = 1;
  std::vector<double> s_, tv_;
  std::vector<int64_t> ti_;
  void block_max(int64_t b, double* v, int64_t* idx) const {
    const double* p = s_.data() + b * kLeaf;
    double best = p[0];
    int64_t at = 0;
    for (int64_t t = 1; t < kLeaf; ++t)
      if (p[t] > best) {
        best = p[t];
        at = t;
      }
    *v = best;
    *idx = b * kLeaf + at < d_ ? b * kLeaf + at : d_;
  }
  void combine(int64_t n) {
    const int64_t l = 2 * n, r = l + 1;
    const bool right = tv_[r] > tv_[l];
    tv_[n] = right ? tv_[r] : tv_[l];
    ti_[n] = right ? ti_[r] : ti_[l];
  }
};

// grad = Q x - c.
inline void bcd_gradient(const BcdModel& m, const double* x, double* grad) {
  for (int64_t i = 0; i < m.d; ++i) {
    double s = -m.c[i];
    for (int64_t p = m.indptr[i]; p < m.indptr[i + 1]; ++p) s += m.data[p] * x[m.indices[p]];
    grad[i] = s;
  }
}

// x_i += delta_i for the coordinates idx[0..len) of one step k (all deltas computed from the same gradient),
// keeping grad = Q x - c and the last support change.  Returns false on a non-finite value.
inline bool bcd_apply(const BcdModel& m, const int64_t* idx, const double* delta, int64_t len, int64_t k, double* x,
                      double* grad, double* support_change) {
  for (int64_t t = 0; t < len; ++t) {
    const int64_t i = idx[t];
    const double xi = x[i], xn = xi + delta[t];
    if (!std::isfinite(xn)) return false;
    if (delta[t] == 0.0) continue;
    x[i] = xn;
    if ((xi == 0.0) != (xn == 0.0)) *support_change = static_cast<double>(k + 1);
    for (int64_t p = m.indptr[i]; p < m.indptr[i + 1]; ++p) grad[m.indices[p]] += m.data[p] * delta[t];
  }
  return true;
}

// Steps k0 .. k1-1 (k counts from the start of the run).  grad is recomputed from x first.  given[k - k0]
// is the coordinate of step k for BCD_GIVEN.  selected[k - k0] receives the coordinate of each step.
// scal_support_change: the last step at which the zero pattern of x changed (-1 if never), updated.
// Returns 0, or 1 when a non-finite value appeared (at step fail_at).
inline int bcd_advance(const BcdModel& m, double* x, double* grad, int64_t k0, int64_t k1, const int64_t* given,
                       int64_t* selected, double* support_change, int64_t* fail_at) {
  const int64_t d = m.d;
  bcd_gradient(m, x, grad);
  const bool greedy = m.rule >= BCD_GS;
  ScoreTree heap;
  std::vector<double> scores;
  if (greedy && m.heap) {
    scores.resize(d);
    for (int64_t i = 0; i < d; ++i) scores[i] = m.score(i, x[i], grad[i]);
    heap.build(scores);
  }
  for (int64_t k = k0; k < k1; ++k) {
    int64_t i;
    if (m.rule == BCD_CYCLIC) {
      i = k % d;
    } else if (m.rule == BCD_GIVEN) {
      i = given[k - k0];
    } else if (m.heap) {
      i = heap.top();
    } else {
      i = 0;
      double best = m.score(0, x[0], grad[0]);
      for (int64_t j = 1; j < d; ++j) {
        const double s = m.score(j, x[j], grad[j]);
        if (s > best) { best = s; i = j; }
      }
    }
    selected[k - k0] = i;
    const double xi = x[i];
    const double xn = m.target(i, xi, grad[i]);
    const double delta = xn - xi;
    if (!std::isfinite(xn)) { *fail_at = k; return 1; }
    if (delta != 0.0) {
      x[i] = xn;
      if ((xi == 0.0) != (xn == 0.0)) *support_change = static_cast<double>(k + 1);
      for (int64_t p = m.indptr[i]; p < m.indptr[i + 1]; ++p) {
        const int64_t j = m.indices[p];
        grad[j] += m.data[p] * delta;
        if (greedy && m.heap && j != i) heap.update(j, m.score(j, x[j], grad[j]));
      }
      if (greedy && m.heap) heap.update(i, m.score(i, x[i], grad[i]));
    }
  }
  return 0;
}

// --- fixed blocks ------------------------------------------------------------------------------------
// A partition of the coordinates into blocks b (bidx[bptr[b] .. bptr[b+1]]), with L_b = lambda_max(Q_bb),
// per-coordinate d_i with Q_bb <= diag(d_b) (GSD), and the lower Cholesky factor of each Q_bb (row-major,
// at choff[b]) for the matrix update and the GSQ score.  Block scores (v_i = the GS-s violation):
//   GS ||v_b||_2, GSL ||v_b||_2 / sqrt(L_b), GSD sqrt(sum_b v_i^2 / d_i), GSQ sqrt(g_b^T Q_bb^-1 g_b) (smooth);
//   the proximal rules for the gradient and diagonal updates, with D_i = L_b (or d_i) and
//   delta_i = prox_{g_i/D_i}(x_i - g_i/D_i) - x_i the block's own step: GS-r ||delta_b||_2 and GS-q the decrease
//   of the block model -sum_b [g_i delta_i + D_i delta_i^2 / 2 + g_i(x_i + delta_i) - g_i(x_i)] (Nutini et al.
//   2015, section 8, for blocks: JMLR 2022).
// Updates: gradient x_b <- prox(x_b - g_b / L_b), diagonal x_b <- prox(x_b - g_b / d_b), matrix
// x_b <- x_b - Q_bb^-1 g_b (exact block minimisation; smooth problems).
enum BcdBlockRule : int { BB_CYCLIC = 0, BB_GIVEN = 1, BB_GS = 2, BB_GSL = 3, BB_GSD = 4, BB_GSQ = 5, BB_GS_R = 6,
                          BB_GS_Q = 7 };
enum BcdUpdate : int { BU_GRADIENT = 0, BU_DIAGONAL = 1, BU_MATRIX = 2, BU_TWO_METRIC = 3, BU_PROJECTED_NEWTON = 4 };

struct BcdBlocks {
  int64_t nb;
  const int64_t* bptr;
  const int64_t* bidx;
  const double* Lb;
  const double* dvec;
  const double* chol;
  const int64_t* choff;
  int rule;
  int update;
};

// z = (L L^T)^{-1} r for the k x k lower factor L (row-major).
inline void chol_solve(const double* L, int64_t k, const double* r, double* z) {
  for (int64_t i = 0; i < k; ++i) {
    double s = r[i];
    for (int64_t j = 0; j < i; ++j) s -= L[i * k + j] * z[j];
    z[i] = s / L[i * k + i];
  }
  for (int64_t i = k - 1; i >= 0; --i) {
    double s = z[i];
    for (int64_t j = i + 1; j < k; ++j) s -= L[j * k + i] * z[j];
    z[i] = s / L[i * k + i];
  }
}

inline double block_score(const BcdModel& m, const BcdBlocks& B, int64_t b, const double* x, const double* grad,
                          std::vector<double>& gb, std::vector<double>& z) {
  const int64_t lo = B.bptr[b], hi = B.bptr[b + 1], k = hi - lo;
  if (B.rule == BB_GSQ) {
    for (int64_t t = 0; t < k; ++t) gb[t] = grad[B.bidx[lo + t]];
    chol_solve(B.chol + B.choff[b], k, gb.data(), z.data());
    double q = 0.0;
    for (int64_t t = 0; t < k; ++t) q += gb[t] * z[t];
    return std::sqrt(std::max(q, 0.0));
  }
  double s = 0.0;
  if (B.rule == BB_GS_R || B.rule == BB_GS_Q) {
    for (int64_t t = lo; t < hi; ++t) {
      const int64_t i = B.bidx[t];
      const double L = B.update == BU_DIAGONAL ? B.dvec[i] : B.Lb[b];
      const double dlt = m.prox(i, x[i] - grad[i] / L, L) - x[i];
      s += B.rule == BB_GS_R ? dlt * dlt : -(grad[i] * dlt + 0.5 * L * dlt * dlt + m.reg_change(x[i], dlt));
    }
    return B.rule == BB_GS_R ? std::sqrt(s) : s;
  }
  for (int64_t t = lo; t < hi; ++t) {
    const int64_t i = B.bidx[t];
    const double v = m.violation(i, x[i], grad[i]);
    s += B.rule == BB_GSD ? v * v / B.dvec[i] : v * v;
  }
  s = std::sqrt(s);
  return B.rule == BB_GSL ? s / std::sqrt(B.Lb[b]) : s;
}

// Q_WW (k x k, row-major) for the coordinates idx[0..k); pos: a -1 array of length d, restored on return.
inline void extract_block(const BcdModel& m, const int64_t* idx, int64_t k, std::vector<int64_t>& pos, double* QW) {
  for (int64_t t = 0; t < k; ++t) pos[idx[t]] = t;
  std::fill(QW, QW + k * k, 0.0);
  for (int64_t t = 0; t < k; ++t)
    for (int64_t p = m.indptr[idx[t]]; p < m.indptr[idx[t] + 1]; ++p)
      if (pos[m.indices[p]] >= 0) QW[t * k + pos[m.indices[p]]] = m.data[p];
  for (int64_t t = 0; t < k; ++t) pos[idx[t]] = -1;
}

// Lower Cholesky factor of the k x k matrix A (row-major) into L; false if not positive definite.
inline bool cholesky(const double* A, int64_t k, double* L) {
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j <= i; ++j) {
      double s = A[i * k + j];
      for (int64_t q = 0; q < j; ++q) s -= L[i * k + q] * L[j * k + q];
      if (i == j) {
        if (!(s > 0.0)) return false;
        L[i * k + i] = std::sqrt(s);
      } else {
        L[i * k + j] = s / L[j * k + j];
      }
    }
    for (int64_t j = i + 1; j < k; ++j) L[i * k + j] = 0.0;
  }
  return true;
}

// One two-metric projection step (Bertsekas 1982) on a box-constrained block with gradient g and Hessian QW:
// the coordinates at a bound with the gradient pushing outward (within 1e-12) get the scaled-gradient
// direction -g_i/Lb, the free ones the Newton direction -Q_FF^-1 g_F; x(alpha) = proj(x + alpha d) with
// Armijo backtracking F(x(alpha)) - F(x) <= 1e-4 g^T (x(alpha) - x) (the quadratic evaluated exactly);
// without a descent direction, the projected-gradient step.  Adds the step to D (and g += QW step).
inline void two_metric_step(const BcdModel& m, const int64_t* idx, int64_t k, double Lb, const double* x, double* g,
                            const double* QW, double* D, std::vector<double>& work) {
  work.resize(4 * k + 2 * k * k);
  double* dir = work.data();
  double* trial = dir + k;
  double* step = trial + k;
  double* Qs = step + k;
  double* QF = Qs + k;
  double* LF = QF + k * k;
  std::vector<int64_t> F;
  for (int64_t t = 0; t < k; ++t) {
    const int64_t i = idx[t];
    const double xi = x[i] + D[t];
    const bool at_lo = xi <= m.lo[i] + 1e-12 * (1.0 + std::fabs(m.lo[i])) && g[t] > 0.0;
    const bool at_hi = xi >= m.hi[i] - 1e-12 * (1.0 + std::fabs(m.hi[i])) && g[t] < 0.0;
    if (at_lo || at_hi) dir[t] = -g[t] / Lb;
    else F.push_back(t);
  }
  const int64_t f = static_cast<int64_t>(F.size());
  for (int64_t a = 0; a < f; ++a)
    for (int64_t c = 0; c < f; ++c) QF[a * f + c] = QW[F[a] * k + F[c]];
  if (f > 0) {
    if (cholesky(QF, f, LF)) {
      for (int64_t a = 0; a < f; ++a) trial[a] = g[F[a]];
      chol_solve(LF, f, trial, step);
      for (int64_t a = 0; a < f; ++a) dir[F[a]] = -step[a];
    } else {
      for (int64_t a = 0; a < f; ++a) dir[F[a]] = -g[F[a]] / Lb;
    }
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    double alpha = 1.0;
    for (int ls = 0; ls < 60; ++ls, alpha *= 0.5) {
      double lin = 0.0, quad = 0.0;
      for (int64_t t = 0; t < k; ++t) {
        const int64_t i = idx[t];
        const double xi = x[i] + D[t];
        trial[t] = std::min(std::max(xi + alpha * dir[t], m.lo[i]), m.hi[i]) - xi;
        lin += g[t] * trial[t];
      }
      if (!(lin < 0.0)) break;  // no descent along this path
      for (int64_t t = 0; t < k; ++t) {
        double s = 0.0;
        for (int64_t q = 0; q < k; ++q) s += QW[t * k + q] * trial[q];
        Qs[t] = s;
        quad += trial[t] * s;
      }
      if (lin + 0.5 * quad <= 1e-4 * lin) {
        for (int64_t t = 0; t < k; ++t) {
          D[t] += trial[t];
          g[t] += Qs[t];
        }
        return;
      }
    }
    for (int64_t t = 0; t < k; ++t) dir[t] = -g[t] / Lb;  // fall back to the projected-gradient direction
  }
}

// The block of step k: k mod nb (cyclic), the drawn index (given) or the first block of largest score.
template <class Score>
inline int64_t pick_block(int rule, int64_t k, int64_t k0, int64_t nb, const int64_t* given, Score score) {
  if (rule == BB_CYCLIC) return k % nb;
  if (rule == BB_GIVEN) return given[k - k0];
  int64_t b = 0;
  double best = score(0);
  for (int64_t c = 1; c < nb; ++c) {
    const double s = score(c);
    if (s > best) { best = s; b = c; }
  }
  return b;
}

inline int64_t max_block_size(const int64_t* bptr, int64_t nb) {
  int64_t kmax = 0;
  for (int64_t b = 0; b < nb; ++b) kmax = std::max(kmax, bptr[b + 1] - bptr[b]);
  return kmax;
}

// Steps k0 .. k1-1 over blocks; as bcd_advance (selected receives block indices).
inline int bcd_block_advance(const BcdModel& m, const BcdBlocks& B, double* x, double* grad, int64_t k0, int64_t k1,
                             const int64_t* given, int64_t* selected, double* support_change, int64_t* fail_at) {
  bcd_gradient(m, x, grad);
  const int64_t kmax = max_block_size(B.bptr, B.nb);
  std::vector<double> gb(kmax), z(kmax), delta(kmax), QW, work;
  std::vector<int64_t> pos(B.update >= BU_TWO_METRIC ? m.d : 0, -1);
  for (int64_t k = k0; k < k1; ++k) {
    const int64_t b = pick_block(B.rule, k, k0, B.nb, given,
                                 [&](int64_t c) { return block_score(m, B, c, x, grad, gb, z); });
    selected[k - k0] = b;
    const int64_t lo = B.bptr[b], hi = B.bptr[b + 1], kb = hi - lo;
    if (B.update == BU_MATRIX) {
      for (int64_t t = 0; t < kb; ++t) gb[t] = grad[B.bidx[lo + t]];
      chol_solve(B.chol + B.choff[b], kb, gb.data(), z.data());
      for (int64_t t = 0; t < kb; ++t) delta[t] = -z[t];
    } else if (B.update == BU_TWO_METRIC || B.update == BU_PROJECTED_NEWTON) {
      QW.resize(kb * kb);
      extract_block(m, B.bidx + lo, kb, pos, QW.data());
      for (int64_t t = 0; t < kb; ++t) { gb[t] = grad[B.bidx[lo + t]]; delta[t] = 0.0; }
      const int rounds = B.update == BU_TWO_METRIC ? 1 : 50;  // projected Newton: until the block QP is solved
      for (int r = 0; r < rounds; ++r) {
        two_metric_step(m, B.bidx + lo, kb, B.Lb[b], x, gb.data(), QW.data(), delta.data(), work);
        double viol = 0.0, scale = 0.0;
        for (int64_t t = 0; t < kb; ++t) {
          const int64_t i = B.bidx[lo + t];
          viol = std::max(viol, m.violation(i, x[i] + delta[t], gb[t]));
          scale = std::max(scale, std::fabs(grad[i]));
        }
        if (viol <= 1e-13 * std::max(scale, 1e-300)) break;
      }
    } else {
      for (int64_t t = 0; t < kb; ++t) {
        const int64_t i = B.bidx[lo + t];
        const double L = B.update == BU_DIAGONAL ? B.dvec[i] : B.Lb[b];
        delta[t] = m.prox(i, x[i] - grad[i] / L, L) - x[i];
      }
    }
    if (!bcd_apply(m, B.bidx + lo, delta.data(), kb, k, x, grad, support_change)) { *fail_at = k; return 1; }
  }
  return 0;
}

// --- forest blocks (exact block minimisation by Gaussian elimination on a tree) ---------------------------
// Each block induces a forest in the graph of Q.  bidx lists a block's coordinates in an elimination order
// (every node after all of its children), parent[t] is the block-local position of the parent (-1: a root)
// and weight[t] = Q_{node, parent}.  Solving Q_bb delta = -g_b: eliminate leaves to roots
// (d_p -= w^2/d_v, r_p -= w r_v/d_v), then back-substitute roots to leaves: O(|b|) per block (Gaussian belief
// propagation is exact on trees; Nutini, Laradji & Schmidt, JMLR 2022, section 5).  Rules: cyclic, given,
// GS (||g_b||_2) and GSQ (g_b^T Q_bb^-1 g_b, by the same elimination).
struct BcdForest {
  int64_t nb;
  const int64_t* bptr;
  const int64_t* bidx;
  const int64_t* parent;
  const double* weight;
  int rule;  // BB_CYCLIC, BB_GIVEN, BB_GS or BB_GSQ
};

// delta = -Q_bb^-1 g_b for block b; work arrays dv, rv of the block's size.  Returns g_b^T Q_bb^-1 g_b.
inline double forest_solve(const BcdModel& m, const BcdForest& F, int64_t b, const double* grad, double* delta,
                           std::vector<double>& dv, std::vector<double>& rv) {
  const int64_t lo = F.bptr[b], k = F.bptr[b + 1] - lo;
  const int64_t* node = F.bidx + lo;
  const int64_t* par = F.parent + lo;
  const double* w = F.weight + lo;
  for (int64_t t = 0; t < k; ++t) {
    dv[t] = m.diag[node[t]];
    rv[t] = -grad[node[t]];
  }
  for (int64_t t = 0; t < k; ++t)
    if (par[t] >= 0) {
      dv[par[t]] -= w[t] * w[t] / dv[t];
      rv[par[t]] -= w[t] * rv[t] / dv[t];
    }
  double q = 0.0;
  for (int64_t t = k - 1; t >= 0; --t) {
    delta[t] = (rv[t] - (par[t] >= 0 ? w[t] * delta[par[t]] : 0.0)) / dv[t];
    q -= grad[node[t]] * delta[t];
  }
  return q;
}

inline int bcd_forest_advance(const BcdModel& m, const BcdForest& F, double* x, double* grad, int64_t k0, int64_t k1,
                              const int64_t* given, int64_t* selected, double* support_change, int64_t* fail_at) {
  bcd_gradient(m, x, grad);
  const int64_t kmax = max_block_size(F.bptr, F.nb);
  std::vector<double> dv(kmax), rv(kmax), delta(kmax);
  for (int64_t k = k0; k < k1; ++k) {
    const int64_t b = pick_block(F.rule, k, k0, F.nb, given, [&](int64_t c) {
      if (F.rule == BB_GSQ) return forest_solve(m, F, c, grad, delta.data(), dv, rv);
      double s = 0.0;
      for (int64_t t = F.bptr[c]; t < F.bptr[c + 1]; ++t) s += grad[F.bidx[t]] * grad[F.bidx[t]];
      return s;
    });
    selected[k - k0] = b;
    forest_solve(m, F, b, grad, delta.data(), dv, rv);
    const int64_t lo = F.bptr[b], kb = F.bptr[b + 1] - lo;
    if (!bcd_apply(m, F.bidx + lo, delta.data(), kb, k, x, grad, support_change)) { *fail_at = k; return 1; }
  }
  return 0;
}

// --- variable blocks ------------------------------------------------------------------------------
// Each step takes the tau coordinates of largest score (GS: v_i; GSL: v_i / sqrt(L_i); ties to the smaller
// index), W sorted increasingly, and updates them together: gradient x_W <- prox(x_W - g_W / G_W) with
// G_W = max_{i in W} sum_{j in W} |Q_ij| >= lambda_max(Q_WW) (Gershgorin: a safe step without an
// eigen-solve), or matrix x_W <- x_W - Q_WW^-1 g_W (Cholesky of Q_WW, O(tau^3); smooth problems).
// Returns 2 when Q_WW is not numerically positive definite (matrix update).
// iht_steps > 0 (smooth problems): W approximates the variable-block GSQ rule argmax_{|W|=tau} g_W^T Q_WW^-1 g_W,
// i.e. the support of min_{||d||_0 <= tau} g^T d + d^T Q d / 2, by iterative hard thresholding in the metric of
// D = diag(r), r_i = sum_j |Q_ij| (Q <= D by Gershgorin, so each step decreases the model):
// y = d - D^-1 (Q d + g), d = y on the tau largest r_i y_i^2, 0 elsewhere; from d = 0, whose first step keeps the
// tau largest g_i^2 / r_i (the GSD scores).  W is the final support (JMLR 2022, section 4: "IHT").  Each IHT
// step costs O(nnz(Q)).
inline int bcd_variable_advance(const BcdModel& m, int64_t tau, bool gsl, bool matrix, double* x, double* grad,
                                int64_t k0, int64_t k1, int64_t* selected, double* support_change, int64_t* fail_at,
                                int64_t iht_steps = 0) {
  const int64_t d = m.d;
  bcd_gradient(m, x, grad);
  std::vector<double> score(d), QW(tau * tau), L(tau * tau), gW(tau), z(tau), delta(tau), dv(iht_steps > 0 ? d : 0);
  std::vector<int64_t> order(d), pos(d, -1), W(tau);
  std::vector<double> rowsum(iht_steps > 0 ? d : 0), yv(iht_steps > 0 ? d : 0);
  for (int64_t i = 0; i < (iht_steps > 0 ? d : 0); ++i)
    for (int64_t p = m.indptr[i]; p < m.indptr[i + 1]; ++p) rowsum[i] += std::fabs(m.data[p]);
  auto above = [&score](int64_t a, int64_t b) { return score[a] > score[b] || (score[a] == score[b] && a < b); };
  for (int64_t k = k0; k < k1; ++k) {
    if (iht_steps > 0) {
      std::fill(dv.begin(), dv.end(), 0.0);
      for (int64_t it = 0; it < iht_steps; ++it) {
        for (int64_t i = 0; i < d; ++i) {
          double s = 0.0;
          for (int64_t p = m.indptr[i]; p < m.indptr[i + 1]; ++p) s += m.data[p] * dv[m.indices[p]];
          yv[i] = dv[i] - (grad[i] + s) / rowsum[i];  // the scaled gradient step, thresholded below
          order[i] = i;
        }
        for (int64_t i = 0; i < d; ++i) {
          dv[i] = yv[i];
          score[i] = rowsum[i] * yv[i] * yv[i];
        }
        std::nth_element(order.begin(), order.begin() + (tau - 1), order.end(), above);
        for (int64_t i = 0; i < d; ++i) pos[i] = 0;
        for (int64_t t = 0; t < tau; ++t) pos[order[t]] = 1;
        for (int64_t i = 0; i < d; ++i) if (!pos[i]) dv[i] = 0.0;
        for (int64_t i = 0; i < d; ++i) pos[i] = -1;
      }
    } else {
      for (int64_t i = 0; i < d; ++i) {
        const double v = m.violation(i, x[i], grad[i]);
        score[i] = gsl ? v / std::sqrt(m.diag[i]) : v;
        order[i] = i;
      }
      std::nth_element(order.begin(), order.begin() + (tau - 1), order.end(), above);
    }
    std::copy(order.begin(), order.begin() + tau, W.begin());
    std::sort(W.begin(), W.end());
    selected[k - k0] = W[0];
    for (int64_t t = 0; t < tau; ++t) pos[W[t]] = t;
    std::fill(QW.begin(), QW.end(), 0.0);
    for (int64_t t = 0; t < tau; ++t)
      for (int64_t p = m.indptr[W[t]]; p < m.indptr[W[t] + 1]; ++p)
        if (pos[m.indices[p]] >= 0) QW[t * tau + pos[m.indices[p]]] = m.data[p];
    if (matrix) {
      for (int64_t i = 0; i < tau; ++i) {  // Cholesky, lower, row-major
        for (int64_t j = 0; j <= i; ++j) {
          double s = QW[i * tau + j];
          for (int64_t q = 0; q < j; ++q) s -= L[i * tau + q] * L[j * tau + q];
          if (i == j) {
            if (!(s > 0.0)) {
              *fail_at = k;
              for (int64_t t = 0; t < tau; ++t) pos[W[t]] = -1;
              return 2;
            }
            L[i * tau + i] = std::sqrt(s);
          } else {
            L[i * tau + j] = s / L[j * tau + j];
          }
        }
        for (int64_t j = i + 1; j < tau; ++j) L[i * tau + j] = 0.0;
      }
      for (int64_t t = 0; t < tau; ++t) gW[t] = grad[W[t]];
      chol_solve(L.data(), tau, gW.data(), z.data());
      for (int64_t t = 0; t < tau; ++t) delta[t] = -z[t];
    } else {
      double G = 0.0;
      for (int64_t t = 0; t < tau; ++t) {
        double r = 0.0;
        for (int64_t q = 0; q < tau; ++q) r += std::fabs(QW[t * tau + q]);
        G = std::max(G, r);
      }
      for (int64_t t = 0; t < tau; ++t) delta[t] = m.prox(W[t], x[W[t]] - grad[W[t]] / G, G) - x[W[t]];
    }
    for (int64_t t = 0; t < tau; ++t) pos[W[t]] = -1;
    if (!bcd_apply(m, W.data(), delta.data(), tau, k, x, grad, support_change)) { *fail_at = k; return 1; }
  }
  return 0;
}

// --- generalized linear models with the margins kept ---------------------------------------------------
// f(x) = w sum_i phi(a_i^T x, y_i) + (l2/2) ||x||^2 + g(x) with phi logistic log(1 + exp(-y z)) or squared
// (z - y)^2 / 2, and the multi-class softmax w sum_i [log sum_k exp(z_ik) - z_{i,y_i}] + (l2/2)||X||^2 with
// X (d x K, row-major in x: coordinate j*K + k) and Z = A X (n x K).  The margins z = A x (Z) are kept: an
// update of a coordinate of feature j costs O(nnz(A_j)) (softmax: O(nnz(A_j) K), the log-sum-exp of each
// touched row recomputed).  Coordinate constants: logistic and softmax w ||A_j||^2 / 4 + l2 (phi'' <= 1/4,
// p(1-p) <= 1/4), squared w ||A_j||^2 + l2 (exact: the coordinate step minimises exactly).  Greedy rules (GS,
// GSL on the GS-s violations) need every coordinate of the gradient: one pass over A per step (softmax: with
// the n x K probabilities formed once per step).  A is CSC (colptr, rowidx, vals).
enum { GLM_LOGISTIC = 0, GLM_SQUARED = 1, GLM_SOFTMAX = 2 };

struct BcdGlm {
  int64_t n, d;  // d features (softmax: d * K coordinates)
  const int64_t* colptr;
  const int64_t* rowidx;
  const double* vals;
  const double* y;  // labels: +-1 (logistic), targets (squared), classes 0..K-1 (softmax)
  double w, l2;
  int loss = GLM_LOGISTIC;
  int64_t K = 1;
};

inline double logistic_deriv(double z, double y) {  // d/dz log(1 + exp(-y z)), stable for large |z|
  const double t = y * z;
  return t >= 0.0 ? -y * std::exp(-t) / (1.0 + std::exp(-t)) : -y / (1.0 + std::exp(t));
}

inline double row_lse(const double* zi, int64_t K) {
  double m = zi[0];
  for (int64_t k = 1; k < K; ++k) m = std::max(m, zi[k]);
  double s = 0.0;
  for (int64_t k = 0; k < K; ++k) s += std::exp(zi[k] - m);
  return m + std::log(s);
}

// d f / d x_c at the kept margins z (softmax: lse holds each row's log-sum-exp).
inline double glm_coordinate_gradient(const BcdGlm& G, const double* z, const double* lse, const double* x,
                                      int64_t c) {
  double s = 0.0;
  if (G.loss == GLM_SOFTMAX) {
    const int64_t j = c / G.K, k = c % G.K;
    for (int64_t p = G.colptr[j]; p < G.colptr[j + 1]; ++p) {
      const int64_t i = G.rowidx[p];
      s += G.vals[p] * (std::exp(z[i * G.K + k] - lse[i]) - (static_cast<int64_t>(G.y[i]) == k ? 1.0 : 0.0));
    }
  } else if (G.loss == GLM_SQUARED) {
    for (int64_t p = G.colptr[c]; p < G.colptr[c + 1]; ++p) s += G.vals[p] * (z[G.rowidx[p]] - G.y[G.rowidx[p]]);
  } else {
    for (int64_t p = G.colptr[c]; p < G.colptr[c + 1]; ++p)
      s += G.vals[p] * logistic_deriv(z[G.rowidx[p]], G.y[G.rowidx[p]]);
  }
  return G.w * s + G.l2 * x[c];
}

// Steps k0 .. k1-1 (m supplies the regularizer, the rule (BCD_CYCLIC, BCD_GIVEN, BCD_GS, BCD_GSL) and
// diag = Lc); z: the margins A x (kept).
inline int bcd_glm_advance(const BcdModel& m, const BcdGlm& G, double* x, double* z, int64_t k0, int64_t k1,
                           const int64_t* given, int64_t* selected, double* support_change, int64_t* fail_at) {
  const bool softmax = G.loss == GLM_SOFTMAX;
  const int64_t K = softmax ? G.K : 1, dim = G.d * K;
  std::vector<double> g(m.rule >= BCD_GS ? dim : 0), lse(softmax ? G.n : 0), resid;
  for (int64_t i = 0; i < (softmax ? G.n : 0); ++i) lse[i] = row_lse(z + i * K, K);
  if (softmax && m.rule >= BCD_GS) resid.resize(G.n * K);
  for (int64_t k = k0; k < k1; ++k) {
    int64_t c;
    double gc;
    if (m.rule == BCD_CYCLIC || m.rule == BCD_GIVEN) {
      c = m.rule == BCD_CYCLIC ? k % dim : given[k - k0];
      gc = glm_coordinate_gradient(G, z, lse.data(), x, c);
    } else {
      if (softmax) {  // the full gradient from the residual P - Y, formed once
        for (int64_t i = 0; i < G.n; ++i)
          for (int64_t kk = 0; kk < K; ++kk)
            resid[i * K + kk] = std::exp(z[i * K + kk] - lse[i]) - (static_cast<int64_t>(G.y[i]) == kk ? 1.0 : 0.0);
        for (int64_t j = 0; j < G.d; ++j) {
          double* gj = g.data() + j * K;
          for (int64_t kk = 0; kk < K; ++kk) gj[kk] = 0.0;
          for (int64_t p = G.colptr[j]; p < G.colptr[j + 1]; ++p) {
            const double a = G.vals[p];
            const double* r = resid.data() + G.rowidx[p] * K;
            for (int64_t kk = 0; kk < K; ++kk) gj[kk] += a * r[kk];
          }
          for (int64_t kk = 0; kk < K; ++kk) gj[kk] = G.w * gj[kk] + G.l2 * x[j * K + kk];
        }
      } else {
        for (int64_t cc = 0; cc < dim; ++cc) g[cc] = glm_coordinate_gradient(G, z, lse.data(), x, cc);
      }
      double best = -1.0;
      c = 0;
      for (int64_t cc = 0; cc < dim; ++cc) {
        double s = m.violation(cc, x[cc], g[cc]);
        if (m.rule == BCD_GSL) s /= std::sqrt(m.diag[cc]);
        if (s > best) {
          best = s;
          c = cc;
        }
      }
      gc = g[c];
    }
    selected[k - k0] = c;
    const double xc = x[c], xn = m.target(c, xc, gc), delta = xn - xc;
    if (!std::isfinite(xn)) {
      *fail_at = k;
      return 1;
    }
    if (delta == 0.0) continue;
    x[c] = xn;
    if ((xc == 0.0) != (xn == 0.0)) *support_change = static_cast<double>(k + 1);
    const int64_t j = c / K, kc = c % K;
    for (int64_t p = G.colptr[j]; p < G.colptr[j + 1]; ++p) {
      const int64_t i = G.rowidx[p];
      z[i * K + kc] += G.vals[p] * delta;
      if (softmax) lse[i] = row_lse(z + i * K, K);
    }
  }
  return 0;
}

}  // namespace pyoptheory
