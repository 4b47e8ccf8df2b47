"""Bilevel penalty landscape: |psi_sigma - psi| and ||grad psi_sigma - grad psi|| against sigma, with the O(sigma) line.

Kwon, Kwon, Wright & Nowak (ICLR 2024) show that the penalty hyper-objective psi_sigma(x) =
min_y f(x, y) + (g(x, y) - g*(x))/sigma is O(sigma) from psi in value and gradient (catalogue structured.md 3.3;
the paper has no experiments, so this figure is the statement, drawn).  Problems: the closed-form quadratic
(f = |y - b|^2/2 + rho |x|^2/2, g = |y - Bx|^2/2, d_x = 5, d_y = 8), where both gaps are exactly first order,
and per-feature ridge hyperparameters (n = 200 training and 200 validation rows, 10 features), all from exact
solutions at a fixed x; the derived bound sigma |grad_y f(x, y*)|^2 / (2 (mu - sigma l_f)) of the theorem
``bilevel.penalty_gap`` is drawn dashed for the value gap.
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"sigma": [float(s) for s in np.geomspace(1e-6, 0.3, 25)]}
SEEDS = [0]


def gaps(problem, quick=False, seed=0):
    from ...theory.bilevel import _quadratic, _ridge, penalty_gap_bound, _params

    p = _quadratic() if problem == "quadratic" else _ridge()
    x = p.x0
    c = p.constants
    par = _params(p, type("C", (), {"l_f": c["l_f"]})(), None)
    psi, g = p.psi(x), p.grad_psi(x)
    sig = PARAMETERS["sigma"][::3] if quick else PARAMETERS["sigma"]
    return [dict(problem=problem, sigma=s, value_gap=psi - p.psi_sigma(x, s),
                 grad_gap=float(np.linalg.norm(g - p.grad_psi_sigma(x, s))),
                 bound=float(penalty_gap_bound(1.0 / s, None, par))) for s in sig]


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    return sweep(gaps, {"problem": ["quadratic", "ridge"], "quick": [quick]}, seeds=SEEDS, **sweep_options)


def draw(frame):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, (col, title) in zip(axes, [("value_gap", "psi(x) - psi_sigma(x)"),
                                       ("grad_gap", "||grad psi(x) - grad psi_sigma(x)||")]):
        for (problem, part), color in zip(frame.groupby("problem", sort=False), ("C0", "C3")):
            ax.loglog(part.sigma, part[col], "o-", color=color, ms=3, label=problem)
            ref = part[col].iloc[0] / part.sigma.iloc[0]
            ax.loglog(part.sigma, ref * part.sigma, ":", color="gray")
            if col == "value_gap":
                b = part.bound.where(np.isfinite(part.bound))
                ax.loglog(part.sigma, b, "--", color=color, lw=1, label=f"{problem}: derived bound")
            slope = np.polyfit(np.log(part.sigma[part.sigma < 1e-2]), np.log(part[col][part.sigma < 1e-2]), 1)[0]
            ax.text(0.03, 0.93 - 0.07 * (color == "C3"), f"{problem}: slope {slope:.3f}", color=color,
                    transform=ax.transAxes, fontsize=8)
        ax.set_xlabel("sigma (penalty)")
        ax.set_title(title + "   (dotted: O(sigma))", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig
