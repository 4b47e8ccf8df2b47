r"""Sinkhorn's algorithm for entropic optimal transport (catalogue: structured.md, section 2).

Problem (POT's convention, ``reg = epsilon = 1/eta`` of the SNS paper):

.. math::

    \min_{P \ge 0,\ P 1 = a,\ P^\top 1 = b} \langle C, P\rangle + \mathrm{reg} \sum_{ij} P_{ij} (\log P_{ij} - 1),

with dual potentials ``f, g`` and plan ``P_ij = exp((f_i + g_j - C_ij)/reg)``; the dual
objective ``D(f, g) = <a, f> + <b, g> - reg sum_ij P_ij + reg * mass`` is concave, and each
Sinkhorn half-step maximises it exactly over one block:

    f_i = reg log a_i - reg LSE_j((g_j - C_ij)/reg),   g_j = reg log b_j - reg LSE_i((f_i - C_ij)/reg).

``method="log"`` runs these log-sum-exp updates (no overflow at any ``reg``); ``"scaling"`` the
multiplicative form ``u = a/(K v)``, ``v = b/(K^T u)`` with ``K = exp(-C/reg)`` (fast for large
``reg``; it underflows at small ``reg`` and then stops with ``success=False`` and a message).
The NumPy functions here are the references of ``cpp/include/pyoptheory/sinkhorn.hpp``.
"""
from __future__ import annotations

import time

import numpy as np
from scipy.special import logsumexp

from .._validation import as_float_array, as_int, as_scalar, choose
from ..result import Result, Trace

METHODS = ("log", "scaling", "sns")
BACKENDS = ("numpy", "cpp")


# --- NumPy references -----------------------------------------------------------------------
def row_update(C, a, b, reg, f, g, update=True):
    """Row half-step: returns ``||P 1 - a||_1`` of the current plan and (if ``update``) sets
    ``f = reg (log a - LSE_j((g_j - C_ij)/reg))``."""
    lse = logsumexp((g[None, :] - C) / reg, axis=1)
    rows = np.exp(f / reg + lse)
    err = float(np.sum(np.abs(rows - a)))
    if update:
        with np.errstate(divide="ignore"):
            f[:] = np.where(a > 0, reg * (np.log(a) - lse), -np.inf)
    return err if update else (err, float(np.sum(rows)))


def col_update(C, a, b, reg, f, g):
    """Column half-step: ``g = reg (log b - LSE_i((f_i - C_ij)/reg))``."""
    lse = logsumexp((f[:, None] - C) / reg, axis=0)
    with np.errstate(divide="ignore"):
        g[:] = np.where(b > 0, reg * (np.log(b) - lse), -np.inf)


def log_iterations(C, a, b, reg, f, g, iters, tol):
    """``iters`` log-domain iterations; stop when the error measured before a row update is <= tol."""
    err = np.nan
    for it in range(iters):
        err = row_update(C, a, b, reg, f, g)
        if not np.isfinite(err):
            return it, err, True
        if err <= tol:
            return it, err, False
        col_update(C, a, b, reg, f, g)
    return iters, err, False


def scaling_iterations(K, a, b, u, v, iters, tol):
    """``iters`` scaling iterations ``u = a/(K v)``, ``v = b/(K^T u)``; stops on underflow."""
    err = np.nan
    for it in range(iters):
        kv = K @ v
        err = float(np.sum(np.abs(u * kv - a)))
        if not np.isfinite(err) or np.any((a > 0) & ~(kv > 0)):
            return it, err, True
        if err <= tol:
            return it, err, False
        u[:] = np.where(a > 0, a / np.where(kv > 0, kv, 1.0), 0.0)
        ktu = K.T @ u
        if np.any((b > 0) & ~(ktu > 0)) or not np.all(np.isfinite(ktu)):
            return it, err, True
        v[:] = np.where(b > 0, b / np.where(ktu > 0, ktu, 1.0), 0.0)
    return iters, err, False


# --- the solver ---------------------------------------------------------------------------------
def _check_inputs(a, b, C, reg, normalize):
    C = as_float_array(C, "C", ndim=2)
    n, m = C.shape
    a = as_float_array(a, "a", ndim=1, shape=(n,))
    b = as_float_array(b, "b", ndim=1, shape=(m,))
    if np.any(a < 0):
        raise ValueError("a: marginals must be nonnegative")
    if np.any(b < 0):
        raise ValueError("b: marginals must be nonnegative")
    sa, sb = a.sum(), b.sum()
    if sa <= 0 or sb <= 0:
        raise ValueError("a, b: marginals must have positive mass")
    if abs(sa - sb) > 1e-9 * max(sa, sb):
        if not normalize:
            raise ValueError(f"a, b: masses differ ({sa:.12g} vs {sb:.12g}); pass normalize=True to rescale both to 1")
    if normalize:
        a, b = a / sa, b / sb
    reg = as_scalar(reg, "reg", positive=True)
    return a, b, C, reg


def sinkhorn(a, b, C, reg, *, method="log", marginal_tol=1e-9, steps=10_000, max_time=None, warm_start=None,
             backend="cpp", n_threads=None, record=None, callback=None, normalize=False, warm_steps=20,
             sparsity=None):
    r"""Entropic optimal transport by Sinkhorn's algorithm (see the module docstring).

    Parameters
    ----------
    a, b : array (n,), (m,)
        Nonnegative marginals of equal mass (``normalize=True`` rescales both to 1).  Zero-mass
        bins get potential ``-inf`` and zero rows/columns in the plan (``sns`` solves on the support
        of ``a`` and ``b``, with the same outcome).
    C : array (n, m)
        Cost matrix (finite).  Integer and float32 input is converted to float64.
    reg : float
        Entropic regularization epsilon (POT's ``reg``; the SNS paper's ``eta = 1/reg``).
    method : {"log", "scaling", "sns"}
        ``sns``: Sinkhorn-Newton-Sparse (Tang et al., ICLR 2024, Algorithm 1;
        :mod:`pyoptheory.ot.sns`): ``warm_steps`` log-domain Sinkhorn iterations, then sparse
        Newton steps keeping the ``ceil(sparsity n m)`` largest entries of P (default
        ``sparsity = 10 (n + m)/(n m)``, i.e. ``20/n`` for square problems, with ``n, m`` counting
        bins of positive mass; plans that are far from sparse need more, see
        :mod:`pyoptheory.ot.sns`); ``steps`` counts both stages.  The result also has
        ``newton_steps``, ``cg_residual`` (worst relative CG residual), ``cg_iters`` (total) and
        ``sparsity``; the trace has one row per Newton step.
    marginal_tol : float
        Stop when ``||P 1 - a||_1 + ||P^T 1 - b||_1`` (the column term is 0 after each column update)
        is at most this.
    steps : int
        Full iterations (both half-steps).
    max_time : float, optional
        Seconds; the run stops with ``success=False``.
    warm_start : (f, g), optional
        Initial dual potentials.
    backend : {"cpp", "numpy"}
    record, callback
        As in :func:`pyoptheory.solve` (log-spaced checkpoints; ``callback(result)`` may raise
        ``StopIteration``).

    Returns
    -------
    Result
        ``x``: the plan (n, m); ``f``, ``g``: the potentials; ``fun``: the dual objective;
        ``cost``: ``<C, P>``; ``entropic_cost``: ``<C, P> + reg sum P (log P - 1) + reg * mass``;
        ``marginal_err``; ``trace`` with ``iter``, ``time``, ``marginal_err``, ``fun``.
        ``success`` is True only when ``marginal_tol`` was reached.

    References
    ----------
    Sinkhorn (1964); Cuturi (2013); Peyre & Cuturi, Computational Optimal Transport (2019), ch. 4.
    """
    from ..methods._driver import checkpoints, default_threads

    a, b, C, reg = _check_inputs(a, b, C, reg, normalize)
    n, m = C.shape
    choose(method, "method", METHODS)
    if method == "sns":
        return _sns(a, b, C, reg, marginal_tol=marginal_tol, steps=steps, max_time=max_time, warm_start=warm_start,
                    backend=backend, n_threads=n_threads, warm_steps=warm_steps, sparsity=sparsity)
    choose(backend, "backend", BACKENDS)
    steps = as_int(steps, "steps", minimum=0)
    tol = as_scalar(marginal_tol, "marginal_tol", nonnegative=True)
    max_time = np.inf if max_time is None else as_scalar(max_time, "max_time", positive=True)
    n_threads = default_threads() if n_threads is None else as_int(n_threads, "n_threads", minimum=1)
    if callback is not None and not callable(callback):
        raise TypeError("callback: must be callable as callback(intermediate_result)")
    mass = float(a.sum())
    if warm_start is None:
        f, g = np.zeros(n), np.zeros(m)
    else:
        f = as_float_array(warm_start[0], "warm_start[0]", shape=(n,), finite=False)
        g = as_float_array(warm_start[1], "warm_start[1]", shape=(m,), finite=False)
    if method == "scaling":
        K = np.exp(-C / reg)
        u, v = np.exp(f / reg), np.exp(g / reg)
    core = None
    if backend == "cpp":
        from .. import _core as core
    ckpts = checkpoints(record, steps)
    cap = int(max(1, 2e7 // (n * m)))
    cols = {"iter": [], "time": [], "marginal_err": [], "fun": []}

    def potentials():
        if method == "scaling":
            with np.errstate(divide="ignore"):
                return reg * np.log(u), reg * np.log(v)
        return f, g

    def error_and_mass():
        """``||P 1 - a||_1`` and ``sum P`` of the current plan (one pass over C, nothing updated)."""
        ff, gg = potentials()
        if core is not None:
            return core.sinkhorn_row_error(C, a, b, reg, np.ascontiguousarray(ff), np.ascontiguousarray(gg), n_threads)
        return row_update(C, a, b, reg, ff.copy(), gg, update=False)

    def dual(ff, gg, total):
        """D(f, g) = <a, f> + <b, g> - reg sum P + reg mass (zero-mass bins contribute nothing)."""
        return float(np.dot(a[a > 0], ff[a > 0]) + np.dot(b[b > 0], gg[b > 0]) - reg * total + reg * mass)

    def record_at(k, elapsed):
        err, total = error_and_mass()
        cols["iter"].append(k)
        cols["time"].append(elapsed)
        cols["marginal_err"].append(err)
        cols["fun"].append(dual(*potentials(), total))
        return err

    def build(k, status, message, err):
        ff, gg = potentials()
        with np.errstate(over="ignore", invalid="ignore"):
            P = np.exp((ff[:, None] + gg[None, :] - C) / reg)
        P = np.where(np.isfinite(P), P, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ent = float(np.sum(np.where(P > 0, P * (np.log(np.where(P > 0, P, 1.0)) - 1.0), 0.0)))
        cost = float(np.sum(C * P))
        return Result(x=P, f=ff.copy(), g=gg.copy(), fun=dual(ff, gg, float(P.sum())), cost=cost, entropic_cost=cost + reg * ent + reg * mass,
                      marginal_err=err, nit=int(k), success=bool(err <= tol), status=status, message=message,
                      trace=Trace({c: np.asarray(vals) for c, vals in cols.items()}), backend=backend, seed=None,
                      grad_evals=2 * int(k), fevals=0, method=f"sinkhorn_{method}", problem="entropic_ot")

    elapsed, k = 0.0, 0
    err = record_at(0, 0.0)
    if method == "scaling" and np.any(K == 0.0):  # exp(-C/reg) lost entries: a different problem, refuse
        lost = int(np.count_nonzero(K == 0.0))
        return build(0, 1, f"the scaling form underflowed: exp(-C/reg) is 0 for {lost} entries (use method='log')",
                     err)
    if err <= tol:
        return build(0, 6, "converged: marginal_tol reached at x0", err)
    status, message, next_ck = 0, "", 1
    try:
        while k < steps:
            target = min(ckpts[next_ck], k + cap)
            t0 = time.perf_counter()
            if method == "log":
                if core is not None:
                    done, kerr, bad = core.sinkhorn_log(C, a, b, reg, f, g, target - k, tol, n_threads)
                else:
                    done, kerr, bad = log_iterations(C, a, b, reg, f, g, target - k, tol)
            else:
                if core is not None:
                    done, kerr, bad = core.sinkhorn_scaling(K, a, b, u, v, target - k, tol, n_threads)
                else:
                    done, kerr, bad = scaling_iterations(K, a, b, u, v, target - k, tol)
            elapsed += time.perf_counter() - t0
            k += done
            if bad:
                status = 1
                message = (f"stopped at iteration {k}: " + ("the scaling form underflowed (use method='log')"
                                                             if method == "scaling" else "non-finite potentials"))
                err = kerr if np.isfinite(kerr) else (cols["marginal_err"][-1] if cols["marginal_err"] else np.nan)
                break
            if kerr <= tol:
                status, message, err = 6, f"converged at iteration {k}: marginal error {kerr:.3e} <= marginal_tol", kerr
                break
            if k == ckpts[next_ck]:
                next_ck += 1
                err = record_at(k, elapsed)
                if callback is not None:
                    try:
                        callback(build(k, 0, "intermediate result", err))
                    except StopIteration:
                        status, message = 4, f"stopped by the callback at iteration {k}"
                        break
            if elapsed > max_time:
                status, message = 3, f"stopped at iteration {k}: max_time={max_time:g} s reached"
                break
    except KeyboardInterrupt:
        status, message = 5, f"interrupted (KeyboardInterrupt) at iteration {k}"
    if status != 1 and (not cols["iter"] or cols["iter"][-1] != k):
        err = record_at(k, elapsed)
    if status == 0:
        message = (f"marginal error {err:.3e} above marginal_tol {tol:.3e} after steps={steps}" if err > tol
                   else f"converged at iteration {k}")
        status = 0 if err > tol else 6
    return build(k, status, message, err)


def _sns(a, b, C, reg, *, marginal_tol, steps, max_time, warm_start, backend, n_threads, warm_steps, sparsity):
    """Sinkhorn warm start, then sparse Newton steps (see :mod:`pyoptheory.ot.sns`).

    Zero-mass bins are dropped first (the Newton matrix would have zero rows): the problem is solved
    on the support of ``a`` and ``b`` and the dropped bins get potential ``-inf`` and zero rows or
    columns in the plan, as with ``method="log"``.
    """
    from ..methods._driver import default_threads
    from .sns import newton_steps

    choose(backend, "backend", BACKENDS)
    warm_steps = as_int(warm_steps, "warm_steps", minimum=0)
    steps = as_int(steps, "steps", minimum=0)
    tol = as_scalar(marginal_tol, "marginal_tol", nonnegative=True)
    max_time = np.inf if max_time is None else as_scalar(max_time, "max_time", positive=True)
    n_threads = default_threads() if n_threads is None else as_int(n_threads, "n_threads", minimum=1)
    n_full, m_full = C.shape
    rows, columns = np.flatnonzero(a > 0), np.flatnonzero(b > 0)
    dropped = rows.size < n_full or columns.size < m_full
    if warm_start is not None:
        warm_start = (as_float_array(warm_start[0], "warm_start[0]", shape=(n_full,), finite=False),
                      as_float_array(warm_start[1], "warm_start[1]", shape=(m_full,), finite=False))
    if dropped:
        a, b, C = a[rows], b[columns], np.ascontiguousarray(C[np.ix_(rows, columns)])
        if warm_start is not None:
            warm_start = (warm_start[0][rows], warm_start[1][columns])
    n, m = C.shape
    sparsity = (min(1.0, 10.0 * (n + m) / (n * m)) if sparsity is None
                else as_scalar(sparsity, "sparsity", positive=True, upper=1.0))
    cg_tol = 1e-10
    warm = sinkhorn(a, b, C, reg, method="log", marginal_tol=tol, steps=min(warm_steps, steps), warm_start=warm_start,
                    backend=backend, n_threads=n_threads, record="all")
    f, g = warm.f.copy(), warm.g.copy()
    if not (np.all(np.isfinite(f)) and np.all(np.isfinite(g))):
        raise ValueError("warm_start: the Newton stage needs finite potentials on bins with positive mass "
                         "(pass warm_steps >= 1 or finite warm_start)")
    if backend == "cpp":
        from .._core import sns_newton as kernel
    else:
        kernel = newton_steps
    cols = {k: list(v) for k, v in warm.trace.items()}
    elapsed = cols["time"][-1]
    k, err, fun, status, newton, cg_worst, cg_iters = warm.nit, warm.marginal_err, warm.fun, 0, 0, 0.0, 0
    message, chunk = "", 1
    try:
        while k < steps and err > tol:
            t0 = time.perf_counter()
            out = kernel(C, a, b, reg, f, g, min(chunk, steps - k), tol, sparsity, cg_tol, n_threads)
            wall = time.perf_counter() - t0
            step_time = np.array(out["step_time"], dtype=float)
            if step_time.size:  # the call's first sums pass and overheads count towards its first step
                step_time[0] += max(0.0, wall - float(step_time.sum()))
            times = elapsed + np.cumsum(step_time)
            done = int(out["steps"])
            cols["iter"].extend(range(k + 1, k + done + 1))
            cols["time"].extend(times.tolist())
            cols["marginal_err"].extend(out["step_err"].tolist())
            cols["fun"].extend(out["step_fun"].tolist())
            elapsed = float(times[-1]) if done else elapsed
            k += done
            newton += done
            cg_worst = max(cg_worst, float(out["cg_residual"]))
            cg_iters += int(out["cg_iters"])
            err, fun = float(out["marginal_err"]), float(out["fun"])
            if out["status"] == 1:
                status, message = 2, f"stopped at iteration {k}: the line search found no ascent step"
                break
            if out["status"] == 2:
                status, message = 1, f"stopped at iteration {k}: non-finite plan"
                break
            if done == 0:  # converged before the first step of this call
                break
            if elapsed > max_time:
                status, message = 3, f"stopped at iteration {k}: max_time={max_time:g} s reached"
                break
            # about one second per call (Ctrl-C is seen between calls), never beyond max_time
            per_step = float(np.mean(step_time))
            chunk = max(1, int(min(1.0, max_time - elapsed) / max(per_step, 1e-9)))
    except KeyboardInterrupt:
        status, message = 5, f"interrupted (KeyboardInterrupt) at iteration {k}"
    if status == 0:
        status = 6 if err <= tol else 0
        message = (f"converged at iteration {k} ({newton} Newton steps): marginal error {err:.3e}" if err <= tol
                   else f"marginal error {err:.3e} above marginal_tol {tol:.3e} after steps={steps}")
    with np.errstate(over="ignore", invalid="ignore"):
        P = np.exp((f[:, None] + g[None, :] - C) / reg)
    P = np.where(np.isfinite(P), P, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ent = float(np.sum(np.where(P > 0, P * (np.log(np.where(P > 0, P, 1.0)) - 1.0), 0.0)))
    cost = float(np.sum(C * P))
    if dropped:
        P_full = np.zeros((n_full, m_full))
        P_full[np.ix_(rows, columns)] = P
        f_full, g_full = np.full(n_full, -np.inf), np.full(m_full, -np.inf)
        f_full[rows], g_full[columns] = f, g
        P, f, g = P_full, f_full, g_full
    return Result(x=P, f=f, g=g, fun=fun, cost=cost, entropic_cost=cost + reg * ent + reg * a.sum(),
                  marginal_err=err, nit=int(k), newton_steps=newton, cg_residual=cg_worst, cg_iters=cg_iters,
                  sparsity=sparsity, success=bool(err <= tol), status=status, message=message,
                  trace=Trace({c: np.asarray(v) for c, v in cols.items()}), backend=backend, seed=None,
                  grad_evals=2 * warm.nit + newton, fevals=0, method="sinkhorn_sns", problem="entropic_ot")
