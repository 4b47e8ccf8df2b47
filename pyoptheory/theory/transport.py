r"""Theorems of Sinkhorn's algorithm for entropic optimal transport (catalogue structured.md 2.2).

Notation: ``reg = 1/eta``, potentials ``f, g`` with plan ``P = exp((f + g - C)/reg)``; one
iteration is a row half-step (``f``) then a column half-step (``g``), from ``f = g = 0``.  These
theorems are measured by their own hooks (``Theorem.measure``), not through ``solve``.
"""
from __future__ import annotations

import numpy as np

from ..ot import problems as OT
from .base import Instance, Theorem, linear, power


# --- measurements ----------------------------------------------------------------------------
def _iterate(problem, horizons, backend, observe):
    """Run Sinkhorn iterations from zero potentials; ``observe(f, g)`` after each of the iterations
    in ``horizons``.  All methods produce these iterates; the log domain is used for exactness."""
    from ..ot.sinkhorn import log_iterations

    a, b, C, reg = problem.a, problem.b, problem.C, problem.reg
    f, g = np.zeros(C.shape[0]), np.zeros(C.shape[1])
    core = None
    if backend in (None, "cpp"):
        from .. import _core as core
    out, k = [], 0
    for T in horizons:
        steps = T - k
        if steps > 0:
            if core is not None:
                core.sinkhorn_log(C, a, b, reg, f, g, steps, -1.0, 1)
            else:
                log_iterations(C, a, b, reg, f, g, steps, -1.0)
            k = T
        out.append(observe(f, g))
    return out


def hilbert_distance(problem, horizons, backend=None):
    """``d_T = osc(f_T - f*)/reg``: Hilbert's projective distance between the row scalings and the optimum's."""
    f_star, _ = problem.optimum()
    reg = problem.reg
    return _iterate(problem, horizons, backend, lambda f, g: float(np.ptp(f - f_star)) / reg)


def marginal_errors(problem, iterations, backend=None):
    """``||P_k 1 - a||_1`` after each of ``iterations`` (the column marginal is exact after an iteration),
    measured by the backend's own row pass."""
    a, b, C, reg = problem.a, problem.b, problem.C, problem.reg
    if backend in (None, "cpp"):
        from .. import _core

        def row_error(f, g):
            return _core.sinkhorn_row_error(C, a, b, reg, f, g, 1)[0]
    else:
        from ..ot.sinkhorn import row_update

        def row_error(f, g):
            return row_update(C, a, b, reg, f.copy(), g, update=False)[0]
    return _iterate(problem, iterations, backend, row_error)


def best_marginal_error(problem, horizons, backend=None):
    """``min_{1 <= k <= T} ||P_k 1 - a||_1``."""
    best, out = np.inf, []
    horizons = list(horizons)
    every = list(range(1, max(horizons) + 1))
    errs = marginal_errors(problem, every, backend)
    for k, err in zip(every, errs):
        best = min(best, err)
        if k in horizons:
            out.append(best)
    return out


def two_point():
    """The 2 x 2 instance on which Birkhoff's contraction ratio is the asymptotic rate."""
    return OT.EntropicOT(np.array([0.5, 0.5]), np.array([0.4999, 0.5001]), np.array([[0.0, 1.0], [1.0, 0.0]]), 0.5,
                         name="two_point_near_uniform")


def _measure_hilbert(problem, c, p, horizons, backend):
    """The distances, and their floating-point scale ``(max|f*| + max|g*|)/reg`` (f* is exact to ~1e-16 of it)."""
    f_star, g_star = problem.optimum()
    scale = (np.abs(f_star).max() + np.abs(g_star).max()) / problem.reg
    return hilbert_distance(problem, horizons, backend), float(scale)


def _measure_marginal(problem, c, p, horizons, backend):
    return best_marginal_error(problem, horizons, backend), 2.0


# --- bounds -------------------------------------------------------------------------------------
def hilbert_bound(T, c, p):
    """``kappa^(2T - 1) osc(g*)/reg``: the first row half-step contracts ``d(g_0 = 0, g*)`` by kappa,
    every later half-step by kappa again."""
    return c.kappa ** (2 * T - 1) * p["d0"]


def marginal_bound(T, c, p):
    """``sqrt(2 log(s/l) / T)``."""
    return float(np.sqrt(2.0 * c.log_s_over_l / T))


def _hilbert_params(problem, c, T):
    _, g_star = problem.optimum()
    return {"d0": float(np.ptp(g_star)) / problem.reg}


THEOREMS = [
    Theorem(
        id="sinkhorn.hilbert",
        method="sinkhorn",
        assumptions=("C finite", "a, b > 0 of mass 1", "reg > 0"),
        quantity="hilbert",
        statement="osc(f_T - f*)/reg <= kappa^(2T-1) osc(g_0 - g*)/reg, kappa = tanh(D_C / (4 reg))",
        bound=hilbert_bound,
        params=_hilbert_params,
        rate=linear(lambda c, p: c.kappa ** 2),
        tight=False,
        confirmed="D",
        source=("Birkhoff-Hopf contraction (Franklin & Lorenz 1989; Peyre & Cuturi, Computational Optimal "
                "Transport, Thm 4.2). Proof: the map v -> a/(K v) is an isometry composed with K, which "
                "contracts Hilbert's projective metric by tanh(Delta(K)/4), Delta(K) = log max K_ik K_jl/"
                "(K_jk K_il) = D_C/reg; d_H(u, u*) = osc(log u - log u*) = osc(f - f*)/reg."),
        instances=(
            Instance("two_point_near_uniform", lambda T=None: two_point(),
                     tight=True, note="2 x 2, C = [[0, 1], [1, 0]], reg 1/2, b = (0.4999, 0.5001): the "
                     "asymptotic rate equals kappa^2 = 0.580 (Birkhoff's ratio is attained)"),
            Instance("uniform_cost_eta3", lambda T=None: OT.uniform_cost(120, 3.0, seed=5),
                     note="C ~ U[0,1], eta D_C = 5.95: kappa^2 = 0.815; Sinkhorn contracts much faster here"),
            Instance("point_clouds_reg0.25", lambda T=None: OT.point_clouds(100, 80, 0.25, seed=1),
                     note="squared Euclidean / max, eta D_C = 7.4: kappa^2 = 0.905; a loose but valid bound"),
        ),
        horizons_quick=(1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 64, 80, 100),
        horizons_full=tuple(range(1, 201)),
        notes="the bound is on the potentials (Hilbert metric), measured against f* from a 1e-15 solve",
        measure=_measure_hilbert,
    ),
    Theorem(
        id="sinkhorn.marginal_error",
        method="sinkhorn",
        assumptions=("C finite", "a, b > 0 of mass 1", "reg > 0"),
        quantity="marginal_err_best",
        statement="min_{1<=k<=T} ||P_k 1 - a||_1 <= sqrt(2 log(s/l) / T), s = sum K, l = min K, K = exp(-C/reg)",
        bound=marginal_bound,
        params=lambda problem, c, T: {},
        rate=power(-0.5),
        tight=False,
        confirmed="D",
        source=("Altschuler, Weed & Rigollet (NeurIPS 2017), the potential argument of their Thm 2, derived "
                "here: with phi(x, y) = <a, x> + <b, y> - log sum K e^(x_i + y_j), a row half-step gains "
                "exactly KL(a || P 1) >= ||P 1 - a||_1^2 / 2 (Pinsker; mass 1), and "
                "phi* - phi(0, 0) <= sum P* log(1/K) + log s <= log(s/l); the errors after iterations "
                "1..T are each paid for by the next row half-step, so sum_k err_k^2 <= 2 log(s/l). "
                "(Their stated constant, with a different normalisation, was not confirmed [M]; this is "
                "the derived one.)"),
        instances=(
            Instance("point_clouds_reg0.01", lambda T=None: OT.point_clouds(100, 80, 0.01, seed=2)),
            Instance("uniform_cost_eta200", lambda T=None: OT.uniform_cost(80, 200.0, seed=3),
                     note="small reg: Sinkhorn is slow and the bound is less loose"),
        ),
        horizons_quick=(1, 2, 3, 5, 8, 13, 20, 32, 50, 80, 130, 200, 320, 500, 800, 1300, 2000),
        horizons_full=tuple(int(v) for v in np.unique(np.round(np.geomspace(1, 2e4, 30)))),
        measure=_measure_marginal,
    ),
]
