"""Block coordinate descent on an L1-regularised nonnegative least-squares problem: projected Newton,
two-metric projection and projected gradient updates for several block sizes.

Reproduces the setting of Nutini, Laradji & Schmidt (JMLR 2022), Figure 7: min 1/2 x^T Q x - c^T x +
lam 1^T x over x >= 0 (an L1 penalty on the nonnegative orthant is the linear term lam 1^T x), the least
squares of the paper's dataset A scaled down (:func:`.bcd_rules.least_squares`, d = 1000), lam = 0.1
max_j c_j, greedy (GS) blocks of 5, 50 and 100 coordinates (sorted partition), updates PN (exact block QP),
TMP (two-metric projection) and PG (projected gradient, step 1/L_b).  Once the active set is identified,
projected Newton is Newton's method on the free variables: superlinear convergence, finite termination
for this quadratic when the blocks contain the support.  F* from a projected-Newton run to KKT violation
below 1e-12 of the gradient (checked).
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"block_sizes": [5, 50, 100], "updates": ["projected_newton", "two_metric", "gradient"],
              "steps": 300, "lam_fraction": 0.1}
SEEDS = [0]
LABELS = {"projected_newton": "PN", "two_metric": "TMP", "gradient": "PG"}


def problem(quick=False):
    from ... import problems as P
    from .bcd_rules import least_squares

    ls = least_squares(quick)
    lam = PARAMETERS["lam_fraction"] * float(ls.c.max())
    d = ls.dim
    return P.QuadraticForm(ls.Q, ls.c - lam, ls.const, regularizer=P.Box(np.zeros(d), np.full(d, np.inf)),
                           name="l1_nonnegative_least_squares")


def reference_value(p):
    """F* by projected Newton on blocks of 100 until the projected gradient vanishes (to 1e-12 relative)."""
    from ...solve import solve

    res = solve(p, "bcd", rule="gs", block_size=min(100, p.dim), update="projected_newton", steps=4000, record=2)
    x = res.x
    g = p.grad(x)
    viol = np.where(x > 0, np.abs(g), np.maximum(-g, 0.0)).max()
    if viol > 1e-12 * max(np.abs(p.c).max(), 1.0):
        raise RuntimeError(f"reference solve not converged: KKT violation {viol:.2e}")
    return res.fun


def run_config(block_size, update, quick=False, seed=0):
    from ...solve import solve

    p = problem(quick)
    f_star = reference_value(p)
    res = solve(p, "bcd", rule="gs", block_size=block_size, partition="sorted", update=update,
                steps=100 if quick else PARAMETERS["steps"], record="all")
    return [dict(block_size=block_size, update=update, k=int(k), gap=max(fun - f_star, 0.0), f_star=f_star,
                 support=int(s)) for k, fun, s in zip(res.trace["iter"], res.trace["fun"], res.trace["support"])]


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    return sweep(run_config, {"block_size": PARAMETERS["block_sizes"], "update": PARAMETERS["updates"],
                              "quick": [quick]}, seeds=SEEDS, **sweep_options)


def draw(frame):
    import matplotlib.pyplot as plt

    sizes = PARAMETERS["block_sizes"]
    fig, axes = plt.subplots(1, len(sizes), figsize=(4.2 * len(sizes), 3.6), squeeze=False, sharey=True)
    for ax, size in zip(axes[0], sizes):
        for i, update in enumerate(PARAMETERS["updates"]):
            sub = frame[(frame["block_size"] == size) & (frame["update"] == update)]
            ax.semilogy(sub.k, sub.gap.clip(lower=1e-16 * max(1.0, abs(sub.f_star.iloc[0]))), color=f"C{i}",
                        label=LABELS[update])
        ax.set_title(f"blocks of {size}", fontsize=9)
        ax.set_xlabel("iteration")
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("F(x_k) - F*")
    fig.suptitle("L1-regularised nonnegative least squares, greedy blocks", fontsize=9)
    fig.tight_layout()
    return fig
