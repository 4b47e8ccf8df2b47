r"""Linear-model objectives, the one problem type the compiled kernels know.

.. math::

    f(x) = w \cdot \mathop{\mathrm{reduce}}_{i} \phi(a_i^\top x, b_i) + \tfrac{l_2}{2}\|x\|^2 + c,
    \qquad F = f + g,

with ``reduce`` a sum or a max, ``phi`` one of the losses below and ``g`` a
:mod:`~pyoptheory.problems.sets` regularizer.  Least squares, prescribed-spectrum
quadratics, logistic regression, the lasso, hinge losses, l1 distances, max-affine
functions and the Huber worst case are all of this form.  This module is the NumPy
reference of ``cpp/include/pyoptheory/linear_model.hpp``: same formulas, same
tie-breaking (first maximiser; subgradient 0 at kinks).
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp

from .base import Constants, Problem
from .sets import Regularizer, concave_deriv, penalty_value

SQUARED, LOGISTIC, HINGE, ABSOLUTE, HUBER, AFFINE = range(6)
LOSSES = {"squared": SQUARED, "logistic": LOGISTIC, "hinge": HINGE, "absolute": ABSOLUTE, "huber": HUBER,
          "affine": AFFINE}
SMOOTH_LOSSES = {SQUARED: 1.0, LOGISTIC: 0.25, HUBER: 1.0}  # sup of phi''
SUM, MAX = 0, 1


def loss_value(loss, z, b, p):
    if loss == SQUARED:
        return 0.5 * (z - b) ** 2
    if loss == LOGISTIC:
        m = -b * z
        return np.maximum(m, 0.0) + np.log1p(np.exp(-np.abs(m)))
    if loss == HINGE:
        return np.maximum(0.0, 1.0 - b * z)
    if loss == ABSOLUTE:
        return np.abs(z - b)
    if loss == HUBER:
        r = z - b
        a = np.abs(r)
        return np.where(a <= p, 0.5 * r * r, p * a - 0.5 * p * p)
    return z + b


def loss_deriv(loss, z, b, p):
    if loss == SQUARED:
        return z - b
    if loss == LOGISTIC:
        return -b / (1.0 + np.exp(b * z))
    if loss == HINGE:
        return np.where(1.0 - b * z > 0.0, -b, 0.0)
    if loss == ABSOLUTE:
        return np.sign(z - b)
    if loss == HUBER:
        r = z - b
        return np.where(np.abs(r) <= p, r, p * np.sign(r))
    return np.ones_like(z)


def _sym_extreme_eigs(A, n):
    """(lambda_max, lambda_min) of A^T A, computed exactly (dense eigensolver) or by Lanczos to full accuracy."""
    d = A.shape[1]
    small = min(n, d)
    if small <= 3000:
        if sp.issparse(A):
            gram = (A.T @ A).toarray() if d <= n else (A @ A.T).toarray()
        else:
            gram = A.T @ A if d <= n else A @ A.T
        ev = np.linalg.eigvalsh(gram)
        lmax = float(ev[-1])
        lmin = float(ev[0]) if d <= n else 0.0
        return lmax, max(lmin, 0.0)
    from scipy.sparse.linalg import LinearOperator, eigsh

    op = LinearOperator((d, d), matvec=lambda v: A.T @ (A @ v), dtype=float)
    lmax = float(eigsh(op, k=1, which="LA", tol=0, return_eigenvectors=False)[0])
    lmin = float(eigsh(op, k=1, which="SA", tol=0, return_eigenvectors=False)[0]) if d <= n else 0.0
    return lmax, max(lmin, 0.0)


class LinearModel(Problem):
    """A problem of linear-model form (see the module docstring).

    Parameters
    ----------
    A : ndarray (n, d) or scipy.sparse matrix
    b : ndarray (n,)
    loss : str
        ``squared``, ``logistic``, ``hinge``, ``absolute``, ``huber`` or ``affine``.
    reduce : {"sum", "max"}
    weight, l2, const : float
    loss_param : float
        Huber threshold.
    regularizer : Regularizer or None
    solver : callable, optional
        Returns ``(x_star, f_star)`` (and may set ``problem._f_star_accuracy``, a certified bound on
        ``F(x_star) - F*``).  Default: a cvxpy solve (CLARABEL); then, on a Ball, Box or Simplex, the library's
        FISTA until the Frank-Wolfe gap certifies 1e-12 relative accuracy, else a proximal-gradient polish when
        ``mu > 0`` (the certificate is then ``||grad f||^2/(2 mu)`` for smooth unconstrained problems).
    cheap_optimum : bool, optional
        Whether computing the optimum costs about a short run or less (default: an optimum given, or a
        ``solver``); runs compute a costly one only when asked (``gap_tol``), see
        :attr:`pyoptheory.problems.base.Problem.optimum_is_cheap`.
    """

    def __init__(self, A, b, *, loss, name, reduce="sum", weight=None, l2=0.0, const=0.0, loss_param=0.0,
                 regularizer=None, kind=None, x0=None, x_star=None, f_star=None, solver=None, extra_constants=None,
                 gram_extremes=None, penalty=None, cheap_optimum=None):
        self.A = A
        self.b = b
        n, d = A.shape
        self.n = n
        self.loss = LOSSES[loss]
        self.loss_name = loss
        self.reduce = SUM if reduce == "sum" else MAX
        self.weight = float(1.0 / n if weight is None else weight)
        self.l2 = float(l2)
        self.const = float(const)
        self.loss_param = float(loss_param)
        if regularizer is not None and not isinstance(regularizer, Regularizer):
            raise TypeError("regularizer: expected a pyoptheory.problems.sets regularizer")
        self._solver = solver
        # a given optimum, or a solver that costs about a short run; cvxpy (the default route) is not cheap
        self.optimum_is_cheap = (solver is not None or (x_star is not None and f_star is not None)) \
            if cheap_optimum is None else bool(cheap_optimum)
        self._extra_constants = dict(extra_constants or {})
        self._gram_extremes = gram_extremes  # (lambda_max, lambda_min) of A^T A when known in closed form
        # (kind, lam, par): the smooth concave part q = p_lam - lam|t| of a SCAD/MCP penalty, added to f
        self.penalty = penalty
        if penalty is not None and penalty[0] not in ("scad", "mcp"):
            raise ValueError(f"penalty: unknown kind {penalty[0]!r}; valid: mcp, scad")
        if kind is None:
            smooth = self.loss in SMOOTH_LOSSES and self.reduce == SUM
            if regularizer is None:
                kind = "smooth" if smooth else "nonsmooth"
            elif regularizer.is_indicator:
                kind = "constrained" if smooth else "nonsmooth_constrained"
            else:
                kind = "composite"
        super().__init__(d, kind=kind, name=name, regularizer=regularizer, x0=x0, x_star=x_star, f_star=f_star)
        self._spec = None

    # --- oracles (the NumPy reference of linear_model.hpp) ----------------------
    def _z(self, x):
        """A @ x, remembered for the last x so that f and grad at one point cost one product."""
        last = self.__dict__.get("_z_cache")
        if last is not None and last[0].shape == x.shape and np.array_equal(last[0], x):
            return last[1]
        z = self.A @ x
        self._z_cache = (np.array(x, copy=True), z)
        return z

    def f(self, x):
        z = self._z(x)
        vals = loss_value(self.loss, z, self.b, self.loss_param)
        core = np.sum(vals) if self.reduce == SUM else np.max(vals)
        q = 0.0
        if self.penalty is not None:
            kind, lam, par = self.penalty
            q = float(np.sum(penalty_value(kind, x, lam, par) - lam * np.abs(x)))
        return float(self.weight * core + 0.5 * self.l2 * np.dot(x, x) + q + self.const)

    def grad(self, x):
        z = self._z(x)
        if self.reduce == SUM:
            u = self.weight * loss_deriv(self.loss, z, self.b, self.loss_param)
            g = self.A.T @ u
        else:
            vals = loss_value(self.loss, z, self.b, self.loss_param)
            i = int(np.argmax(vals))  # first maximiser, as in the kernels
            row = self.A[i].toarray().ravel() if sp.issparse(self.A) else self.A[i]
            g = self.weight * float(loss_deriv(self.loss, z[i:i + 1], self.b[i:i + 1], self.loss_param)[0]) * row
        g = np.asarray(g, dtype=float).ravel() + self.l2 * x
        if self.penalty is not None:
            g = g + concave_deriv(*self.penalty[:1], x, *self.penalty[1:])
        return g

    # --- compiled description --------------------------------------------------
    @property
    def spec(self):
        """Arrays and codes handed to the compiled kernels (see pyoptheory.kernels)."""
        if self._spec is None:
            reg = self.regularizer or Regularizer()
            lo, hi = reg.arrays(self.dim)
            if sp.issparse(self.A):
                dense = np.zeros((0, 0))
                data = np.ascontiguousarray(self.A.data, dtype=np.float64)
                indices = np.ascontiguousarray(self.A.indices, dtype=np.int64)
                indptr = np.ascontiguousarray(self.A.indptr, dtype=np.int64)
            else:
                dense = np.ascontiguousarray(self.A, dtype=np.float64)
                data, indices, indptr = np.zeros(0), np.zeros(0, np.int64), np.zeros(0, np.int64)
            self._spec = SimpleNamespace(
                dense=dense, data=data, indices=indices, indptr=indptr,
                b=np.ascontiguousarray(self.b, dtype=np.float64), n=self.n, d=self.dim, loss=self.loss,
                loss_param=self.loss_param, reduce=self.reduce, weight=self.weight, l2=self.l2, cst=self.const,
                reg=reg.code, reg_scalar=float(reg.scalar), reg_lo=np.ascontiguousarray(lo, dtype=np.float64),
                reg_hi=np.ascontiguousarray(hi, dtype=np.float64), sparse=sp.issparse(self.A),
                reg_param=float(reg.param), penalty={None: 0, "scad": 1, "mcp": 2}[self.penalty and self.penalty[0]],
                pen_lam=float(self.penalty[1]) if self.penalty else 0.0,
                pen_param=float(self.penalty[2]) if self.penalty else 0.0)
        return self._spec

    # --- constants ---------------------------------------------------------------
    def _row_norms_sq(self):
        if sp.issparse(self.A):
            return np.asarray(self.A.multiply(self.A).sum(axis=1)).ravel()
        return np.einsum("ij,ij->i", self.A, self.A)

    def _compute_constants(self):
        vals, how = {}, {}
        reg = self.regularizer
        w, l2, n = self.weight, self.l2, self.n
        if self.loss in SMOOTH_LOSSES and self.reduce == SUM:
            c = SMOOTH_LOSSES[self.loss]
            if self._gram_extremes is not None:
                lmax, lmin = (float(v) for v in self._gram_extremes)
            else:
                lmax, lmin = _sym_extreme_eigs(self.A, n)
            vals["L"] = w * c * lmax + l2
            how["L"] = f"exact: {w:.6g} * {c:g} * lambda_max(A^T A) + l2"
            if self.loss == SQUARED:
                vals["mu"] = w * lmin + l2
                how["mu"] = "exact: w * lambda_min(A^T A) + l2"
            else:
                vals["mu"] = l2
                how["mu"] = "exact: l2 (the loss has curvature tending to 0)"
            vals["L_max"] = n * w * c * float(np.max(self._row_norms_sq())) + l2
            how["L_max"] = "exact: n * w * sup phi'' * max_i ||a_i||^2 + l2"
        else:
            norms = np.sqrt(self._row_norms_sq())
            lip = np.abs(self.b) if self.loss == HINGE else np.ones(n)
            if self.reduce == MAX:
                G = w * float(np.max(lip * norms))
                how["G"] = "max_i |phi'| ||a_i|| (exact when every piece is active somewhere)"
            elif self.loss == AFFINE:
                G = w * float(np.linalg.norm(self.A.T @ np.ones(n)))
                how["G"] = "exact: ||w A^T 1|| (constant gradient)"
            else:
                s = w * float(np.sum(lip * norms))
                if sp.issparse(self.A):
                    from scipy.sparse.linalg import svds
                    spec = float(svds(self.A, k=1, return_singular_vectors=False)[0])
                else:
                    spec = float(np.linalg.norm(self.A, 2))
                G = min(s, w * float(np.max(lip)) * np.sqrt(n) * spec)
                how["G"] = "min(w sum_i ||a_i||, w sqrt(n) ||A||_2): exact for A = I (l1 distance)"
            if l2 > 0:
                G += l2 * (reg.radius if reg is not None else np.inf)
                how["G"] += " + l2 * max_{x in C} ||x||"
            vals["G"] = G
            if l2 > 0:
                vals["mu"] = l2
                how["mu"] = "exact: l2"
        if reg is not None and reg.is_indicator:
            vals["D"] = reg.diameter
            how["D"] = "exact: diameter of the constraint set"
        if self.penalty is not None and "L" in vals:
            kind, lam, par = self.penalty
            curv = 1.0 / (par - 1.0) if kind == "scad" else 1.0 / par
            vals["L"] += curv
            how["L"] += f" + {curv:.6g} (the concave part of the {kind.upper()} penalty)"
            vals["mu"] = 0.0
            how["mu"] = "0: f is nonconvex (its negative curvature is bounded by the penalty's)"
            vals["neg_curvature"] = curv
            how["neg_curvature"] = "exact: 1/(a-1) for SCAD, 1/gamma for MCP"
            vals.pop("L_max", None)
        for key, (value, text) in self._extra_constants.items():
            vals[key], how[key] = value, text
        return Constants(vals, how)

    # --- optimum -----------------------------------------------------------------
    def _solve(self):
        if self._solver is not None:
            return self._solver(self)
        return solve_with_cvxpy(self)


def solve_with_cvxpy(problem):
    """A minimizer of a LinearModel by cvxpy (CLARABEL), polished to machine precision when
    F is strongly convex and smooth plus simple g (proximal gradient converges linearly)."""
    import cvxpy as cp

    A, b, p = problem.A, problem.b, problem.loss_param
    x = cp.Variable(problem.dim)
    z = A @ x
    loss = problem.loss
    if loss == SQUARED:
        terms = 0.5 * cp.square(z - b)
    elif loss == LOGISTIC:
        terms = cp.logistic(cp.multiply(-b, z))
    elif loss == HINGE:
        terms = cp.pos(1 - cp.multiply(b, z))
    elif loss == ABSOLUTE:
        terms = cp.abs(z - b)
    elif loss == HUBER:
        terms = 0.5 * cp.huber(z - b, p)
    else:
        terms = z + b
    core = cp.sum(terms) if problem.reduce == SUM else cp.max(terms)
    obj = problem.weight * core + 0.5 * problem.l2 * cp.sum_squares(x) + problem.const
    cons = []
    reg = problem.regularizer
    if reg is not None:
        from .sets import L1, Ball, Box, Simplex

        if isinstance(reg, L1):
            obj = obj + reg.lam * cp.norm1(x)
        elif isinstance(reg, Ball):
            cons.append(cp.norm(x - reg._c(problem.dim)) <= reg.scalar)
        elif isinstance(reg, Box):
            cons += [x >= reg.lo, x <= reg.hi]
        elif isinstance(reg, Simplex):
            cons += [x >= 0, cp.sum(x) == reg.scalar]
    prob = cp.Problem(cp.Minimize(obj), cons)
    prob.solve(solver=cp.CLARABEL)
    if x.value is None:
        raise RuntimeError(f"cvxpy could not solve {problem.name}: {prob.status}")
    xs = np.asarray(x.value, dtype=float)
    if reg is not None and reg.is_indicator:
        xs = reg.prox(xs, 1.0)
    if problem.kind == "constrained" and hasattr(reg, "lmo"):
        return polish_constrained(problem, xs)
    if problem.kind in ("smooth", "composite", "constrained") and problem.constants.get("mu", 0.0) > 0:
        xs = polish_proximal_gradient(problem, xs)
    return xs, problem.objective(xs)


def frank_wolfe_gap(problem, x):
    """``max_{s in C} <grad f(x), x - s>``: an upper bound on ``f(x) - f*`` for a convex smooth ``f`` on the
    problem's set ``C`` (a Ball, Box or Simplex: its linear minimization oracle); ``inf`` when ``C`` is
    unbounded along ``-grad f(x)``."""
    g = problem.grad(x)
    s = problem.regularizer.lmo(g)
    with np.errstate(invalid="ignore"):
        terms = np.where(g != 0, g * (x - s), 0.0)
    return float(np.sum(terms))


#: The certified accuracy a computed F* of a constrained problem is driven to, relative to max(1, |F(x0)|).
CONSTRAINED_GAP = 1e-12


def polish_constrained(problem, x, rounds=40, steps=2000):
    """From a feasible ``x`` (e.g. cvxpy's interior-point answer, accurate to about 1e-8), the library's FISTA
    with gradient restart in rounds of ``steps`` until the Frank-Wolfe gap certifies
    ``F(x) - F* <= CONSTRAINED_GAP max(1, |F(x0)|)``; keeps the point of smallest certified gap and records it in
    ``problem.f_star_accuracy``.  Returns ``(x, F(x))``."""
    from ..methods.accelerated import fista

    target = CONSTRAINED_GAP * max(1.0, abs(problem.objective(problem.x0)))
    best, gap = x, frank_wolfe_gap(problem, x)

    def consider(cand):
        nonlocal best, gap
        if cand is not None and np.all(np.isfinite(cand)) and problem.feasible(cand, tol=1e-12):
            g = frank_wolfe_gap(problem, cand)
            if g < gap:
                best, gap = cand, g
                return True
        return False

    consider(_least_squares_minimizer(problem))  # inside the set: the constrained minimizer
    consider(_active_set_candidate(problem, best))
    for _ in range(rounds):
        if gap <= target:
            break
        res = fista(problem, x0=best, steps=steps, restart="gradient", record=2, seed=0, progress=False)
        if not np.all(np.isfinite(res.x)):
            break
        moved = consider(problem.regularizer.prox(res.x, 1.0))
        moved = consider(_active_set_candidate(problem, best)) or moved
        if not moved:
            break  # no progress: keep the certificate we have
    problem._f_star_accuracy = max(gap, 0.0)
    return best, problem.objective(best)


def _is_least_squares(problem):
    return problem.loss == SQUARED and problem.reduce == SUM and problem.penalty is None


def _least_squares_minimizer(problem):
    """A minimizer of a least-squares loss over R^d (``lstsq``), or None for other losses."""
    if not _is_least_squares(problem):
        return None
    A = problem.A.toarray() if sp.issparse(problem.A) else np.asarray(problem.A)
    w, l2, b, d = problem.weight, problem.l2, problem.b, problem.dim
    if l2 > 0:
        A, b = np.vstack([np.sqrt(w) * A, np.sqrt(l2) * np.eye(d)]), np.concatenate([np.sqrt(w) * b, np.zeros(d)])
    return np.linalg.lstsq(A, b, rcond=None)[0]


def _active_set_candidate(problem, x):
    """For a least-squares loss on a Box or Simplex: the minimizer on the face that ``x`` identifies (coordinates
    at a bound fixed there, or zero on the simplex; the rest solve the reduced normal equations, with the simplex's
    sum as an equality), exact to rounding when the face is right; None for other losses, sets or degenerate
    faces."""
    from .sets import Box, Simplex

    if not _is_least_squares(problem):
        return None
    A = problem.A.toarray() if sp.issparse(problem.A) else np.asarray(problem.A)
    w, l2, b, d = problem.weight, problem.l2, problem.b, problem.dim
    reg = problem.regularizer
    tol = 1e-9 * max(1.0, float(np.max(np.abs(x))))
    if isinstance(reg, Box):
        lo, hi = reg.arrays(d)
        fixed = (x <= lo + tol) | (x >= hi - tol)
        xf = np.where(x <= lo + tol, lo, np.where(x >= hi - tol, hi, x))
        F = ~fixed
        if not F.any():
            return xf
        rhs = w * A[:, F].T @ (b - A[:, ~F] @ xf[~F])
        H = w * A[:, F].T @ A[:, F] + l2 * np.eye(int(F.sum()))
        xf[F] = np.linalg.lstsq(H, rhs, rcond=None)[0]
        return xf
    if isinstance(reg, Simplex):
        F = x > tol
        k = int(F.sum())
        if k == 0:
            return None
        H = w * A[:, F].T @ A[:, F] + l2 * np.eye(k)
        K = np.block([[H, np.ones((k, 1))], [np.ones((1, k)), np.zeros((1, 1))]])
        sol = np.linalg.lstsq(K, np.concatenate([w * A[:, F].T @ b, [reg.scalar]]), rcond=None)[0]
        out = np.zeros(d)
        out[F] = sol[:k]
        return out
    return None


def polish_proximal_gradient(problem, x, max_iter=200_000):
    """Iterate x <- prox(x - grad f(x)/L) until it stops moving (linear convergence when mu > 0)."""
    L = problem.constants["L"]
    for _ in range(max_iter):
        x_new = problem.prox(x - problem.grad(x) / L, 1.0 / L)
        if np.linalg.norm(x_new - x) <= 1e-15 * max(1.0, np.linalg.norm(x)):
            return x_new
        x = x_new
    return x
