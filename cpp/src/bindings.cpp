// The only file that knows pybind11: it checks array shapes and dtypes, keeps the
// Python arrays alive for as long as a LinearModel refers to them, releases the GIL
// around the loops, and never lets a C++ exception escape as a crash.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "pyoptheory/first_order.hpp"
#include "pyoptheory/linear_model.hpp"
#include "pyoptheory/bcd.hpp"
#include "pyoptheory/bilevel.hpp"
#include "pyoptheory/cbo.hpp"
#include "pyoptheory/fractional.hpp"
#include "pyoptheory/gfm.hpp"
#include "pyoptheory/online.hpp"
#include "pyoptheory/philox.hpp"
#include "pyoptheory/sinkhorn.hpp"
#include "pyoptheory/sns.hpp"

namespace py = pybind11;
using pyoptheory::LinearModel;

using darr = py::array_t<double, py::array::c_style>;
using iarr = py::array_t<int64_t, py::array::c_style>;

namespace {

void require(bool ok, const std::string& msg) {
  if (!ok) throw py::value_error(msg);
}

// A LinearModel that owns references to the arrays it points into.
struct PyLinearModel {
  LinearModel m;
  py::list keep;
};

template <class T>
const T* ptr_of(const py::array_t<T, py::array::c_style>& a, py::list& keep) {
  keep.append(a);
  return a.data();
}

PyLinearModel make_model(darr dense, darr data, iarr indices, iarr indptr, darr b, int64_t n, int64_t d,
                         int loss, double loss_param, int reduce, double weight, double l2, double cst, int reg,
                         double reg_scalar, darr reg_lo, darr reg_hi, double reg_param, int penalty, double pen_lam,
                         double pen_param) {
  PyLinearModel pm;
  LinearModel& m = pm.m;
  require(n >= 1 && d >= 1, "LinearModel: n and d must be positive");
  require(b.ndim() == 1 && b.shape(0) == n, "LinearModel: b must have shape (n,)");
  require(loss >= 0 && loss <= 5, "LinearModel: unknown loss code");
  require(reduce == 0 || reduce == 1, "LinearModel: unknown reduce code");
  require(reg >= 0 && reg <= 6, "LinearModel: unknown regularizer code");
  require(penalty >= 0 && penalty <= 2, "LinearModel: unknown penalty code");
  m.n = n;
  m.d = d;
  if (dense.size() > 0) {
    require(dense.ndim() == 2 && dense.shape(0) == n && dense.shape(1) == d, "LinearModel: A must have shape (n, d)");
    m.sparse = false;
    m.dense = ptr_of(dense, pm.keep);
  } else {
    require(indptr.ndim() == 1 && indptr.shape(0) == n + 1, "LinearModel: indptr must have length n + 1");
    require(indices.size() == data.size(), "LinearModel: indices and data must have the same length");
    auto ip = indptr.unchecked<1>();
    require(ip(0) == 0 && ip(n) == static_cast<int64_t>(data.size()), "LinearModel: inconsistent CSR indptr");
    auto ix = indices.unchecked<1>();
    for (py::ssize_t k = 0; k < ix.shape(0); ++k)
      require(ix(k) >= 0 && ix(k) < d, "LinearModel: CSR column index out of range");
    for (int64_t i = 0; i < n; ++i) require(ip(i) <= ip(i + 1), "LinearModel: CSR indptr must be nondecreasing");
    m.sparse = true;
    m.data = ptr_of(data, pm.keep);
    m.indices = ptr_of(indices, pm.keep);
    m.indptr = ptr_of(indptr, pm.keep);
  }
  m.b = ptr_of(b, pm.keep);
  m.loss = loss;
  m.loss_param = loss_param;
  m.reduce = reduce;
  m.weight = weight;
  m.l2 = l2;
  m.cst = cst;
  m.reg = reg;
  m.reg_scalar = reg_scalar;
  m.reg_param = reg_param;
  m.penalty = penalty;
  m.pen_lam = pen_lam;
  m.pen_param = pen_param;
  if (reg == pyoptheory::REG_BALL || reg == pyoptheory::REG_BOX) {
    require(reg_lo.ndim() == 1 && reg_lo.shape(0) == d, "LinearModel: reg_lo must have shape (d,)");
    m.reg_lo = ptr_of(reg_lo, pm.keep);
  }
  if (reg == pyoptheory::REG_BOX) {
    require(reg_hi.ndim() == 1 && reg_hi.shape(0) == d, "LinearModel: reg_hi must have shape (d,)");
    m.reg_hi = ptr_of(reg_hi, pm.keep);
  }
  return pm;
}

double* vec(darr& a, int64_t d, const char* name) {
  require(a.ndim() == 1 && a.shape(0) == d, std::string(name) + " must be a float64 vector of length d");
  require(a.writeable(), std::string(name) + " must be writeable");
  return a.mutable_data();
}

int advance(const PyLinearModel& pm, int method, darr x, darr xbest, py::object xsum, darr grad, darr scal,
            darr steps, py::object avg_w, double eta, int64_t k0, int64_t k1, int n_threads, iarr idx,
            darr noise) {
  const LinearModel& m = pm.m;
  require(method >= 0 && method <= 13, "advance: unknown method code");
  require(k0 >= 0 && k1 >= k0, "advance: need 0 <= k0 <= k1");
  pyoptheory::RunBuffers r{};
  r.x = vec(x, m.d, "x");
  r.xbest = vec(xbest, m.d, "xbest");
  r.grad = vec(grad, m.d, "grad");
  require(scal.ndim() == 1 && scal.shape(0) == pyoptheory::S_SIZE && scal.writeable(), "scal has the wrong layout");
  r.scal = scal.mutable_data();
  require(steps.ndim() == 1 && (steps.shape(0) == 1 || steps.shape(0) >= k1 - k0),
          "steps must have length 1 or >= k1 - k0 (the chunk's steps)");
  r.k0 = k0;
  r.steps = steps.data();
  r.n_steps = steps.shape(0);
  darr xs, aw;
  if (!xsum.is_none()) {
    require(py::isinstance<darr>(xsum), "xsum must be a C-contiguous float64 array");
    xs = xsum.cast<darr>();
    r.xsum = vec(xs, m.d, "xsum");
    aw = avg_w.cast<darr>();
    require(aw.ndim() == 1 && aw.shape(0) >= k1 - k0 + 1, "avg_w must have length >= k1 - k0 + 1 (the chunk's weights)");
    r.avg_w = aw.data();
  }
  r.eta = eta;
  if (idx.size() > 0) {
    require(idx.ndim() == 2 && idx.shape(0) >= k1 - k0 && idx.shape(1) >= 1,
            "idx must have shape (k1 - k0, batch)");
    auto ix = idx.unchecked<2>();
    for (py::ssize_t i = 0; i < k1 - k0; ++i)
      for (py::ssize_t j = 0; j < ix.shape(1); ++j)
        require(ix(i, j) >= 0 && ix(i, j) < m.n, "idx: sample index out of range");
    r.idx = idx.data();
    r.batch = idx.shape(1);
  }
  if (noise.size() > 0) {
    require(noise.ndim() == 2 && noise.shape(0) >= k1 - k0 && noise.shape(1) == m.d,
            "noise must have shape (k1 - k0, d)");
    r.noise = noise.data();
    if (method == pyoptheory::ZO_GAUSS && k1 > k0) {  // q directions per step: (k1 - k0) q rows
      require(noise.shape(0) % (k1 - k0) == 0, "noise: the gradient-free step needs (k1 - k0) q direction rows");
      r.directions = noise.shape(0) / (k1 - k0);
    }
    require(method != pyoptheory::ZO_ACCEL || noise.shape(0) == k1 - k0,
            "noise: the accelerated gradient-free step takes one direction per step");
  }
  require(method != pyoptheory::ZO_CGE || eta > 0.0, "advance: the coordinate estimate needs smoothing > 0");
  require((method != pyoptheory::ZO_GAUSS && method != pyoptheory::ZO_ACCEL) || (r.noise != nullptr && eta > 0.0),
          "advance: the gradient-free step needs Gaussian directions (noise of shape (k1 - k0, d)) and smoothing > 0");
  int status;
  {
    py::gil_scoped_release release;
    status = pyoptheory::advance(m, method, r, k0, k1, n_threads);
  }
  return status;
}

py::tuple evaluate(const PyLinearModel& pm, darr x, darr grad, int n_threads) {
  const LinearModel& m = pm.m;
  require(x.ndim() == 1 && x.shape(0) == m.d, "x must be a float64 vector of length d");
  double* g = vec(grad, m.d, "grad");
  double f, r;
  {
    py::gil_scoped_release release;
    f = m.value_grad(x.data(), g, n_threads);
    r = m.reg_value(x.data());
  }
  return py::make_tuple(f, r);
}

darr prox(const PyLinearModel& pm, darr y, double step) {
  const LinearModel& m = pm.m;
  require(y.ndim() == 1 && y.shape(0) == m.d, "y must be a float64 vector of length d");
  darr out(m.d);
  m.prox(y.data(), step, out.mutable_data());
  return out;
}

py::tuple sinkhorn_log(darr C, darr a, darr b, double reg, darr f, darr g, int64_t iters, double tol, int n_threads) {
  require(C.ndim() == 2, "C must be a 2-d float64 array");
  const int64_t n = C.shape(0), m = C.shape(1);
  require(a.ndim() == 1 && a.shape(0) == n && b.ndim() == 1 && b.shape(0) == m, "a, b must match the shape of C");
  require(reg > 0.0 && std::isfinite(reg), "reg must be positive");
  double* fp = vec(f, n, "f");
  double* gp = vec(g, m, "g");
  pyoptheory::OTProblem p{C.data(), n, m, a.data(), b.data(), reg};
  double err[2] = {0.0, 0.0};
  int64_t done;
  {
    py::gil_scoped_release release;
    done = pyoptheory::sinkhorn_log(p, fp, gp, iters, tol, err, n_threads);
  }
  return py::make_tuple(done, err[0], err[1] != 0.0);
}

py::tuple sinkhorn_row_error(darr C, darr a, darr b, double reg, darr f, darr g, int n_threads) {
  require(C.ndim() == 2 && a.ndim() == 1 && a.shape(0) == C.shape(0) && b.ndim() == 1 && b.shape(0) == C.shape(1) &&
              f.ndim() == 1 && f.shape(0) == C.shape(0) && g.ndim() == 1 && g.shape(0) == C.shape(1),
          "sinkhorn_row_error: inconsistent shapes");
  pyoptheory::OTProblem p{C.data(), C.shape(0), C.shape(1), a.data(), b.data(), reg};
  double err, mass = 0.0;
  {
    py::gil_scoped_release release;
    err = pyoptheory::sinkhorn_row_update(p, const_cast<double*>(f.data()), g.data(), n_threads, false, &mass);
  }
  return py::make_tuple(err, mass);
}

py::tuple sinkhorn_scaling(darr K, darr a, darr b, darr u, darr v, int64_t iters, double tol, int n_threads) {
  require(K.ndim() == 2, "K must be a 2-d float64 array");
  const int64_t n = K.shape(0), m = K.shape(1);
  require(a.ndim() == 1 && a.shape(0) == n && b.ndim() == 1 && b.shape(0) == m, "a, b must match the shape of K");
  double* up = vec(u, n, "u");
  double* vp = vec(v, m, "v");
  double err[2] = {0.0, 0.0};
  int64_t done;
  {
    py::gil_scoped_release release;
    done = pyoptheory::sinkhorn_scaling(K.data(), n, m, a.data(), b.data(), up, vp, iters, tol, err, n_threads);
  }
  return py::make_tuple(done, err[0], err[1] != 0.0);
}

py::tuple sinkhorn_stabilized(darr C, darr a, darr b, double reg, darr f, darr g, darr Kt, darr u, darr v,
                              bool kernel_ready, int64_t iters, double tol, double bound, int n_threads) {
  require(C.ndim() == 2, "C must be a 2-d float64 array");
  const int64_t n = C.shape(0), m = C.shape(1);
  require(a.ndim() == 1 && a.shape(0) == n && b.ndim() == 1 && b.shape(0) == m, "a, b must match the shape of C");
  require(reg > 0.0 && std::isfinite(reg), "reg must be positive");
  require(bound > 1.0, "bound must exceed 1");
  require(Kt.ndim() == 2 && Kt.shape(0) == n && Kt.shape(1) == m && (Kt.flags() & py::array::c_style),
          "Kt must be a C-contiguous float64 array shaped like C");
  double* fp = vec(f, n, "f");
  double* gp = vec(g, m, "g");
  double* up = vec(u, n, "u");
  double* vp = vec(v, m, "v");
  double* kp = Kt.mutable_data();
  pyoptheory::OTProblem p{C.data(), n, m, a.data(), b.data(), reg};
  double info[4] = {0.0, 0.0, 0.0, 0.0};
  int64_t done;
  {
    py::gil_scoped_release release;
    done = pyoptheory::sinkhorn_stabilized(p, fp, gp, kp, up, vp, kernel_ready, iters, tol, bound, info, n_threads);
  }
  return py::make_tuple(done, info[0], info[1] != 0.0, static_cast<int64_t>(info[2]), static_cast<int64_t>(info[3]));
}

py::tuple scaling_row_error(darr K, darr a, darr u, darr v, int n_threads) {
  require(K.ndim() == 2 && a.ndim() == 1 && a.shape(0) == K.shape(0) && u.ndim() == 1 && u.shape(0) == K.shape(0) &&
              v.ndim() == 1 && v.shape(0) == K.shape(1),
          "scaling_row_error: inconsistent shapes");
  double total = 0.0, err;
  {
    py::gil_scoped_release release;
    err = pyoptheory::scaling_row_error(K.data(), K.shape(0), K.shape(1), a.data(), u.data(), v.data(), n_threads,
                                        &total);
  }
  return py::make_tuple(err, total);
}

void sinkhorn_plan(darr C, darr f, darr g, double reg, darr out, int n_threads) {
  require(C.ndim() == 2, "C must be a 2-d float64 array");
  const int64_t n = C.shape(0), m = C.shape(1);
  require(f.ndim() == 1 && f.shape(0) == n && g.ndim() == 1 && g.shape(0) == m, "f, g must match the shape of C");
  require(reg > 0.0 && std::isfinite(reg), "reg must be positive");
  require(out.ndim() == 2 && out.shape(0) == n && out.shape(1) == m && (out.flags() & py::array::c_style),
          "out must be a C-contiguous float64 array shaped like C");
  pyoptheory::OTProblem p{C.data(), n, m, nullptr, nullptr, reg};
  double* op = out.mutable_data();
  py::gil_scoped_release release;
  pyoptheory::build_kernel(p, f.data(), g.data(), op, n_threads);
}

// Checks shared by the SNS entry points; returns the problem (C, a, b must stay alive).
pyoptheory::OTProblem sns_problem(const darr& C, const darr& a, const darr& b, double reg, const darr& f,
                                  const darr& g, double sparsity, int n_threads) {
  require(C.ndim() == 2 && C.shape(0) >= 1 && C.shape(1) >= 1, "C must be a non-empty 2-d float64 array");
  const int64_t n = C.shape(0), m = C.shape(1);
  require(a.ndim() == 1 && a.shape(0) == n, "a must have shape (n,) for C of shape (n, m)");
  require(b.ndim() == 1 && b.shape(0) == m, "b must have shape (m,) for C of shape (n, m)");
  require(f.ndim() == 1 && f.shape(0) == n, "f must be a float64 vector of shape (n,)");
  require(g.ndim() == 1 && g.shape(0) == m, "g must be a float64 vector of shape (m,)");
  require(reg > 0.0 && std::isfinite(reg), "reg must be positive and finite");
  require(sparsity > 0.0 && sparsity <= 1.0, "sparsity must be in (0, 1]");
  require(n_threads >= 1, "n_threads must be at least 1");
  auto all_finite = [](const darr& x) {
    const double* d = x.data();
    for (py::ssize_t k = 0; k < x.size(); ++k)
      if (!std::isfinite(d[k])) return false;
    return true;
  };
  require(all_finite(C), "C must be finite");
  require(all_finite(f) && all_finite(g), "f, g must be finite");
  for (int64_t i = 0; i < n; ++i)
    require(a.data()[i] > 0.0 && std::isfinite(a.data()[i]),
            "a: the Newton stage needs positive finite marginals (drop zero-mass bins first)");
  for (int64_t j = 0; j < m; ++j)
    require(b.data()[j] > 0.0 && std::isfinite(b.data()[j]),
            "b: the Newton stage needs positive finite marginals (drop zero-mass bins first)");
  return pyoptheory::OTProblem{C.data(), n, m, a.data(), b.data(), reg};
}

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
  py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
  if (!v.empty()) std::memcpy(out.mutable_data(), v.data(), v.size() * sizeof(T));
  return out;
}

py::dict sns_newton(darr C, darr a, darr b, double reg, darr f, darr g, int64_t steps, double tol, double sparsity,
                    double cg_tol, int n_threads) {
  const pyoptheory::OTProblem p = sns_problem(C, a, b, reg, f, g, sparsity, n_threads);
  require(f.writeable() && g.writeable(), "f, g must be writeable");
  require(steps >= 0, "steps must be nonnegative");
  require(tol >= 0.0, "tol must be nonnegative");
  require(cg_tol >= 0.0 && std::isfinite(cg_tol), "cg_tol must be nonnegative and finite");
  pyoptheory::SNSLog log;
  int64_t done;
  {
    py::gil_scoped_release release;
    done = pyoptheory::sns_newton(p, f.mutable_data(), g.mutable_data(), steps, tol, sparsity, cg_tol, n_threads, log);
  }
  py::dict out;
  out["steps"] = done;
  out["marginal_err"] = log.err_final;
  out["fun"] = log.fun_final;
  out["total"] = log.total;
  out["status"] = log.status;
  double worst = 0.0;
  int64_t iters = 0;
  for (size_t s = 0; s < log.cg_residual.size(); ++s) {
    worst = std::max(worst, log.cg_residual[s]);
    iters += log.cg_iters[s];
  }
  out["cg_residual"] = worst;
  out["cg_iters"] = iters;
  out["alpha"] = log.alpha.empty() ? std::nan("") : log.alpha.back();
  out["nnz"] = log.nnz;
  out["step_err"] = to_numpy(log.err);
  out["step_fun"] = to_numpy(log.fun);
  out["step_time"] = to_numpy(log.time);
  out["step_alpha"] = to_numpy(log.alpha);
  out["step_cg_residual"] = to_numpy(log.cg_residual);
  out["step_cg_iters"] = to_numpy(log.cg_iters);
  return out;
}

// The selection of one Newton step as CSR (indptr, indices, data) and the number of histogram passes, for tests.
py::tuple sns_sparsify(darr C, darr a, darr b, double reg, darr f, darr g, double sparsity, int n_threads) {
  const pyoptheory::OTProblem p = sns_problem(C, a, b, reg, f, g, sparsity, n_threads);
  pyoptheory::SNSPlanSums s;
  pyoptheory::SNSSparse sp;
  int passes = 0;
  {
    py::gil_scoped_release release;
    pyoptheory::sns_plan_sums(p, f.data(), g.data(), s, n_threads);
    if (std::isfinite(s.zmin) && std::isfinite(s.zmax))
      passes = pyoptheory::sns_select(p, f.data(), g.data(), pyoptheory::sns_kept_count(sparsity, p.n, p.m), s.zmin,
                                      s.zmax, sp, n_threads);
  }
  require(std::isfinite(s.zmin) && std::isfinite(s.zmax), "sns_sparsify: the exponents (f + g - C)/reg overflow");
  return py::make_tuple(to_numpy(sp.rowptr), to_numpy(sp.col), to_numpy(sp.val), passes);
}

// The coordinate-descent model: owns copies of its arrays (the kernel keeps raw pointers).
struct PyBcdModel {
  iarr indptr, indices;
  darr data, c, diag, lo, hi;
  pyoptheory::BcdModel m;
};

PyBcdModel make_bcd(iarr indptr, iarr indices, darr data, darr c, darr diag, int reg, double lam, darr lo, darr hi,
                    int rule, double L_common, bool heap) {
  const int64_t d = c.ndim() == 1 ? c.shape(0) : -1;
  require(d >= 1, "c must be a nonempty float64 vector");
  require(indptr.ndim() == 1 && indptr.shape(0) == d + 1, "indptr must have length d + 1");
  require(diag.ndim() == 1 && diag.shape(0) == d && lo.ndim() == 1 && lo.shape(0) == d && hi.ndim() == 1 &&
              hi.shape(0) == d,
          "diag, lo, hi must have length d");
  const int64_t* ip = indptr.data();
  require(ip[0] == 0 && indices.ndim() == 1 && data.ndim() == 1 && indices.shape(0) == ip[d] &&
              data.shape(0) == ip[d],
          "indices and data must have indptr[-1] entries");
  for (int64_t i = 0; i < d; ++i) require(ip[i] <= ip[i + 1], "indptr must be nondecreasing");
  for (int64_t p = 0; p < ip[d]; ++p) require(indices.data()[p] >= 0 && indices.data()[p] < d, "indices out of range");
  for (int64_t i = 0; i < d; ++i) require(diag.data()[i] > 0.0 && std::isfinite(diag.data()[i]), "diag must be positive");
  require(reg >= 0 && reg <= 2 && rule >= 0 && rule <= 5, "unknown regularizer or rule code");
  PyBcdModel pm{indptr, indices, data, c, diag, lo, hi, {}};
  pm.m = pyoptheory::BcdModel{d, pm.indptr.data(), pm.indices.data(), pm.data.data(), pm.c.data(), pm.diag.data(),
                              reg, lam, pm.lo.data(), pm.hi.data(), rule, L_common, heap};
  return pm;
}

py::tuple bcd_advance(const PyBcdModel& pm, darr x, darr grad, int64_t k0, int64_t k1, iarr given, iarr selected,
                      double support_change) {
  const pyoptheory::BcdModel& m = pm.m;
  require(k0 >= 0 && k1 >= k0, "need 0 <= k0 <= k1");
  double* xp = vec(x, m.d, "x");
  double* gp = vec(grad, m.d, "grad");
  require(selected.ndim() == 1 && selected.shape(0) == k1 - k0 && selected.writeable(),
          "selected must be a writeable int64 vector of length k1 - k0");
  if (m.rule == pyoptheory::BCD_GIVEN) {
    require(given.ndim() == 1 && given.shape(0) == k1 - k0, "given must have length k1 - k0");
    for (int64_t t = 0; t < k1 - k0; ++t) require(given.data()[t] >= 0 && given.data()[t] < m.d, "given out of range");
  }
  int64_t fail_at = -1;
  int status;
  {
    py::gil_scoped_release release;
    status = pyoptheory::bcd_advance(m, xp, gp, k0, k1, given.data(), selected.mutable_data(), &support_change,
                                     &fail_at);
  }
  return py::make_tuple(status, fail_at, support_change);
}

py::tuple bcd_variable_advance(const PyBcdModel& pm, int64_t tau, bool gsl, bool matrix, darr x, darr grad, int64_t k0,
                               int64_t k1, iarr selected, double support_change, int64_t iht_steps) {
  const pyoptheory::BcdModel& m = pm.m;
  require(tau >= 1 && tau <= m.d, "tau must be in [1, d]");
  require(iht_steps >= 0, "iht_steps must be nonnegative");
  require(k0 >= 0 && k1 >= k0, "need 0 <= k0 <= k1");
  double* xp = vec(x, m.d, "x");
  double* gp = vec(grad, m.d, "grad");
  require(selected.ndim() == 1 && selected.shape(0) == k1 - k0 && selected.writeable(),
          "selected must be a writeable int64 vector of length k1 - k0");
  int64_t fail_at = -1;
  int status;
  {
    py::gil_scoped_release release;
    status = pyoptheory::bcd_variable_advance(m, tau, gsl, matrix, xp, gp, k0, k1, selected.mutable_data(),
                                              &support_change, &fail_at, iht_steps);
  }
  return py::make_tuple(status, fail_at, support_change);
}

struct PyBcdGlm {
  iarr colptr, rowidx;
  darr vals, y;
  pyoptheory::BcdGlm G;
};

PyBcdGlm make_bcd_glm(iarr colptr, iarr rowidx, darr vals, darr y, double w, double l2, int loss, int64_t K) {
  const int64_t d = colptr.ndim() == 1 ? colptr.shape(0) - 1 : -1, n = y.ndim() == 1 ? y.shape(0) : -1;
  require(d >= 1 && n >= 1, "colptr must have length d + 1 >= 2 and y length n >= 1");
  const int64_t* cp = colptr.data();
  require(cp[0] == 0 && rowidx.ndim() == 1 && vals.ndim() == 1 && rowidx.shape(0) == cp[d] && vals.shape(0) == cp[d],
          "rowidx and vals must have colptr[-1] entries");
  for (int64_t j = 0; j < d; ++j) require(cp[j] <= cp[j + 1], "colptr must be nondecreasing");
  for (int64_t p = 0; p < cp[d]; ++p) require(rowidx.data()[p] >= 0 && rowidx.data()[p] < n, "rowidx out of range");
  require(w > 0.0 && l2 >= 0.0, "w must be positive and l2 nonnegative");
  require(loss >= 0 && loss <= 2, "loss must be 0 (logistic), 1 (squared) or 2 (softmax)");
  require(K >= 1 && (loss == 2 || K == 1), "K must be 1, or the number of classes for softmax");
  if (loss == 2)
    for (int64_t i = 0; i < n; ++i)
      require(y.data()[i] >= 0 && y.data()[i] < K && y.data()[i] == std::floor(y.data()[i]),
              "softmax labels must be integers in [0, K)");
  PyBcdGlm pg{colptr, rowidx, vals, y, {}};
  pg.G = pyoptheory::BcdGlm{n, d, pg.colptr.data(), pg.rowidx.data(), pg.vals.data(), pg.y.data(), w, l2, loss, K};
  return pg;
}

py::tuple bcd_glm_advance(const PyBcdGlm& pg, const PyBcdModel& pm, darr x, darr z, int64_t k0, int64_t k1, iarr given,
                          iarr selected, double support_change) {
  const pyoptheory::BcdModel& m = pm.m;
  const pyoptheory::BcdGlm& G = pg.G;
  require(m.d == G.d * G.K, "the model and the data have different dimensions");
  require(m.rule == pyoptheory::BCD_CYCLIC || m.rule == pyoptheory::BCD_GIVEN || m.rule == pyoptheory::BCD_GS ||
              m.rule == pyoptheory::BCD_GSL,
          "GLM coordinate descent takes cyclic, given, GS or GSL");
  require(k0 >= 0 && k1 >= k0, "need 0 <= k0 <= k1");
  double* xp = vec(x, G.d * G.K, "x");
  double* zp = vec(z, G.n * G.K, "z");
  require(selected.ndim() == 1 && selected.shape(0) == k1 - k0 && selected.writeable(),
          "selected must be a writeable int64 vector of length k1 - k0");
  if (m.rule == pyoptheory::BCD_GIVEN) {
    require(given.ndim() == 1 && given.shape(0) == k1 - k0, "given must have length k1 - k0");
    for (int64_t t = 0; t < k1 - k0; ++t) require(given.data()[t] >= 0 && given.data()[t] < G.d * G.K, "given out of range");
  }
  int64_t fail_at = -1;
  int status;
  {
    py::gil_scoped_release release;
    status = pyoptheory::bcd_glm_advance(m, G, xp, zp, k0, k1, given.data(), selected.mutable_data(), &support_change,
                                         &fail_at);
  }
  return py::make_tuple(status, fail_at, support_change);
}

struct PyBcdForest {
  iarr bptr, bidx, parent;
  darr weight;
  pyoptheory::BcdForest F;
};

PyBcdForest make_bcd_forest(iarr bptr, iarr bidx, iarr parent, darr weight, int rule) {
  require(bptr.ndim() == 1 && bptr.shape(0) >= 2, "bptr must have length nb + 1 >= 2");
  const int64_t nb = bptr.shape(0) - 1, d = bidx.ndim() == 1 ? bidx.shape(0) : -1;
  const int64_t* bp = bptr.data();
  require(bp[0] == 0 && bp[nb] == d, "bptr must start at 0 and end at len(bidx)");
  require(parent.ndim() == 1 && parent.shape(0) == d && weight.ndim() == 1 && weight.shape(0) == d,
          "parent and weight must have length d");
  std::vector<char> seen(static_cast<size_t>(std::max<int64_t>(d, 0)), 0);
  for (int64_t b = 0; b < nb; ++b) {
    require(bp[b] < bp[b + 1], "blocks must be nonempty");
    for (int64_t t = bp[b]; t < bp[b + 1]; ++t) {
      const int64_t i = bidx.data()[t], q = parent.data()[t];
      require(i >= 0 && i < d && !seen[i], "bidx must list every coordinate exactly once");
      seen[i] = 1;
      require(q == -1 || (q > t - bp[b] && q < bp[b + 1] - bp[b]), "parent must come later in its block");
    }
  }
  require(rule == 0 || rule == 1 || rule == 2 || rule == 5, "forest blocks take cyclic, given, gs or gsq");
  PyBcdForest pf{bptr, bidx, parent, weight, {}};
  pf.F = pyoptheory::BcdForest{nb, pf.bptr.data(), pf.bidx.data(), pf.parent.data(), pf.weight.data(), rule};
  return pf;
}

py::tuple bcd_forest_advance(const PyBcdForest& pf, const PyBcdModel& pm, darr x, darr grad, int64_t k0, int64_t k1,
                             iarr given, iarr selected, double support_change) {
  const pyoptheory::BcdModel& m = pm.m;
  const pyoptheory::BcdForest& F = pf.F;
  require(k0 >= 0 && k1 >= k0, "need 0 <= k0 <= k1");
  require(pf.bidx.shape(0) == m.d, "the blocks do not partition the model's coordinates");
  double* xp = vec(x, m.d, "x");
  double* gp = vec(grad, m.d, "grad");
  require(selected.ndim() == 1 && selected.shape(0) == k1 - k0 && selected.writeable(),
          "selected must be a writeable int64 vector of length k1 - k0");
  if (F.rule == pyoptheory::BB_GIVEN) {
    require(given.ndim() == 1 && given.shape(0) == k1 - k0, "given must have length k1 - k0");
    for (int64_t t = 0; t < k1 - k0; ++t) require(given.data()[t] >= 0 && given.data()[t] < F.nb, "given out of range");
  }
  int64_t fail_at = -1;
  int status;
  {
    py::gil_scoped_release release;
    status = pyoptheory::bcd_forest_advance(m, F, xp, gp, k0, k1, given.data(), selected.mutable_data(),
                                            &support_change, &fail_at);
  }
  return py::make_tuple(status, fail_at, support_change);
}

struct PyBcdBlocks {
  iarr bptr, bidx, choff;
  darr Lb, dvec, chol;
  pyoptheory::BcdBlocks B;
};

PyBcdBlocks make_bcd_blocks(iarr bptr, iarr bidx, darr Lb, darr dvec, darr chol, iarr choff, int rule, int update) {
  require(bptr.ndim() == 1 && bptr.shape(0) >= 2, "bptr must have length nb + 1 >= 2");
  const int64_t nb = bptr.shape(0) - 1, d = bidx.ndim() == 1 ? bidx.shape(0) : -1;
  const int64_t* bp = bptr.data();
  require(bp[0] == 0 && bp[nb] == d, "bptr must start at 0 and end at len(bidx)");
  std::vector<char> seen(static_cast<size_t>(std::max<int64_t>(d, 0)), 0);
  for (int64_t b = 0; b < nb; ++b) require(bp[b] < bp[b + 1], "blocks must be nonempty");
  for (int64_t t = 0; t < d; ++t) {
    const int64_t i = bidx.data()[t];
    require(i >= 0 && i < d && !seen[i], "bidx must list every coordinate exactly once");
    seen[i] = 1;
  }
  require(Lb.ndim() == 1 && Lb.shape(0) == nb && dvec.ndim() == 1 && dvec.shape(0) == d && choff.ndim() == 1 &&
              choff.shape(0) == nb,
          "Lb, choff must have length nb and dvec length d");
  int64_t need = 0;
  for (int64_t b = 0; b < nb; ++b) {
    const int64_t k = bp[b + 1] - bp[b];
    require(choff.data()[b] >= 0 && Lb.data()[b] > 0.0, "choff must be >= 0 and Lb > 0");
    need = std::max(need, choff.data()[b] + k * k);
  }
  require(chol.ndim() == 1 && chol.shape(0) >= need, "chol is too short for the blocks");
  for (int64_t i = 0; i < d; ++i) require(dvec.data()[i] > 0.0, "dvec must be positive");
  require(rule >= 0 && rule <= 7 && update >= 0 && update <= 4, "unknown block rule or update code");
  PyBcdBlocks pb{bptr, bidx, choff, Lb, dvec, chol, {}};
  pb.B = pyoptheory::BcdBlocks{nb, pb.bptr.data(), pb.bidx.data(), pb.Lb.data(), pb.dvec.data(), pb.chol.data(),
                               pb.choff.data(), rule, update};
  return pb;
}

py::tuple bcd_block_advance(const PyBcdBlocks& pb, const PyBcdModel& pm, darr x, darr grad, int64_t k0, int64_t k1,
                            iarr given, iarr selected, double support_change) {
  const pyoptheory::BcdModel& m = pm.m;
  const pyoptheory::BcdBlocks& B = pb.B;
  require(k0 >= 0 && k1 >= k0, "need 0 <= k0 <= k1");
  require(pb.bidx.shape(0) == m.d, "the blocks do not partition the model's coordinates");
  double* xp = vec(x, m.d, "x");
  double* gp = vec(grad, m.d, "grad");
  require(selected.ndim() == 1 && selected.shape(0) == k1 - k0 && selected.writeable(),
          "selected must be a writeable int64 vector of length k1 - k0");
  if (B.rule == pyoptheory::BB_GIVEN) {
    require(given.ndim() == 1 && given.shape(0) == k1 - k0, "given must have length k1 - k0");
    for (int64_t t = 0; t < k1 - k0; ++t) require(given.data()[t] >= 0 && given.data()[t] < B.nb, "given out of range");
  }
  int64_t fail_at = -1;
  int status;
  {
    py::gil_scoped_release release;
    status = pyoptheory::bcd_block_advance(m, B, xp, gp, k0, k1, given.data(), selected.mutable_data(),
                                           &support_change, &fail_at);
  }
  return py::make_tuple(status, fail_at, support_change);
}


// ---- particle methods (CBO, consensus hopping) and the counter-based random stream ----
using uarr = py::array_t<uint32_t, py::array::c_style>;

py::array_t<uint32_t> philox4x32(uarr counters, uint64_t seed) {
  require(counters.ndim() == 2 && counters.shape(1) == 4, "philox4x32: counters must have shape (n, 4)");
  const int64_t n = counters.shape(0);
  py::array_t<uint32_t> out({n, int64_t{4}});
  const pyoptheory::PhiloxKey key(seed);
  const uint32_t* c = counters.data();
  uint32_t* o = out.mutable_data();
  for (int64_t i = 0; i < n; ++i)
    pyoptheory::philox4x32_10(c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3], key.k0, key.k1, o + 4 * i);
  return out;
}

PYOPTHEORY_CLONES void philox_normals_into(uint64_t seed, int64_t first, int64_t n, int64_t step, int64_t tag,
                                            int64_t d, double* out) {
  const int64_t zlen = 2 * ((d + 1) / 2);
  std::vector<double> z(static_cast<size_t>(n * zlen));
  pyoptheory::NormalScratch scratch;
  pyoptheory::particles_normals(pyoptheory::PhiloxKey(seed), static_cast<uint32_t>(first), n,
                                static_cast<uint32_t>(step), static_cast<uint32_t>(tag), d, z.data(), scratch);
  for (int64_t i = 0; i < n; ++i) std::copy(z.begin() + i * zlen, z.begin() + i * zlen + d, out + i * d);
}

darr philox_normals(uint64_t seed, int64_t first, int64_t n, int64_t step, int64_t tag, int64_t d) {
  require(n >= 0 && d >= 1 && first >= 0 && step >= 0 && tag >= 0, "philox_normals: invalid arguments");
  require(first + n <= (int64_t{1} << 32) && step < (int64_t{1} << 32), "philox_normals: counter out of range");
  darr out({n, d});
  double* o = out.mutable_data();
  {
    py::gil_scoped_release release;
    philox_normals_into(seed, first, n, step, tag, d, o);
  }
  return out;
}

pyoptheory::Landscape make_landscape(int code, int64_t d, double param, double offset, darr shift, darr rot) {
  require(code >= pyoptheory::LS_USER && code <= pyoptheory::LS_CANYON, "landscape: unknown code");
  require(code != pyoptheory::LS_CANYON || d == 2, "landscape: the canyon is two-dimensional");
  pyoptheory::Landscape L;
  L.code = code;
  L.d = d;
  L.param = param;
  L.offset = offset;
  if (shift.size() > 0) {
    require(shift.ndim() == 1 && shift.shape(0) == d, "landscape: shift must have shape (d,)");
    L.shift = shift.data();
  }
  if (rot.size() > 0) {
    require(rot.ndim() == 2 && rot.shape(0) == d && rot.shape(1) == d, "landscape: rotation must have shape (d, d)");
    L.rot = rot.data();
  }
  return L;
}

darr landscape_values(int code, double param, double offset, darr shift, darr rot, darr X, int n_threads) {
  require(X.ndim() == 2, "landscape_values: X must have shape (n, d)");
  const int64_t n = X.shape(0), d = X.shape(1);
  const pyoptheory::Landscape L = make_landscape(code, d, param, offset, shift, rot);
  require(L.code != pyoptheory::LS_USER, "landscape_values: a built-in landscape is required");
  darr F(n);
  {
    py::gil_scoped_release release;
    pyoptheory::landscape_values(L, X.data(), n, F.mutable_data(), n_threads);
  }
  return F;
}

py::tuple cbo_steps(darr X, darr F, darr alpha, int code, double param, double offset, darr shift, darr rot,
                    double drift, double noise_std, double dt, int move, int64_t batch, int schedule, double factor,
                    double alpha_max, double ess_eta, uint64_t seed, int64_t k0, int64_t k1, int n_threads,
                    iarr run_fail, iarr run_code) {
  require(X.ndim() == 3 && X.shape(0) >= 1 && X.shape(1) >= 2 && X.shape(2) >= 1,
          "cbo_steps: X must have shape (M, N, d) with N >= 2");
  const int64_t M = X.shape(0), N = X.shape(1), d = X.shape(2);
  require(F.ndim() == 2 && F.shape(0) == M && F.shape(1) == N, "cbo_steps: F must have shape (M, N)");
  require(alpha.ndim() == 1 && alpha.shape(0) == M, "cbo_steps: alpha must have shape (M,)");
  require(move >= 0 && move <= 2 && schedule >= 0 && schedule <= 2, "cbo_steps: unknown move or schedule");
  require(k0 >= 0 && k1 >= k0 && k1 < (int64_t{1} << 32) && M * N < (int64_t{1} << 32),
          "cbo_steps: step or particle counter out of range");
  require(n_threads >= 1, "cbo_steps: n_threads must be positive");
  require(run_fail.ndim() == 1 && run_fail.shape(0) == M && run_code.ndim() == 1 && run_code.shape(0) == M,
          "cbo_steps: run_fail and run_code must have shape (M,)");
  const pyoptheory::Landscape L = make_landscape(code, d, param, offset, shift, rot);
  pyoptheory::CboConfig c;
  c.M = M;
  c.N = N;
  c.d = d;
  c.drift = drift;
  c.noise_std = noise_std;
  c.dt = dt;
  c.move = move;
  c.batch = batch;
  c.schedule = schedule;
  c.factor = factor;
  c.alpha_max = alpha_max;
  c.ess_eta = ess_eta;
  c.seed = seed;
  int64_t excluded = 0, evals;
  pyoptheory::CboWork work;
  {
    py::gil_scoped_release release;
    evals = pyoptheory::cbo_steps(c, L, X.mutable_data(), F.mutable_data(), alpha.mutable_data(), k0, k1, n_threads,
                                  work, run_fail.mutable_data(), run_code.mutable_data(), &excluded);
  }
  return py::make_tuple(evals, excluded);
}


// ---- online learning ----
int64_t online_rounds(int loss, int regime, darr mean, double noise, int64_t period, double omega, double radius,
                      int domain, uint64_t seed, int learner, int rule, double value, double delta, double G, double D, int64_t T,
                      darr x, darr xhat, darr M, darr Gsum, darr Y, darr C, darr scal, darr A, int64_t t0,
                      int64_t t1) {
  const int64_t d = mean.size();
  require(mean.ndim() == 1 && d >= 1, "online_rounds: mean must be a nonempty vector");
  for (const darr* a : {&x, &xhat, &M, &Gsum, &Y, &C})
    require(a->ndim() == 1 && a->shape(0) == d, "online_rounds: state arrays must have shape (d,)");
  require(scal.ndim() == 1 && scal.shape(0) >= 7, "online_rounds: scal must have 7 entries");
  require(A.ndim() == 2 && A.shape(0) == d && A.shape(1) == d, "online_rounds: A must have shape (d, d)");
  require(loss >= 0 && loss <= 1 && regime >= 0 && regime <= 2 && learner >= 0 && learner <= 4 && rule >= 0 &&
              rule <= 4, "online_rounds: unknown code");
  require(regime != 2 || d >= 2, "online_rounds: the drift regime needs d >= 2");
  require(learner < 3 || domain == 0, "online_rounds: the online Newton step runs on the ball");
  require(domain == 0 || domain == 2 || (domain == 1 && loss == 0 && d >= 2),
          "online_rounds: unknown domain, or the simplex with losses that are not linear");
  require(period >= 1 && radius > 0 && t0 >= 0 && t1 >= t0 && t1 < (int64_t{1} << 32) && T >= 1,
          "online_rounds: invalid arguments");
  pyoptheory::SeaEnv e;
  e.d = d;
  e.loss = loss;
  e.regime = regime;
  e.mean = mean.data();
  e.noise = noise;
  e.period = period;
  e.omega = omega;
  e.radius = radius;
  e.seed = seed;
  e.domain = domain;
  pyoptheory::OnlineState st{x.mutable_data(), xhat.mutable_data(), M.mutable_data(), Gsum.mutable_data(),
                             Y.mutable_data(), C.mutable_data(), scal.mutable_data(), A.mutable_data()};
  int64_t fail;
  {
    py::gil_scoped_release release;
    fail = pyoptheory::online_rounds(e, learner, rule, value, delta, G, D, T, st, t0, t1);
  }
  return fail;
}

// --- coordinate descent for fractional programs ------------------------------------------------------
py::tuple fractional_advance(darr A, darr a, darr B, darr b, darr lo, darr hi, double lam, double theta, darr x,
                             darr u, darr v, darr scal, iarr order, iarr selected) {
  const int64_t d = a.ndim() == 1 ? a.shape(0) : -1;
  require(d >= 1, "fractional_advance: a must be a nonempty vector");
  require(A.ndim() == 2 && A.shape(0) == d && A.shape(1) == d && B.ndim() == 2 && B.shape(0) == d &&
              B.shape(1) == d, "fractional_advance: A and B must have shape (d, d)");
  for (const darr* w : {&b, &lo, &hi})
    require(w->ndim() == 1 && w->shape(0) == d, "fractional_advance: b, lo, hi must have shape (d,)");
  double* xp = vec(x, d, "x");
  double* up = vec(u, d, "u");
  double* vp = vec(v, d, "v");
  require(scal.ndim() == 1 && scal.shape(0) == 3 && scal.writeable(), "scal must be a writeable vector of length 3");
  require(lam >= 0.0 && theta >= 0.0, "lam and theta must be nonnegative");
  const int64_t m = order.ndim() == 1 ? order.shape(0) : -1;
  require(m >= 0 && selected.ndim() == 1 && selected.shape(0) == m && selected.writeable(),
          "order and selected must be int64 vectors of the same length (selected writeable)");
  for (int64_t k = 0; k < m; ++k) require(order.data()[k] >= 0 && order.data()[k] < d, "order out of range");
  for (int64_t i = 0; i < d; ++i) require(lo.data()[i] <= hi.data()[i], "lo must not exceed hi");
  const pyoptheory::fractional::Program P{d, A.data(), a.data(), B.data(), b.data(), lo.data(), hi.data(), lam, theta};
  int status;
  int64_t k_fail;
  {
    py::gil_scoped_release release;
    status = pyoptheory::fractional::advance(P, xp, up, vp, scal.mutable_data(), order.data(), m,
                                             selected.mutable_data(), &k_fail);
  }
  return py::make_tuple(status, k_fail);
}

py::tuple fractional_line_min(double xi, double lo, double hi, double gN, double Aii, double N0, double lam, double gD,
                              double Bii, double D0, double theta) {
  require(lo <= xi && xi <= hi && lam >= 0.0 && theta >= 0.0, "fractional_line_min: need lo <= xi <= hi, lam, theta >= 0");
  const pyoptheory::fractional::Line L{xi, lo, hi, gN, Aii, N0, lam, gD, Bii, D0, theta};
  double z, val;
  const int status = pyoptheory::fractional::line_min(L, &z, &val);
  return py::make_tuple(z, val, status);
}

// --- bilevel penalty methods --------------------------------------------------------------------------
struct PyBilevel {
  py::list keep;
  pyoptheory::bilevel::Problem P;
};

const double* keep_mat(py::list& keep, darr a, int64_t r, int64_t c, const char* name) {
  require(a.ndim() == 2 && a.shape(0) == r && a.shape(1) == c, std::string(name) + " has the wrong shape");
  keep.append(a);
  return a.data();
}

const double* keep_vec(py::list& keep, darr a, int64_t n, const char* name) {
  require(a.ndim() == 1 && a.shape(0) == n, std::string(name) + " has the wrong length");
  keep.append(a);
  return a.data();
}

PyBilevel make_bilevel(int kind, int64_t dx, int64_t dy, py::tuple arrays, double rho, double noise, darr xlo, darr xhi,
                       darr ylo, darr yhi, double lmax_t) {
  require(kind >= 0 && kind <= 2 && dx >= 1 && dy >= 1, "Bilevel: unknown kind or empty dimensions");
  PyBilevel pb;
  auto& P = pb.P;
  P.kind = kind;
  P.dx = dx;
  P.dy = dy;
  P.xlo = keep_vec(pb.keep, xlo, dx, "xlo");
  P.xhi = keep_vec(pb.keep, xhi, dx, "xhi");
  P.ylo = keep_vec(pb.keep, ylo, dy, "ylo");
  P.yhi = keep_vec(pb.keep, yhi, dy, "yhi");
  if (kind == pyoptheory::bilevel::QUADRATIC) {
    require(arrays.size() == 2, "Bilevel: the quadratic takes (B, b)");
    P.B = keep_mat(pb.keep, arrays[0].cast<darr>(), dy, dx, "B");
    P.b = keep_vec(pb.keep, arrays[1].cast<darr>(), dy, "b");
    P.rho = rho;
    P.noise = noise;
  } else if (kind == pyoptheory::bilevel::RIDGE) {
    require(arrays.size() == 8 && dx == dy, "Bilevel: ridge takes (A, t, Av, tv, Gt, ct, Gv, cv) and dx == dy");
    darr A = arrays[0].cast<darr>(), Av = arrays[2].cast<darr>();
    require(A.ndim() == 2 && Av.ndim() == 2, "Bilevel: A and Av must be matrices");
    P.n = A.shape(0);
    P.m = Av.shape(0);
    P.A = keep_mat(pb.keep, A, P.n, dy, "A");
    P.t = keep_vec(pb.keep, arrays[1].cast<darr>(), P.n, "t");
    P.Av = keep_mat(pb.keep, Av, P.m, dy, "Av");
    P.tv = keep_vec(pb.keep, arrays[3].cast<darr>(), P.m, "tv");
    P.Gt = keep_mat(pb.keep, arrays[4].cast<darr>(), dy, dy, "Gt");
    P.ct = keep_vec(pb.keep, arrays[5].cast<darr>(), dy, "ct");
    P.Gv = keep_mat(pb.keep, arrays[6].cast<darr>(), dy, dy, "Gv");
    P.cv = keep_vec(pb.keep, arrays[7].cast<darr>(), dy, "cv");
    require(lmax_t >= 0.0, "Bilevel: lmax_t must be lambda_max(A^T A / n) >= 0");
    P.lmax_t = lmax_t;
  } else {
    require(dx == 1 && dy == 1, "Bilevel: the toy is one-dimensional");
  }
  return pb;
}

pyoptheory::bilevel::Draws make_draws(const PyBilevel& pb, iarr rows, iarr ptr, darr eps, darr batch, int64_t calls) {
  pyoptheory::bilevel::Draws D;
  if (rows.size() > 0) {
    require(pb.P.kind == pyoptheory::bilevel::RIDGE, "rows are drawn for finite sums only");
    require(ptr.ndim() == 1 && ptr.shape(0) == calls + 1 && ptr.data()[0] == 0 && ptr.data()[calls] == rows.size(),
            "ptr must have one entry per call plus one, from 0 to len(rows)");
    for (int64_t c = 0; c < calls; ++c) require(ptr.data()[c] <= ptr.data()[c + 1], "ptr must be nondecreasing");
    for (int64_t c = 0; c < calls; ++c)
      for (int64_t q = ptr.data()[c]; q < ptr.data()[c + 1]; ++q) {
        // even calls may be of either level: bound by the larger data set, the level's own bound checked below
        require(rows.data()[q] >= 0 && rows.data()[q] < std::max(pb.P.n, pb.P.m), "rows out of range");
      }
    D.rows = rows.data();
    D.ptr = ptr.data();
    D.has_rows = true;
  }
  if (eps.size() > 0) {
    require(eps.ndim() == 2 && eps.shape(0) == calls && eps.shape(1) == pb.P.dx + pb.P.dy,
            "eps must have shape (calls, dx + dy)");
    require(batch.ndim() == 1 && batch.shape(0) == calls, "batch must have one entry per call");
    D.eps = eps.data();
    D.batch = batch.data();
    D.has_eps = true;
  }
  return D;
}

// Each sampled row must lie in its call's data set: the level of call c is fixed by the method's order of
// oracle calls (levels_per, one period per iteration; 0 = f on the validation rows, 1 = g on the training rows).
void check_rows_levels(const PyBilevel& pb, const pyoptheory::bilevel::Draws& D, const std::vector<int>& levels_per,
                       int64_t calls) {
  if (!D.has_rows) return;
  const int64_t per = static_cast<int64_t>(levels_per.size());
  for (int64_t c = 0; c < calls; ++c) {
    const int64_t bound = levels_per[c % per] == 0 ? pb.P.m : pb.P.n;
    for (int64_t q = D.ptr[c]; q < D.ptr[c + 1]; ++q) require(D.rows[q] < bound, "rows out of range for the level");
  }
}

int64_t bilevel_double_loop(const PyBilevel& pb, darr x, darr y, darr z, darr sig, darr alpha, darr beta_y, double beta_z,
                            int64_t T, int64_t k0, int64_t k1, iarr rows, iarr ptr, darr eps, darr batch, bool local,
                            double l_f) {
  const auto& P = pb.P;
  require(T >= 1 && k1 >= k0 && beta_z > 0.0, "T >= 1, k1 >= k0 and beta_z > 0 required");
  const int64_t m = k1 - k0, calls = m * (3 * T + 2);
  for (const darr* a : {&sig, &alpha, &beta_y}) require(a->ndim() == 1 && a->shape(0) == m, "schedules must have k1 - k0 entries");
  for (int64_t k = 0; k < m; ++k) require(sig.data()[k] > 0.0, "sigma must be positive");
  double* xp = vec(x, P.dx, "x");
  double* yp = vec(y, P.dy, "y");
  double* zp = vec(z, P.dy, "z");
  const auto D = make_draws(pb, rows, ptr, eps, batch, calls);
  std::vector<int> levels_per;  // T x [g, f] for y, T x [g] for z, then [f, g] for x
  for (int64_t t = 0; t < T; ++t) levels_per.insert(levels_per.end(), {1, 0});
  for (int64_t t = 0; t < T; ++t) levels_per.push_back(1);
  levels_per.insert(levels_per.end(), {0, 1});
  check_rows_levels(pb, D, levels_per, calls);
  py::gil_scoped_release release;
  return pyoptheory::bilevel::penalty_double_loop(P, xp, yp, zp, sig.data(), alpha.data(), beta_y.data(), beta_z, T, k0,
                                                  k1, D, local, l_f);
}

py::tuple bilevel_single_loop(const PyBilevel& pb, darr x, darr y, darr z, darr dxe, darr dye, darr dze, darr xprev,
                              darr yprev, darr zprev, bool started, darr sig, darr alpha, darr beta_y, darr beta_z,
                              darr momentum, int64_t k0, int64_t k1, iarr rows, iarr ptr, darr eps, darr batch,
                              bool local, double l_f) {
  const auto& P = pb.P;
  require(k1 >= k0, "k1 >= k0 required");
  const int64_t m = k1 - k0, calls = m * 5;
  for (const darr* a : {&sig, &alpha, &beta_y, &beta_z, &momentum})
    require(a->ndim() == 1 && a->shape(0) == m, "schedules must have k1 - k0 entries");
  for (int64_t k = 0; k < m; ++k)
    require(sig.data()[k] > 0.0 && beta_z.data()[k] > 0.0 && momentum.data()[k] > 0.0 && momentum.data()[k] <= 1.0,
            "sigma and beta_z must be positive and momentum in (0, 1]");
  double* xp = vec(x, P.dx, "x");
  double* yp = vec(y, P.dy, "y");
  double* zp = vec(z, P.dy, "z");
  pyoptheory::bilevel::StormState S{vec(dxe, P.dx, "dx"), vec(dye, P.dy, "dy"), vec(dze, P.dy, "dz"),
                                    vec(xprev, P.dx, "xprev"), vec(yprev, P.dy, "yprev"), vec(zprev, P.dy, "zprev"),
                                    started};
  const auto D = make_draws(pb, rows, ptr, eps, batch, calls);
  check_rows_levels(pb, D, {1, 0, 1, 0, 1}, calls);  // [g, f] for y, [g] for z, [f, g] for x
  int64_t fail;
  {
    py::gil_scoped_release release;
    fail = pyoptheory::bilevel::penalty_single_loop(P, xp, yp, zp, S, sig.data(), alpha.data(), beta_y.data(),
                                                    beta_z.data(), momentum.data(), k0, k1, D, local, l_f);
  }
  return py::make_tuple(fail, S.started);
}

py::tuple bilevel_implicit(const PyBilevel& pb, darr x, darr y, darr v, darr alpha, double beta_z, int64_t T,
                           int64_t cg_steps, int64_t k0, int64_t k1, bool local) {
  const auto& P = pb.P;
  require(T >= 0 && cg_steps >= 0 && k1 >= k0 && beta_z > 0.0, "T, cg_steps >= 0, k1 >= k0, beta_z > 0 required");
  require(alpha.ndim() == 1 && alpha.shape(0) == k1 - k0, "alpha must have k1 - k0 entries");
  double* xp = vec(x, P.dx, "x");
  double* yp = vec(y, P.dy, "y");
  double* vp = vec(v, P.dy, "v");
  int64_t hvps = 0, fail;
  {
    py::gil_scoped_release release;
    fail = pyoptheory::bilevel::implicit(P, xp, yp, vp, alpha.data(), beta_z, T, cg_steps, k0, k1, local, &hvps);
  }
  return py::make_tuple(fail, hvps);
}

struct PyMultiRidge {
  py::list keep;
  pyoptheory::bilevel::MultiRidge R;
};

PyMultiRidge make_multi_ridge(darr A, darr t, darr Av, darr tv, darr lmax, darr xlo, darr xhi) {
  require(A.ndim() == 2 && Av.ndim() == 2 && A.shape(1) == Av.shape(1) && A.shape(1) >= 1,
          "MultiRidge: A and Av must be matrices with the same number of columns");
  PyMultiRidge pm;
  const int64_t d = A.shape(1);
  pm.R.d = d;
  pm.R.m = lmax.ndim() == 1 ? lmax.shape(0) : 0;
  require(pm.R.m >= 1, "MultiRidge: lmax must have one entry per block");
  pm.R.A = keep_mat(pm.keep, A, A.shape(0), d, "A");
  pm.R.t = keep_vec(pm.keep, t, A.shape(0), "t");
  pm.R.Av = keep_mat(pm.keep, Av, Av.shape(0), d, "Av");
  pm.R.tv = keep_vec(pm.keep, tv, Av.shape(0), "tv");
  pm.R.lmax = keep_vec(pm.keep, lmax, pm.R.m, "lmax");
  pm.R.xlo = keep_vec(pm.keep, xlo, d, "xlo");
  pm.R.xhi = keep_vec(pm.keep, xhi, d, "xhi");
  pm.keep.append(py::int_(A.shape(0)));
  pm.keep.append(py::int_(Av.shape(0)));
  return pm;
}

py::tuple multi_ridge_advance(const PyMultiRidge& pm, darr x, darr theta, darr u, darr H,
                              py::array_t<bool, py::array::c_style> seen, darr zx, bool started, darr alpha,
                              darr momentum, iarr blocks, iarr rows_g, iarr rows_f) {
  const auto& R = pm.R;
  const int64_t d = R.d, m = R.m;
  double* xp = vec(x, d, "x");
  require(theta.ndim() == 1 && theta.shape(0) == m * d && theta.writeable(), "theta must be a writeable vector of m d");
  require(u.ndim() == 2 && u.shape(0) == m && u.shape(1) == d && u.writeable(), "u must have shape (m, d)");
  require(H.ndim() == 3 && H.shape(0) == m && H.shape(1) == d && H.shape(2) == d && H.writeable(),
          "H must have shape (m, d, d)");
  require(seen.ndim() == 1 && seen.shape(0) == m && seen.writeable(), "seen must be a writeable bool vector of m");
  double* zp = vec(zx, d, "zx");
  require(blocks.ndim() == 2, "blocks must have shape (iterations, I)");
  const int64_t its = blocks.shape(0), I = blocks.shape(1);
  require(rows_g.ndim() == 3 && rows_g.shape(0) == its && rows_g.shape(1) == I && rows_f.ndim() == 3 &&
              rows_f.shape(0) == its && rows_f.shape(1) == I && rows_f.shape(2) == rows_g.shape(2) &&
              rows_g.shape(2) >= 1, "rows_g and rows_f must have shape (iterations, I, B)");
  for (const darr* a : {&alpha, &momentum}) require(a->ndim() == 1 && a->shape(0) == its, "schedules need one entry per iteration");
  const int64_t B = rows_g.shape(2);
  const int64_t nA = pm.keep[7].cast<int64_t>(), nAv = pm.keep[8].cast<int64_t>();
  for (int64_t q = 0; q < its * I; ++q) require(blocks.data()[q] >= 0 && blocks.data()[q] < m, "blocks out of range");
  for (int64_t q = 0; q < its * I * B; ++q)
    require(rows_g.data()[q] >= 0 && rows_g.data()[q] < nA && rows_f.data()[q] >= 0 && rows_f.data()[q] < nAv,
            "rows out of range");
  for (int64_t q = 0; q < its; ++q)
    require(momentum.data()[q] > 0.0 && momentum.data()[q] <= 1.0, "momentum must lie in (0, 1]");
  static_assert(sizeof(bool) == sizeof(uint8_t), "bool must be one byte");
  int64_t fail;
  {
    py::gil_scoped_release release;
    fail = pyoptheory::bilevel::blockwise(R, xp, theta.mutable_data(), u.mutable_data(), H.mutable_data(),
                                          reinterpret_cast<uint8_t*>(seen.mutable_data()), zp, &started, alpha.data(),
                                          momentum.data(), 0, its, I, B, blocks.data(), rows_g.data(), rows_f.data());
  }
  return py::make_tuple(fail, started);
}

// --- GFM and GFM+ on the stochastic norm (kind 0) and the penalised SVM (kind 1) --------------------------
int64_t gfm_advance(darr x, darr xprev, darr v, darr xR, double delta, double step, bool plus, int64_t period, int64_t R,
                    int64_t k0, int64_t k1, darr W, darr Xi, iarr ptr, int kind, iarr idx, darr C, double lam,
                    double alpha) {
  const int64_t d = x.ndim() == 1 ? x.shape(0) : -1;
  require(d >= 1, "gfm_advance: x must be a nonempty vector");
  double* xp = vec(x, d, "x");
  double* pp = vec(xprev, d, "xprev");
  double* vp = vec(v, d, "v");
  double* rp = vec(xR, d, "xR");
  require(delta > 0.0 && step > 0.0 && period >= 1 && k0 >= 0 && k1 >= k0, "gfm_advance: invalid parameters");
  const int64_t m = k1 - k0;
  require(ptr.ndim() == 1 && ptr.shape(0) == m + 1 && ptr.data()[0] == 0, "ptr must have k1 - k0 + 1 entries from 0");
  for (int64_t k = 0; k < m; ++k) require(ptr.data()[k] < ptr.data()[k + 1], "every iteration needs a sample");
  const int64_t rows = ptr.data()[m];
  require(W.ndim() == 2 && W.shape(0) == rows && W.shape(1) == d, "W must have shape (ptr[-1], d)");
  pyoptheory::gfm::Samples S;
  S.kind = kind;
  if (kind == 0) {
    require(Xi.ndim() == 2 && Xi.shape(0) == rows && Xi.shape(1) == d, "Xi must have shape (ptr[-1], d)");
    S.Xi = Xi.data();
  } else {
    require(kind == 1, "gfm_advance: unknown problem kind");
    require(C.ndim() == 2 && C.shape(1) == d && C.shape(0) >= 1, "C must have shape (n, d)");
    require(idx.ndim() == 1 && idx.shape(0) == rows, "idx must have ptr[-1] entries");
    for (int64_t i = 0; i < rows; ++i) require(idx.data()[i] >= 0 && idx.data()[i] < C.shape(0), "idx out of range");
    require(lam >= 0.0 && alpha > 0.0, "gfm_advance: the penalty needs lam >= 0 and alpha > 0");
    S.idx = idx.data();
    S.C = C.data();
    S.lam = lam;
    S.alpha = alpha;
  }
  py::gil_scoped_release release;
  return pyoptheory::gfm::advance(d, xp, pp, vp, rp, delta, step, plus, period, R, k0, k1, W.data(), S, ptr.data());
}

}  // namespace

void export_codes(py::module_& mod);  // cpp/src/codes.cpp

PYBIND11_MODULE(_core, mod) {
  export_codes(mod);
  mod.def("gfm_advance", &gfm_advance, py::arg("x").noconvert(), py::arg("xprev").noconvert(), py::arg("v").noconvert(),
          py::arg("xR").noconvert(), py::arg("delta"), py::arg("step"), py::arg("plus"), py::arg("period"), py::arg("R"),
          py::arg("k0"), py::arg("k1"), py::arg("W"), py::arg("Xi"), py::arg("ptr"), py::arg("kind"), py::arg("idx"),
          py::arg("C"), py::arg("lam"), py::arg("alpha"));
  py::class_<PyMultiRidge>(mod, "MultiRidge")
      .def(py::init(&make_multi_ridge), py::arg("A"), py::arg("t"), py::arg("Av"), py::arg("tv"), py::arg("lmax"),
           py::arg("xlo"), py::arg("xhi"))
      .def("advance", &multi_ridge_advance, py::arg("x").noconvert(), py::arg("theta").noconvert(),
           py::arg("u").noconvert(), py::arg("H").noconvert(), py::arg("seen").noconvert(), py::arg("zx").noconvert(),
           py::arg("started"), py::arg("alpha"), py::arg("momentum"), py::arg("blocks"), py::arg("rows_g"),
           py::arg("rows_f"));
  py::class_<PyBilevel>(mod, "Bilevel")
      .def(py::init(&make_bilevel), py::arg("kind"), py::arg("dx"), py::arg("dy"), py::arg("arrays"), py::arg("rho"),
           py::arg("noise"), py::arg("xlo"), py::arg("xhi"), py::arg("ylo"), py::arg("yhi"), py::arg("lmax_t") = 0.0)
      .def("double_loop", &bilevel_double_loop, py::arg("x").noconvert(), py::arg("y").noconvert(),
           py::arg("z").noconvert(), py::arg("sig"), py::arg("alpha"), py::arg("beta_y"), py::arg("beta_z"),
           py::arg("T"), py::arg("k0"), py::arg("k1"), py::arg("rows"), py::arg("ptr"), py::arg("eps"),
           py::arg("batch"), py::arg("local"), py::arg("l_f"))
      .def("single_loop", &bilevel_single_loop, py::arg("x").noconvert(), py::arg("y").noconvert(),
           py::arg("z").noconvert(), py::arg("dx").noconvert(), py::arg("dy").noconvert(), py::arg("dz").noconvert(),
           py::arg("xprev").noconvert(), py::arg("yprev").noconvert(), py::arg("zprev").noconvert(),
           py::arg("started"), py::arg("sig"), py::arg("alpha"), py::arg("beta_y"), py::arg("beta_z"),
           py::arg("momentum"), py::arg("k0"), py::arg("k1"), py::arg("rows"), py::arg("ptr"), py::arg("eps"),
           py::arg("batch"), py::arg("local"), py::arg("l_f"))
      .def("implicit", &bilevel_implicit, py::arg("x").noconvert(), py::arg("y").noconvert(),
           py::arg("v").noconvert(), py::arg("alpha"), py::arg("beta_z"), py::arg("T"), py::arg("cg_steps"),
           py::arg("k0"), py::arg("k1"), py::arg("local"));
  mod.def("fractional_advance", &fractional_advance, py::arg("A"), py::arg("a"), py::arg("B"), py::arg("b"),
          py::arg("lo"), py::arg("hi"), py::arg("lam"), py::arg("theta"), py::arg("x").noconvert(),
          py::arg("u").noconvert(), py::arg("v").noconvert(), py::arg("scal").noconvert(), py::arg("order"),
          py::arg("selected").noconvert());
  mod.def("fractional_line_min", &fractional_line_min, py::arg("xi"), py::arg("lo"), py::arg("hi"), py::arg("gN"),
          py::arg("Aii"), py::arg("N0"), py::arg("lam"), py::arg("gD"), py::arg("Bii"), py::arg("D0"),
          py::arg("theta"));
  mod.def("online_rounds", &online_rounds, py::arg("loss"), py::arg("regime"), py::arg("mean"), py::arg("noise"),
          py::arg("period"), py::arg("omega"), py::arg("radius"), py::arg("domain"), py::arg("seed"), py::arg("learner"),
          py::arg("rule"),
          py::arg("value"), py::arg("delta"), py::arg("G"), py::arg("D"), py::arg("T"), py::arg("x").noconvert(),
          py::arg("xhat").noconvert(), py::arg("M").noconvert(), py::arg("Gsum").noconvert(),
          py::arg("Y").noconvert(), py::arg("C").noconvert(), py::arg("scal").noconvert(), py::arg("A").noconvert(),
          py::arg("t0"), py::arg("t1"));
  mod.def("philox4x32", &philox4x32, py::arg("counters"), py::arg("seed"));
  mod.def("philox_normals", &philox_normals, py::arg("seed"), py::arg("first"), py::arg("n"), py::arg("step"),
          py::arg("tag"), py::arg("d"));
  mod.def("landscape_values", &landscape_values, py::arg("code"), py::arg("param"), py::arg("offset"),
          py::arg("shift"), py::arg("rot"), py::arg("X"), py::arg("n_threads"));
  mod.def("cbo_steps", &cbo_steps, py::arg("X").noconvert(), py::arg("F").noconvert(), py::arg("alpha").noconvert(),
          py::arg("code"), py::arg("param"), py::arg("offset"), py::arg("shift"), py::arg("rot"), py::arg("drift"),
          py::arg("noise_std"), py::arg("dt"), py::arg("move"), py::arg("batch"), py::arg("schedule"),
          py::arg("factor"), py::arg("alpha_max"), py::arg("ess_eta"), py::arg("seed"), py::arg("k0"), py::arg("k1"),
          py::arg("n_threads"), py::arg("run_fail").noconvert(), py::arg("run_code").noconvert());
  mod.doc() = "Compiled kernels of pyoptheory (C++17). Use them through pyoptheory.solve.";
  py::class_<PyLinearModel>(mod, "LinearModel")
      .def(py::init(&make_model), py::arg("dense"), py::arg("data"), py::arg("indices"), py::arg("indptr"),
           py::arg("b"), py::arg("n"), py::arg("d"), py::arg("loss"), py::arg("loss_param"), py::arg("reduce"),
           py::arg("weight"), py::arg("l2"), py::arg("cst"), py::arg("reg"), py::arg("reg_scalar"),
           py::arg("reg_lo"), py::arg("reg_hi"), py::arg("reg_param") = 0.0, py::arg("penalty") = 0,
           py::arg("pen_lam") = 0.0, py::arg("pen_param") = 0.0);
  mod.def("advance", &advance, py::arg("model"), py::arg("method"), py::arg("x").noconvert(), py::arg("xbest").noconvert(),
          py::arg("xsum"), py::arg("grad").noconvert(), py::arg("scal").noconvert(), py::arg("steps"), py::arg("avg_w"), py::arg("eta"), py::arg("k0"),
          py::arg("k1"), py::arg("n_threads"), py::arg("idx"), py::arg("noise"));
  mod.def("evaluate", &evaluate, py::arg("model"), py::arg("x"), py::arg("grad").noconvert(), py::arg("n_threads"));
  mod.def("prox", &prox, py::arg("model"), py::arg("y"), py::arg("step"));
  mod.def("sinkhorn_log", &sinkhorn_log, py::arg("C"), py::arg("a"), py::arg("b"), py::arg("reg"),
          py::arg("f").noconvert(), py::arg("g").noconvert(), py::arg("iters"), py::arg("tol"), py::arg("n_threads"));
  mod.def("sinkhorn_row_error", &sinkhorn_row_error, py::arg("C"), py::arg("a"), py::arg("b"), py::arg("reg"),
          py::arg("f"), py::arg("g"), py::arg("n_threads"));
  mod.def("sinkhorn_scaling", &sinkhorn_scaling, py::arg("K"), py::arg("a"), py::arg("b"), py::arg("u").noconvert(),
          py::arg("v").noconvert(), py::arg("iters"), py::arg("tol"), py::arg("n_threads"));
  mod.def("sinkhorn_stabilized", &sinkhorn_stabilized, py::arg("C"), py::arg("a"), py::arg("b"), py::arg("reg"),
          py::arg("f").noconvert(), py::arg("g").noconvert(), py::arg("Kt").noconvert(), py::arg("u").noconvert(),
          py::arg("v").noconvert(), py::arg("kernel_ready"), py::arg("iters"), py::arg("tol"), py::arg("bound"),
          py::arg("n_threads"));
  mod.def("scaling_row_error", &scaling_row_error, py::arg("K"), py::arg("a"), py::arg("u"), py::arg("v"),
          py::arg("n_threads"));
  mod.def("sinkhorn_plan", &sinkhorn_plan, py::arg("C"), py::arg("f"), py::arg("g"), py::arg("reg"),
          py::arg("out").noconvert(), py::arg("n_threads"));
  mod.def("sns_newton", &sns_newton, py::arg("C"), py::arg("a"), py::arg("b"), py::arg("reg"), py::arg("f").noconvert(),
          py::arg("g").noconvert(), py::arg("steps"), py::arg("tol"), py::arg("sparsity"), py::arg("cg_tol"), py::arg("n_threads"));
  mod.def("sns_sparsify", &sns_sparsify, py::arg("C"), py::arg("a"), py::arg("b"), py::arg("reg"), py::arg("f"), py::arg("g"),
          py::arg("sparsity"), py::arg("n_threads"));
  py::class_<PyBcdModel>(mod, "BcdModel")
      .def(py::init(&make_bcd), py::arg("indptr"), py::arg("indices"), py::arg("data"), py::arg("c"), py::arg("diag"),
           py::arg("reg"), py::arg("lam"), py::arg("lo"), py::arg("hi"), py::arg("rule"), py::arg("L_common"),
           py::arg("heap"))
      .def("advance", &bcd_advance, py::arg("x").noconvert(), py::arg("grad").noconvert(), py::arg("k0"),
           py::arg("k1"), py::arg("given"), py::arg("selected").noconvert(), py::arg("support_change"))
      .def("advance_variable", &bcd_variable_advance, py::arg("tau"), py::arg("gsl"), py::arg("matrix"),
           py::arg("x").noconvert(), py::arg("grad").noconvert(), py::arg("k0"), py::arg("k1"),
           py::arg("selected").noconvert(), py::arg("support_change"), py::arg("iht_steps") = 0);
  py::class_<PyBcdGlm>(mod, "BcdGlm")
      .def(py::init(&make_bcd_glm), py::arg("colptr"), py::arg("rowidx"), py::arg("vals"), py::arg("y"), py::arg("w"),
           py::arg("l2"), py::arg("loss") = 0, py::arg("K") = 1)
      .def("advance", &bcd_glm_advance, py::arg("model"), py::arg("x").noconvert(), py::arg("z").noconvert(),
           py::arg("k0"), py::arg("k1"), py::arg("given"), py::arg("selected").noconvert(),
           py::arg("support_change"));
  py::class_<PyBcdForest>(mod, "BcdForest")
      .def(py::init(&make_bcd_forest), py::arg("bptr"), py::arg("bidx"), py::arg("parent"), py::arg("weight"),
           py::arg("rule"))
      .def("advance", &bcd_forest_advance, py::arg("model"), py::arg("x").noconvert(), py::arg("grad").noconvert(),
           py::arg("k0"), py::arg("k1"), py::arg("given"), py::arg("selected").noconvert(),
           py::arg("support_change"));
  py::class_<PyBcdBlocks>(mod, "BcdBlocks")
      .def(py::init(&make_bcd_blocks), py::arg("bptr"), py::arg("bidx"), py::arg("Lb"), py::arg("dvec"),
           py::arg("chol"), py::arg("choff"), py::arg("rule"), py::arg("update"))
      .def("advance", &bcd_block_advance, py::arg("model"), py::arg("x").noconvert(), py::arg("grad").noconvert(),
           py::arg("k0"), py::arg("k1"), py::arg("given"), py::arg("selected").noconvert(),
           py::arg("support_change"));
#ifdef PYOPTHEORY_OPENMP
  mod.attr("has_openmp") = true;
#else
  mod.attr("has_openmp") = false;
#endif
}
