r"""Exact expectations of SGD on least squares, without Monte Carlo (catalogue 0.4).

For ``f(x) = w sum_i (a_i^T x - b_i)^2 / 2`` with minibatches of ``b`` indices drawn
uniformly with replacement, write ``e_t = x_t - x*``, ``r = A x* - b`` (so ``A^T r = 0``),
``H = w A^T A``, ``m_t = E e_t`` and ``S_t = E e_t e_t^T``.  The per-sample gradient is
``g_i = n w a_i (a_i^T e + r_i)`` with ``E[g_i | e] = H e``, and

.. math::

    m_{t+1} = (I - \eta_t H) m_t, \qquad
    S_{t+1} = S_t - \eta_t (H S_t + S_t H)
              + \eta_t^2 \Big[\tfrac1b\, n w^2 A^\top \mathrm{diag}(q_t + 2 r \circ A m_t + r^2) A
              + (1 - \tfrac1b) H S_t H\Big],

with ``q_{t,i} = a_i^T S_t a_i``.  Then ``E f(x_t) - f* = tr(H S_t)/2`` and
``E||x_t - x*||^2 = tr S_t`` exactly.  Weighted averages use the cross moments
``E[e_t e_s^T] = (I - eta_{t-1} H) E[e_{t-1} e_s^T]`` (t > s):
``C_{t+1} = (I - eta_t H) C_t + w_{t+1} S_{t+1}`` and
``P_{t+1} = P_t + w_{t+1}(C_{t+1} + C_{t+1}^T) - w_{t+1}^2 S_{t+1}``, so that
``E f(xbar_t) - f* = tr(H P_t)/(2 W_t^2)`` for ``xbar_t = sum_{s<=t} w_s x_s / W_t``.
Cost O(n d^2) per step.  Derived in the catalogue (0.4, [D][N]); the minibatch and
cross-moment recursions are derived here the same way, and tested against Monte Carlo.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import as_float_array
from .linear import SQUARED, SUM


def supports_exact(problem):
    """True for a finite-sum oracle with replacement on unregularized least squares."""
    from .oracles import StochasticProblem

    if not isinstance(problem, StochasticProblem) or problem.batch_size is None or not problem.replace:
        return False
    base = problem.base
    return (problem.noise is None and getattr(base, "loss", None) == SQUARED and base.reduce == SUM
            and base.l2 == 0 and base.regularizer is None)


def sgd_least_squares_moments(problem, etas, x0=None, weights=None):
    """Exact ``E f(x_t) - f*``, ``E||x_t - x*||^2`` and, given weights, the gap of the weighted average.

    Parameters
    ----------
    problem : StochasticProblem
        A finite-sum oracle (with replacement) on unregularized least squares.
    etas : array (T,)
        Steps eta_1..eta_T (the t-th update uses ``etas[t-1]``).
    x0 : array (d,), optional
    weights : array (T+1,), optional
        Averaging weights of x_0..x_T; ``gap_avg[t]`` is the gap of the average of x_0..x_t.

    Returns
    -------
    dict with ``gap`` and ``dist2`` (length T+1, index t = after t updates) and ``gap_avg``.
    """
    if not supports_exact(problem):
        raise ValueError("problem: exact expectations need a finite-sum oracle with replacement on "
                         "unregularized least squares")
    base = problem.base
    etas = as_float_array(etas, "etas", ndim=1, allow_empty=True)
    T = etas.shape[0]
    A = base.A.toarray() if sp.issparse(base.A) else base.A
    n, d = A.shape
    w = base.weight
    b = problem.batch_size
    xs = problem.x_star
    r = A @ xs - base.b
    H = w * A.T @ A
    x0 = problem.x0 if x0 is None else as_float_array(x0, "x0", shape=(d,))
    m = x0 - xs
    S = np.outer(m, m)
    I = np.eye(d)
    gap = np.empty(T + 1)
    dist2 = np.empty(T + 1)
    gap[0], dist2[0] = 0.5 * np.sum(H * S), np.trace(S)
    if weights is not None:
        weights = as_float_array(weights, "weights", shape=(T + 1,))
        gap_avg = np.full(T + 1, np.nan)
        C = weights[0] * S
        P = weights[0] ** 2 * S
        W = weights[0]
        gap_avg[0] = 0.5 * np.sum(H * P) / W**2 if W > 0 else np.nan
    r2 = r * r
    for t in range(T):
        eta = etas[t]
        q = np.einsum("ij,jk,ik->i", A, S, A)
        K = n * w * w * (A.T * (q + 2 * r * (A @ m) + r2)) @ A
        HS = H @ S
        S_new = S - eta * (HS + HS.T) + eta**2 * (K / b + (1 - 1 / b) * (HS @ H))
        S_new = 0.5 * (S_new + S_new.T)
        M = I - eta * H
        m = M @ m
        if weights is not None:
            wt = weights[t + 1]
            C = M @ C + wt * S_new
            P = P + wt * (C + C.T) - wt**2 * S_new
            W += wt
            gap_avg[t + 1] = 0.5 * np.sum(H * P) / W**2 if W > 0 else np.nan
        S = S_new
        gap[t + 1] = 0.5 * np.sum(H * S)
        dist2[t + 1] = np.trace(S)
    out = {"gap": gap, "dist2": dist2}
    if weights is not None:
        out["gap_avg"] = gap_avg
    return out


def quadratic_form(problem, constrained=False):
    """``(H, x*, f*)`` of a problem whose objective is ``f* + (1/2)(x - x*)^T H (x - x*)`` exactly (unregularized
    least squares, including the prescribed-spectrum quadratics and Nesterov's chain), else None.
    ``constrained``: also on a constraint set (the caller vouches that its projection never acts)."""
    base = getattr(problem, "base", problem)
    if getattr(base, "loss", None) != SQUARED or base.reduce != SUM:
        return None
    if base.regularizer is not None and not (constrained and base.regularizer.is_indicator):
        return None
    A = base.A.toarray() if sp.issparse(base.A) else np.asarray(base.A)
    H = base.weight * A.T @ A + base.l2 * np.eye(base.dim)
    return H, base.x_star, base.f_star


def gaussian_smoothing_moments(problem, step, smoothing, T, x0=None):
    r"""Exact ``E f(x_t) - f*`` of Nesterov-Spokoiny's RG_s on a quadratic, and of the average of ``x_0 .. x_t``.

    RG_s: ``x_{t+1} = x_t - h (f(x_t + s u_t) - f(x_t))/s u_t``, ``u_t ~ N(0, I)``.  On
    ``f = f* + (1/2) e^T H e`` (``e = x - x*``) the finite difference is ``u^T H e + (s/2) u^T H u``, so
    ``e_{t+1} = (I - h u u^T H) e_t - (h s/2)(u^T H u) u``.  The odd Gaussian moments vanish, and with
    ``E[u u^T A u u^T] = A + A^T + tr(A) I`` and ``E[(u^T H u)^2 u u^T] = ((tr H)^2 + 2 tr(H^2)) I + 4 tr(H) H + 8 H^2``
    (Isserlis; derived here, checked against Monte Carlo in the tests), ``S_t = E e_t e_t^T`` obeys

    .. math::

        S_{t+1} = S_t - h (H S_t + S_t H) + h^2 (2 H S_t H + \mathrm{tr}(H S_t H) I) + \frac{h^2 s^2}{4} M_6,

    ``E f(x_t) - f* = tr(H S_t)/2``, and the cross moments ``E[e_t e_j^T] = (I - h H)^{t-j} S_j`` give the average
    as in :func:`sgd_least_squares_moments`.

    Returns
    -------
    dict with ``gap`` (length ``T + 1``) and ``gap_avg`` (entry ``t``: the average of ``x_0 .. x_t``).
    """
    form = quadratic_form(problem)
    if form is None:
        raise ValueError("problem: exact moments of RG_s need a quadratic (unregularized least squares)")
    H, xs, _ = form
    d = H.shape[0]
    x0 = problem.x0 if x0 is None else x0
    e0 = np.asarray(x0, float) - xs
    h, s = float(step), float(smoothing)
    I = np.eye(d)
    M6 = (np.trace(H) ** 2 + 2 * np.trace(H @ H)) * I + 4 * np.trace(H) * H + 8 * H @ H
    B = I - h * H
    S = np.outer(e0, e0)
    C, P = S.copy(), S.copy()
    gap, gap_avg = np.empty(T + 1), np.empty(T + 1)
    gap[0] = gap_avg[0] = 0.5 * np.trace(H @ S)
    for t in range(T):
        HS = H @ S
        HSH = HS @ H
        S = S - h * (HS + HS.T) + h * h * (2 * HSH + np.trace(HSH) * I) + 0.25 * h * h * s * s * M6
        S = 0.5 * (S + S.T)
        C = B @ C + S
        P = P + C + C.T - S
        gap[t + 1] = 0.5 * np.trace(H @ S)
        gap_avg[t + 1] = 0.5 * np.trace(H @ P) / (t + 2) ** 2
    return dict(gap=gap, gap_avg=gap_avg)
