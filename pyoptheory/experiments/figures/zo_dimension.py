"""Zeroth-order dimension dependence: suboptimality against function evaluations for several d, with the n/N bound.

Nesterov & Spokoiny (2017), RG_s with h = 1/(4(n + 4)L): the average-iterate bound
4(n + 4) L ||x0 - x*||^2/(N + 1) (+ a smoothing floor) grows linearly in the dimension, so the iterations
(and function values, two per iteration) to a fixed accuracy should grow like n + 4 (catalogue first-order.md 5.1,
"iterations to eps grow in proportion to n + 4: fit exponent 1").  Problems: quadratics with the spectrum
linspace(0.1, 1, d) (L = 1) for d = 4 .. 64, x0 drawn once per d; 8 seeds.  Left: mean E f(xbar_N) - f* of the
average against function evaluations, with the bound dashed; right: the median iterations for f(x_k) - f* to
fall below 1e-3 of its initial value (last iterate, recorded at 400 points) against n + 4, with the fitted
exponent.
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"dims": [4, 8, 16, 32, 64], "seeds": 8, "iterations_per_dim": 200, "target": 1e-3}
SEEDS = list(range(8))


def _problem(d):
    from ... import problems as P

    return P.quadratic(d, spectrum=np.linspace(0.1, 1.0, d), seed=1)


def run(d, quick=False, seed=0):
    import pyoptheory as po

    from ...theory.zeroth import SMOOTHING

    p = _problem(d)
    steps = PARAMETERS["iterations_per_dim"] * (d + 4) // (2 if quick else 1)
    R2 = float(np.sum((p.x0 - p.x_star) ** 2))
    avg = po.solve(p, "zo_rgf", steps=steps, seed=seed, record=60, smoothing=SMOOTHING)
    last = po.solve(p, "zo_rgf", steps=steps, seed=seed, record=400, output="last", smoothing=SMOOTHING)
    gap0 = last.trace["gap"][0]
    hit = np.nonzero(last.trace["gap"] <= PARAMETERS["target"] * gap0)[0]
    rows = [dict(d=d, kind="curve", fevals=int(f), gap_avg=float(g),
                 bound=float(4 * (d + 4) * R2 / max(k, 1) + 9 * SMOOTHING ** 2 * (d + 4) ** 2 / 25))
            for k, f, g in zip(avg.trace["iter"][1:], avg.trace["fevals"][1:], avg.trace["gap_avg"][1:])]
    rows.append(dict(d=d, kind="hit", iterations=float(last.trace["iter"][hit[0]]) if hit.size else np.nan))
    return rows


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    dims = PARAMETERS["dims"][:4] if quick else PARAMETERS["dims"]
    return sweep(run, {"d": dims, "quick": [quick]}, seeds=SEEDS[:4] if quick else SEEDS, **sweep_options)


def dimension_exponent(frame):
    """The least-squares slope of log(median iterations to the target) against log(n + 4)."""
    hits = frame[frame.kind == "hit"].groupby("d").iterations.median()
    return float(np.polyfit(np.log(hits.index.to_numpy() + 4.0), np.log(hits.to_numpy()), 1)[0]), hits


def draw(frame):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    curves = frame[frame.kind == "curve"]
    for i, (d, part) in enumerate(curves.groupby("d")):
        m = part.groupby("fevals").mean(numeric_only=True)
        axes[0].loglog(m.index, m.gap_avg, color=f"C{i}", label=f"d = {d}")
        axes[0].loglog(m.index, m.bound, "--", color=f"C{i}", lw=0.8)
    axes[0].set_xlabel("function evaluations")
    axes[0].set_ylabel("E f(xbar) - f*  (dashed: the bound)")
    axes[0].legend(fontsize=7)
    slope, hits = dimension_exponent(frame)
    axes[1].loglog(hits.index + 4, hits.values, "o-", label=f"fitted exponent {slope:.2f}")
    axes[1].loglog(hits.index + 4, hits.values[0] * (hits.index + 4) / (hits.index[0] + 4), ":", color="gray",
                   label="n + 4 (exponent 1)")
    axes[1].set_xlabel("n + 4")
    axes[1].set_ylabel(f"iterations to {PARAMETERS['target']:g} of the initial gap")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    return fig
