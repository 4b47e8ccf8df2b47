"""Coordinate-wise against randomized gradient estimates at an equal number of function queries.

DeepZero (Chen et al., ICLR 2024; catalogue first-order.md 5.2, test (iii) and the headline comparison, at small
scale): gradient descent on the coordinate-wise estimate CGE (``d + 1`` queries per step, deterministic, bias
``(s/2) diag(H)`` on quadratics) against the randomized vector-wise estimate RGE with ``q`` in ``{d/100, d/10,
d}`` directions (``q + 1`` queries per step, unbiased for the smoothed gradient, variance growing like
``d/q``).  Problem: l2-regularised logistic regression (lam = 1e-3) on 400 Gaussian samples in d = 200 with
labels from a noisy linear rule.  Steps: ``1/L`` for CGE, the derived default ``1/(4 L ((d + 4)/q + 1))`` for
RGE (the ``q``-direction version of Nesterov & Spokoiny's step).  The plot shows ``f(x_k) - f*`` against the
queries: the mean over 3 seeds for RGE, with CGE deterministic.
"""
from __future__ import annotations

import numpy as np

PARAMETERS = {"n": 400, "d": 200, "lam": 1e-3, "cge_steps": 120, "seeds": 3, "smoothing": 1e-4}


def _problem():
    from ... import problems as P

    rng = np.random.default_rng(0)
    n, d = PARAMETERS["n"], PARAMETERS["d"]
    A = rng.standard_normal((n, d)) / np.sqrt(d)
    b = np.where(A @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n) >= 0, 1.0, -1.0)
    return P.logistic(A, b, PARAMETERS["lam"])


def estimators():
    d = PARAMETERS["d"]
    return [("CGE", None)] + [(f"RGE q = {q}", q) for q in (d // 100, d // 10, d)]


def run(estimator, quick=False, seed=0):
    import pyoptheory as po

    p = _problem()
    d = p.dim
    budget = PARAMETERS["cge_steps"] * (d + 1) // (4 if quick else 1)
    q = dict(estimators())[estimator]
    if q is None:
        res = po.solve(p, "zo_gd", steps=budget // (d + 1), seed=seed, record=100,
                       smoothing=PARAMETERS["smoothing"])
    else:
        res = po.solve(p, "zo_rge", q=q, steps=budget // (q + 1), seed=seed, record=100,
                       smoothing=PARAMETERS["smoothing"])
    return [dict(estimator=estimator, queries=int(f), gap=float(g))
            for f, g in zip(res.trace["fevals"], res.trace["gap"])]


def compute(quick=False, **sweep_options):
    from ..sweep import sweep

    seeds = list(range(PARAMETERS["seeds"]))
    return sweep(run, {"estimator": [name for name, _ in estimators()], "quick": [quick]},
                 seeds=seeds[:2] if quick else seeds, **sweep_options)


def final_gaps(frame):
    """The mean gap at the end of each estimator's query budget."""
    last = frame.loc[frame.groupby(["estimator", "seed"]).queries.idxmax()]
    return last.groupby("estimator").gap.mean()


def draw(frame):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for i, (name, _) in enumerate(estimators()):
        part = frame[frame.estimator == name]
        m = part.groupby("queries").gap.mean()
        ax.semilogy(m.index, m.values, color=f"C{i}", label=name)
    ax.set_xlabel("function queries")
    ax.set_ylabel("f(x_k) - f*")
    ax.set_title(f"logistic regression, d = {PARAMETERS['d']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
