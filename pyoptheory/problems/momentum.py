r"""Worst cases of the momentum methods: Nesterov's chain and the heavy-ball counterexample."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._validation import as_int, as_scalar
from .base import Constants, Problem
from .linear import LinearModel


def nesterov_chain(p, L=1.0, dim=None):
    r"""Nesterov's worst-case quadratic ``f_p`` (Introductory Lectures, 2004, section 2.1.2).

    ``f_p(x) = (L/4) [ (x_1^2 + sum_{i<p} (x_i - x_{i+1})^2 + x_p^2)/2 - x_1 ]`` in dimension
    ``dim >= p`` (default p), stored as ``(L/4) sum_rows (a_r^T x - b_r)^2/2 - L/8`` with rows
    ``e_1`` (target 1), ``e_i - e_{i+1}`` and ``e_p``.  Exact optimum, given in closed form: ``x*_i = 1 - i/(p+1)``
    (i <= p, 0 beyond), ``f* = (L/8)(-1 + 1/(p+1))``, ``||x*||^2 = p(2p+1)/(6(p+1))``.  The class
    parameter ``L`` is kept as the constant ``L_class``; the exact smoothness ``L`` of ``f_p``
    (``(L/4) lambda_max`` of the tridiagonal matrix, below ``L``) is derived from the data.
    Theorem 2.1.7 of the Lectures: from ``x0 = 0``, any method whose iterates stay in the Krylov
    span has ``f(x_k) - f* >= 3 L ||x0 - x*||^2/(32 (k+1)^2)`` on ``f_{2k+1}``.
    """
    p = as_int(p, "p", minimum=1)
    L = as_scalar(L, "L", positive=True)
    dim = p if dim is None else as_int(dim, "dim", minimum=p)
    rows, cols, vals = [0], [0], [1.0]
    for i in range(p - 1):
        rows += [i + 1, i + 1]
        cols += [i, i + 1]
        vals += [1.0, -1.0]
    rows.append(p)
    cols.append(p - 1)
    vals.append(1.0)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(p + 1, dim))
    b = np.zeros(p + 1)
    b[0] = 1.0
    xs = np.zeros(dim)
    xs[:p] = 1.0 - np.arange(1, p + 1) / (p + 1)
    f_star = L / 8 * (-1 + 1 / (p + 1))
    # D^T D is tridiag(-1, 2, -1) of size p: eigenvalues 4 sin^2(k pi/(2(p+1))), k = 1..p (exact)
    lmax = 4 * np.sin(p * np.pi / (2 * (p + 1))) ** 2
    lmin = 4 * np.sin(np.pi / (2 * (p + 1))) ** 2 if dim == p else 0.0
    return LinearModel(A, b, loss="squared", weight=L / 4, const=-L / 8, x0=np.zeros(dim), x_star=xs, f_star=f_star,
                       name=f"nesterov_chain(p={p})", gram_extremes=(lmax, lmin),
                       extra_constants={"L_class": (L, "class parameter of Nesterov's chain (Lectures, Thm 2.1.7)")})


class HeavyBallCounterexample(Problem):
    r"""Lessard, Recht & Packard (2016), section 4.6: a smooth strongly convex function (L = 25, mu = 1)
    on which heavy ball with the quadratic-optimal tuning cycles.

    ``f(x) = 25 x^2/2`` for ``x < 1``; ``x^2/2 + 24 x - 12`` for ``1 <= x < 2``;
    ``25 x^2/2 - 24 x + 36`` for ``x >= 2`` (catalogue 3.3 [M, standard]: recalled, with its
    smoothness, strong convexity and continuity checked here; the cycling start point is not
    from the paper, the test shows non-convergence from x0 = 3.3).  ``x* = 0``, ``f* = 0``.
    """

    def __init__(self, x0=3.3):
        super().__init__(1, kind="smooth", name="heavy_ball_counterexample", x0=[x0], x_star=[0.0], f_star=0.0)
        self._constants = Constants({"L": 25.0, "mu": 1.0}, {"L": "exact: largest second derivative",
                                                             "mu": "exact: smallest second derivative"})

    def f(self, x):
        t = float(x[0])
        if t < 1:
            return 12.5 * t * t
        if t < 2:
            return 0.5 * t * t + 24 * t - 12
        return 12.5 * t * t - 24 * t + 36

    def grad(self, x):
        t = float(x[0])
        if t < 1:
            return np.array([25 * t])
        if t < 2:
            return np.array([t + 24])
        return np.array([25 * t - 24])


def heavy_ball_counterexample(x0=3.3):
    """The Lessard-Recht-Packard function on which tuned heavy ball cycles (see the class); ``x* = 0``, ``f* = 0``
    exactly, given."""
    return HeavyBallCounterexample(x0)
