r"""Sinkhorn-Newton-Sparse, the Newton stage (Tang et al., ICLR 2024, Algorithm 1; catalogue structured.md 2.3).

A Sinkhorn warm start (:func:`pyoptheory.ot.sinkhorn`, ``method="log"``) is followed by Newton steps
on the concave dual with the Hessian sparsified.  With ``Z_ij = (f_i + g_j - C_ij)/reg`` and
``P = exp(Z)``, the dual

.. math::

    D(f, g) = \langle a, f\rangle + \langle b, g\rangle - \mathrm{reg} \sum_{ij} P_{ij} + \mathrm{reg}\,\mathrm{mass}

has gradient ``(a - P 1, b - P^T 1)`` and Hessian ``-(1/reg) [[diag(P 1), P], [P^T, diag(P^T 1)]]``.
One Newton step (:func:`newton_step`):

1. **Sparsify.** Keep the ``k = ceil(sparsity n m)`` largest entries of ``P`` (ranked by the exponent
   ``Z``; ties at the k-th largest value go to the smallest row-major index ``i m + j``; products
   ``sparsity n m`` within 1e-9 relative of an integer count as that integer, so ``sparsity = 10/n``
   keeps exactly ``10 m``).  ``M = (1/reg) [[diag(P 1), Pbar], [Pbar^T, diag(P^T 1)]]`` keeps the
   exact diagonals, so it is symmetric, diagonally dominant and positive semidefinite.
2. **Solve** ``M dz = grad D`` by Jacobi-preconditioned conjugate gradients (:func:`cg`) on the
   gauge-fixed system: ``D`` is invariant under ``(f + t, g - t)``, so the last ``g`` is pinned
   (``dz[-1] = 0``) and the reduced matrix is positive definite.  CG starts at 0 and stops when the
   recursive residual is at most ``cg_tol ||grad||_2`` or after ``20 (n + m)`` iterations; the
   reported residual is the true one, ``||M dz - grad|| / ||grad||`` on the reduced system.
   Jacobi (diagonal) preconditioning costs one product per coordinate and iteration; measured on
   200-point clouds (``reg = 2e-3``, ``sparsity = 0.1``, to marginal error 1e-12) it needs 1114 CG
   iterations in all with log-normal marginals against 18110 for plain CG, and 1003 against 1013 with
   uniform marginals.
3. **Line search.** Backtracking Armijo ascent on ``D``: the largest ``alpha`` in ``1, 1/2, ...,
   2^-59`` with ``D(z + alpha dz) - D(z) >= 1e-4 alpha <grad, dz>`` (``alpha = 0`` and no move when
   none qualifies).  The increase is evaluated without cancellation,

   .. math::

       D(z + \alpha\,dz) - D(z) = \alpha(\langle a, df\rangle + \langle b, dg\rangle)
       - \mathrm{reg} \sum_{ij} P_{ij}\,\mathrm{expm1}(\alpha(df_i + dg_j)/\mathrm{reg}),

   with ``expm1(x + y) = X + Y + X Y`` for ``X = expm1(x)``, ``Y = expm1(y)`` (one exponential per
   entry) when ``max |alpha dz| / reg <= 1``; larger steps take ``P_ij expm1(delta_ij)`` entry by entry,
   because the identity cancels catastrophically for large opposite ``x``, ``y`` (the gauge-fixed
   direction is often about ``(+t, -t)``).  The textbook form ``D(trial) - D(z)`` with ``sum P = exp(LSE(Z))`` is a difference of two
   O(1) numbers: once the l1 marginal error is below about 1e-7 it is rounding noise (measured: steps
   ``alpha`` of 1e-7 and 2e-9 chosen by noise on point clouds at ``reg = 1e-3``), and Newton's fast
   local convergence is lost.  Nothing overflows: a trial with an exponent above 700 is rejected
   (``sum P > e^700``: ``D = -inf`` in double precision), and ``exp(Z + delta) - P`` replaces
   ``P expm1(delta)`` where ``delta > 700`` or ``P`` underflowed to 0.

``sparsity`` counts entries of the n x m block P.  The paper's ``lambda = 2/n`` for random assignment
stalls here (n = 500, eta = 1200: 1917 Newton steps to marginal error 1e-9, against 10 with ``5/n`` and
8 with ``10/n`` to ``40/n``); the design note's convention counts entries of the whole ``(n+m)^2``
Hessian, about 4x more, which reconciles the two.  Plans that are less sparse need more entries per row
(roughly the number of targets within a few ``reg`` of cost): Newton steps to 1e-9 (tests'
``clouds``: squared distances of uniform points in the unit square, normalized by the maximum)

===================================  ======  ======  ======  ======
kept entries per row (``sparsity n``)    10      15      20      30
===================================  ======  ======  ======  ======
random, n = 1000, reg = 1/1200            5       5       5       5
random, n = 500, reg = 1/300             31       4       2       2
clouds, n = 300, reg = 1e-3             148      13       8       8
clouds, n = 2000, reg = 1e-4 (to 1e-8)  215       -      20       -
clouds, n = 1000, reg = 1e-3          >2980   >2980    1275     194
===================================  ======  ======  ======  ======

so the default set in :func:`pyoptheory.ot.sinkhorn` is ``10 (n + m) / (n m)`` (``20/n`` when
``n = m``).  When the plan is far from sparse (larger ``reg``) no small ``sparsity`` gives Newton's
speed, and plain Sinkhorn, fast in that regime, is the better method.  There is no rate theorem: the
speed-ups are empirical claims of the paper.

Backends: this module is the readable NumPy/SciPy reference (it forms the dense n x m exponent
matrix).  ``cpp/include/pyoptheory/sns.hpp`` runs the same steps without any n x m temporary
(a histogram of the exponents finds the selection cut, CSR ``Pbar``, OpenMP over rows) and
reuses the sums of the accepted trial as the next step's row and column sums; it agrees with this
reference to rounding (tests/test_sns.py).

References
----------
X. Tang, M. Shavlovsky, H. Rahmanian, E. Tardini, K. K. Thekumparampil, T. Xiao, L. Ying,
"Accelerating Sinkhorn algorithm with sparse Newton iterations", ICLR 2024 (arXiv:2401.12253),
Algorithm 1.
"""
from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp

#: Armijo constant and number of trial step lengths (1, 1/2, ..., 2^-59).
ARMIJO_C = 1e-4
LINE_SEARCH_TRIALS = 60


def dual_value(C, a, b, reg, f, g, mass):
    """``D(f, g) = <a, f> + <b, g> - reg sum P + reg mass`` with ``sum P = exp(LSE(Z))``.

    Finite for any finite trial potentials whose total mass is below the double range (then ``-inf``).
    """
    Z = (f[:, None] + g[None, :] - C) / reg
    with np.errstate(over="ignore"):
        total = np.exp(logsumexp(Z))
    return float(a @ f + b @ g - reg * total + reg * mass)


def kept_count(sparsity, n, m):
    """``k = ceil(sparsity n m)`` clipped to ``[1, n m]``; products within 1e-9 relative of an integer
    count as that integer (``sparsity = 10/n`` keeps exactly ``10 m``, not ``10 m + 1``)."""
    x = sparsity * n * m
    return int(min(n * m, max(1, math.ceil(x - 1e-9 * x))))


def top_k(values, k):
    """Row-major flat indices (ascending) of the ``k`` largest entries of ``values``.

    Ties at the k-th largest value are broken by the smallest flat index, so the selection is unique.
    """
    flat = values.ravel()
    if k >= flat.size:
        return np.arange(flat.size)
    kth = np.partition(flat, flat.size - k)[flat.size - k]  # the k-th largest value
    above = np.flatnonzero(flat > kth)
    ties = np.flatnonzero(flat == kth)[: k - above.size]
    return np.sort(np.concatenate([above, ties]))


def newton_matrix(r, c, Pbar):
    """``K = [[diag(r), Pbar], [Pbar^T, diag(c)]]`` (CSR); the Newton matrix is ``M = K / reg``."""
    return sp.bmat([[sp.diags(r), Pbar], [Pbar.T, sp.diags(c)]], format="csr")


def sparsified_hessian(P, reg, sparsity):
    """``M = (1/reg) [[diag(P 1), Pbar], [Pbar^T, diag(P^T 1)]]`` (CSR) for a given plan ``P``.

    ``Pbar`` keeps the ``kept_count(sparsity, n, m)`` largest entries of ``P`` (ties: smallest flat
    index), i.e. the matrix of step 1 of :func:`newton_step`, which ranks the exponents instead.
    """
    n, m = P.shape
    keep = top_k(P, kept_count(sparsity, n, m))
    rows, cols = np.divmod(keep, m)
    Pbar = sp.csr_matrix((P.ravel()[keep], (rows, cols)), shape=(n, m))
    return newton_matrix(P.sum(1), P.sum(0), Pbar) / reg


def cg(K, rhs, tol, maxiter):
    r"""Jacobi-preconditioned conjugate gradients for ``K x = rhs`` from ``x = 0``.

    ``K`` is symmetric positive (semi)definite; the preconditioner is ``1/K_ii`` (1 where
    ``K_ii <= 0``).  Stops when ``||res||_2 <= tol ||rhs||_2`` (recursive residual, checked before
    each iteration), after ``maxiter`` iterations, or on breakdown ``p^T K p <= 0``.

    Returns
    -------
    x, iterations, relative true residual ``||K x - rhs|| / ||rhs||``.
    """
    diag = K.diagonal()
    minv = np.where(diag > 0, 1.0 / np.where(diag > 0, diag, 1.0), 1.0)
    x = np.zeros_like(rhs)
    bnorm = math.sqrt(float(rhs @ rhs))
    if bnorm == 0.0:
        return x, 0, 0.0
    res = rhs.copy()
    z = minv * res
    p = z.copy()
    rz = float(res @ z)
    it = 0
    while it < maxiter:
        if math.sqrt(float(res @ res)) <= tol * bnorm:
            break
        q = K @ p
        pq = float(p @ q)
        if not pq > 0.0:
            break
        step = rz / pq
        x += step * p
        res -= step * q
        it += 1
        z = minv * res
        rz_new = float(res @ z)
        p = z + (rz_new / rz) * p
        rz = rz_new
    return x, it, float(np.linalg.norm(rhs - K @ x) / bnorm)


def line_search(a, b, reg, Z, E, df, dg, slope):
    """Backtracking Armijo ascent (module docstring, step 3): returns ``alpha`` (0 when no trial qualifies)."""
    inv = 1.0 / reg
    A1 = float(a @ df + b @ dg)
    zmax = float(Z.max())
    alpha = 1.0
    for _ in range(LINE_SEARCH_TRIALS):
        x, y = alpha * df * inv, alpha * dg * inv
        if max(np.abs(x).max(), np.abs(y).max()) <= 1.0 and zmax <= 698.0:
            X, Y = np.expm1(x), np.expm1(y)
            T = E * (X[:, None] + Y[None, :] + X[:, None] * Y[None, :])  # P expm1(alpha (df_i + dg_j)/reg)
            ok = True
        else:
            dlt = (alpha * df[:, None] + alpha * dg[None, :]) * inv
            Zt = Z + dlt
            ok = bool(Zt.max() <= 700.0)
            if ok:
                direct = (E > 0) & (dlt <= 700.0)
                T = np.where(direct, E * np.expm1(np.minimum(dlt, 700.0)), np.exp(Zt) - E)
        if ok and alpha * A1 - reg * float(T.sum()) >= ARMIJO_C * alpha * slope:
            return alpha
        alpha *= 0.5
    return 0.0


def _exponents(C, reg, f, g):
    Z = (f[:, None] + g[None, :] - C) * (1.0 / reg)
    with np.errstate(over="ignore"):
        return Z, np.exp(Z)


def newton_step(C, a, b, reg, f, g, sparsity, cg_tol=1e-10):
    """One sparse Newton step (module docstring); ``f``, ``g`` are updated in place.

    Parameters
    ----------
    C : array (n, m)
    a, b : arrays (n,), (m,)
        Positive marginals of equal mass (drop zero-mass bins first).
    reg : float
    f, g : float64 arrays (n,), (m,)
        Finite potentials, updated in place by ``alpha dz``.
    sparsity : float in (0, 1]
    cg_tol : float

    Returns
    -------
    dict
        ``alpha``, ``cg_residual`` (true relative residual), ``cg_iters``, ``nnz`` (kept entries of P).
    """
    n, m = C.shape
    Z, E = _exponents(C, reg, f, g)
    r, c = E.sum(1), E.sum(0)
    grad = np.concatenate([a - r, b - c])
    keep = top_k(Z, kept_count(sparsity, n, m))
    rows, cols = np.divmod(keep, m)
    Pbar = sp.csr_matrix((E.ravel()[keep], (rows, cols)), shape=(n, m))
    K = newton_matrix(r, c, Pbar)[:-1, :-1]  # gauge fixed: the last g does not move
    sol, iters, residual = cg(K, reg * grad[:-1], cg_tol, 20 * (n + m))  # (reg M) dz = reg grad
    dz = np.concatenate([sol, [0.0]])
    df, dg = dz[:n], dz[n:]
    alpha = line_search(a, b, reg, Z, E, df, dg, float(grad @ dz))
    f += alpha * df
    g += alpha * dg
    return {"alpha": alpha, "cg_residual": residual, "cg_iters": iters, "nnz": int(keep.size)}


def check_newton_inputs(C, a, b, reg, f, g, sparsity):
    """The checks of the compiled kernel (ValueError naming the argument)."""
    if C.ndim != 2 or C.size == 0:
        raise ValueError("C: expected a non-empty 2-d array")
    n, m = C.shape
    for name, v, d in (("a", a, n), ("b", b, m), ("f", f, n), ("g", g, m)):
        if v.ndim != 1 or v.shape[0] != d:
            raise ValueError(f"{name}: expected shape ({d},), got {v.shape}")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"{name}: must be finite")
    if not np.all(np.isfinite(C)):
        raise ValueError("C: must be finite")
    for name, v in (("a", a), ("b", b)):
        if not np.all(v > 0):
            raise ValueError(f"{name}: the Newton stage needs positive finite marginals (drop zero-mass bins first)")
    if not (reg > 0 and np.isfinite(reg)):
        raise ValueError("reg: must be positive and finite")
    if not 0 < sparsity <= 1:
        raise ValueError("sparsity: must be in (0, 1]")


def newton_steps(C, a, b, reg, f, g, steps, tol, sparsity, cg_tol=1e-10, n_threads=1):
    """Up to ``steps`` sparse Newton steps, stopping when the l1 marginal error is at most ``tol``.

    The NumPy reference of the compiled ``_core.sns_newton`` (same arguments, same output;
    ``f``, ``g`` are updated in place; ``n_threads`` is accepted and ignored).

    Returns
    -------
    dict
        ``steps`` (Newton steps taken), ``marginal_err`` and ``fun`` (``||P 1 - a||_1 + ||P^T 1 - b||_1``
        and ``D(f, g)`` at the final potentials), ``total`` (``sum P``), ``status`` (0 ran or
        converged, 1 the line search found no ascent step, 2 non-finite plan), ``cg_residual``
        (worst), ``cg_iters`` (total), ``alpha`` and ``nnz`` (last step), and per-step arrays
        ``step_err``, ``step_fun`` (after each step), ``step_time`` (seconds), ``step_alpha``,
        ``step_cg_residual``, ``step_cg_iters``.
    """
    check_newton_inputs(C, a, b, reg, f, g, sparsity)
    mass = float(a.sum())
    log = {k: [] for k in ("step_err", "step_fun", "step_time", "step_alpha", "step_cg_residual", "step_cg_iters")}

    def state():
        E = _exponents(C, reg, f, g)[1]
        total = float(E.sum())
        err = float(np.abs(E.sum(1) - a).sum() + np.abs(E.sum(0) - b).sum())
        return err, float(a @ f + b @ g - reg * total + reg * mass), total

    err, fun, total = state()
    status, done, info = (0 if np.isfinite(err) and np.isfinite(total) else 2), 0, {"alpha": np.nan, "nnz": 0}
    while status == 0 and done < steps and err > tol:
        t0 = time.perf_counter()
        info = newton_step(C, a, b, reg, f, g, sparsity, cg_tol)
        err, fun, total = state()
        done += 1
        for key, val in zip(log, (err, fun, time.perf_counter() - t0, info["alpha"], info["cg_residual"],
                                  info["cg_iters"])):
            log[key].append(val)
        if info["alpha"] == 0.0:
            status = 1
        elif not (np.isfinite(err) and np.isfinite(total)):
            status = 2
    out = {k: np.asarray(v, dtype=np.int64 if k == "step_cg_iters" else float) for k, v in log.items()}
    out.update(steps=done, marginal_err=err, fun=fun, total=total, status=status,
               cg_residual=float(max(log["step_cg_residual"], default=0.0)), cg_iters=int(sum(log["step_cg_iters"])),
               alpha=float(info["alpha"]), nnz=int(info["nnz"]))
    return out
