"""Bilevel toy: the hyper-objective and where 1000 random starts of the penalty method end.

The V-PBGD toy of Shen & Chen (ICML 2023; catalogue structured.md 3.5.2): x in [0, 3], y in R,
g = (x + y)^2 + x sin^2(x + y) (lower solution y = -x), f = cos(4y + 2)/(1 + e^{2 - 4x}) + log((4x - 2)^2 + 1)/2,
so psi(x) = cos(2 - 4x)/(1 + e^{2 - 4x}) + log((4x - 2)^2 + 1)/2 has several local minima.  Their README
figure: psi on the left, the final iterates of 1000 runs from uniform random starts on the right.  Here the
double-loop penalty method with sigma = 1e-4 (their gamma = 1/sigma), 20 inner steps per level, x step 1e-3,
3000 iterations; the histogram counts the runs ending in each basin and the distance of each end point to
the nearest local minimiser of psi is reported.
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"runs": 1000, "penalty": 1e-4, "step_x": 1e-3, "inner_steps": 20, "steps": 3000}
SEEDS = [0]


def runs(n, quick=False, seed=0):
    import pyoptheory as po

    from ...bilevel import ToyBilevel

    p = ToyBilevel()
    P = PARAMETERS
    rng = np.random.default_rng(seed)
    starts = rng.uniform(0.0, 3.0, n)
    mins = p.local_minimizers()
    rows = []
    for x0 in starts:
        res = po.solve(p, "penalty", penalty=P["penalty"], step_x=P["step_x"], inner_steps=P["inner_steps"],
                       steps=1000 if quick else P["steps"], x0=[x0], y0=[-x0], record=2, seed=seed)
        xe = float(res.x[0])
        rows.append(dict(kind="run", x0=float(x0), x_end=xe, psi_end=float(p.psi([xe])),
                         dist_to_min=float(np.min(np.abs(mins - xe)))))
    grid = np.linspace(0, 3, 601)
    rows += [dict(kind="psi", x0=float(t), psi=float(p.psi([t]))) for t in grid]
    rows += [dict(kind="min", x0=float(m), psi=float(p.psi([m]))) for m in mins]
    return rows


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    return sweep(runs, {"n": [100 if quick else PARAMETERS["runs"]], "quick": [quick]}, seeds=SEEDS,
                 **sweep_options)


def draw(frame):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    curve, mins, ends = (frame[frame.kind == k] for k in ("psi", "min", "run"))
    for ax in axes:
        ax.plot(curve.x0, curve.psi, color="C0", lw=1.5)
        ax.plot(mins.x0, mins.psi, "v", color="k", ms=6, label="local minimisers of psi")
        ax.set_xlabel("x")
        ax.set_ylabel("psi(x)")
    axes[0].set_title("hyper-objective psi", fontsize=9)
    axes[1].plot(ends.x_end, ends.psi_end, "o", color="C3", ms=4, alpha=0.3, label=f"{len(ends)} final iterates")
    axes[1].set_title(f"end points: max distance to a local minimiser {ends.dist_to_min.max():.1e}", fontsize=9)
    ax2 = axes[1].twinx()
    ax2.hist(ends.x_end, bins=60, range=(0, 3), color="C3", alpha=0.25)
    ax2.set_ylabel("runs")
    axes[1].legend(fontsize=7, loc="upper center")
    fig.tight_layout()
    return fig
