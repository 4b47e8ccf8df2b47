"""Gradient descent, heavy ball and Nesterov's method on quadratics and on Nesterov's chain.

Reproduces the classical comparison (Nesterov, Introductory Lectures 2004, section 2.2;
Lessard, Recht & Packard 2016, Fig. 1): f(x_k) - f* against k for GD (step 1/L), heavy ball
(quadratic-optimal tuning) and AGD (lambda sequence) on quadratics with kappa = 1e2 and 1e4,
and on the chain f_p (p = 2K+1), each with its bound: GD L D0^2/(4k+2), AGD L D0^2/(2 lambda_k^2),
heavy ball (L/2)(2k+1)^2 rho^(2k) D0^2; on the chain also the Krylov lower bound
f_k* - f_p* = (L/8)(1/(k+1) - 1/(p+1)) that every method in the span obeys.
"""
from __future__ import annotations

import numpy as np

from ... import problems as P
from ...solve import solve
from ...theory.accelerated import lambda_sequence

PARAMETERS = {"quadratic": {"dim": 100, "kappa": [100, 10000], "seed": 0}, "chain": {"K": 500, "L": 1.0}}
SEEDS = []
METHODS = ("gd", "heavy_ball", "agd")


def make(instance, K):
    if instance == "chain":
        return P.nesterov_chain(2 * K + 1, L=1.0)
    kappa = float(instance.split("=")[1])
    return P.quadratic(100, L=1.0, mu=1.0 / kappa, seed=0, name=instance)


def bound(method, k, c, D0):
    if method == "gd":
        return c["L"] * D0**2 / (4 * k + 2)
    if method == "agd":
        return c["L"] * D0**2 / (2 * lambda_sequence(max(k, 1)) ** 2)
    if c.get("mu", 0.0) <= 0:
        return np.nan
    rho = (np.sqrt(c["L"] / c["mu"]) - 1) / (np.sqrt(c["L"] / c["mu"]) + 1)
    return 0.5 * c["L"] * ((2 * k + 1) * rho**k) ** 2 * D0**2


def run_one(instance, method, K, seed=0):
    prob = make(instance, K)
    if method == "heavy_ball" and prob.constants.get("mu", 0.0) <= 0:
        return []
    res = solve(prob, method, steps=K, record="all", seed=seed)
    c = dict(prob.constants)
    D0 = float(np.linalg.norm(prob.x0 - prob.x_star))
    rows = []
    for k, gap in zip(res.trace["iter"], res.trace["gap"]):
        row = dict(instance=instance, method=method, k=int(k), gap=float(gap), bound=float(bound(method, k, c, D0)))
        if instance == "chain":
            p = 2 * K + 1
            row["lower"] = float(c["L_class"] / 8 * (1 / (k + 1) - 1 / (p + 1)))
        rows.append(row)
    return rows


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    K = 300 if quick else 2000
    grid = {"instance": ["kappa=100", "kappa=10000", "chain"], "method": list(METHODS), "K": [K]}
    return sweep(run_one, grid, **sweep_options)


def draw(frame):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    colors = {"gd": "C0", "heavy_ball": "C2", "agd": "C3"}
    for ax, (instance, sub) in zip(axes, frame.groupby("instance", sort=False)):
        for method, m in sub.groupby("method", sort=False):
            pos = m[(m.gap > 1e-15 * m.gap.max()) & (m.k > 0)]
            ax.loglog(pos.k, pos.gap, color=colors[method], label=f"{method}")
            b = m[np.isfinite(m.bound) & (m.k > 0)]
            ax.loglog(b.k, b.bound, "--", color=colors[method], lw=1, label=f"{method} bound")
        if "lower" in sub and sub["lower"].notna().any():
            low = sub[(sub.method == "agd") & (sub.k > 0)]
            ax.loglog(low.k, low.lower, "k:", label="Krylov lower bound")
            ax.legend(fontsize=7)
        ax.set_title(instance, fontsize=10)
        ax.set_xlabel("iteration k")
        ax.set_ylim(bottom=max(1e-16, sub.gap[sub.gap > 0].min() / 10))
    axes[0].set_ylabel(r"$f(x_k) - f^*$")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig
