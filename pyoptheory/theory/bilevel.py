r"""The penalty landscape of bilevel problems (Kwon, Kwon, Wright & Nowak, ICLR 2024; catalogue
structured.md 3.3), as a theorem with a derived constant.

With ``g(x, .)`` ``mu``-strongly convex on ``Y`` and ``grad_y f(x, .)`` ``l_f``-Lipschitz, for ``sigma < mu / l_f``

.. math::

    0 \le \psi(x) - \psi_\sigma(x) \le \frac{\sigma \|\nabla_y f(x, y^*(x))\|^2}{2(\mu - \sigma l_f)}.

Proof (derived here).  ``psi_sigma <= psi``: put ``y = y*`` in the minimum.  For any ``y``,
``g(x, y) - g*(x) >= mu/2 ||y - y*||^2`` and ``f(x, y) >= f(x, y*) + G^T (y - y*) - l_f/2 ||y - y*||^2`` with
``G = grad_y f(x, y*)``, so ``psi_sigma(x) >= psi(x) + min_d [G^T d + (mu/sigma - l_f)/2 ||d||^2]``
``= psi(x) - sigma ||G||^2 / (2 (mu - sigma l_f))``.  The paper's ``O(sigma/mu)`` (catalogue [3P], constant
unconfirmed) is this statement up to its constant.  On the quadratic the gap is exactly
``sigma ||Bx - b||^2 / (2(1 + sigma))``: the bound's ratio to it, ``(1 + sigma)/(1 - sigma)``, tends to 1.
The gradient gap ``||grad psi_sigma - grad psi|| = O(sigma / mu^3)`` (catalogue [3P]) is checked by its slope
and bounded ratios in the tests and the ``bilevel-penalty-gap`` figure, not as a hard bound.

"Horizon" ``T`` here is ``1/sigma``: the rate is ``T^-1``.

This is a lemma about the problem, not about a method: it is registered with ``method=None`` (``pyoptheory list``
shows it as a lemma), and measured by its own hook.
"""
from __future__ import annotations

import numpy as np

from .base import Instance, Theorem, power


def _params(problem, c, T):
    x = problem.x0
    y = problem.lower_solution(x)
    _, fy = problem.grad_f(x, y)
    return {"G2": float(fy @ fy), "mu": float(problem.mu_g_at(x)), "l_f": float(c.l_f)}


def penalty_gap_bound(T, c, p):
    sigma = 1.0 / T
    if sigma * p["l_f"] >= p["mu"]:
        return np.inf
    return sigma * p["G2"] / (2.0 * (p["mu"] - sigma * p["l_f"]))


def _measure(problem, c, p, horizons, backend):
    x = problem.x0
    psi = problem.psi(x)
    return [psi - problem.psi_sigma(x, 1.0 / T) for T in horizons], max(abs(psi), 1.0)


def _quadratic():
    from ..bilevel import quadratic

    p = quadratic(5, 8, rho=0.1, seed=0)
    p._x0 = np.linspace(-1.0, 1.0, 5)
    return p


def _ridge():
    from ..bilevel import ridge

    p = ridge(200, 200, 10, seed=1)
    p._x0 = np.linspace(-2.0, 2.0, 10)
    return p


THEOREMS = [
    Theorem(
        id="bilevel.penalty_gap",
        method=None,  # a lemma about the penalty landscape: no method runs; the penalty method's runs are in the
        # bilevel-complexity figure and tests/test_bilevel.py
        assumptions=("g(x, .) mu-strongly convex on Y", "grad_y f(x, .) l_f-Lipschitz", "sigma < mu / l_f"),
        quantity="penalty_gap",
        statement="0 <= psi(x) - psi_sigma(x) <= sigma ||grad_y f(x, y*)||^2 / (2 (mu - sigma l_f)), T = 1/sigma",
        bound=penalty_gap_bound,
        params=_params,
        rate=power(-1.0),
        tight=True,
        confirmed="D",
        source=("Kwon, Kwon, Wright & Nowak (ICLR 2024): |psi_sigma - psi| = O(sigma/mu) (catalogue 3.3, [3P]); "
                "the constant derived here (module docstring), tight as sigma -> 0 on the quadratic."),
        instances=(
            Instance("quadratic", lambda T=None: _quadratic(), tight=True,
                     note="f = |y - b|^2/2 + rho |x|^2/2, g = |y - Bx|^2/2: gap = sigma |Bx - b|^2 / (2(1 + sigma)), "
                     "the bound's ratio to it (1 + sigma)/(1 - sigma)"),
            Instance("ridge", lambda T=None: _ridge(), tight=True,
                     note="per-feature ridge hyperparameters at lambda = linspace(-2, 2): mu = lambda_min(A^T A/n + "
                     "diag e^lambda), l_f = lambda_max(A_v^T A_v/m); exactly first order in sigma"),
        ),
        horizons_quick=(2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000),
        horizons_full=tuple(int(v) for v in np.unique(np.round(np.geomspace(2, 1e6, 40)))),
        notes="T = 1/sigma; the quantity is psi(x0) - psi_sigma(x0) at the instance's x0, from the exact solutions",
        measure=_measure,
    ),
]
