r"""Coordinate descent for fractional programs, and Dinkelbach's method (catalogue structured.md 1.9).

Problem (:class:`pyoptheory.problems.FractionalQuadratic`)
    ``min_{x in [lo, hi]} F(x) = N(x) / D(x)``, ``N = 1/2 x^T A x + a^T x + alpha + lam ||x||_1`` convex,
    ``D = 1/2 x^T B x + b^T x + beta`` convex or concave and positive on the box.
Algorithm (Yuan, "Coordinate descent methods for fractional minimization", ICML 2023)
    pick a coordinate ``i`` (cyclic, a random permutation per epoch, or uniform) and set
    ``x_i <- x_i + argmin_t [F(x + t e_i) + (theta/2) t^2]``, the one-dimensional problem solved
    **globally** (:mod:`._fractional_reference` explains how: breakpoints and the real roots of a degree-5
    polynomial).  ``F`` never increases; limit points are coordinate-wise stationary: no single coordinate
    can decrease ``F(x) + theta/2 t^2`` (Yuan 2023; the trace's ``cw_decrease`` measures how far from
    that a point is).
Guarantee
    Monotone decrease and coordinate-wise stationarity of limit points; Q-linear convergence under extra
    conditions and, for a concave denominator, global optimality of critical points with a sublinear rate
    (Yuan 2023, abstract; the theorems' exact conditions and constants are catalogue [M] and not checked
    here).  What the tests check: the decrease at every step, ``cw_decrease -> 0``, and agreement with
    Dinkelbach's global optimum on concave denominators.
"""
from __future__ import annotations

import numpy as np

from .._validation import as_scalar, choose
from ..registry import register
from ..result import Result, Trace
from . import _fractional_reference as R
from ._driver import common_options, run_chunks

BACKENDS = ("numpy", "cpp")
RULES = ("cyclic", "permutation", "uniform")


class _State:
    """x with the products kept by the kernels: ``u = A x``, ``v = B x``, ``scal = [N_smooth, lam||x||_1, D]``."""

    def __init__(self, p, x):
        self.x = x.copy()
        self.u = np.zeros(p.dim)
        self.v = np.zeros(p.dim)
        self.scal = np.zeros(3)
        self.refresh(p)

    def refresh(self, p):
        """Recompute the kept quantities from x (at every checkpoint: no drift accumulates)."""
        x = self.x
        self.u[:] = p.A @ x
        self.v[:] = p.B @ x
        self.scal[:] = (0.5 * x @ self.u + p.a @ x + p.alpha, p.lam * np.abs(x).sum(),
                        0.5 * x @ self.v + p.b @ x + p.beta)

    def fun(self):
        return (self.scal[R.S_NSMOOTH] + self.scal[R.S_L1]) / self.scal[R.S_DEN]


def _orders(rule, d, rng, k0, k1, carry):
    """The coordinates of steps ``k0 .. k1-1``: cyclic, a fresh permutation per epoch, or uniform."""
    m = k1 - k0
    if rule == "cyclic":
        return np.arange(k0, k1, dtype=np.int64) % d
    if rule == "uniform":
        return rng.integers(0, d, size=m).astype(np.int64)
    out, total = [carry[0]], carry[0].size
    while total < m:
        out.append(rng.permutation(d).astype(np.int64))
        total += d
    stream = np.concatenate(out)
    carry[0] = stream[m:]
    return stream[:m]


@register("fractional_cd", accepts=("fractional",), backends=BACKENDS)
def fractional_cd(problem, *, rule="cyclic", theta=0.0, backend=None, **options):
    r"""Coordinate descent with globally solved one-dimensional subproblems for ``min N(x)/D(x)``.

    Parameters
    ----------
    problem : FractionalQuadratic
    rule : {"cyclic", "permutation", "uniform"}
        Coordinate order (Yuan's two methods: cyclic and random).
    theta : float, >= 0
        Proximal weight of the subproblem ``min_t F(x + t e_i) + (theta/2) t^2``.  With ``theta = 0`` an
        unbounded coordinate direction may have its infimum at infinity; the run then stops with
        ``success=False`` and says so (use ``theta > 0`` or finite bounds).
    backend : {"cpp", "numpy"}
    **options
        ``x0, steps, max_time, seed, callback, record, progress``.  ``steps`` counts coordinate steps
        (``d`` make an epoch); ``grad_evals`` counts the coordinate derivatives read (one per step).

    Returns
    -------
    Result
        Trace columns ``iter, time, fun, gap`` (``F - F*`` where the optimum is known: concave
        denominators), ``cw_decrease`` (``max_i [F(x) - min_t (F(x + t e_i) + theta/2 t^2)]``, zero exactly
        at coordinate-wise stationary points), ``support``, ``grad_evals``, ``fevals``.
    """
    from ..problems.fractional import FractionalQuadratic

    if not isinstance(problem, FractionalQuadratic):
        raise TypeError(f"problem: expected a FractionalQuadratic, got {type(problem).__name__}")
    rule = choose(rule, "rule", RULES)
    theta = as_scalar(theta, "theta", nonnegative=True)
    backend = choose("cpp" if backend is None else backend, "backend", BACKENDS)
    opts = common_options(problem, **options)
    p, d = problem, problem.dim
    st = _State(p, opts["x0"])
    # the global optimum (Dinkelbach through cvxpy) for concave denominators of moderate size, when computable
    f_star = p.f_star if p.denominator == "concave" and d <= 300 else p.known_optimum()[1]
    rng = np.random.default_rng(opts["seed"])
    carry = [np.zeros(0, dtype=np.int64)]
    cols = {c: [] for c in ("iter", "time", "fun", "gap", "cw_decrease", "support", "grad_evals", "fevals")}
    data = (p.A, p.a, p.B, p.b, p.lo, p.hi, p.lam, theta)

    def record(k, elapsed):
        st.refresh(p)
        fun = st.fun()
        for name, value in (("iter", k), ("time", elapsed), ("fun", fun),
                            ("gap", np.nan if f_star is None else fun - f_star),
                            ("cw_decrease", R.coordinate_decrease(*data, st.x, st.u, st.v, st.scal)),
                            ("support", int(np.count_nonzero(st.x))), ("grad_evals", k), ("fevals", k)):
            cols[name].append(value)

    def build(k, status, message):
        st.refresh(p)
        return Result(x=st.x.copy(), fun=float(p.objective(st.x)), nit=int(k), success=status == 0, status=status,
                      message=message, trace=Trace({c: np.asarray(v) for c, v in cols.items()}), backend=backend,
                      seed=opts["seed"], grad_evals=int(k), fevals=int(k), method="fractional_cd", problem=p.name)

    def advance(k0, k1, order):
        selected = np.zeros(k1 - k0, dtype=np.int64)
        if backend == "cpp":
            from .. import _core

            status, k_fail = _core.fractional_advance(*data, st.x, st.u, st.v, st.scal, order, selected)
        else:
            status, k_fail = R.advance(*data, st.x, st.u, st.v, st.scal, order, selected)
        if status == 0:
            return None
        k = k0 + int(k_fail)
        if status == 2:
            return k, 1, (f"the one-dimensional subproblem along coordinate {order[k_fail]} at step {k} has no "
                          f"minimizer (its infimum is approached as |t| -> inf); use theta > 0 or finite bounds")
        return k, 1, f"diverged at step {k}: non-finite coordinate update"

    k, status, message, elapsed = run_chunks(
        opts["steps"], opts["record"], max(1, int(2e7 // (2 * d + 200))), advance, record, build,
        max_time=opts["max_time"], callback=opts["callback"], progress=opts["progress"], desc="fractional_cd",
        unit="step", prepare=lambda k0, k1: _orders(rule, d, rng, k0, k1, carry))
    if cols["iter"][-1] != k:
        record(k, elapsed)
    return build(k, status, message)


def dinkelbach(problem, *, x0=None, tol=1e-13, max_iter=100):
    r"""Dinkelbach's method: ``x_{k+1} = argmin_{x in box} N(x) - gamma_k D(x)``, ``gamma_{k+1} = F(x_{k+1})``.

    The subproblems are solved by cvxpy (CLARABEL), then polished by an exact linear solve on the
    identified free coordinates (zeros and active bounds fixed).  They are convex only when
    ``A - gamma B`` is positive semidefinite (always with a concave denominator and ``gamma >= 0``); a
    nonconvex subproblem raises ``ValueError``.  Stops when ``min N - gamma D >= -tol max(1, |gamma|)``
    (then ``gamma = F*``: Dinkelbach 1967).  Returns a Result with ``x``, ``fun = F(x)``, ``nit``.
    """
    p = problem
    x = p.x0 if x0 is None else np.clip(np.asarray(x0, dtype=float), p.lo, p.hi)
    gamma = p.f(x)
    history = [gamma]
    converged = False
    for it in range(1, max_iter + 1):
        H = p.A - gamma * p.B
        if np.linalg.eigvalsh(H)[0] < -1e-10 * max(1.0, np.abs(H).max()):
            raise ValueError(f"problem: Dinkelbach's subproblem at gamma = {gamma:.6g} is nonconvex "
                             "(A - gamma B is indefinite); use a concave denominator")
        x_new = _dinkelbach_subproblem(p, H, p.a - gamma * p.b, x)
        phi = p.numerator(x_new) - gamma * p.denominator_value(x_new)
        if phi >= -tol * max(1.0, abs(gamma)):
            converged = True
            break
        x, gamma = x_new, p.f(x_new)
        history.append(gamma)
    message = "subproblem value reached 0" if converged else f"max_iter = {max_iter} reached before the subproblem value reached 0"
    return Result(x=x, fun=float(gamma), nit=it, success=converged, status=0 if converged else 4, message=message,
                  trace=Trace({"iter": np.arange(len(history)), "fun": np.asarray(history)}), backend="cvxpy",
                  seed=0, grad_evals=0, fevals=it, method="dinkelbach", problem=p.name)


def _dinkelbach_subproblem(p, H, c, x_start):
    """``argmin_{x in box} 1/2 x^T H x + c^T x + lam ||x||_1`` (H PSD): cvxpy, then the exact polish."""
    import cvxpy as cp

    d = p.dim
    z = cp.Variable(d)
    obj = 0.5 * cp.quad_form(z, cp.psd_wrap(H)) + c @ z + p.lam * cp.norm1(z)
    cons = [z[i] >= p.lo[i] for i in range(d) if np.isfinite(p.lo[i])]
    cons += [z[i] <= p.hi[i] for i in range(d) if np.isfinite(p.hi[i])]
    cp.Problem(cp.Minimize(obj), cons).solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12,
                                             tol_feas=1e-12)
    x = np.clip(np.asarray(z.value, dtype=float), p.lo, p.hi)

    def value(y):
        return 0.5 * y @ H @ y + c @ y + p.lam * np.abs(y).sum()

    tol = 1e-7 * max(1.0, np.abs(x).max())
    fixed = np.where(np.abs(x - p.lo) <= tol, p.lo, np.where(np.abs(x - p.hi) <= tol, p.hi,
                                                             np.where(np.abs(x) <= tol, 0.0, np.nan)))
    free = np.isnan(fixed)
    y = np.where(free, 0.0, fixed)
    if free.any():
        rhs = -(c[free] + p.lam * np.sign(x[free]) + H[np.ix_(free, ~free)] @ y[~free])
        try:
            y[free] = np.linalg.solve(H[np.ix_(free, free)], rhs)
        except np.linalg.LinAlgError:
            return x
    ok = np.all(y >= p.lo) and np.all(y <= p.hi) and np.all(np.sign(y[free]) == np.sign(x[free]))
    return y if ok and value(y) <= value(x) + 1e-15 * max(1.0, abs(value(x))) else x
