"""Sinkhorn's marginal error against iteration for several eta, with the Hilbert-metric bound.

Illustrates Franklin & Lorenz (1989) / Peyre & Cuturi (Computational OT, Thm 4.2): on point clouds
(n = m = 200 in [0,1]^2, squared Euclidean cost / max, uniform marginals), the l1 marginal error
of the log-domain iterates for eta = 1/reg in {2, 5, 10, 50}, and the bound it implies
(derived here; see :mod:`pyoptheory.theory.transport`)

    ||P_T 1 - a||_1 <= exp((1 + kappa^2) kappa^(2T-1) d_0) - 1,   kappa = tanh(eta D_C / 4),

with d_0 = eta osc(g*) (the distance of g_0 = 0 to the optimum): after a column update the row
sums are a_i exp(delta_i) with delta = eta (f_T - f_{T+1}), and sum_i a_i exp(delta_i) = 1 forces
|delta_i| <= osc(delta) <= d_T + d_{T+1} <= (1 + kappa^2) d_T.  The guaranteed rate kappa^2 tends
to 1 like 1 - 4 exp(-eta D_C / 2): the bound is informative only for small eta, while the
measured rate degrades far more slowly.
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"n": 200, "etas": [2.0, 5.0, 10.0, 50.0], "max_iter": 3000, "seed": 0}
SEEDS = [0]


def run_one(eta, n, max_iter, seed=0):
    from ...ot import problems as OT
    from ...theory.transport import marginal_errors

    prob = OT.point_clouds(n, n, 1.0 / eta, seed=seed)
    c = prob.constants
    _, g_star = prob.optimum()
    d0 = float(np.ptp(g_star)) / prob.reg
    iters = list(range(1, max_iter + 1))
    errs = marginal_errors(prob, iters)
    rows, converged = [], False
    for T, err in zip(iters, errs):
        with np.errstate(over="ignore"):
            bound = float(np.expm1((1 + c.kappa ** 2) * c.kappa ** (2 * T - 1) * d0))
        informative = 1e-16 < bound <= 10
        if converged and not informative:
            continue
        rows.append(dict(eta=eta, k=T, marginal_err=np.nan if converged else float(err), bound=bound,
                         kappa2=c.kappa ** 2))
        converged = converged or err < 1e-15
    return rows


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    n = 100 if quick else PARAMETERS["n"]
    max_iter = 1000 if quick else PARAMETERS["max_iter"]
    return sweep(run_one, {"eta": PARAMETERS["etas"], "n": [n], "max_iter": [max_iter]}, seeds=SEEDS,
                 **sweep_options)


def draw(frame):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 4.0))
    for i, eta in enumerate(sorted(frame.eta.unique())):
        sub = frame[frame.eta == eta]
        color = f"C{i}"
        ax.semilogy(sub.k, sub.marginal_err, color=color, label=f"eta = {eta:g} (kappa^2 = {sub.kappa2.iloc[0]:.4g})")
        ok = sub.bound <= 10
        ax.semilogy(sub.k[ok], sub.bound[ok], "--", color=color, lw=1)
    ax.set_xlabel("iteration T")
    ax.set_ylabel("||P_T 1 - a||_1 (solid), Hilbert bound (dashed)")
    ax.set_ylim(1e-16, 10)
    ax.set_xlim(0, frame.k[frame.marginal_err.notna()].max() * 1.1)
    ax.legend(fontsize=7)
    ax.set_title("Sinkhorn: marginal error and the Hilbert-metric bound", fontsize=10)
    fig.tight_layout()
    return fig
