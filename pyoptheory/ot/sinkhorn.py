r"""Sinkhorn's algorithm for entropic optimal transport (catalogue: structured.md, section 2).

Problem (POT's convention, ``reg = epsilon = 1/eta`` of the SNS paper):

.. math::

    \min_{P \ge 0,\ P 1 = a,\ P^\top 1 = b} \langle C, P\rangle + \mathrm{reg} \sum_{ij} P_{ij} (\log P_{ij} - 1),

with dual potentials ``f, g`` and plan ``P_ij = exp((f_i + g_j - C_ij)/reg)``; the dual
objective ``D(f, g) = <a, f> + <b, g> - reg sum_ij P_ij + reg * mass`` is concave, and each
Sinkhorn half-step maximises it exactly over one block:

    f_i = reg log a_i - reg LSE_j((g_j - C_ij)/reg),   g_j = reg log b_j - reg LSE_i((f_i - C_ij)/reg).

Methods:

* ``"stabilized"`` (default): the scaling iteration ``u = a/(K v)``, ``v = b/(K^T u)`` on the
  kernel ``K = exp((f + g - C)/reg)`` of absorbed potentials ``f, g``; ``u, v`` are absorbed into
  ``f, g`` (and ``K`` rebuilt) when they leave ``[1/absorb_bound, absorb_bound]``, and an iteration whose
  ``K v`` or ``K^T u`` underflowed is replaced by an exact log-domain iteration.  Each iteration costs
  two matrix-vector products, as in the scaling form, yet it runs at any ``reg``.  Entries of ``K``
  below ``exp(-707)`` are stored as 0: with ``u, v <= absorb_bound = 1e50`` their contribution to the
  plan is below ``1e-207`` per entry.
* ``"log"``: the log-sum-exp updates above (no overflow at any ``reg``; each iteration
  evaluates ``2 n m`` exponentials).
* ``"scaling"``: the multiplicative form with ``K = exp(-C/reg)`` formed once (fast for large
  ``reg``; it underflows at small ``reg`` and then stops with ``success=False`` and a message).
* ``"sns"``: Sinkhorn-Newton-Sparse, :mod:`pyoptheory.ot.sns`.

The NumPy functions here are the references of ``cpp/include/pyoptheory/sinkhorn.hpp``; both
flush kernel entries below ``exp(-707)`` to 0 (see ``simd.hpp``).
"""
from __future__ import annotations

import time

import numpy as np
from scipy.special import logsumexp

from .._validation import as_float_array, as_int, as_scalar, choose, MAX_STEPS
from ..result import Result, Trace

METHODS = ("stabilized", "log", "scaling", "sns")
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
        previous = f.copy()
        err = row_update(C, a, b, reg, f, g)
        if not np.isfinite(err):
            return it, err, True
        if err <= tol:  # return the plan whose error was measured
            f[:] = previous
            return it, err, False
        col_update(C, a, b, reg, f, g)
    return iters, err, False


def kernel_matrix(C, f, g, reg):
    """``K_ij = exp((f_i + g_j - C_ij)/reg)``, entries below ``exp(-707)`` stored as 0 (as the kernel does)."""
    with np.errstate(invalid="ignore", over="ignore"):
        Z = (f[:, None] + g[None, :] - C) / reg
        return np.where(Z < -707.0, 0.0, np.exp(Z))


def scaling_step(K, a, b, u, v):
    """One scaling iteration: ``(err, bad, u_new, v_new)`` with ``err = ||u * (K v) - a||_1`` of the
    plan before the update; ``bad`` when some ``K v`` or ``K^T u_new`` with positive mass is 0 or not finite."""
    kv = K @ v
    err = float(np.sum(np.abs(u * kv - a)))
    row_bad = np.any((a > 0) & ~((kv > 0) & np.isfinite(kv)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        unew = np.where(a > 0, a / kv, 0.0)
        ktu = K.T @ np.where(np.isfinite(unew), unew, 0.0)
        vnew = np.where(b > 0, b / ktu, 0.0)
    col_bad = np.any((b > 0) & ~((ktu > 0) & np.isfinite(ktu)))
    return err, bool(row_bad or col_bad or not np.isfinite(err)), unew, vnew


def scaling_iterations(K, a, b, u, v, iters, tol):
    """``iters`` scaling iterations ``u = a/(K v)``, ``v = b/(K^T u)``; stops on underflow."""
    err = np.nan
    for it in range(iters):
        err, bad, unew, vnew = scaling_step(K, a, b, u, v)
        if np.isfinite(err) and err <= tol:
            return it, err, False
        if bad:
            return it, err, True
        u[:], v[:] = unew, vnew
    return iters, err, False


def _absorb(f, u, reg):
    with np.errstate(divide="ignore"):
        f[:] = np.where(f > -np.inf, f + reg * np.log(u), -np.inf)
    u[:] = 1.0


def stabilized_iterations(C, a, b, reg, f, g, K, u, v, kernel_ready, iters, tol, bound):
    """``iters`` absorption-stabilized iterations (module docstring).  The potentials are
    ``f + reg log u`` and ``g + reg log v``; ``K`` is rebuilt in place.  Returns
    ``(done, err, nonfinite, absorptions, log_steps)``."""
    if not kernel_ready:
        K[:] = kernel_matrix(C, f, g, reg)
    err, absorptions, log_steps = np.nan, 0, 0

    def out_of_range(x):
        return bool(np.any((x > bound) | ((x != 0) & (x < 1.0 / bound))))

    for it in range(iters):
        err, bad, unew, vnew = scaling_step(K, a, b, u, v)
        if np.isfinite(err) and err <= tol:
            return it, err, False, absorptions, log_steps
        if bad:  # an exact log-domain iteration from the current potentials, then a fresh kernel
            _absorb(f, u, reg)
            _absorb(g, v, reg)
            _, log_err, nonfinite = log_iterations(C, a, b, reg, f, g, 1, -1.0)
            if nonfinite:
                return it, log_err, True, absorptions, log_steps
            K[:] = kernel_matrix(C, f, g, reg)
            absorptions += 1
            log_steps += 1
            continue
        u[:], v[:] = unew, vnew
        if out_of_range(u) or out_of_range(v):
            _absorb(f, u, reg)
            _absorb(g, v, reg)
            K[:] = kernel_matrix(C, f, g, reg)
            absorptions += 1
    return iters, err, False, absorptions, log_steps


# --- the solver ---------------------------------------------------------------------------------
def _check_inputs(a, b, C, reg, normalize):
    C = as_float_array(C, "C", ndim=2, copy=False)  # read only: never copied when already float64
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


class _Engine:
    """The iteration state of one method on one backend: ``run(iters, tol) -> (done, err, nonfinite)``,
    the current potentials, and the plan written into an n x m buffer."""

    def __init__(self, method, backend, a, b, C, reg, f, g, n_threads, bound):
        self.method, self.a, self.b, self.C, self.reg, self.n_threads, self.bound = method, a, b, C, reg, n_threads, bound
        self.core = None
        if backend == "cpp":
            from .. import _core

            self.core = _core
        self.f, self.g = f, g
        self.absorptions = self.log_steps = 0
        self.K = None
        if method == "scaling":
            with np.errstate(over="ignore"):
                self.K = np.exp(-C / reg)
            self.u, self.v = np.exp(f / reg), np.exp(g / reg)
            self.kernel_ready = True
        elif method == "stabilized":
            self.K = np.empty_like(C)  # built by the first run
            self.u, self.v = np.ones_like(f), np.ones_like(g)
            self.kernel_ready = False

    def run(self, iters, tol):
        core, a, b, C, reg = self.core, self.a, self.b, self.C, self.reg
        if self.method == "log":
            if core is not None:
                return core.sinkhorn_log(C, a, b, reg, self.f, self.g, iters, tol, self.n_threads)
            return log_iterations(C, a, b, reg, self.f, self.g, iters, tol)
        if self.method == "scaling":
            if core is not None:
                return core.sinkhorn_scaling(self.K, a, b, self.u, self.v, iters, tol, self.n_threads)
            return scaling_iterations(self.K, a, b, self.u, self.v, iters, tol)
        args = (C, a, b, reg, self.f, self.g, self.K, self.u, self.v, self.kernel_ready, iters, tol, self.bound)
        if core is not None:
            done, err, bad, absorbed, logs = core.sinkhorn_stabilized(*args, self.n_threads)
        else:
            done, err, bad, absorbed, logs = stabilized_iterations(*args)
        self.kernel_ready = True
        self.absorptions += absorbed
        self.log_steps += logs
        return done, err, bad

    def potentials(self):
        if self.method == "log":
            return self.f, self.g
        with np.errstate(divide="ignore"):
            lu, lv = np.log(self.u), np.log(self.v)
        if self.method == "scaling":
            return self.reg * lu, self.reg * lv
        return (np.where(self.f > -np.inf, self.f + self.reg * lu, -np.inf),
                np.where(self.g > -np.inf, self.g + self.reg * lv, -np.inf))

    def row_error(self):
        """``||P 1 - a||_1`` and ``sum P`` of the current plan (nothing updated): a matrix-vector product
        with the kernel when there is one, else one pass of exponentials over C."""
        if self.K is not None and (self.method == "scaling" or self.kernel_ready):
            if self.core is not None:  # the kernel's threads, not BLAS's: no two thread pools spinning
                return self.core.scaling_row_error(self.K, self.a, self.u, self.v, self.n_threads)
            rows = self.u * (self.K @ self.v)
            return float(np.abs(rows - self.a).sum()), float(rows.sum())
        f, g = self.potentials()
        if self.core is not None:
            return self.core.sinkhorn_row_error(self.C, self.a, self.b, self.reg, np.ascontiguousarray(f),
                                                np.ascontiguousarray(g), self.n_threads)
        return row_update(self.C, self.a, self.b, self.reg, f.copy(), g, update=False)

    def plan(self):
        """The plan ``exp((f + g - C)/reg)`` of the current potentials, in the kernel buffer: scaled in
        place, ``diag(u) K diag(v)``, when the kernel is built, else one pass of exponentials."""
        if self.K is not None and (self.method == "scaling" or self.kernel_ready):
            out = self.K
            out *= self.u[:, None]
            out *= self.v[None, :]
            self.K, self.kernel_ready = None, False
            return out
        f, g = (np.ascontiguousarray(p) for p in self.potentials())
        out = self.K if self.K is not None else np.empty_like(self.C)
        if self.core is not None:
            self.core.sinkhorn_plan(self.C, f, g, self.reg, out, self.n_threads)
        else:
            out[:] = kernel_matrix(self.C, f, g, self.reg)
        self.K, self.kernel_ready = None, False  # the buffer now holds the plan
        return out


def plan_summary(P, C, f, g, a, b, reg):
    """``(cost, entropic_cost, total)`` of a plan ``P = exp((f + g - C)/reg)`` without n x m temporaries:
    ``<C, P>``, and ``<C, P> + reg sum P (log P - 1) + reg mass = <f, P 1> + <g, P^T 1> - reg sum P + reg mass``
    (since ``reg log P_ij = f_i + g_j - C_ij`` on the support)."""
    rows, cols = P.sum(axis=1), P.sum(axis=0)
    total = float(rows.sum())
    cost = float(np.vdot(C, P))
    ent = float(np.dot(f[rows > 0], rows[rows > 0]) + np.dot(g[cols > 0], cols[cols > 0])) - reg * total + reg * a.sum()
    return cost, ent, total


def sinkhorn(a, b, C, reg, *, method="stabilized", marginal_tol=1e-9, steps=10_000, max_time=None, warm_start=None,
             backend="cpp", n_threads=None, record=None, callback=None, normalize=False, warm_steps=20,
             sparsity=None, absorb_bound=1e50, progress=None):
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
    method : {"stabilized", "log", "scaling", "sns"}
        See the module docstring.  ``sns``: Sinkhorn-Newton-Sparse (Tang et al., ICLR 2024,
        Algorithm 1; :mod:`pyoptheory.ot.sns`): ``warm_steps`` Sinkhorn iterations, then sparse
        Newton steps keeping the ``ceil(sparsity n m)`` largest entries of P; ``steps`` counts both
        stages.  The result also has ``newton_steps``, ``cg_residual`` (worst relative CG residual),
        ``cg_iters`` (total), the final ``sparsity`` and ``sparsity_doublings``; the trace has one row
        per Newton step.
    sparsity : float or "auto"
        ``sns``: the fraction of the entries of P kept in the Newton matrix.  ``"auto"`` (default)
        starts at ``10 (n + m)/(n m)`` (``20/n`` for square problems; ``n, m`` count bins of positive
        mass) and doubles it after any full Newton step (line search ``alpha = 1``) that does not
        halve the l1 marginal error: plans that are far from sparse (larger ``reg``) need more
        entries per row, see :mod:`pyoptheory.ot.sns`.
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
    n_threads : int, optional
        Threads of the C++ kernels (default: the cores allowed by threadpoolctl).
    record, callback
        As in :func:`pyoptheory.solve` (log-spaced checkpoints; ``callback(result)`` may raise
        ``StopIteration``).
    absorb_bound : float
        ``"stabilized"``: absorb the scalings into the potentials when one leaves ``[1/absorb_bound, absorb_bound]``.
    progress : bool, optional
        A tqdm bar of the marginal error (default: on a terminal, for runs longer than 2 s).

    Returns
    -------
    Result
        ``x``: the plan (n, m); ``f``, ``g``: the potentials; ``fun``: the dual objective;
        ``cost``: ``<C, P>``; ``entropic_cost``: ``<C, P> + reg sum P (log P - 1) + reg * mass``;
        ``marginal_err``; ``trace`` with ``iter``, ``time``, ``marginal_err``, ``fun``;
        ``absorptions`` and ``log_steps`` for ``"stabilized"``.
        ``success`` is True only when ``marginal_tol`` was reached.

    Notes
    -----
    Memory: ``C`` and one n x m buffer (the kernel, which becomes the returned plan) for
    ``"stabilized"`` and ``"scaling"``; ``"log"`` allocates only the returned plan.

    References
    ----------
    Sinkhorn (1964); Cuturi (2013); Peyre & Cuturi, Computational Optimal Transport (2019), ch. 4;
    Schmitzer (2019), Stabilized sparse scaling algorithms for entropy regularized transport problems.
    """
    from ..methods._driver import checkpoints, default_threads, progress_bar

    a, b, C, reg = _check_inputs(a, b, C, reg, normalize)
    n, m = C.shape
    choose(method, "method", METHODS)
    if method == "sns":
        return _sns(a, b, C, reg, marginal_tol=marginal_tol, steps=steps, max_time=max_time, warm_start=warm_start,
                    backend=backend, n_threads=n_threads, warm_steps=warm_steps, sparsity=sparsity)
    choose(backend, "backend", BACKENDS)
    steps = as_int(steps, "steps", minimum=0, maximum=MAX_STEPS)
    tol = as_scalar(marginal_tol, "marginal_tol", nonnegative=True)
    bound = as_scalar(absorb_bound, "absorb_bound", positive=True)
    if not bound > 1.0:
        raise ValueError("absorb_bound: must exceed 1")
    max_time = np.inf if max_time is None else as_scalar(max_time, "max_time", positive=True)
    n_threads = default_threads() if n_threads is None else as_int(n_threads, "n_threads", minimum=1)
    if callback is not None and not callable(callback):
        raise TypeError("callback: must be callable as callback(intermediate_result)")
    mass = float(a.sum())
    if warm_start is None:
        f, g = np.zeros(n), np.zeros(m)
    else:
        f = as_float_array(warm_start[0], "warm_start[0]", shape=(n,), finite=False).copy()
        g = as_float_array(warm_start[1], "warm_start[1]", shape=(m,), finite=False).copy()
        if np.isnan(f).any() or np.isnan(g).any() or np.isposinf(f).any() or np.isposinf(g).any():
            raise ValueError("warm_start: potentials must be finite or -inf (on zero-mass bins)")
    eng = _Engine(method, backend, a, b, C, reg, f, g, n_threads, bound)
    ckpts = checkpoints(record, steps)
    cap = int(max(1, 2e7 // (n * m)))
    cols = {"iter": [], "time": [], "marginal_err": [], "fun": []}

    def dual(ff, gg, total):
        """D(f, g) = <a, f> + <b, g> - reg sum P + reg mass (zero-mass bins contribute nothing)."""
        return float(np.dot(a[a > 0], ff[a > 0]) + np.dot(b[b > 0], gg[b > 0]) - reg * total + reg * mass)

    def record_at(k, elapsed):
        err, total = eng.row_error()
        cols["iter"].append(k)
        cols["time"].append(elapsed)
        cols["marginal_err"].append(err)
        cols["fun"].append(dual(*eng.potentials(), total))
        return err

    def build(k, status, message, err, final=False):
        ff, gg = (p.copy() for p in eng.potentials())
        P = eng.plan() if final else _plan_copy(eng)
        if not np.isfinite(P.sum()):  # overflowed potentials (a failed run): no inf/NaN in the plan
            P[~np.isfinite(P)] = 0.0
        cost, entropic, total = plan_summary(P, C, ff, gg, a, b, reg)
        extra = dict(absorptions=eng.absorptions, log_steps=eng.log_steps) if method == "stabilized" else {}
        return Result(x=P, f=ff, g=gg, fun=dual(ff, gg, total), cost=cost, entropic_cost=entropic,
                      marginal_err=err, nit=int(k), success=bool(err <= tol), status=status, message=message,
                      trace=Trace({c: np.asarray(vals) for c, vals in cols.items()}), backend=backend, seed=None,
                      grad_evals=2 * int(k), fevals=0, method=f"sinkhorn_{method}", problem="entropic_ot", **extra)

    elapsed, k = 0.0, 0
    err = record_at(0, 0.0)
    if method == "scaling" and np.any(eng.K == 0.0):  # exp(-C/reg) lost entries: a different problem, refuse
        lost = int(np.count_nonzero(eng.K == 0.0))
        return build(0, 1, f"the scaling form underflowed: exp(-C/reg) is 0 for {lost} entries "
                     "(use method='stabilized')", err, final=True)
    if err <= tol:
        return build(0, 6, "converged: marginal_tol reached at x0", err, final=True)
    status, message, next_ck = 0, "", 1
    bar = progress_bar(progress, total=None, desc=f"sinkhorn ({method})")
    try:
        while k < steps:
            target = min(ckpts[next_ck], k + cap)
            t0 = time.perf_counter()
            done, kerr, bad = eng.run(target - k, tol)
            elapsed += time.perf_counter() - t0
            k += done
            if bar is not None:
                bar.update(done)
                bar.set_postfix(marginal_err=f"{kerr:.2e}", refresh=False)
            if bad:
                status = 1
                message = (f"stopped at iteration {k}: " + ("the scaling form underflowed (use method='stabilized')"
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
    finally:
        if bar is not None:
            bar.close()
    if status != 1 and (not cols["iter"] or cols["iter"][-1] != k):
        err = record_at(k, elapsed)
    if status == 0:
        message = (f"marginal error {err:.3e} above marginal_tol {tol:.3e} after steps={steps}" if err > tol
                   else f"converged at iteration {k}")
        status = 0 if err > tol else 6
    return build(k, status, message, err, final=True)


def _plan_copy(eng):
    """An intermediate plan for callbacks, leaving the engine's kernel buffer intact."""
    f, g = (np.ascontiguousarray(p) for p in eng.potentials())
    out = np.empty_like(eng.C)
    if eng.core is not None:
        eng.core.sinkhorn_plan(eng.C, f, g, eng.reg, out, eng.n_threads)
    else:
        out[:] = kernel_matrix(eng.C, f, g, eng.reg)
    return out


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
    steps = as_int(steps, "steps", minimum=0, maximum=MAX_STEPS)
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
    adaptive = sparsity is None or (isinstance(sparsity, str) and sparsity == "auto")
    sparsity = (min(1.0, 10.0 * (n + m) / (n * m)) if adaptive
                else as_scalar(sparsity, "sparsity", positive=True, upper=1.0))
    cg_tol = 1e-10
    warm = sinkhorn(a, b, C, reg, method="stabilized", marginal_tol=tol, steps=min(warm_steps, steps),
                    warm_start=warm_start, backend=backend, n_threads=n_threads,
                    record="all" if warm_steps <= 100 else 100)
    f, g = warm.f.copy(), warm.g.copy()
    warm_nit, warm_err, warm_fun, cols = warm.nit, warm.marginal_err, warm.fun, {k: list(v) for k, v in warm.trace.items()}
    del warm  # its plan: the Newton stage keeps only C and the sparse matrix
    if not (np.all(np.isfinite(f)) and np.all(np.isfinite(g))):
        raise ValueError("warm_start: the Newton stage needs finite potentials on bins with positive mass "
                         "(pass warm_steps >= 1 or finite warm_start)")
    if backend == "cpp":
        from .._core import sns_newton as kernel
    else:
        kernel = newton_steps
    elapsed = cols["time"][-1]
    k, err, fun, status, newton, cg_worst, cg_iters = warm_nit, warm_err, warm_fun, 0, 0, 0.0, 0
    message, chunk, grown, prev_err = "", 1, 0, err
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
            if adaptive and sparsity < 1.0:
                # a full Newton step (alpha = 1: past the damped phase) that does not halve the marginal
                # error: the kept entries miss too much of the plan's mass; double them (one step per
                # call while adapting)
                errs = np.concatenate([[prev_err], out["step_err"]])
                full = np.asarray(out["step_alpha"]) == 1.0
                if np.any(full & (errs[1:] > 0.5 * errs[:-1])):
                    sparsity = min(1.0, 2.0 * sparsity)
                    grown += 1
                prev_err = err
            if elapsed > max_time:
                status, message = 3, f"stopped at iteration {k}: max_time={max_time:g} s reached"
                break
            # about one second per call (Ctrl-C is seen between calls), never beyond max_time
            per_step = float(np.mean(step_time))
            chunk = max(1, int(min(1.0, max_time - elapsed) / max(per_step, 1e-9)))
            if adaptive and sparsity < 1.0:
                chunk = 1
    except KeyboardInterrupt:
        status, message = 5, f"interrupted (KeyboardInterrupt) at iteration {k}"
    if status == 0:
        status = 6 if err <= tol else 0
        message = (f"converged at iteration {k} ({newton} Newton steps): marginal error {err:.3e}" if err <= tol
                   else f"marginal error {err:.3e} above marginal_tol {tol:.3e} after steps={steps}")
    P = np.empty_like(C)
    if backend == "cpp":
        from .._core import sinkhorn_plan

        sinkhorn_plan(C, f, g, reg, P, n_threads)
    else:
        P[:] = kernel_matrix(C, f, g, reg)
    if not np.isfinite(P.sum()):
        P[~np.isfinite(P)] = 0.0
    cost, entropic, _ = plan_summary(P, C, f, g, a, b, reg)
    if dropped:
        P_full = np.zeros((n_full, m_full))
        P_full[np.ix_(rows, columns)] = P
        f_full, g_full = np.full(n_full, -np.inf), np.full(m_full, -np.inf)
        f_full[rows], g_full[columns] = f, g
        P, f, g = P_full, f_full, g_full
    return Result(x=P, f=f, g=g, fun=fun, cost=cost, entropic_cost=entropic,
                  marginal_err=err, nit=int(k), newton_steps=newton, cg_residual=cg_worst, cg_iters=cg_iters,
                  sparsity=sparsity, sparsity_doublings=grown, success=bool(err <= tol), status=status, message=message,
                  trace=Trace({c: np.asarray(v) for c, v in cols.items()}), backend=backend, seed=None,
                  grad_evals=2 * warm_nit + newton, fevals=0, method="sinkhorn_sns", problem="entropic_ot")
